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
 */
export const sum = (bytes: Uint8Array, initial = 0, start = 0, end = bytes.length): number => {
  let acc = initial
  let i = start
  const last = end - 1
  for (; i < last; i += 2) acc += (bytes[i]! << 8) | bytes[i + 1]!
  if (i === last) acc += bytes[i]! << 8
  return acc
}

/** Fold the carries of an unfolded sum into 16 bits and complement it. */
export const finish = (acc: number): number => {
  let s = acc
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000)
  return ~s & 0xffff
}

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
