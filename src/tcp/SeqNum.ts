/**
 * TCP sequence-number arithmetic (RFC 9293 §3.4).
 *
 * Every function is pure: numbers in, numbers or booleans out. Sequence
 * numbers live in a 32-bit space that wraps, so "before" and "after" are not
 * the order of the integers: RFC 9293 §3.4 says all arithmetic on them is
 * modulo 2^32 and that `<=` there means "less than or equal (modulo 2^32)".
 * A connection whose initial sequence number is 0xfffffff0 crosses 0 after
 * sixteen octets, and a raw `<` then calls every new octet older than the
 * old ones. So nothing outside this module compares two `SeqNum`s with `<`.
 *
 * Ordering is by the signed 32-bit difference (RFC 1982 serial-number
 * arithmetic, as in gVisor's `seqnum` package and smoltcp's `SeqNumber`):
 * `a` is before `b` when `b - a`, taken mod 2^32, lies in `[1, 2^31)`. It is a
 * total order only among numbers less than 2^31 apart, which TCP guarantees
 * by never letting a window exceed 2^30 octets (RFC 7323 §2.3: a shift of
 * at most 14 on a 16-bit window). Two numbers exactly 2^31 apart are each
 * "before" the other; no TCP rule ever compares such a pair.
 *
 * Representation: a `SeqNum` is a plain JS number kept in `[0, 2^32)` (an
 * unsigned 32-bit integer, as read from the wire), branded so that a length
 * or a port cannot be passed where a sequence number is expected. A `Size` is
 * an ordinary count of sequence-space units (octets, plus one each for SYN
 * and FIN).
 *
 * @since 0.1.0
 */

declare const SeqNumBrand: unique symbol

/**
 * A TCP sequence (or acknowledgment) number: an integer in `[0, 2^32)`.
 *
 * @category models
 */
export type SeqNum = number & { readonly [SeqNumBrand]: "SeqNum" }

/**
 * A length in sequence space, in octets (SYN and FIN count one each):
 * an integer in `[0, 2^32)`, for windows and segment lengths.
 *
 * @category models
 */
export type Size = number

/**
 * The sequence number `n` mod 2^32: any safe integer (negative ones too)
 * wraps into `[0, 2^32)`, as the 32-bit field on the wire would.
 *
 * @category constructors
 */
export const make = (n: number): SeqNum => (n >>> 0) as SeqNum

/** Sequence number 0. @category constructors */
export const ZERO: SeqNum = make(0)

/**
 * `s + n` mod 2^32: the number `n` units after `s` (before it when `n` is
 * negative). `n` may be any safe integer.
 *
 * @category combinators
 */
export const add = (s: SeqNum, n: number): SeqNum => ((s + n) >>> 0) as SeqNum

/**
 * The signed distance from `b` to `a`: `a - b` as a two's-complement 32-bit
 * integer in `[-2^31, 2^31)`. Positive when `a` is after `b`; it is the octet
 * count between them when they are less than 2^31 apart, so
 * `add(b, sub(a, b)) === a` always holds.
 *
 * @category combinators
 */
export const sub = (a: SeqNum, b: SeqNum): number => (a - b) | 0

/** `a` is before `b` (mod 2^32). @category guards */
export const lt = (a: SeqNum, b: SeqNum): boolean => ((a - b) | 0) < 0

/** `a` is before or equal to `b` (mod 2^32). @category guards */
export const lte = (a: SeqNum, b: SeqNum): boolean => ((a - b) | 0) <= 0

/** `a` is after `b` (mod 2^32). @category guards */
export const gt = (a: SeqNum, b: SeqNum): boolean => ((a - b) | 0) > 0

/** `a` is after or equal to `b` (mod 2^32). @category guards */
export const gte = (a: SeqNum, b: SeqNum): boolean => ((a - b) | 0) >= 0

/**
 * `a <= x < b` (mod 2^32): `x` lies in the half-open range that starts at `a`
 * and ends just before `b`, counting forward from `a`. Measured as unsigned
 * distances from `a`, so it holds across the wrap and for ranges up to
 * 2^32 - 1 long; an empty range (`a === b`) holds nothing.
 *
 * @category guards
 */
export const inRange = (x: SeqNum, a: SeqNum, b: SeqNum): boolean => ((x - a) >>> 0) < ((b - a) >>> 0)

/**
 * `start <= x < start + size` (mod 2^32): `x` falls in the window of `size`
 * units (octets) that begins at `start`, the RCV.NXT / RCV.WND test of
 * RFC 9293 §3.10.7.4. A zero-size window holds nothing. `size` is in
 * `[0, 2^32)`.
 *
 * @category guards
 */
export const inWindow = (x: SeqNum, start: SeqNum, size: Size): boolean => ((x - start) >>> 0) < size

/** The later of `a` and `b` (mod 2^32); `a` when they are equal. @category combinators */
export const max = (a: SeqNum, b: SeqNum): SeqNum => (lt(a, b) ? b : a)

/** The earlier of `a` and `b` (mod 2^32); `a` when they are equal. @category combinators */
export const min = (a: SeqNum, b: SeqNum): SeqNum => (lt(b, a) ? b : a)
