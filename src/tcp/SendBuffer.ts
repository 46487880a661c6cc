/**
 * The send half's buffer: the octets the application wrote that the peer has
 * not yet acknowledged (RFC 9293 §3.8: SND.UNA up to what was written), as
 * the chunks the application handed over, in order. Plain data, owned by one
 * connection's send half.
 *
 * Segments are cut from it by sequence number, again on every retransmission
 * (as Linux retransmits from its write queue and smoltcp from its ring): a
 * segment lying inside one chunk is a view of it, and it reaches the link by
 * a gather write without being copied; only a segment spanning chunks (small
 * writes, coalesced) is copied into one buffer. The caller must not change a
 * chunk after writing it, as with any zero-copy send (Node's `socket.write`
 * asks the same).
 *
 * Octets leave from the front when acknowledged (`release`).
 *
 * Small writes queued behind others (under `SMALL` octets, while the buffer
 * holds data already) are copied together into stores of `STORE` octets, as
 * Linux's tcp_sendmsg fills the tail segment: an application writing many
 * small messages to a peer that is slow to take them (or keeps its window
 * shut) holds about its octets, not an object per write, and a segment of
 * them is a view of one store rather than a copy gathered from many. A write
 * into an empty buffer is kept as it came (a request and its answer copy
 * nothing); the buffer lets go of its store when it empties.
 *
 * A larger write behind others is copied (`own`, a buffer of its size) when
 * it is under half of its ArrayBuffer (`Coalesce.sparse`): a program that
 * writes back what it read (an echo, a proxy) hands over views into the
 * link's receive batches (up to 64 frames in one buffer, 1 MiB with
 * offloads), and a peer that sends one segment per batch and takes nothing
 * would make each 600 octets held keep a batch alive (a 256 KiB buffer:
 * ~40 MB, measured in the test). Linux copies every write into its own
 * skbs; here only those, so a write of a buffer of its own, however large,
 * is never copied. That is judged on the whole write, before the
 * connection cuts one larger than the room into pieces as room comes
 * (Connection.put): each piece of a 4 MiB write is a small part of its
 * buffer, and judged alone it was copied (94 % of the write, measured over
 * LinkMemory), where the pieces together are all of it.
 * Over LinkMemory, 100 000 writes of 20 octets to a reading peer took 2.2 s
 * as 100 000 chunks and take 0.19 s so (a CPU profile put 45 % of the
 * former in `release`: the chunk array's `shift`).
 *
 * @since 0.1.0
 */
import * as Coalesce from "../internal/Coalesce.js"
import * as Seq from "./SeqNum.js"

/** @category models */
export interface SendBuffer {
  /** the chunks, oldest first; `chunks[0]` starts `head` octets in */
  chunks: Array<Uint8Array>
  /** octets of `chunks[0]` already released */
  head: number
  /** sequence number of the first octet held */
  start: Seq.SeqNum
  /** octets held */
  length: number
  /** where small writes are copied together (internal/Coalesce.ts; undefined: none) */
  smallStore: Uint8Array | undefined
  smallUsed: number
}

/** Writes below this many octets are copied together while the buffer holds data. */
export const SMALL = 512

/** Octets of each store small writes are copied into. */
export const STORE = 4096

/** An empty buffer whose first octet will carry sequence number `start`. @category constructors */
export const make = (start: Seq.SeqNum): SendBuffer => ({
  chunks: [],
  head: 0,
  start,
  length: 0,
  smallStore: undefined,
  smallUsed: 0
})

const NOTHING = new Uint8Array(0)

/** Sequence number one past the last octet held. */
export const end = (b: SendBuffer): Seq.SeqNum => Seq.add(b.start, b.length)

/**
 * What to queue for a write of `data` while `held` octets are queued already
 * (or on their way to the buffer): `data` itself, or a copy of its own when
 * it is `SMALL` octets or more, behind other data, and under half of its
 * ArrayBuffer (see above). Asked once per write, of all of it: not of the
 * pieces it is cut into as room comes.
 */
export const own = (data: Uint8Array, held: number): Uint8Array =>
  held === 0 || data.length < SMALL || !Coalesce.sparse(data.length, data.buffer.byteLength) ? data : data.slice()

/** Append `data` (a write, or a piece of one: `own` judged the write): kept by reference, or copied into the store when small and behind other data (see above). */
export const append = (b: SendBuffer, data: Uint8Array): void => {
  if (data.length === 0) return
  const held = b.length
  b.length += data.length
  if (data.length >= SMALL || held === 0) {
    b.chunks.push(data)
    return
  }
  const n = b.chunks.length
  const last = b.chunks[n - 1]!
  const view = Coalesce.copyIn(b, last, data, STORE)
  if (Coalesce.grew(view, last)) b.chunks[n - 1] = view
  else b.chunks.push(view)
}

/**
 * The `len` octets starting at sequence number `seq` (which must lie within
 * the buffer, with `len` octets after it): a view when they lie in one chunk,
 * else a copy.
 */
export const slice = (b: SendBuffer, seq: Seq.SeqNum, len: number): Uint8Array => {
  if (len <= 0) return NOTHING
  const offset = Seq.sub(seq, b.start)
  // below the buffer's start the octets are released: whatever the chunks hold there is not them
  if (offset < 0 || offset + len > b.length) {
    throw new RangeError(`SendBuffer.slice: [${offset}, ${offset + len}) outside [0, ${b.length})`)
  }
  let skip = b.head + offset
  let i = 0
  while (skip >= b.chunks[i]!.length) {
    skip -= b.chunks[i]!.length
    i++
  }
  const first = b.chunks[i]!
  if (skip + len <= first.length) return first.subarray(skip, skip + len)
  const out = new Uint8Array(len)
  let filled = 0
  let from = skip
  while (filled < len) {
    const c = b.chunks[i++]!
    const take = Math.min(c.length - from, len - filled)
    out.set(c.subarray(from, from + take), filled)
    filled += take
    from = 0
  }
  return out
}

/** Drop the octets before `upTo` (acknowledged); `upTo` beyond the end releases everything. */
export const release = (b: SendBuffer, upTo: Seq.SeqNum): number => {
  let n = Math.min(Math.max(0, Seq.sub(upTo, b.start)), b.length)
  const released = n
  b.start = Seq.add(b.start, n)
  b.length -= n
  while (n > 0) {
    const c = b.chunks[0]!
    const left = c.length - b.head
    if (n < left) {
      b.head += n
      break
    }
    n -= left
    b.chunks.shift()
    b.head = 0
  }
  // empty: let go of the array's backing store and of the store (an idle connection holds neither)
  if (b.length === 0 && b.chunks.length === 0) {
    b.chunks = []
    b.smallStore = undefined
  }
  return released
}
