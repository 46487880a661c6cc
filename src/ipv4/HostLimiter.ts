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

/** A host's bucket, in the list of hosts by last use. */
interface Entry {
  readonly host: number
  bucket: TokenBucket.Bucket
  /** the host used just before this one (toward `oldest`) */
  older: Entry | undefined
  /** the host used just after (toward `newest`) */
  newer: Entry | undefined
}

/**
 * @category models
 *
 * The hosts in a Map for the lookup and in a list by last use for the eviction. A use moves the
 * host's entry to the list's end and leaves the Map alone: moving it in the Map (a delete and a
 * set of the same key, the Map's order as the list) cost a walk of a hash chain that grows by one
 * per use until the table is rebuilt, since V8 keeps a deleted entry in its bucket's chain: with
 * 4000 hosts held, 9.7 µs per `allow` of one busy host against 0.35 with none
 * (notes/bench-investigations.md, twenty-ninth pass), work a flood from one source could buy.
 */
export interface HostLimiter {
  readonly capacity: number
  readonly entries: Map<number, Entry>
  /** the host unused longest: the next to go */
  oldest: Entry | undefined
  newest: Entry | undefined
}

/** @category constructors */
export const make = (capacity: number): HostLimiter => ({ capacity, entries: new Map(), oldest: undefined, newest: undefined })

const unlink = (l: HostLimiter, e: Entry): void => {
  if (e.older === undefined) l.oldest = e.newer
  else e.older.newer = e.newer
  if (e.newer === undefined) l.newest = e.older
  else e.newer.older = e.older
  e.older = e.newer = undefined
}

const append = (l: HostLimiter, e: Entry): void => {
  e.older = l.newest
  if (l.newest === undefined) l.oldest = e
  else l.newest.newer = e
  l.newest = e
}

/** Take a token for `host` at `now`; false when its bucket is empty. */
export const allow = (l: HostLimiter, host: number, now: number, perSecond: number, burst: number): boolean => {
  const held = l.entries.get(host)
  const next = TokenBucket.take(held?.bucket ?? TokenBucket.full(burst, now), now, perSecond, burst)
  if (next === undefined) return false
  if (held !== undefined) {
    held.bucket = next
    if (held !== l.newest) {
      unlink(l, held)
      append(l, held)
    }
    return true
  }
  if (l.entries.size >= l.capacity && l.oldest !== undefined) {
    const gone = l.oldest
    unlink(l, gone)
    l.entries.delete(gone.host)
  }
  const e: Entry = { host, bucket: next, older: undefined, newer: undefined }
  l.entries.set(host, e)
  append(l, e)
  return true
}

/** The hosts held, the one unused longest first. */
export const hosts = (l: HostLimiter): Array<number> => {
  const out: Array<number> = []
  for (let e = l.oldest; e !== undefined; e = e.newer) out.push(e.host)
  return out
}
