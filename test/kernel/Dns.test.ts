/**
 * The resolver (src/dns/Dns.ts) against dnsmasq from Debian (issue 9). The
 * world is NodeHttp.test.ts's: a namespace made here, a TAP moved into it
 * (198.18.0.1/24 on the kernel side), the stack at 198.18.0.2/24. dnsmasq
 * runs in that namespace, listening on 198.18.0.1 only, with no upstream
 * and no /etc/hosts: every record comes from its command line, under the
 * made-up domain `test` (`--local=/test/` makes it answer NXDOMAIN for the
 * rest of it). Records point only into 198.18.0.0/15 and, for AAAA, the
 * documentation prefix 2001:db8::/32 (resolved, never connected to).
 *
 * The record types of node:dns's resolveMx, resolveTxt… are checked the
 * differential way: the same calls to Node 20's own `dns.Resolver` (in a
 * child `node` run inside the namespace, `setServers` to dnsmasq's address,
 * nothing else) and to gonet-ts/node's `nodeDns` over the stack must give
 * the same results and the same errors. NS and SOA come from dnsmasq's
 * authoritative mode on a second address (198.18.0.5, `zone.test`).
 *
 * `big.test` has 40 A records: 12 + 14 + 40·16 octets do not fit the 512
 * octets a query without EDNS may get (RFC 1035 §4.2.1), so dnsmasq sets TC
 * and sends 30; the resolver must ask again over TCP to get all 40.
 *
 * Live clock; waits are bounded. Needs root, /dev/net/tun, iproute2, the
 * addon, dnsmasq (Debian's `dnsmasq-base`) and socat; skips with the printed
 * reason otherwise (in CI a missing dnsmasq fails instead).
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs"
import { type Context, Effect, Layer, Runtime } from "effect"
import type { Scope } from "effect"
import * as Dns from "../../src/dns/Dns.js"
import { Link } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as NodeDns from "../../src/node/Dns.js"
import * as Net from "../../src/node/Net.js"
import * as Stack from "../../src/Stack.js"
import { eventually } from "../support/Live.js"
import {
  exec,
  ifName,
  makeNetns,
  moveLinkToNetns,
  type Netns,
  run as runIn,
  spawnIn,
  type Spawned,
  tapSkipReason,
  which
} from "../support/Netns.js"
import { failureOf } from "../support/Failure.js"

const skipReason = (): string | undefined => tapSkipReason({ ciInstalls: ["dnsmasq", "socat"] })
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`skipping DNS against dnsmasq: ${SKIP}`)

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x35])
const STACK_IP = "198.18.0.2"
const HOST_IP = "198.18.0.1"
const AUTH_IP = "198.18.0.5"
const BIG = Array.from({ length: 40 }, (_, i) => `198.18.1.${i + 1}`)

const DNSMASQ_ARGS = [
  "--no-resolv",
  "--no-hosts",
  "--no-daemon",
  "--port",
  "53",
  "--listen-address",
  HOST_IP,
  "--bind-interfaces",
  // no pid file: the test knows the PID, and nothing may be left behind
  "--pid-file=",
  "--log-facility=-",
  "--log-queries",
  // names under test. that are not listed below are NXDOMAIN, not REFUSED
  "--local=/test/",
  // dnsmasq gives its own records TTL 0 unless told otherwise
  "--local-ttl=60",
  "--host-record=a.test,198.18.0.10",
  "--host-record=six.test,2001:db8::10",
  `--host-record=svc.test,${HOST_IP}`,
  "--cname=alias.test,a.test",
  "--cname=alias2.test,alias.test",
  "--address=/wild.test/198.18.0.20",
  ...BIG.map((a) => `--host-record=big.test,${a}`),
  // node:dns's other record types; in-addr.arpa and ip6.arpa names not listed are NXDOMAIN
  "--local=/18.198.in-addr.arpa/",
  "--local=/8.b.d.0.1.0.0.2.ip6.arpa/",
  "--mx-host=mx.test,mail1.test,10",
  "--mx-host=mx.test,mail2.test,5",
  "--txt-record=txt.test,v=spf1 -all,second part",
  "--txt-record=txt.test,other",
  "--srv-host=_http._tcp.srv.test,a.test,80,1,2",
  "--srv-host=_http._tcp.srv.test,b.test,8080,0,5",
  "--ptr-record=12.0.18.198.in-addr.arpa,one.test",
  "--ptr-record=12.0.18.198.in-addr.arpa,two.test",
  "--ptr-record=ptr.test,p.test",
  "--naptr-record=naptr.test,100,10,U,E2U+sip,!^.*$!sip:info@example.test!",
  "--caa-record=caa.test,0,issue,ca.test",
  "--caa-record=critical.test,128,iodef,mailto:x@example.test",
  // one name with several types, for ANY: the answer's order against Node's grouping by type
  "--txt-record=many.test,first",
  "--mx-host=many.test,mail.test,1",
  "--host-record=many.test,198.18.0.30,2001:db8::30",
  "--caa-record=many.test,0,issue,ca.test",
  // NS and SOA: an authoritative zone, answered on its own address
  "--listen-address",
  AUTH_IP,
  `--auth-server=ns.test,${AUTH_IP}`,
  "--auth-zone=zone.test",
  "--auth-soa=2024010101,hostmaster.zone.test,1200,180,1209600"
]

interface World {
  readonly ns: Netns
  readonly stack: Context.Context<Stack.Services>
  readonly dns: Dns.DnsService
  readonly dnsmasq: Spawned
}

const makeWorld = (index: number): Effect.Effect<World, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const ns = yield* makeNetns("dn")
    const ifname = ifName("dn", index)
    const tap = yield* LinkTap.make({ name: ifname, mac: STACK_MAC })
    yield* moveLinkToNetns(ifname, ns, { address: `${HOST_IP}/24` })
    yield* runIn(ns, ["ip", "addr", "add", `${AUTH_IP}/24`, "dev", ifname])
    const stack = yield* Layer.build(
      Stack.layer({ address: STACK_IP, prefixLength: 24 }).pipe(Layer.provide(Layer.succeed(Link, tap)))
    )
    const dnsmasq = yield* spawnIn(ns, [which("dnsmasq")!, ...DNSMASQ_ARGS])
    // it has bound its sockets once it has read its configuration and says so
    yield* eventually(Effect.sync(() => dnsmasq.stderr()), (e) => /using only locally-known addresses/.test(e), "dnsmasq to start")
    const dns = yield* Effect.provide(Dns.make({ servers: [HOST_IP], timeout: "1 second" }), stack)
    return { ns, stack, dns, dnsmasq }
  })

describe.skipIf(SKIP !== undefined)("DNS with dnsmasq in the kernel's namespace", () => {
  it.scopedLive("A, AAAA, CNAME chains, NXDOMAIN, NODATA, and a truncated answer over TCP", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(0)
      const log = () => `dnsmasq said:\n${w.dnsmasq.stderr()}`
      expect(yield* w.dns.resolve4("a.test"), log()).toEqual(["198.18.0.10"])
      expect(yield* w.dns.resolve6("six.test")).toEqual(["2001:db8::10"])
      const chain = yield* w.dns.query("alias2.test", 1)
      expect(chain.cnames).toEqual(["alias2.test", "alias.test"])
      expect(chain.name).toBe("a.test")
      expect(yield* w.dns.lookup("alias2.test")).toBe("198.18.0.10")
      expect(yield* w.dns.resolve4("host.wild.test")).toEqual(["198.18.0.20"])
      const nx = yield* failureOf(w.dns.resolve4("nope.test"))
      expect(nx.reason).toBe("NotFound")
      const nodata = yield* failureOf(w.dns.resolve6("a.test"))
      expect(nodata.reason).toBe("NoData")

      const before = yield* w.dns.stats
      const big = yield* w.dns.resolve4("big.test")
      const after = yield* w.dns.stats
      expect([...big].sort()).toEqual([...BIG].sort())
      expect(after.tcpQueries - before.tcpQueries).toBe(1)
      // dnsmasq's TTL is 60 s: asked again at once, the cache answers
      yield* w.dns.resolve4("big.test")
      expect((yield* w.dns.stats).udpQueries).toBe(after.udpQueries)
      expect(after.mismatched).toBe(0)
      expect(w.dnsmasq.stderr()).toMatch(/query\[A\] big\.test from 198\.18\.0\.2/)
    }), 60_000)

  it.scopedLive("gonet-ts/node: net.connect({ host: 'svc.test', lookup }) reaches a kernel-side listener by name", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(1)
      const listener = yield* spawnIn(w.ns, [
        which("socat")!,
        `TCP-LISTEN:7777,bind=${HOST_IP},reuseaddr`,
        "SYSTEM:echo hello-by-name"
      ])
      yield* eventually(
        Effect.sync(() => listener.child.exitCode === null),
        (up) => up,
        "socat to run"
      )
      const net = yield* Effect.provide(Net.make, w.stack)
      const runtime = yield* Effect.runtime<never>()
      const lookup = NodeDns.lookupFunction(Runtime.provideService(runtime, Dns.Dns, w.dns))
      const result = yield* Effect.async<{ lookedUp: unknown; data: string; error?: Error }>((resume) => {
        let lookedUp: unknown
        let data = ""
        // socat may not be listening yet on the first try: a refused connection is tried again, a few times
        const attempt = (left: number) => {
          const socket = net.connect({ host: "svc.test", port: 7777, lookup })
          socket.on("lookup", (err, address, family, host) => (lookedUp = { err, address, family, host }))
          socket.on("data", (d: Buffer) => (data += d.toString()))
          socket.on("end", () => resume(Effect.succeed({ lookedUp, data })))
          socket.on("error", (error: NodeJS.ErrnoException) => {
            if (error.code === "ECONNREFUSED" && left > 0) setTimeout(() => attempt(left - 1), 200)
            else resume(Effect.succeed({ lookedUp, data, error }))
          })
        }
        attempt(20)
      })
      expect(result.error).toBeUndefined()
      expect(result.lookedUp).toEqual({ err: null, address: HOST_IP, family: 4, host: "svc.test" })
      expect(result.data).toBe("hello-by-name\n")

      // and a name dnsmasq does not know fails as Node's would
      const failed = yield* Effect.async<NodeJS.ErrnoException>((resume) => {
        const socket = net.connect({ host: "nope.test", port: 7777, lookup })
        socket.on("error", (e: NodeJS.ErrnoException) => resume(Effect.succeed(e)))
      })
      expect(failed).toMatchObject({ code: "ENOTFOUND", syscall: "getaddrinfo", hostname: "nope.test" })
    }), 60_000)
})

// ---------------------------------------------------------------------------
// node:dns against Node's own, both asking dnsmasq

/** One call: the server to ask, the method, its arguments. */
type Call = readonly [server: string, method: string, ...args: ReadonlyArray<string | number>]

