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
import { Effect } from "effect"
import { bottleneckTransfer } from "../support/LossyTransfer.js"

const SIZE = 512 * 1024

/** B sends SIZE octets to A; B's frames cross the bottleneck, A's ACKs only the delay. */
const overBottleneck = (tcp: { readonly hystart: boolean; readonly timestamps?: boolean; readonly congestion?: "cubic" | "newreno" }) =>
  Effect.map(
    bottleneckTransfer({
      size: SIZE,
      configA: { timestamps: true, congestion: "cubic", ...tcp },
      configB: { timestamps: true, congestion: "cubic", ...tcp },
      forward: { rate: 10_000_000, queue: 60, delay: "20 millis" },
      back: { delay: "20 millis" }
    }),
    (r) => ({ info: r.info, stats: r.stats, dropped: r.faults.overflowed })
  )

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
