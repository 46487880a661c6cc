/**
 * The TCP API between two whole stacks, in virtual time: each typed error
 * (TcpError's reasons) produced the way an application meets it, and the
 * per-connection options reaching the connection's sender. Stack B
 * (198.18.0.3) is the client; a watch on its link records what it sends.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Fiber, Option, Scope, TestClock } from "effect"
import * as Seq from "../../src/tcp/SeqNum.js"
import { type Connection, type Listener, Tcp, type TcpError } from "../../src/tcp/Tcp.js"
import { boundedWait, settle } from "../support/Clock.js"
import { makeWatch, watching, withData } from "../support/TcpWatch.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { ADDR_A, ADDR_B, MAC_A, run, type StackContext, stackWithPeer, statsOf, twoStacks } from "../support/TestNet.js"
import { asTcp, PEER_ADDR, synAckTo } from "../support/Peer.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"

/** The reason an effect failed with, or "succeeded". */
const reasonOf = <A>(effect: Effect.Effect<A, TcpError>): Effect.Effect<string> =>
  Effect.map(Effect.exit(effect), (exit) =>
    Exit.isSuccess(exit)
      ? "succeeded"
      : Option.getOrElse(Option.map(Cause.failureOption(exit.cause), (e) => e.reason), () => Cause.pretty(exit.cause)))

/** B's connect to A's `port` (from `localPort` when given). */
const connectFromB = (b: StackContext, port: number, localPort?: number) =>
  run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port, ...(localPort === undefined ? {} : { localPort }) })))

/** B connects to A's `listener`: both ends, once the handshake is done. */
const openPair = (b: StackContext, listener: Listener, localPort?: number) =>
  Effect.gen(function*() {
    const client = yield* Effect.fork(connectFromB(b, listener.port, localPort))
    yield* settle
    return { client: yield* Fiber.join(client), server: yield* listener.accept }
  })

/** The first end closes, then the second: the first is left in TIME-WAIT. */
const closeInTurn = (first: { readonly end: Effect.Effect<void, unknown> }, second: { readonly end: Effect.Effect<void, unknown> }) =>
  Effect.gen(function*() {
    yield* first.end
    yield* settle
    yield* second.end
    yield* settle
  })

