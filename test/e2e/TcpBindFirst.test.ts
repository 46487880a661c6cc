/**
 * TCP's connect with a local address or port is bind(2) and then connect(2),
 * as Node's net does it (internalConnect binds first): what bind refuses
 * (an address not the stack's, EADDRNOTAVAIL; a port a listener holds,
 * EADDRINUSE) is refused whatever the destination, before its route is
 * looked at; only then does connect find no route (ENETUNREACH) or a 127/8
 * source towards another host (EINVAL, Linux's __mkroute_output). A failure
 * after the bind names the port it bound (`TcpError.localPort`), the one a
 * bind of port 0 picked among them, as getsockname gives it after Linux's
 * failed connect(2).
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option, type Scope } from "effect"
import { Tcp, type TcpError } from "../../src/tcp/Tcp.js"
import { settle } from "../support/Clock.js"
import { run, twoStacks } from "../support/TestNet.js"

const reasonOf = <A, R>(effect: Effect.Effect<A, TcpError, R>): Effect.Effect<string, never, R> =>
  Effect.map(Effect.exit(effect), (exit) =>
    Exit.isSuccess(exit)
      ? "succeeded"
      : Option.getOrElse(Option.map(Cause.failureOption(exit.cause), (e) => e.reason), () => Cause.pretty(exit.cause)))

describe("TCP connect: the bind before the connect", () => {
  it.scoped("a local address not the stack's, or a local port a listener holds, is refused as bind refuses it, even towards a destination with no route", () =>
    Effect.gen(function*() {
      const { b } = yield* twoStacks()
      const tcp = (f: (t: Tcp["Type"]) => Effect.Effect<unknown, TcpError, Scope.Scope>) => run(b, Effect.flatMap(Tcp, f))
      yield* tcp((t) => t.listen({ port: 8080 }))
      // B's only route is its own /24: 198.19.0.1 has none
      const connect = (o: { localAddress?: string; localPort?: number }) =>
        reasonOf(tcp((t) => t.connect({ address: "198.19.0.1", port: 80, ...o })))
      expect(yield* connect({})).toBe("NoRoute")
      expect(yield* connect({ localAddress: "198.18.9.9" })).toBe("AddressNotAvailable")
      expect(yield* connect({ localPort: 8080 })).toBe("AddressInUse")
      // what bind takes goes on to connect, which finds no route
      expect(yield* connect({ localAddress: "127.0.0.1" })).toBe("NoRoute")
      expect(yield* connect({ localPort: 8081 })).toBe("NoRoute")
    }))

  it.scoped("a connect(2) that fails after its bind names the port bound: the one given, or the one a bind of port 0 picked; none when nothing was bound", () =>
    Effect.gen(function*() {
      const { b } = yield* twoStacks({ configB: { tcp: { localPortRange: [40000, 40009] } } })
      const tcp = (f: (t: Tcp["Type"]) => Effect.Effect<unknown, TcpError, Scope.Scope>) => run(b, Effect.flatMap(Tcp, f))
      const failure = (o: { address: string; localAddress?: string; localPort?: number }) =>
        Effect.map(Effect.exit(tcp((t) => t.connect({ port: 80, ...o }))), (exit) =>
          Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined)
      const picked = (e: TcpError | undefined) => e !== undefined && e.localPort !== undefined && e.localPort >= 40000 && e.localPort <= 40009
      // no route (ENETUNREACH), from a local address (port 0 or none), from the wildcard named, from a port
      for (const localAddress of ["198.18.0.3", "0.0.0.0"]) {
        const e = yield* failure({ address: "198.19.0.1", localAddress })
        expect(e?.reason).toBe("NoRoute")
        expect(picked(e)).toBe(true)
      }
      const zero = yield* failure({ address: "198.19.0.1", localAddress: "198.18.0.3", localPort: 0 })
      expect(picked(zero)).toBe(true)
      expect((yield* failure({ address: "198.19.0.1", localPort: 8081 }))?.localPort).toBe(8081)
      // nothing bound: no port (getsockname's 0)
      const plain = yield* failure({ address: "198.19.0.1" })
      expect(plain?.reason).toBe("NoRoute")
      expect(plain?.localPort).toBeUndefined()
      // from 127.0.0.1 to another host (EINVAL)
      const lo = yield* failure({ address: "198.18.0.2", localAddress: "127.0.0.1" })
      expect(lo?.reason).toBe("InvalidArgument")
      expect(picked(lo)).toBe(true)
    }))

  it.scoped("a failed connect holds no port: naming one only moves its destination's place in the port sequence (RFC 6056 Algorithm 4's counter), so after many the whole range still opens, and then a bind finds none", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({ configB: { tcp: { localPortRange: [40000, 40009] } } })
      const tcp = <A>(f: (t: Tcp["Type"]) => Effect.Effect<A, TcpError, Scope.Scope>) => run(b, Effect.flatMap(Tcp, f))
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 9 })))
      const reasons = new Set<string>()
      // fifty failures after the bind, each naming a port of the range (five times round it)
      for (let i = 0; i < 50; i++) reasons.add(yield* reasonOf(tcp((t) => t.connect({ address: "198.19.0.1", port: 80, localAddress: "198.18.0.3" }))))
      expect([...reasons]).toEqual(["NoRoute"])
      // every port of the range is still free: ten connections from the same local address open
      const opening = yield* Effect.fork(Effect.forEach(Array.from({ length: 10 }), () => tcp((t) => t.connect({ address: "198.18.0.2", port: 9, localAddress: "198.18.0.3" }))))
      yield* settle
      for (let i = 0; i < 10; i++) yield* listener.accept
      const conns = yield* Fiber.join(opening)
      expect(new Set(conns.map((c) => c.localPort)).size).toBe(10)
      // with the range held, the next connect's bind finds no port (EADDRINUSE), before any route or limit
      expect(yield* reasonOf(tcp((t) => t.connect({ address: "198.19.0.1", port: 80, localAddress: "198.18.0.3" })))).toBe("AddressInUse")
    }))
})
