/**
 * The initial slow start over a bottleneck (LinkFault's `rate` and `queue`:
 * 10 Mbit/s, a drop-tail queue of 60 frames, 20 ms each way), between two
 * stacks in virtual time. The path holds about 34 segments in flight plus
 * 60 queued; plain slow start doubles its window each round trip and passes
 * that in one round, so a full queue drops a burst. HyStart++ (RFC 9406)
 * sees each round's smallest RTT grow as the queue stands, ends slow start
 * there and goes on growing a quarter as fast: the same data crosses with a
 * fraction of the drops. With timestamps off, the RTT samples come from the
 * sender's log of what it sent (SACK's RACK log) and HyStart++ works the same.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import * as LinkFault from "../../src/link/LinkFault.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import { runToEnd } from "../support/Clock.js"
import { readAll, sha256 } from "../support/LossyTransfer.js"
import { ADDR_A, run, twoStacks } from "../support/TestNet.js"

const SIZE = 512 * 1024

/** B sends SIZE octets to A; B's frames cross the bottleneck, A's ACKs only the delay. */
const overBottleneck = (tcp: { readonly hystart: boolean; readonly timestamps?: boolean; readonly congestion?: "cubic" | "newreno" }) =>
  Effect.gen(function*() {
    let bottleneck: LinkFault.LinkFaultService | undefined
    const config = { tcp: { timestamps: true, congestion: "cubic" as const, ...tcp } }
    const { a, b } = yield* twoStacks({
      configA: config,
      configB: config,
      wrapA: (l) => LinkFault.make(l, { seed: 1, tx: { delay: "20 millis" } }),
      wrapB: (l) =>
        Effect.tap(LinkFault.make(l, { seed: 2, tx: { rate: 10_000_000, queue: 60, delay: "20 millis" } }), (f) => {
          bottleneck = f
        })
    })
    const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
    const data = new Uint8Array(SIZE).map((_, i) => (i * 2654435761) >>> 24)
    const received = yield* Effect.fork(Effect.flatMap(listener.accept, readAll))
    const sender = yield* Effect.fork(Effect.gen(function*() {
      const conn = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 80 })))
      yield* conn.write(data)
      yield* conn.end
      return conn
    }))
    const { exit } = yield* runToEnd(Fiber.join(received), "10 minutes")
    const info = yield* Effect.flatMap(Fiber.join(sender), (c) => c.info)
    const stats = yield* run(b, Effect.flatMap(Tcp, (t) => t.stats))
    expect(Exit.isSuccess(exit) && sha256(exit.value)).toBe(sha256(data))
    return { info, stats, dropped: (yield* bottleneck!.faultStats).tx.overflowed }
  }).pipe(Effect.scoped)

describe("TCP's initial slow start over a 10 Mbit/s bottleneck with a 60-frame queue (virtual time)", () => {
  for (const [name, tcp] of [
    ["CUBIC", {}],
    ["NewReno", { congestion: "newreno" }],
    ["CUBIC without timestamps", { timestamps: false }]
  ] as const) {
    it.effect(`${name}: HyStart++ ends slow start on the delay and drops a fraction of what plain slow start drops`, () =>
      Effect.gen(function*() {
        const plain = yield* overBottleneck({ ...tcp, hystart: false })
        const hystart = yield* overBottleneck({ ...tcp, hystart: true })
        console.log(`${name}: plain ${plain.dropped} dropped, HyStart++ ${hystart.dropped}`)
        expect(hystart.info.hystartExits).toBe(1)
        expect(hystart.stats.hystartExits).toBe(1)
        // plain slow start overruns the queue in one round: tens of frames
        expect(plain.dropped).toBeGreaterThan(40)
        expect(hystart.dropped * 3).toBeLessThan(plain.dropped)
        // every drop was resent, and nothing else was
        expect(hystart.info.retransmits).toBe(hystart.dropped)
      }), 120_000)
  }
})
