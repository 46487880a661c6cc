/**
 * Route selection for a host with one interface (RFC 1122 §3.3.1): a
 * destination on our subnet is sent to directly, anything else through the
 * default gateway, broadcasts to the Ethernet broadcast address, and our own
 * address loops back without touching the link. Pure.
 *
 * ICMP redirects (RFC 792 type 5; RFC 1122 §3.2.2.2, §3.3.1.2): a gateway
 * that forwards a datagram of ours out the interface it came in by tells us
 * of a better first hop for its destination. `redirectRefusal` says whether
 * a host believes one, by Linux's rules with a host's defaults
 * (net/ipv4/route.c __ip_do_redirect; accept_redirects=1, not forwarding,
 * shared_media=1, secure_redirects=1, which shared_media overrides), only
 * when a socket of ours claimed the quoted datagram (RFC 5927 §4.1), and
 * `Redirects` holds what the believed ones set: the first hop per
 * destination, for `REDIRECT_EXPIRES` (Linux's fib_nh_exception with
 * fnhe_gw, expiring ip_rt_gc_timeout after the redirect), bounded, the
 * oldest evicted and counted.
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

// --- ICMP redirects ---------------------------------------------------------------

/**
 * Why a redirect is not believed (each is counted):
 * - `NotOurDatagram`: the quoted datagram's source is not our address.
 * - `Unclaimed`: the protocol that sent the quoted datagram has nothing of ours it could be: no
 *   TCP connection of its 4-tuple with its sequence number in [SND.UNA, SND.MAX] (TIME-WAIT and
 *   half-open ones claim none), no UDP socket its reply would reach, no echo of ours waiting for
 *   its reply. Linux's icmp_redirect hands a redirect to that protocol's error handler, which runs
 *   __ip_do_redirect only for a socket of its own: tcp_v4_err after its sequence check (it returns
 *   first for TIME-WAIT, and tcp_req_err acts on no redirect), __udp4_lib_err and ping_err after
 *   their socket lookups. RFC 5927 §4.1's reasoning: a blind forger cannot name one.
 * - `DestinationNotUnicast`: the quoted destination is ours, loopback, a broadcast, multicast or
 *   0.0.0.0: no gateway carries it.
 * - `DestinationOnLink`: the destination is on our subnet: sent to directly, through no gateway
 *   (Linux: `rt->rt_gw_family != AF_INET`).
 * - `NoRoute`: no gateway is configured, so nothing was sent through one.
 * - `NotFromGateway`: the redirect's IP source is not the first hop the destination's traffic
 *   uses now (RFC 1122 §3.2.2.2 SHOULD; Linux: `rt->rt_gw4 != old_gw`), the gateway or the
 *   router an earlier redirect named.
 * - `SameGateway`: it names the gateway it came from (Linux: `new_gw == old_gw`).
 * - `BadGateway`: the new gateway is 0/8, the limited broadcast or multicast (Linux's
 *   ipv4_is_zeronet, ipv4_is_lbcast, ipv4_is_multicast), or not a unicast address of someone
 *   else: ours, 127/8, our subnet's broadcast (shared_media's `inet_addr_type != RTN_UNICAST`).
 *   Class E (240/4) is refused too, where Linux's inet_addr_type would call it unicast: no host
 *   may have it (RFC 1122 §3.2.1.3), as `martianSource` says.
 * - `GatewayUnresolved` (decided by the interface, which holds the neighbour cache): the new
 *   gateway has no link-layer address yet; it is asked for, and this redirect is not taken,
 *   as Linux's __ip_do_redirect only sends neigh_event_send for a neighbour not NUD_VALID. The
 *   router redirects again at our next datagram (by then the address is known).
 *
 * Where Linux and RFC 1122 differ, this follows Linux: RFC 1122 §3.2.2.2 says a redirect naming a
 * gateway off the subnet it arrived on SHOULD be discarded; Linux's default shared_media=1 (RFC
 * 1620's shared-medium redirects) skips that check (`inet_addr_onlink`) and with it
 * secure_redirects' (`ip_fib_check_default`: only a listed default gateway): a router of another
 * subnet on the same wire is believed, and used only once it answers ARP on it (above).
 * The redirect must arrive on the interface the route uses: with one interface, it always does.
 */
export type RedirectRefusal =
  | "NotOurDatagram"
  | "Unclaimed"
  | "DestinationNotUnicast"
  | "DestinationOnLink"
  | "NoRoute"
  | "NotFromGateway"
  | "SameGateway"
  | "BadGateway"
  | "GatewayUnresolved"

