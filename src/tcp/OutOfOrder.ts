/**
 * The receive side's out-of-order queue: data that arrived beyond RCV.NXT,
 * held until the gap before it fills (RFC 9293 §3.10.7.4, "segments with
 * higher beginning sequence numbers ... held for later processing"), and
 * the SACK blocks that describe it (RFC 2018 §3-4).
 *
 * Plain functions over one mutable queue that the connection's receive half
 * owns. Sequence numbers compare by wrapping subtraction (`SeqNum`): every
 * block lies within the receive window, so within 2^31 of RCV.NXT.
 *
 * - Data is copied in, so a held segment never keeps the frame (or the
 *   receive batch) it came in alive; what the queue holds is `octets`.
 * - Overlaps keep what is already held and add only the new octets; a
 *   segment with nothing new is a duplicate.
 * - Bounds: `maxOctets` (the caller's receive buffer) and `maxBlocks` (a
 *   sender of one-octet segments with gaps between them would otherwise make
 *   a block per octet); a segment beyond either is refused (`NoRoom`), as
 *   Linux prunes its out-of-order queue, and TCP resends it.
 * - SACK (RFC 2018 §4): the first block reported is the one holding the most
 *   recently received segment, then the others, most recently changed first.
 *
 * @since 0.1.0
 */
import * as Seq from "./SeqNum.js"
import type { SackBlock } from "../wire/TcpHeader.js"

/** A run of contiguous octets held. @category models */
export interface Block {
  start: Seq.SeqNum
  /** one past the last octet */
  end: Seq.SeqNum
  /** the octets, in order, as copied in (concatenated on delivery) */
  chunks: Array<Uint8Array>
  /** when the block last received a segment (the queue's own counter): SACK order */
  touched: number
}

/** @category models */
export interface OutOfOrder {
  /** sorted by `start`, disjoint and non-adjacent */
  readonly blocks: Array<Block>
  /** octets held */
  octets: number
  /** counts insertions, for `touched` */
  ticks: number
}

/** @category models */
export type InsertResult = "Held" | "Duplicate" | "NoRoom"

export const make = (): OutOfOrder => ({ blocks: [], octets: 0, ticks: 0 })

/**
 * Hold `data`, whose first octet has sequence number `seq` (after RCV.NXT;
 * the caller has trimmed it to the window). Only octets not held already
 * are copied in.
 */
export const insert = (
  q: OutOfOrder,
  seq: Seq.SeqNum,
  data: Uint8Array,
  maxOctets: number,
  maxBlocks: number
): InsertResult => {
  if (data.length === 0) return "Duplicate"
  const end = Seq.add(seq, data.length)
  // The parts of [seq, end) that no block covers yet.
  const gaps: Array<readonly [Seq.SeqNum, Seq.SeqNum]> = []
  let cursor = seq
  for (const b of q.blocks) {
    if (Seq.lte(b.end, cursor)) continue
    if (Seq.gte(b.start, end)) break
    if (Seq.lt(cursor, b.start)) gaps.push([cursor, b.start])
    cursor = Seq.max(cursor, b.end)
  }
  if (Seq.lt(cursor, end)) gaps.push([cursor, end])
  const tick = ++q.ticks
  if (gaps.length === 0) {
    // Nothing new; still the most recent segment for SACK's first block.
    for (const b of q.blocks) if (Seq.lte(b.start, seq) && Seq.gte(b.end, end)) b.touched = tick
    return "Duplicate"
  }
  let fresh = 0
  for (const [s, e] of gaps) fresh += Seq.sub(e, s)
  if (q.octets + fresh > maxOctets || q.blocks.length + gaps.length > maxBlocks + countJoins(q, gaps)) return "NoRoom"
  for (const [s, e] of gaps) {
    const from = Seq.sub(s, seq)
    const block: Block = { start: s, end: e, chunks: [data.slice(from, from + Seq.sub(e, s))], touched: tick }
    insertSorted(q.blocks, block)
  }
  q.octets += fresh
  coalesce(q)
  // The block that now holds this segment is the most recent.
  for (const b of q.blocks) if (Seq.lte(b.start, seq) && Seq.gte(b.end, end)) b.touched = tick
  return "Held"
}

/**
 * RCV.NXT has moved to `rcvNxt` (in-order data arrived): drop what is now
 * below it, then take every block that starts there. Returns the octets that
 * are now in order (in order) and the new RCV.NXT after them.
 */
export const advance = (
  q: OutOfOrder,
  rcvNxt: Seq.SeqNum
): { readonly chunks: ReadonlyArray<Uint8Array>; readonly rcvNxt: Seq.SeqNum } => {
  const chunks: Array<Uint8Array> = []
  let next = rcvNxt
  while (q.blocks.length > 0) {
    const b = q.blocks[0]!
    if (Seq.lte(b.end, next)) {
      // wholly received in order already
      q.blocks.shift()
      q.octets -= Seq.sub(b.end, b.start)
      continue
    }
    if (Seq.gt(b.start, next)) break
    // b starts at or before `next` and reaches past it: what lies beyond is now in order.
    q.blocks.shift()
    let skip = Seq.sub(next, b.start)
    q.octets -= Seq.sub(b.end, b.start)
    for (const c of b.chunks) {
      if (skip >= c.length) {
        skip -= c.length
        continue
      }
      chunks.push(skip === 0 ? c : c.subarray(skip))
      skip = 0
    }
    next = b.end
  }
  return { chunks, rcvNxt: next }
}

/** Up to `max` SACK blocks (RFC 2018 §4: the most recently received first). */
export const sackBlocks = (q: OutOfOrder, max: number): ReadonlyArray<SackBlock> => {
  if (q.blocks.length === 0 || max <= 0) return []
  return q.blocks
    .slice()
    .sort((a, b) => b.touched - a.touched)
    .slice(0, max)
    .map((b) => ({ left: b.start, right: b.end }))
}

const insertSorted = (blocks: Array<Block>, block: Block): void => {
  let i = blocks.length
  while (i > 0 && Seq.gt(blocks[i - 1]!.start, block.start)) i--
  blocks.splice(i, 0, block)
}

/** Merge blocks that touch: one block per contiguous run. */
const coalesce = (q: OutOfOrder): void => {
  const out: Array<Block> = []
  for (const b of q.blocks) {
    const last = out[out.length - 1]
    if (last !== undefined && last.end === b.start) {
      for (const c of b.chunks) last.chunks.push(c)
      last.end = b.end
      last.touched = Math.max(last.touched, b.touched)
    } else {
      out.push(b)
    }
  }
  q.blocks.length = 0
  for (const b of out) q.blocks.push(b)
}

/** How many of the new gaps will merge into a neighbour (they add no block). */
const countJoins = (q: OutOfOrder, gaps: ReadonlyArray<readonly [Seq.SeqNum, Seq.SeqNum]>): number => {
  let joins = 0
  for (const [s, e] of gaps) {
    let touches = 0
    for (const b of q.blocks) if (b.end === s || b.start === e) touches++
    // joining one neighbour adds no block; joining two removes one
    joins += Math.min(2, touches)
  }
  return joins
}
