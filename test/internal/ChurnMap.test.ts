/**
 * ChurnMap: a Map whose values sit in boxes emptied on delete. It must
 * behave as a Map for what the TCP dealer asks of it.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { ChurnMap } from "../../src/internal/ChurnMap.js"

describe("ChurnMap", () => {
  it("get, has, set (replacing), delete, size and values as a Map", () => {
    const m = new ChurnMap<string, { n: number }>()
    const a = { n: 1 }
    m.set("a", a).set("b", { n: 2 })
    expect(m.get("a")).toBe(a)
    expect(m.has("b")).toBe(true)
    m.set("a", { n: 3 })
    expect(m.get("a")).toEqual({ n: 3 })
    expect(m.size).toBe(2)
    expect(m.delete("a")).toBe(true)
    expect(m.delete("a")).toBe(false)
    expect(m.get("a")).toBeUndefined()
    expect(m.has("a")).toBe(false)
    expect(m.values()).toEqual([{ n: 2 }])
  })

  it("values is a snapshot: deleting while walking it visits each value once", () => {
    const m = new ChurnMap<number, number>()
    for (let i = 0; i < 10; i++) m.set(i, i * 10)
    const seen: Array<number> = []
    for (const v of m.values()) {
      seen.push(v)
      m.delete(v / 10)
    }
    expect(seen).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
    expect(m.size).toBe(0)
  })

  it.prop(
    "after any sequence of set/delete it agrees with a Map",
    [fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 }), fc.integer()), { maxLength: 300 })],
    ([ops]) => {
      const m = new ChurnMap<number, number>()
      const model = new Map<number, number>()
      for (const [add, k, v] of ops) {
        if (add) {
          m.set(k, v)
          model.set(k, v)
        } else {
          expect(m.delete(k)).toBe(model.delete(k))
        }
        expect(m.size).toBe(model.size)
        expect(m.get(k)).toBe(model.get(k))
      }
      expect(m.values()).toEqual([...model.values()])
    }
  )
})
