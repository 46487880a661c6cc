/**
 * LinkTap's fallbacks, over a fake addon (no root, no TAP, no kernel): what a
 * real kernel will not do on demand, so LinkTap.test.ts cannot reach it.
 *
 * - Offload step-down (TapAddon.enableOffloads, DESIGN.md §4): the kernel
 *   refuses a TUNSETOFFLOAD set (EINVAL) and a smaller one is tried: TSO4
 *   with ECN, TSO4, checksums alone, then nothing. What was granted is what
 *   the link reports in `offload` and what its send headers ask for.
 * - `offload: false` (the CLI's `--no-offload`): the TAP is opened without
 *   virtio-net headers; nothing is asked of the kernel, nothing is read as a
 *   header.
 * - Malformed receive headers: a batch with good and refused headers keeps
 *   the good frames in order (with their `checksumOk`) and counts the others
 *   in `rxMalformed`, through the pure `LinkTap.rxVnetBatch` and through the
 *   link's read callback. The verdict per header is VirtioNet.test.ts's.
 *
 * The fake lays out a read batch as the addon does: views into one buffer,
 * each frame's header in the 10 octets before it, at odd offsets after junk.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Option } from "effect"
import { type LinkOffload, NO_OFFLOAD, TxMeta } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as TapAddon from "../../src/link/TapAddon.js"
import * as VirtioNet from "../../src/wire/VirtioNet.js"
import type { VirtioNetHeader } from "../../src/wire/VirtioNet.js"
import * as Arb from "../support/Arbitraries.js"
import { fakeAddon, TUN_F, type Written } from "../support/FakeTap.js"
import { linkStats as stats, vnetHeader as hdr } from "../support/LinkFixtures.js"

const { DataValid, NeedsCsum } = VirtioNet.Flag
const { Ecn, TcpV4, TcpV6, Udp } = VirtioNet.Gso

const FULL = TUN_F.csum | TUN_F.tso4 | TUN_F.tsoEcn
const CSUM_TSO4 = TUN_F.csum | TUN_F.tso4

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const TAP_NAME = "gfake0"
const MTU = 1500
/** TCP payload octets per segment a TSO frame asks for (an MSS for MTU 1500). */
const MSS = 1448

const ETH = 14
const ETHERTYPE_IPV4 = 0x0800
const ETHERTYPE_ARP = 0x0806
const PROTO_TCP = 6
const PROTO_UDP = 17
/** Where the TCP and UDP checksum fields are in their headers (RFC 9293 §3.1, RFC 768). */
const TCP_CSUM = 16
const UDP_CSUM = 6
/** The transport header of an IPv4 frame without options. */
const L4 = ETH + 20



/**
 * An Ethernet II + IPv4 (no options) frame carrying a TCP (20-octet header)
 * or UDP datagram with `payloadLen` octets derived from `tag`: the fields
 * `rxVerdict` looks at, and a tag to tell frames apart.
 */
const ipFrame = (protocol: number, payloadLen: number, tag: number): Uint8Array => {
  const l4Len = protocol === PROTO_TCP ? 20 : 8
  const ipLen = 20 + l4Len + payloadLen
  const f = new Uint8Array(ETH + ipLen)
  f.set([0x02, 0x67, 0x6e, 0, 0, 1, ...STACK_MAC], 0)
  f[12] = ETHERTYPE_IPV4 >>> 8
  f[13] = ETHERTYPE_IPV4 & 0xff
  f[ETH] = 0x45
  f[ETH + 2] = ipLen >>> 8
  f[ETH + 3] = ipLen & 0xff
  f[ETH + 8] = 64
  f[ETH + 9] = protocol
  f.set([198, 18, 0, 1, 198, 18, 0, 2], ETH + 12)
  f.set([0x9c, 0x40, 0x23, 0x28], L4) // ports 40000 -> 9000
  if (protocol === PROTO_TCP) {
    f[L4 + 12] = 5 << 4
    f[L4 + 13] = 0x10 // ACK
  } else {
    f[L4 + 4] = (8 + payloadLen) >>> 8
    f[L4 + 5] = (8 + payloadLen) & 0xff
  }
  f.fill(tag & 0xff, L4 + l4Len)
  return f
}
const tcpFrame = (payloadLen: number, tag: number) => ipFrame(PROTO_TCP, payloadLen, tag)
const udpFrame = (payloadLen: number, tag: number) => ipFrame(PROTO_UDP, payloadLen, tag)

