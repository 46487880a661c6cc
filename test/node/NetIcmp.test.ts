/**
 * ICMP errors about a `net.Socket`'s SYN, as a Node program on Linux sees
 * them: the connect fails at once (tcp_v4_err ends a SYN-SENT socket at any
 * of them) with the errno icmp_err_convert gives the error (a net
 * unreachable is ENETUNREACH, a host unreachable EHOSTUNREACH, a port
 * unreachable ECONNREFUSED, ...), as `connect <code> <address>:<port>`. The
 * stack is driven by a scripted peer (a router) over an in-memory link, on
 * the live clock, so that the socket runs as a program would run it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { codeOf } from "../../src/node/Errors.js"
import * as Net from "../../src/node/Net.js"
import { TcpError } from "../../src/tcp/TcpError.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { boundedWait } from "../support/Clock.js"
import { asIpv4, ipRepr, PEER_ADDR } from "../support/Peer.js"
import { ADDR_A, MAC_A, run, stackWithPeer } from "../support/TestNet.js"

describe("net: ICMP errors about a connect's SYN", () => {
  it.scopedLive("each fails the connect with its errno: net unreachable ENETUNREACH, host unreachable EHOSTUNREACH, ...", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      const net = yield* run(stack, Net.make)
      const host = Addr.format(PEER_ADDR)
      /** connect to the peer's port 80, answer the SYN with `icmp` quoting it, and take the 'error' */
      const answered = (icmp: (quote: Uint8Array) => Uint8Array) =>
        Effect.gen(function*() {
          const socket = net.connect(80, host)
          const failed = Effect.async<NodeJS.ErrnoException>((resume) => {
            socket.once("error", (e: NodeJS.ErrnoException) => resume(Effect.succeed(e)))
          })
          let frame = yield* boundedWait(peer.next, "the SYN")
          while (asIpv4(frame)?.protocol !== Ip.Protocol.TCP) frame = yield* boundedWait(peer.next, "the SYN")
          const ip = frame.subarray(Eth.HEADER_LEN)
          const quote = ip.subarray(0, (ip[0]! & 0x0f) * 4 + 8)
          yield* peer.sendIp(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: icmp(quote) }), MAC_A)
          return yield* boundedWait(failed, "the connect to fail")
        })
      const unreachable = (code: number) => (data: Uint8Array) => IcmpWire.emit({ _tag: "DstUnreachable", code, nextHopMtu: 0, data })

      const net0 = yield* answered(unreachable(IcmpWire.DstUnreachableCode.NetUnreachable))
      expect(net0.code).toBe("ENETUNREACH")
      expect(net0.syscall).toBe("connect")
      expect(net0).toMatchObject({ address: host, port: 80 })
      // (word for word: Node's afterConnect, exceptionWithHostPort; no local end, none was asked for)
      expect(net0.message).toBe(`connect ENETUNREACH ${host}:80`)
      expect(Object.keys(net0)).toEqual(["errno", "code", "syscall", "address", "port"])

      const codes: Array<string | undefined> = []
      for (const code of [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13]) {
        const e = yield* answered(unreachable(code))
        expect(e.message).toBe(`connect ${e.code} ${host}:80`)
        codes.push(e.code)
      }
      expect(codes).toEqual([
        "EHOSTUNREACH",
        "ENOPROTOOPT",
        "ECONNREFUSED",
        "EOPNOTSUPP",
        "ENETUNREACH",
        "EHOSTDOWN",
        "ENONET",
        "ENETUNREACH",
        "EHOSTUNREACH",
        "ENETUNREACH",
        "EHOSTUNREACH",
        "EHOSTUNREACH"
      ])
      // time exceeded in transit: EHOSTUNREACH; a parameter problem: EPROTO (tcp_v4_err)
      expect((yield* answered((data) => IcmpWire.emit({ _tag: "TimeExceeded", code: 0, data }))).code).toBe("EHOSTUNREACH")
      const param = (data: Uint8Array) => IcmpWire.emit({ _tag: "Other", type: IcmpWire.Type.ParameterProblem, code: 0, rest: 0, data })
      expect((yield* answered(param)).code).toBe("EPROTO")
    }))
})

