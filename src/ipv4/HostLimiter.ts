/**
 * A token bucket per host, for ICMP errors: Linux's `icmpv4_xrlim_allow`
 * (one error per `net.ipv4.icmp_ratelimit`, 1 s, with a burst of six per
 * peer, `XRLIM_BURST_FACTOR`), behind the stack-wide bucket. The global
 * bucket bounds what the stack sends in all; this one keeps one busy or
 * hostile peer from spending it all, so that every other host still hears
 * its port unreachables (RFC 1812 §4.3.2.8 leaves the scheme to the host).
 *
 * Contract
 * - `allow(l, host, now, perSecond, burst)` takes a token from `host`'s
 *   bucket (a new host starts full) and says whether there was one; a
 *   refused attempt changes nothing.
 * - At most `capacity` hosts are kept; the one unused longest goes first
 *   (its bucket would have refilled by then anyway, unless the table is
 *   churned by many sources, when the stack-wide bucket still holds).
 * - Pure: `now` (Clock ms) comes in; no clock, no timers.
 *
 * @since 0.1.0
 */
import * as TokenBucket from "./TokenBucket.js"

/** @category models */
export interface HostLimiter {
  readonly capacity: number
  /** host -> its bucket, least recently used first (Map keeps insertion order; a use moves it last) */
  readonly buckets: Map<number, TokenBucket.Bucket>
}

/** @category constructors */
export const make = (capacity: number): HostLimiter => ({ capacity, buckets: new Map() })

/** Take a token for `host` at `now`; false when its bucket is empty. */
export const allow = (l: HostLimiter, host: number, now: number, perSecond: number, burst: number): boolean => {
  const held = l.buckets.get(host)
  const next = TokenBucket.take(held ?? TokenBucket.full(burst, now), now, perSecond, burst)
  if (next === undefined) return false
  if (held !== undefined) l.buckets.delete(host)
  else if (l.buckets.size >= l.capacity) l.buckets.delete(l.buckets.keys().next().value!)
  l.buckets.set(host, next)
  return true
}
