/**
 * Route selection for a host with one interface (RFC 1122 §3.3.1): a
 * destination on our subnet is sent to directly, anything else through the
 * default gateway, broadcasts to the Ethernet broadcast address, and our own
 * address loops back without touching the link. Pure.
 *
 * @since 0.1.0
 */
import * as Addr from "../wire/Ipv4Addr.js"

export type Route =
  | { readonly _tag: "Local" }
  | { readonly _tag: "Broadcast" }
  | { readonly _tag: "Direct"; readonly nextHop: Addr.Ipv4Addr }
  | { readonly _tag: "Gateway"; readonly nextHop: Addr.Ipv4Addr }
  | { readonly _tag: "NoRoute" }

export interface RouteTable {
  readonly address: Addr.Ipv4Addr
  readonly prefixLength: number
  readonly gateway: Addr.Ipv4Addr | undefined
}

export const select = (t: RouteTable, dst: Addr.Ipv4Addr): Route => {
  if (dst === t.address || dst >>> 24 === 127) return { _tag: "Local" }
  if (dst === Addr.BROADCAST || (t.prefixLength < 31 && dst === Addr.broadcastOf(t.address, t.prefixLength))) {
    return { _tag: "Broadcast" }
  }
  if (Addr.isMulticast(dst) || dst === 0) return { _tag: "NoRoute" }
  if (Addr.sameSubnet(dst, t.address, t.prefixLength)) return { _tag: "Direct", nextHop: dst }
  return t.gateway === undefined ? { _tag: "NoRoute" } : { _tag: "Gateway", nextHop: t.gateway }
}

/** Is `dst` an address this host accepts datagrams for (RFC 1122 §3.2.1.3)? */
export const isOurs = (t: RouteTable, dst: Addr.Ipv4Addr): boolean =>
  dst === t.address || dst === Addr.BROADCAST ||
  (t.prefixLength < 31 && dst === Addr.broadcastOf(t.address, t.prefixLength))

/** Broadcast destinations among ours: no ICMP errors in reply (RFC 1122 §3.2.2). */
export const isBroadcastFor = (t: RouteTable, dst: Addr.Ipv4Addr): boolean => dst !== t.address && isOurs(t, dst)
