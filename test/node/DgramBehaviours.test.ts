/**
 * The table of `dgram.Socket` behaviours (dgramScenarios.ts): over Node's
 * `node:dgram` on the kernel's loopback (the reference) and over
 * `gonet-ts/node`'s Dgram between two in-memory stacks; the traces must be
 * equal. No privileges needed.
 */
import * as nodeDgram from "node:dgram"
import * as nodeDns from "node:dns"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Dgram from "../../src/node/Dgram.js"
import { run } from "../support/TestNet.js"
import { HOST_A, HOST_B, withNets } from "./NodeNet.js"
import {
  DGRAM_REVIEW_SCRIPTS,
  DGRAM_SCRIPTS,
  DGRAM_STOP35_SCRIPTS,
  DGRAM_STOP36_SCRIPTS,
  DGRAM_STOP45_SCRIPTS,
  type DgramLike
} from "./dgramScenarios.js"

describe("dgram.Socket behaviours: gonet-ts/node against node:dgram", () => {
  for (const [name, script] of Object.entries({
    ...DGRAM_SCRIPTS,
    ...DGRAM_REVIEW_SCRIPTS,
    ...DGRAM_STOP35_SCRIPTS,
    ...DGRAM_STOP36_SCRIPTS,
    ...DGRAM_STOP45_SCRIPTS
  })) {
    it(name, async () => {
      const kernel = nodeDgram as unknown as DgramLike
      const reference = await script({ server: kernel, client: kernel, host: "127.0.0.1", listenHost: "127.0.0.1", clientHost: "127.0.0.1", broadcastHost: "127.255.255.255" })
      const ours = await withNets(async ({ stackA, stackB }) => {
        const a = await Effect.runPromise(run(stackA, Dgram.make))
        const b = await Effect.runPromise(run(stackB, Dgram.make))
        return script({ server: a as unknown as DgramLike, client: b as unknown as DgramLike, host: HOST_A, listenHost: "0.0.0.0", clientHost: HOST_B, broadcastHost: "198.18.0.255" })
      })
      console.log(`${name}\n  node:dgram: ${reference.join(" | ")}\n  gonet:      ${ours.join(" | ")}`)
      expect(ours).toEqual(reference)
    }, 30_000)
  }
})

