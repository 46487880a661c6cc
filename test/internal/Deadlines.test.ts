/**
 * The indexed deadline heap behind a stack-wide timer fiber: one deadline per
 * owner, moved earlier or later, removed, and taken when due, earliest first.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as D from "../../src/internal/Deadlines.js"

describe("Deadlines", () => {
  it("keeps one deadline per owner; moving it re-orders; takeDue returns the due, earliest first", () => {
    const d = D.make<string>()
    D.set(d, "a", 300)
    D.set(d, "b", 100)
    D.set(d, "c", 200)
    expect(D.earliest(d)).toBe(100)
    D.set(d, "b", 400) // later
    expect(D.earliest(d)).toBe(200)
    D.set(d, "a", 50) // earlier
    expect(D.size(d)).toBe(3)
    expect(D.takeDue(d, 49)).toEqual([])
    expect(D.takeDue(d, 300)).toEqual(["a", "c"])
    expect(D.earliest(d)).toBe(400)
    D.remove(d, "b")
    D.remove(d, "b") // twice is fine
    expect(D.earliest(d)).toBeUndefined()
    expect(D.size(d)).toBe(0)
  })

  it.prop(
    "after any sequence of set/remove/takeDue, takeDue agrees with a plain map sorted by time",
    [
      fc.array(
        fc.oneof(
          fc.tuple(fc.constant("set" as const), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 1000 })),
          fc.tuple(fc.constant("remove" as const), fc.integer({ min: 0, max: 60 }), fc.constant(0)),
          fc.tuple(fc.constant("due" as const), fc.constant(0), fc.integer({ min: 0, max: 1000 }))
        ),
        { maxLength: 400, size: "max" } // fast-check would otherwise stop at about 10 operations
      )
    ],
    ([ops]) => {
      const d = D.make<number>()
      const model = new Map<number, number>()
      for (const [op, owner, t] of ops) {
        if (op === "set") {
          D.set(d, owner, t)
          model.set(owner, t)
        } else if (op === "remove") {
          D.remove(d, owner)
          model.delete(owner)
        } else {
          const got = D.takeDue(d, t)
          const want = [...model].filter(([, at]) => at <= t)
          for (const [o] of want) model.delete(o)
          // earliest first: the times are non-decreasing, and the owners are the same set
          expect(new Set(got)).toEqual(new Set(want.map(([o]) => o)))
          const times = got.map((o) => want.find(([w]) => w === o)![1])
          expect(times).toEqual([...times].sort((x, y) => x - y))
        }
        expect(D.size(d)).toBe(model.size)
        expect(D.earliest(d)).toBe(model.size === 0 ? undefined : Math.min(...model.values()))
      }
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("removing from the middle can move the last entry up past its new parent", () => {
    // Heap by insertion: a10, b50, c20, d60, e70, f30, g40 (valid as inserted).
    const d = D.make<string>()
    for (const [o, t] of [["a", 10], ["b", 50], ["c", 20], ["d", 60], ["e", 70], ["f", 30], ["g", 40]] as const) D.set(d, o, t)
    // g (40) takes d's place under b (50): it must rise above b, or the heap
    // hides it later, once b reaches the top before it.
    D.remove(d, "d")
    D.set(d, "h", 90)
    for (const o of ["a", "c", "f"]) D.remove(d, o)
    expect(D.earliest(d)).toBe(40)
    expect(D.takeDue(d, 1000)).toEqual(["g", "b", "e", "h"])
  })
})
