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
 * - A block keeps its octets in one store with room on either side (most
 *   of it where the block last grew), which doubles when a segment reaches
 *   past it: segments that extend a block, at either end or at both in
 *   turn, cost amortized O(their length), whatever their size. (A list
 *   of pieces per block, gathered anew on each insert, made a run of 65 536
 *   one-octet segments after a gap cost minutes of CPU and an object per
 *   octet: Linux meets the same attack, SegmentSmack, by collapsing small
 *   segments into one.) A store holds at most twice its block's octets,
 *   or `MIN_STORE`.
 * - Overlaps keep what is already held and add only the new octets; a
 *   segment with nothing new is a duplicate.
 * - Bounds: `maxOctets` (the caller's receive buffer) and `maxBlocks` (a
 *   sender of one-octet segments with gaps between them would otherwise make
 *   a block per octet); a segment beyond either is refused (`NoRoom`), as
 *   Linux prunes its out-of-order queue, and TCP resends it.
 * - Under the stack-wide memory bound (Memory.ts) the queue is pruned from
 *   its highest sequence number down (`prune`, Linux's tcp_prune_ofo_queue),
 *   above the segment that wants the room: what lies furthest from RCV.NXT
 *   is the least use soon (Receiver.admit lets go of all of it above the
 *   segment, as Linux under memory pressure), and the peer, whose SACKed
 *   octets it then sends again after a timeout (RFC 2018 §8), loses the
 *   least.
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
  /** the block's octets are `store[off, off + (end - start))`; the rest is room to grow into */
  store: Uint8Array
  off: number
  /** when the block last received a segment (the queue's own counter): SACK order */
  touched: number
}

/** The smallest store a block grows into (a block of one segment has a store of its size). */
export const MIN_STORE = 2048

/** The octets a block holds (a view of its store). */
export const held = (b: Block): Uint8Array => b.store.subarray(b.off, b.off + Seq.sub(b.end, b.start))

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

/** Let go of everything held (the connection will take none of it). */
export const clear = (q: OutOfOrder): void => {
  q.blocks.length = 0
  q.octets = 0
}

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
  let already = 0 // octets of [seq, end) held already
  for (; j < blocks.length && Seq.lte(blocks[j]!.start, end); j++) {
    const b = blocks[j]!
    already += Math.max(0, Seq.sub(Seq.min(b.end, end), Seq.max(b.start, seq)))
  }
  const tick = ++q.ticks
  const fresh = data.length - already
  if (fresh === 0) {
    // Nothing new: one block holds it all (blocks are non-adjacent, so it is
    // the first found). Still the most recent segment for SACK's first block.
    blocks[i]!.touched = tick
    return "Duplicate"
  }
  if (q.octets + fresh > maxOctets || blocks.length - (j - i) + 1 > maxBlocks) return "NoRoom"
  q.octets += fresh
  if (i === j) {
    blocks.splice(i, 0, { start: seq, end, store: data.slice(), off: 0, touched: tick })
    return "Held"
  }
  const start = Seq.min(seq, blocks[i]!.start)
  const stop = Seq.max(end, blocks[j - 1]!.end)
  // The block with the most room keeps its store (grown when the merged run does not fit); the
  // others' octets, and the new octets in the gaps between them, are copied in.
  let base = blocks[i]!
  for (let k = i + 1; k < j; k++) if (blocks[k]!.store.length > base.store.length) base = blocks[k]!
  const before = Seq.sub(base.start, start)
  const after = Seq.sub(stop, base.end)
  let store = base.store
  let off = base.off - before
  if (off < 0 || base.off + Seq.sub(base.end, base.start) + after > store.length) {
    const len = Seq.sub(stop, start)
    const room = Math.max(2 * len, MIN_STORE) - len
    // most of the room goes where the run grew (in front of it for a peer going backwards), a
    // quarter to the other side: a peer that grows a block at both ends in turn would otherwise
    // make every other segment copy the whole block again
    off = before > 0 && after > 0 ? room >> 1 : before > 0 ? room - (room >> 2) : room >> 2
    store = new Uint8Array(len + room)
    store.set(held(base), off + before)
  }
  let cursor = start
  for (let k = i; k < j; k++) {
    const b = blocks[k]!
    if (Seq.lt(cursor, b.start)) store.set(data.subarray(Seq.sub(cursor, seq), Seq.sub(b.start, seq)), off + Seq.sub(cursor, start))
    if (b !== base) store.set(held(b), off + Seq.sub(b.start, start))
    cursor = b.end
  }
  if (Seq.lt(cursor, stop)) store.set(data.subarray(Seq.sub(cursor, seq)), off + Seq.sub(cursor, start))
  base.start = start
  base.end = stop
  base.store = store
  base.off = off
  base.touched = tick
  blocks.splice(i, j - i, base)
  return "Held"
}

