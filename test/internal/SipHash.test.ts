/**
 * SipHash-2-4 on 32-bit halves: the reference vectors of the SipHash paper
 * (key 00..0f, message 00..len-1), and any key and message against a
 * straightforward BigInt implementation of the paper's description.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Sip from "../../src/internal/SipHash.js"

/** the 64-bit result as the paper prints its octets: little-endian */
const octets = ([hi, lo]: [number, number]): Array<number> => {
  const out: Array<number> = []
  for (let i = 0; i < 4; i++) out.push((lo >>> (8 * i)) & 0xff)
  for (let i = 0; i < 4; i++) out.push((hi >>> (8 * i)) & 0xff)
  return out
}

const M64 = (1n << 64n) - 1n
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & M64
const reference = (key: Uint8Array, data: Uint8Array): bigint => {
  const word = (b: Uint8Array, at: number, n = 8): bigint => {
    let w = 0n
    for (let i = n - 1; i >= 0; i--) w = (w << 8n) | BigInt(b[at + i]!)
    return w
  }
  const k0 = word(key, 0)
  const k1 = word(key, 8)
  const v = [k0 ^ 0x736f6d6570736575n, k1 ^ 0x646f72616e646f6dn, k0 ^ 0x6c7967656e657261n, k1 ^ 0x7465646279746573n]
  const round = () => {
    v[0] = (v[0]! + v[1]!) & M64
    v[1] = rotl(v[1]!, 13n) ^ v[0]
    v[0] = rotl(v[0], 32n)
    v[2] = (v[2]! + v[3]!) & M64
    v[3] = rotl(v[3]!, 16n) ^ v[2]
    v[0] = (v[0] + v[3]) & M64
    v[3] = rotl(v[3], 21n) ^ v[0]
    v[2] = (v[2] + v[1]) & M64
    v[1] = rotl(v[1], 17n) ^ v[2]
    v[2] = rotl(v[2], 32n)
  }
  const blocks = Math.floor(data.length / 8)
  const last = new Uint8Array(8)
  last.set(data.subarray(blocks * 8))
  last[7] = data.length & 0xff
  const words = [...Array.from({ length: blocks }, (_, i) => word(data, i * 8)), word(last, 0)]
  for (const m of words) {
    v[3] = v[3]! ^ m
    round()
    round()
    v[0] = v[0]! ^ m
  }
  v[2] = v[2]! ^ 0xffn
  for (let i = 0; i < 4; i++) round()
  return v[0]! ^ v[1]! ^ v[2]! ^ v[3]!
}

describe("SipHash-2-4", () => {
  const key = Sip.keyOf(Uint8Array.from({ length: 16 }, (_, i) => i))
  const message = (n: number) => Uint8Array.from({ length: n }, (_, i) => i)

  it("gives the paper's reference outputs", () => {
    const vectors: Array<[number, Array<number>]> = [
      [0, [0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72]],
      [1, [0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74]],
      [2, [0x5a, 0x4f, 0xa9, 0xd9, 0x09, 0x80, 0x6c, 0x0d]],
      [3, [0x2d, 0x7e, 0xfb, 0xd7, 0x96, 0x66, 0x67, 0x85]],
      [4, [0xb7, 0x87, 0x71, 0x27, 0xe0, 0x94, 0x27, 0xcf]],
      [5, [0x8d, 0xa6, 0x99, 0xcd, 0x64, 0x55, 0x76, 0x18]],
      [8, [0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93]],
      // the worked example of the paper's appendix: a129ca6149be45e5
      [15, [0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1]]
    ]
    for (const [n, want] of vectors) expect(octets(Sip.hash(key, message(n))), `length ${n}`).toEqual(want)
  })

  it.prop(
    "agrees with a BigInt implementation for any key and message",
    // up to 300 octets: whole blocks, every tail length, and lengths past 255 (the last block keeps len mod 256)
    [fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 300, size: "max" })],
    ([k, data]) => {
      const [hi, lo] = Sip.hash(Sip.keyOf(k), data)
      expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(reference(k, data))
    }
  )

  it.prop(
    "hash3 is the hash of the 12 octets its three words make, little-endian",
    [fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.tuple(fc.nat(), fc.nat(), fc.nat()).map((w) => w.map((x) => (x * 0x9e3779b1) >>> 0))],
    ([k, [w0, w1, w2]]) => {
      const octets = new Uint8Array(12)
      const view = new DataView(octets.buffer)
      view.setUint32(0, w0!, true)
      view.setUint32(4, w1!, true)
      view.setUint32(8, w2!, true)
      const key = Sip.keyOf(k)
      expect(Sip.hash3(key, w0!, w1!, w2!)).toBe(Sip.hash(key, octets)[1])
    }
  )

  it("refuses a key that is not 16 octets", () => {
    expect(() => Sip.keyOf(new Uint8Array(15))).toThrow(RangeError)
  })
})
