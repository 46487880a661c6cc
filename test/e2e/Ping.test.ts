import { describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Either, Exit, Fiber, TestClock } from "effect"
import type { PingOptions } from "../../src/icmp/Icmp.js"
import * as LinkFault from "../../src/link/LinkFault.js"
import * as ArpWire from "../../src/wire/ArpPacket.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import type { Ipv4Addr } from "../../src/wire/Ipv4Addr.js"
import { boundedWait, runAdvancing, settle } from "../support/Clock.js"
import { asArp } from "../support/Peer.js"
import { ADDR_A, ADDR_B, MAC_A, pingFrom, recordSends, type StackContext, statsOf, twoStacks } from "../support/TestNet.js"

/** A ping nothing advances the TestClock for: it must end by itself. */
const ping = (stack: StackContext, dst: Ipv4Addr, options?: PingOptions) =>
  boundedWait(pingFrom(stack, dst, options), "the ping")

const ethDst = (frame: Uint8Array): Uint8Array => Either.getOrThrow(Eth.parse(frame)).dst

describe("ping between two stacks over LinkMemory", () => {
  it.scoped("a 56-octet ping is answered, and ARP learned both ways", () =>
    Effect.gen(function*() {
      const sent: Array<Uint8Array> = []
      const { a, b } = yield* twoStacks({ wrapA: recordSends(sent) })
      const reply = yield* ping(a, ADDR_B, { timeout: "1 second" })
      expect(reply.size).toBe(56)
      expect(reply.ttl).toBe(64)
      const sa = yield* statsOf(a)
      const sb = yield* statsOf(b)
      // A resolved B with one broadcast ARP request for B's address, before the echo request went out.
      const requests = sent.flatMap((f, i) => {
        const arp = asArp(f)
        return arp?.op === ArpWire.Op.Request ? [{ i, arp, dst: ethDst(f) }] : []
      })
      const forB = requests.filter((r) => r.arp.targetIp === ADDR_B)
      expect(forB).toHaveLength(1)
      expect(forB[0]!.dst).toEqual(Eth.BROADCAST)
      expect(forB[0]!.arp).toMatchObject({ senderIp: ADDR_A, senderMac: MAC_A })
      const firstIp = sent.findIndex((f) => asArp(f) === undefined)
      expect(firstIp).toBeGreaterThan(forB[0]!.i)
      // the counter agrees with the wire (the start-up announcement is a request too)
      expect(sa.arp.requestsSent).toBe(requests.length)
      expect(sb.icmp.echoRequests).toBe(1)
      expect(sa.icmp.echoReplies).toBe(1)
      // B learned A from A's request (RFC 826 merge: the request was for B).
      expect(sb.arp.cacheSize).toBe(1)
      const back = yield* ping(b, ADDR_A)
      expect(back.size).toBe(56)
    }))

  it.scoped("an 8000-octet ping is fragmented both ways and reassembled", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const reply = yield* ping(a, ADDR_B, { size: 8000 })
      expect(reply.size).toBe(8000)
      const sa = yield* statsOf(a)
      const sb = yield* statsOf(b)
      // 8008 octets of ICMP in 1480-octet fragments: 6 each way.
      expect(sa.ipv4.fragmentsSent).toBe(6)
      expect(sb.ipv4.fragmentsReceived).toBe(6)
      expect(sb.ipv4.reassembled).toBe(1)
      expect(sb.ipv4.fragmentsSent).toBe(6)
      expect(sa.ipv4.reassembled).toBe(1)
      expect(sa.ipv4.assemblies).toBe(0)
      expect(sa.ipv4.assemblyBytes).toBe(0)
    }))

  it.scoped("65507 octets, the largest echo, round-trips", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const reply = yield* ping(a, ADDR_B, { size: 65507 })
      expect(reply.size).toBe(65507)
      // nothing advanced the TestClock: in virtual time the round trip took none
      expect(Duration.toMillis(reply.rtt)).toBe(0)
    }))

  it.scoped("the RTT is the virtual time between the request and its reply", () =>
    Effect.gen(function*() {
      // B's replies spend 7 ms on the wire (LinkFault's delay runs on the Clock).
      const { a } = yield* twoStacks({ wrapB: (l) => LinkFault.make(l, { seed: 1, tx: { delay: "7 millis" } }) })
      // the first ping also waits for B's (delayed) ARP reply: 7 ms for that, 7 for the echo
      const first = yield* runAdvancing(pingFrom(a, ADDR_B), "1 millis", "100 millis")
      if (!Exit.isSuccess(first)) throw new Error(`the first ping failed: ${Cause.pretty(first.cause)}`)
      expect(Duration.toMillis(first.value.rtt)).toBe(14)
      const fiber = yield* Effect.fork(pingFrom(a, ADDR_B))
      yield* settle
      yield* TestClock.adjust("6 millis")
      yield* settle
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const reply = yield* boundedWait(Fiber.join(fiber), "the ping")
      expect(Duration.toMillis(reply.rtt)).toBe(7)
    }))

  it.scoped("pinging our own address loops back without touching the link", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const before = yield* statsOf(a)
      const reply = yield* ping(a, ADDR_A, { size: 3000 })
      expect(reply.size).toBe(3000)
      const after = yield* statsOf(a)
      expect(after.link.txFrames).toBe(before.link.txFrames)
    }))
})
