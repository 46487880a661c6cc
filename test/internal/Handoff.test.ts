/**
 * Handoff.concat: the items of several batches in order, as `batches.flat()`
 * gives them for dense arrays (one level: an item that is itself an array
 * stays one item).
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { concat } from "../../src/internal/Handoff.js"

describe("Handoff.concat", () => {
  it.prop(
    "equals flat() of the batches",
    [fc.array(fc.array(fc.oneof(fc.integer(), fc.array(fc.integer(), { maxLength: 3 })), { maxLength: 6 }), { maxLength: 12 })],
    ([batches]) => {
      expect(concat(batches)).toEqual(batches.flat())
    }
  )

  it("makes a new array even of one batch", () => {
    const one = [1, 2]
    const out = concat([one])
    expect(out).toEqual([1, 2])
    expect(out).not.toBe(one)
  })
})
