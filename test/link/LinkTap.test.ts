/**
 * LinkTap against the real Linux kernel: a TAP opened by this process and
 * moved into a test network namespace, where the kernel is the peer
 * (DESIGN.md §6). Needs root and /dev/net/tun; skips with the reason
 * otherwise. Waits are bounded safety nets; nothing asserts on durations.
 * What a kernel will not do on demand (refuse offload settings, hand over
 * malformed virtio-net headers) is in LinkTapFallback.test.ts, over a fake
 * addon.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Exit, Option, Scope } from "effect"
import * as Mac from "../../src/wire/Mac.js"
import type { LinkService, LinkStats } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as TapAddon from "../../src/link/TapAddon.js"
import { canUseTap, exec, execHost, ifName, makeNetns, moveLinkToNetns } from "../support/Netns.js"
import { eventually } from "../support/Live.js"
import type { ExecResult } from "../support/Netns.js"
import { linkStats } from "../support/LinkFixtures.js"
import { failureOf } from "../support/Failure.js"

const TAP = canUseTap()
if (!TAP.ok) console.warn(`skipping LinkTap tests: ${TAP.reason}`)

const TAG = "lt"
const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const HOST_CIDR = "198.18.0.1/24"
const HOST_ADDR = [198, 18, 0, 1] as const
const STACK_ADDR = [198, 18, 0, 2] as const

// Ethernet II + ARP field offsets (RFC 826), by hand on purpose.
const ETH_TYPE = 12
const ETHERTYPE_ARP = 0x0806
const ARP = 14
const ARP_OPER = ARP + 6
const ARP_SHA = ARP + 8
const ARP_SPA = ARP + 14
const ARP_TPA = ARP + 24
const ARP_FRAME_LEN = ARP + 28

const u16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!
const bytesEq = (b: Uint8Array, at: number, want: ArrayLike<number>) =>
  Array.from(b.subarray(at, at + want.length)).every((v, i) => v === want[i])

const isArpRequestFor = (frame: Uint8Array, target: ArrayLike<number>) =>
  frame.length >= ARP_FRAME_LEN && u16(frame, ETH_TYPE) === ETHERTYPE_ARP && u16(frame, ARP_OPER) === 1 &&
  bytesEq(frame, ARP_TPA, target)

/** An ARP reply from the stack: `addr` is at STACK_MAC, sent to the asker. */
const arpReply = (toMac: Uint8Array, toAddr: ArrayLike<number>, addr: ArrayLike<number>) => {
  const f = new Uint8Array(ARP_FRAME_LEN)
  f.set(toMac, 0)
  f.set(STACK_MAC, 6)
  f.set([0x08, 0x06], ETH_TYPE)
  f.set([0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x02], ARP) // Ethernet, IPv4, reply
  f.set(STACK_MAC, ARP_SHA)
  f.set(addr, ARP_SPA)
  f.set(toMac, ARP + 18)
  f.set(toAddr, ARP_TPA)
  return f
}

// IPv4 (RFC 791) and ICMP echo (RFC 792) offsets, by hand as well.
const ETHERTYPE_IPV4 = 0x0800
const IP = 14
const IP_HEADER_LEN = 20
const IP_PROTO = IP + 9
const IP_SRC = IP + 12
const ICMP = IP + IP_HEADER_LEN
const ICMP_ECHO_REPLY = 0
const ICMP_ECHO_REQUEST = 8
const ECHO_ID = 0x676e
const ECHO_PAYLOAD_LEN = 40

/** The Internet checksum (RFC 1071) of `b`. */
const checksum = (b: Uint8Array): number => {
  let sum = 0
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}
const putU16 = (b: Uint8Array, at: number, v: number) => b.set([v >> 8, v & 0xff], at)

/** An ICMP echo request from the stack to `toAddr` at `toMac`, with a payload derived from `seq`. */
const echoRequest = (toMac: Uint8Array, toAddr: ArrayLike<number>, seq: number) => {
  const f = new Uint8Array(ICMP + 8 + ECHO_PAYLOAD_LEN)
  f.set(toMac, 0)
  f.set(STACK_MAC, 6)
  putU16(f, ETH_TYPE, ETHERTYPE_IPV4)
  f.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 1], IP) // v4, IHL 5, DF, TTL 64, ICMP
  putU16(f, IP + 2, f.length - IP)
  f.set(STACK_ADDR, IP_SRC)
  f.set(toAddr, IP + 16)
  putU16(f, IP + 10, checksum(f.subarray(IP, ICMP)))
  f[ICMP] = ICMP_ECHO_REQUEST
  putU16(f, ICMP + 4, ECHO_ID)
  putU16(f, ICMP + 6, seq)
  for (let i = 0; i < ECHO_PAYLOAD_LEN; i++) f[ICMP + 8 + i] = (seq * 31 + i) & 0xff
  putU16(f, ICMP + 2, checksum(f.subarray(ICMP)))
  return f
}

