/**
 * The table of `net.Socket` behaviours (scenarios.ts): each script runs over
 * Node's own `node:net` on the kernel's loopback (127.0.0.1, the reference)
 * and over `gonet-ts/node` between two in-memory stacks, and the traces
 * must be equal. No privileges needed; nothing leaves this process but the
 * reference's loopback traffic.
 */
import * as nodeNet from "node:net"
import { describe, expect, it } from "vitest"
import { HOST_A, HOST_B, withNets } from "./NodeNet.js"
import { type NetLike, SCRIPTS } from "./scenarios.js"

const kernel = nodeNet as unknown as NetLike

describe("net.Socket behaviours: gonet-ts/node against node:net", () => {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    it(name, async () => {
      const reference = await script({ server: kernel, client: kernel, host: "127.0.0.1", listenHost: "127.0.0.1", elsewhere: "127.0.0.2", refusing: ["127.0.0.2", "127.0.0.3"] })
      const ours = await withNets(({ a, b }) =>
        script({ server: a as unknown as NetLike, client: b as unknown as NetLike, host: HOST_A, listenHost: "0.0.0.0", elsewhere: HOST_A, refusing: [HOST_B, "127.0.0.1"] })
      )
      console.log(`${name}\n  node:net: ${reference.join(" | ")}\n  gonet:    ${ours.join(" | ")}`)
      expect(ours).toEqual(reference)
    }, 30_000)
  }
})
