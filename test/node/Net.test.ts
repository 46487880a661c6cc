/**
 * `gonet-ts/node`'s `net` between two in-memory stacks: data, backpressure,
 * half-close, resets, errors with their codes, servers' life cycle.
 */
import { describe, expect, it } from "@effect/vitest"
import { createHash, randomBytes } from "node:crypto"
import * as nodeNet from "node:net"
import { Effect, TestClock } from "effect"
import { attempter } from "./attempt.js"
import { collect, HOST_A, HOST_B, once, withNets } from "./NodeNet.js"
import * as Net from "../../src/node/Net.js"
import type { Socket } from "../../src/node/Net.js"
import { settle } from "../support/Clock.js"
import { run, twoStacks } from "../support/TestNet.js"

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

describe("gonet-ts/node net", () => {
  it("echoes 1 MB through a piped server; the client's events come in Node's order", () =>
    withNets(async ({ a, b }) => {
      const server = a.createServer((s) => s.pipe(s))
      server.listen(7)
      await once(server, "listening")
      const data = randomBytes(1 << 20)
      const events: Array<string> = []
      const client = b.connect(7, HOST_A)
      // (the peer's end as a program reads it: while open; Node's is gone after 'close' unless read before)
      const peer = once(client, "connect").then(() => `${client.remoteAddress}:${client.remotePort}`)
      for (const e of ["connect", "ready", "end", "finish"]) client.on(e, () => events.push(e))
      client.on("close", (hadError: boolean) => events.push(`close ${hadError}`))
      const closed = once(client, "close")
      const echoed = collect(client)
      for (let o = 0; o < data.length; o += 100_000) client.write(data.subarray(o, o + 100_000))
      client.end()
      const got = await echoed
      await closed
      expect(got.length).toBe(data.length)
      expect(sha(got)).toBe(sha(data))
      expect(events).toEqual(["connect", "ready", "finish", "end", "close false"])
      expect(client.bytesRead).toBe(data.length)
      expect(client.bytesWritten).toBe(data.length)
      expect(await peer).toBe(`${HOST_A}:7`)
      server.close()
      await once(server, "close")
    }), 30_000)
})

describe("gonet-ts/node net: reads", () => {
  it("a 'data' event carries what arrived meanwhile, up to 64 KiB (a read's worth, as net.Socket), not a segment each", () =>
    withNets(async ({ a, b }) => {
      let accepted: Socket | undefined
      const server = a.createServer({ pauseOnConnect: true }, (s) => (accepted = s))
      server.listen(7)
      await once(server, "listening")
      const client = b.connect(7, HOST_A)
      await once(client, "connect")
      const data = randomBytes(150_000)
      client.end(data)
      while (accepted === undefined) await new Promise((r) => setImmediate(r))
      // everything in the stack's receive buffer, unread (the socket is paused), in segments of an MSS
      const conn = accepted.connection!
      while ((await Effect.runPromise(conn.info)).bytesReceived < data.length) await new Promise((r) => setTimeout(r, 5))
      const sizes: Array<number> = []
      accepted.on("data", (c: Buffer) => sizes.push(c.length))
      const got = collect(accepted)
      accepted.resume()
      expect(sha(await got)).toBe(sha(data))
      expect(Math.max(...sizes)).toBeLessThanOrEqual(65536)
      // three reads' worth, not ~100 segments
      expect(sizes.length).toBeLessThanOrEqual(4)
      expect(sizes[0]).toBeGreaterThan(60_000)
      const closed = once(client, "close")
      client.resume()
      await closed
      server.close()
    }), 30_000)
})

