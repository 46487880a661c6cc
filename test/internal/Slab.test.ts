/**
 * Slab: small buffers cut from shared slabs. A cut must be fresh octets of
 * its own (never handed out twice, never overlapping another live cut),
 * whatever sizes come in; large ones are buffers of their own.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Slab from "../../src/internal/Slab.js"
import { flattenInto } from "../../src/link/Link.js"

describe("Slab", () => {
  it.prop(
    "cuts of any sizes are zeroed, 8-aligned and disjoint: writing one changes no other",
    [fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 200 })],
    ([sizes]) => {
      const slab = Slab.make(1024, 256)
      const cuts = sizes.map((n) => slab.cut(n))
      cuts.forEach((c, i) => {
        expect(c.length).toBe(sizes[i])
        expect(c.every((x) => x === 0)).toBe(true)
        if (c.length <= 256) expect(c.byteOffset % 8).toBe(0)
        c.fill((i % 255) + 1)
      })
      cuts.forEach((c, i) => expect(c.every((x) => x === (i % 255) + 1)).toBe(true))
    }
  )

  it("a cut above the largest is a buffer of its own; a full slab is followed by a fresh one", () => {
    const slab = Slab.make(64, 32)
    const big = slab.cut(33)
    expect(big.byteOffset).toBe(0)
    expect(big.buffer.byteLength).toBe(33)
    const a = slab.cut(32)
    const b = slab.cut(32)
    expect(b.buffer).toBe(a.buffer)
    const c = slab.cut(1)
    expect(c.buffer).not.toBe(a.buffer)
    expect(c.byteOffset).toBe(0)
  })

  it("a largest cut above the slab's size is taken as the slab's size", () => {
    const slab = Slab.make(512, 1024)
    expect(slab.cut(800).length).toBe(800)
    expect(slab.cut(512).length).toBe(512)
  })

  it("a frame flattened into cuts (Link.flattenInto, as the loopback does): its pieces copied in order, a later change to a piece changes nothing", () => {
    const slab = Slab.make()
    const head = Uint8Array.of(1, 2, 3)
    const body = Uint8Array.of(4, 5)
    const one = flattenInto([head, body], slab.cut)
    expect(Array.from(one)).toEqual([1, 2, 3, 4, 5])
    body[0] = 99
    expect(Array.from(one)).toEqual([1, 2, 3, 4, 5])
    expect(Array.from(flattenInto([body], slab.cut))).toEqual([99, 5])
    expect(flattenInto([], slab.cut).length).toBe(0)
  })
})
