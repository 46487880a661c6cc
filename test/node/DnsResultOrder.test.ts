/**
 * node:dns's `setDefaultResultOrder` / `getDefaultResultOrder` on the stack's
 * node:dns face (src/node/Dns.ts `nodeDns`), against Node 20's own module:
 * the same values taken and reported (also through `promises`, which shares
 * the setting), and the same errors, thrown at once, for values Node refuses.
 * No server is asked: the resolver answers nothing.
 */
import * as dns from "node:dns"
import { Effect, Runtime } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import * as Dns from "../../src/dns/Dns.js"
import * as NodeDns from "../../src/node/Dns.js"

const nowhere = (name: string) => Effect.fail(new Dns.DnsError({ reason: "NotFound", name, detail: "no such name (NXDOMAIN)" }))
const service: Dns.DnsService = { resolve4: nowhere, resolve6: nowhere, lookup: nowhere, query: nowhere, stats: Effect.die("unused"), servers: [], reconfigure: () => Effect.die("unused") }
const ours = () => NodeDns.nodeDns(Runtime.provideService(Runtime.defaultRuntime, Dns.Dns, service))

interface OrderFaces {
  readonly setDefaultResultOrder: (order: unknown) => void
  readonly getDefaultResultOrder: () => string
  readonly promises: { readonly setDefaultResultOrder: (order: unknown) => void; readonly getDefaultResultOrder: () => string }
}

/** What a call does: its value, or what it threw (type, code, message). */
const outcome = (f: () => unknown): unknown => {
  try {
    return { value: f() }
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    return { threw: { type: err.constructor.name, code: err.code, message: err.message } }
  }
}

const initial = dns.getDefaultResultOrder()
afterEach(() => dns.setDefaultResultOrder(initial))

describe("node:dns's default result order on the stack's node:dns, against Node 20's", () => {
  it("starts as Node's, takes each order Node takes and reports it, through promises too", () => {
    const node = dns as unknown as OrderFaces
    const mine = ours() as unknown as OrderFaces
    const trace = (d: OrderFaces) => {
      const out: Array<unknown> = [d.getDefaultResultOrder(), d.promises.getDefaultResultOrder()]
      for (const order of ["ipv4first", "ipv6first", "verbatim", "ipv4first"]) {
        out.push(outcome(() => d.setDefaultResultOrder(order)), d.getDefaultResultOrder(), d.promises.getDefaultResultOrder())
      }
      out.push(outcome(() => d.promises.setDefaultResultOrder("verbatim")), d.getDefaultResultOrder())
      return out
    }
    const reference = trace(node)
    expect(trace(mine)).toEqual(reference)
    expect(reference[0]).toBe("verbatim")
  })

  it("refuses what Node refuses, with Node's error, and keeps the order it had", () => {
    const node = dns as unknown as OrderFaces
    const mine = ours() as unknown as OrderFaces
    const trace = (d: OrderFaces) => {
      d.setDefaultResultOrder("ipv4first")
      const out: Array<unknown> = []
      for (const bad of ["IPv4first", "", undefined, null, 4, true, {}]) {
        out.push(outcome(() => d.setDefaultResultOrder(bad)), outcome(() => d.promises.setDefaultResultOrder(bad)))
      }
      out.push(d.getDefaultResultOrder())
      return out
    }
    const reference = trace(node)
    expect(trace(mine)).toEqual(reference)
    expect(JSON.stringify(reference[0])).toContain("ERR_INVALID_ARG_VALUE")
  })

  it("each node:dns face keeps its own order", () => {
    const a = ours() as unknown as OrderFaces
    const b = ours() as unknown as OrderFaces
    a.setDefaultResultOrder("ipv4first")
    expect([a.getDefaultResultOrder(), b.getDefaultResultOrder()]).toEqual(["ipv4first", initial])
  })
})
