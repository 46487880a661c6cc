/**
 * FastCheck arbitraries for the wire representations (STYLE.md §6b).
 *
 * Each `*Repr` arbitrary produces only values that the codec can represent
 * exactly, so `parse(emit(r))` must deep-equal `r`:
 *
 * - IPv4: options are whole 32-bit words (emit pads anything else, so a
 *   ragged length would not come back), at most 40 octets; fragment offsets
 *   are multiples of 8 (the wire carries 8-octet units); the reserved flag is
 *   not representable.
 * - ICMP: `nextHopMtu` is non-zero only for code 4 (parse reads it only
 *   there); `Other` never uses a type that has its own variant.
 *
 * The raw-bytes arbitraries feed the "parse never throws" properties: plain
 * random octets, random octets with a valid checksum (to get past the first
 * check), and mutations of the captured goldens (to stay near real packets).
 *
 * @since 0.1.0
 */
import { FastCheck as fc } from "effect"
import type { ArpRepr } from "../../src/wire/ArpPacket.js"
import type { EthernetRepr } from "../../src/wire/EthernetFrame.js"
import type { Icmpv4Repr } from "../../src/wire/IcmpMessage.js"
import type { Ipv4Addr } from "../../src/wire/Ipv4Addr.js"
import type { Ipv4Repr } from "../../src/wire/Ipv4Header.js"
import type { UdpRepr } from "../../src/wire/UdpHeader.js"

// ---------------------------------------------------------------------------
// scalars
// ---------------------------------------------------------------------------

export const u8: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xff })
export const u16: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffff })
export const u32: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffffffff })

/** Any IPv4 address, biased towards the edges (0.0.0.0, 255.255.255.255) by fast-check. */
export const ipv4Addr: fc.Arbitrary<Ipv4Addr> = u32

export const prefixLength: fc.Arbitrary<number> = fc.integer({ min: 0, max: 32 })

export const mac: fc.Arbitrary<Uint8Array> = fc.uint8Array({ minLength: 6, maxLength: 6 })

export const port: fc.Arbitrary<number> = u16

// size "max": fast-check's default size caps arrays at about 10 elements whatever maxLength says.
export const payload = (maxLength: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength, size: "max" })

// ---------------------------------------------------------------------------
// representations
// ---------------------------------------------------------------------------

export const ethernetRepr: fc.Arbitrary<EthernetRepr> = fc.record({
  dst: mac,
  src: mac,
  etherType: u16,
  payload: payload(1500)
})

export const arpRepr: fc.Arbitrary<ArpRepr> = fc.record({
  op: u16,
  senderMac: mac,
  senderIp: ipv4Addr,
  targetMac: mac,
  targetIp: ipv4Addr
})

/** 0..10 whole words of option octets. */
export const ipv4Options: fc.Arbitrary<Uint8Array> = fc
  .integer({ min: 0, max: 10 })
  .chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 }))

export const ipv4Repr: fc.Arbitrary<Ipv4Repr> = fc.record({
  tos: u8,
  id: u16,
  dontFragment: fc.boolean(),
  moreFragments: fc.boolean(),
  fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((units) => units * 8),
  ttl: u8,
  protocol: u8,
  src: ipv4Addr,
  dst: ipv4Addr,
  options: ipv4Options,
  payload: payload(4096)
})

const echo = (tag: "EchoRequest" | "EchoReply"): fc.Arbitrary<Icmpv4Repr> =>
  fc.record({ ident: u16, seq: u16, data: payload(1500) }).map((r) => ({ _tag: tag, ...r }))

const dstUnreachable: fc.Arbitrary<Icmpv4Repr> = fc.oneof(
  fc.record({ code: u8.filter((c) => c !== 4), data: payload(576) }).map((r) => ({
    _tag: "DstUnreachable" as const,
    code: r.code,
    nextHopMtu: 0,
    data: r.data
  })),
  fc.record({ nextHopMtu: u16, data: payload(576) }).map((r) => ({
    _tag: "DstUnreachable" as const,
    code: 4,
    nextHopMtu: r.nextHopMtu,
    data: r.data
  }))
)