/** What a call gave, callback and promise forms: the value, or the error's code, syscall, hostname, errno and message. */
type Outcome = { readonly value: unknown } | { readonly error: Record<string, unknown> }

const errorShape = (e: NodeJS.ErrnoException & { hostname?: string }) => ({
  code: e.code,
  syscall: e.syscall,
  hostname: e.hostname ?? null,
  errno: e.errno ?? null,
  message: e.message
})

/**
 * Run inside the namespace by Node's own binary: each call on a `dns.Resolver` and a
 * `dns.promises.Resolver` with `setServers([server])` (dnsmasq's addresses, nothing else), one
 * try of 1 s, the outcomes printed as JSON.
 */
const NODE_SIDE = `
const dns = require("node:dns")
const calls = JSON.parse(process.argv[1])
const shape = ${errorShape.toString()}
const resolvers = {}
const resolver = (server) => {
  if (!resolvers[server]) {
    const cb = new dns.Resolver({ timeout: 1000, tries: 1 })
    const p = new dns.promises.Resolver({ timeout: 1000, tries: 1 })
    cb.setServers([server])
    p.setServers([server])
    resolvers[server] = { cb, p }
  }
  return resolvers[server]
}
;(async () => {
  const out = []
  for (const [server, method, ...args] of calls) {
    // lookupService is getnameinfo's, which asks the servers of resolv.conf (the namespace's own)
    const { cb, p } = method === "lookupService" ? { cb: dns, p: dns.promises } : resolver(server)
    // "cancel:m": m's question, then cancel() on its resolver
    const [m, cancel] = method.startsWith("cancel:") ? [method.slice(7), true] : [method, false]
    const viaCallback = await new Promise((res) => {
      cb[m](...args, (e, ...v) => res(e ? { error: shape(e) } : { value: v.length > 1 ? v : v[0] }))
      if (cancel) cb.cancel()
    })
    const pending = p[m](...args)
    if (cancel) p.cancel()
    const viaPromise = await pending.then((v) => ({ value: v }), (e) => ({ error: shape(e) }))
    out.push([viaCallback, viaPromise])
  }
  console.log(JSON.stringify(out))
})()
`