/** An ARP-typed frame of 60 octets: no transport, nothing to offload. */
const arpFrame = (tag: number): Uint8Array => {
  const f = new Uint8Array(60).fill(tag & 0xff)
  f[12] = ETHERTYPE_ARP >>> 8
  f[13] = ETHERTYPE_ARP & 0xff
  return f
}

/** NEEDS_CSUM at the TCP checksum of an option-less IPv4 frame: partial, which the kernel vouches for. */
const PARTIAL_TCP = hdr({ flags: NeedsCsum, csumStart: L4, csumOffset: TCP_CSUM })
/** The kernel verified the checksum. */
const DATA_VALID = hdr({ flags: DataValid })
/** TSO with a zero segment size: refused (BadGso). */
const BAD_GSO_SIZE = hdr({ flags: NeedsCsum, gsoType: TcpV4, gsoSize: 0, csumStart: L4, csumOffset: TCP_CSUM })
/** A checksum range that starts past the frame's end: refused (BadCsumOffsets). */
const CSUM_START_OUT_OF_RANGE = hdr({ flags: NeedsCsum, csumStart: 0xfff0, csumOffset: TCP_CSUM })

/** Junk before the first header and between frames: reads from a wrong base show. */
const LEAD = 5
const GAP = 3

/**
 * Read views as the addon hands them over: one buffer, each frame behind
 * its header (`undefined`: the junk already there, as on a TAP without headers).
 */
const readBatch = (entries: ReadonlyArray<readonly [VirtioNetHeader | undefined, Uint8Array]>): Array<Uint8Array> => {
  const total = entries.reduce((n, [, f]) => n + VirtioNet.LEN + f.length + GAP, LEAD)
  const buffer = new Uint8Array(total).fill(0xa5)
  const views: Array<Uint8Array> = []
  let at = LEAD
  for (const [h, f] of entries) {
    if (h !== undefined) VirtioNet.write(buffer, at, h)
    buffer.set(f, at + VirtioNet.LEN)
    views.push(new Uint8Array(buffer.buffer, at + VirtioNet.LEN, f.length))
    at += VirtioNet.LEN + f.length + GAP
  }
  return views
}

/**
 * The fields of each header in a written batch that say what was offloaded.
 * Absent headers are zero headers (the addon writes zeros on a vnetHeader handle).
 */
const offloadsAsked = (w: Written) =>
  w.frames.map((_, i) => {
    const h = w.headers === undefined ? hdr() : VirtioNet.read(w.headers, i * VirtioNet.LEN)
    return { flags: h.flags, gsoType: h.gsoType, gsoSize: h.gsoSize }
  })
const NOTHING = { flags: 0, gsoType: 0, gsoSize: 0 }
const CHECKSUM = { flags: NeedsCsum, gsoType: 0, gsoSize: 0 }
const SEGMENTED = { flags: NeedsCsum, gsoType: TcpV4, gsoSize: MSS }

// One batch to send, asking for each kind of offload: a partial checksum, a
// small TSO frame, a TSO frame above the MTU, and nothing.
const SMALL_PARTIAL = tcpFrame(100, 1)
const SMALL_SEGMENTED = tcpFrame(200, 2)
const BIG_SEGMENTED = tcpFrame(2 * MSS, 3)
const PLAIN = arpFrame(4)
const TO_SEND = [SMALL_PARTIAL, SMALL_SEGMENTED, BIG_SEGMENTED, PLAIN]
const TO_SEND_META = [TxMeta.partialChecksum, TxMeta.segmented(MSS), TxMeta.segmented(MSS), TxMeta.none]

/**
 * What the kernel takes, and what follows: the sets tried in order, what is
 * granted, and how the batch above goes out (per written frame, what its
 * header asks for; the big TSO frame is too big without TSO).
 */
