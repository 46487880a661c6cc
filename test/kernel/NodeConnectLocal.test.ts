/**
 * Connects that fail, from a local address (a bind of port 0 first) or
 * port or from none: gonet-ts/node's net against Node 20's node:net on
 * Linux (the reference), the same program (test/fixtures/connectLocal.cjs)
 * over both. A connect(2) that fails at once names the socket's own end,
 * the port Linux's bind picked among it; one refused after its SYN names
 * only a local end the program gave, address and port. The reference runs
 * in a namespace of the test's own: a veth pair whose one end has
 * 198.18.0.1/24 and no other route, so 198.19.5.5 is unreachable and
 * 198.18.0.9 another host on the link. Ours runs between two in-memory
 * stacks on the live clock (B connects; A refuses port 81; B's only route
 * is its /24).
 */
import { describe, expect, it } from "@effect/vitest"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { exec, ifName, makeNetns, run, tapSkipReason } from "../support/Netns.js"
import { HOST_A, HOST_B, withNets } from "../node/NodeNet.js"

const SKIP = tapSkipReason()
if (SKIP !== undefined) console.warn(`skipping connect errors against node:net: ${SKIP}`)

const FIXTURE = fileURLToPath(new URL("../fixtures/connectLocal.cjs", import.meta.url))
const { scenarios } = createRequire(import.meta.url)(FIXTURE) as {
  scenarios: (net: unknown, self: string, refusing: string, other: string, unrouted: string) => Promise<Array<[string, string]>>
}

const UNROUTED = "198.19.5.5"

describe.skipIf(SKIP !== undefined)("a failed connect's local end: gonet-ts/node against node:net", () => {
  it.scopedLive("the same errors: at once, the port a bind of port 0 picked; after the SYN, only the local end given", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns("acl")
      const [va, vb] = [ifName("acl"), ifName("acl", 1)]
      yield* run(ns, ["ip", "link", "add", va, "type", "veth", "peer", "name", vb])
      yield* run(ns, ["ip", "addr", "add", "198.18.0.1/24", "dev", va])
      yield* run(ns, ["ip", "link", "set", va, "up"])
      yield* run(ns, ["ip", "link", "set", vb, "up"])
      const reference = yield* exec(ns, [process.execPath, FIXTURE, "198.18.0.1", "198.18.0.1", "198.18.0.9", UNROUTED], { timeoutMs: 30_000 })
      expect(reference.code, reference.stderr).toBe(0)
      const kernel = JSON.parse(reference.stdout) as Array<[string, string]>
      const ours = yield* Effect.promise(() => withNets(({ b }) => scenarios(b, HOST_B, HOST_A, HOST_A, UNROUTED)))
      for (const [name, trace] of kernel) console.log(`${name}\n  node:net: ${trace}`)
      for (const [name, trace] of ours) console.log(`${name}\n  gonet:    ${trace}`)
      expect(ours).toEqual(kernel)
    }), 60_000)
})