describe("net: a connect that fails with no ICMP error, as node:net words it (Node 20, tried in a namespace)", () => {
  it.scopedLive("a SYN unanswered is ETIMEDOUT from connect, naming the peer, and the local end when one was asked for", () =>
    Effect.gen(function*() {
      // (one SYN, no retries: the connect fails after the first RTO, a second)
      const { stack } = yield* stackWithPeer({ config: { tcp: { synRetries: 0 } } })
      const net = yield* run(stack, Net.make)
      const host = Addr.format(PEER_ADDR)
      const failed = (options: { port: number; host: string; localPort?: number }) =>
        Effect.async<NodeJS.ErrnoException>((resume) => {
          net.connect(options).once("error", (e: NodeJS.ErrnoException) => resume(Effect.succeed(e)))
        })
      const plain = yield* boundedWait(failed({ port: 80, host }), "the connect to time out")
      expect(plain.message).toBe(`connect ETIMEDOUT ${host}:80`)
      expect({ ...plain }).toEqual({ errno: -110, code: "ETIMEDOUT", syscall: "connect", address: host, port: 80 })
      const local = yield* boundedWait(failed({ port: 80, host, localPort: 5004 }), "the connect to time out")
      expect(local.message).toBe(`connect ETIMEDOUT ${host}:80 - Local (0.0.0.0:5004)`)
      expect({ ...local }).toEqual({
        errno: -110,
        code: "ETIMEDOUT",
        syscall: "connect",
        address: host,
        port: 80,
        localAddress: "0.0.0.0",
        localPort: 5004
      })
    }), 20_000)

  it.scopedLive("no route is ENETUNREACH from connect(2) itself: Node names the socket's own end (getsockname: the wildcard and port 0 when nothing was bound)", () =>
    Effect.gen(function*() {
      const { stack } = yield* stackWithPeer()
      const net = yield* run(stack, Net.make)
      const failed = (options: { port: number; host: string; localPort?: number }) =>
        Effect.async<NodeJS.ErrnoException>((resume) => {
          net.connect(options).once("error", (e: NodeJS.ErrnoException) => resume(Effect.succeed(e)))
        })
      const plain = yield* boundedWait(failed({ port: 80, host: "198.19.5.5" }), "the connect to fail")
      expect(plain.message).toBe("connect ENETUNREACH 198.19.5.5:80 - Local (0.0.0.0:0)")
      expect({ ...plain }).toEqual({ errno: -101, code: "ENETUNREACH", syscall: "connect", address: "198.19.5.5", port: 80 })
      const local = yield* boundedWait(failed({ port: 80, host: "198.19.5.5", localPort: 5003 }), "the connect to fail")
      expect(local.message).toBe("connect ENETUNREACH 198.19.5.5:80 - Local (0.0.0.0:5003)")
      expect({ ...local }).toEqual({ errno: -101, code: "ENETUNREACH", syscall: "connect", address: "198.19.5.5", port: 80 })
    }), 20_000)
})

describe("the errno of each TcpError reason", () => {
  it("what an ICMP error said keeps its errno; our own routing's NoRoute stays ENETUNREACH", () => {
    const reasons: ReadonlyArray<TcpError["reason"]> = [
      "NoRoute",
      "NetworkUnreachable",
      "HostUnreachable",
      "HostDown",
      "NotOnNetwork",
      "ProtocolNotAvailable",
      "NotSupported",
      "ProtocolError",
      "ConnectionRefused",
      "TimedOut"
    ]
    expect(reasons.map((reason) => codeOf(new TcpError({ reason, detail: "" })))).toEqual([
      "ENETUNREACH",
      "ENETUNREACH",
      "EHOSTUNREACH",
      "EHOSTDOWN",
      "ENONET",
      "ENOPROTOOPT",
      "EOPNOTSUPP",
      "EPROTO",
      "ECONNREFUSED",
      "ETIMEDOUT"
    ])
  })
})
