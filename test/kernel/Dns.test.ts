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
 * `big.test` has 40 A records: 12 + 14 + 40·16 octets do not fit the 512
 * octets a query without EDNS may get (RFC 1035 §4.2.1), so dnsmasq sets TC
 * and sends 30; the resolver must ask again over TCP to get all 40.
 *
 * Live clock; waits are bounded. Needs root, /dev/net/tun, iproute2, the
 * addon, dnsmasq (Debian's `dnsmasq-base`) and socat; skips with the printed
 * reason otherwise (in CI a missing dnsmasq fails instead).
 */
import { describe, expect, it } from "@effect/vitest"
import { type Context, Effect, Layer, Runtime } from "effect"
import type { Scope } from "effect"
import * as Dns from "../../src/dns/Dns.js"
import { Link } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as NodeDns from "../../src/node/Dns.js"
import * as Net from "../../src/node/Net.js"
import * as Stack from "../../src/Stack.js"
import { eventually } from "../support/Live.js"
import { ifName, makeNetns, moveLinkToNetns, type Netns, spawnIn, type Spawned, tapSkipReason, which } from "../support/Netns.js"

const skipReason = (): string | undefined => tapSkipReason({ ciInstalls: ["dnsmasq", "socat"] })
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`skipping DNS against dnsmasq: ${SKIP}`)

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x35])
const STACK_IP = "198.18.0.2"
const HOST_IP = "198.18.0.1"
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
  ...BIG.map((a) => `--host-record=big.test,${a}`)
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
      const nx = yield* Effect.flip(w.dns.resolve4("nope.test"))
      expect(nx.reason).toBe("NotFound")
      const nodata = yield* Effect.flip(w.dns.resolve6("a.test"))
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
