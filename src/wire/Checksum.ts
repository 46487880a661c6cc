/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's
 * complement sum of the data taken as big-endian 16-bit words, an odd final
 * octet padded with zero.
 *
 * Every function is pure: bytes in, numbers out. Sums are kept unfolded in a
 * JS number (exact up to 2^53, i.e. far beyond any 64 KiB datagram) and folded
 * once at the end, which is both correct (RFC 1071 §2(B), deferred carries)
 * and fast.
 *
 * @since 0.1.0
 */

/**
 * Add the big-endian 16-bit words of `bytes[start, end)` to `initial`.
 * When the range has odd length, the last octet is the high half of a word
 * (RFC 1071 §4.1). Callers that sum a buffer in pieces must therefore split
 * only at even offsets.
 *
 * The result is for `finish` (and for adding more sums to): short ranges
 * give the exact unfolded sum; long ones a value congruent to it modulo
 * 0xffff, which is all one's complement arithmetic keeps. Long ranges are
 * summed four octets at a time as little-endian 32-bit words and the folded
 * result byte-swapped: the one's complement sum does not depend on byte
 * order (RFC 1071 §2(B)), and 65536 ≡ 1 (mod 0xffff), so a 32-bit word
 * counts as its two 16-bit halves.
 */
export const sum = (bytes: Uint8Array, initial = 0, start = 0, end = bytes.length): number =>
  LITTLE_ENDIAN && end - start >= WIDE_MIN && ((bytes.byteOffset + start) & 1) === 0
    ? initial + sumWide(bytes, start, end)
    : sumBytes(bytes, initial, start, end)

/** Below this many octets the plain loop is as fast. */
const WIDE_MIN = 64

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

const sumBytes = (bytes: Uint8Array, initial: number, start: number, end: number): number => {
  let acc = initial
  let i = start
  const last = end - 1
  for (; i < last; i += 2) acc += (bytes[i]! << 8) | bytes[i + 1]!
  if (i === last) acc += bytes[i]! << 8
  return acc
}

/** `bytes[start, end)` with `bytes.byteOffset + start` even: the big-endian word sum, folded to 16 bits. */
const sumWide = (bytes: Uint8Array, start: number, end: number): number => {
  let i = start
  let be = 0
  // one big-endian word to reach a 4-octet boundary of the buffer (start is already even)
  if (((bytes.byteOffset + i) & 3) !== 0) {
    be += (bytes[i]! << 8) | bytes[i + 1]!
    i += 2
  }
  const words = (end - i) >>> 2
  const wide = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words)
  let le = 0
  // at most 2^14 words of 2^32 for a 64 KiB datagram: exact in a double
  for (let k = 0; k < words; k++) le += wide[k]!
  i += words * 4
  // fold to 16 bits (no bitwise ops: `le` may exceed 2^32), then back to big-endian order
  while (le > 0xffff) le = (le % 0x10000) + Math.floor(le / 0x10000)
  be += ((le & 0xff) << 8) | (le >>> 8)
  // the tail: fewer than 4 octets, starting on a word boundary relative to `start`
  return sumBytes(bytes, be, i, end)
}

/** Fold the carries of an unfolded sum into 16 bits and complement it. */
export const finish = (acc: number): number => {
  let s = acc
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000)
  return ~s & 0xffff
}

/**
 * A partial checksum, as checksum offload takes it (Linux's
 * CHECKSUM_PARTIAL, virtio's NEEDS_CSUM): the sum folded to 16 bits and
 * NOT complemented. Written in the checksum field, it lets whoever completes
 * the checksum sum the range as it stands and complement the result.
 */
export const partial = (acc: number): number => ~finish(acc) & 0xffff

/** The checksum of `bytes[start, end)`. Zero when the range already contains a correct checksum. */
export const checksum = (bytes: Uint8Array, start = 0, end = bytes.length): number =>
  finish(sum(bytes, 0, start, end))

/**
 * The unfolded sum of the IPv4 pseudo-header (RFC 768, RFC 9293 §3.1):
 * source, destination, zero + protocol, and the transport length.
 */
export const pseudoHeaderSum = (src: number, dst: number, protocol: number, length: number): number =>
  (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length

/**
 * The checksum after one 16-bit word it covers changed from `oldWord` to
 * `newWord` (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')), without summing the
 * data again. Used where a packet is echoed with a field changed.
 */
export const update = (checksum: number, oldWord: number, newWord: number): number =>
  finish((~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff))
