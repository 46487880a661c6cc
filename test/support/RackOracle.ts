/**
 * Rack.ts's lost counts as they were computed before stop 48 (pipe48), and
 * `inFlight` and `firstLost`'s record as before stop 49 (cost49): linear
 * scans of the log, kept here as the oracle the incremental answers
 * (`Rack.lostFrom`, `Rack.lostRetransmitted`, `Rack.firstLost`,
 * `Rack.inFlight` and the counts `setFlags` keeps) are held to. And
 * `onAck` as it was before stop 49's walk49 (a walk of the log from its head
 * to the highest SACK at every ACK), with `sameState` to compare a log it
 * kept with one the new `Rack.onAck` kept.
 */
import type { Rack as RackState } from "../../src/tcp/Rack.js"
import type * as Rack from "../../src/tcp/Rack.js"
import { minRtt, sampleMinRtt } from "../../src/tcp/Rack.js"
import type { Scoreboard } from "../../src/tcp/Scoreboard.js"
import * as Seq from "../../src/tcp/SeqNum.js"

/** Rack's flags (Rack.ts) */
export const RETRANSMITTED = 1
export const SACKED = 2
export const LOST = 4
export const HELD = 8

const len = (r: Rack.Rack, i: number) => Seq.sub(r.ends[i]! as Seq.SeqNum, r.starts[i]! as Seq.SeqNum)

/** Octets of LOST|RETRANSMITTED entries starting below `below`, each counted up to it. */
export const lostRetransmitted = (r: Rack.Rack, below: Seq.SeqNum): number => {
  let octets = 0
  for (let i = r.head; i < r.starts.length; i++) {
    const start = r.starts[i]! as Seq.SeqNum
    if (!Seq.lt(start, below)) break
    if ((r.flags[i]! & (LOST | RETRANSMITTED)) === (LOST | RETRANSMITTED)) {
      octets += Seq.sub(Seq.min(r.ends[i]! as Seq.SeqNum, below), start)
    }
  }
  return octets
}

/** Octets of LOST entries starting at or after `from`. */
export const lostFrom = (r: Rack.Rack, from: Seq.SeqNum): number => {
  let octets = 0
  for (let i = r.head; i < r.starts.length; i++) {
    if (Seq.gte(r.starts[i]! as Seq.SeqNum, from) && (r.flags[i]! & LOST) !== 0) octets += len(r, i)
  }
  return octets
}

/** The first LOST entry (with `run`, through the LOST entries right after it). */
export const firstLost = (r: Rack.Rack, run = false): { readonly start: Seq.SeqNum; readonly end: Seq.SeqNum } | undefined => {
  const n = r.starts.length
  for (let i = r.head; i < n; i++) {
    if ((r.flags[i]! & LOST) === 0) continue
    let j = i
    while (run && j + 1 < n && (r.flags[j + 1]! & LOST) !== 0 && r.starts[j + 1] === r.ends[j]) j++
    return { start: r.starts[i]! as Seq.SeqNum, end: r.ends[j]! as Seq.SeqNum }
  }
  return undefined
}

/** Octets of the entries neither SACKED nor LOST. */
export const inFlight = (r: Rack.Rack): number => {
  let octets = 0
  for (let i = r.head; i < r.starts.length; i++) {
    if ((r.flags[i]! & (SACKED | LOST)) === 0) octets += len(r, i)
  }
  return octets
}

/** `lib.firstLost`'s index read as the record it gave before stop 49: [start, end) (with `run`, the run's end). */
export const firstLostOf = (
  lib: typeof Rack,
  r: Rack.Rack,
  run = false
): { readonly start: Seq.SeqNum; readonly end: Seq.SeqNum } | undefined => {
  const i = lib.firstLost(r)
  return i < 0 ? undefined : { start: lib.entryStart(r, i), end: lib.lostRunEnd(r, i, run) }
}

/** The boundaries worth asking at: every entry's edges, a few octets either side, and the log's ends. */
export const boundaries = (r: Rack.Rack): Array<Seq.SeqNum> => {
  const out: Array<Seq.SeqNum> = []
  const n = r.starts.length
  if (n === r.head) return out
  for (let i = r.head; i < n; i++) {
    const s = r.starts[i]! as Seq.SeqNum
    out.push(s, Seq.add(s, 1), Seq.add(s, -1))
  }
  const last = r.ends[n - 1]! as Seq.SeqNum
  out.push(last, Seq.add(last, 1), Seq.add(last, 1000))
  return out
}