interface StepDown {
  readonly title: string
  readonly accepts: (flags: number) => boolean
  readonly tried: ReadonlyArray<number>
  readonly granted: LinkOffload
  readonly sent: ReadonlyArray<Uint8Array>
  readonly asked: ReadonlyArray<typeof NOTHING>
}
const STEP_DOWN: ReadonlyArray<StepDown> = [
  {
    title: "the kernel takes the full set",
    accepts: () => true,
    tried: [FULL],
    granted: { checksum: true, tcpSegmentation: true },
    sent: [SMALL_PARTIAL, SMALL_SEGMENTED, BIG_SEGMENTED, PLAIN],
    asked: [CHECKSUM, SEGMENTED, SEGMENTED, NOTHING]
  },
  {
    title: "the kernel refuses TSO with ECN",
    accepts: (flags) => (flags & TUN_F.tsoEcn) === 0,
    tried: [FULL, CSUM_TSO4],
    granted: { checksum: true, tcpSegmentation: true },
    sent: [SMALL_PARTIAL, SMALL_SEGMENTED, BIG_SEGMENTED, PLAIN],
    asked: [CHECKSUM, SEGMENTED, SEGMENTED, NOTHING]
  },
  {
    title: "the kernel takes checksums only",
    accepts: (flags) => flags === TUN_F.csum,
    tried: [FULL, CSUM_TSO4, TUN_F.csum],
    granted: { checksum: true, tcpSegmentation: false },
    sent: [SMALL_PARTIAL, SMALL_SEGMENTED, PLAIN],
    asked: [CHECKSUM, CHECKSUM, NOTHING]
  },
  {
    title: "the kernel refuses every set",
    accepts: () => false,
    // (then none at all: whatever a previous owner of the TAP left on goes)
    tried: [FULL, CSUM_TSO4, TUN_F.csum, 0],
    granted: NO_OFFLOAD,
    sent: [SMALL_PARTIAL, SMALL_SEGMENTED, PLAIN],
    asked: [NOTHING, NOTHING, NOTHING]
  }
]