describe("TCP API: typed errors", () => {
  it.scoped("a connect to a port nobody listens on fails with ConnectionRefused at once (the peer's RST), leaving nothing", () =>
    Effect.gen(function*() {
      const { b } = yield* twoStacks()
      const connecting = yield* Effect.fork(reasonOf(connectFromB(b, 81)))
      // no virtual time passes: the refusal is the answer to the first SYN, not a timeout
      yield* settle
      expect(yield* boundedWait(Fiber.join(connecting), "the refusal")).toBe("ConnectionRefused")
      expect((yield* statsOf(b)).tcp.connections).toBe(0)
    }))

  it.scoped("listening on a port already listened on fails with AddressInUse; once that listener's scope closes, the port is free", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const scope = yield* Scope.make()
      const first = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 }))).pipe(Scope.extend(scope))
      expect(first.port).toBe(80)
      expect(yield* reasonOf(Effect.scoped(run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))))).toBe("AddressInUse")
      yield* Scope.close(scope, Exit.void)
      expect(yield* reasonOf(Effect.scoped(run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))))).toBe("succeeded")
    }))

  it.scoped("a connect from a local port whose 4-tuple is open fails with TupleInUse (connect(2)'s EADDRNOTAVAIL after the bind with SO_REUSEADDR, as Node's); towards another port it is fine", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 81 })))
      const open = (port: number) => connectFromB(b, port, 40_000)
      const first = yield* Effect.fork(open(80))
      yield* settle
      const conn = yield* Fiber.join(first)
      expect(conn.localPort).toBe(40_000)
      expect(yield* reasonOf(open(80))).toBe("TupleInUse")
      const other = yield* Effect.fork(reasonOf(open(81)))
      yield* settle
      expect(yield* Fiber.join(other)).toBe("succeeded")
    }))

  it.scoped("towards another host, a connect from the port a TIME-WAIT holds takes its 4-tuple over at once, 2^16 + 1 past its SND.NXT (bind then connect: Linux's tcp_twsk_unique asked with no twp)", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { a, b } = yield* twoStacks({ wrapB: watching(watch) })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener, 40_000)
      yield* closeInTurn(client, server)
      expect((yield* statsOf(b)).tcp.timeWait).toBe(1)
      // the client's FIN is its last sequence number: SND.NXT is one past it
      const fin = watch.sent.find((s) => (s.seg.flags & TcpWire.Flag.FIN) !== 0)!.seg
      const again = yield* openPair(b, listener, 40_000)
      expect(again.client.localPort).toBe(40_000)
      const syn = watch.sent.filter((s) => s.seg.flags === TcpWire.Flag.SYN)[1]!.seg
      expect(syn.seq).toBe(Seq.add(fin.seq, 1 + 0xffff + 2))
      expect((yield* statsOf(b)).tcp).toMatchObject({ timeWait: 0, timeWaitReused: 1 })
    }))

  it.scoped("a connect from the port of a TIME-WAIT that an ephemeral connect left fails with AddressInUse (bind(2)'s EADDRINUSE: that socket had no SO_REUSEADDR, inet_bind_conflict)", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener)
      const port = client.localPort
      yield* closeInTurn(client, server)
      expect((yield* statsOf(b)).tcp.timeWait).toBe(1)
      expect(yield* reasonOf(connectFromB(b, 80, port))).toBe("AddressInUse")
    }))

  it.scoped("a connect from the port an ephemeral connect holds fails with AddressInUse towards any peer, not only that 4-tuple's: bind(2) meets every socket on the port, whatever its peer (Linux's inet_csk_bind_conflict), its connection or its TIME-WAIT", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 81 })))
      const { client, server } = yield* openPair(b, listener)
      const port = client.localPort
      // (forked: a connect that went through would wait for its handshake)
      const whileOpen = yield* Effect.fork(reasonOf(connectFromB(b, 81, port)))
      yield* settle
      expect(yield* Fiber.join(whileOpen)).toBe("AddressInUse")
      yield* closeInTurn(client, server)
      expect((yield* statsOf(b)).tcp).toMatchObject({ timeWait: 1, connections: 0 })
      const inTimeWait = yield* Effect.fork(reasonOf(connectFromB(b, 81, port)))
      yield* settle
      expect(yield* Fiber.join(inTimeWait)).toBe("AddressInUse")
    }))

  it.scoped("a connect from a local address is bound as one from a chosen port (SO_REUSEADDR, as Node's bind of the address and port 0): a connect from its port towards another peer goes through", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 81 })))
      const bound = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 80, localAddress: ADDR_B }))))
      yield* settle
      const port = (yield* Fiber.join(bound)).localPort
      const other = yield* Effect.fork(reasonOf(connectFromB(b, 81, port)))
      yield* settle
      expect(yield* Fiber.join(other)).toBe("succeeded")
    }))

  it.scoped("towards another host, without timestamps, a connect from the port a TIME-WAIT holds fails with TupleInUse (Linux's EADDRNOTAVAIL from connect(2)), 5 s on as at once", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({ configB: { tcp: { timestamps: false } } })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener, 40_000)
      yield* closeInTurn(client, server)
      expect((yield* statsOf(b)).tcp.timeWait).toBe(1)
      expect(yield* reasonOf(connectFromB(b, 80, 40_000))).toBe("TupleInUse")
      yield* TestClock.adjust("5 seconds")
      expect(yield* reasonOf(connectFromB(b, 80, 40_000))).toBe("TupleInUse")
    }))

  it.scoped("after close, writing fails with Closed; after abort, reading fails with Closed; the peer of the abort sees ConnectionReset", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const open = openPair(b, listener)
      const one = yield* open
      yield* one.client.close
      expect(yield* reasonOf(one.client.write(new Uint8Array([1])))).toBe("Closed")
      const two = yield* open
      const serverReading = yield* Effect.fork(reasonOf(two.server.read))
      yield* two.client.abort
      yield* settle
      expect(yield* reasonOf(two.client.read)).toBe("Closed")
      expect(yield* reasonOf(two.client.write(new Uint8Array([1])))).toBe("Closed")
      expect(yield* Fiber.join(serverReading)).toBe("ConnectionReset")
    }))

  it.scoped("accepting on a listener whose scope has closed fails with Closed, and so does a wait in accept when it closes", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const scope = yield* Scope.make()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 }))).pipe(Scope.extend(scope))
      const waiting = yield* Effect.fork(reasonOf(listener.accept))
      yield* settle
      yield* Scope.close(scope, Exit.void)
      expect(yield* boundedWait(Fiber.join(waiting), "the waiting accept")).toBe("Closed")
      expect(yield* reasonOf(listener.accept)).toBe("Closed")
    }))

  it.scoped("closing the stack's scope ends a wait in accept on a listener whose own scope is still open; listen and connect then fail with Closed", () =>
    Effect.gen(function*() {
      const stackScope = yield* Scope.make()
      const { a, b } = yield* twoStacks().pipe(Scope.extend(stackScope))
      const listenerScope = yield* Scope.make()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 }))).pipe(Scope.extend(listenerScope))
      const tcpA = yield* run(a, Tcp)
      const tcpB = yield* run(b, Tcp)
      const waiting = yield* Effect.fork(reasonOf(listener.accept))
      yield* settle
      yield* Scope.close(stackScope, Exit.void)
      expect(yield* boundedWait(Fiber.join(waiting), "the accept once the stack is gone")).toBe("Closed")
      // (a connect's fibers would go into the closed stack's set and never run: it would wait for ever)
      expect(yield* boundedWait(reasonOf(tcpB.connect({ address: ADDR_A, port: 80 })), "a connect on a closed stack")).toBe("Closed")
      expect(yield* reasonOf(Effect.scoped(tcpA.listen({ port: 81 })))).toBe("Closed")
      yield* Scope.close(listenerScope, Exit.void)
    }))

  it.scoped("a connect from a port a listener holds fails with AddressInUse (bind(2)'s EADDRINUSE, SO_REUSEADDR or not)", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      yield* run(b, Effect.flatMap(Tcp, (t) => t.listen({ port: 8080 })))
      expect(yield* reasonOf(connectFromB(b, 80, 8080))).toBe("AddressInUse")
      expect((yield* statsOf(b)).tcp.connections).toBe(0)
    }))

  it.scoped("a connect to an address with no route fails with NoRoute; a bad address or port with InvalidArgument; port 0 is a port the peer refuses (Linux sends that SYN)", () =>
    Effect.gen(function*() {
      const { b } = yield* twoStacks()
      const connect = (address: string, port: number) => reasonOf(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address, port }))))
      // B's only route is its own /24 (no gateway)
      expect(yield* connect("198.19.0.1", 80)).toBe("NoRoute")
      expect(yield* connect("198.18.0.256", 80)).toBe("InvalidArgument")
      expect(yield* connect("198.18.0.2", 0)).toBe("ConnectionRefused")
      expect(yield* connect("198.18.0.2", -1)).toBe("InvalidArgument")
      expect(yield* connect("198.18.0.2", 65_536)).toBe("InvalidArgument")
      expect((yield* statsOf(b)).tcp.connections).toBe(0)
    }))

  it.scoped("a connect given up during the handshake (its fiber interrupted) leaves no connection behind, nor its port; a later SYN-ACK draws a reset", () =>
    Effect.gen(function*() {
      // a raw peer that does not answer: the connect waits in SYN-SENT until its fiber is interrupted
      const { stack, peer, stats } = yield* stackWithPeer()
      const connecting = yield* Effect.fork(run(stack, Effect.flatMap(Tcp, (t) => t.connect({ address: PEER_ADDR, port: 80 }))))
      let synFrame: Uint8Array | undefined
      while (synFrame === undefined) {
        const f = yield* boundedWait(peer.next, "the SYN")
        if (asTcp(f) !== undefined) synFrame = f
      }
      const syn = asTcp(synFrame)!
      expect((yield* stats).tcp.connections).toBe(1)
      yield* Fiber.interrupt(connecting)
      yield* settle
      // RFC 9293 §3.10.5: in SYN-SENT the TCB just goes, with nothing sent
      expect((yield* stats).tcp).toMatchObject({ connections: 0, portsHeld: 0 })
      expect(yield* peer.poll).toEqual(Option.none())
      // the peer's answer, late, finds no connection: a reset (RFC 9293 §3.10.7.1)
      yield* peer.sendIp(synAckTo(syn, 80, Seq.make(9000), PEER_ADDR, ADDR_A), MAC_A)
      const rst = asTcp(yield* boundedWait(peer.next, "the reset"))!
      expect(rst.flags & TcpWire.Flag.RST).not.toBe(0)
    }))
})