describe("gonet-ts/node net: the stack's own rules", () => {
  it("destroying a socket with unread data resets the connection (Linux's close(2)), the peer sees ECONNRESET", () =>
    withNets(async ({ a, b }) => {
      let accepted: Socket | undefined
      const server = a.createServer({ pauseOnConnect: true }, (s) => (accepted = s))
      server.listen(7)
      await once(server, "listening")
      const client = b.connect(7, HOST_A)
      await once(client, "connect")
      client.resume()
      const failed = once<[NodeJS.ErrnoException]>(client, "error")
      client.write("never read")
      while (accepted === undefined) await new Promise((r) => setImmediate(r))
      // the data is in the stack's receive buffer, unread (the socket is paused)
      const conn = accepted.connection!
      // wait until the stack holds the data (bounded by the test's timeout)
      while ((await Effect.runPromise(conn.info)).bytesReceived < 10) await new Promise((r) => setTimeout(r, 5))
      expect(accepted.bytesRead).toBe(0)
      accepted.destroy()
      const [err] = await failed
      expect(err.code).toBe("ECONNRESET")
      server.close()
    }), 30_000)

  it("a graceful destroy with nothing unread ends with a FIN: the peer sees 'end', no error", () =>
    withNets(async ({ a, b }) => {
      const server = a.createServer((s) => s.destroy())
      server.listen(7)
      await once(server, "listening")
      const client = b.connect(7, HOST_A)
      const errors: Array<unknown> = []
      client.on("error", (e) => errors.push(e))
      client.resume()
      await once(client, "end")
      expect(errors).toEqual([])
      server.close()
    }), 30_000)

  it("names resolve through the lookup option ('lookup' event); without one, ENOTFOUND", () =>
    withNets(async ({ a, b }) => {
      const server = a.createServer((s) => s.end("hi"))
      server.listen(80)
      await once(server, "listening")
      const asked: Array<string> = []
      const client = new b.Socket()
      const lookedUp = once<[Error | null, string, number, string]>(client, "lookup")
      client.connect({
        port: 80,
        host: "service.test",
        // (answering as dns.lookup does: the list when asked for all, as Node 20's connect asks)
        lookup: (name, o, cb) => {
          asked.push(name)
          if (o.all === true) cb(null, [{ address: HOST_A, family: 4 }])
          else cb(null, HOST_A, 4)
        }
      })
      const got = collect(client)
      const [err, address, family, host] = await lookedUp
      expect([err, address, family, host]).toEqual([null, HOST_A, 4, "service.test"])
      expect((await got).toString()).toBe("hi")
      expect(asked).toEqual(["service.test"])
      const unresolved = b.connect(80, "service.test")
      const [e] = await once<[NodeJS.ErrnoException & { hostname?: string }]>(unresolved, "error")
      // getaddrinfo's EAI_NONAME as Node gives it (and Dns.ts for NXDOMAIN)
      expect([e.code, e.errno, e.syscall, e.hostname]).toEqual(["ENOTFOUND", -3008, "getaddrinfo", "service.test"])
      // (Node's DNSException: `getaddrinfo ENOTFOUND name`, word for word; errno, code, syscall, hostname)
      expect(e.message).toBe("getaddrinfo ENOTFOUND service.test")
      expect(Object.keys(e)).toEqual(["errno", "code", "syscall", "hostname"])
      expect(() => b.connect(70000, HOST_A)).toThrow(/Port should be/)
      server.close()
    }), 30_000)

  /** a connect to `host` reaches the loopback's echo of "hi", from 127.0.0.1 */
  const reachesLoopback = (host: string) =>
    withNets(async ({ a }) => {
      const server = a.createServer((s) => s.end("hi"))
      server.listen(7)
      await once(server, "listening")
      const client = a.connect(7, host)
      const peer = once(client, "connect").then(() => client.remoteAddress)
      const failed = once<[NodeJS.ErrnoException]>(client, "error").then(([e]) => `error ${e.code}`)
      const got = collect(client).then((b) => b.toString())
      expect(await Promise.race([got, failed])).toBe("hi")
      expect(await peer).toBe("127.0.0.1")
      server.close()
    })

  it("a host of 'LOCALHOST' is the loopback as 'localhost' is (getaddrinfo matches /etc/hosts names case-insensitively), not ENOTFOUND", () =>
    reachesLoopback("LOCALHOST"), 30_000)

  it("a connect to an address with no route is ENETUNREACH, as Linux's connect(2) (a neighbour that never answers is EHOSTUNREACH)", () =>
    withNets(async ({ a }) => {
      // (the in-memory stacks have no gateway: 198.19.0.1 is off every route)
      const client = a.connect(80, "198.19.0.1")
      const [err] = await once<[NodeJS.ErrnoException]>(client, "error")
      expect(err.code).toBe("ENETUNREACH")
      expect(err.syscall).toBe("connect")
    }), 30_000)

  it("localAddress: a connection from the stack's address to 127.0.0.1 and from 127.0.0.1 to the stack's address, answered from where it was sent (bind(2) then connect(2))", () =>
    withNets(async ({ a }) => {
      const seen: Array<string> = []
      const closed: Array<Promise<unknown>> = []
      const server = a.createServer((s) => {
        seen.push(`${s.remoteAddress} -> ${s.localAddress}`)
        closed.push(once(s, "close"))
        s.end("hi")
      })
      server.listen(7)
      await once(server, "listening")
      const from = async (localAddress: string, host: string) => {
        const client = a.connect({ port: 7, host, localAddress })
        const ends = once(client, "connect").then(() => `${client.localAddress} -> ${client.remoteAddress}`)
        const failed = once<[NodeJS.ErrnoException]>(client, "error").then(([e]) => `error ${e.code}`)
        const got = await Promise.race([collect(client).then((b) => b.toString()), failed])
        return `${got} ${await ends}`
      }
      expect(await from(HOST_A, "127.0.0.1")).toBe(`hi ${HOST_A} -> 127.0.0.1`)
      expect(await from("127.0.0.1", HOST_A)).toBe(`hi 127.0.0.1 -> ${HOST_A}`)
      expect(await from("127.0.0.9", "127.0.0.1")).toBe("hi 127.0.0.9 -> 127.0.0.1")
      expect(await from("0.0.0.0", HOST_A)).toBe(`hi ${HOST_A} -> ${HOST_A}`)
      expect(seen).toEqual([`${HOST_A} -> 127.0.0.1`, `127.0.0.1 -> ${HOST_A}`, "127.0.0.9 -> 127.0.0.1", `${HOST_A} -> ${HOST_A}`])
      // (every accepted socket closed before the stacks go: a stack that closes under one is its 'error')
      await Promise.all(closed)
      server.close()
    }), 30_000)

  it("localAddress: not the stack's is EADDRNOTAVAIL from bind; a 127/8 one towards another host EINVAL from connect; the stack's own towards it goes", () =>
    withNets(async ({ a, b }) => {
      const closed: Array<Promise<unknown>> = []
      const server = b.createServer((s) => {
        closed.push(once(s, "close"))
        s.end("hi")
      })
      server.listen(7)
      await once(server, "listening")
      const fail = async (o: { localAddress: string; localPort?: number }) => {
        const client = a.connect({ port: 7, host: HOST_B, ...o })
        const [e] = await once<[NodeJS.ErrnoException & { address?: string; port?: number }]>(client, "error")
        return `${e.code} ${e.syscall} ${e.address} ${e.port}`
      }
      expect(await fail({ localAddress: "198.18.9.9" })).toBe("EADDRNOTAVAIL bind 198.18.9.9 undefined")
      expect(await fail({ localAddress: "198.18.9.9", localPort: 4000 })).toBe("EADDRNOTAVAIL bind 198.18.9.9 4000")
      expect(await fail({ localAddress: "127.0.0.1" })).toBe(`EINVAL connect ${HOST_B} 7`)
      expect(await fail({ localAddress: "::1" })).toBe("EINVAL bind ::1 undefined")
      const client = a.connect({ port: 7, host: HOST_B, localAddress: HOST_A })
      const local = once(client, "connect").then(() => client.localAddress)
      expect((await collect(client)).toString()).toBe("hi")
      expect(await local).toBe(HOST_A)
      await Promise.all(closed)
      server.close()
    }), 30_000)

  it("localAddress with every ephemeral port held: EADDRINUSE from connect, naming the peer (libuv keeps the bind's EADDRINUSE for the connect, and Node checks a port-0 bind no further: node:net on Linux 6.18, tried in a namespace)", () =>
    withNets(async ({ a, b }) => {
      const server = b.createServer((s) => s.end())
      server.listen(7)
      await once(server, "listening")
      // A's one ephemeral port, 40000, taken by a plain connect
      const first = a.connect(7, HOST_B)
      await once(first, "connect")
      const fail = async (o: { localAddress: string; localPort?: number }) => {
        const client = a.connect({ port: 7, host: HOST_B, ...o })
        const [e] = await once<[NodeJS.ErrnoException & { address?: string; port?: number }]>(client, "error")
        // (the message as node:net's, word for word: afterConnect's, no local end for port 0)
        return `${e.code} ${e.syscall} ${e.address} ${e.port} ${e.message === `connect ${e.code} ${HOST_B}:7`}`
      }
      expect(await fail({ localAddress: HOST_A })).toBe(`EADDRINUSE connect ${HOST_B} 7 true`)
      expect(await fail({ localAddress: HOST_A, localPort: 0 })).toBe(`EADDRINUSE connect ${HOST_B} 7 true`)
      first.destroy()
      server.close()
    }, { configA: { tcp: { localPortRange: [40_000, 40_000] } } }), 30_000)

  it("listen(0) with every port of the range held: EADDRINUSE from listen (bind(2) of port 0 finds none: node:net on Linux 6.18, tried in a namespace)", () =>
    withNets(async ({ a }) => {
      const first = a.createServer(() => {})
      first.listen(40_000, HOST_A)
      await once(first, "listening")
      const second = a.createServer(() => {})
      second.listen(0, HOST_A)
      const [e] = await once<[NodeJS.ErrnoException & { address?: string; port?: number }]>(second, "error")
      expect(`${e.code} ${e.syscall} ${e.address} ${e.port}`).toBe(`EADDRINUSE listen ${HOST_A} undefined`)
      // (UVExceptionWithHostPort's words, port 0 left out: node:net's, tried)
      expect(e.message).toBe(`listen EADDRINUSE: address already in use ${HOST_A}`)
      first.close()
    }, { configA: { tcp: { localPortRange: [40_000, 40_000] } } }), 30_000)

  it("a host of '127.1' is 127.0.0.1, as getaddrinfo reads it with inet_aton, not ENOTFOUND", () => reachesLoopback("127.1"), 30_000)

  it("listen's host in every form getaddrinfo reads without a lookup (inet_aton's: '0', '0x0', the stack's address in parts or octal; 'localhost'; '127.1') binds as node:net binds it, not EADDRNOTAVAIL", () =>
    withNets(async ({ a }) => {
      const [x, y, , w] = HOST_A.split(".").map(Number)
      const short = `${x}.${y}.${w}`
      const octal = HOST_A.split(".").map((n) => `0${Number(n).toString(8)}`).join(".")
      const bound: Array<string> = []
      for (const host of ["0", "0x0", short, octal, "localhost", "127.1"]) {
        const server = a.createServer(() => {})
        server.listen(0, host)
        const outcome = await Promise.race([
          once<[NodeJS.ErrnoException]>(server, "error").then(([e]) => `${host}: ${e.code}`),
          once(server, "listening").then(() => `${host}: ${(server.address() as nodeNet.AddressInfo).address}`)
        ])
        bound.push(outcome)
        if (server.listening) server.close()
      }
      expect(bound).toEqual([
        "0: 0.0.0.0",
        "0x0: 0.0.0.0",
        `${short}: ${HOST_A}`,
        `${octal}: ${HOST_A}`,
        "localhost: 127.0.0.1",
        "127.1: 127.0.0.1"
      ])
    }), 30_000)

  it("listen with an empty or null host listens on every address, as node:net's (its `if (options.host)`), not a lookup of ''", () =>
    withNets(async ({ a }) => {
      const bound: Array<string> = []
      const listens: Array<(s: Net.Server) => void> = [
        (s) => s.listen(0, ""),
        (s) => s.listen({ port: 0, host: "" }),
        (s) => s.listen({ port: 0, host: null as unknown as string })
      ]
      for (const listen of listens) {
        const server = a.createServer(() => {})
        let outcome: Promise<string>
        try {
          listen(server)
          outcome = Promise.race([
            once<[NodeJS.ErrnoException]>(server, "error").then(([e]) => e.code ?? "error"),
            once(server, "listening").then(() => (server.address() as nodeNet.AddressInfo).address)
          ])
        } catch (e) {
          outcome = Promise.resolve(`threw ${String(e)}`)
        }
        bound.push(await outcome)
        if (server.listening) server.close()
      }
      expect(bound).toEqual(["0.0.0.0", "0.0.0.0", "0.0.0.0"])
    }), 30_000)

  it("a listen's EADDRINUSE names the address its host read ('localhost', '127.1': 127.0.0.1), as node:net's names the address its lookup gave", () =>
    withNets(async ({ a }) => {
      const first = a.createServer(() => {})
      first.listen(0, "127.0.0.1")
      await once(first, "listening")
      const port = (first.address() as nodeNet.AddressInfo).port
      const errors: Array<string> = []
      for (const host of ["localhost", "127.1"]) {
        const server = a.createServer(() => {})
        server.listen(port, host)
        const [e] = await once<[NodeJS.ErrnoException & { address?: string; port?: number }]>(server, "error")
        errors.push(`${e.code} ${e.syscall} ${e.address} ${e.port === port}`)
      }
      expect(errors).toEqual(["EADDRINUSE listen 127.0.0.1 true", "EADDRINUSE listen 127.0.0.1 true"])
      first.close()
    }), 30_000)

  it("maxConnections: a connection beyond it is closed at once and reported as 'drop'", () =>
    withNets(async ({ a, b }) => {
      const server = a.createServer((s) => s.resume())
      server.maxConnections = 1
      server.listen(7)
      await once(server, "listening")
      const drops: Array<unknown> = []
      server.on("drop", (d) => drops.push(d))
      const first = b.connect(7, HOST_A)
      first.resume()
      await once(first, "connect")
      await new Promise((r) => setTimeout(r, 20))
      const second = b.connect(7, HOST_A)
      second.resume()
      second.on("error", () => {})
      await once(second, "close")
      expect(drops).toHaveLength(1)
      expect(drops[0]).toMatchObject({ remoteAddress: "198.18.0.3", localPort: 7, remoteFamily: "IPv4" })
      first.end()
      await once(first, "close")
      server.close()
    }), 30_000)
})

