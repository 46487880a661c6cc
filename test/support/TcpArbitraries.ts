/**
 * FastCheck arbitraries for TCP: sequence numbers and the TCP header codec
 * (STYLE.md §6b).
 *
 * Sequence numbers are biased towards the places where modular arithmetic
 * goes wrong: around 0 / 2^32 (the wrap), around 2^31 (where the signed
 * difference changes sign) and at 0xfffffff0, the initial sequence number
 * TCP-PITFALLS.md suggests for SACK tests.
 *
 * `tcpRepr` produces only values the codec represents exactly, so
 * `parse(emit(r))` must deep-equal `r`: options whose layout fits in 40
 * octets (SACK blocks are cut to what fits, and dropped when none does),
 * an MSS of 1..65535 (parse reads 0 as no MSS, as Linux does), window
 * shifts 0..14 (parse reads larger ones as 14), SACK lists never
 * empty (an empty list emits nothing and so parses as absent), and absent
 * option keys really absent (not `undefined`), as parse leaves them.
 *
 * @since 0.1.0
 */
import { FastCheck as fc } from "effect"
import * as SeqNum from "../../src/tcp/SeqNum.js"
import type { SackBlock, TcpOptions, TcpRepr } from "../../src/wire/TcpHeader.js"
import * as Checksum from "../../src/wire/Checksum.js"
import { u16, u32, u8, withValidChecksum } from "./Arbitraries.js"

const TWO_31 = 0x80000000

/** Any uint32, with extra weight on 0, 2^31 and 2^32 - 1 and their neighbours. */
export const uint32Edgy: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: u32, weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 32 }), weight: 1 },
  { arbitrary: fc.integer({ min: 0xffffffff - 32, max: 0xffffffff }), weight: 2 },
  { arbitrary: fc.integer({ min: TWO_31 - 32, max: TWO_31 + 32 }), weight: 1 }
)

export const seqNum: fc.Arbitrary<SeqNum.SeqNum> = uint32Edgy.map(SeqNum.make)

/** A window start near the wrap (0xfffffff0 give or take), where raw `<` breaks. */
export const seqNearWrap: fc.Arbitrary<SeqNum.SeqNum> = fc
  .integer({ min: -64, max: 64 })
  .map((d) => SeqNum.make(0xfffffff0 + d))

/** A size in sequence space, 0..2^32 - 1. */
export const size: fc.Arbitrary<number> = uint32Edgy

/** A signed distance in [-2^31, 2^31): every value `sub` can return. */
export const distance: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -TWO_31, max: TWO_31 - 1 }),
  fc.integer({ min: -64, max: 64 }),
  fc.constantFrom(-TWO_31, -TWO_31 + 1, TWO_31 - 1, TWO_31 - 2)
)

/** A forward distance in [1, 2^31): the ones for which the order is defined. */
export const forward: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: TWO_31 - 1 }),
  fc.integer({ min: 1, max: 64 }),
  fc.integer({ min: TWO_31 - 64, max: TWO_31 - 1 })
)

// ---------------------------------------------------------------------------
// TCP header
// ---------------------------------------------------------------------------

const sackBlock: fc.Arbitrary<SackBlock> = fc.record({ left: seqNum, right: seqNum })

/** Octets the non-SACK options take in the codec's layout (see TcpHeader's module doc). */
const fixedOptionsLen = (o: Omit<TcpOptions, "sack">): number =>
  (o.mss !== undefined ? 4 : 0) + (o.timestamp !== undefined ? 12 : o.sackPermitted ? 4 : 0) +
  (o.windowScale !== undefined ? 4 : 0)

