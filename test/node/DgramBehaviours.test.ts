/**
 * The table of `dgram.Socket` behaviours (dgramScenarios.ts): over Node's
 * `node:dgram` on the kernel's loopback (the reference) and over
 * `gonet-ts/node`'s Dgram between two in-memory stacks; the traces must be
 * equal. No privileges needed.
 */
import * as nodeDgram from "node:dgram"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Dgram from "../../src/node/Dgram.js"
import { run } from "../support/TestNet.js"
import { HOST_A, HOST_B, withNets } from "./NodeNet.js"
import { DGRAM_SCRIPTS, type DgramLike } from "./dgramScenarios.js"

describe("dgram.Socket behaviours: gonet-ts/node against node:dgram", () => {
  for (const [name, script] of Object.entries(DGRAM_SCRIPTS)) {
    it(name, async () => {
      const kernel = nodeDgram as unknown as DgramLike
      const reference = await script({ server: kernel, client: kernel, host: "127.0.0.1", listenHost: "127.0.0.1", clientHost: "127.0.0.1" })
      const ours = await withNets(async ({ stackA, stackB }) => {
        const a = await Effect.runPromise(run(stackA, Dgram.make))
        const b = await Effect.runPromise(run(stackB, Dgram.make))
        return script({ server: a as unknown as DgramLike, client: b as unknown as DgramLike, host: HOST_A, listenHost: "0.0.0.0", clientHost: HOST_B })
      })
      console.log(`${name}\n  node:dgram: ${reference.join(" | ")}\n  gonet:      ${ours.join(" | ")}`)
      expect(ours).toEqual(reference)
    }, 30_000)
  }
})