const nodeSide = (ns: Netns, calls: ReadonlyArray<Call>) =>
  Effect.map(
    exec(ns, [process.execPath, "-e", NODE_SIDE, JSON.stringify(calls)], { timeoutMs: 30_000 }),
    (r) => {
      if (r.code !== 0) throw new Error(`node in the namespace: ${r.stderr}`)
      return JSON.parse(r.stdout) as ReadonlyArray<readonly [Outcome, Outcome]>
    }
  )

/**
 * The same calls on gonet-ts/node's node:dns over the stack, the same way: a `Resolver` and a
 * `promises.Resolver` per server, `{ timeout: 1000, tries: 1 }`, `setServers([server])`.
 */
const ourSide = (w: World, calls: ReadonlyArray<Call>) =>
  Effect.gen(function*() {
    const dns = yield* Effect.provide(NodeDns.makeNodeDnsWith({ servers: [HOST_IP] }), w.stack)
    const resolvers = new Map<string, { cb: object; p: object }>()
    const out: Array<readonly [Outcome, Outcome]> = []
    for (const [server, method, ...args] of calls) {
      let pair = resolvers.get(server)
      if (pair === undefined) {
        const cb = new dns.Resolver({ timeout: 1000, tries: 1 })
        const p = new dns.promises.Resolver({ timeout: 1000, tries: 1 })
        cb.setServers([server])
        p.setServers([server])
        pair = { cb, p }
        resolvers.set(server, pair)
      }
      const { cb, p } = method === "lookupService" ? { cb: dns, p: dns.promises } : pair
      const [m, cancel] = method.startsWith("cancel:") ? [method.slice(7), true] : [method, false]
      const f = (...a: Array<unknown>) => (cb as Record<string, (...a: Array<unknown>) => void>)[m]!.apply(cb, a)
      const g = (...a: Array<unknown>) => (p as Record<string, (...a: Array<unknown>) => Promise<unknown>>)[m]!.apply(p, a)
      const viaCallback = yield* Effect.async<Outcome>((resume) => {
        f(...args, (e: NodeJS.ErrnoException | null, ...v: Array<unknown>) =>
          resume(Effect.succeed(e ? { error: errorShape(e) } : { value: v.length > 1 ? v : v[0] })))
        if (cancel) (cb as NodeDns.NodeDnsResolver).cancel()
      })
      const viaPromise = yield* Effect.promise(() => {
        const pending = g(...args)
        if (cancel) (p as NodeDns.NodeDnsPromisesResolver).cancel()
        return pending.then((v): Outcome => ({ value: v }), (e: NodeJS.ErrnoException): Outcome => ({ error: errorShape(e) }))
      })
      // through JSON, as the other side's came
      out.push(JSON.parse(JSON.stringify([viaCallback, viaPromise])))
    }
    return out
  })

