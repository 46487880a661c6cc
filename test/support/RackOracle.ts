/**
 * Rack.ts's lost counts as they were computed before stop 48 (pipe48), and
 * `inFlight` and `firstLost`'s record as before stop 49 (cost49): linear
 * scans of the log, kept here as the oracle the incremental answers
 * (`Rack.lostFrom`, `Rack.lostRetransmitted`, `Rack.firstLost`,
 * `Rack.inFlight` and the counts `setFlags` keeps) are held to.
 */
import type * as Rack from "../../src/tcp/Rack.js"
import * as Seq from "../../src/tcp/SeqNum.js"

/** Rack's flags (Rack.ts) */
export const RETRANSMITTED = 1
export const SACKED = 2
export const LOST = 4

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