describe("gonet-ts/node net: keepalive", () => {
  it("setKeepAlive(true, ms) makes an idle connection probe (the stack's keepalive is off by default)", () =>
    withNets(async ({ a, b }) => {
      const server = a.createServer((s) => s.resume())
      server.listen(7)
      await once(server, "listening")
      const client = b.connect(7, HOST_A)
      await once(client, "connect")
      const conn = client.connection!
      const sent = async () => (await Effect.runPromise(conn.info)).segmentsSent
      const before = await sent()
      client.setKeepAlive(true, 100)
      // probes are segments with no data; nothing else is sent on an idle connection (bounded wait)
      for (let i = 0; i < 200 && (await sent()) < before + 2; i++) await new Promise((r) => setTimeout(r, 25))
      expect(await sent()).toBeGreaterThanOrEqual(before + 2)
      client.setKeepAlive(false)
      client.end()
      await once(client, "close")
      server.close()
    }), 30_000)

})

describe("gonet-ts/node net: what Node programs look at", () => {
  it("new Socket({ keepAlive, keepAliveInitialDelay }) probes an idle connection, as setKeepAlive does", () =>
    withNets(async ({ a, b }) => {
      const server = a.createServer((s) => s.resume())
      server.listen(7)
      await once(server, "listening")
      const client = new b.Socket({ keepAlive: true, keepAliveInitialDelay: 100 })
      client.connect(7, HOST_A)
      await once(client, "connect")
      const conn = client.connection!
      const sent = async () => (await Effect.runPromise(conn.info)).segmentsSent
      const before = await sent()
      for (let i = 0; i < 200 && (await sent()) < before + 2; i++) await new Promise((r) => setTimeout(r, 25))
      expect(await sent()).toBeGreaterThanOrEqual(before + 2)
      client.end()
      await once(client, "close")
      server.close()
    }), 30_000)

  it("new Server() as createServer, Stream as Socket, Node's BlockList and SocketAddress, the autoSelectFamily defaults checked as Node's", () =>
    withNets(async ({ a, b }) => {
      // (that no name of node:net is missing: Surface.test.ts)
      const ours = a as unknown as Record<string, unknown>
      const server = new a.Server({ allowHalfOpen: false }, (s) => s.end("hi"))
      expect(server).toBeInstanceOf(a.Server)
      server.listen(7)
      await once(server, "listening")
      const client = new b.Stream()
      expect(client).toBeInstanceOf(b.Socket)
      client.connect(7, HOST_A)
      expect((await collect(client)).toString()).toBe("hi")
      expect(a.BlockList).toBe(nodeNet.BlockList)
      expect(a.SocketAddress).toBe(nodeNet.SocketAddress)
      // the setters' checks, each against node:net's own (whose defaults are put back after)
      const trace = (m: Record<string, unknown>) => {
        const t: Array<string> = []
        const attempt = attempter(t)
        const set = (name: string, v: unknown) => attempt(`${name}(${String(v)})`, () => (m[name] as (v: unknown) => unknown)(v))
        for (const v of [false, "yes", 1, true]) set("setDefaultAutoSelectFamily", v)
        attempt("get", () => (m.getDefaultAutoSelectFamily as () => boolean)())
        for (const v of ["5", 1.5, 0, 2 ** 31, 5, 400]) set("setDefaultAutoSelectFamilyAttemptTimeout", v)
        attempt("get", () => (m.getDefaultAutoSelectFamilyAttemptTimeout as () => number)())
        return t
      }
      const family = nodeNet.getDefaultAutoSelectFamily()
      const timeout = nodeNet.getDefaultAutoSelectFamilyAttemptTimeout()
      try {
        expect(trace(ours)).toEqual(trace(nodeNet as unknown as Record<string, unknown>))
      } finally {
        nodeNet.setDefaultAutoSelectFamily(family)
        nodeNet.setDefaultAutoSelectFamilyAttemptTimeout(timeout)
      }
      server.close()
    }), 30_000)

  it("localFamily, socket.server on accepted sockets, net.isIP/isIPv6 as Node's; an IPv6 literal is EAFNOSUPPORT, not a name", () =>
    withNets(async ({ a, b }) => {
      const accepted: Array<Socket> = []
      const server = a.createServer((s) => {
        accepted.push(s)
        s.resume()
      })
      server.listen(7)
      await once(server, "listening")
      const client = b.connect(7, HOST_A)
      await once(client, "connect")
      while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5))
      expect([client.localFamily, accepted[0]!.localFamily]).toEqual(["IPv4", "IPv4"])
      expect(accepted[0]!.server).toBe(server)
      expect(client.server).toBeNull()
      expect([b.isIP("198.18.0.2"), b.isIP("::1"), b.isIP("gonet"), b.isIPv6("::1"), b.isIPv6("198.18.0.2")]).toEqual([4, 6, 0, true, false])
      const v6 = b.connect(7, "::1")
      const [e] = await once<[NodeJS.ErrnoException]>(v6, "error")
      expect([e.code, e.syscall]).toEqual(["EAFNOSUPPORT", "connect"])
      client.end()
      await once(client, "close")
      server.close()
    }), 30_000)
})