/**
 * The first run of [seq, end) that is held already, if any: octets that
 * came twice, which a D-SACK reports (RFC 2883 §4) even when the segment
 * also brought new ones (Linux's tcp_dsack_set and tcp_dsack_extend).
 */
export const heldWithin = (q: OutOfOrder, seq: Seq.SeqNum, end: Seq.SeqNum): SackBlock | undefined => {
  for (const b of q.blocks) {
    if (!Seq.lt(b.start, end)) return undefined
    if (Seq.gt(b.end, seq)) return { left: Seq.max(b.start, seq), right: Seq.min(b.end, end) }
  }
  return undefined
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
    q.octets -= Seq.sub(b.end, b.start)
    chunks.push(held(b).subarray(Seq.sub(next, b.start)))
    next = b.end
  }
  return { chunks, rcvNxt: next }
}

/**
 * Let go of whole blocks that start after `seq`, the highest first, until
 * at least `need` octets are freed or none is left above `seq` (Linux's
 * tcp_prune_ofo_queue drops from the tail, and only what lies beyond the
 * segment that wants the room). Returns the octets freed.
 */
export const prune = (q: OutOfOrder, seq: Seq.SeqNum, need: number): number => {
  let freed = 0
  while (freed < need && q.blocks.length > 0) {
    const b = q.blocks[q.blocks.length - 1]!
    if (!Seq.gt(b.start, seq)) break
    q.blocks.pop()
    const n = Seq.sub(b.end, b.start)
    q.octets -= n
    freed += n
  }
  return freed
}

/** A new tick of the queue's counter: when something not held as octets (a FIN beyond a hole) arrived, for SACK's order. */
export const tick = (q: OutOfOrder): number => ++q.ticks

/**
 * Up to `max` SACK blocks (RFC 2018 §4: the most recently received first).
 * A block that ends where the peer's FIN is (`fin`: its sequence number,
 * once a segment carried it, and when that segment came, `tick`) covers the
 * FIN too, as Linux's blocks do: a sender that counts whole segments (Linux,
 * and ours) finds the last segment, data and FIN, in it. A FIN beyond a hole
 * that no block reaches is a block of its own, [FIN, FIN + 1), as Linux
 * holds a bare FIN in its out-of-order queue (tcp_data_queue_ofo) and SACKs
 * its sequence space.
 */
export const sackBlocks = (
  q: OutOfOrder,
  max: number,
  fin?: { readonly seq: Seq.SeqNum; readonly touched: number }
): ReadonlyArray<SackBlock> => {
  if (max <= 0) return []
  // (the block the FIN ends, or the FIN's own, is as recent as the FIN: a FIN that extends a block puts it first)
  const runs = q.blocks.map((b) => (fin !== undefined && b.end === fin.seq ? { start: b.start, end: b.end, touched: Math.max(b.touched, fin.touched) } : b))
  if (fin !== undefined && !q.blocks.some((b) => b.end === fin.seq)) runs.push({ start: fin.seq, end: fin.seq, touched: fin.touched })
  return runs
    .sort((a, b) => b.touched - a.touched)
    .slice(0, max)
    .map((b) => ({ left: b.start, right: fin !== undefined && b.end === fin.seq ? Seq.add(b.end, 1) : b.end }))
}
