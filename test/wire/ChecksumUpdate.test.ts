/**
 * RFC 1624's incremental update: changing one 16-bit word and updating the
 * checksum gives the same checksum as summing the changed data again.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Checksum from "../../src/wire/Checksum.js"

describe("Checksum.update (RFC 1624)", () => {
  it.prop(
    "equals a full recomputation after one word changes",
    [fc.uint8Array({ minLength: 2, maxLength: 600 }), fc.nat(), fc.integer({ min: 0, max: 0xffff })],
    ([bytes, at, word]) => {
      const data = Uint8Array.from(bytes)
      if (data.length % 2 === 1) data[data.length - 1] = 0 // keep the words whole
      const i = (at % Math.floor(data.length / 2)) * 2
      const before = Checksum.checksum(data)
      const old = (data[i]! << 8) | data[i + 1]!
      data[i] = word >>> 8
      data[i + 1] = word & 0xff
      const updated = Checksum.update(before, old, word)
      const full = Checksum.checksum(data)
      // One's complement has two zeros: 0x0000 and 0xffff stand for the same sum.
      expect(updated === full || (updated ^ full) === 0xffff && (updated === 0 || full === 0)).toBe(true)
    },
    { fastCheck: { numRuns: 2000 } }
  )

  it("turns an echo request's type word into a reply's", () => {
    const msg = Uint8Array.from([8, 0, 0, 0, 0x12, 0x34, 0, 1, 1, 2, 3, 4])
    const c = Checksum.checksum(msg)
    msg[2] = c >>> 8
    msg[3] = c & 0xff
    const updated = Checksum.update(c, 0x0800, 0x0000)
    msg[0] = 0
    msg[2] = updated >>> 8
    msg[3] = updated & 0xff
    expect(Checksum.checksum(msg)).toBe(0)
  })
})