/** What a redirect says: who sent it, the datagram it quotes, and the gateway it names. */
export interface RedirectNotice {
  /** the redirect's IP source */
  readonly from: Addr.Ipv4Addr
  /** the quoted datagram's source */
  readonly src: Addr.Ipv4Addr
  /** the quoted datagram's destination: what the redirect is about */
  readonly dst: Addr.Ipv4Addr
  /** the first hop to use for `dst` from now on */
  readonly gateway: Addr.Ipv4Addr
  /** the protocol that sent the quoted datagram has a socket (connection, echo) it belongs to */
  readonly claimed: boolean
}

/**
 * Why a host does not believe `n` (see `RedirectRefusal`), or undefined when it does; `held` is
 * the first hop an earlier redirect set for `n.dst` and still holds (`redirectedTo`). Codes are
 * not looked at: RFC 1122 §3.2.2.2 treats a network redirect as a host redirect, and so does
 * Linux; a redirect that passes is for its destination alone.
 */
export const redirectRefusal = (t: RouteTable, held: Addr.Ipv4Addr | undefined, n: RedirectNotice): RedirectRefusal | undefined => {
  if (n.src !== t.address) return "NotOurDatagram"
  if (!n.claimed) return "Unclaimed"
  const r = select(t, n.dst)
  switch (r._tag) {
    case "Local":
    case "Broadcast":
      return "DestinationNotUnicast"
    case "NoRoute":
      return Addr.isMulticast(n.dst) || n.dst === 0 ? "DestinationNotUnicast" : "NoRoute"
    case "Direct":
      return "DestinationOnLink"
    case "Gateway":
      break
  }
  const current = held ?? r.nextHop
  if (n.from !== current) return "NotFromGateway"
  if (n.gateway === current) return "SameGateway"
  if (martianSource(t, n.gateway, n.gateway) !== undefined) return "BadGateway"
  return undefined
}

/**
 * How long a redirect's first hop holds, ms: Linux's ip_rt_gc_timeout (RT_GC_TIMEOUT, 300 s), the
 * expiry __ip_do_redirect gives the exception. Then the route's gateway holds again (and
 * redirects again if it still should).
 */
export const REDIRECT_EXPIRES = 300_000

/** The first hop a redirect set for one destination. @category models */
export interface RedirectEntry {
  readonly gateway: Addr.Ipv4Addr
  /** Clock ms at which the route's gateway holds again */
  readonly expiresAt: number
}

/** @category models */
export interface Redirects {
  readonly capacity: number
  /** destination -> its first hop, the one redirected longest ago first */
  readonly entries: Map<Addr.Ipv4Addr, RedirectEntry>
  /** entries dropped to make room for another destination */
  evictions: number
}

/** @category constructors */
export const makeRedirects = (capacity: number): Redirects => ({ capacity, entries: new Map(), evictions: 0 })

/**
 * Forget the entries that expired by `now`. They are the first ones: each holds REDIRECT_EXPIRES
 * from when it was set, and one set again moves to the end, so the map's order is expiry order.
 */
const prune = (c: Redirects, now: number): void => {
  for (const [dst, e] of c.entries) {
    if (now < e.expiresAt) return
    c.entries.delete(dst)
  }
}

/**
 * The first hop a redirect set for `dst` that holds at `now`, or undefined: the route's gateway.
 * What expired goes, whatever destination it was for: once none holds the map is empty, and a
 * sender looks no more (`entries.size`).
 */
export const redirectedTo = (c: Redirects, dst: Addr.Ipv4Addr, now: number): Addr.Ipv4Addr | undefined => {
  if (c.entries.size === 0) return undefined
  prune(c, now)
  return c.entries.get(dst)?.gateway
}

/**
 * A believed redirect: `gateway` is the first hop for `dst` until `REDIRECT_EXPIRES` from `now`
 * (Linux's update_or_create_fnhe: a later one replaces gateway and expiry). At most `capacity`
 * destinations: a new one beyond that evicts the one redirected longest ago, counted, as Linux
 * reclaims the oldest exception of a full bucket (fnhe_oldest).
 */
export const holdRedirect = (c: Redirects, dst: Addr.Ipv4Addr, gateway: Addr.Ipv4Addr, now: number): void => {
  // (room made by what expired is no eviction)
  prune(c, now)
  if (c.entries.has(dst)) c.entries.delete(dst)
  else if (c.entries.size >= c.capacity) {
    c.entries.delete(c.entries.keys().next().value!)
    c.evictions++
  }
  c.entries.set(dst, { gateway, expiresAt: now + REDIRECT_EXPIRES })
}