const timeExceeded: fc.Arbitrary<Icmpv4Repr> = fc
  .record({ code: u8, data: payload(576) })
  .map((r) => ({ _tag: "TimeExceeded" as const, ...r }))

/** A redirect (codes 0-3) quoting an IPv4 header (IHL 5-15, version 4) and at least 8 octets after it. */
const redirect: fc.Arbitrary<Icmpv4Repr> = fc
  .record({ code: fc.integer({ min: 0, max: 3 }), gateway: u32, ihl: fc.integer({ min: 5, max: 15 }), data: payload(576) })
  .map((r) => {
    const data = new Uint8Array(r.ihl * 4 + 8 + r.data.length)
    data.set(r.data, r.ihl * 4 + 8)
    data[0] = 0x40 | r.ihl
    return { _tag: "Redirect" as const, code: r.code, gateway: r.gateway, data }
  })

/** Types with a variant of their own; `Other` with one of these would parse as that variant. */
const KNOWN_TYPES: ReadonlyArray<number> = [0, 3, 5, 8, 11]

const other: fc.Arbitrary<Icmpv4Repr> = fc
  .record({ type: u8.filter((t) => !KNOWN_TYPES.includes(t)), code: u8, rest: u32, data: payload(576) })
  .map((r) => ({ _tag: "Other" as const, ...r }))

export const icmpv4Repr: fc.Arbitrary<Icmpv4Repr> = fc.oneof(
  echo("EchoRequest"),
  echo("EchoReply"),
  dstUnreachable,
  timeExceeded,
  redirect,
  other
)

export const udpRepr: fc.Arbitrary<UdpRepr> = fc.record({
  srcPort: port,
  dstPort: port,
  payload: payload(4096)
})

// ---------------------------------------------------------------------------
// raw octets for "parse never throws"
// ---------------------------------------------------------------------------

/** 0..200 arbitrary octets. */
export const anyBytes: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 200 })

/** One way of damaging a packet. */
type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "set"; readonly at: number; readonly value: number }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "extend"; readonly tail: Uint8Array }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: u8 }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("extend" as const), tail: fc.uint8Array({ minLength: 1, maxLength: 64 }) })
)

const mutate = (seed: Uint8Array, mutations: ReadonlyArray<Mutation>): Uint8Array => {
  let b = Uint8Array.from(seed)
  for (const m of mutations) {
    if (m.kind === "extend") {
      const longer = new Uint8Array(b.length + m.tail.length)
      longer.set(b)
      longer.set(m.tail, b.length)
      b = longer
    } else if (b.length === 0) {
      continue
    } else if (m.kind === "truncate") {
      b = b.slice(0, m.at % b.length)
    } else if (m.kind === "flip") {
      b[m.at % b.length] ^= 1 << m.bit
    } else {
      b[m.at % b.length] = m.value
    }
  }
  return b
}

/** A copy of one of `seeds` with 1..4 random flips, overwrites, truncations or extensions. */
export const mutationOf = (seeds: ReadonlyArray<Uint8Array>): fc.Arbitrary<Uint8Array> =>
  fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([seed, ms]) => mutate(seed, ms))

/**
 * Octets whose 16-bit word at `checksumAt` makes the RFC 1071 checksum of the
 * whole buffer verify, so a parser under test gets past its checksum check.
 * `fill` computes the value to store (the code under test's own checksum, or
 * an independent one).
 */
export const withValidChecksum = (
  bytes: fc.Arbitrary<Uint8Array>,
  checksumAt: number,
  fill: (b: Uint8Array) => number
): fc.Arbitrary<Uint8Array> =>
  bytes.map((raw) => {
    const b = Uint8Array.from(raw)
    if (b.length < checksumAt + 2) return b
    b[checksumAt] = 0
    b[checksumAt + 1] = 0
    const c = fill(b)
    b[checksumAt] = c >>> 8
    b[checksumAt + 1] = c & 0xff
    return b
  })
