/**
 * Ephemeral ports for connect (RFC 6056 §3.3.4, Algorithm 4): one
 * destination's ports follow each other, a connect tries one port in the
 * steady state however many are held, and destinations do not share a
 * sequence.
 */
import { describe, expect, it } from "@effect/vitest"
import * as P from "../../src/tcp/PortSelection.js"

/** Deterministic "random" octets: a small xorshift stream from `seed`. */
const octets = (seed: number) => (n: number): Uint8Array => {
  let x = seed >>> 0 || 1
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

const LOCAL = 0xc6120002
const REMOTE = 0xc6120001

describe("ephemeral port selection", () => {
  it("gives one destination consecutive ports, wrapping from the last to the first", () => {
    const s = P.make(40_000, 40_009, octets(1))
    const got = Array.from({ length: 25 }, () => P.select(s, LOCAL, REMOTE, 80, () => true)!)
    for (const p of got) expect(p >= 40_000 && p <= 40_009).toBe(true)
    for (let i = 1; i < got.length; i++) expect(got[i]).toBe(got[i - 1] === 40_009 ? 40_000 : got[i - 1]! + 1)
    // every port of the range, each once per lap
    expect(new Set(got.slice(0, 10)).size).toBe(10)
  })

  it("tries one port per connect while the ports it handed out stay held, then says none is left after one lap", () => {
    const range = 2000
    const s = P.make(30_000, 30_000 + range - 1, octets(2))
    const held = new Set<number>()
    let tries = 0
    const suitable = (port: number) => {
      tries++
      return !held.has(port)
    }
    for (let i = 0; i < range; i++) {
      const p = P.select(s, LOCAL, REMOTE, 80, suitable)
      expect(p).toBeDefined()
      held.add(p!)
    }
    // a random start per connect (RFC 6056 §3.3.1) would try about range²/4 ports here, not one each
    expect(tries).toBe(range)
    tries = 0
    expect(P.select(s, LOCAL, REMOTE, 80, suitable)).toBeUndefined()
    expect(tries).toBe(range)
  })

  it("offers next the port held longest, the first to come free", () => {
    const s = P.make(50_000, 50_099, octets(3))
    const order: Array<number> = []
    for (let i = 0; i < 100; i++) order.push(P.select(s, LOCAL, REMOTE, 443, () => true)!)
    // all held but the oldest, which has come free
    let tries = 0
    const p = P.select(s, LOCAL, REMOTE, 443, (port) => {
      tries++
      return port === order[0]
    })
    expect(p).toBe(order[0])
    expect(tries).toBe(1)
  })

  it("keeps one sequence per destination: connects elsewhere do not move it", () => {
    const s = P.make(32_768, 60_999, octets(4))
    const first = P.select(s, LOCAL, REMOTE, 80, () => true)!
    for (let port = 81; port < 91; port++) P.select(s, LOCAL, REMOTE, port, () => true)
    for (let i = 0; i < 5; i++) P.select(s, LOCAL, REMOTE + 1, 80, () => true)
    expect(P.select(s, LOCAL, REMOTE, 80, () => true)).toBe(first + 1)
    // two selectors (two stacks, other keys) do not agree on one destination's sequence
    const a = P.make(32_768, 60_999, octets(5))
    const b = P.make(32_768, 60_999, octets(6))
    expect(P.select(a, LOCAL, REMOTE, 80, () => true)).not.toBe(P.select(b, LOCAL, REMOTE, 80, () => true))
  })

  it("takes a range of one port, and refuses ranges that are not one", () => {
    const s = P.make(7, 7, octets(7))
    expect(P.select(s, LOCAL, REMOTE, 80, () => true)).toBe(7)
    expect(P.select(s, LOCAL, REMOTE, 80, () => false)).toBeUndefined()
    expect(() => P.make(0, 10, octets(8))).toThrow(RangeError)
    expect(() => P.make(10, 9, octets(8))).toThrow(RangeError)
    expect(() => P.make(1, 65536, octets(8))).toThrow(RangeError)
  })
})