/**
 * `ours` as they compare with `theirs`: the order of a list is the server's, and dnsmasq does not
 * always send the records of one name in the same order (SRV), so where Node's own two calls (two
 * questions) came back in different orders, `ours` is put in the order of `theirs`, so that only
 * what is in them is compared; where Node's came back alike, the order is compared too.
 */
const inServerOrder = (ours: readonly [Outcome, Outcome], theirs: readonly [Outcome, Outcome]): readonly [Outcome, Outcome] => {
  const [a, b] = theirs
  if (!("value" in a) || !("value" in b) || !Array.isArray(a.value) || JSON.stringify(a.value) === JSON.stringify(b.value)) return ours
  const reorder = (o: Outcome, like: Outcome): Outcome => {
    if (!("value" in o) || !Array.isArray(o.value) || !("value" in like) || !Array.isArray(like.value)) return o
    const keys = (like.value as Array<unknown>).map((x) => JSON.stringify(x))
    return { value: [...(o.value as Array<unknown>)].sort((x, y) => keys.indexOf(JSON.stringify(x)) - keys.indexOf(JSON.stringify(y))) }
  }
  return [reorder(ours[0], a), reorder(ours[1], b)]
}

const RECORD_CALLS: ReadonlyArray<Call> = [
  [HOST_IP, "resolveMx", "mx.test"],
  [HOST_IP, "resolveMx", "a.test"],
  [HOST_IP, "resolveMx", "nope.test"],
  [HOST_IP, "resolveMx", "alias.test"],
  [HOST_IP, "resolveTxt", "txt.test"],
  [HOST_IP, "resolveTxt", "a.test"],
  [HOST_IP, "resolveTxt", "alias.test"],
  [HOST_IP, "resolveSrv", "_http._tcp.srv.test"],
  [HOST_IP, "resolveSrv", "alias.test"],
  [HOST_IP, "resolvePtr", "10.0.18.198.in-addr.arpa"],
  [HOST_IP, "resolvePtr", "12.0.18.198.in-addr.arpa"],
  [HOST_IP, "resolvePtr", "ptr.test"],
  [HOST_IP, "resolvePtr", "a.test"],
  [HOST_IP, "resolvePtr", "alias.test"],
  [HOST_IP, "resolvePtr", "11.0.18.198.in-addr.arpa"],
  [HOST_IP, "resolveNaptr", "naptr.test"],
  [HOST_IP, "resolveNaptr", "alias.test"],
  [HOST_IP, "resolveCaa", "caa.test"],
  [HOST_IP, "resolveCaa", "critical.test"],
  [HOST_IP, "resolveCaa", "alias.test"],
  [HOST_IP, "resolveSoa", "a.test"],
  [HOST_IP, "resolveSoa", "alias.test"],
  [HOST_IP, "resolveSoa", "nope.test"],
  [HOST_IP, "resolveNs", "a.test"],
  [HOST_IP, "resolveNs", "alias.test"],
  [HOST_IP, "resolve", "mx.test", "MX"],
  [HOST_IP, "resolve", "txt.test", "TXT"],
  [HOST_IP, "resolve", "_http._tcp.srv.test", "SRV"],
  [HOST_IP, "resolve", "ptr.test", "PTR"],
  [HOST_IP, "resolve", "naptr.test", "NAPTR"],
  [HOST_IP, "resolve", "caa.test", "CAA"],
  [HOST_IP, "resolve", "a.test", "SOA"],
  [AUTH_IP, "resolveNs", "zone.test"],
  [AUTH_IP, "resolveSoa", "zone.test"],
  [AUTH_IP, "resolveNs", "x.zone.test"],
  [AUTH_IP, "resolveSoa", "x.zone.test"],
  [AUTH_IP, "resolveMx", "zone.test"],
  [AUTH_IP, "resolve", "zone.test", "SOA"],
  [AUTH_IP, "resolve", "zone.test", "NS"],
  // ANY: every record the answer has for the name, each with its type
  [HOST_IP, "resolveAny", "a.test"],
  [HOST_IP, "resolveAny", "six.test"],
  [HOST_IP, "resolveAny", "mx.test"],
  [HOST_IP, "resolveAny", "txt.test"],
  [HOST_IP, "resolveAny", "_http._tcp.srv.test"],
  [HOST_IP, "resolveAny", "ptr.test"],
  [HOST_IP, "resolveAny", "naptr.test"],
  [HOST_IP, "resolveAny", "caa.test"],
  [HOST_IP, "resolveAny", "alias.test"],
  [HOST_IP, "resolveAny", "nope.test"],
  [HOST_IP, "resolveAny", "many.test"],
  [HOST_IP, "resolve", "big.test", "ANY"],
  [AUTH_IP, "resolveAny", "zone.test"]
]

