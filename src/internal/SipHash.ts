/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a keyed pseudorandom function for short inputs, the one Linux uses
 * for its TCP initial sequence numbers (`secure_tcp_seq`, RFC 6528's F) and
 * port offsets.
 *
 * 64-bit words are kept as two unsigned 32-bit halves in a typed array, so
 * the function runs on plain numbers: no BigInt, and `hash3` (a 4-tuple as
 * three words) allocates nothing. An ISN costs about 0.7 µs here, where an
 * HMAC-SHA-256 through node:crypto cost 5-7 µs and several objects.
 *
 * @since 0.1.0
 */

/** A 128-bit key as four 32-bit words, k0 = words[1]:words[0], k1 = words[3]:words[2] (little-endian octets). */
export type SipKey = readonly [number, number, number, number]

/** The key from 16 octets, little-endian as the paper reads it. */
export const keyOf = (octets: Uint8Array): SipKey => {
  if (octets.length !== 16) throw new RangeError("a SipHash key is 16 octets")
  return [le32(octets, 0), le32(octets, 4), le32(octets, 8), le32(octets, 12)]
}

const le32 = (b: Uint8Array, at: number): number =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0

// The state v0..v3 as hi/lo halves, in a typed array: numbers above 2^31
// kept in module-level variables would be boxed (a heap number per write).
// The function is synchronous, so one scratch state suffices.
const V = new Uint32Array(8)
const V0H = 0, V0L = 1, V1H = 2, V1L = 3, V2H = 4, V2L = 5, V3H = 6, V3L = 7

/** V[a] += V[b] mod 2^64 (a, b the high halves' indices) */
const add = (a: number, b: number): void => {
  const al = V[a + 1]!
  const lo = (al + V[b + 1]!) >>> 0
  V[a] = V[a]! + V[b]! + (lo < al ? 1 : 0)
  V[a + 1] = lo
}
/** V[a] <<<= n, 0 < n < 32 */
const rotl = (a: number, n: number): void => {
  const h = V[a]!
  const l = V[a + 1]!
  V[a] = (h << n) | (l >>> (32 - n))
  V[a + 1] = (l << n) | (h >>> (32 - n))
}
/** V[a] ^= V[b] */
const xor = (a: number, b: number): void => {
  V[a] = V[a]! ^ V[b]!
  V[a + 1] = V[a + 1]! ^ V[b + 1]!
}
/** V[a] <<<= 32 */
const swap = (a: number): void => {
  const h = V[a]!
  V[a] = V[a + 1]!
  V[a + 1] = h
}

const round = (): void => {
  add(V0H, V1H)
  rotl(V1H, 13)
  xor(V1H, V0H)
  swap(V0H)
  add(V2H, V3H)
  rotl(V3H, 16)
  xor(V3H, V2H)
  add(V0H, V3H)
  rotl(V3H, 21)
  xor(V3H, V0H)
  add(V2H, V1H)
  rotl(V1H, 17)
  xor(V1H, V2H)
  swap(V2H)
}

const compress = (mh: number, ml: number): void => {
  V[V3H] = V[V3H]! ^ mh
  V[V3L] = V[V3L]! ^ ml
  round()
  round()
  V[V0H] = V[V0H]! ^ mh
  V[V0L] = V[V0L]! ^ ml
}

const init = (key: SipKey): void => {
  const k0l = key[0], k0h = key[1], k1l = key[2], k1h = key[3]
  // "somepseudorandomlygeneratedbytes"
  V[V0H] = k0h ^ 0x736f6d65
  V[V0L] = k0l ^ 0x70736575
  V[V1H] = k1h ^ 0x646f7261
  V[V1L] = k1l ^ 0x6e646f6d
  V[V2H] = k0h ^ 0x6c796765
  V[V2L] = k0l ^ 0x6e657261
  V[V3H] = k1h ^ 0x74656462
  V[V3L] = k1l ^ 0x79746573
}

/** The last rounds; the low 32 bits of the result (the high half is left in `high`). */
let high = 0
const finish = (): number => {
  V[V2L] = V[V2L]! ^ 0xff
  round()
  round()
  round()
  round()
  high = (V[V0H]! ^ V[V1H]! ^ V[V2H]! ^ V[V3H]!) >>> 0
  return (V[V0L]! ^ V[V1L]! ^ V[V2L]! ^ V[V3L]!) >>> 0
}

/**
 * The low 32 bits of SipHash-2-4 of the 12 octets whose little-endian
 * 32-bit words are `w0`, `w1`, `w2` (Linux's siphash_3u32): a 4-tuple
 * hashed without making a buffer for it.
 */
export const hash3 = (key: SipKey, w0: number, w1: number, w2: number): number => {
  // The state in locals, as int32 halves, the rounds written out in one loop: the shared typed
  // array above costs a load and a store per half per step, and the helpers a call each (about
  // 1-2 µs a hash against ~0.1 µs here, and a connection pair hashes five times: the port, two
  // ISNs, two timestamp offsets). The same steps as `round`, `compress` and `finish`.
  const k0l = key[0] | 0, k0h = key[1] | 0, k1l = key[2] | 0, k1h = key[3] | 0
  let v0h = k0h ^ 0x736f6d65, v0l = k0l ^ 0x70736575
  let v1h = k1h ^ 0x646f7261, v1l = k1l ^ 0x6e646f6d
  let v2h = k0h ^ 0x6c796765, v2l = k0l ^ 0x6e657261
  let v3h = k1h ^ 0x74656462, v3l = k1l ^ 0x79746573
  // the two blocks: (w1, w0), then the length (12) in the top octet over w2
  const m0h = w1 | 0, m0l = w0 | 0, m1h = 12 << 24, m1l = w2 | 0
  v3h ^= m0h
  v3l ^= m0l
  for (let i = 0; i < 8; i++) {
    if (i === 2) {
      v0h ^= m0h
      v0l ^= m0l
      v3h ^= m1h
      v3l ^= m1l
    } else if (i === 4) {
      v0h ^= m1h
      v0l ^= m1l
      v2l ^= 0xff
    }
    let t: number, lo: number
    // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
    lo = (v0l + v1l) | 0
    v0h = (v0h + v1h + ((lo >>> 0) < (v0l >>> 0) ? 1 : 0)) | 0
    v0l = lo
    t = (v1h << 13) | (v1l >>> 19)
    v1l = ((v1l << 13) | (v1h >>> 19)) ^ v0l
    v1h = t ^ v0h
    t = v0h
    v0h = v0l
    v0l = t
    // v2 += v3; v3 = rotl(v3, 16) ^ v2
    lo = (v2l + v3l) | 0
    v2h = (v2h + v3h + ((lo >>> 0) < (v2l >>> 0) ? 1 : 0)) | 0
    v2l = lo
    t = (v3h << 16) | (v3l >>> 16)
    v3l = ((v3l << 16) | (v3h >>> 16)) ^ v2l
    v3h = t ^ v2h
    // v0 += v3; v3 = rotl(v3, 21) ^ v0
    lo = (v0l + v3l) | 0
    v0h = (v0h + v3h + ((lo >>> 0) < (v0l >>> 0) ? 1 : 0)) | 0
    v0l = lo
    t = (v3h << 21) | (v3l >>> 11)
    v3l = ((v3l << 21) | (v3h >>> 11)) ^ v0l
    v3h = t ^ v0h
    // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
    lo = (v2l + v1l) | 0
    v2h = (v2h + v1h + ((lo >>> 0) < (v2l >>> 0) ? 1 : 0)) | 0
    v2l = lo
    t = (v1h << 17) | (v1l >>> 15)
    v1l = ((v1l << 17) | (v1h >>> 15)) ^ v2l
    v1h = t ^ v2h
    t = v2h
    v2h = v2l
    v2l = t
  }
  return (v0l ^ v1l ^ v2l ^ v3l) >>> 0
}

/**
 * SipHash-2-4 of `data` under `key`: the 64-bit result as [high, low]
 * 32-bit halves (the paper's output octets are low's four, little-endian,
 * then high's).
 */
export const hash = (key: SipKey, data: Uint8Array): [number, number] => {
  init(key)
  const n = data.length
  const whole = n - (n % 8)
  for (let i = 0; i < whole; i += 8) compress(le32(data, i + 4), le32(data, i))
  // the last block: the remaining octets, little-endian, and the length mod 256 in the top octet
  let lh = (n & 0xff) << 24
  let ll = 0
  for (let i = whole; i < n; i++) {
    const shift = (i - whole) * 8
    if (shift < 32) ll |= data[i]! << shift
    else lh |= data[i]! << (shift - 32)
  }
  compress(lh, ll)
  const lo = finish()
  return [high, lo]
}
