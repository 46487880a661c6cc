/**
 * The sender's SACK scoreboard (RFC 6675 §2-§4): which octets between
 * SND.UNA and SND.MAX the peer reported holding (RFC 2018 blocks), merged
 * into sorted, disjoint ranges. Plain data owned by one send half; pure
 * functions over it:
 *
 * - `blockValid`: whether a block may be taken at all. As Linux's
 *   tcp_is_sackblock_valid, a block that is reversed, reaches past SND.MAX
 *   ("too far in future") or starts at or below the cumulative ACK is
 *   ignored whole, not clipped: a receiver holding octets up to its ACK
 *   would have acknowledged them, and one reporting octets we never sent
 *   reports nothing we can trust (RFC 2018 §5 lets a sender ignore such
 *   blocks). Clipped, such a block marked the octets inside it SACKed, and
 *   they were then not resent until the RTO. (A D-SACK, RFC 2883, lies
 *   below the ACK and is the send half's to read, Rack.dsackOf; it marks
 *   nothing here.)
 * - `update` (and `add`, one block) merges an ACK's blocks (only the parts
 *   inside [SND.UNA, SND.MAX)). The send half gives `add` each valid block
 *   narrowed to the segments it sent that lie wholly inside it (Rack.ts's
 *   `segmentEdgeAtOrAfter` / `AtOrBefore`), as Linux tags whole segments
 *   only: so each range it adds holds a whole segment at least, and a peer's
 *   blocks cannot cut the board into more ranges than segments in flight;
 * - `prune` drops what the cumulative ACK has passed;
 * - `reneged`: after `prune`, the octet at SND.UNA is still marked SACKed:
 *   the peer acknowledged up to (or into) what it had SACKed and no further,
 *   so it has dropped what it SACKed (RFC 2018 §8 lets a receiver renege so;
 *   Linux's tcp_clean_rtx_queue sets FLAG_SACK_RENEGING when the new head
 *   of its retransmission queue is still SACKED_ACKED). The board then says
 *   the peer holds octets it does not: the send half clears it at the
 *   timeout that follows (`clear`, as Linux's tcp_timeout_mark_lost);
 * - `isLost(seq)`: RFC 6675's IsLost, more than (DupThresh - 1) × SMSS
 *   octets SACKed above `seq`;
 * - `nextHole(from)`: RFC 6675 NextSeg rule (1), the first octets at or
 *   after `from` that are neither SACKed nor above the highest SACKed octet,
 *   and so lost;
 * - `pipe`: RFC 6675 §4's estimate of octets in the network: the holes
 *   retransmitted so far (below `highRxt`) plus everything above the
 *   highest SACKed octet; a SACKed octet has left the network, an octet
 *   deemed lost and not yet retransmitted has too.
 *
 * @since 0.1.0
 */
import type { SackBlock } from "../wire/TcpHeader.js"
import * as Seq from "./SeqNum.js"

/** A range the peer holds: [left, right). @category models */
export interface Range {
  left: Seq.SeqNum
  right: Seq.SeqNum
}

/** @category models */
export interface Scoreboard {
  /** sorted by `left`, disjoint, non-adjacent */
  readonly ranges: Array<Range>
  /** octets in `ranges` */
  sacked: number
}

export const make = (): Scoreboard => ({ ranges: [], sacked: 0 })

/** RFC 6675 DupThresh. */
export const DUP_THRESH = 3

/**
 * Linux's tcp_is_sackblock_valid for a block that is not a D-SACK: [left,
 * right) is not empty or reversed, ends at or before `sndMax`, and starts
 * above `sndUna`, the cumulative ACK the segment carrying it brought (or
 * SND.UNA, if it brought none newer).
 */
export const blockValid = (left: Seq.SeqNum, right: Seq.SeqNum, sndUna: Seq.SeqNum, sndMax: Seq.SeqNum): boolean =>
  Seq.lt(left, right) && Seq.lte(right, sndMax) && Seq.gt(left, sndUna)

/** Merge `blocks`, clipped to [sndUna, sndMax). */
export const update = (
  b: Scoreboard,
  blocks: ReadonlyArray<SackBlock>,
  sndUna: Seq.SeqNum,
  sndMax: Seq.SeqNum
): void => {
  for (const block of blocks) add(b, block.left, block.right, sndUna, sndMax)
}

/** Merge one block [left, right), clipped to [sndUna, sndMax); nothing when that leaves it empty. */
export const add = (b: Scoreboard, left: Seq.SeqNum, right: Seq.SeqNum, sndUna: Seq.SeqNum, sndMax: Seq.SeqNum): void => {
  const l = Seq.max(left, sndUna)
  const r = Seq.min(right, sndMax)
  if (Seq.lt(l, r)) insert(b, l, r)
}

