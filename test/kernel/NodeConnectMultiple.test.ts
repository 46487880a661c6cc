/**
 * A connect to a name with several addresses, some of which never answer:
 * gonet-ts/node's net against Node 20's node:net on Linux (the reference),
 * the same program (test/fixtures/connectMultiple.cjs) over both. The reference
 * runs in a namespace of the test's own: a veth pair whose one end has
 * 198.18.0.1/24 (the server's address) and whose other end has no address,
 * so ARP for 198.18.0.98/.99 goes unanswered and Linux's neighbour code gives
 * up after its three probes (EHOSTUNREACH), as the stack's ARP does. Ours
 * runs between two in-memory stacks on the live clock (the virtual-time
 * versions are in test/node/Net.test.ts).
 */
import { describe, expect, it } from "@effect/vitest"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { exec, ifName, makeNetns, run, tapSkipReason } from "../support/Netns.js"
import { HOST_A, withNets } from "../node/NodeNet.js"

const SKIP = tapSkipReason()
if (SKIP !== undefined) console.warn(`skipping autoSelectFamily against node:net: ${SKIP}`)

const FIXTURE = fileURLToPath(new URL("../fixtures/connectMultiple.cjs", import.meta.url))
const { scenarios } = createRequire(import.meta.url)(FIXTURE) as {
  scenarios: (net: unknown, server: string, silent1: string, silent2: string) => Promise<Array<[string, Array<string>]>>
}

const SILENT1 = "198.18.0.99"
const SILENT2 = "198.18.0.98"

describe.skipIf(SKIP !== undefined)("a name with several addresses: gonet-ts/node against node:net (autoSelectFamily)", () => {
  it.scopedLive("the same traces: a silent address times out and the next connects; all failing is one AggregateError", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns("acm")
      const [va, vb] = [ifName("acm"), ifName("acm", 1)]
      yield* run(ns, ["ip", "link", "add", va, "type", "veth", "peer", "name", vb])
      yield* run(ns, ["ip", "addr", "add", "198.18.0.1/24", "dev", va])
      yield* run(ns, ["ip", "link", "set", va, "up"])
      yield* run(ns, ["ip", "link", "set", vb, "up"])
      const reference = yield* exec(ns, [process.execPath, FIXTURE, "198.18.0.1", SILENT1, SILENT2], { timeoutMs: 30_000 })
      expect(reference.code, reference.stderr).toBe(0)
      const kernel = JSON.parse(reference.stdout) as Array<[string, Array<string>]>
      const ours = yield* Effect.promise(() =>
        withNets(async ({ a, b }) => {
          const server = a.createServer((s) => s.on("error", () => {}).end("hi"))
          server.listen(80)
          await new Promise((resolve) => server.once("listening", resolve))
          try {
            return await scenarios(b, HOST_A, SILENT1, SILENT2)
          } finally {
            server.close()
          }
        })
      )
      for (const [name, trace] of kernel) console.log(`${name}\n  node:net: ${trace.join(" | ")}`)
      for (const [name, trace] of ours) console.log(`${name}\n  gonet:    ${trace.join(" | ")}`)
      expect(ours).toEqual(kernel)
    }), 60_000)
})
