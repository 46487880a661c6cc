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

/**
 * Why a datagram that arrived from the wire with source `src` (to `dst`)
 * must be discarded, or undefined when the source is acceptable
 * (RFC 1122 §3.2.1.3, a MUST: a host silently discards a datagram whose
 * source is not a valid unicast address; Linux calls these martians):
 * - 0/8 ("this network"), except 0.0.0.0 to the limited broadcast, which a
 *   host configuring itself sends (BOOTP/DHCP, RFC 1122 §3.2.1.3 (a));
 * - 127/8 (loopback: never on a wire, §3.2.1.3 (g));
 * - 224/4 multicast and 240/4 class E, the limited broadcast included
 *   (§3.2.1.3 (c), (d), RFC 1112);
 * - the directed broadcast of our subnet (§3.2.1.3 (e)): answering it would
 *   make us an amplifier;
 * - our own address: a loop, or someone spoofing us.
 */
export const martianSource = (
  t: RouteTable,
  src: Addr.Ipv4Addr,
  dst: Addr.Ipv4Addr
): "ThisNetwork" | "Loopback" | "GroupOrReserved" | "SubnetBroadcast" | "Ours" | undefined => {
  const top = src >>> 24
  if (top === 0) return src === 0 && dst === Addr.BROADCAST ? undefined : "ThisNetwork"
  if (top === 127) return "Loopback"
  if (top >= 224) return "GroupOrReserved"
  if (t.prefixLength < 31 && src === Addr.broadcastOf(t.address, t.prefixLength)) return "SubnetBroadcast"
  if (src === t.address) return "Ours"
  return undefined
}
