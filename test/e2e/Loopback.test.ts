/**
 * Loopback (127/8) through the whole stack in one process: whatever answers a
 * datagram sent to 127.x answers from that 127.x (RFC 1122 §3.2.1.3 (g)),
 * for every transport, because the route to 127.x carries it as the source.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { serveEcho, Udp } from "../../src/udp/Udp.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { boundedWait, settle } from "../support/Clock.js"
import { run, stackWithPeer } from "../support/TestNet.js"

const LOOPBACK = Addr.parse("127.0.0.9")!

describe("loopback", () => {
  it.scoped("a UDP echo to 127.0.0.9 comes back from 127.0.0.9, without touching the link", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      const got = yield* run(stack, Effect.gen(function*() {
        yield* serveEcho(7)
        const s = yield* Effect.flatMap(Udp, (u) => u.bind())
        yield* s.send(LOOPBACK, 7, new Uint8Array([1, 2, 3]))
        return yield* boundedWait(s.receive, "the loopback echo")
      }))
      expect(got.src).toBe(LOOPBACK)
      expect(got.dst).toBe(LOOPBACK)
      expect(Array.from(got.payload)).toEqual([1, 2, 3])
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
    }))
})