describe("LinkTap fallbacks (fake addon)", () => {
  describe.each(STEP_DOWN)("offload step-down: $title", (mode) => {
    it.effect("enableOffloads tries smaller sets in order and returns what was granted", () =>
      Effect.gen(function*() {
        const fake = fakeAddon(mode.accepts)
        const handle = fake.addon.open(TAP_NAME, { vnetHeader: true })
        const granted = yield* TapAddon.enableOffloads(fake.addon, handle)
        expect(fake.log.offloadTried).toEqual(mode.tried)
        expect(granted).toEqual(mode.granted)
      }))

    it.scoped("the link reports the granted set, keeps its headers, and sends only what was granted", () =>
      Effect.gen(function*() {
        const fake = fakeAddon(mode.accepts)
        const link = yield* LinkTap.make({ name: TAP_NAME, mac: STACK_MAC, mtu: MTU }, fake.addon)
        expect(fake.log.opened).toEqual([{ name: TAP_NAME, vnetHeader: true }])
        expect(link.offload).toEqual(mode.granted)

        yield* link.sendBatch(TO_SEND, TO_SEND_META)
        expect(fake.log.written).toHaveLength(1)
        const [written] = fake.log.written
        expect(written!.frames).toEqual(mode.sent)
        // A header per frame, all zero when nothing was granted: the TAP still has headers.
        expect(offloadsAsked(written!)).toEqual(mode.asked)
        const tooBig = TO_SEND.length - mode.sent.length
        expect(yield* link.stats).toEqual(stats({ txFrames: mode.sent.length, txTooBig: tooBig, txDropped: tooBig }))
      }))

    it.scoped("received frames still come behind headers, and those are checked", () =>
      Effect.gen(function*() {
        const fake = fakeAddon(mode.accepts)
        const link = yield* LinkTap.make({ name: TAP_NAME, mac: STACK_MAC }, fake.addon)
        const frames = readBatch([[hdr(), arpFrame(1)], [DATA_VALID, udpFrame(30, 2)], [hdr(), tcpFrame(30, 3)]])
        fake.deliver(frames)
        const batch = yield* link.receive.take
        expect(batch).toHaveLength(3)
        batch.forEach((f, i) => expect(f).toBe(frames[i]))
        expect(Array.from(batch.checksumOk ?? [])).toEqual([0, 1, 0])
        expect(yield* link.stats).toEqual(stats({ rxFrames: 3 }))
      }))
  })

  it.scoped("each batch's headers are its own: a frame asking for nothing gets zeros where an earlier batch wrote a header, and a batch larger than any before gets one per frame", () =>
    Effect.gen(function*() {
      const fake = fakeAddon(() => true)
      const link = yield* LinkTap.make({ name: TAP_NAME, mac: STACK_MAC, mtu: MTU }, fake.addon)
      yield* link.sendBatch([SMALL_PARTIAL, SMALL_SEGMENTED], [TxMeta.partialChecksum, TxMeta.segmented(MSS)])
      yield* link.sendBatch([PLAIN, SMALL_PARTIAL], [TxMeta.none, TxMeta.partialChecksum])
      // 150 frames, every third asking for nothing: more headers than the link has written so far
      const many = Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? PLAIN : SMALL_PARTIAL))
      yield* link.sendBatch(many, many.map((f) => (f === PLAIN ? TxMeta.none : TxMeta.partialChecksum)))
      const [first, second, third] = fake.log.written
      expect(offloadsAsked(first!)).toEqual([CHECKSUM, SEGMENTED])
      expect(offloadsAsked(second!)).toEqual([NOTHING, CHECKSUM])
      expect(offloadsAsked(third!)).toEqual(many.map((f) => (f === PLAIN ? NOTHING : CHECKSUM)))
      expect(third!.headers!.length).toBeGreaterThanOrEqual(150 * VirtioNet.LEN)
    }))

  describe("offload: false (--no-offload)", () => {
    it.scoped("opens the TAP without headers, asks the kernel for no offloads (a persistent TAP keeps a previous owner's) and reports none", () =>
      Effect.gen(function*() {
        const fake = fakeAddon(() => true)
        const link = yield* LinkTap.make({ name: TAP_NAME, mac: STACK_MAC, offload: false }, fake.addon)
        expect(fake.log.opened).toEqual([{ name: TAP_NAME, vnetHeader: false }])
        expect(fake.log.offloadTried).toEqual([0])
        expect(link.offload).toEqual(NO_OFFLOAD)
      }))

    it.scoped("an addon that cannot clear the offloads leaves the link as it is", () =>
      Effect.gen(function*() {
        const fake = fakeAddon(() => false)
        const link = yield* LinkTap.make({ name: TAP_NAME, mac: STACK_MAC, offload: false }, fake.addon)
        expect(fake.log.offloadTried).toEqual([0])
        expect(link.offload).toEqual(NO_OFFLOAD)
      }))

    it.scoped("sends no headers whatever the frames ask for; a TSO frame above the MTU is too big", () =>
      Effect.gen(function*() {
        const fake = fakeAddon(() => true)
        const link = yield* LinkTap.make({ name: TAP_NAME, mac: STACK_MAC, mtu: MTU, offload: false }, fake.addon)
        yield* link.sendBatch(TO_SEND, TO_SEND_META)
        expect(fake.log.written).toEqual([{ frames: [SMALL_PARTIAL, SMALL_SEGMENTED, PLAIN], headers: undefined }])
        expect(yield* link.stats).toEqual(stats({ txFrames: 3, txTooBig: 1, txDropped: 1 }))
      }))

    it.scoped("delivers received frames as read: the octets before them are not a header", () =>
      Effect.gen(function*() {
        const fake = fakeAddon(() => true)
        const link = yield* LinkTap.make({ name: TAP_NAME, mac: STACK_MAC, offload: false }, fake.addon)
        // What precedes each frame would be refused as a header (unknown flags, bad GSO).
        const frames = readBatch([[hdr({ flags: 0xff }), tcpFrame(10, 1)], [BAD_GSO_SIZE, tcpFrame(10, 2)]])
        fake.deliver(frames)
        const batch = yield* link.receive.take
        expect(batch).toBe(frames)
        expect(batch.checksumOk).toBeUndefined()
        expect(yield* link.stats).toEqual(stats({ rxFrames: 2 }))
      }))
  })

  describe("malformed receive headers", () => {
    // good, bad gso_size, good (kernel-verified), csum_start out of range, good (partial)
    const mixed = () =>
      readBatch([
        [hdr(), tcpFrame(40, 1)],
        [BAD_GSO_SIZE, tcpFrame(40, 2)],
        [DATA_VALID, udpFrame(40, 3)],
        [CSUM_START_OUT_OF_RANGE, tcpFrame(40, 4)],
        [PARTIAL_TCP, tcpFrame(40, 5)]
      ])

    it("rxVnetBatch keeps the good frames in order, with checksumOk for them alone", () => {
      const frames = mixed()
      const batch = LinkTap.rxVnetBatch(frames)
      expect(batch).toHaveLength(3)
      expect(batch[0]).toBe(frames[0])
      expect(batch[1]).toBe(frames[2])
      expect(batch[2]).toBe(frames[4])
      expect(Array.from(batch.checksumOk ?? [])).toEqual([0, 1, 1])
    })

    it("rxVnetBatch returns a batch whose headers are all fine as it is, and nothing when all are refused", () => {
      const plain = readBatch([[hdr(), arpFrame(1)], [hdr(), tcpFrame(10, 2)]])
      const plainBatch = LinkTap.rxVnetBatch(plain)
      expect(plainBatch).toBe(plain)
      expect(plainBatch.checksumOk).toBeUndefined()
      const vouched = readBatch([[hdr(), arpFrame(1)], [PARTIAL_TCP, tcpFrame(10, 2)]])
      const vouchedBatch = LinkTap.rxVnetBatch(vouched)
      expect(vouchedBatch).toBe(vouched)
      expect(Array.from(vouchedBatch.checksumOk ?? [])).toEqual([0, 1])
      const refused = readBatch([[BAD_GSO_SIZE, tcpFrame(10, 1)], [CSUM_START_OUT_OF_RANGE, tcpFrame(10, 2)]])
      expect(LinkTap.rxVnetBatch(refused)).toHaveLength(0)
      expect(LinkTap.rxVnetBatch([])).toHaveLength(0)
    })

    it("rxVnetBatch carries a TSO frame's segment size (gso_size), 0 for the others, in a batch kept and in one rebuilt", () => {
      const tso = hdr({ flags: NeedsCsum, gsoType: TcpV4, gsoSize: MSS, csumStart: L4, csumOffset: TCP_CSUM })
      const tsoEcn = hdr({ flags: NeedsCsum, gsoType: TcpV4 | Ecn, gsoSize: 1000, csumStart: L4, csumOffset: TCP_CSUM })
      const kept = LinkTap.rxVnetBatch(readBatch([[PARTIAL_TCP, tcpFrame(40, 1)], [tso, tcpFrame(3 * MSS, 2)], [tsoEcn, tcpFrame(2000, 3)]]))
      expect(Array.from(kept.gsoSize ?? [])).toEqual([0, MSS, 1000])
      const rebuilt = LinkTap.rxVnetBatch(readBatch([[BAD_GSO_SIZE, tcpFrame(40, 1)], [tso, tcpFrame(3 * MSS, 2)], [hdr(), arpFrame(3)]]))
      expect(rebuilt).toHaveLength(2)
      expect(Array.from(rebuilt.gsoSize ?? [])).toEqual([MSS, 0])
      // none without a TSO frame
      expect(LinkTap.rxVnetBatch(readBatch([[PARTIAL_TCP, tcpFrame(40, 1)]])).gsoSize).toBeUndefined()
    })

    it("rxVnetBatch reads each frame's header from that frame's own buffer (the addon gives each aggregate a buffer of its own)", () => {
      const tso = hdr({ flags: NeedsCsum, gsoType: TcpV4, gsoSize: MSS, csumStart: L4, csumOffset: TCP_CSUM })
      // small frames in one buffer, an aggregate alone in another, then small ones in a third
      const parts = [
        readBatch([[PARTIAL_TCP, tcpFrame(40, 1)], [BAD_GSO_SIZE, tcpFrame(40, 2)]]),
        readBatch([[tso, tcpFrame(12 * MSS, 3)]]),
        readBatch([[hdr(), arpFrame(4)], [DATA_VALID, udpFrame(40, 5)]])
      ]
      const frames = parts.flat()
      const batch = LinkTap.rxVnetBatch(frames)
      expect(batch.map((f) => frames.indexOf(f))).toEqual([0, 2, 3, 4])
      expect(Array.from(batch.checksumOk ?? [])).toEqual([1, 1, 0, 1])
      expect(Array.from(batch.gsoSize ?? [])).toEqual([0, MSS, 0, 0])
      // and a batch all of whose headers pass comes back as it is, its aggregate's size read
      const fine = [...parts[1]!, ...parts[2]!]
      const kept = LinkTap.rxVnetBatch(fine)
      expect(kept).toBe(fine)
      expect(Array.from(kept.gsoSize ?? [])).toEqual([MSS, 0, 0])
    })

    it.prop(
      "rxVnetBatch never throws, and keeps exactly the frames whose header rxVerdict accepts, in order",
      [
        fc.array(
          fc.tuple(
            fc.record({
              flags: fc.oneof(fc.constantFrom(0, NeedsCsum, DataValid, NeedsCsum | DataValid), Arb.u8),
              gsoType: fc.oneof(fc.constantFrom(0, TcpV4, TcpV4 | Ecn, Ecn, Udp, TcpV6), Arb.u8),
              hdrLen: Arb.u16,
              gsoSize: fc.oneof(fc.constantFrom(0, MSS), Arb.u16),
              csumStart: fc.oneof(fc.constant(L4), Arb.u16),
              csumOffset: fc.oneof(fc.constantFrom(TCP_CSUM, UDP_CSUM), Arb.u16)
            }),
            fc.oneof(
              fc.integer({ min: 0, max: 64 }).map((n) => tcpFrame(n, n)),
              fc.integer({ min: 0, max: 64 }).map((n) => udpFrame(n, n)),
              fc.uint8Array({ minLength: 0, maxLength: 80 })
            )
          ),
          { minLength: 1, maxLength: 64 }
        )
      ],
      ([entries]) => {
        const frames = readBatch(entries)
        const verdicts = frames.map((f) =>
          VirtioNet.rxVerdict(new Uint8Array(f.buffer), f.byteOffset - VirtioNet.LEN, f.byteOffset, f.length)
        )
        const batch = LinkTap.rxVnetBatch(frames)
        const keep = verdicts.flatMap((v, i) => (v >= 0 ? [i] : []))
        expect(batch.map((f) => frames.indexOf(f))).toEqual(keep)
        const ok = keep.map((i) => (verdicts[i] === VirtioNet.CHECKSUM_OK ? 1 : 0))
        expect(Array.from(batch.checksumOk ?? new Uint8Array(batch.length))).toEqual(ok)
      },
      { fastCheck: { numRuns: 300 } }
    )

    it.scoped("the link delivers the good frames in order and counts the others in rxMalformed", () =>
      Effect.gen(function*() {
        const fake = fakeAddon(() => true)
        const link = yield* LinkTap.make({ name: TAP_NAME, mac: STACK_MAC }, fake.addon)
        const frames = mixed()
        expect(() => fake.deliver(frames)).not.toThrow()
        const batch = yield* link.receive.take
        expect(batch.map((f) => frames.indexOf(f))).toEqual([0, 2, 4])
        expect(Array.from(batch.checksumOk ?? [])).toEqual([0, 1, 1])
        expect(yield* link.stats).toEqual(stats({ rxFrames: 3, rxMalformed: 2 }))

        // A batch with every header refused delivers nothing: no empty batch in the mailbox.
        const refused = readBatch([[BAD_GSO_SIZE, tcpFrame(10, 6)], [CSUM_START_OUT_OF_RANGE, tcpFrame(10, 7)]])
        expect(() => fake.deliver(refused)).not.toThrow()
        expect(yield* link.receive.size).toEqual(Option.some(0))
        expect(yield* link.stats).toEqual(stats({ rxFrames: 3, rxMalformed: 4 }))
      }))
  })
})
