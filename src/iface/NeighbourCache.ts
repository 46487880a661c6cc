/**
 * The neighbour cache's rules (RFC 826 for the merge, RFC 1122 §2.3.2.1 for
 * flushing and retransmission, and the reachability states Linux keeps,
 * `NUD_*` in net/core/neighbour.c, which RFC 4861 §7.3 describes for IPv6).
 *
 * Plain functions over entries the interface owns: time comes in as `now`
 * (ms on Effect's Clock); nothing here reads a clock, sends or waits. What a
 * timer or a packet means is returned as an `Action` for the shell to do.
 * Entries are mutable objects on purpose: a cached route holds its next
 * hop's entry and sees a new MAC or state without looking it up again; an
 * entry taken out of the cache is marked `removed`, which tells such a route
 * to look again (the invalidation).
 *
 * States
 * - `Incomplete`: being resolved. Broadcast requests every `retransMs`, at
 *   most `broadcastProbes`; frames wait in `pending` (at most
 *   `pendingFrames`). Then the entry fails: waiting frames are dropped and
 *   the entry removed.
 * - `Reachable`: confirmed within `reachableMs` (a unicast ARP reply, or an
 *   upper layer's proof of progress, `confirm`). Used as is.
 * - `Stale`: the MAC is known but not recently confirmed (the time ran out,
 *   or it was learned from a request or an unsolicited packet). Still used:
 *   sending through a stale entry moves it to `Delay`, never blocks.
 * - `Delay`: used while stale; if nothing confirms it within `delayMs` it
 *   moves to `Probe`.
 * - `Probe`: unicast requests to the cached MAC every `retransMs`, at most
 *   `unicastProbes`; the entry stays usable meanwhile. An answer makes it
 *   `Reachable`; silence removes it, and the next send resolves afresh.
 *
 * So a neighbour in steady use is re-confirmed by unicast, with no window in
 * which frames wait or are lost (deleting at expiry and re-resolving by
 * broadcast stalls a TCP flow every minute).
 *
 * @since 0.1.0
 */
import type { Ipv4Addr } from "../wire/Ipv4Addr.js"
import type { Mac } from "../wire/Mac.js"

/** @category models */
export type State = "Incomplete" | "Reachable" | "Stale" | "Delay" | "Probe"

/** @category models */
export interface Params {
  /** how long a confirmation keeps an entry `Reachable`, ms (Linux base_reachable_time: 30 s) */
  readonly reachableMs: number
  /** how long a used stale entry waits for a confirmation before probing, ms (delay_first_probe_time: 5 s) */
  readonly delayMs: number
  /** interval between requests, ms (retrans_time: 1 s; RFC 1122 §2.3.2.1: at most one per second) */
  readonly retransMs: number
  /** broadcast requests before an `Incomplete` entry fails (mcast_solicit: 3) */
  readonly broadcastProbes: number
  /** unicast requests before a `Probe` entry fails (ucast_solicit: 3) */
  readonly unicastProbes: number
}

/**
 * One neighbour. Mutable; owned by the interface. `pending` holds frames
 * (link headroom left for the Ethernet header) while `Incomplete`.
 * @category models
 */
export interface Entry {
  readonly ip: Ipv4Addr
  mac: Mac | undefined
  state: State
  /** Clock ms of the last confirmation */
  confirmedAt: number
  /** Clock ms the current state began (Delay) or the last request went out (Incomplete, Probe) */
  since: number
  /** requests sent in the current state */
  probes: number
  /** Clock ms a frame was last sent through the entry */
  usedAt: number
  pending: Array<Uint8Array>
  /** the `Link.TxMeta` of each frame in `pending` */
  pendingMeta: Array<number>
  /** taken out of the cache: a route that holds it must look again */
  removed: boolean
  /** a timer fiber is running for this entry (the shell's flag) */
  timer: boolean
}

/** What the shell should do now for an entry. @category models */
export type Action = "None" | "Broadcast" | "Unicast" | "Fail"

/** A fresh `Incomplete` entry whose first broadcast request goes out now. */
export const incomplete = (ip: Ipv4Addr, now: number): Entry => ({
  ip,
  mac: undefined,
  state: "Incomplete",
  confirmedAt: Number.NEGATIVE_INFINITY,
  since: now,
  probes: 1,
  usedAt: now,
  pending: [],
  pendingMeta: [],
  removed: false,
  timer: false
})

/**
 * An entry learned from a packet the neighbour sent us (a request for our
 * address): its MAC known, its reachability not yet proven, so `Stale`.
 */
export const stale = (ip: Ipv4Addr, mac: Mac, now: number): Entry => ({
  ...incomplete(ip, now),
  mac,
  state: "Stale",
  probes: 0
})

/**
 * The MAC to send a frame to now, or undefined when the entry is
 * `Incomplete` (the frame waits). Sending through an expired `Reachable` or a
 * `Stale` entry moves it to `Delay`, whose timer the shell then arms (`needsTimer`).
 * Allocates nothing: it runs per packet sent.
 */
export const use = (e: Entry, now: number, p: Params): Mac | undefined => {
  e.usedAt = now
  switch (e.state) {
    case "Incomplete":
    case "Delay":
    case "Probe":
      return e.mac
    case "Reachable":
      if (now < e.confirmedAt + p.reachableMs) return e.mac
      break
    case "Stale":
      break
  }
  // Stale, or Reachable whose confirmation ran out: use it, and wait for a confirmation.
  e.state = "Delay"
  e.since = now
  e.probes = 0
  return e.mac
}

/** Whether the entry has a deadline and no timer running for it yet. */
export const needsTimer = (e: Entry, p: Params): boolean => !e.timer && deadline(e, p) !== undefined

