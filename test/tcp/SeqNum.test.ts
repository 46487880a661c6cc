/**
 * Sequence-number arithmetic mod 2^32 (RFC 9293 §3.4, RFC 1982).
 *
 * The examples sit where the space wraps (0xffffffff -> 0) and where the
 * signed difference changes sign (2^31 apart). The properties check the
 * module against a model in BigInt, which has no 32-bit wrap of its own to
 * hide a bug behind: an offset k from s is the number (s + k) mod 2^32.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as S from "../../src/tcp/SeqNum.js"
import type { SeqNum } from "../../src/tcp/SeqNum.js"
import * as Arb from "../support/TcpArbitraries.js"

const TWO_31 = 0x80000000
const MOD = 1n << 32n

const seq = S.make
/** (x - y) mod 2^32, computed in BigInt. */
const forwardDistance = (x: number, y: number): bigint => (((BigInt(x) - BigInt(y)) % MOD) + MOD) % MOD

describe("SeqNum", () => {
  describe("make, add and sub wrap at 2^32", () => {
    it("make reduces any safe integer mod 2^32, as the 32-bit field would", () => {
      expect(S.make(0)).toBe(0)
      expect(S.make(0xffffffff)).toBe(0xffffffff)
      expect(S.make(0x100000000)).toBe(0)
      expect(S.make(0x100000005)).toBe(5)
      expect(S.make(-1)).toBe(0xffffffff)
      expect(S.make(-0x100000000)).toBe(0)
      expect(S.ZERO).toBe(0)
    })

    it("add crosses the wrap: 0xfffffff0 + 0x20 = 0x10, and back with a negative count", () => {
      expect(S.add(seq(0xfffffff0), 0x20)).toBe(0x10)
      expect(S.add(seq(0xffffffff), 1)).toBe(0)
      expect(S.add(seq(0x10), -0x20)).toBe(0xfffffff0)
      expect(S.add(seq(5), 0xffffffff)).toBe(4) // a whole lap less one
    })

    it("sub is the signed 32-bit distance, across the wrap", () => {
      expect(S.sub(seq(0x10), seq(0xfffffff0))).toBe(0x20)
      expect(S.sub(seq(0xfffffff0), seq(0x10))).toBe(-0x20)
      expect(S.sub(seq(0), seq(0xffffffff))).toBe(1)
      expect(S.sub(seq(7), seq(7))).toBe(0)
      expect(S.sub(seq(TWO_31 - 1), seq(0))).toBe(TWO_31 - 1)
      expect(S.sub(seq(TWO_31), seq(0))).toBe(-TWO_31) // the one ambiguous distance
    })
  })

  describe("ordering by wrapping subtraction", () => {
    it("0xffffffff is before 0, which raw < gets backwards", () => {
      const a = seq(0xffffffff)
      const b = seq(0)
      expect(S.lt(a, b)).toBe(true)
      expect(S.lte(a, b)).toBe(true)
      expect(S.gt(a, b)).toBe(false)
      expect(S.gte(a, b)).toBe(false)
      expect(S.gt(b, a)).toBe(true)
      expect(S.lt(b, a)).toBe(false)
      expect(a < b).toBe(false) // why nothing may compare SeqNums with <
    })

    it("equal numbers: lte and gte, not lt or gt", () => {
      for (const v of [0, 1, TWO_31, 0xffffffff]) {
        expect([S.lt(seq(v), seq(v)), S.lte(seq(v), seq(v)), S.gt(seq(v), seq(v)), S.gte(seq(v), seq(v))]).toEqual([
          false,
          true,
          false,
          true
        ])
      }
    })

    it("2^31 - 1 apart is still ordered; exactly 2^31 apart each is 'before' the other (undefined, RFC 1982 §3.2)", () => {
      expect(S.lt(seq(0), seq(TWO_31 - 1))).toBe(true)
      expect(S.lt(seq(TWO_31 - 1), seq(0))).toBe(false)
      expect(S.lt(seq(0), seq(TWO_31))).toBe(true)
      expect(S.lt(seq(TWO_31), seq(0))).toBe(true)
    })

    it("max and min pick by sequence order across the wrap, the first on a tie", () => {
      expect(S.max(seq(0xfffffff0), seq(0x10))).toBe(0x10)
      expect(S.max(seq(0x10), seq(0xfffffff0))).toBe(0x10)
      expect(S.min(seq(0xfffffff0), seq(0x10))).toBe(0xfffffff0)
      expect(S.min(seq(0x10), seq(0xfffffff0))).toBe(0xfffffff0)
      expect(S.max(seq(9), seq(9))).toBe(9)
      expect(S.min(seq(9), seq(9))).toBe(9)
    })
  })

  describe("inWindow and inRange", () => {
    it("a window of 0x20 starting at 0xfffffff0 holds 0xfffffff0..0xffffffff and 0..0xf", () => {
      const start = seq(0xfffffff0)
      for (let k = 0; k < 0x20; k++) expect(S.inWindow(S.add(start, k), start, 0x20)).toBe(true)
      expect(S.inWindow(seq(0x10), start, 0x20)).toBe(false) // start + size: one past the end
      expect(S.inWindow(seq(0xffffffef), start, 0x20)).toBe(false) // one before the start
      expect(S.inWindow(seq(0), start, 0x20)).toBe(true)
    })

    it("a zero window holds nothing, not even its start (RFC 9293 §3.10.7.4 handles it separately)", () => {
      for (const v of [0, 1, 0xfffffff0, 0xffffffff]) expect(S.inWindow(seq(v), seq(v), 0)).toBe(false)
    })

    it("a window of 2^32 - 1 holds everything but the number just before its start", () => {
      const start = seq(0xfffffff0)
      expect(S.inWindow(seq(0xffffffef), start, 0xffffffff)).toBe(false)
      for (const v of [0xfffffff0, 0xffffffff, 0, TWO_31, 0xffffffee]) {
        expect(S.inWindow(seq(v), start, 0xffffffff)).toBe(true)
      }
    })

    it("inRange is half-open [a, b), across the wrap; [a, a) is empty", () => {
      const a = seq(0xfffffffe)
      const b = seq(2)
      expect([0xfffffffd, 0xfffffffe, 0xffffffff, 0, 1, 2].map((v) => S.inRange(seq(v), a, b))).toEqual([
        false,
        true,
        true,
        true,
        true,
        false
      ])
      expect(S.inRange(seq(5), seq(5), seq(5))).toBe(false)
    })
  })

  describe("laws across the 2^32 wrap (BigInt model)", () => {
    it.prop("add and sub are inverse: add(b, sub(a, b)) = a", [Arb.seqNum, Arb.seqNum], ([a, b]) => {
      expect(S.add(b, S.sub(a, b))).toBe(a)
    }, { fastCheck: { numRuns: 2000 } })

    it.prop("sub(add(a, d), a) = d for every signed distance d in [-2^31, 2^31)", [Arb.seqNum, Arb.distance], ([a, d]) => {
      expect(S.sub(S.add(a, d), a)).toBe(d)
    }, { fastCheck: { numRuns: 2000 } })

    it.prop("add agrees with (s + n) mod 2^32", [Arb.seqNum, fc.integer({ min: -(2 ** 40), max: 2 ** 40 })], ([s, n]) => {
      expect(BigInt(S.add(s, n))).toBe((((BigInt(s) + BigInt(n)) % MOD) + MOD) % MOD)
    }, { fastCheck: { numRuns: 2000 } })

    it.prop(
      "lt is antisymmetric for distances under 2^31: a < a + d and not a + d < a",
      [Arb.seqNum, Arb.forward],
      ([a, d]) => {
        const b = S.add(a, d)
        expect(S.lt(a, b)).toBe(true)
        expect(S.lt(b, a)).toBe(false)
        expect(S.gt(b, a)).toBe(true)
        expect(S.gt(a, b)).toBe(false)
        expect(S.lte(a, b)).toBe(true)
        expect(S.gte(a, b)).toBe(false)
        expect(S.max(a, b)).toBe(b)
        expect(S.min(b, a)).toBe(a)
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "trichotomy away from 2^31: exactly one of lt, equal, gt; lte = lt or equal; gte = gt or equal",
      [Arb.seqNum, Arb.seqNum],
      ([a, b]) => {
        fc.pre(forwardDistance(a, b) !== BigInt(TWO_31))
        const eq = a === b
        expect([S.lt(a, b), eq, S.gt(a, b)].filter(Boolean)).toHaveLength(1)
        expect(S.lte(a, b)).toBe(S.lt(a, b) || eq)
        expect(S.gte(a, b)).toBe(S.gt(a, b) || eq)
        // the model: b is after a when (b - a) mod 2^32 is in [1, 2^31)
        const fwd = forwardDistance(b, a)
        expect(S.lt(a, b)).toBe(fwd >= 1n && fwd < BigInt(TWO_31))
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "inside any span under 2^31 the order is the order of the offsets, wherever the span starts",
      [fc.oneof(Arb.seqNum, Arb.seqNearWrap), Arb.forward, Arb.forward],
      ([s, i, j]) => {
        const a = S.add(s, i - 1) // offsets 0 .. 2^31 - 2
        const b = S.add(s, j - 1)
        expect(S.lt(a, b)).toBe(i < j)
        expect(S.lte(a, b)).toBe(i <= j)
        expect(S.max(a, b)).toBe(i >= j ? a : b)
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "inWindow(x, start, size) holds exactly when (x - start) mod 2^32 < size",
      [fc.oneof(Arb.seqNum, Arb.seqNearWrap), fc.oneof(Arb.seqNum, Arb.seqNearWrap), Arb.size],
      ([x, start, size]) => {
        expect(S.inWindow(x, start, size)).toBe(forwardDistance(x, start) < BigInt(size))
      },
      { fastCheck: { numRuns: 3000 } }
    )

    it.prop(
      "a window from 0xfffffff0 +- 64 holds start + k exactly for k < size",
      [Arb.seqNearWrap, fc.integer({ min: 0, max: 256 }), fc.integer({ min: 0, max: 256 })],
      ([start, k, size]) => {
        expect(S.inWindow(S.add(start, k), start, size)).toBe(k < size)
      },
      { fastCheck: { numRuns: 3000 } }
    )

    it.prop(
      "inRange(x, a, b) = inWindow(x, a, (b - a) mod 2^32)",
      [Arb.seqNum, Arb.seqNum, Arb.seqNum],
      ([x, a, b]) => {
        expect(S.inRange(x, a, b)).toBe(S.inWindow(x, a, Number(forwardDistance(b, a))))
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "every result is a uint32 (the brand's invariant)",
      [Arb.seqNum, fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), Arb.seqNum],
      ([a, n, b]) => {
        const isU32 = (v: SeqNum): boolean => Number.isInteger(v) && v >= 0 && v <= 0xffffffff
        expect(isU32(S.add(a, n))).toBe(true)
        expect(isU32(S.make(n))).toBe(true)
        expect(isU32(S.max(a, b))).toBe(true)
        expect(isU32(S.min(a, b))).toBe(true)
      },
      { fastCheck: { numRuns: 1000 } }
    )
  })
})
