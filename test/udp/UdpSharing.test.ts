/**
 * Who gets a datagram when sockets share a port, as Linux decides it
 * (net/ipv4/udp.c): SO_REUSEADDR lets sockets bound to overlapping addresses
 * share a port (udp_lib_lport_inuse); a unicast goes to one socket
 * (__udp4_lib_lookup: a socket bound to the destination address before one
 * bound to every address, a connected socket whose peer sent it before an
 * unconnected one, between equals the one bound last), a broadcast to every
 * socket that takes it (__udp4_lib_mcast_deliver). Two in-memory stacks:
 * B sends, A's sockets receive.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { Udp, type UdpSocket } from "../../src/udp/Udp.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { boundedWait, settle } from "../support/Clock.js"
import { ADDR_A, ADDR_B, run, type StackContext, statsOf, twoStacks } from "../support/TestNet.js"

const LOOPBACK = Addr.parse("127.0.0.1")!
/** the broadcast address of the test subnet, 198.18.0.0/24 */
const SUBNET_BROADCAST = Addr.parse("198.18.0.255")!
const PORT = 5000

const text = (s: string) => new TextEncoder().encode(s)
const str = (b: Uint8Array) => new TextDecoder().decode(b)

/** The payloads queued for `s` now, without waiting. */
const drain = (s: UdpSocket) =>
  Effect.gen(function*() {
    yield* settle
    const out: Array<string> = []
    for (;;) {
      const d = yield* Effect.timeoutOption(s.receive, 0)
      if (Option.isNone(d)) return out
      out.push(str(d.value.payload))
    }
  })

/** One datagram from stack `from`, from port `srcPort`. */
const sendFrom = (from: StackContext, dst: Addr.Ipv4Addr, payload: string, srcPort: number, broadcast = false) =>
  run(
    from,
    Effect.scoped(Effect.gen(function*() {
      const s = yield* Effect.flatMap(Udp, (u) => u.bind(srcPort))
      if (broadcast) yield* s.setBroadcast(true)
      yield* s.send(dst, PORT, text(payload))
    }))
  )

const failureReason = <A>(exit: Exit.Exit<A, { readonly reason: string }>): string =>
  Exit.isSuccess(exit) ? "bound" : Option.getOrElse(Option.map(Exit.causeOption(exit), (c) => c._tag === "Fail" ? c.error.reason : c._tag), () => "?")

