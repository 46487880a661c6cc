/**
 * Small buffers cut from a shared slab: what an ACK, a reply or a short
 * segment is built in (Ipv4's `allocate`), and what a gathered frame sent to
 * ourselves over the loopback is flattened into (Interface.ts, with
 * Link.flattenInto).
 *
 * Why: V8 gives a typed array above 64 octets a backing store of its own
 * (a malloc, external-memory accounting, a sweep when it dies), measured
 * here at ~1.2 µs to make, against ~0.07 µs for a view into a slab; a TCP
 * segment with timestamps is 66 octets before any data.
 *
 * Contract:
 * - A cut is never handed out twice: the slab is only ever cut forward,
 *   and a new slab starts when the rest of the current one is too small.
 * - A cut of more than `maxCut` octets is a buffer of its own (a view of a
 *   fresh ArrayBuffer), so one large buffer never holds a slab.
 * - A slab is freed once no view into it is alive. A small cut that lives
 *   long holds its whole slab, as a small `Buffer` holds Node's 8 KiB pool:
 *   a user whose cuts may live long (a frame to ourselves, whose data the
 *   receiver keeps as views until it is read) takes small slabs.
 * - Cuts start 8-aligned, so word-wise sums over a cut line up as in a
 *   buffer of its own.
 * - Fresh slabs are zeroed (a new `Uint8Array`); a cut is not cleared again,
 *   since nothing is cut twice.
 *
 * @since 0.1.0
 */

/** @category models */
export interface Slab {
  /** `length` fresh octets */
  readonly cut: (length: number) => Uint8Array
}

/** Defaults: 64 KiB slabs, cuts of at most 1 KiB. */
export const SLAB_OCTETS = 64 * 1024
export const MAX_CUT = 1024

export const make = (slabOctets = SLAB_OCTETS, maxCut = MAX_CUT): Slab => {
  // (a cut larger than a slab could not come from one)
  const largest = Math.min(maxCut, slabOctets)
  let slab = new Uint8Array(slabOctets)
  let at = 0
  return {
    cut: (length) => {
      if (length > largest) return new Uint8Array(length)
      if (at + length > slabOctets) {
        slab = new Uint8Array(slabOctets)
        at = 0
      }
      const b = slab.subarray(at, at + length)
      at += (length + 7) & ~7
      return b
    }
  }
}

