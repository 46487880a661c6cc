/**
 * The path MTU per destination (RFC 1191 §3, §6.3; RFC 1122 §3.3.3's
 * EMTU_S), as Linux keeps it: an exception on the route to one address
 * (`fnhe`, net/ipv4/route.c), which every user of that route sees. A router's
 * "fragmentation needed" that a transport believed (TCP: it quotes a
 * sequence number in flight; UDP and ping: a socket or echo of ours sent
 * it) lowers it here, so that a new connection to that address starts at
 * the lowered MTU, the other connections to it take it on their next send,
 * and UDP and ICMP fragment to it.
 *
 * Contract (Linux's __ip_rt_update_pmtu and ipv4_mtu)
 * - `report(c, dst, mtu, routeMtu, now)` lowers the path MTU towards `dst`
 *   to `mtu`, never below `MIN_PMTU` (552, net.ipv4.route.min_pmtu): a report
 *   below it (or of 0, from a router older than RFC 1191) sets 552 and locks
 *   it: the datagrams then go without DF, for the router to fragment. A
 *   report above the MTU in use, or anything once locked, changes nothing,
 *   not even the expiry. A report of the MTU held renews it (`EXPIRES` from
 *   now) once half of its time has passed, and changes nothing before: a
 *   router that still drops larger datagrams keeps the path narrow past the
 *   first expiry, and a burst of reports about one flight costs no update.
 *   (Linux records an exception even for a report equal to the route's MTU
 *   with none held; it changes no MTU and follows the device's, so none is
 *   held here.)
 * - What a report set holds for `EXPIRES` (10 minutes, RFC 1191 §6.3's
 *   recommendation, net.ipv4.route.mtu_expires) from the last report that
 *   lowered, locked or renewed it; then the route's MTU holds again, for
 *   everyone, so that a path that widened is used whole (a path still
 *   narrow says so again).
 * - One address's report changes no other address's path MTU.
 * - At most `capacity` addresses are held; a new one beyond that evicts the
 *   one reported longest ago (counted: `evictions`), as Linux reclaims the
 *   oldest exception of a full bucket (fnhe_oldest): forged reports for many
 *   addresses cannot grow the table without bound.
 * - `generation` goes up at every change (a renewal too: holders take the
 *   later expiry), so that a holder of an older
 *   answer (a TCP connection) needs to look again only when it moved: one
 *   number compared per wake-up, no lookup per segment.
 * - Pure: `now` (Clock ms) comes in; no clock, no timers. An expired entry
 *   is dropped when it is next looked up.
 *
 * @since 0.1.0
 */
import type * as Addr from "../wire/Ipv4Addr.js"

/** The least path MTU a report may set (Linux's net.ipv4.route.min_pmtu). */
export const MIN_PMTU = 552

/**
 * How long a lowered path MTU holds before the route's MTU is tried again,
 * ms: RFC 1191 §6.3 ("recommended 10 minutes"), Linux's
 * net.ipv4.route.mtu_expires (600 s).
 */
export const EXPIRES = 600_000

/** What is held for one address. @category models */
export interface Entry {
  /** the path MTU, octets: below the route's, or `MIN_PMTU` when locked */
  readonly mtu: number
  /** a router named an MTU below `MIN_PMTU`: datagrams go without DF, and no report lowers it further */
  readonly locked: boolean
  /** Clock ms at which the route's MTU holds again */
  readonly expiresAt: number
}

/** @category models */
export interface PathMtus {
  readonly capacity: number
  /** address -> its entry, the one reported longest ago first (a report moves it last) */
  readonly entries: Map<Addr.Ipv4Addr, Entry>
  /** goes up at every change of an entry */
  generation: number
  /** entries dropped to make room for another address */
  evictions: number
}

/** @category constructors */
export const make = (capacity: number): PathMtus => ({ capacity, entries: new Map(), generation: 0, evictions: 0 })

/** The entry for `dst` at `now`, or undefined: the route's MTU holds. */
export const lookup = (c: PathMtus, dst: Addr.Ipv4Addr, now: number): Entry | undefined => {
  if (c.entries.size === 0) return undefined
  const e = c.entries.get(dst)
  if (e === undefined || now < e.expiresAt) return e
  c.entries.delete(dst)
  return undefined
}

/** The MTU to send at: `held`'s (what `lookup` gave) when it is below the route's `routeMtu`, else the route's. */
export const effective = (held: Entry | undefined, routeMtu: number): number =>
  held === undefined || held.mtu >= routeMtu ? routeMtu : held.mtu

/** The MTU towards `dst` at `now`: the path's when one is held below the route's `routeMtu`. */
export const mtuFor = (c: PathMtus, dst: Addr.Ipv4Addr, routeMtu: number, now: number): number =>
  effective(lookup(c, dst, now), routeMtu)

/**
 * A believed "fragmentation needed" about a datagram to `dst` naming
 * next-hop MTU `mtu` (0: none named), where the route's MTU is `routeMtu`.
 * The new entry when it lowered, locked or renewed the path MTU, else
 * undefined.
 */
export const report = (c: PathMtus, dst: Addr.Ipv4Addr, mtu: number, routeMtu: number, now: number): Entry | undefined => {
  const held = lookup(c, dst, now)
  if (held?.locked === true) return undefined
  const current = held === undefined ? routeMtu : Math.min(held.mtu, routeMtu)
  const lock = mtu < MIN_PMTU
  const pmtu = lock ? Math.min(current, MIN_PMTU) : mtu
  if (!lock) {
    if (pmtu > current) return undefined
    // the MTU held, again: renewed only in the second half of its time (Linux's
    // time_before(jiffies, dst->expires - ip_rt_mtu_expires / 2) test); the route's own MTU,
    // with nothing held below it, is nothing to hold
    if (pmtu === current && (held === undefined || held.mtu !== pmtu || now < held.expiresAt - EXPIRES / 2)) {
      return undefined
    }
  }
  const e: Entry = { mtu: pmtu, locked: lock, expiresAt: now + EXPIRES }
  if (held !== undefined) c.entries.delete(dst)
  else if (c.entries.size >= c.capacity) {
    c.entries.delete(c.entries.keys().next().value!)
    c.evictions++
  }
  c.entries.set(dst, e)
  c.generation++
  return e
}