describe("TCP API: the local port of a connect", () => {
  it.scoped("localPort 0 asks for an ephemeral port (bind(2) to port 0, Node's localPort: 0); one outside 0..65535 is refused", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener, 0)
      // the SYN did not go from port 0, which no peer can answer as a connection of its own
      expect(client.localPort).toBeGreaterThanOrEqual(32768)
      expect(server.remotePort).toBe(client.localPort)
      for (const bad of [-1, 65_536, 1.5]) expect(yield* reasonOf(connectFromB(b, 80, bad))).toBe("InvalidArgument")
    }))
})

describe("TCP over a jumbo-frame link", () => {
  it.scoped("both ends, the accepted one too, take their MSS from the 9000-octet MTU and fill segments to it (gVisor #9922)", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { a, b } = yield* twoStacks({ mtu: 9000, configA: { mtu: 9000 }, configB: { mtu: 9000 }, wrapB: watching(watch) })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client: conn, server } = yield* openPair(b, listener)
      expect([(yield* conn.info).mss, (yield* server.info).mss]).toEqual([8960, 8960])
      yield* conn.write(new Uint8Array(30_000))
      yield* settle
      // the MSS less the 12 octets of timestamps each segment carries (RFC 6691)
      expect(Math.max(...withData(watch).map((s) => s.seg.payload.length))).toBe(8948)
    }))
})

