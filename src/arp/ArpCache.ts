/**
 * The neighbour cache's rules, as plain functions over a Map the ARP fiber
 * owns. Deterministic: time comes in as `now` (ms on Effect's Clock), nothing
 * here reads a clock or does I/O.
 *
 * - Entries expire `ttl` ms after they were last confirmed (RFC 1122
 *   §2.3.2.1 requires a way to flush stale entries; a timeout is the
 *   suggested one).
 * - The cache is bounded: inserting beyond `capacity` evicts the entry that
 *   was confirmed longest ago (the Map's insertion order is kept equal to
 *   confirmation order by delete-then-set).
 * - RFC 826's merge rule lives in `merge`: a packet updates an existing entry
 *   for its sender whoever it was for, but creates a new entry only when it
 *   was addressed to us.
 *
 * @since 0.1.0
 */
import type { Mac } from "../wire/Mac.js"
import type { Ipv4Addr } from "../wire/Ipv4Addr.js"

export interface Entry {
  readonly mac: Mac
  /** Clock ms after which the entry is stale */
  readonly expiresAt: number
}

export type Cache = Map<Ipv4Addr, Entry>

export const empty = (): Cache => new Map()

/** The MAC for `ip` if an entry exists and has not expired; a stale entry is removed. */
export const lookup = (cache: Cache, ip: Ipv4Addr, now: number): Mac | undefined => {
  const e = cache.get(ip)
  if (e === undefined) return undefined
  if (now >= e.expiresAt) {
    cache.delete(ip)
    return undefined
  }
  return e.mac
}

/**
 * Insert or refresh `ip → mac`. Returns the number of entries evicted to stay
 * within `capacity` (0 or 1).
 */
export const insert = (
  cache: Cache,
  ip: Ipv4Addr,
  mac: Mac,
  now: number,
  ttl: number,
  capacity: number
): number => {
  cache.delete(ip)
  cache.set(ip, { mac, expiresAt: now + ttl })
  let evicted = 0
  while (cache.size > capacity) {
    const oldest = cache.keys().next().value as Ipv4Addr
    cache.delete(oldest)
    evicted++
  }
  return evicted
}

/**
 * RFC 826 "Packet Reception": with the sender's (ip, mac) from a received ARP
 * packet, update an existing entry; add one only if `forUs` (the target
 * protocol address is ours). Returns whether the cache now holds the sender
 * and how many entries were evicted.
 */
export const merge = (
  cache: Cache,
  ip: Ipv4Addr,
  mac: Mac,
  forUs: boolean,
  now: number,
  ttl: number,
  capacity: number
): { readonly learned: boolean; readonly evicted: number } => {
  if (!forUs && !cache.has(ip)) return { learned: false, evicted: 0 }
  return { learned: true, evicted: insert(cache, ip, mac, now, ttl, capacity) }
}
