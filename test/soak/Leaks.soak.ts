/**
 * Issue 10's leak run: 100 000 TCP connections opened and closed (each
 * echoes a few octets) between two in-memory stacks leave the server
 * stack's live fibers, connections, half-open and TIME-WAIT records back at
 * the baseline (and both stacks' index of the ports they held empty), and
 * its heap within a small margin of it.
 *
 * The client stack closes first, so TIME-WAIT is on its side and on the
 * server's when the server ends first; both use a 1 s TIME-WAIT (config) so
 * the records expire within the run. Live clock; waits are bounded. Rounds
 * of `CONCURRENCY` connections at once. `SOAK_CONNECTIONS=N` for fewer.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Services from "../../src/tcp/Services.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import { CountingSupervisor, heapAfterGc } from "../support/Heap.js"
import { ADDR_A, run, statsOf, twoStacks } from "../support/TestNet.js"

const TOTAL = Number(process.env["SOAK_CONNECTIONS"] ?? 100_000)
const CONCURRENCY = 100
const PAYLOAD = new TextEncoder().encode("leak?")

describe("100 000 connections leave nothing behind", () => {
  it.scopedLive(`${TOTAL} connections opened, used and closed: fibers, TCBs, records and heap back to the baseline`, () =>
    Effect.gen(function*() {
      const fibers = new CountingSupervisor()
      const config = { tcp: { timeWait: "1 seconds" } } as const
      const { a, b } = yield* Effect.supervised(twoStacks({ configA: config, configB: config }), fibers)
      yield* Effect.supervised(run(a, Services.serve(7, Services.echo)), fibers)
      const one = run(b, Effect.gen(function*() {
        const tcp = yield* Tcp
        const conn = yield* tcp.connect({ address: ADDR_A, port: 7 })
        yield* conn.write(PAYLOAD)
        let got = 0
        while (got < PAYLOAD.length) {
          const chunk = yield* conn.read
          if (Option.isNone(chunk)) break
          got += chunk.value.length
        }
        yield* conn.close
        return got
      }))
      const round = (n: number) =>
        Effect.forEach(Array.from({ length: n }), () => one, { concurrency: CONCURRENCY, discard: false })
      const settled = Effect.gen(function*() {
        // every connection gone, every TIME-WAIT expired, every port they held let go, on both stacks (bounded: 30 s)
        for (let i = 0; i < 600; i++) {
          const [sa, sb] = [(yield* statsOf(a)).tcp, (yield* statsOf(b)).tcp]
          const left = [sa, sb].reduce((n, t) => n + t.connections + t.halfOpen + t.timeWait + t.portsHeld, 0)
          if (left === 0) return
          yield* Effect.sleep("50 millis")
        }
        const [sa, sb] = [(yield* statsOf(a)).tcp, (yield* statsOf(b)).tcp]
        throw new Error(`not settled: A ${JSON.stringify(sa)} B ${JSON.stringify(sb)}`)
      })

      // warm-up: code compiled, pools and tables at their working size
      yield* round(2000)
      yield* settled
      const baseHeap = yield* heapAfterGc
      const baseFibers = yield* fibers.value

      let done = 0
      let echoed = 0
      while (done < TOTAL) {
        const n = Math.min(5000, TOTAL - done)
        echoed += (yield* round(n)).reduce((s, g) => s + g, 0)
        done += n
      }
      expect(echoed).toBe(TOTAL * PAYLOAD.length)
      yield* settled
      const heap = yield* heapAfterGc
      const live = yield* fibers.value
      const s = (yield* statsOf(a)).tcp
      console.log(
        `${TOTAL} connections: heap ${(baseHeap / 2 ** 20).toFixed(1)} -> ${(heap / 2 ** 20).toFixed(1)} MiB, ` +
          `fibers ${baseFibers} -> ${live}, passive opens ${s.passiveOpens}, arrivals dropped ${s.arrivalsDropped}`
      )
      expect(s.passiveOpens).toBe(TOTAL + 2000)
      // a few fibers come and go by themselves (the wheel's alarm, neighbours' timers)
      expect(live).toBeLessThanOrEqual(baseFibers + 4)
      // a leak of even 64 octets per connection would be 6 MiB here
      expect(heap - baseHeap).toBeLessThan(2 * 2 ** 20)
    }), 1_800_000)
})
