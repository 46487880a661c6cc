/**
 * ICMP errors on a connected `dgram` socket, as Linux reports them: only
 * hard ones (icmp_err_convert's fatal column: port unreachable and the like;
 * and fragmentation needed, EMSGSIZE, since the datagram went with DF)
 * become an 'error'; net and host unreachable are transient (RFC 1122
 * §3.2.2.1) and a socket without IP_RECVERR never hears them. The stack is
 * driven by a scripted peer (a router) over an in-memory link, on the live
 * clock, so that the Node-style socket runs as a program would run it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Dgram from "../../src/node/Dgram.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { boundedWait } from "../support/Clock.js"
import { asIpv4, ipRepr, PEER_ADDR } from "../support/Peer.js"
import { ADDR_A, MAC_A, run, stackWithPeer } from "../support/TestNet.js"

/** A stack and its test peer, and a dgram socket connected to the peer's port 9 whose 'error' codes are kept. */
const connectedToPeer = Effect.gen(function*() {
  const { stack, peer } = yield* stackWithPeer()
  const dgram = yield* run(stack, Dgram.make)
  const errors: Array<string> = []
  const socket = dgram.createSocket("udp4")
  socket.on("error", (e: NodeJS.ErrnoException) => errors.push(String(e.code)))
  yield* Effect.addFinalizer(() => Effect.sync(() => socket.close()))
  yield* Effect.async<void>((resume) => socket.connect(9, Addr.format(PEER_ADDR), () => resume(Effect.void)))
  return { errors, peer, socket }
})

describe("dgram: ICMP errors on a connected socket", () => {
  it.scopedLive("a host unreachable is not reported; a port unreachable is ECONNREFUSED", () =>
    Effect.gen(function*() {
      const { errors, peer, socket } = yield* connectedToPeer
      const report = (code: number) =>
        Effect.gen(function*() {
          socket.send("x")
          let frame = yield* boundedWait(peer.next, "the datagram")
          while (asIpv4(frame)?.protocol !== Ip.Protocol.UDP) frame = yield* boundedWait(peer.next, "the datagram")
          const ip = frame.subarray(Eth.HEADER_LEN)
          const quote = ip.subarray(0, (ip[0]! & 0x0f) * 4 + 8)
          const icmp = IcmpWire.emit({ _tag: "DstUnreachable", code, nextHopMtu: 0, data: quote })
          yield* peer.sendIp(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: icmp }), MAC_A)
          yield* Effect.sleep("50 millis")
        })
      yield* report(IcmpWire.DstUnreachableCode.HostUnreachable)
      yield* report(IcmpWire.DstUnreachableCode.NetUnreachable)
      yield* report(IcmpWire.DstUnreachableCode.PortUnreachable)
      expect(errors).toEqual(["ECONNREFUSED"])
      // fragmentation needed: EMSGSIZE, hard under IP_PMTUDISC_WANT, a datagram socket's default (Linux's
      // __udp4_lib_err: anything but IP_PMTUDISC_DONT), since the datagram went with DF
      yield* report(IcmpWire.DstUnreachableCode.FragmentationNeeded)
      expect(errors).toEqual(["ECONNREFUSED", "EMSGSIZE"])
    }))

  it.scopedLive("a parameter problem is EPROTO, hard; a time exceeded is not reported (Linux's __udp4_lib_err)", () =>
    Effect.gen(function*() {
      const { errors, peer, socket } = yield* connectedToPeer
      const report = (icmp: (quote: Uint8Array) => Uint8Array) =>
        Effect.gen(function*() {
          socket.send("x")
          let frame = yield* boundedWait(peer.next, "the datagram")
          while (asIpv4(frame)?.protocol !== Ip.Protocol.UDP) frame = yield* boundedWait(peer.next, "the datagram")
          const ip = frame.subarray(Eth.HEADER_LEN)
          const quote = ip.subarray(0, (ip[0]! & 0x0f) * 4 + 8)
          yield* peer.sendIp(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: icmp(quote) }), MAC_A)
          yield* Effect.sleep("50 millis")
        })
      // time exceeded in transit: EHOSTUNREACH, soft
      yield* report((data) => IcmpWire.emit({ _tag: "TimeExceeded", code: 0, data }))
      expect(errors).toEqual([])
      // parameter problem (pointer 0): EPROTO with harderr = 1
      yield* report((data) => IcmpWire.emit({ _tag: "Other", type: IcmpWire.Type.ParameterProblem, code: 0, rest: 0, data }))
      expect(errors).toEqual(["EPROTO"])
    }))
})
