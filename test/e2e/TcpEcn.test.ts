/**
 * ECN end to end (RFC 3168) between two stacks in virtual time, over a
 * bottleneck (LinkFault: 10 Mbit/s, 20 ms each way, a 60-frame queue) that
 * marks ECN-capable frames CE once 10 wait, as a router's step-marking AQM:
 * the receiver echoes the marks, the sender cuts its window for them before
 * the queue overflows, and the transfer crosses with fewer drops and
 * retransmissions than the same transfer without ECN, whose only signal is
 * the drop-tail queue.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { EcnMode } from "../../src/tcp/Params.js"
import { bottleneckTransfer } from "../support/LossyTransfer.js"

const SIZE = 512 * 1024

/** B sends SIZE octets to A; B's frames cross the marking bottleneck, A's ACKs only the delay. */
const overMarkingBottleneck = (ecn: EcnMode, congestion: "cubic" | "newreno") =>
  Effect.map(
    bottleneckTransfer({
      size: SIZE,
      configA: { ecn: ecn === "off" ? "off" : "accept", congestion, hystart: false },
      configB: { ecn, congestion, hystart: false },
      forward: { rate: 10_000_000, queue: 60, markAbove: 10, delay: "20 millis" },
      back: { delay: "20 millis" }
    }),
    (r) => ({ elapsed: r.elapsed, info: r.info, dropped: r.faults.overflowed, marked: r.faults.marked })
  )

describe("ECN between two stacks over a marking bottleneck (virtual time)", () => {
  for (const congestion of ["cubic", "newreno"] as const) {
    it.effect(`${congestion}: the marks are answered by cuts before the queue overflows: fewer drops and retransmissions than without ECN`, () =>
      Effect.gen(function*() {
        const plain = yield* overMarkingBottleneck("off", congestion)
        const ecn = yield* overMarkingBottleneck("on", congestion)
        console.log(`${congestion}: without ECN ${plain.dropped} dropped, ${plain.info.retransmits} resent, ${plain.elapsed} ms; ` +
          `with ECN ${ecn.marked} marked, ${ecn.info.ecnReductions} cuts, ${ecn.dropped} dropped, ${ecn.info.retransmits} resent, ${ecn.elapsed} ms`)
        expect(plain.info.ecn).toBe(false)
        expect(plain.marked).toBe(0)
        expect(plain.dropped).toBeGreaterThan(20)
        expect(ecn.info.ecn).toBe(true)
        expect(ecn.marked).toBeGreaterThan(0)
        expect(ecn.info.ecnReductions).toBeGreaterThan(0)
        // (plain slow start, no HyStart++: the marks alone keep the queue from overflowing)
        expect([ecn.dropped, ecn.info.retransmits]).toEqual([0, 0])
      }), 120_000)
  }
})
