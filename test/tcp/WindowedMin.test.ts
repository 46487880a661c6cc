/**
 * The windowed minimum (Linux's win_minmax running minimum, a connection's
 * min RTT over 300 s): exact while samples fall, aged out once held a whole
 * window, never below a sample inside the window nor above the latest, and
 * checked against the minimum over every sample kept (a brute force) on
 * seeded random paths.
 */
import { describe, expect, it } from "vitest"
import * as WindowedMin from "../../src/tcp/WindowedMin.js"
import { seeded } from "../support/Random.js"

const W = 1000

describe("WindowedMin", () => {
  it("nothing seen: Infinity; the first sample is the minimum, a smaller one replaces it, a larger one does not", () => {
    const m = WindowedMin.make()
    expect(WindowedMin.get(m)).toBe(Infinity)
    expect(WindowedMin.update(m, W, 0, 30)).toBe(30)
    expect(WindowedMin.update(m, W, 10, 40)).toBe(30)
    expect(WindowedMin.update(m, W, 20, 20)).toBe(20)
    expect(WindowedMin.get(m)).toBe(20)
  })

  it("a path that grows longer: the old minimum is held a whole window, then the new one is taken", () => {
    const m = WindowedMin.make()
    WindowedMin.update(m, W, 0, 10)
    // 50 every 10 ms from then on
    for (let t = 10; t <= W; t += 10) expect(WindowedMin.update(m, W, t, 50)).toBe(10)
    expect(WindowedMin.update(m, W, W + 10, 50)).toBe(50)
  })

  it("a later minimum that is not the best moves up when the best ages out (the second candidate, taken after a quarter of the window; the third after half)", () => {
    const m = WindowedMin.make()
    WindowedMin.update(m, W, 0, 10)
    WindowedMin.update(m, W, 300, 30)
    WindowedMin.update(m, W, 700, 60)
    for (let t = 710; t <= W; t += 10) WindowedMin.update(m, W, t, 90)
    // the 10 is gone after W; the 30 of t = 300 is still inside
    expect(WindowedMin.update(m, W, W + 50, 90)).toBe(30)
    // and after it the 60 (t = 700)
    expect(WindowedMin.update(m, W, W + 350, 90)).toBe(60)
  })

  it("the approximation: a sample in the best's first quarter-window that is not smaller is not kept (Linux's as well), so the next minimum comes from later", () => {
    const m = WindowedMin.make()
    WindowedMin.update(m, W, 0, 10)
    WindowedMin.update(m, W, 100, 30)
    WindowedMin.update(m, W, 600, 60)
    expect(WindowedMin.update(m, W, W + 50, 90)).toBe(60)
  })

  it("a long silence: a sample after more than a window starts afresh", () => {
    const m = WindowedMin.make()
    WindowedMin.update(m, W, 0, 10)
    WindowedMin.update(m, W, 500, 20)
    expect(WindowedMin.update(m, W, 500 + W + 1, 70)).toBe(70)
  })

  it("falling samples: exact at each", () => {
    const m = WindowedMin.make()
    for (let t = 0, v = 500; v > 0; t += 37, v -= 7) expect(WindowedMin.update(m, W, t, v)).toBe(v)
  })

  it("seeded random paths: never below the minimum of the samples inside the window, never above the latest sample, equal to it when the latest is the smallest", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = seeded(seed)
      const m = WindowedMin.make()
      const kept: Array<{ at: number; value: number }> = []
      let at = 0
      for (let i = 0; i < 400; i++) {
        // gaps mostly short, now and then most of a window; a slowly rising floor with noise
        at += Math.floor(rnd() * (rnd() < 0.05 ? 900 : 40))
        const value = Math.floor(rnd() * 100) + (rnd() < 0.5 ? i >> 1 : 0)
        kept.push({ at, value })
        const got = WindowedMin.update(m, W, at, value)
        let inside = Infinity
        for (const k of kept) if (at - k.at <= W && k.value < inside) inside = k.value
        expect(got).toBeGreaterThanOrEqual(inside)
        expect(got).toBeLessThanOrEqual(value)
        if (value === inside) expect(got).toBe(value)
      }
    }
  })
})
