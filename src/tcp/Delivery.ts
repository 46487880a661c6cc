/**
 * In-order data on its way to the application's queue, and what it costs
 * while the application does not read it.
 *
 * A segment's payload is delivered as it arrived: a view of the frame, or of
 * the batch of frames the link read at once (LinkTap: up to 64 frames in one
 * buffer), with no copy. That is right for full segments, which fill what
 * they hold. A small one held unread keeps its whole frame (or batch) alive
 * and costs an object besides: a peer sending one-octet segments to a reader
 * that has stopped made each octet of the receive window cost ~220 octets of
 * heap (measured over LinkMemory: 50 000 segments, 10.4 MiB), so a 256 KiB
 * window held ~56 MiB. Linux charges a segment its truesize against the
 * receive buffer and copies small ones together (tcp_try_coalesce,
 * tcp_collapse); here:
 *
 * - a payload below `SMALL` octets that arrives while the application is
 *   behind (data is queued unread) is copied into a store of `STORE` octets
 *   that the connection keeps filling, and, when the newest item queued is
 *   the store's latest piece, joined to it: the window's octets then cost
 *   about themselves, and one queued item per store;
 * - anything else goes as it is: a reader that keeps up (a request and its
 *   answer, the loopback's round trips) never sees a copy, and full segments
 *   never do.
 *
 * Only octets past the store's last piece are written, so a view a reader
 * took is never changed (internal/Coalesce.ts). The connection lets go of
 * its store when a reader empties the queue (an idle connection holds none).
 *
 * @since 0.2.0
 */
import type { ChunkQueue } from "../internal/ChunkQueue.js"
import * as Coalesce from "../internal/Coalesce.js"

/** Payloads below this many octets are copied together while the reader is behind. */
export const SMALL = 512

/** Octets of each store small payloads are copied into. */
export const STORE = 4096

/** Queue `chunks` (in order) for the reader, copying small ones together while it is behind. */
export const deliver = <E>(queue: ChunkQueue<Uint8Array, E>, chunks: Array<Uint8Array>, small: Coalesce.Small): void => {
  // (an ended queue takes nothing more: not even joined to its last item)
  if (queue.isDone) return
  let out: Array<Uint8Array> | undefined
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k]!
    // (behind: something is queued unread)
    if (c.length >= SMALL || queue.size === 0) {
      if (out !== undefined) out.push(c)
      continue
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
