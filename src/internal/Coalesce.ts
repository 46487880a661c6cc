/**
 * Small pieces of a byte stream copied together: what the TCP send buffer
 * does with small writes queued behind others, and the receive side with
 * small payloads its reader has not read yet (tcp/SendBuffer.ts,
 * tcp/Delivery.ts say why). A connection fills one store at a time; a piece
 * is copied after the store's last one, and joined to it when that is still
 * the newest piece held.
 *
 * A piece is also worth copying, small or not, when it is a view that is a
 * small part of a larger buffer (`sparse`): a payload read from the link's
 * receive batch (one ArrayBuffer for up to 64 frames under 16 KiB) would keep the whole
 * batch alive for as long as it is held.
 *
 * Contract: octets are only ever written past the store's last piece, so a
 * view handed out before (a segment cut, a chunk a reader took) never
 * changes. The caller lets go of the store (`smallStore = undefined`) when
 * it holds nothing more.
 *
 * @since 0.2.0
 */

/** The store being filled: `smallStore[0, smallUsed)` is taken. @category models */
export interface Small {
  smallStore: Uint8Array | undefined
  smallUsed: number
}

/**
 * Copy `data` into the store (a fresh one of `size` octets when it has no
 * room). When `tail`, the newest piece the caller holds, is the store's last
 * piece, the result is `tail` grown by the copy, for the caller to put in
 * its place (`grew` tells); otherwise a view of the copy alone, to append.
 */
export const copyIn = (s: Small, tail: Uint8Array | undefined, data: Uint8Array, size: number): Uint8Array => {
  let store = s.smallStore
  if (store === undefined || s.smallUsed + data.length > store.length) {
    store = new Uint8Array(Math.max(size, data.length))
    s.smallStore = store
    s.smallUsed = 0
  }
  const at = s.smallUsed
  store.set(data, at)
  s.smallUsed = at + data.length
  return joins(store, tail, at) ? store.subarray(tail!.byteOffset, s.smallUsed) : store.subarray(at, s.smallUsed)
}

/** `tail` ends where a copy into `store` at `at` begins: the copy grows it. */
const joins = (store: Uint8Array, tail: Uint8Array | undefined, at: number): boolean =>
  tail !== undefined && tail.buffer === store.buffer && tail.byteOffset + tail.length === at

/** Whether `copyIn`'s result `view` is `tail` grown (to put in its place) rather than a piece of its own. */
export const grew = (view: Uint8Array, tail: Uint8Array | undefined): boolean =>
  tail !== undefined && view.buffer === tail.buffer && view.byteOffset === tail.byteOffset

/**
 * Whether octets `used` of a buffer of `size` are too small a part of it to
 * keep it alive for: under half. What is kept as a view then costs at most
 * twice its octets, the ratio Linux long budgeted a socket buffer with (the
 * window half of it, the rest for the skbs' overhead: tcp_adv_win_scale 1,
 * tcp_win_from_space), and Linux copies an skb whose truesize is out of
 * proportion (tcp_collapse); a view that is most of its buffer (a full
 * batch of bulk data, a write of its own) is kept as it is.
 */
export const sparse = (used: number, size: number): boolean => 2 * used < size