describe("TCP API: per-connection options", () => {
  // The first octet's segment is lost, so it stays unacknowledged until its RTO (200 ms): a second
  // small write meanwhile is what Nagle holds back (RFC 1122 §4.2.3.4) and NODELAY sends at once.
  const secondWrite = (noDelay: boolean) =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { a, b } = yield* twoStacks({ wrapB: watching(watch) })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client: conn } = yield* openPair(b, listener)
      if (noDelay) yield* conn.setNoDelay(true)
      watch.drop = (seg) => seg.payload.length > 0 && withData(watch).length === 0
      yield* conn.write(new Uint8Array([1]))
      yield* settle
      yield* conn.write(new Uint8Array([2]))
      yield* settle
      return withData(watch).map((s) => Array.from(s.seg.payload))
    })

  it.scoped("Nagle on (the default): a second small write waits while the first is unacknowledged", () =>
    Effect.map(secondWrite(false), (sent) => expect(sent).toEqual([[1]])))

  it.scoped("setNoDelay(true): the second small write goes out at once", () =>
    // (then the first again: the peer's SACK of the second shows it lost, RFC 8985)
    Effect.map(secondWrite(true), (sent) => expect(sent.slice(0, 2)).toEqual([[1], [2]])))
})


describe("TCP API: the ends of a connection", () => {
  it.scoped("data that arrives after close() draws an RST, not an ACK (RFC 1122 §4.2.2.13; Linux's TCPAbortOnData)", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { a, b } = yield* twoStacks({ wrapB: watching(watch) })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener)
      // the client closes with nothing unread: FIN, and FIN-WAIT-2 once A acknowledges it
      yield* client.close
      yield* settle
      expect((yield* client.info).state).toBe("FinWait2")
      const serverClosed = yield* Effect.fork(reasonOf(server.closed))
      const acked = watch.sent.filter((x) => (x.seg.flags & TcpWire.Flag.ACK) !== 0).at(-1)!.seg.ack
      // the server, half-closed by its peer, still sends: nobody will read it
      yield* server.write(new Uint8Array(100).fill(7))
      yield* settle
      const rsts = watch.sent.filter((x) => (x.seg.flags & TcpWire.Flag.RST) !== 0)
      expect(rsts).toHaveLength(1)
      // and the data was not acknowledged
      expect(watch.sent.some((x) => (x.seg.flags & TcpWire.Flag.ACK) !== 0 && x.seg.ack === Seq.add(acked, 100))).toBe(false)
      // the reset answers the data segment, as Linux's (tcp_rcv_state_process returns it to
      // tcp_v4_send_reset): <SEQ=SEG.ACK><CTL=RST>, the SEG.ACK being past our FIN; no options
      const fin = watch.sent.find((x) => (x.seg.flags & TcpWire.Flag.FIN) !== 0)!
      expect(rsts[0]!.seg.flags).toBe(TcpWire.Flag.RST)
      expect(rsts[0]!.seg.seq).toBe(Seq.add(fin.seg.seq, 1))
      expect(rsts[0]!.seg.options.timestamp).toBeUndefined()
      // the server had the client's FIN (CLOSE-WAIT): the reset fails its sending, EPIPE as Linux's tcp_reset
      expect(yield* boundedWait(Fiber.join(serverClosed), "the server's closed")).toBe("BrokenPipe")
    }))

  it.scoped("data read to the end and then closed draws no RST, even when the close comes before the send half heard of the data", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { a, b } = yield* twoStacks({ wrapB: watching(watch) })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener)
      const reading = yield* Effect.fork(Effect.gen(function*() {
        let n = 0
        for (;;) {
          const chunk = yield* client.read
          if (Option.isNone(chunk)) break
          n += chunk.value.length
        }
        // at once, in the step that saw the end
        yield* client.close
        return n
      }))
      yield* server.write(new Uint8Array(50_000).fill(3))
      yield* server.end
      yield* settle
      expect(yield* Fiber.join(reading)).toBe(50_000)
      yield* settle
      expect(watch.sent.filter((x) => (x.seg.flags & TcpWire.Flag.RST) !== 0)).toHaveLength(0)
      expect(yield* reasonOf(server.closed)).toBe("succeeded")
    }))

  it.scoped("a wait in nextUrgent ends when the connection does, and one begun after it returns at once", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener)
      const waiting = yield* Effect.fork(client.nextUrgent)
      yield* settle
      yield* server.abort
      yield* settle
      expect(yield* reasonOf(client.closed)).toBe("ConnectionReset")
      expect(yield* boundedWait(Fiber.join(waiting), "nextUrgent after the reset")).toBe(0)
      expect(yield* boundedWait(client.nextUrgent, "nextUrgent on a connection that is over")).toBe(0)
    }))
})