describe("gonet-ts/node net: destroy", () => {
  it("destroy() calls back every write still waiting behind a peer that does not read (no promisified write hangs)", () =>
    withNets(async ({ a, b }) => {
      const accepted: Array<Socket> = []
      const server = a.createServer((s) => {
        s.pause()
        s.on("error", () => {})
        accepted.push(s)
      })
      server.listen(9)
      await once(server, "listening")
      const client = b.connect(9, HOST_A)
      client.on("error", () => {})
      await once(client, "connect")
      // far more than both sides' buffers hold (4 MiB each at most): most writes wait
      const chunk = Buffer.alloc(1 << 20)
      const outcomes: Array<Promise<string>> = []
      for (let i = 0; i < 32; i++) {
        outcomes.push(new Promise((r) => client.write(chunk, (err) => r((err as NodeJS.ErrnoException | null | undefined)?.code ?? "ok"))))
      }
      await new Promise((r) => setTimeout(r, 100))
      let called = 0
      for (const o of outcomes) void o.then(() => called++)
      await new Promise((r) => setImmediate(r))
      expect(called).toBeLessThan(32)
      client.destroy()
      const codes = await Promise.all(outcomes)
      expect(codes).toHaveLength(32)
      expect(codes.filter((c) => c !== "ok" && c !== "ERR_STREAM_DESTROYED")).toEqual([])
      for (const s of accepted) s.destroy()
      server.close()
      await once(server, "close")
    }), 30_000)
})

