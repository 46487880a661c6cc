/**
 * Two stacks over a lossy, duplicating, reordering cable (LinkFault with a
 * fixed seed), in virtual time. The outcome must be the same on every run.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Icmp } from "../../src/icmp/Icmp.js"
import * as LinkFault from "../../src/link/LinkFault.js"
import { runAdvancing } from "../support/Clock.js"
import { ADDR_B, run, statsOf, twoStacks } from "../support/TestNet.js"

const trial = (seed: number) =>
  Effect.gen(function*() {
    const { a, b } = yield* twoStacks({
      wrapA: (l) => LinkFault.make(l, { seed, tx: { loss: 0.2, duplicate: 0.1 }, rx: { loss: 0.1, reorder: 0.1 } })
    })
    const outcomes: Array<boolean> = []
    for (let i = 0; i < 30; i++) {
      const exit = yield* runAdvancing(
        run(a, Effect.flatMap(Icmp, (icmp) => icmp.ping(ADDR_B, { size: 2000, timeout: "1 second" }))),
        "250 millis"
      )
      outcomes.push(Exit.isSuccess(exit))
    }
    const sb = yield* statsOf(b)
    return { outcomes, echoRequests: sb.icmp.echoRequests }
  }).pipe(Effect.scoped)

describe("LinkFault between two stacks", () => {
  it.effect("the same seed gives the same pings answered; some are lost, most get through", () =>
    Effect.gen(function*() {
      const first = yield* trial(42)
      const second = yield* trial(42)
      expect(second).toEqual(first)
      const ok = first.outcomes.filter(Boolean).length
      // 2000-octet pings are 2 fragments each way: loss bites harder than per frame.
      expect(ok).toBeGreaterThan(5)
      expect(ok).toBeLessThan(30)
      const other = yield* trial(7)
      expect(other.outcomes).not.toEqual(first.outcomes)
    }))
})
