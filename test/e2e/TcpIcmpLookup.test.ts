/**
 * An ICMP error about a TCP segment finds its connection by the quoted
 * datagram's own addresses and ports, as Linux's tcp_v4_err looks the socket
 * up (iph->saddr, th->source, iph->daddr, th->dest), without routing the
 * quoted destination: a connection from a local address that is not its
 * route's source (bind(2) to 127.0.0.9, then to 127.0.0.1) is found, and an
 * error quoting a destination we never sent to adds nothing to the route
 * cache (forged ones would otherwise push the stack's routes out of it).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Ipv4 } from "../../src/ipv4/Ipv4.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import { settle } from "../support/Clock.js"
import { ADDR_A, run, twoStacks } from "../support/TestNet.js"

/** The first 8 octets of a TCP header: the ports and the sequence number. */
const tcpQuote = (srcPort: number, dstPort: number, seq: number): Uint8Array => {
  const t = new Uint8Array(8)
  const v = new DataView(t.buffer)
  v.setUint16(0, srcPort)
  v.setUint16(2, dstPort)
  v.setUint32(4, seq)
  return t
}

describe("ICMP errors about TCP: the connection they quote", () => {
  it.scoped("is found by the quoted addresses: a connection from 127.0.0.9 to 127.0.0.1 claims an error quoting it", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 7 })))
      const conn = yield* run(a, Effect.flatMap(Tcp, (t) => t.connect({ address: "127.0.0.1", port: 7, localAddress: "127.0.0.9" })))
      yield* settle
      const ip = yield* run(a, Ipv4)
      const claimed = ip.reportIcmpError({
        type: "DstUnreachable",
        code: 1,
        mtu: 0,
        reporter: Addr.parse("127.0.0.1")!,
        src: conn.localAddress,
        dst: conn.remoteAddress,
        protocol: Ip.Protocol.TCP,
        transport: tcpQuote(conn.localPort, 7, 0)
      })
      expect([Addr.format(conn.localAddress), claimed]).toEqual(["127.0.0.9", true])
    }))

  it.scoped("routes nothing: errors quoting destinations we never sent to leave the route cache as it was", () =>
    Effect.gen(function*() {
      // (a gateway, so that every destination has a route the cache would keep)
      const { a } = yield* twoStacks({ configA: { gateway: "198.18.0.3" } })
      const ip = yield* run(a, Ipv4)
      const held = ip.route(Addr.parse("198.18.0.3")!)
      // more forged errors, each quoting another destination, than the route cache holds (4096)
      const first = Addr.parse("198.19.0.0")!
      for (let i = 0; i < 5000; i++) {
        ip.reportIcmpError({
          type: "DstUnreachable",
          code: 1,
          mtu: 0,
          reporter: Addr.parse("198.18.0.3")!,
          src: ADDR_A,
          dst: first + i,
          protocol: Ip.Protocol.TCP,
          transport: tcpQuote(40000, 80, 0)
        })
      }
      expect(held).toBeDefined()
      expect(ip.route(Addr.parse("198.18.0.3")!)).toBe(held)
    }))
})
