/**
 * Big-endian (network order) 16- and 32-bit fields in a byte buffer: the one
 * place every codec reads and writes them. Pure; the caller has checked the
 * bounds (a codec's `check` or its own length arithmetic).
 *
 * @since 0.1.0
 */

/** The 16-bit field at `b[i]`. */
export const u16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!

/** The 32-bit field at `b[i]`, as an unsigned number. */
export const u32 = (b: Uint8Array, i: number): number =>
  ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0

/** Write the low 16 bits of `v` at `out[i]`. */
export const put16 = (out: Uint8Array, i: number, v: number): void => {
  out[i] = (v >>> 8) & 0xff
  out[i + 1] = v & 0xff
}

/** Write the 32 bits of `v` at `out[i]`. */
export const put32 = (out: Uint8Array, i: number, v: number): void => {
  out[i] = (v >>> 24) & 0xff
  out[i + 1] = (v >>> 16) & 0xff
  out[i + 2] = (v >>> 8) & 0xff
  out[i + 3] = v & 0xff
}
