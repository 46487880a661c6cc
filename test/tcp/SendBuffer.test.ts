/**
 * The send half's buffer: octets by sequence number, as views of the chunks
 * the application wrote where they lie in one, copies where they span two;
 * released octets are gone, whatever the chunks still hold (sequence numbers
 * wrap 2^32 here).
 */
import { describe, expect, it } from "vitest"
import * as SendBuffer from "../../src/tcp/SendBuffer.js"
import * as Seq from "../../src/tcp/SeqNum.js"

const START = Seq.make(0xfffffffa)
const at = (n: number) => Seq.add(START, n)

const filled = () => {
  const b = SendBuffer.make(START)
  SendBuffer.append(b, Uint8Array.of(0, 1, 2, 3, 4))
  SendBuffer.append(b, Uint8Array.of(5, 6, 7))
  SendBuffer.append(b, Uint8Array.of(8, 9, 10, 11))
  return b
}

describe("SendBuffer", () => {
  it("a slice inside one chunk is a view of it; one across chunks is a copy, across the 2^32 wrap too", () => {
    const b = filled()
    const inside = SendBuffer.slice(b, at(1), 3)
    expect(Array.from(inside)).toEqual([1, 2, 3])
    expect(inside.buffer).toBe(b.chunks[0]!.buffer)
    expect(Array.from(SendBuffer.slice(b, at(3), 7))).toEqual([3, 4, 5, 6, 7, 8, 9])
    expect(SendBuffer.end(b)).toBe(at(12))
  })

  it("released octets are gone: a slice from before the start is refused, not read from what the chunk still holds", () => {
    const b = filled()
    SendBuffer.release(b, at(2))
    expect(Array.from(SendBuffer.slice(b, at(2), 4))).toEqual([2, 3, 4, 5])
    expect(() => SendBuffer.slice(b, at(1), 2)).toThrow(RangeError)
    expect(() => SendBuffer.slice(b, at(10), 3)).toThrow(RangeError)
    // nothing asked, nothing given, wherever
    expect(SendBuffer.slice(b, at(12), 0).length).toBe(0)
  })
})

describe("SendBuffer: small writes behind others", () => {
  it("are copied together into one store: a segment of them is a view, and a view cut before stays as it was", () => {
    const b = SendBuffer.make(START)
    const first = Uint8Array.of(0)
    SendBuffer.append(b, first)
    // a write into an empty buffer is kept as it came
    expect(b.chunks[0]).toBe(first)
    const writes = Array.from({ length: 1000 }, (_, i) => Uint8Array.of((i + 1) & 0xff, (i + 1) & 0xff))
    for (const w of writes.slice(0, 500)) SendBuffer.append(b, w)
    expect(b.chunks.length).toBe(2)
    const cut = SendBuffer.slice(b, at(1), 1000)
    expect(cut.buffer).toBe(b.chunks[1]!.buffer)
    const before = Array.from(cut)
    for (const w of writes.slice(500)) SendBuffer.append(b, w)
    expect(Array.from(cut)).toEqual(before)
    // 2001 octets: the first write, then 2000 in stores of STORE octets (one chunk per store)
    expect(b.chunks.length).toBe(1 + Math.ceil(2000 / SendBuffer.STORE))
    expect(Array.from(SendBuffer.slice(b, at(1), 2000))).toEqual(writes.flatMap((w) => Array.from(w)))
    // a large write goes as it came, and small ones after it start a piece of their own
    const big = new Uint8Array(SendBuffer.SMALL).fill(9)
    SendBuffer.append(b, big)
    SendBuffer.append(b, Uint8Array.of(7))
    expect(b.chunks.at(-2)).toBe(big)
    expect(Array.from(SendBuffer.slice(b, at(2001), SendBuffer.SMALL + 1)).at(-1)).toBe(7)
    // all acknowledged: the buffer lets go of its store
    SendBuffer.release(b, at(2002 + SendBuffer.SMALL))
    expect(b.length).toBe(0)
    expect(b.smallStore).toBeUndefined()
  })
})

describe("SendBuffer: writes that are a small part of a larger buffer", () => {
  /** `n` octets (from `from`) as a view into a buffer of 64 frames of 1514 octets: a chunk read from the TAP's receive batch. */
  const inBatch = (n: number, from: number) => {
    const batch = new Uint8Array(64 * 1514)
    for (let k = 0; k < n; k++) batch[1514 * 5 + 54 + k] = (from + k) & 0xff
    return batch.subarray(1514 * 5 + 54, 1514 * 5 + 54 + n)
  }
  const retained = (views: ReadonlyArray<Uint8Array>) => {
    let sum = 0
    for (const buffer of new Set<ArrayBufferLike>(views.map((v) => v.buffer))) sum += buffer.byteLength
    return sum
  }

  it("an echo of 600-octet chunks each read from its own receive batch, to a peer that does not take them, holds about its octets", () => {
    const b = SendBuffer.make(START)
    const n = 400
    // (what a connection does with each write: SendBuffer.own, then append)
    for (let i = 0; i < n; i++) SendBuffer.append(b, SendBuffer.own(inBatch(600, i * 600), b.length))
    expect(b.length).toBe(n * 600)
    // the first went as it came (the buffer was empty): its batch, and the rest about themselves
    expect(retained(b.chunks)).toBeLessThan(2 * n * 600 + 64 * 1514)
    expect(Array.from(SendBuffer.slice(b, START, n * 600))).toEqual(Array.from({ length: n * 600 }, (_, i) => i & 0xff))
  })

  it("a write larger than the room, cut into pieces as room comes, is judged whole: its pieces go as they came, behind others or not", () => {
    const b = SendBuffer.make(START)
    SendBuffer.append(b, SendBuffer.own(inBatch(600, 0), b.length))
    const write = new Uint8Array(1 << 20)
    const whole = SendBuffer.own(write, b.length)
    expect(whole).toBe(write)
    for (let at = 0; at < write.length; at += 65536) {
      const piece = whole.subarray(at, at + 65536)
      SendBuffer.append(b, piece)
      expect(b.chunks.at(-1)).toBe(piece)
    }
  })

  it("a write that is most of its buffer goes as it came, behind others or not", () => {
    const b = SendBuffer.make(START)
    SendBuffer.append(b, inBatch(600, 0))
    for (let i = 0; i < 10; i++) {
      const own = new Uint8Array(1460 + 66).subarray(66)
      SendBuffer.append(b, own)
      expect(b.chunks.at(-1)).toBe(own)
    }
  })
})