describe("gonet-ts/node net: setTimeout on a destroyed socket", () => {
  /** Node 20's setStreamTimeout returns at once on a destroyed socket: no value kept, no listener, no range check. */
  const probe = (s: { setTimeout(ms: number, cb?: () => void): unknown; destroy(): unknown; timeout?: number | undefined; listenerCount(e: string): number }) => {
    s.destroy()
    s.setTimeout(100, () => {})
    let threw: string | undefined
    try {
      s.setTimeout(-5)
    } catch (e) {
      threw = (e as NodeJS.ErrnoException).code
    }
    return { timeout: s.timeout, listeners: s.listenerCount("timeout"), threw }
  }
  it.scoped("keeps no timeout, adds no listener and checks nothing, as node:net's", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const net = yield* run(a, Net.make)
      expect(probe(new net.Socket())).toEqual(probe(new nodeNet.Socket()))
    }))
})

/** a turn of the event loop: the process.nextTick that emits 'timeout' runs */
const nextTurn = Effect.promise(() => new Promise((r) => setImmediate(r)))

describe("gonet-ts/node net: idle timeouts in virtual time (the socket's timer runs on the Clock of Net.make's runtime)", () => {
  it.scoped("setTimeout with a lower value re-arms the timer from the call, as Node's does on every setTimeout", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const net = yield* run(a, Net.make)
      const s = new net.Socket()
      let fired = 0
      s.on("timeout", () => fired++)
      s.setTimeout(10_000)
      yield* settle
      s.setTimeout(50)
      yield* settle
      yield* TestClock.adjust("49 millis")
      yield* settle
      yield* nextTurn
      expect(fired).toBe(0)
      yield* TestClock.adjust("2 millis")
      yield* settle
      yield* nextTurn
      expect(fired).toBe(1)
      // raised again: the next one is the higher value after the last activity (the call)
      s.setTimeout(200)
      yield* settle
      yield* TestClock.adjust("199 millis")
      yield* settle
      yield* nextTurn
      expect(fired).toBe(1)
      yield* TestClock.adjust("2 millis")
      yield* settle
      yield* nextTurn
      expect(fired).toBe(2)
      s.destroy()
    }))

  it.scoped("a socket that never connected, destroyed: its idle timer stops with it", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const net = yield* run(a, Net.make)
      const s = new net.Socket()
      const events: Array<string> = []
      s.on("timeout", () => events.push("timeout"))
      s.on("close", () => events.push("close"))
      s.setTimeout(50)
      yield* settle
      s.destroy()
      yield* nextTurn
      yield* TestClock.adjust("1 second")
      yield* settle
      yield* nextTurn
      expect(events).toEqual(["close"])
    }))
})