describe.skipIf(SKIP !== undefined)("node:dns against Node 20's own Resolver, both asking dnsmasq", () => {
  it.scopedLive("MX, TXT, SRV, PTR, NAPTR, CAA, NS, SOA and ANY: the same results, in the same order, and the same errors, callback and promise", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(2)
      const theirs = yield* nodeSide(w.ns, RECORD_CALLS)
      const ours = yield* ourSide(w, RECORD_CALLS)
      RECORD_CALLS.forEach((call, i) => expect(inServerOrder(ours[i]!, theirs[i]!), JSON.stringify(call)).toEqual(theirs[i]))
    }), 90_000)
})

const REVERSE_CALLS: ReadonlyArray<Call> = [
  [HOST_IP, "reverse", "198.18.0.10"],
  [HOST_IP, "reverse", "198.18.0.12"],
  [HOST_IP, "reverse", HOST_IP],
  [HOST_IP, "reverse", "2001:db8::10"],
  [HOST_IP, "reverse", "198.18.0.11"],
  [HOST_IP, "reverse", "2001:db8::99"],
  [HOST_IP, "reverse", "::ffff:198.18.0.10"],
  [HOST_IP, "reverse", "127.0.0.1"],
  [HOST_IP, "reverse", "::1"],
  [HOST_IP, "lookupService", "198.18.0.10", 80],
  [HOST_IP, "lookupService", "198.18.0.10", 22],
  [HOST_IP, "lookupService", "198.18.0.10", "443"],
  [HOST_IP, "lookupService", "198.18.0.10", 53],
  [HOST_IP, "lookupService", "198.18.0.10", 0],
  [HOST_IP, "lookupService", "198.18.0.10", 65000],
  [HOST_IP, "lookupService", "2001:db8::10", 25],
  [HOST_IP, "lookupService", "198.18.0.11", 80],
  [HOST_IP, "lookupService", "127.0.0.1", 80],
  [HOST_IP, "lookupService", "::1", 587]
]

