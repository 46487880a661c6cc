/**
 * Small pieces copied together (src/internal/Coalesce.ts): a copy joins the
 * newest piece only when that piece is the store's last; a full store gives
 * way to a fresh one; what was handed out before never changes.
 */
import { describe, expect, it } from "vitest"
import * as Coalesce from "../../src/internal/Coalesce.js"

const small = (): Coalesce.Small => ({ smallStore: undefined, smallUsed: 0 })

describe("Coalesce", () => {
  it("joins a copy to the store's last piece, and to nothing else", () => {
    const s = small()
    const a = Coalesce.copyIn(s, undefined, Uint8Array.of(1, 2), 8)
    expect(Coalesce.grew(a, undefined)).toBe(false)
    const ab = Coalesce.copyIn(s, a, Uint8Array.of(3), 8)
    expect(Coalesce.grew(ab, a)).toBe(true)
    expect(Array.from(ab)).toEqual([1, 2, 3])
    // `a` (an older piece of the same store, not its last) is not grown: the copy is a piece of its own
    const c = Coalesce.copyIn(s, a, Uint8Array.of(4), 8)
    expect(Coalesce.grew(c, a)).toBe(false)
    expect(Array.from(c)).toEqual([4])
    expect(Array.from(a)).toEqual([1, 2])
  })

  it("a copy that does not fit starts a fresh store; one larger than a store gets a store of its size", () => {
    const s = small()
    const a = Coalesce.copyIn(s, undefined, Uint8Array.of(1, 2, 3), 4)
    const b = Coalesce.copyIn(s, a, Uint8Array.of(4, 5), 4)
    expect(b.buffer).not.toBe(a.buffer)
    expect(Coalesce.grew(b, a)).toBe(false)
    expect(Array.from(a)).toEqual([1, 2, 3])
    const big = Coalesce.copyIn(s, b, new Uint8Array(9).fill(6), 4)
    expect(big.length).toBe(9)
    expect(Array.from(b)).toEqual([4, 5])
  })
})
