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