/**
 * `ip netns exec` mounts /etc/netns/NAME/resolv.conf and hosts over /etc's: getnameinfo in the
 * namespace then asks dnsmasq and nothing else, and finds localhost in a hosts file of one line
 * each for 127.0.0.1 and ::1 (what the stack answers for them). Removed when the scope closes.
 */
const namespaceResolvConf = (ns: Netns) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const dir = `/etc/netns/${ns.name}`
      // /etc/netns itself goes again if this made it and nothing else is in it
      const made = mkdirSync(dir, { recursive: true })
      writeFileSync(`${dir}/resolv.conf`, `nameserver ${HOST_IP}\noptions attempts:1 timeout:1\n`)
      writeFileSync(`${dir}/hosts`, "127.0.0.1 localhost\n::1 localhost\n")
      return { dir, madeParent: made === "/etc/netns" }
    }),
    ({ dir, madeParent }) =>
      Effect.sync(() => {
        rmSync(dir, { recursive: true, force: true })
        if (madeParent && readdirSync("/etc/netns").length === 0) rmdirSync("/etc/netns")
      })
  )

describe.skipIf(SKIP !== undefined)("node:dns's reverse and lookupService against Node 20's own, both asking dnsmasq", () => {
  it.scopedLive("reverse (in-addr.arpa and ip6.arpa PTR) and lookupService (a PTR name and the service's name): the same results and errors, callback and promise", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(3)
      yield* namespaceResolvConf(w.ns)
      const theirs = yield* nodeSide(w.ns, REVERSE_CALLS)
      const ours = yield* ourSide(w, REVERSE_CALLS)
      REVERSE_CALLS.forEach((call, i) => expect(inServerOrder(ours[i]!, theirs[i]!), JSON.stringify(call)).toEqual(theirs[i]))
    }), 90_000)
})

/** a UDP port in the namespace that takes questions and never answers (socat into /dev/null) */
const SINK = `${HOST_IP}:5399`

const RESOLVER_CALLS: ReadonlyArray<Call> = [
  [SINK, "resolve4", "a.test"],
  [SINK, "reverse", "198.18.0.10"],
  [SINK, "cancel:resolve4", "a.test"],
  [SINK, "cancel:resolveMx", "mx.test"],
  [SINK, "cancel:reverse", "198.18.0.10"],
  [HOST_IP, "resolve4", "a.test"]
]

describe.skipIf(SKIP !== undefined)("node:dns's Resolver against Node 20's own, on a server that does not answer", () => {
  it.scopedLive("{ timeout: 1000, tries: 1 } gives up with ETIMEOUT (reverse: ENOTFOUND); cancel() ends a question under way with ECANCELLED; the resolvers go on", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(4)
      const sink = yield* spawnIn(w.ns, [which("socat")!, "-u", `UDP4-RECV:5399,bind=${HOST_IP}`, "OPEN:/dev/null"])
      // bound, or the first question would meet a port unreachable (ECONNREFUSED) instead
      yield* eventually(
        Effect.map(exec(w.ns, ["ss", "-Hnlu"]), (r) => sink.child.exitCode === null && r.stdout.includes(SINK)),
        (up) => up,
        "socat to bind"
      )
      const theirs = yield* nodeSide(w.ns, RESOLVER_CALLS)
      const ours = yield* ourSide(w, RESOLVER_CALLS)
      RESOLVER_CALLS.forEach((call, i) => expect(ours[i], JSON.stringify(call)).toEqual(theirs[i]))
    }), 90_000)
})
