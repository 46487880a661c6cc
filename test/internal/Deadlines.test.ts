/**
 * The indexed deadline heap behind a stack-wide timer fiber: one deadline per
 * owner, moved earlier or later, removed, and taken when due, earliest first.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as D from "../../src/internal/Deadlines.js"

/** Owners carry their place (the wheel's are connections and records); one per name, made on first use. */
type Named<N> = D.Owner & { readonly name: N }
const owners = <N>() => {
  const made = new Map<N, Named<N>>()
  const of = (name: N) => {
    let o = made.get(name)
    if (o === undefined) made.set(name, o = { name, deadlineAt: 0, deadlineIndex: -1 })
    return o
  }
  of.made = () => [...made.values()]
  return of
}
const names = <N>(os: ReadonlyArray<{ readonly name: N }>): Array<N> => os.map((o) => o.name)

describe("Deadlines", () => {
  it("keeps one deadline per owner; moving it re-orders; takeDue returns the due, earliest first", () => {
    const d = D.make<Named<string>>()
    const o = owners<string>()
    D.set(d, o("a"), 300)
    D.set(d, o("b"), 100)
    D.set(d, o("c"), 200)
    expect(D.earliest(d)).toBe(100)
    D.set(d, o("b"), 400) // later
    expect(D.earliest(d)).toBe(200)
    D.set(d, o("a"), 50) // earlier
    expect(D.size(d)).toBe(3)
    expect(D.takeDue(d, 49)).toEqual([])
    expect(names(D.takeDue(d, 300))).toEqual(["a", "c"])
    expect(D.earliest(d)).toBe(400)
    D.remove(d, o("b"))
    D.remove(d, o("b")) // twice is fine
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
      const d = D.make<Named<number>>()
      const o = owners<number>()
      const model = new Map<number, number>()
      for (const [op, owner, t] of ops) {
        if (op === "set") {
          D.set(d, o(owner), t)
          model.set(owner, t)
        } else if (op === "remove") {
          D.remove(d, o(owner))
          model.delete(owner)
        } else {
          const got = names(D.takeDue(d, t))
          const want = [...model].filter(([, at]) => at <= t)
          for (const [o] of want) model.delete(o)
          // earliest first: the times are non-decreasing, and the owners are the same set
          expect(new Set(got)).toEqual(new Set(want.map(([o]) => o)))
          const times = got.map((o) => want.find(([w]) => w === o)![1])
          expect(times).toEqual([...times].sort((x, y) => x - y))
        }
        expect(D.size(d)).toBe(model.size)
        expect(D.earliest(d)).toBe(model.size === 0 ? undefined : Math.min(...model.values()))
        // each owner knows its place: in the heap where it says, or -1 when it has no deadline
        const misplaced = d.heap.filter((h, i) => h.deadlineIndex !== i).length
        const stray = o.made().filter((h) => !model.has(h.name) && h.deadlineIndex !== -1).length
        expect([misplaced, stray]).toEqual([0, 0])
      }
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("removing from the middle can move the last entry up past its new parent", () => {
    // Heap by insertion: a10, b50, c20, d60, e70, f30, g40 (valid as inserted).
    const d = D.make<Named<string>>()
    const o = owners<string>()
    for (const [n, t] of [["a", 10], ["b", 50], ["c", 20], ["d", 60], ["e", 70], ["f", 30], ["g", 40]] as const) D.set(d, o(n), t)
    // g (40) takes d's place under b (50): it must rise above b, or the heap
    // hides it later, once b reaches the top before it.
    D.remove(d, o("d"))
    D.set(d, o("h"), 90)
    for (const n of ["a", "c", "f"]) D.remove(d, o(n))
    expect(D.earliest(d)).toBe(40)
    expect(names(D.takeDue(d, 1000))).toEqual(["g", "b", "e", "h"])
  })
})