const smallBuffers = {
  configA: { tcp: { receiveBuffer: 4096, maxReceiveBuffer: 4096 } },
  configB: { tcp: { sendBuffer: 8192, maxSendBuffer: 8192 } }
}

describe("TCP API: writes that wait", () => {
  it.scoped("an empty write completes at once on a full send buffer (as write(2) of 0 octets)", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks(smallBuffers)
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client } = yield* openPair(b, listener)
      // the server never reads: its window, then the client's send buffer, fill
      const big = yield* Effect.fork(client.write(new Uint8Array(200_000)))
      yield* settle
      expect(big.unsafePoll()).toBe(null)
      expect(yield* boundedWait(reasonOf(client.write(new Uint8Array(0))), "the empty write")).toBe("succeeded")
    }))

  it.scoped("an interrupted write may have queued a prefix: bytesWritten says how much, and a retry of the rest delivers the data once", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks(smallBuffers)
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener)
      const data = new Uint8Array(20_000).map((_, i) => (i * 7) & 0xff)
      const before = (yield* client.info).bytesWritten
      const writing = yield* Effect.fork(Effect.timeout(client.write(data), "10 millis"))
      yield* settle
      yield* TestClock.adjust("20 millis")
      expect(Exit.isFailure(yield* Fiber.await(writing))).toBe(true)
      const taken = (yield* client.info).bytesWritten - before
      expect(taken).toBeGreaterThan(0)
      expect(taken).toBeLessThan(data.length)
      const rest = yield* Effect.fork(Effect.zipRight(client.write(data.subarray(taken)), client.end))
      const got: Array<Uint8Array> = []
      for (let i = 0; i < 1000; i++) {
        const chunk = yield* Effect.fork(server.read)
        yield* settle
        if (chunk.unsafePoll() === null) {
          yield* Fiber.interrupt(chunk)
          yield* TestClock.adjust("10 millis")
          continue
        }
        const v = yield* Fiber.join(chunk)
        if (Option.isNone(v)) break
        got.push(v.value)
      }
      yield* Fiber.join(rest)
      expect(Buffer.compare(Buffer.concat(got), Buffer.from(data))).toBe(0)
    }))
})

