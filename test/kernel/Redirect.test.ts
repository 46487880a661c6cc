/**
 * ICMP redirects from a real Linux router (RFC 1122 §3.2.2.2; Linux's
 * ip_rt_send_redirect on the router's side, our Route.ts/Interface.ts on the
 * host's). One Ethernet segment, a bridge in the first router's namespace:
 *
 *   stack 198.18.0.2 ─TAP─┐
 *                          br0 198.18.0.1 [router 1, forwarding, send_redirects]
 *   router 2 198.18.0.3 ─veth─┘   (owns 198.18.1.1)
 *
 * The stack's gateway is router 1, whose route to 198.18.1.0/24 goes via
 * router 2 out br0, the interface the stack's datagrams came in by: router 1
 * forwards them and redirects the stack to router 2 (ICMP redirect, host).
 * The stack believes it once router 2's MAC is known (the first redirect
 * makes it ask; Linux's __ip_do_redirect does the same), and then its echo
 * requests to 198.18.1.1 go to router 2's MAC, no longer through router 1.
 *
 * Live clock (the kernel runs on wall-clock time); waits are bounded, nothing
 * asserts on durations. Needs root, /dev/net/tun, iproute2 and the TAP
 * addon; skips with the printed reason otherwise. Addresses in 198.18.0.0/15
 * only; both namespaces are deleted with the test's scope.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { Icmp } from "../../src/icmp/Icmp.js"
import { Link } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as Stack from "../../src/Stack.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as Mac from "../../src/wire/Mac.js"
import { assertBenchAddress, ifName, makeNetns, run, runHost, tapSkipReason } from "../support/Netns.js"
import { asIpv4 } from "../support/Peer.js"
import { recordSends } from "../support/TestNet.js"

const SKIP = tapSkipReason()
if (SKIP !== undefined) console.warn(`skipping kernel redirect tests: ${SKIP}`)

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x12])
const ROUTER2_MAC = "02:67:6e:00:00:13"
const FAR = "198.18.1.1"

/** /proc/net/snmp's Icmp OutRedirects in `ns`: redirects the kernel there sent. */
const outRedirects = (ns: string) =>
  Effect.map(run(ns, ["cat", "/proc/net/snmp"], { timeoutMs: 10_000 }), (r) => {
    const [names, values] = r.stdout.split("\n").filter((l) => l.startsWith("Icmp:")).map((l) => l.trim().split(/\s+/))
    const i = names?.indexOf("OutRedirects") ?? -1
    if (i < 0 || values === undefined) throw new Error(`no Icmp OutRedirects in:\n${r.stdout}`)
    return Number(values[i])
  })

describe.skipIf(SKIP !== undefined)("ICMP redirects from the Linux kernel", () => {
  it.scopedLive("a router forwarding out the interface the datagram came in redirects the stack, which then sends to the other router", () =>
    Effect.gen(function*() {
      for (const a of ["198.18.0.1/24", "198.18.0.2/24", "198.18.0.3/24", "198.18.1.1/32"]) assertBenchAddress(a)
      const r1 = yield* makeNetns("rd")
      const r2 = yield* makeNetns("re")
      const tapName = ifName("rd")
      const vethA = ifName("rda")
      const vethB = ifName("rdb")
      const tap = yield* LinkTap.make({ name: tapName, mac: STACK_MAC })
      yield* runHost(["ip", "link", "set", tapName, "netns", r1.name])
      // router 1: a bridge joining the TAP and router 2's veth, its address on the bridge
      yield* run(r1.name, ["ip", "link", "add", "br0", "type", "bridge", "forward_delay", "0"])
      yield* run(r1.name, ["ip", "link", "add", vethA, "type", "veth", "peer", "name", vethB, "netns", r2.name])
      yield* run(r1.name, ["ip", "link", "set", tapName, "master", "br0"])
      yield* run(r1.name, ["ip", "link", "set", vethA, "master", "br0"])
      for (const dev of [tapName, vethA, "br0"]) yield* run(r1.name, ["ip", "link", "set", dev, "up"])
      yield* run(r1.name, ["ip", "addr", "add", "198.18.0.1/24", "dev", "br0"])
      yield* run(r1.name, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
      yield* run(r1.name, ["sysctl", "-qw", "net.ipv4.conf.all.send_redirects=1"])
      yield* run(r1.name, ["sysctl", "-qw", "net.ipv4.conf.br0.send_redirects=1"])
      yield* run(r1.name, ["ip", "route", "add", "198.18.1.0/24", "via", "198.18.0.3", "dev", "br0"])
      // router 2: on the segment, owning 198.18.1.1
      yield* run(r2.name, ["ip", "link", "set", vethB, "address", ROUTER2_MAC])
      yield* run(r2.name, ["ip", "addr", "add", "198.18.0.3/24", "dev", vethB])
      yield* run(r2.name, ["ip", "link", "set", vethB, "up"])
      yield* run(r2.name, ["ip", "addr", "add", "198.18.1.1/32", "dev", "lo"])

      const sent: Array<Uint8Array> = []
      const link = yield* recordSends(sent)(tap)
      const stack = yield* Layer.build(
        Stack.layer({ address: "198.18.0.2", prefixLength: 24, gateway: "198.18.0.1" }).pipe(
          Layer.provide(Layer.succeed(Link, link))
        )
      )
      const icmp = Effect.flatMap(Stack.Stack, (s) => s.stats).pipe(Effect.map((s) => s.icmp), Effect.provide(stack))
      const ping = Effect.flatMap(Icmp, (i) => i.ping(Addr.parse(FAR)!, { timeout: Duration.seconds(2) })).pipe(
        Effect.provide(stack)
      )
      // through router 1, which forwards and redirects; the first redirect names a router the stack
      // has no MAC for (it asks), a later one is believed (router 1 repeats it, 40 ms and more apart)
      for (let i = 0; i < 10 && !((yield* icmp).redirectsAccepted >= 1); i++) {
        yield* Effect.either(ping)
        yield* Effect.sleep(Duration.millis(300))
      }
      const redirectsSent = yield* outRedirects(r1.name)
      expect(redirectsSent).toBeGreaterThanOrEqual(1)

      // from now on: straight to router 2, and router 1 forwards (and redirects) nothing more
      sent.length = 0
      for (let i = 0; i < 3; i++) expect((yield* ping).seq).toBeGreaterThanOrEqual(0)
      const requests = sent.filter((f) => asIpv4(f) !== undefined && Addr.format(asIpv4(f)!.dst) === FAR)
      expect(requests.map((f) => Mac.format(f.subarray(0, 6)))).toEqual([ROUTER2_MAC, ROUTER2_MAC, ROUTER2_MAC])
      expect(yield* outRedirects(r1.name)).toBe(redirectsSent)
      const seen = yield* icmp
      expect(seen.redirectsAccepted, JSON.stringify(seen)).toBe(1)
    }))
})