describe("gonet-ts/node net: a name with several addresses, in virtual time (Node 20's autoSelectFamily; the attempt timeout runs on the Clock)", () => {
  /** settle the fibers and let the event loop run the callbacks they queued, until `done` (bounded) */
  const until = (done: () => boolean) =>
    Effect.gen(function*() {
      for (let i = 0; i < 200 && !done(); i++) {
        yield* settle
        yield* nextTurn
      }
    })
  /** a connect from `net` to a name whose lookup answers `addresses`; its events, in order */
  const connectToName = (net: Net.Net, port: number, addresses: ReadonlyArray<string>, options: Partial<Net.ConnectOptions> = {}) => {
    const events: Array<string> = []
    const socket = net.connect({
      host: "several.test",
      port,
      lookup: (_h, o, cb) => {
        const list = addresses.map((address) => ({ address, family: 4 }))
        process.nextTick(() => (o.all === true ? cb(null, list) : cb(null, list[0]!.address, 4)))
      },
      ...options
    })
    socket.on("connectionAttempt", (a: string) => events.push(`attempt ${a}`))
    socket.on("connectionAttemptFailed", (a: string, _p: number, _f: number, e: NodeJS.ErrnoException) => events.push(`failed ${a} ${e.code}`))
    socket.on("connectionAttemptTimeout", (a: string) => events.push(`timeout ${a}`))
    socket.on("connect", () => events.push(`connect ${socket.remoteAddress}`))
    socket.on("error", (e: AggregateError & { code?: string }) =>
      events.push(`error ${e.constructor.name} ${e.code}${e.errors === undefined ? "" : ` [${e.errors.map((x: Error) => x.message).join(", ")}]`}`))
    socket.on("close", () => events.push("close"))
    return { socket, events }
  }
  // 198.18.0.99 is on the stacks' link and nobody has it: ARP is never answered (the stack gives
  // up after 3 s, EHOSTUNREACH, as Linux's neighbour code), so its connect neither succeeds nor fails in 250 ms
  const SILENT = "198.18.0.99"

  it.scoped("the first address does not answer: after the attempt timeout (250 ms, no earlier) the next one is tried, and connects", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const netA = yield* run(a, Net.make)
      const netB = yield* run(b, Net.make)
      const server = netA.createServer((s) => s.end("hi"))
      server.listen(80)
      yield* until(() => server.listening)
      const { events, socket } = connectToName(netB, 80, [SILENT, HOST_A])
      yield* until(() => events.length > 0)
      expect(events).toEqual([`attempt ${SILENT}`])
      yield* TestClock.adjust("249 millis")
      yield* until(() => false)
      expect(events).toEqual([`attempt ${SILENT}`])
      yield* TestClock.adjust("1 millis")
      yield* until(() => events.includes(`connect ${HOST_A}`))
      expect(events).toEqual([`attempt ${SILENT}`, `timeout ${SILENT}`, `attempt ${HOST_A}`, `connect ${HOST_A}`])
      expect(socket.autoSelectFamilyAttemptedAddresses).toEqual([`${SILENT}:80`, `${HOST_A}:80`])
      socket.destroy()
      server.close()
    }))

  it.scoped("autoSelectFamilyAttemptTimeout bounds each attempt but the last; when every one fails, one AggregateError (ETIMEDOUT, then the last's own EHOSTUNREACH)", () =>
    Effect.gen(function*() {
      const { b } = yield* twoStacks()
      const netB = yield* run(b, Net.make)
      const { events } = connectToName(netB, 80, [SILENT, "198.18.0.98"], { autoSelectFamilyAttemptTimeout: 50 })
      yield* until(() => events.length > 0)
      yield* TestClock.adjust("50 millis")
      yield* until(() => events.length > 2)
      expect(events).toEqual([`attempt ${SILENT}`, `timeout ${SILENT}`, "attempt 198.18.0.98"])
      // the last attempt has no attempt timeout: only ARP's giving up (3 s) ends it
      for (let i = 0; i < 40 && !events.includes("close"); i++) {
        yield* TestClock.adjust("100 millis")
        yield* until(() => false)
      }
      expect(events).toEqual([
        `attempt ${SILENT}`,
        `timeout ${SILENT}`,
        "attempt 198.18.0.98",
        "failed 198.18.0.98 EHOSTUNREACH",
        `error AggregateError ETIMEDOUT [connect ETIMEDOUT ${SILENT}:80, connect EHOSTUNREACH 198.18.0.98:80]`,
        "close"
      ])
    }))

  it("IPv6 addresses in the list are tried in Node's order (alternating families from the first one's), each failing at once with EAFNOSUPPORT (the stack speaks IPv4 only, as a kernel without IPv6); duplicates once", () =>
    withNets(async ({ a, b }) => {
      const server = a.createServer((s) => s.end("hi"))
      server.listen(80)
      await once(server, "listening")
      const list = [
        { address: HOST_B, family: 4 },
        { address: HOST_B, family: 4 },
        { address: "::1", family: 6 },
        { address: HOST_A, family: 4 },
        { address: "::2", family: 6 }
      ]
      const events: Array<string> = []
      const socket = b.connect({ host: "mixed.test", port: 80, lookup: (_h, _o, cb) => process.nextTick(cb, null, list) })
      socket.on("lookup", (_e: Error | null, address: string, family: number) => events.push(`lookup ${address} ${family}`))
      socket.on("connectionAttempt", (address: string, _p: number, family: number) => events.push(`attempt ${address} ${family}`))
      socket.on("connectionAttemptFailed", (address: string, _p: number, _f: number, e: NodeJS.ErrnoException) =>
        events.push(`failed ${address} ${e.code} ${e.message}`))
      expect((await collect(socket)).toString()).toBe("hi")
      expect(events).toEqual([
        ...list.map((l) => `lookup ${l.address} ${l.family}`),
        `attempt ${HOST_B} 4`,
        `failed ${HOST_B} ECONNREFUSED connect ECONNREFUSED ${HOST_B}:80`,
        "attempt ::1 6",
        "failed ::1 EAFNOSUPPORT connect EAFNOSUPPORT ::1:80",
        `attempt ${HOST_A} 4`
      ])
      expect(socket.autoSelectFamilyAttemptedAddresses).toEqual([`${HOST_B}:80`, "::1:80", `${HOST_A}:80`])
      // a lookup that answers one address to `all` (as a pre-Node-20 custom lookup does) yields no
      // valid one: ERR_INVALID_IP_ADDRESS for what was read, as Node 20's (tried with node:net)
      const old = b.connect({ host: "old.test", port: 80, lookup: (_h, _o, cb) => cb(null, HOST_A, 4) })
      const [e] = await once<[NodeJS.ErrnoException]>(old, "error")
      expect([e.name, e.code, e.message]).toEqual(["TypeError", "ERR_INVALID_IP_ADDRESS", "Invalid IP address: undefined"])
      // the options checked as Node's lookupAndConnect checks them, an address's connect too
      expect(() => b.connect({ host: HOST_A, port: 80, autoSelectFamily: 1 as unknown as boolean })).toThrow(/"options.autoSelectFamily" property must be of type boolean/)
      expect(() => b.connect({ host: HOST_A, port: 80, autoSelectFamilyAttemptTimeout: 0 })).toThrow(/>= 1 && <= 2147483647. Received 0/)
      server.close()
    }), 30_000)

  it.scoped("with autoSelectFamily false (the option, or setDefaultAutoSelectFamily) only the first address is tried, as before Node 20", () =>
    Effect.gen(function*() {
      const { b } = yield* twoStacks()
      const netB = yield* run(b, Net.make)
      const alone = [`attempt ${SILENT}`, `failed ${SILENT} EHOSTUNREACH`, "error Error EHOSTUNREACH", "close"]
      const { events } = connectToName(netB, 80, [SILENT, HOST_A], { autoSelectFamily: false })
      yield* until(() => events.length > 0)
      for (let i = 0; i < 40 && !events.includes("close"); i++) {
        yield* TestClock.adjust("100 millis")
        yield* until(() => false)
      }
      expect(events).toEqual(alone)
      netB.setDefaultAutoSelectFamily(false)
      const second = connectToName(netB, 80, [SILENT, HOST_A])
      yield* until(() => second.events.length > 0)
      for (let i = 0; i < 40 && !second.events.includes("close"); i++) {
        yield* TestClock.adjust("100 millis")
        yield* until(() => false)
      }
      expect(second.events).toEqual(alone)
    }))
})
