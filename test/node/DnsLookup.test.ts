/**
 * gonet-ts/node's `dns.lookup` (src/node/Dns.ts) against Node 20's own
 * `dns.lookup`, on what Node answers without asking a server: address
 * literals, `localhost` (from /etc/hosts), an empty name, and arguments it
 * refuses (thrown synchronously, as `TypeError`s with Node's codes and
 * messages). Ours runs on a resolver that answers nothing and counts what it
 * is asked, so a case that should need no question shows it asked none.
 */
import * as dns from "node:dns"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import * as NodeDns from "../../src/node/Dns.js"
import { silentDns } from "../support/SilentDns.js"

/** A resolver that fails every question with NXDOMAIN and remembers the names asked. */
const silent = () => {
  const { asked, runtime } = silentDns()
  return { asked, lookup: NodeDns.lookupFunction(runtime) }
}

type Outcome =
  | { readonly threw: { readonly type: string; readonly code: unknown; readonly message: string } }
  | { readonly called: ReadonlyArray<unknown> }

/** What one call does: throws at once, or calls back (the arguments, errors by their code). */
const outcome = (f: (cb: (...args: Array<unknown>) => void) => void): Promise<Outcome> =>
  new Promise((resolve) => {
    try {
      f((...args) =>
        resolve({
          called: args.map((a) => (a instanceof Error ? { code: (a as NodeJS.ErrnoException).code } : a))
        })
      )
    } catch (e) {
      const err = e as NodeJS.ErrnoException
      resolve({ threw: { type: err.constructor.name, code: err.code, message: err.message } })
    }
  })

/** The same call on Node's lookup and ours. */
const both = async (...args: Array<unknown>) => {
  const ours = silent()
  const call = (lookup: (...a: Array<unknown>) => void) => (cb: (...a: Array<unknown>) => void) => {
    // the callback goes where the caller put it: last, or in place of a missing one
    const at = args.indexOf(CB)
    lookup(...(at < 0 ? args : args.map((a, i) => (i === at ? cb : a))))
  }
  const node = await outcome(call(dns.lookup as unknown as (...a: Array<unknown>) => void))
  const mine = await outcome(call(ours.lookup as unknown as (...a: Array<unknown>) => void))
  return { node, mine, asked: ours.asked }
}
const CB = Symbol("callback")