const isEchoReply = (frame: Uint8Array, seq: number) =>
  frame.length >= ICMP + 8 && u16(frame, ETH_TYPE) === ETHERTYPE_IPV4 && frame[IP_PROTO] === 1 &&
  frame[ICMP] === ICMP_ECHO_REPLY && u16(frame, ICMP + 4) === ECHO_ID && u16(frame, ICMP + 6) === seq

/** `frame` cut at `cuts` (ascending offsets): the pieces of a gathered frame. */
const cut = (frame: Uint8Array, cuts: ReadonlyArray<number>) =>
  [0, ...cuts].map((at, i) => frame.subarray(at, cuts[i] ?? frame.length))

/** The kernel side's MAC, as `ip link` shows it inside `ns`. */
const kernelMacOf = (ns: { readonly name: string }, name: string) =>
  Effect.map(exec(ns, ["ip", "-o", "link", "show", "dev", name]), (r) => {
    const text = /link\/ether ([0-9a-f:]{17})/.exec(expectOk(r))?.[1]
    const mac = text === undefined ? undefined : Mac.parse(text)
    expect(mac).toBeDefined()
    return mac!
  })

/** Take batches until a frame matches; bounded by a generous safety net. */
const takeFrame = (link: LinkService, pred: (f: Uint8Array) => boolean) =>
  Effect.gen(function*() {
    for (;;) {
      const batch = yield* link.receive.take
      expect(batch.length).toBeGreaterThan(0)
      const hit = batch.find(pred)
      if (hit !== undefined) return hit
    }
  }).pipe(Effect.timeoutFail({ duration: Duration.seconds(20), onTimeout: () => new Error("no matching frame") }))


/** LinkTap opened with default options (offloads on), and with `offload: false`; `index` and `index + 1` name their TAPs. */
const OFFLOAD_MODES = [
  { title: "default options", options: {}, granted: { checksum: true, tcpSegmentation: true }, index: 15 },
  { title: "offload: false", options: { offload: false }, granted: { checksum: false, tcpSegmentation: false }, index: 17 }
] as const

/** `f` throws a TypeError whose code is EINVAL (the addon's kind for a bad argument). */
const expectEinvalTypeError = (f: () => unknown) => {
  let thrown: unknown
  try {
    f()
  } catch (e) {
    thrown = e
  }
  expect(thrown).toBeInstanceOf(TypeError)
  expect((thrown as { code?: unknown }).code).toBe("EINVAL")
}

const expectOk = (r: ExecResult) => {
  expect(r.stderr).toBe("")
  expect(r.code).toBe(0)
  return r.stdout
}