/** When the entry's timer must fire next, or undefined when it needs none. */
export const deadline = (e: Entry, p: Params): number | undefined => {
  switch (e.state) {
    case "Incomplete":
    case "Probe":
      return e.since + p.retransMs
    case "Delay":
      return e.since + p.delayMs
    case "Reachable":
    case "Stale":
      return undefined
  }
}

/**
 * The entry's timer fired at `now` (at or after `deadline`): move it on and
 * say what to send. `Fail` means: drop its pending frames, fail its waiters,
 * remove it.
 */
export const onTimer = (e: Entry, now: number, p: Params): Action => {
  switch (e.state) {
    case "Incomplete":
      if (e.probes >= p.broadcastProbes) return "Fail"
      e.probes++
      e.since = now
      return "Broadcast"
    case "Delay":
      // (A confirmation while delaying made the entry Reachable already: `confirm`, `learn`.)
      e.state = "Probe"
      e.probes = 1
      e.since = now
      return "Unicast"
    case "Probe":
      if (e.probes >= p.unicastProbes) return "Fail"
      e.probes++
      e.since = now
      return "Unicast"
    case "Reachable":
    case "Stale":
      return "None"
  }
}

/** What an ARP packet did to an entry (`learn`). @category models */
export type Learned =
  /** the entry just left `Incomplete`: its pending frames can go */
  | "Resolved"
  /** a MAC other than the one held: not believed; the entry now probes the held MAC, and the shell sends the first probe now */
  | "Verify"
  /** a MAC other than the one held, while the held one is already being probed: ignored */
  | "Refused"
  /** nothing more to do */
  | "None"

/**
 * An ARP packet from `ip` at `mac` (RFC 826 "Packet Reception", with Linux's
 * states): `solicited` when it is a reply addressed to our MAC (proof that
 * the neighbour hears us: `Reachable`); anything else (a request, a
 * broadcast or gratuitous reply) leaves a known MAC's state alone. An
 * `Incomplete` entry takes the first MAC it hears.
 *
 * A MAC other than the one an entry holds is not believed, solicited or not
 * (ARP has no authentication: a forged reply, unicast to us as if we had
 * asked, would otherwise redirect every frame for the neighbour, and an
 * upper layer's `confirm` would then keep the forgery `Reachable`). The
 * held MAC is asked instead (`Verify`: the entry goes to `Probe`, usable at
 * the held MAC meanwhile): if it answers, nothing changed; if it stays
 * silent for `unicastProbes` probes, the entry fails and the next send
 * resolves afresh, which a neighbour that really moved answers. RFC 826's
 * merge would take the new MAC at once, and Linux takes it once `locktime`
 * (1 s) has passed since the last update; the cost here is that a real move
 * (a new NIC, a failover) is picked up after the probes, ~3 s, not at once.
 */
export const learn = (e: Entry, mac: Mac, solicited: boolean, now: number): Learned => {
  if (e.state === "Incomplete") {
    e.mac = mac
    e.state = solicited ? "Reachable" : "Stale"
    if (solicited) e.confirmedAt = now
    e.probes = 0
    return "Resolved"
  }
  if (e.mac !== undefined && !sameMac(e.mac, mac)) {
    if (e.state === "Probe") return "Refused"
    e.state = "Probe"
    e.probes = 1
    e.since = now
    return "Verify"
  }
  // An unsolicited packet with the MAC we hold changes nothing: a neighbour
  // that broadcasts but ignores our probes still runs out of them.
  if (solicited) {
    e.state = "Reachable"
    e.confirmedAt = now
    e.probes = 0
  }
  return "None"
}

/**
 * An upper layer saw forward progress through this neighbour (a TCP ACK for
 * new data: RFC 4861 §7.3.1 "reachability confirmation"). No-op without a MAC.
 */
export const confirm = (e: Entry, now: number): void => {
  if (e.mac === undefined) return
  e.confirmedAt = now
  e.state = "Reachable"
  e.probes = 0
}

/**
 * The cache: entries by address, least recently learned or confirmed first
 * (`touch` keeps that order by delete-then-set).
 * @category models
 */
export type Cache = Map<Ipv4Addr, Entry>

/** Move `e` to the young end of the cache's order. */
export const touch = (cache: Cache, e: Entry): void => {
  cache.delete(e.ip)
  cache.set(e.ip, e)
}

/**
 * Add `e` (its address not yet in the cache) within `capacity`. When full,
 * evict the least recently learned entry that is idle: settled (Reachable or
 * Stale, no resolution or probe under way) and unused for `idleMs`, as
 * Linux's forced garbage collection spares entries in use. The evicted is
 * marked `removed`. With none idle the cache is full of entries in use, and
 * `e` is not added (`added: false`): a flood of new addresses cannot push out
 * the neighbours traffic is flowing through.
 */
export const add = (
  cache: Cache,
  e: Entry,
  capacity: number,
  now: number,
  idleMs: number
): { readonly added: boolean; readonly evicted: Entry | undefined } => {
  let evicted: Entry | undefined
  if (cache.size >= capacity) {
    for (const old of cache.values()) {
      if ((old.state === "Reachable" || old.state === "Stale") && now - old.usedAt >= idleMs) {
        evicted = old
        break
      }
    }
    if (evicted === undefined) return { added: false, evicted: undefined }
    cache.delete(evicted.ip)
    evicted.removed = true
  }
  cache.set(e.ip, e)
  return { added: true, evicted }
}

/** Take `e` out of the cache (it failed): a route holding it looks again. */
export const remove = (cache: Cache, e: Entry): void => {
  if (cache.get(e.ip) === e) cache.delete(e.ip)
  e.removed = true
}

const sameMac = (a: Mac, b: Mac): boolean =>
  a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5]