/**
 * The incremental answers against the scans, at `extra` and (`every`) every
 * boundary (the log kept short by the callers: this is quadratic); a message
 * naming the first difference, or undefined.
 */
export const check = (
  r: Rack.Rack,
  extra: ReadonlyArray<Seq.SeqNum>,
  lib: typeof Rack,
  every = true
): string | undefined => {
  let lost = 0
  let lostRetx = 0
  for (let i = r.head; i < r.starts.length; i++) {
    if ((r.flags[i]! & LOST) !== 0) lost += len(r, i)
    if ((r.flags[i]! & (LOST | RETRANSMITTED)) === (LOST | RETRANSMITTED)) lostRetx += len(r, i)
  }
  if (r.lostOctets !== lost) return `lostOctets ${r.lostOctets}, scanned ${lost}`
  if (r.lostRetransOctets !== lostRetx) return `lostRetransOctets ${r.lostRetransOctets}, scanned ${lostRetx}`
  const out = inFlight(r)
  if (lib.inFlight(r) !== out) return `inFlight ${lib.inFlight(r)}, scanned ${out}`
  for (const b of every ? [...extra, ...boundaries(r)] : extra) {
    const a1 = lib.lostFrom(r, b)
    const e1 = lostFrom(r, b)
    if (a1 !== e1) return `lostFrom(${b}) ${a1}, scanned ${e1}`
    const a2 = lib.lostRetransmitted(r, b)
    const e2 = lostRetransmitted(r, b)
    if (a2 !== e2) return `lostRetransmitted(${b}) ${a2}, scanned ${e2}`
  }
  for (const run of [false, true]) {
    const a = firstLostOf(lib, r, run)
    const e = firstLost(r, run)
    if (a?.start !== e?.start || a?.end !== e?.end) return `firstLost(${run}) ${JSON.stringify(a)}, scanned ${JSON.stringify(e)}`
  }
  return undefined
}

// ---- onAck as before walk49: every entry from the head up to the highest SACK, each ACK ----

/** Rack.ts's setFlags (the counts and bounds kept at each change of a LOST or SACKED mark). */
const setFlags = (r: RackState, i: number, f: number): void => {
  const old = r.flags[i]!
  r.flags[i] = f
  if (((old | f) & (LOST | SACKED)) === 0) return
  const end = r.ends[i]! as Seq.SeqNum
  const len = Seq.sub(end, r.starts[i]! as Seq.SeqNum)
  if ((old & (LOST | SACKED)) === 0) r.outOctets -= len
  if ((f & (LOST | SACKED)) === 0) r.outOctets += len
  if (((old | f) & LOST) === 0) return
  if ((old & LOST) !== 0) r.lostOctets -= len
  if ((f & LOST) !== 0) {
    const start = r.starts[i]! as Seq.SeqNum
    if (r.lostOctets === 0 || Seq.gt(end, r.lostEnd)) r.lostEnd = end
    if (r.lostOctets === 0 || Seq.lt(start, r.lostStart)) r.lostStart = start
    r.lostOctets += len
  }
  if ((old & (LOST | RETRANSMITTED)) === (LOST | RETRANSMITTED)) r.lostRetransOctets -= len
  if ((f & (LOST | RETRANSMITTED)) === (LOST | RETRANSMITTED)) {
    if (r.lostRetransOctets === 0 || Seq.gt(end, r.lostRetransEnd)) r.lostRetransEnd = end
    r.lostRetransOctets += len
  }
}

const sentAfter = (o1: number, seq1: number, o2: number, seq2: number): boolean =>
  o1 > o2 || (o1 === o2 && Seq.gt(seq1 as Seq.SeqNum, seq2 as Seq.SeqNum))