describe("UDP port sharing, as Linux", () => {
  it.scoped("SO_REUSEADDR on every socket: they share the port, a unicast goes to the one bound last, and once it closes to the one before", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const [first, second, third] = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const first = yield* udp.bind(PORT, { reuseAddr: true })
        const second = yield* udp.bind(PORT, { reuseAddr: true })
        return [first, second, yield* Effect.scoped(Effect.gen(function*() {
          const third = yield* udp.bind(PORT, { reuseAddr: true })
          yield* sendFrom(b, ADDR_A, "one", 4000)
          yield* sendFrom(b, ADDR_A, "two", 4001)
          return yield* drain(third)
        }))] as const
      }))
      expect(third).toEqual(["one", "two"])
      yield* sendFrom(b, ADDR_A, "three", 4002)
      expect(yield* run(a, drain(second))).toEqual(["three"])
      expect(yield* run(a, drain(first))).toEqual([])
      expect((yield* statsOf(a)).udp.bound).toBe(2)
    }))

  it.scoped("EADDRINUSE unless both set SO_REUSEADDR, when the addresses overlap: the same, or either is every address; two addresses of ours never", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const outcomes = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const attempt = (port: number, options: Parameters<typeof udp.bind>[1]) =>
          Effect.map(Effect.exit(udp.bind(port, options)), failureReason)
        yield* udp.bind(6000)
        yield* udp.bind(6001, { reuseAddr: true })
        yield* udp.bind(6002, { address: LOOPBACK })
        yield* udp.bind(6003, { address: LOOPBACK, reuseAddr: true })
        return [
          yield* attempt(6000, { reuseAddr: true }),
          yield* attempt(6001, {}),
          yield* attempt(6001, { reuseAddr: true }),
          yield* attempt(6000, { address: ADDR_A }),
          yield* attempt(6002, {}),
          yield* attempt(6002, { address: ADDR_A }),
          yield* attempt(6002, { address: Addr.parse("127.0.0.2")! }),
          yield* attempt(6003, { reuseAddr: true }),
          yield* attempt(6004, { address: Addr.parse("198.18.0.9")! })
        ]
      }))
      expect(outcomes).toEqual([
        "AddrInUse",
        "AddrInUse",
        "bound",
        "AddrInUse",
        "AddrInUse",
        "bound",
        "bound",
        "bound",
        "AddrNotAvailable"
      ])
    }))

  it.scoped("a socket bound to the destination address takes it before one bound to every address, bound first or last; one bound to 127.0.0.1 hears nothing sent to the stack's address", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const got = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const any = yield* udp.bind(PORT, { reuseAddr: true })
        const own = yield* udp.bind(PORT, { address: ADDR_A, reuseAddr: true })
        const any2 = yield* udp.bind(PORT, { reuseAddr: true })
        const loop = yield* udp.bind(PORT, { address: LOOPBACK, reuseAddr: true })
        yield* sendFrom(b, ADDR_A, "to A", 4000)
        // from within the stack, to 127.0.0.1 and to 127.0.0.2
        const sender = yield* udp.bind(4100)
        yield* sender.send(LOOPBACK, PORT, text("to 127.0.0.1"))
        yield* sender.send(Addr.parse("127.0.0.2")!, PORT, text("to 127.0.0.2"))
        return { own: yield* drain(own), any: yield* drain(any), any2: yield* drain(any2), loop: yield* drain(loop) }
      }))
      expect(got).toEqual({ own: ["to A"], any: [], any2: ["to 127.0.0.2"], loop: ["to 127.0.0.1"] })
    }))

  it.scoped("a connected socket takes its peer's datagrams before an unconnected one bound after it, and no one else's", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const got = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const connected = yield* udp.bind(PORT, { reuseAddr: true })
        yield* connected.connect(ADDR_B, 4000)
        // it took the route's source as its address
        expect(yield* connected.localAddress).toBe(ADDR_A)
        const other = yield* udp.bind(PORT, { reuseAddr: true })
        yield* sendFrom(b, ADDR_A, "from the peer", 4000)
        yield* sendFrom(b, ADDR_A, "from another port", 4001)
        return { connected: yield* drain(connected), other: yield* drain(other) }
      }))
      expect(got).toEqual({ connected: ["from the peer"], other: ["from another port"] })
    }))

  it.scoped("a connected socket alone on its port: another peer's datagram is port unreachable; after disconnect it hears everyone on every address again", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const s = yield* run(a, Effect.flatMap(Udp, (u) => u.bind(PORT)))
      yield* run(a, s.connect(ADDR_B, 4000))
      yield* sendFrom(b, ADDR_A, "stranger", 4001)
      expect(yield* run(a, drain(s))).toEqual([])
      expect((yield* statsOf(a)).udp.noPort).toBe(1)
      yield* run(a, s.disconnect)
      expect(yield* run(a, s.localAddress)).toBe(Addr.ANY)
      yield* sendFrom(b, ADDR_A, "stranger again", 4001)
      expect(yield* run(a, drain(s))).toEqual(["stranger again"])
    }))

  it.scoped("a broadcast goes to every socket bound to every address (each its own copy), not to one bound to a unicast address nor one connected to another peer", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const got = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const one = yield* udp.bind(PORT, { reuseAddr: true })
        const two = yield* udp.bind(PORT, { reuseAddr: true })
        const own = yield* udp.bind(PORT, { address: ADDR_A, reuseAddr: true })
        const elsewhere = yield* udp.bind(PORT, { reuseAddr: true })
        yield* elsewhere.connect(Addr.parse("198.18.0.9")!, 53)
        const toBroadcast = yield* udp.bind(PORT, { address: SUBNET_BROADCAST, reuseAddr: true })
        yield* sendFrom(b, SUBNET_BROADCAST, "to all", 4000, true)
        yield* settle
        const d1 = yield* boundedWait(one.receive, "one's copy")
        const d2 = yield* boundedWait(two.receive, "two's copy")
        // each its own octets: a program that writes into one does not change the other's
        d1.payload[0] = 0
        return {
          one: str(d1.payload.subarray(1)),
          two: str(d2.payload),
          own: yield* drain(own),
          elsewhere: yield* drain(elsewhere),
          toBroadcast: yield* drain(toBroadcast)
        }
      }))
      expect(got).toEqual({ one: "o all", two: "to all", own: [], elsewhere: [], toBroadcast: ["to all"] })
    }))

  it.scoped("an ICMP port unreachable reaches the socket that sent the datagram, not the one bound last on its port", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const reached = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const sender = yield* udp.bind(PORT, { reuseAddr: true })
        yield* sender.connect(ADDR_B, 9999)
        const later = yield* udp.bind(PORT, { reuseAddr: true })
        yield* sender.send(ADDR_B, 9999, text("anyone?"))
        const report = yield* boundedWait(sender.receiveError, "the port unreachable")
        yield* settle
        return { code: report.code, later: Option.isSome(yield* Effect.timeoutOption(later.receiveError, 0)) }
      }))
      expect(reached).toEqual({ code: 3, later: false })
    }))

  it.scoped("a socket bound to one address of ours sends from it to another (udp_sendmsg's inet_saddr), so the answer comes back to it", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const got = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const echo = yield* udp.bind(7, { address: LOOPBACK })
        const own = yield* udp.bind(PORT, { address: ADDR_A })
        yield* own.send(LOOPBACK, 7, text("ping"))
        const request = yield* boundedWait(echo.receive, "the request")
        yield* echo.send(request.src, request.srcPort, request.payload)
        const reply = yield* boundedWait(own.receive, "the echo")
        return { from: Addr.format(request.src), reply: str(reply.payload) }
      }))
      expect(got).toEqual({ from: Addr.format(ADDR_A), reply: "ping" })
    }))

  it.scoped("an ICMP error about a datagram a socket bound to one address of ours sent to another reaches it (__udp4_lib_err looks up the quoted source)", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const got = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        // from the stack's address to 127.0.0.1, whose route's source is 127.0.0.1; and back
        const own = yield* udp.bind(PORT, { address: ADDR_A })
        yield* own.connect(LOOPBACK, 7)
        yield* own.send(LOOPBACK, 7, text("anyone?"))
        const toLoopback = yield* boundedWait(own.receiveError, "the port unreachable from 127.0.0.1")
        const looped = yield* udp.bind(PORT + 1, { address: LOOPBACK })
        yield* looped.send(ADDR_A, 7, text("anyone?"))
        const toOwn = yield* boundedWait(looped.receiveError, "the port unreachable from our address")
        return [toLoopback.code, toOwn.code]
      }))
      expect(got).toEqual([3, 3])
    }))

  it.scoped("a socket bound to a broadcast address sends from the route's source, not from the broadcast address (inet_bind: inet_saddr = 0)", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const got = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const echo = yield* udp.bind(7, { address: LOOPBACK })
        const listener = yield* udp.bind(PORT, { address: SUBNET_BROADCAST })
        yield* listener.send(LOOPBACK, 7, text("ping"))
        const request = yield* boundedWait(echo.receive, "the datagram")
        return Addr.format(request.src)
      }))
      expect(got).toBe(Addr.format(LOOPBACK))
    }))

  it.scoped("a socket bound to 127.0.0.1 reaches no other host: send and connect are refused (Linux's __mkroute_output: EINVAL), nothing leaves", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const heard = yield* run(b, Effect.flatMap(Udp, (u) => u.bind(PORT)))
      const got = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const looped = yield* udp.bind(PORT, { address: LOOPBACK })
        const sent = failureReason(yield* Effect.exit(looped.send(ADDR_B, PORT, text("out"))))
        const connected = failureReason(yield* Effect.exit(looped.connect(ADDR_B, PORT)))
        return { sent, connected }
      }))
      expect(got).toEqual({ sent: "LoopbackSource", connected: "LoopbackSource" })
      expect(yield* run(b, drain(heard))).toEqual([])
    }))

  it.scoped("disconnect lets go of a port the stack chose (port 0, free for another bind) and the next send takes another; a port named at bind stays (__udp_disconnect)", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const got = yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const chosen = yield* udp.bind()
        const first = chosen.port
        yield* chosen.connect(ADDR_B, 4000)
        yield* chosen.disconnect
        const afterDisconnect = chosen.port
        const stats = yield* Effect.flatMap(Udp, (u) => u.stats)
        // the port is free: another socket may bind it without reuseAddr
        const taker = yield* Effect.exit(Effect.scoped(udp.bind(first)))
        yield* chosen.send(ADDR_B, 4000, text("x"))
        const named = yield* udp.bind(PORT)
        yield* named.connect(ADDR_B, 4000)
        yield* named.disconnect
        return { afterDisconnect, bound: stats.bound, taker: Exit.isSuccess(taker), second: chosen.port, named: named.port }
      }))
      expect(got.afterDisconnect).toBe(0)
      expect(got.bound).toBe(0)
      expect(got.taker).toBe(true)
      expect(got.second).toBeGreaterThanOrEqual(49152)
      expect(got.named).toBe(PORT)
    }))
})