describe("TCP API: reading what came as one chunk (readUpTo)", () => {
  it.scoped("readUpTo gives what is queued up to its bound as one chunk, the oldest chunk whole when it alone is longer, then None at the end", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener)
      yield* client.setNoDelay(true)
      // ten writes of 1000, each its own segment (no Nagle), all queued at the server unread
      const sent = new Uint8Array(10_000).map((_, i) => (i * 13 + (i >> 8)) & 0xff)
      for (let i = 0; i < 10; i++) {
        yield* client.write(sent.subarray(i * 1000, (i + 1) * 1000))
        yield* settle
      }
      yield* client.end
      yield* settle
      expect((yield* server.info).bytesReceived).toBe(10_000)
      const take = (max: number) => Effect.map(server.readUpTo(max), Option.getOrUndefined)
      // 4500: four whole chunks of 1000 fit, the fifth would not
      const four = yield* take(4500)
      expect(four?.length).toBe(4000)
      expect(Buffer.from(four!).equals(Buffer.from(sent.subarray(0, 4000)))).toBe(true)
      // a bound below one chunk still gives that chunk whole (read(2) would split it; nothing is lost either way)
      const one = yield* take(100)
      expect(Buffer.from(one!).equals(Buffer.from(sent.subarray(4000, 5000)))).toBe(true)
      const rest = yield* take(65536)
      expect(Buffer.from(rest!).equals(Buffer.from(sent.subarray(5000)))).toBe(true)
      expect(yield* take(65536)).toBeUndefined()
    }))
})

describe("TCP API: the ports an ephemeral connect may take", () => {
  // B's ephemeral range is two ports, 40000 and 40001; A listens on 80..83
  const narrow = { configB: { tcp: { localPortRange: [40_000, 40_001] as const } } }
  const listenOnA = (a: StackContext) =>
    Effect.forEach([80, 81, 82, 83], (port) => run(a, Effect.flatMap(Tcp, (t) => t.listen({ port }))))
  /** B's ephemeral connect to A's `port`: its local port, or the reason it failed */
  const ephemeralTo = (b: StackContext, port: number) =>
    Effect.gen(function*() {
      const f = yield* Effect.fork(Effect.either(connectFromB(b, port)))
      yield* settle
      const r = yield* Fiber.join(f)
      return r._tag === "Right" ? r.right.localPort : r.left.reason
    })

  it.scoped("passes over a port a chosen-port connect holds, its connection or its TIME-WAIT (Linux's __inet_hash_connect skips a bucket bind made, tb->fastreuse >= 0), and shares one an ephemeral connect holds, 4-tuple by 4-tuple", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks(narrow)
      const [on80] = yield* listenOnA(a)
      const bound = yield* Effect.fork(connectFromB(b, 80, 40_000))
      yield* settle
      const boundConn = yield* Fiber.join(bound)
      const boundServer = yield* on80!.accept
      // every one from 40001, towards three destinations; a fourth towards one of them finds no port
      expect([yield* ephemeralTo(b, 81), yield* ephemeralTo(b, 82), yield* ephemeralTo(b, 80)]).toEqual([40_001, 40_001, 40_001])
      expect(yield* ephemeralTo(b, 81)).toBe("NoEphemeralPorts")
      // the chosen-port connection ends first: its TIME-WAIT holds 40000 as it did
      yield* closeInTurn(boundConn, boundServer)
      expect((yield* statsOf(b)).tcp.timeWait).toBe(1)
      expect([yield* ephemeralTo(b, 83), yield* ephemeralTo(b, 81)]).toEqual([40_001, "NoEphemeralPorts"])
    }))

  it.scoped("passes over the port of a connection a listener accepted, once that listener has closed (the connection stays in its listener's bucket, __inet_inherit_port)", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks(narrow)
      yield* listenOnA(a)
      const scope = yield* Scope.make()
      const listener = yield* run(b, Effect.flatMap(Tcp, (t) => t.listen({ port: 40_000 }))).pipe(Scope.extend(scope))
      const inbound = yield* Effect.fork(run(a, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_B, port: 40_000 }))))
      yield* settle
      yield* Fiber.join(inbound)
      const accepted = yield* listener.accept
      expect(accepted.localPort).toBe(40_000)
      yield* Scope.close(scope, Exit.void)
      expect([yield* ephemeralTo(b, 80), yield* ephemeralTo(b, 81), yield* ephemeralTo(b, 80)]).toEqual([40_001, 40_001, "NoEphemeralPorts"])
    }))
})

