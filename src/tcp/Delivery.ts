/**
 * In-order data on its way to the application's queue, and what it costs
 * while the application does not read it.
 *
 * A segment's payload is delivered as it arrived: a view of the frame, or of
 * the batch of frames the link read at once (LinkTap: up to 64 frames, those
 * under 16 KiB in one fresh ArrayBuffer of up to 256 KiB, each offload
 * aggregate in one of its own), with no copy. A view held unread keeps that whole buffer alive, whatever its own
 * size: a peer sending one-octet segments to a reader that has stopped made
 * each octet of the receive window cost ~220 octets of heap (measured over
 * LinkMemory: 50 000 segments, 10.4 MiB), and one 600-octet segment per TAP
 * batch of 64 frames pinned a batch each, 97 KiB per 600 octets (a 256 KiB
 * window: ~40 MB; with aggregates in the batches, far more). Linux charges
 * each skb its truesize against the receive buffer, joins small ones to the
 * queue's tail (tcp_try_coalesce) and, when the buffer's truesize runs past
 * it, copies the queue into compact skbs (tcp_prune_queue, tcp_collapse).
 * Here, decided per chunk as it is queued:
 *
 * - a reader waiting for data (parked on the empty queue, its fiber not
 *   done: a read given up by a timeout or a lost race is nobody waiting)
 *   takes what comes as it came: a request and its answer, the loopback's
 *   round trips, a bulk transfer read as it comes never see a copy;
 * - otherwise (data is queued unread, or nobody is waiting: a reader busy
 *   or gone, a connection not yet accepted) a payload is copied when what
 *   this delivery uses of its buffer is under half of it (`Coalesce.sparse`:
 *   the batch's other frames are another connection's, or anything else)
 *   and that buffer is larger than a store (a smaller one costs no more
 *   than the store the copy would go into), and, while data is queued
 *   unread, when it is below `SMALL` octets, whatever its buffer. The copy
 *   goes into a store of `STORE` octets that the connection keeps filling
 *   (a larger payload gets a store of its size) and, when the newest item
 *   queued is the store's latest piece, is joined to it;
 * - bulk data whose batch is (mostly) this connection's goes as it came,
 *   behind or not, and so do offload aggregates, each in a buffer of its
 *   own. Two or more bulk flows of MTU-sized frames sharing the link's
 *   batches, each under half of one, are copied while their reader is not
 *   waiting
 *   (measured over the fake TAP, readers doing asynchronous work per
 *   chunk: 84 % of the octets with two flows, 95 % with four; none while
 *   the readers wait for each delivery).
 *
 * So what the queue keeps alive is at most about twice its octets (the
 * views kept from one buffer were at least half of it when queued, or it
 * was no larger than a store; the reader takes in order, so at most one
 * such buffer is part read), plus the store being filled, plus the rest
 * of a delivery a waiting reader woke for, queued as it came: a reader
 * that takes one chunk of it and stops keeps that batch alive, one per
 * stall (at most the small frames' buffer of one read: an aggregate has
 * its own; copying that rest instead would copy
 * nearly all of two or more interleaved bulk flows to readers that keep
 * up, measured over the fake TAP). A reader that was waiting holds what
 * it took as a view, with its batch: once taken,
 * data is the application's to keep or copy (the Node shim copies a chunk
 * that is a small part of its buffer: node/Net.ts). Half is the ratio
 * Linux long budgeted a receive buffer with: the window was half the
 * buffer, the rest for the skbs' overhead (tcp_adv_win_scale 1,
 * tcp_win_from_space); a copy only where the buffer is under half used
 * keeps the cost within that, and leaves every full batch of bulk data as
 * it came. Measured in process over LinkMemory: 4 MiB to a reader that
 * keeps up, or one that sleeps between reads, with and without offloads,
 * copies nothing.
 *
 * Only octets past the store's last piece are written, so a view a reader
 * took is never changed (internal/Coalesce.ts). The connection lets go of
 * its store when a reader empties the queue (an idle connection holds none).
 *
 * @since 0.2.0
 */
import type { ChunkQueue } from "../internal/ChunkQueue.js"
import * as Coalesce from "../internal/Coalesce.js"

/** Payloads below this many octets are copied together while the reader is behind (larger ones when sparse). */
export const SMALL = 512

/** Octets of each store small payloads are copied into. */
export const STORE = 4096

/** Queue `chunks` (in order) for the reader, copying small or sparse ones together unless it is waiting for them. */
export const deliver = <E>(queue: ChunkQueue<Uint8Array, E>, chunks: Array<Uint8Array>, small: Coalesce.Small): void => {
  // (an ended queue takes nothing more: not even joined to its last item)
  if (queue.isDone) return
  // (behind: something is queued unread; waiting: a reader is parked for the next chunk)
  const behind = queue.size > 0
  if (!behind && queue.waiting) {
    queue.offerAll(chunks)
    return
  }
  let out: Array<Uint8Array> | undefined
  // (what this delivery uses of the buffer last looked at: consecutive chunks mostly share one)
  let seen: ArrayBufferLike | undefined
  let used = 0
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k]!
    if (!behind || c.length >= SMALL) {
      // (a buffer no larger than a store costs no more than the store a copy would go into)
      let keep = c.buffer.byteLength <= STORE
      if (!keep) {
        if (c.buffer !== seen) {
          seen = c.buffer
          used = usedOf(chunks, seen)
        }
        keep = !Coalesce.sparse(used, seen.byteLength)
      }
      if (keep) {
        if (out !== undefined) out.push(c)
        continue
      }
    }
    out ??= chunks.slice(0, k)
    const tail = out.length > 0 ? out[out.length - 1] : queue.last
    const view = Coalesce.copyIn(small, tail, c, STORE)
    if (!Coalesce.grew(view, tail)) out.push(view)
    else if (out.length > 0) out[out.length - 1] = view
    else queue.replaceLast(view)
  }
  queue.offerAll(out ?? chunks)
}

/** The octets `chunks` use of `buffer`. */
const usedOf = (chunks: ReadonlyArray<Uint8Array>, buffer: ArrayBufferLike): number => {
  let n = 0
  for (let i = 0; i < chunks.length; i++) if (chunks[i]!.buffer === buffer) n += chunks[i]!.length
  return n
}