export const tcpOptions: fc.Arbitrary<TcpOptions> = fc
  .record(
    {
      mss: fc.integer({ min: 1, max: 0xffff }),
      windowScale: fc.integer({ min: 0, max: 14 }),
      sackPermitted: fc.boolean(),
      sack: fc.array(sackBlock, { minLength: 1, maxLength: 4 }),
      timestamp: fc.record({ value: u32, echo: u32 })
    },
    { requiredKeys: ["sackPermitted"] }
  )
  .map((o) => {
    // Keep only the SACK blocks that fit in 40 octets beside the rest.
    const { sack, ...rest } = o
    if (sack === undefined) return rest
    const fit = Math.min(sack.length, Math.floor((40 - fixedOptionsLen(rest) - 4) / 8))
    return fit >= 1 ? { ...rest, sack: sack.slice(0, fit) } : rest
  })

export const tcpRepr: fc.Arbitrary<TcpRepr> = fc.record({
  srcPort: u16,
  dstPort: u16,
  seq: seqNum,
  ack: seqNum,
  flags: u8,
  window: u16,
  urgent: u16,
  options: tcpOptions
})

/** Option octets that stress the walker: small kinds and lengths, mostly. */
const optionOctet: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 12 }), weight: 6 },
  { arbitrary: fc.constantFrom(18, 26, 34, 253, 254), weight: 1 },
  { arbitrary: u8, weight: 2 }
)

const bytesOf = (n: number): fc.Arbitrary<Array<number>> => fc.array(u8, { minLength: n, maxLength: n })

/**
 * One option as octets: mostly well formed (every known kind, unknown kinds
 * with a sound length, NOP, now and then EOL), sometimes a few junk octets
 * that may or may not make the list malformed (which parse then reads as
 * Linux does).
 */
const optionToken: fc.Arbitrary<ReadonlyArray<number>> = fc.oneof(
  { arbitrary: fc.constant([1]), weight: 3 },
  { arbitrary: fc.constant([0]), weight: 1 },
  { arbitrary: bytesOf(2).map((v) => [2, 4, ...v]), weight: 2 },
  { arbitrary: u8.map((shift) => [3, 3, shift]), weight: 2 },
  { arbitrary: fc.constant([4, 2]), weight: 2 },
  { arbitrary: bytesOf(8).map((v) => [8, 10, ...v]), weight: 2 },
  {
    arbitrary: fc.integer({ min: 1, max: 4 }).chain((n) => bytesOf(8 * n).map((v) => [5, 2 + 8 * n, ...v])),
    weight: 2
  },
  {
    arbitrary: fc
      .tuple(fc.oneof(fc.integer({ min: 6, max: 7 }), fc.integer({ min: 9, max: 255 })), fc.integer({ min: 2, max: 8 }))
      .chain(([kind, len]) => bytesOf(len - 2).map((v) => [kind, len, ...v])),
    weight: 2
  },
  { arbitrary: fc.array(optionOctet, { minLength: 1, maxLength: 3 }), weight: 2 }
)

/**
 * A TCP segment from `src` to `dst` with a random fixed header, a data
 * offset of 5..15 words, options built from `optionToken`s (cut at the data
 * offset, or padded with NOPs up to it) and a payload, and a checksum that
 * verifies, so the options are the only thing that may be wrong with it.
 * About half are well formed.
 */
export const segmentWithRandomOptions = (src: number, dst: number): fc.Arbitrary<Uint8Array> =>
  withValidChecksum(
    fc
      .tuple(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.integer({ min: 5, max: 15 }),
        fc.array(optionToken, { maxLength: 12 }),
        fc.uint8Array({ maxLength: 32 })
      )
      .map(([fixed, words, tokens, payload]) => {
        const hl = words * 4
        const options = tokens.flat().slice(0, hl - 20)
        const b = new Uint8Array(hl + payload.length)
        b.set(fixed)
        b.fill(1, 20, hl) // NOP padding where the tokens run out
        b.set(options, 20)
        b.set(payload, hl)
        b[12] = (words << 4) | (fixed[12]! & 0x0f)
        return b
      }),
    16,
    (b) => Checksum.finish(Checksum.sum(b, Checksum.pseudoHeaderSum(src, dst, 6, b.length)))
  )
