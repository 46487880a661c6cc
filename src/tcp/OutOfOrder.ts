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
  const blocks = q.blocks
  // Blocks [i, j) overlap or touch [seq, end): with the new octets they become one block.
  let i = 0
  while (i < blocks.length && Seq.lt(blocks[i]!.end, seq)) i++
  let j = i
  let held = 0 // octets of [seq, end) held already
  for (; j < blocks.length && Seq.lte(blocks[j]!.start, end); j++) {
    const b = blocks[j]!
    held += Math.max(0, Seq.sub(Seq.min(b.end, end), Seq.max(b.start, seq)))
  }
  const tick = ++q.ticks
  const fresh = data.length - held
  if (fresh === 0) {
    // Nothing new: one block holds it all (blocks are non-adjacent, so it is
    // the first found). Still the most recent segment for SACK's first block.
    blocks[i]!.touched = tick
    return "Duplicate"
  }
  if (q.octets + fresh > maxOctets || blocks.length - (j - i) + 1 > maxBlocks) return "NoRoom"
  // The held octets are kept; only the gaps between them are copied from `data`.
  const start = i < j ? Seq.min(seq, blocks[i]!.start) : seq
  const chunks: Array<Uint8Array> = []
  let cursor = start
  for (let k = i; k < j; k++) {
    const b = blocks[k]!
    if (Seq.lt(cursor, b.start)) chunks.push(data.slice(Seq.sub(cursor, seq), Seq.sub(b.start, seq)))
    for (const c of b.chunks) chunks.push(c)
    cursor = b.end
  }
  if (Seq.lt(cursor, end)) chunks.push(data.slice(Seq.sub(cursor, seq), data.length))
  blocks.splice(i, j - i, { start, end: Seq.max(cursor, end), chunks, touched: tick })
  q.octets += fresh
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
