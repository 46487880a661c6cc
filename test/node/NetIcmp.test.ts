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
      expect(net0.message).toMatch(new RegExp(`^connect ENETUNREACH ${host.replace(/\./g, "\\.")}:80`))

      const codes: Array<string | undefined> = []
      for (const code of [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13]) codes.push((yield* answered(unreachable(code))).code)
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