const insert = (b: Scoreboard, left: Seq.SeqNum, right: Seq.SeqNum): void => {
  const rs = b.ranges
  let i = 0
  while (i < rs.length && Seq.lt(rs[i]!.right, left)) i++
  let j = i
  let l = left
  let r = right
  while (j < rs.length && Seq.lte(rs[j]!.left, r)) {
    l = Seq.min(l, rs[j]!.left)
    r = Seq.max(r, rs[j]!.right)
    b.sacked -= Seq.sub(rs[j]!.right, rs[j]!.left)
    j++
  }
  rs.splice(i, j - i, { left: l, right: r })
  b.sacked += Seq.sub(r, l)
}

/** Forget what lies before `sndUna`. */
export const prune = (b: Scoreboard, sndUna: Seq.SeqNum): void => {
  const rs = b.ranges
  while (rs.length > 0 && Seq.lte(rs[0]!.right, sndUna)) {
    b.sacked -= Seq.sub(rs[0]!.right, rs[0]!.left)
    rs.shift()
  }
  const first = rs[0]
  if (first !== undefined && Seq.lt(first.left, sndUna)) {
    b.sacked -= Seq.sub(sndUna, first.left)
    first.left = sndUna
  }
}

/** Pruned to `sndUna`, the board still holds the octet at it: the peer reneged (see the header). */
export const reneged = (b: Scoreboard, sndUna: Seq.SeqNum): boolean => b.ranges[0]?.left === sndUna

export const clear = (b: Scoreboard): void => {
  b.ranges.length = 0
  b.sacked = 0
}

/** One past the highest SACKed octet, or undefined when nothing is SACKed. */
export const highest = (b: Scoreboard): Seq.SeqNum | undefined => b.ranges.at(-1)?.right

/** Octets SACKed at or above `seq`. */
export const sackedAbove = (b: Scoreboard, seq: Seq.SeqNum): number => {
  let n = 0
  for (let i = b.ranges.length - 1; i >= 0; i--) {
    const r = b.ranges[i]!
    if (Seq.lte(r.right, seq)) break
    n += Seq.sub(r.right, Seq.max(r.left, seq))
  }
  return n
}

/** RFC 6675 IsLost: more than (DupThresh - 1) × SMSS octets SACKed above `seq`. */
export const isLost = (b: Scoreboard, seq: Seq.SeqNum, smss: number): boolean =>
  sackedAbove(b, seq) > (DUP_THRESH - 1) * smss

/** `seq` moved past any SACKed range it falls in. */
export const skip = (b: Scoreboard, seq: Seq.SeqNum): Seq.SeqNum => {
  for (const r of b.ranges) {
    if (Seq.lt(seq, r.left)) return seq
    if (Seq.lt(seq, r.right)) return r.right
  }
  return seq
}

/**
 * The first lost octets at or after `from` (below the highest SACKed octet
 * and not SACKed), as [start, end) up to the next SACKed range; undefined
 * when none.
 */
export const nextHole = (b: Scoreboard, from: Seq.SeqNum): { start: Seq.SeqNum; end: Seq.SeqNum } | undefined => {
  let cursor = from
  for (const r of b.ranges) {
    if (Seq.lt(cursor, r.left)) return { start: cursor, end: r.left }
    if (Seq.lt(cursor, r.right)) cursor = r.right
  }
  return undefined
}

/** Where the next hole from `from` ends (`nextHole`'s end), without a record: for `push`'s per-ACK go-back. */
export const nextHoleEnd = (b: Scoreboard, from: Seq.SeqNum): Seq.SeqNum | undefined => {
  let cursor = from
  for (const r of b.ranges) {
    if (Seq.lt(cursor, r.left)) return r.left
    if (Seq.lt(cursor, r.right)) cursor = r.right
  }
  return undefined
}

/** RFC 6675 §4 pipe, octets: holes retransmitted (below `highRxt`) plus what lies above the highest SACK. */
export const pipe = (b: Scoreboard, sndUna: Seq.SeqNum, sndMax: Seq.SeqNum, highRxt: Seq.SeqNum): number => {
  const top = highest(b)
  if (top === undefined) return Math.max(0, Seq.sub(sndMax, sndUna))
  let n = Math.max(0, Seq.sub(sndMax, top))
  let cursor = sndUna
  for (const r of b.ranges) {
    // the hole [cursor, r.left): only what was retransmitted is in flight
    const holeEnd = Seq.min(r.left, highRxt)
    if (Seq.lt(cursor, holeEnd)) n += Seq.sub(holeEnd, cursor)
    cursor = r.right
  }
  return n
}