describe("gonet-ts/node dns.lookup against Node 20's, where Node needs no server", () => {
  it("an address literal is its own answer whatever family is asked, with its own family", async () => {
    for (
      const args of [
        ["198.18.0.9", { family: 6 }, CB],
        ["198.18.0.9", { family: 6, all: true }, CB],
        ["198.18.0.9", 6, CB],
        ["::1", 4, CB],
        ["::1", { family: 4, all: true }, CB]
      ]
    ) {
      const { asked, mine, node } = await both(...args)
      expect(mine, JSON.stringify(args)).toEqual(node)
      expect(asked).toEqual([])
    }
  })

  it("'localhost' is the loopback without a question to the server (RFC 6761 §6.3; /etc/hosts for Node)", async () => {
    for (const args of [["localhost", { family: 4 }, CB], ["LOCALHOST", 4, CB]]) {
      const { asked, mine, node } = await both(...args)
      expect(mine, JSON.stringify(args)).toEqual(node)
      expect(asked).toEqual([])
    }
    // the stack speaks IPv4: every address of localhost it has is 127.0.0.1
    const ours = silent()
    const all = await outcome((cb) => ours.lookup("localhost", { all: true }, cb))
    expect(all).toEqual({ called: [null, [{ address: "127.0.0.1", family: 4 }]] })
    expect(await outcome((cb) => ours.lookup("localhost", cb))).toEqual({ called: [null, "127.0.0.1", 4] })
    expect(await outcome((cb) => ours.lookup("localhost", 6, cb))).toEqual({ called: [null, "::1", 6] })
    expect(ours.asked).toEqual([])
  })

  it("arguments Node refuses are thrown at once, as TypeErrors with Node's code and message", async () => {
    for (
      const args of [
        [123, CB],
        [{}, CB],
        ["198.18.0.9", { all: "yes" }, CB],
        ["198.18.0.9", { hints: 12345 }, CB],
        ["198.18.0.9", { hints: "x" }, CB],
        ["198.18.0.9", "x", CB],
        ["198.18.0.9", true],
        ["198.18.0.9", { family: 5 }, CB],
        ["198.18.0.9", 5, CB],
        ["198.18.0.9", { family: "4" }, CB],
        ["198.18.0.9", { order: "x" }, CB],
        ["198.18.0.9", { verbatim: 1 }, CB],
        ["198.18.0.9", {}],
        ["198.18.0.9"],
        ["198.18.0.9", 4, "not a function"]
      ]
    ) {
      const { asked, mine, node } = await both(...args)
      expect(node, JSON.stringify(args)).toHaveProperty("threw")
      expect(mine, JSON.stringify(args)).toEqual(node)
      expect(asked).toEqual([])
    }
  })

  it("arguments Node takes: a valid hints, order and verbatim, a null options", async () => {
    for (
      const args of [
        ["198.18.0.9", { hints: dns.ADDRCONFIG | dns.V4MAPPED, order: "ipv6first", verbatim: false }, CB],
        ["198.18.0.9", null, CB],
        ["198.18.0.9", { family: "IPv4" }, CB],
        // an empty or absent name: no address and no error (Node warns DEP0118)
        ["", CB],
        ["", { all: true }, CB],
        [null, 6, CB],
        [undefined, { family: 4 }, CB]
      ]
    ) {
      const { mine, node } = await both(...args)
      expect(mine, JSON.stringify(args)).toEqual(node)
    }
  })

  it("util.promisify gives { address, family } (an array with all: true), as for Node's lookup", async () => {
    const ours = promisify(silent().lookup as unknown as typeof dns.lookup)
    const node = promisify(dns.lookup)
    for (const args of [["198.18.0.9"], ["198.18.0.9", { family: 4 }], ["198.18.0.9", { all: true }], ["", { family: 6 }]] as const) {
      const call = (f: typeof node) => (f as unknown as (...a: ReadonlyArray<unknown>) => Promise<unknown>)(...args)
      expect(await call(ours), JSON.stringify(args)).toEqual(await call(node))
    }
    await expect(ours("nope.test")).rejects.toMatchObject({ code: "ENOTFOUND", hostname: "nope.test" })
  })
})

describe("a failed lookup, query or reverse lookup, as Node's DNSException (lib/internal/errors.js, Node 20)", () => {
  /** The message, the enumerable properties in order (what a spread, JSON or inspect shows), and whether the resolver's account is still there. */
  const seen = (e: unknown) => {
    const err = e as Error & { cause?: unknown }
    return [err.message, Object.keys(err), err.cause instanceof Error]
  }
  const called = (f: (cb: (err: unknown) => void) => void) => new Promise<unknown>((resolve) => f(resolve))

  it("errno, code, syscall and hostname, in Node's order and no more: the resolver's account is a non-enumerable cause", async () => {
    const d = NodeDns.nodeDns(silentDns().runtime)
    // (new DNSException(-3008, 'getaddrinfo', name), as Node's onlookup makes it: keys errno, code, syscall, hostname)
    expect(seen(await called((cb) => d.lookup("nope.test", cb)))).toEqual([
      "getaddrinfo ENOTFOUND nope.test",
      ["errno", "code", "syscall", "hostname"],
      true
    ])
    // (a c-ares code: errno undefined, but there)
    expect(seen(await called((cb) => d.resolve4("nope.test", cb)))).toEqual([
      "queryA ENOTFOUND nope.test",
      ["errno", "code", "syscall", "hostname"],
      true
    ])
    expect(seen(await called((cb) => d.lookupService("198.18.0.9", 80, cb)))).toEqual([
      "getnameinfo ENOTFOUND 198.18.0.9",
      ["errno", "code", "syscall", "hostname"],
      true
    ])
  })
})