describe("dgram.Socket on the stack, beyond node:dgram's table", () => {
  it("has no multicast: joining a group or setting a multicast option throws ENOPROTOOPT, and the socket goes on", async () => {
    const codes = await withNets(async ({ stackA }) => {
      const d = await Effect.runPromise(run(stackA, Dgram.make))
      const s = d.createSocket("udp4")
      s.bind(0)
      await new Promise((r) => s.once("listening", r))
      const attempts: Array<[string, () => unknown]> = [
        ["addMembership", () => s.addMembership("239.1.2.3")],
        ["dropMembership", () => s.dropMembership("239.1.2.3")],
        ["addSourceSpecificMembership", () => s.addSourceSpecificMembership("198.18.0.9", "232.1.2.3")],
        ["dropSourceSpecificMembership", () => s.dropSourceSpecificMembership("198.18.0.9", "232.1.2.3")],
        ["setMulticastTTL", () => s.setMulticastTTL(4)],
        ["setMulticastLoopback", () => s.setMulticastLoopback(false)],
        ["setMulticastInterface", () => s.setMulticastInterface("198.18.0.2")]
      ]
      const out: Array<string> = []
      for (const [name, f] of attempts) {
        try {
          f()
          out.push(`${name} went`)
        } catch (e) {
          out.push(`${name} ${(e as NodeJS.ErrnoException).code} ${(e as NodeJS.ErrnoException).syscall}`)
        }
      }
      out.push(`still bound to ${s.address().port > 0}`)
      await new Promise<void>((r) => s.close(() => r()))
      return out
    })
    expect(codes).toEqual([
      "addMembership ENOPROTOOPT addMembership",
      "dropMembership ENOPROTOOPT dropMembership",
      "addSourceSpecificMembership ENOPROTOOPT addSourceSpecificMembership",
      "dropSourceSpecificMembership ENOPROTOOPT dropSourceSpecificMembership",
      "setMulticastTTL ENOPROTOOPT setMulticastTTL",
      "setMulticastLoopback ENOPROTOOPT setMulticastLoopback",
      "setMulticastInterface ENOPROTOOPT setMulticastInterface",
      "still bound to true"
    ])
  })

  it("a lookup that answers an IPv6 address (a literal given back as it is): the send fails EINVAL, as node:dgram's udp4", async () => {
    // Node's own dns.lookup gives "::1" back for "::1" whatever family is asked, and node:dgram's
    // udp4 socket then fails the send with EINVAL (seen on Node 20); no server is asked
    const reference = await new Promise<string>((resolve) => {
      const s = nodeDgram.createSocket("udp4")
      s.send("x", 9, "::1", (err) => {
        s.close()
        resolve(`${(err as NodeJS.ErrnoException | null)?.code} ${(err as NodeJS.ErrnoException | null)?.syscall}`)
      })
    })
    const ours = await withNets(async ({ stackA }) => {
      const d = await Effect.runPromise(run(stackA, Dgram.make))
      const s = d.createSocket({ type: "udp4", lookup: nodeDns.lookup as unknown as NonNullable<Dgram.SocketOptions["lookup"]> })
      const got = await new Promise<string>((resolve) => {
        s.send("x", 9, "::1", (err: Error | null) =>
          resolve(`${(err as NodeJS.ErrnoException | null)?.code} ${(err as NodeJS.ErrnoException | null)?.syscall}`))
      })
      await new Promise<void>((r) => s.close(() => r()))
      return got
    })
    expect(reference).toBe("EINVAL send")
    expect(ours).toBe(reference)
  })

  it("connect on a closed, bound socket throws ERR_SOCKET_DGRAM_NOT_RUNNING (Node 20 throws too: a TypeError from its null handle)", async () => {
    const outcome = (s: { connect: (port: number, host: string) => void }) => {
      try {
        s.connect(9, "127.0.0.1")
        return "went"
      } catch (e) {
        return (e as NodeJS.ErrnoException).code ?? (e as Error).name
      }
    }
    const k = nodeDgram.createSocket("udp4")
    await new Promise<void>((r) => k.bind(0, "127.0.0.1", () => r()))
    k.close()
    const reference = outcome(k)
    const ours = await withNets(async ({ stackA }) => {
      const d = await Effect.runPromise(run(stackA, Dgram.make))
      const s = d.createSocket("udp4")
      await new Promise<void>((r) => s.bind(0, HOST_A, () => r()))
      s.close()
      return outcome(s)
    })
    expect(reference).toBe("TypeError")
    expect(ours).toBe("ERR_SOCKET_DGRAM_NOT_RUNNING")
  })

  it("connect or send to an address without a route: ENETUNREACH in the callback (or 'error'), the socket left unconnected, as Linux's ip4_datagram_connect and udp_sendmsg", async () => {
    // Node 20 in a namespace with only lo up says "connect ENETUNREACH 198.19.9.9:9", syscall connect,
    // and for a send "send ENETUNREACH 198.19.9.9:9"
    // (the host's own routes would reach it, so no reference runs here); the stacks have no gateway
    const trace = await withNets(async ({ stackB }) => {
      const d = await Effect.runPromise(run(stackB, Dgram.make))
      const out: Array<string> = []
      const s = d.createSocket("udp4")
      const err = await new Promise<NodeJS.ErrnoException | undefined>((r) => s.connect(9, "198.19.9.9", r))
      out.push(`${err?.code} ${err?.syscall} ${err?.message}`)
      try {
        s.remoteAddress()
      } catch (e) {
        out.push(`remoteAddress ${(e as NodeJS.ErrnoException).code}`)
      }
      const bare = d.createSocket("udp4")
      const failed = new Promise<NodeJS.ErrnoException>((r) => bare.once("error", r))
      bare.connect(9, "198.19.9.9")
      out.push(`without a callback: 'error' ${(await failed).code}`)
      // and sendto(2) with no route: ENETUNREACH too (udp_sendmsg's ip_route_output_flow), to the callback
      const sent = await new Promise<NodeJS.ErrnoException | null>((r) => bare.send("x", 9, "198.19.9.9", r))
      out.push(`send: ${sent?.code} ${sent?.syscall}`)
      await new Promise<void>((r) => s.connect(9, HOST_A, () => r()))
      out.push(`then connects to a peer it can reach: ${s.remoteAddress().address}`)
      for (const x of [s, bare]) await new Promise<void>((r) => x.close(() => r()))
      return out
    })
    expect(trace).toEqual([
      "ENETUNREACH connect connect ENETUNREACH 198.19.9.9:9",
      "remoteAddress ERR_SOCKET_DGRAM_NOT_CONNECTED",
      "without a callback: 'error' ENETUNREACH",
      "send: ENETUNREACH send",
      `then connects to a peer it can reach: ${HOST_A}`
    ])
  })
})