describe("TCP API: a port an ephemeral connect made, which a bound socket then joins", () => {
  it.scoped("is passed over by the next ephemeral connect while the bound socket holds it, and shared again once it has gone (Linux 6.18's __inet_hash_connect skips a bind bucket with any socket bind put there, whichever made it; tried: a chosen-port connect from another address, an accepted connection, a TIME-WAIT)", () =>
    Effect.gen(function*() {
      // B's ephemeral range is one port
      const { a, b } = yield* twoStacks({ configB: { tcp: { localPortRange: [40_000, 40_000] } } })
      yield* Effect.forEach([80, 81, 82], (port) => run(a, Effect.flatMap(Tcp, (t) => t.listen({ port }))))
      const onLoopback = yield* run(b, Effect.flatMap(Tcp, (t) => t.listen({ port: 7, address: "127.0.0.1" })))
      const from = (o: { readonly address: string; readonly port: number; readonly localAddress?: string; readonly localPort?: number }) =>
        Effect.gen(function*() {
          const f = yield* Effect.fork(Effect.either(run(b, Effect.flatMap(Tcp, (t) => t.connect(o)))))
          yield* settle
          return yield* Fiber.join(f)
        })
      const portOf = (r: Either.Either<Connection, TcpError>) => (r._tag === "Right" ? r.right.localPort : r.left.reason)
      expect(portOf(yield* from({ address: Addr.format(ADDR_A), port: 80 }))).toBe(40_000)
      // a chosen-port connect from 127.0.0.1 binds 40000 beside it (the addresses do not meet)
      const bound = yield* from({ address: "127.0.0.1", port: 7, localAddress: "127.0.0.1", localPort: 40_000 })
      expect(portOf(bound)).toBe(40_000)
      const server = yield* onLoopback.accept
      expect(portOf(yield* from({ address: Addr.format(ADDR_A), port: 81 }))).toBe("NoEphemeralPorts")
      // (reset: no TIME-WAIT left behind)
      if (bound._tag === "Right") yield* bound.right.abort
      yield* settle
      yield* server.abort
      expect(portOf(yield* from({ address: Addr.format(ADDR_A), port: 82 }))).toBe(40_000)
    }))
})

describe("TCP API: the port a connect from a local address takes", () => {
  it.scoped("not one an ephemeral connect from that address holds (the connect binds the address and port 0 with SO_REUSEADDR, and meets a socket without it); none left is AddressInUse, Linux 6.18's bind's EADDRINUSE (tried), not an ephemeral connect's NoEphemeralPorts; one held from another address is free to it", () =>
    Effect.gen(function*() {
      // B's ephemeral range is one port
      const { a, b } = yield* twoStacks({ configB: { tcp: { localPortRange: [40_000, 40_000] } } })
      yield* Effect.forEach([80, 81], (port) => run(a, Effect.flatMap(Tcp, (t) => t.listen({ port }))))
      yield* run(b, Effect.flatMap(Tcp, (t) => t.listen({ port: 7, address: "127.0.0.1" })))
      const from = (o: { readonly address: string; readonly port: number; readonly localAddress?: string }) =>
        Effect.gen(function*() {
          const f = yield* Effect.fork(Effect.either(run(b, Effect.flatMap(Tcp, (t) => t.connect(o)))))
          yield* settle
          const r = yield* Fiber.join(f)
          return r._tag === "Right" ? r.right.localPort : r.left.reason
        })
      expect(yield* from({ address: Addr.format(ADDR_A), port: 80 })).toBe(40_000)
      expect(yield* from({ address: Addr.format(ADDR_A), port: 81, localAddress: Addr.format(ADDR_B) })).toBe("AddressInUse")
      // (nor from the wildcard, which meets every address)
      expect(yield* from({ address: Addr.format(ADDR_A), port: 81, localAddress: "0.0.0.0" })).toBe("AddressInUse")
      // (an ephemeral connect shares it, its 4-tuple free; a connect from 127.0.0.1 meets nobody there)
      expect(yield* from({ address: Addr.format(ADDR_A), port: 81 })).toBe(40_000)
      expect(yield* from({ address: "127.0.0.1", port: 7, localAddress: "127.0.0.1" })).toBe(40_000)
    }))
})