describe.skipIf(!TAP.ok)("LinkTap", () => {
  it.scopedLive("create: false on a missing interface fails with NoSuchDevice", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(LinkTap.make({ name: ifName(TAG, 9), mac: STACK_MAC, create: false }))
      expect(error._tag).toBe("LinkError")
      expect(error.reason).toBe("NoSuchDevice")
      expect(error.detail).toContain(ifName(TAG, 9))
      expect(error.detail).not.toContain("\n")
    }))

  it.scopedLive("a name the kernel cannot take fails with InvalidName", () =>
    Effect.gen(function*() {
      const tooLong = yield* failureOf(LinkTap.make({ name: "gonet-tap-name-too-long", mac: STACK_MAC }))
      expect(tooLong.reason).toBe("InvalidName")
      expect(tooLong.detail).toMatch(/1 to 15/)
      const slash = yield* failureOf(LinkTap.make({ name: "bad/name", mac: STACK_MAC }))
      expect(slash.reason).toBe("InvalidName")
      const notTap = yield* failureOf(LinkTap.make({ name: "lo", mac: STACK_MAC }))
      expect(notTap.reason).toBe("InvalidName")
      expect(notTap.detail).toContain("not a TAP")
    }))

  it.scopedLive("a TAP held by another open link fails with Busy", () =>
    Effect.gen(function*() {
      const name = ifName(TAG, 1)
      yield* LinkTap.make({ name, mac: STACK_MAC })
      const busy = yield* failureOf(LinkTap.make({ name, mac: STACK_MAC }))
      expect(busy.reason).toBe("Busy")
    }))

  it.scopedLive("receive delivers the ARP requests the kernel sends", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns(TAG)
      const name = ifName(TAG, 2)
      const link = yield* LinkTap.make({ name, mac: STACK_MAC })
      yield* moveLinkToNetns(name, ns, { address: HOST_CIDR })
      // No one answers for 198.18.0.2, so the kernel keeps asking.
      yield* Effect.forkScoped(exec(ns, ["ping", "-n", "-c", "3", "-W", "1", "198.18.0.2"], { timeoutMs: 15_000 }))

      const request = yield* takeFrame(link, (f) => isArpRequestFor(f, STACK_ADDR))
      expect(Array.from(request.subarray(0, 6))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
      expect(bytesEq(request, ARP_SPA, HOST_ADDR)).toBe(true)
      expect(request.length).toBeLessThanOrEqual(1514)
      const stats: LinkStats = yield* link.stats
      expect(stats.rxFrames).toBeGreaterThan(0)
      expect(stats.rxDropped).toBe(0)
    }))

  it.scopedLive("the kernel's queue for our reads gets the configured depth (default 4096)", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns(TAG)
      const a = ifName(TAG, 7)
      const b = ifName(TAG, 8)
      yield* LinkTap.make({ name: a, mac: STACK_MAC })
      yield* LinkTap.make({ name: b, mac: STACK_MAC, kernelQueueLength: 2048 })
      yield* moveLinkToNetns(a, ns, { address: HOST_CIDR })
      yield* moveLinkToNetns(b, ns, { address: "198.18.1.1/24" })
      expect(expectOk(yield* exec(ns, ["ip", "-o", "link", "show", "dev", a]))).toMatch(/qlen 4096/)
      expect(expectOk(yield* exec(ns, ["ip", "-o", "link", "show", "dev", b]))).toMatch(/qlen 2048/)
    }))

  it.scopedLive("send reaches the kernel: it learns our MAC from an ARP reply", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns(TAG)
      const name = ifName(TAG, 3)
      const link = yield* LinkTap.make({ name, mac: STACK_MAC })
      yield* moveLinkToNetns(name, ns, { address: HOST_CIDR })
      yield* Effect.forkScoped(exec(ns, ["ping", "-n", "-c", "3", "-W", "1", "198.18.0.2"], { timeoutMs: 15_000 }))

      const request = yield* takeFrame(link, (f) => isArpRequestFor(f, STACK_ADDR))
      const kernelMac = request.slice(ARP_SHA, ARP_SHA + 6)
      yield* link.send(arpReply(kernelMac, HOST_ADDR, STACK_ADDR))

      const neigh = yield* eventually(
        Effect.map(exec(ns, ["ip", "-4", "neigh", "show", "dev", name]), expectOk),
        (out) => out.includes(`198.18.0.2 lladdr ${Mac.format(STACK_MAC)}`),
        "kernel neighbour entry for 198.18.0.2"
      )
      expect(neigh).not.toContain("FAILED")
      const stats = yield* link.stats
      expect(stats.txFrames).toBe(1)
      expect(stats.txDropped).toBe(0)
    }))

  it.scopedLive("frames longer than mtu + 14 are dropped and counted in txTooBig, not written", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns(TAG)
      const name = ifName(TAG, 4)
      const link = yield* LinkTap.make({ name, mac: STACK_MAC, mtu: 1280 })
      yield* moveLinkToNetns(name, ns, { address: HOST_CIDR })
      const ok = arpReply(new Uint8Array([0x02, 0, 0, 0, 0, 0x01]), HOST_ADDR, STACK_ADDR)
      const big = new Uint8Array(1280 + 14 + 1)
      big.set(ok)
      const exact = new Uint8Array(1280 + 14)
      exact.set(ok)
      // gathered: every piece fits, the whole is one octet too long
      const bigPieces = [ok, new Uint8Array(1280 + 14 + 1 - ok.length)]
      yield* link.send(big)
      yield* link.sendBatch([ok, big, exact, bigPieces, cut(exact, [14, 42])])
      const stats = yield* link.stats
      expect(stats).toEqual({
        rxFrames: stats.rxFrames, // whatever the kernel sent meanwhile
        rxDropped: 0,
        rxErrors: 0,
        rxMalformed: 0,
        txFrames: 3,
        txDropped: 3,
        txQueueFull: 0,
        txTooBig: 3,
        txErrors: 0
      })
    }))

  it.scopedLive("offload: false on a persistent TAP clears the offloads a previous owner left on (the kernel keeps them after its fd closed)", () =>
    Effect.gen(function*() {
      // a persistent TAP, down and without an address in this namespace: nothing goes anywhere
      const name = ifName(TAG, 19)
      expectOk(yield* execHost(["ip", "tuntap", "add", "dev", name, "mode", "tap"]))
      yield* Effect.addFinalizer(() => Effect.ignore(execHost(["ip", "link", "delete", name])))
      const features = Effect.map(execHost(["ethtool", "-k", name]), (r) =>
        expectOk(r).split("\n").filter((l) => /^(tx-checksumming|tcp-segmentation-offload):/.test(l)).map((l) => l.trim()))
      // a first owner with offloads (the default), gone again
      yield* Effect.scoped(Effect.flatMap(LinkTap.make({ name, mac: STACK_MAC, create: false }), (link) =>
        Effect.sync(() => expect(link.offload).toEqual({ checksum: true, tcpSegmentation: true }))))
      expect(yield* features).toEqual(["tx-checksumming: on", "tcp-segmentation-offload: on"])
      // a second without headers: the kernel must not hand it partial checksums or frames above the MTU
      const link = yield* LinkTap.make({ name, mac: STACK_MAC, create: false, offload: false })
      expect(link.offload).toEqual({ checksum: false, tcpSegmentation: false })
      expect(yield* features).toEqual(["tx-checksumming: off", "tcp-segmentation-offload: off"])
    }))

  // LinkTap's offload modes (DESIGN.md §4): the default asks for checksum and
  // TSO offloads through virtio-net headers, `offload: false` opens the TAP
  // without headers. Frames must flow both ways in either.
  describe.each(OFFLOAD_MODES)("$title", (mode) => {
    it.scopedLive("reports the offloads the kernel granted", () =>
      Effect.gen(function*() {
        const link = yield* LinkTap.make({ name: ifName(TAG, mode.index), mac: STACK_MAC, ...mode.options })
        expect(link.offload).toEqual(mode.granted)
        expect(yield* link.stats).toEqual(linkStats())
      }))

    it.scopedLive("a gathered frame reaches the kernel intact: it learns our MAC and answers pings sent in pieces", () =>
      Effect.gen(function*() {
        const ns = yield* makeNetns(TAG)
        const name = ifName(TAG, mode.index + 1)
        const link = yield* LinkTap.make({ name, mac: STACK_MAC, ...mode.options })
        expect(link.offload).toEqual(mode.granted)
        yield* moveLinkToNetns(name, ns, { address: HOST_CIDR })
        const kernelMac = yield* kernelMacOf(ns, name)

        // An echo request in six pieces, an empty one among them (one writev):
        // the kernel checks both checksums over the pieces as it got them.
        const first = echoRequest(kernelMac, HOST_ADDR, 1)
        yield* link.send(cut(first, [14, IP + 7, ICMP, ICMP + 8, ICMP + 8]))
        // To answer, the kernel asks for 198.18.0.2; the reply goes out in three pieces.
        const request = yield* takeFrame(link, (f) => isArpRequestFor(f, STACK_ADDR))
        expect(bytesEq(request, ARP_SHA, kernelMac)).toBe(true)
        yield* link.sendBatch([cut(arpReply(kernelMac, HOST_ADDR, STACK_ADDR), [6, ARP])])
        const reply1 = yield* takeFrame(link, (f) => isEchoReply(f, 1))
        expect(bytesEq(reply1, 0, STACK_MAC)).toBe(true)
        expect(bytesEq(reply1, IP_SRC, HOST_ADDR)).toBe(true)
        expect(reply1.subarray(ICMP + 8)).toEqual(first.subarray(ICMP + 8))

        // More pieces than one writev takes (10 > maxPieces): LinkTap flattens it.
        const second = echoRequest(kernelMac, HOST_ADDR, 2)
        const many = cut(second, [4, 8, 12, 14, 20, 30, ICMP, ICMP + 8, ICMP + 20])
        expect(many.length).toBeGreaterThan(8)
        yield* link.send(many)
        const reply2 = yield* takeFrame(link, (f) => isEchoReply(f, 2))
        expect(reply2.subarray(ICMP + 8)).toEqual(second.subarray(ICMP + 8))

        const neigh = expectOk(yield* exec(ns, ["ip", "-4", "neigh", "show", "dev", name]))
        expect(neigh).toContain(`198.18.0.2 lladdr ${Mac.format(STACK_MAC)}`)
        const stats = yield* link.stats
        expect([stats.txFrames, stats.txDropped]).toEqual([3, 0])
      }))
  })

  it.scopedLive("writing while the kernel side is down fails with EIO: counted in txErrors, not txQueueFull", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns(TAG)
      const name = ifName(TAG, 11)
      const link = yield* LinkTap.make({ name, mac: STACK_MAC })
      // Moved but not brought up: moving a link takes it down.
      expectOk(yield* execHost(["ip", "link", "set", name, "netns", ns.name]))
      expect(expectOk(yield* exec(ns, ["ip", "-o", "link", "show", "dev", name]))).not.toMatch(/<[^>]*\bUP\b/)
      const frame = arpReply(new Uint8Array([0x02, 0, 0, 0, 0, 0x01]), HOST_ADDR, STACK_ADDR)
      yield* link.sendBatch([frame, cut(frame, [14])])
      yield* link.send(frame)
      expect(yield* link.stats).toEqual({
        rxFrames: 0,
        rxDropped: 0,
        rxErrors: 0,
        rxMalformed: 0,
        txFrames: 0,
        txDropped: 3,
        txQueueFull: 0,
        txTooBig: 0,
        txErrors: 3
      })
      // and once it is up, the same frames go out
      expectOk(yield* exec(ns, ["ip", "link", "set", name, "up"]))
      yield* link.sendBatch([frame, cut(frame, [14])])
      const stats = yield* link.stats
      expect([stats.txFrames, stats.txErrors]).toEqual([2, 3])
    }))

  it.scopedLive("deleting the interface under us is one read error (rxErrors); later sends are txErrors", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns(TAG)
      const name = ifName(TAG, 12)
      const link = yield* LinkTap.make({ name, mac: STACK_MAC })
      yield* moveLinkToNetns(name, ns, { address: HOST_CIDR })
      expectOk(yield* exec(ns, ["ip", "link", "del", "dev", name]))
      const stats = yield* eventually(link.stats, (s) => s.rxErrors > 0, "read error after the interface was deleted")
      expect(stats.rxErrors).toBe(1)
      expect(stats.rxDropped).toBe(0) // an error, not a lost frame
      yield* link.send(new Uint8Array(60))
      const after = yield* link.stats
      expect([after.txErrors, after.txDropped, after.txQueueFull, after.rxErrors]).toEqual([1, 1, 0, 1])
    }))

  it.scopedLive("addon: writeBatch throws a TypeError for more than maxPieces pieces or a frame of the wrong type", () =>
    Effect.gen(function*() {
      const addon = yield* TapAddon.load
      expect(addon.maxPieces).toBe(8)
      // Never brought up (and moved into a namespace of its own): nothing written can go anywhere.
      const ns = yield* makeNetns(TAG)
      const handle = yield* Effect.acquireRelease(
        TapAddon.open(addon, ifName(TAG, 13), { requireExisting: false }),
        (h) => Effect.sync(() => addon.close(h))
      )
      expectOk(yield* execHost(["ip", "link", "set", handle.name, "netns", ns.name]))
      const piece = new Uint8Array(8)
      const bad: ReadonlyArray<unknown> = [
        Array.from({ length: 9 }, () => piece),
        new Uint16Array(30),
        [piece, "piece"],
        "frame"
      ]
      for (const frame of bad) {
        expect(() => addon.writeBatch(handle, [frame as Uint8Array])).toThrow(TypeError)
      }
      // eight pieces are fine: refused by the down interface, not thrown
      expect(addon.writeBatch(handle, [Array.from({ length: 8 }, () => piece), []])).toBe(0)
      expect(addon.counters(handle)).toEqual({ readErrors: 0, readLost: 0, writeErrors: 2, writeFull: 0 })
    }))

  it.scopedLive("addon: headers need a vnetHeader handle and 10 octets per frame; a refused call writes nothing", () =>
    Effect.gen(function*() {
      const addon = yield* TapAddon.load
      // Never brought up (and moved into a namespace of their own): nothing written can go anywhere.
      const ns = yield* makeNetns(TAG)
      const openHandle = (index: number, vnetHeader: boolean) =>
        Effect.acquireRelease(
          TapAddon.open(addon, ifName(TAG, index), { requireExisting: false, vnetHeader }),
          (h) => Effect.sync(() => addon.close(h))
        )
      const plain = yield* openHandle(19, false)
      const vnet = yield* openHandle(20, true)
      expect([plain.vnetHeader, vnet.vnetHeader]).toEqual([false, true])
      for (const h of [plain, vnet]) expectOk(yield* execHost(["ip", "link", "set", h.name, "netns", ns.name]))
      const frame = arpReply(new Uint8Array([0x02, 0, 0, 0, 0, 0x01]), HOST_ADDR, STACK_ADDR)

      // headers on a handle without virtio-net headers, even for no frames at all
      for (const frames of [[frame], []]) {
        expectEinvalTypeError(() => addon.writeBatch(plain, frames, new Uint8Array(10 * frames.length)))
      }
      // fewer than 10 octets per frame, or not a Uint8Array
      expectEinvalTypeError(() => addon.writeBatch(vnet, [frame, frame], new Uint8Array(19)))
      expectEinvalTypeError(() => addon.writeBatch(vnet, [frame], new Uint8Array(0)))
      expectEinvalTypeError(() => addon.writeBatch(vnet, [frame], new Uint16Array(10) as unknown as Uint8Array))
      const none = { readErrors: 0, readLost: 0, writeErrors: 0, writeFull: 0 }
      expect([addon.counters(plain), addon.counters(vnet)]).toEqual([none, none])

      // enough headers (or none) are taken: refused by the down interface, not thrown
      expect(addon.writeBatch(vnet, [frame, [frame]], new Uint8Array(20))).toBe(0)
      expect(addon.writeBatch(vnet, [frame])).toBe(0)
      expect(addon.writeBatch(plain, [frame], undefined)).toBe(0)
      expect([addon.counters(plain), addon.counters(vnet)]).toEqual([{ ...none, writeErrors: 1 }, {
        ...none,
        writeErrors: 3
      }])
    }))

  it.scopedLive("addon: on a vnetHeader handle, frames behind zero headers reach the kernel and its answers come behind theirs", () =>
    Effect.gen(function*() {
      const addon = yield* TapAddon.load
      const ns = yield* makeNetns(TAG)
      const handle = yield* Effect.acquireRelease(
        TapAddon.open(addon, ifName(TAG, 21), { requireExisting: false, vnetHeader: true }),
        (h) => Effect.sync(() => addon.close(h))
      )
      const got: Array<Uint8Array> = []
      addon.startReading(handle, (frames) => got.push(...frames))
      yield* moveLinkToNetns(handle.name, ns, { address: HOST_CIDR })
      const kernelMac = yield* kernelMacOf(ns, handle.name)
      const received = (pred: (f: Uint8Array) => boolean, what: string) =>
        Effect.map(eventually(Effect.sync(() => got.find(pred)), (f) => f !== undefined, what), (f) => f!)

      // An echo request behind an explicit zero header: to answer, the kernel asks for 198.18.0.2 ...
      const request = echoRequest(kernelMac, HOST_ADDR, 7)
      expect(addon.writeBatch(handle, [request], new Uint8Array(10))).toBe(1)
      const arp = yield* received((f) => isArpRequestFor(f, STACK_ADDR), "the kernel's ARP request")
      expect(bytesEq(arp, ARP_SHA, kernelMac)).toBe(true)
      // ... gets the answer (a gathered frame behind a zero header) and replies to the ping
      const answer = arpReply(kernelMac, HOST_ADDR, STACK_ADDR)
      expect(addon.writeBatch(handle, [cut(answer, [14])], new Uint8Array(10))).toBe(1)
      const reply = yield* received((f) => isEchoReply(f, 7), "the kernel's echo reply")
      expect(bytesEq(reply, 0, STACK_MAC)).toBe(true)
      expect(reply.subarray(ICMP + 8)).toEqual(request.subarray(ICMP + 8))
      // each view is the frame alone; its virtio-net header is the 10 octets before it
      for (const f of [arp, reply]) {
        expect(f.byteOffset).toBeGreaterThanOrEqual(10)
        const header = new Uint8Array(f.buffer, f.byteOffset - 10, 10)
        expect(header[1]).toBe(0) // gso_type: none for a lone frame
        expect(header[0]! & ~2).toBe(0) // flags: at most DATA_VALID (none asked for: no setOffload)
      }
      expect(addon.counters(handle)).toEqual({ readErrors: 0, readLost: 0, writeErrors: 0, writeFull: 0 })
    }))

  it.scopedLive("a full receive mailbox drops whole batches and counts their frames", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns(TAG)
      const name = ifName(TAG, 5)
      const link = yield* LinkTap.make({ name, mac: STACK_MAC, receiveCapacity: 1 })
      yield* moveLinkToNetns(name, ns, { address: HOST_CIDR })
      // Broadcast echo requests need no ARP: each is one frame out of the TAP.
      yield* Effect.forkScoped(
        exec(ns, ["ping", "-n", "-b", "-c", "5", "-i", "0.05", "198.18.0.255"], { timeoutMs: 15_000 })
      )
      const stats = yield* eventually(link.stats, (s) => s.rxDropped >= 3, "receive drops")
      expect(stats.rxFrames).toBeGreaterThan(0)
      expect(yield* link.receive.size).toEqual(Option.some(1))
    }))

  it.scopedLive("host configuration sets MTU, address and up on the kernel side (inside a namespace)", () =>
    Effect.gen(function*() {
      // The ioctls act on the namespace of the calling process, and a test must
      // not configure interfaces in the root namespace: run the addon in a child
      // process inside a fresh namespace (the CLI test covers LinkTap's `host`).
      const ns = yield* makeNetns(TAG)
      const name = ifName(TAG, 6)
      const addon = new URL("../../build/Release/gonet_tap.node", import.meta.url).pathname
      const script = [
        `const t = require(${JSON.stringify(addon)})`,
        `const h = t.open(${JSON.stringify(name)}, {})`,
        `t.setMtu(h.name, 1400)`,
        `t.setAddress(h.name, 0xc6120001, 24)`, // 198.18.0.1
        `t.setUp(h.name, true)`,
        `const { execFileSync } = require("node:child_process")`,
        `process.stdout.write(execFileSync("ip", ["-o", "addr", "show", "dev", h.name]).toString())`,
        `process.stdout.write(execFileSync("ip", ["-o", "link", "show", "dev", h.name]).toString())`,
        `t.close(h)`
      ].join(";")
      const out = expectOk(yield* exec(ns, ["node", "-e", script], { timeoutMs: 10_000 }))
      expect(out).toContain("inet 198.18.0.1/24")
      expect(out).toContain("mtu 1400")
      expect(out).toMatch(/<[^>]*\bUP\b[^>]*>/)
      // The TAP was not persistent: it is gone with the child.
      const after = yield* exec(ns, ["ip", "link", "show", "dev", name])
      expect(after.code).not.toBe(0)
    }))

  it.scopedLive("closing the scope closes the fd: the TAP disappears, the receive mailbox is done", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns(TAG)
      const name = ifName(TAG, 14)
      const scope = yield* Scope.make()
      const link = yield* Scope.extend(LinkTap.make({ name, mac: STACK_MAC }), scope)
      yield* moveLinkToNetns(name, ns, { address: HOST_CIDR })
      expectOk(yield* exec(ns, ["ip", "link", "show", "dev", name]))

      yield* Scope.close(scope, Exit.void)
      // the receive mailbox is done: takeAll returns at once, empty, done
      const [rest, done] = yield* link.receive.takeAll()
      expect(done).toBe(true)
      expect(Chunk.isEmpty(rest)).toBe(true)
      const after = yield* eventually(
        exec(ns, ["ip", "link", "show", "dev", name]),
        (r) => r.code !== 0,
        `${name} deleted after close`
      )
      expect(after.stderr).toMatch(/does not exist/)
      // sending on a closed link is a counted drop, not a crash
      yield* link.send(new Uint8Array(60))
      yield* link.send([new Uint8Array(14), new Uint8Array(46)])
      const stats = yield* link.stats
      expect([stats.txDropped, stats.txErrors, stats.txFrames]).toEqual([2, 2, 0])
    }))
})