/** Rack.ts's update (steps 1-3 of RFC 8985 §6.2 for one delivered entry). */
const update = (r: RackState, i: number, at: number, tsEcr: number | undefined, tsOf: (ms: number) => number): number => {
  const sent = r.sentAt[i]!
  const end = r.ends[i]!
  const rtt = at - sent
  if ((r.flags[i]! & RETRANSMITTED) !== 0) {
    if (tsEcr !== undefined && ((tsEcr - tsOf(sent)) | 0) < 0) return -1
    if (rtt < minRtt(r)) return -1
  }
  const order = r.order[i]!
  if (sentAfter(order, end, r.xmitOrder, r.endSeq)) {
    r.xmitAt = sent
    r.xmitOrder = order
    r.endSeq = end as Seq.SeqNum
  }
  if (Seq.lt(end as Seq.SeqNum, r.fack)) {
    if ((r.flags[i]! & RETRANSMITTED) === 0) r.reordering = true
  } else {
    r.fack = end as Seq.SeqNum
  }
  return rtt
}

/**
 * `Rack.onAck` before walk49: the walk from the log's head, each entry below
 * the highest SACK tested against the board's ranges (SACKED ones stepped
 * over one by one). Its release and compaction as Rack.ts's (the arrays a
 * released log takes up again are fresh ones here: `sameState` compares
 * contents).
 */
export const onAck = (
  r: RackState,
  ack: Seq.SeqNum,
  board: Scoreboard,
  at: number,
  tsEcr: number | undefined,
  tsOf: (ms: number) => number,
  maybeDelayed = false
): void => {
  const n = r.starts.length
  const ranges = board.ranges
  const top = ranges.length > 0 ? ranges[ranges.length - 1]!.right : undefined
  let k = 0
  let cumRtt = -1
  let sackRtt = -1
  let shortest = Infinity
  let original: Seq.SeqNum | undefined
  let newestOriginal = -Infinity
  let sacked = false
  let h = r.head
  for (let i = r.head; i < n; i++) {
    let start = r.starts[i]! as Seq.SeqNum
    const end = r.ends[i]! as Seq.SeqNum
    const f = r.flags[i]!
    let delivered = false
    if (!Seq.gt(end, ack)) {
      delivered = (f & SACKED) === 0
      if ((f & SACKED) !== 0) r.sacked--
      if ((f & RETRANSMITTED) !== 0) r.retransmitted--
      if ((f & HELD) !== 0) r.held--
      if ((f & LOST) !== 0) {
        const len = Seq.sub(end, start)
        r.lostOctets -= len
        if ((f & RETRANSMITTED) !== 0) r.lostRetransOctets -= len
      } else if ((f & SACKED) === 0) {
        r.outOctets -= Seq.sub(end, start)
      }
      h = i + 1
    } else {
      if (Seq.lt(start, ack)) {
        if ((f & LOST) !== 0) {
          const len = Seq.sub(ack, start)
          r.lostOctets -= len
          if ((f & RETRANSMITTED) !== 0) r.lostRetransOctets -= len
        } else if ((f & SACKED) === 0) {
          r.outOctets -= Seq.sub(ack, start)
        }
        start = ack
        r.starts[i] = ack
      }
      if (top === undefined || !Seq.lt(start, top)) break
      if ((f & SACKED) !== 0) continue
      while (k < ranges.length && !Seq.gt(ranges[k]!.right, start)) k++
      const range = ranges[k]
      if (range === undefined) break
      if (!Seq.lte(range.left, start) || !Seq.lte(end, range.right)) continue
      if ((f & HELD) !== 0) r.held--
      setFlags(r, i, (f | SACKED) & ~(LOST | HELD))
      r.sacked++
      sacked = true
      delivered = true
    }
    if (delivered) {
      if ((f & RETRANSMITTED) === 0) {
        if (original === undefined) original = end
        if (r.sentAt[i]! > newestOriginal) newestOriginal = r.sentAt[i]!
      }
      // (the echo for an acknowledged entry only, as Rack.ts's `deliver`: Linux's tcp_sacktag_one asks none)
      const rtt = update(r, i, at, Seq.gt(end, ack) ? undefined : tsEcr, tsOf)
      if (rtt >= 0) {
        // (Rack.ts's ADVANCED: Linux's rack.advanced, set by tcp_rack_advance)
        r.reoBits |= 64
        if (Seq.gt(end, ack)) sackRtt = rtt
        else cumRtt = rtt
        if (rtt < shortest) shortest = rtt
      }
    }
  }
  if (cumRtt >= 0) r.rtt = cumRtt
  else if (sackRtt >= 0) r.rtt = sackRtt
  if (shortest !== Infinity) sampleMinRtt(r, at, shortest, maybeDelayed)
  r.lastOriginalEnd = original
  r.lastOriginalRtt = newestOriginal === -Infinity ? undefined : Math.max(0, at - newestOriginal)
  r.lastSacked = sacked
  r.head = h
  if (h === n) {
    r.starts = []
    r.ends = []
    r.sentAt = []
    r.order = []
    r.flags = []
    r.head = 0
    r.held = 0
    r.lostOctets = 0
    r.lostRetransOctets = 0
    r.outOctets = 0
  } else if (h > 64 && h * 2 > n) {
    for (const a of [r.starts, r.ends, r.sentAt, r.order, r.flags]) a.splice(0, h)
    r.head = 0
  }
}

