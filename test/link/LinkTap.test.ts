/**
 * LinkTap against the real Linux kernel: a TAP opened by this process and
 * moved into a test network namespace, where the kernel is the peer
 * (DESIGN.md §6). Needs root and /dev/net/tun; skips with the reason
 * otherwise. Waits are bounded safety nets; nothing asserts on durations.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Exit, Option, Scope } from "effect"
import * as Mac from "../../src/wire/Mac.js"
import type { LinkService, LinkStats } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import { canUseTap, exec, ifName, makeNetns, moveLinkToNetns } from "../support/Netns.js"
import { eventually } from "../support/Live.js"
import type { ExecResult } from "../support/Netns.js"

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


const expectOk = (r: ExecResult) => {
  expect(r.stderr).toBe("")
  expect(r.code).toBe(0)
  return r.stdout
}

describe.skipIf(!TAP.ok)("LinkTap", () => {
  it.scopedLive("create: false on a missing interface fails with NoSuchDevice", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(LinkTap.make({ name: ifName(TAG, 9), mac: STACK_MAC, create: false }))
      expect(error._tag).toBe("LinkError")
      expect(error.reason).toBe("NoSuchDevice")
      expect(error.detail).toContain(ifName(TAG, 9))
      expect(error.detail).not.toContain("\n")
    }))

  it.scopedLive("a name the kernel cannot take fails with InvalidName", () =>
    Effect.gen(function*() {
      const tooLong = yield* Effect.flip(LinkTap.make({ name: "gonet-tap-name-too-long", mac: STACK_MAC }))
      expect(tooLong.reason).toBe("InvalidName")
      expect(tooLong.detail).toMatch(/1 to 15/)
      const slash = yield* Effect.flip(LinkTap.make({ name: "bad/name", mac: STACK_MAC }))
      expect(slash.reason).toBe("InvalidName")
      const notTap = yield* Effect.flip(LinkTap.make({ name: "lo", mac: STACK_MAC }))
      expect(notTap.reason).toBe("InvalidName")
      expect(notTap.detail).toContain("not a TAP")
    }))

  it.scopedLive("a TAP held by another open link fails with Busy", () =>
    Effect.gen(function*() {
      const name = ifName(TAG, 1)
      yield* LinkTap.make({ name, mac: STACK_MAC })
      const busy = yield* Effect.flip(LinkTap.make({ name, mac: STACK_MAC }))
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

  it.scopedLive("frames longer than mtu + 14 are dropped and counted, not written", () =>
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
      yield* link.send(big)
      yield* link.sendBatch([ok, big, exact])
      const stats = yield* link.stats
      expect(stats.txDropped).toBe(2)
      expect(stats.txFrames).toBe(2)
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
        `t.setAddress(h.name, "198.18.0.1", 24)`,
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
      const name = ifName(TAG, 7)
      const scope = yield* Scope.make()
      const link = yield* Scope.extend(LinkTap.make({ name, mac: STACK_MAC }), scope)
      yield* moveLinkToNetns(name, ns, { address: HOST_CIDR })
      expectOk(yield* exec(ns, ["ip", "link", "show", "dev", name]))

      yield* Scope.close(scope, Exit.void)
      // the receive mailbox is done: takeAll returns at once, empty, done
      const [rest, done] = yield* link.receive.takeAll
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
      expect((yield* link.stats).txDropped).toBe(1)
    }))
})