describe("TCP API: listening on a port connections hold", () => {
  const listenOn = (s: StackContext, port: number) => reasonOf(Effect.scoped(run(s, Effect.flatMap(Tcp, (t) => t.listen({ port })))))

  it.scoped("a listen on a port an ephemeral connect holds, its connection or its TIME-WAIT, fails with AddressInUse (bind(2) with SO_REUSEADDR meets a socket without it: Linux's inet_csk_bind_conflict); once the TIME-WAIT runs out it goes through", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({ configB: { tcp: { timeWait: "1 second" } } })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener)
      const port = client.localPort
      expect(yield* listenOn(b, port)).toBe("AddressInUse")
      yield* closeInTurn(client, server)
      expect((yield* statsOf(b)).tcp).toMatchObject({ connections: 0, timeWait: 1 })
      expect(yield* listenOn(b, port)).toBe("AddressInUse")
      yield* TestClock.adjust("1 second")
      yield* settle
      expect(yield* listenOn(b, port)).toBe("succeeded")
    }))

  it.scoped("a listen bound to another address than the ephemeral connect's goes through (the addresses do not meet), one bound to its address does not", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client } = yield* openPair(b, listener)
      const port = client.localPort
      const listenAt = (address: string) => reasonOf(Effect.scoped(run(b, Effect.flatMap(Tcp, (t) => t.listen({ port, address })))))
      expect(yield* listenAt(Addr.format(ADDR_B))).toBe("AddressInUse")
      expect(yield* listenAt("127.0.0.1")).toBe("succeeded")
    }))

  it.scoped("a listen on a port a chosen-port connect holds goes through, its connection or its TIME-WAIT (both bound with SO_REUSEADDR, neither listening, as Linux lets them)", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const { client, server } = yield* openPair(b, listener, 40_000)
      expect(yield* listenOn(b, 40_000)).toBe("succeeded")
      yield* closeInTurn(client, server)
      expect((yield* statsOf(b)).tcp.timeWait).toBe(1)
      expect(yield* listenOn(b, 40_000)).toBe("succeeded")
    }))

  it.scoped("a listen on port 0 passes over every port a connection or TIME-WAIT holds, bound or not (bind(2) of port 0: Linux's inet_csk_find_open_port takes no port with a socket on it while ip_autobind_reuse is off), and fails with AddressInUse when all are held (that bind's EADDRINUSE)", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({ configB: { tcp: { localPortRange: [40_000, 40_001] } } })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const portOfListen = Effect.scoped(Effect.map(run(b, Effect.flatMap(Tcp, (t) => t.listen({ port: 0 }))), (l) => l.port))
      // a chosen-port connect's connection on 40000: every listen on port 0 takes 40001 (from a
      // random start: twenty tries, each of which would take 40000 half the time)
      const { client } = yield* openPair(b, listener, 40_000)
      const ports = new Set<number>()
      for (let i = 0; i < 20; i++) ports.add(yield* portOfListen)
      expect([...ports]).toEqual([40_001])
      // an ephemeral connect's on 40001: none is left
      const other = yield* openPair(b, listener)
      expect(other.client.localPort).toBe(40_001)
      expect(yield* reasonOf(portOfListen)).toBe("AddressInUse")
      // (the connections go on)
      expect((yield* client.info).state).toBe("Established")
    }))
})

describe("TCP API: the halves' fibers kept between connections (internal/FiberPool.ts)", () => {
  it.scoped("a connection's halves, once it is over, wait for the next connection's (tcp.idleFibers, at most that many); the next takes them; 0 keeps none", () =>
    Effect.gen(function*() {
      for (const idle of [3, 0]) {
        const { a, b } = yield* twoStacks({ configA: { tcp: { idleFibers: idle } } })
        const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
        expect((yield* statsOf(a)).tcp.idleFibers).toBe(0)
        // two connections at once, A's ends closed first (TIME-WAIT: their fibers end, the record stays)
        const one = yield* openPair(b, listener)
        const two = yield* openPair(b, listener)
        yield* closeInTurn(one.server, one.client)
        yield* closeInTurn(two.server, two.client)
        expect((yield* statsOf(a)).tcp).toMatchObject({ connections: 0, timeWait: 2, idleFibers: Math.min(4, idle) })
        // a third takes two of them, and the data still goes both ways
        const three = yield* openPair(b, listener)
        expect((yield* statsOf(a)).tcp.idleFibers).toBe(Math.max(0, Math.min(4, idle) - 2))
        yield* three.client.write(new TextEncoder().encode("ping"))
        yield* three.client.end
        yield* settle
        const got = yield* three.server.read
        expect(Option.map(got, (c) => new TextDecoder().decode(c))).toEqual(Option.some("ping"))
        yield* closeInTurn(three.server, three.client)
        expect((yield* statsOf(a)).tcp.idleFibers).toBe(Math.min(4, idle))
      }
    }))
})