/**
 * Whether two logs hold the same (the new `Rack.onAck` kept `r`, the old
 * walk `w`, every other step the same): the entries with their send times,
 * order and marks, the counts, and RACK's state (RACK.xmit_ts, end_seq,
 * rtt, fack, reord, the minimum RTT's filter, what the last ACK delivered);
 * not where the arrays start (`head`), the bounds the counts keep (which
 * `firstLost` moves when asked), nor the tags only the new one keeps. A
 * message naming the first difference, or undefined.
 */
export const sameState = (r: RackState, w: RackState): string | undefined => {
  const n = r.starts.length - r.head
  if (w.starts.length - w.head !== n) return `size ${n}, walk ${w.starts.length - w.head}`
  for (const key of ["starts", "ends", "sentAt", "order", "flags"] as const) {
    for (let i = 0; i < n; i++) {
      const a = r[key][r.head + i]
      const b = w[key][w.head + i]
      if (a !== b) return `${key}[${i}] ${a}, walk ${b}`
    }
  }
  for (
    const key of [
      "sends",
      "endSeq",
      "xmitOrder",
      "xmitAt",
      "rtt",
      "fack",
      "reordering",
      "sacked",
      "retransmitted",
      "held",
      "lostOctets",
      "lostRetransOctets",
      "outOctets",
      "reoWndMult",
      "reoRound",
      "reoBits",
      "lastOriginalEnd",
      "lastSacked",
      "lastOriginalRtt"
    ] as const
  ) {
    if (!Object.is(r[key], w[key])) return `${key} ${r[key]}, walk ${w[key]}`
  }
  for (const key of ["t0", "v0", "t1", "v1", "t2", "v2"] as const) {
    if (!Object.is(r.minRttFilter[key], w.minRttFilter[key])) return `minRttFilter.${key} ${r.minRttFilter[key]}, walk ${w.minRttFilter[key]}`
  }
  return undefined
}

/** `Rack.detectLoss` before walk49: every entry of the log judged, SACKED ones stepped over one by one. */
export const detectLoss = (r: RackState, now: number, reoWnd: number): { readonly lost: number; readonly timeout: number } => {
  let lost = 0
  let timeout = 0
  if (r.xmitOrder < 0) return { lost, timeout }
  const n = r.starts.length
  if (r.sacked === 0 && r.retransmitted === 0 && (n === r.head || !sentAfter(r.xmitOrder, r.endSeq, r.order[r.head]!, r.ends[r.head]!))) {
    return { lost, timeout }
  }
  for (let i = r.head; i < n; i++) {
    const f = r.flags[i]!
    if ((f & (SACKED | LOST)) !== 0) continue
    if (!sentAfter(r.xmitOrder, r.endSeq, r.order[i]!, r.ends[i]!)) continue
    const remaining = r.sentAt[i]! + r.rtt + reoWnd - now
    if (remaining <= 0) {
      if ((f & HELD) !== 0) r.held--
      setFlags(r, i, (f | LOST) & ~HELD)
      lost++
    } else if (remaining > timeout) {
      timeout = remaining
    }
  }
  return { lost, timeout }
}
