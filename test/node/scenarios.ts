/**
 * `net.Socket` behaviours as small scripts over any `net`-shaped module,
 * each returning a trace of what the program saw (events in order, error
 * codes, flags). Behaviours.test.ts runs every script over Node's own
 * `node:net` on the kernel's loopback and over `gonet-ts/node` between two
 * stacks, and requires the same trace: the kernel is the reference.
 */
import type { EventEmitter } from "node:events"
import type { Duplex } from "node:stream"
import { attempter } from "./attempt.js"

/** The part of a socket the scripts use (node:net's and ours both have it). */
export interface SocketLike extends Duplex {
  readonly bytesRead: number
  readonly bytesWritten: number
  readonly remotePort?: number | undefined
  readonly remoteFamily?: string | undefined
  readonly remoteAddress?: string | undefined
  readonly localPort?: number | undefined
  readonly localAddress?: string | undefined
  readonly pending: boolean
  readonly readyState: string
  address(): unknown
  setTimeout(ms: number, cb?: () => void): this
  setNoDelay(on?: boolean): this
  resetAndDestroy(): this
  connect(port: number, host: string, cb?: () => void): this
}

export interface ServerLike extends EventEmitter {
  listen(port: number, host?: string): this
  close(cb?: (err?: Error) => void): this
  address(): unknown
  readonly listening: boolean
  getConnections(cb: (err: Error | null, n: number) => void): this
}

export interface NetLike {
  createServer(options: { allowHalfOpen?: boolean; pauseOnConnect?: boolean }, listener?: (s: SocketLike) => void): ServerLike
  connect(options: { port: number; host: string; allowHalfOpen?: boolean }): SocketLike
  Socket: new () => SocketLike
}

/** Where a script runs: servers listen on `listenHost`, clients connect to `host`. */
export interface World {
  readonly server: NetLike
  readonly client: NetLike
  readonly host: string
  readonly listenHost: string
  /** an address of the server's host, not 127.0.0.1, that the client reaches */
  readonly elsewhere: string
  /** two addresses the client reaches where nothing listens on the server's port: a connect there is refused */
  readonly refusing: readonly [string, string]
}

export type Script = (w: World) => Promise<Array<string>>

const once = <T extends Array<unknown> = Array<unknown>>(e: EventEmitter, name: string): Promise<T> =>
  new Promise((resolve) => e.once(name, (...args: Array<unknown>) => resolve(args as T)))

/** How a connect ends: its error, or undefined once it connected. */
const connectOutcome = <E extends NodeJS.ErrnoException>(c: EventEmitter): Promise<E | undefined> =>
  Promise.race([once<[E]>(c, "error").then(([e]) => e), once(c, "connect").then(() => undefined)])

/** A server listening on a free port, and that port. */
const serve = async (
  w: World,
  options: { allowHalfOpen?: boolean; pauseOnConnect?: boolean },
  onConnection: (s: SocketLike) => void
): Promise<{ server: ServerLike; port: number }> => {
  const server = w.server.createServer(options, onConnection)
  server.listen(0, w.listenHost)
  await once(server, "listening")
  return { server, port: (server.address() as { port: number }).port }
}

/** An error's code for a trace, "ok" for none. */
const code = (err: unknown): string => (err as NodeJS.ErrnoException | null | undefined)?.code ?? "ok"

const closeServer = (s: ServerLike): Promise<void> => new Promise((resolve) => s.close(() => resolve()))

/** Wait `ms` of wall-clock time (the scripts run real sockets, in both worlds). */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Poll every `every` ms until `done()` holds, `tries` times at the most: bounded, so a script never hangs on it. */
const until = async (done: () => boolean, tries = 200, every = 10): Promise<void> => {
  for (let i = 0; i < tries && !done(); i++) await sleep(every)
}

/**
 * An error as a program sees it: its message word for word, the addresses and ports in it (which
 * differ between the worlds) written ADDR and PORT, and its enumerable properties by name (what
 * `JSON.stringify` or a spread would carry).
 */
export const described = (err: Error): string =>
  `"${err.message.replace(/\d+\.\d+\.\d+\.\d+/g, "ADDR").replace(/ADDR:\d+/g, "ADDR:PORT")}" {${Object.keys(err).sort().join(",")}}`

/** Record the events a socket emits, with what matters about their arguments. */
const record = (s: SocketLike, trace: Array<string>, who: string): Promise<void> => {
  for (const e of ["connect", "ready", "end", "finish", "timeout", "drain"]) s.on(e, () => trace.push(`${who} ${e}`))
  s.on("error", (err: NodeJS.ErrnoException) => trace.push(`${who} error ${err.code ?? err.message} ${err.syscall ?? ""} ${described(err)}`))
  return new Promise((resolve) =>
    s.on("close", (hadError: boolean) => {
      trace.push(`${who} close ${hadError}`)
      resolve()
    })
  )
}

/** A client connected to `port`, its events recorded into `trace` as the client's, and its close. */
const connectRecorded = async (
  w: World,
  port: number,
  trace: Array<string>
): Promise<{ c: SocketLike; closed: Promise<void> }> => {
  const c = w.client.connect({ port, host: w.host })
  await once(c, "connect")
  return { c, closed: record(c, trace, "client") }
}

const text = (s: SocketLike): Promise<string> =>
  new Promise((resolve) => {
    let got = ""
    s.setEncoding("utf8")
    s.on("data", (d: string) => (got += d))
    s.on("end", () => resolve(got))
    s.on("close", () => resolve(got))
  })

export const SCRIPTS: Record<string, Script> = {
  "a client that writes and ends, to an echo server: events in order": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.pipe(s))
    const c = w.client.connect({ port, host: w.host })
    trace.push(`pending ${c.pending} readyState ${c.readyState}`)
    const closed = record(c, trace, "client")
    const got = text(c)
    c.end("hello")
    trace.push(`echoed ${await got}`)
    await closed
    trace.push(`bytesRead ${c.bytesRead} bytesWritten ${c.bytesWritten} readyState ${c.readyState}`)
    await closeServer(server)
    return trace
  },

  "connecting to a port nobody listens on": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, () => {})
    await closeServer(server)
    const c = w.client.connect({ port, host: w.host })
    await record(c, trace, "client")
    return trace
  },

  "the server resets the connection (resetAndDestroy)": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => {
      s.once("data", () => s.resetAndDestroy())
    })
    const c = w.client.connect({ port, host: w.host })
    const closed = record(c, trace, "client")
    c.write("x")
    c.resume()
    await closed
    await closeServer(server)
    return trace
  },

  "half-close: the server answers after the client's FIN (allowHalfOpen)": async (w) => {
    const trace: Array<string> = []
    let serverDone: Promise<void> = Promise.resolve()
    const { server, port } = await serve(w, { allowHalfOpen: true }, (s) => {
      serverDone = record(s, trace, "server")
      let req = ""
      s.setEncoding("utf8")
      s.on("data", (d: string) => (req += d))
      s.on("end", () => s.end(`reply to ${req}`))
    })
    const c = w.client.connect({ port, host: w.host })
    const closed = record(c, trace, "client")
    const got = text(c)
    c.end("request")
    const reply = await got
    await closed
    await serverDone
    trace.push(`client got ${reply}`)
    await closeServer(server)
    return trace.sort() // the two sides' events interleave differently on each run; each side's own order is checked above
  },

  "without allowHalfOpen the server's side ends when the client's does": async (w) => {
    const trace: Array<string> = []
    let serverDone: Promise<void> = Promise.resolve()
    const { server, port } = await serve(w, {}, (s) => {
      serverDone = record(s, trace, "server")
      s.resume()
    })
    const c = w.client.connect({ port, host: w.host })
    const closed = record(c, trace, "client")
    c.resume()
    await once(c, "connect")
    c.end()
    await closed
    await serverDone
    await closeServer(server)
    return trace.filter((t) => t.startsWith("server"))
  },

  "backpressure: write returns false against a paused server, drain follows its resume, nothing lost": async (w) => {
    const trace: Array<string> = []
    let serverSocket: SocketLike | undefined
    let received = 0
    const { server, port } = await serve(w, { pauseOnConnect: true }, (s) => {
      serverSocket = s
      s.on("data", (d: Buffer) => (received += d.length))
    })
    const c = w.client.connect({ port, host: w.host })
    await once(c, "connect")
    const chunk = Buffer.alloc(64 * 1024, 7)
    let written = 0
    let full = false
    // bounded: 1024 chunks (64 MiB) is far beyond any socket buffer here
    for (let i = 0; i < 1024 && !full; i++) {
      full = !c.write(chunk)
      written += chunk.length
      if (i % 16 === 15) await new Promise((r) => setImmediate(r))
    }
    trace.push(`write returned false: ${full}`)
    const drained = once(c, "drain")
    while (serverSocket === undefined) await new Promise((r) => setImmediate(r))
    serverSocket.resume()
    await drained
    trace.push("drain")
    c.end()
    await once(serverSocket, "end")
    trace.push(`received all: ${received === written}`)
    serverSocket.destroy()
    await closeServer(server)
    return trace
  },

  "a write waiting for room when the peer resets: 'error' (the read's ECONNRESET), then the write's callback, then 'close'": async (w) => {
    const trace: Array<string> = []
    let serverSocket: SocketLike | undefined
    const { server, port } = await serve(w, { pauseOnConnect: true }, (s) => {
      serverSocket = s
    })
    const { c, closed } = await connectRecorded(w, port, trace)
    // far beyond what the kernel's buffers (or the stacks') take from a peer that does not read
    const big = Buffer.alloc(32 * 1024 * 1024, 7)
    c.write(big, (err) => trace.push(`write cb ${code(err)}`))
    // bounded: until the server is there (at most 2 s), then a while for the buffers to fill (bytesWritten
    // cannot tell a stalled write: Node's and ours count the whole write from the call on)
    await until(() => serverSocket !== undefined)
    await sleep(50)
    trace.push(`waiting: ${c.writableLength > 0}`)
    serverSocket!.resetAndDestroy()
    await closed
    await closeServer(server)
    return trace
  },

  "a write waiting for room when the socket is destroyed: its callback (no error) just before 'close'": async (w) => {
    const trace: Array<string> = []
    const sockets: Array<SocketLike> = []
    const { server, port } = await serve(w, { pauseOnConnect: true }, (s) => sockets.push(s))
    const { c, closed } = await connectRecorded(w, port, trace)
    const big = Buffer.alloc(32 * 1024 * 1024, 7)
    c.write(big, (err) => trace.push(`write cb ${code(err)}`))
    // a while for the buffers to fill (bytesWritten cannot tell a stalled write: it counts the whole write from the call on)
    await sleep(50)
    trace.push(`waiting: ${c.writableLength > 0}`)
    c.destroy()
    trace.push("destroyed")
    await closed
    for (const s of sockets) s.destroy()
    await closeServer(server)
    return trace
  },

  "destroy with a write waiting and another queued in the stream, then connect again at once: the old write is cancelled (ECANCELED), which ends the new connection": async (w) => {
    const trace: Array<string> = []
    const sockets: Array<SocketLike> = []
    const { server, port } = await serve(w, { pauseOnConnect: true }, (s) => {
      sockets.push(s)
      s.on("error", () => {})
    })
    const c = w.client.connect({ port, host: w.host })
    await once(c, "connect")
    let closes = 0
    c.on("error", (err: NodeJS.ErrnoException) => trace.push(`client error ${err.code} ${err.syscall} ${described(err)}`))
    const closed = new Promise<void>((resolve) =>
      c.on("close", (hadError: boolean) => {
        trace.push(`client close ${hadError}`)
        if (++closes === 2) resolve()
      })
    )
    c.write(Buffer.alloc(32 * 1024 * 1024, 7), (err) => trace.push(`big write cb ${code(err)}`))
    await sleep(50)
    trace.push(`waiting: ${c.writableLength > 0}`)
    c.destroy()
    // a program that reconnects the same object at once (in the same tick as its destroy)
    c.connect(port, w.host)
    c.write("x", (err) => trace.push(`next write cb ${code(err)}`))
    // bounded: both closes, or 3 s
    await Promise.race([closed, sleep(3000)])
    trace.push(`writing ${(c as unknown as { _writableState: { writing: boolean } })._writableState.writing} destroyed ${c.destroyed}`)
    c.destroy()
    for (const s of sockets) s.destroy()
    await closeServer(server)
    return trace
  },

  "a write waiting for room when the peer resets while the client is not reading (its buffer full): the write's ECONNRESET, then 'error', then 'close'": async (w) => {
    const trace: Array<string> = []
    let serverSocket: SocketLike | undefined
    const { server, port } = await serve(w, { pauseOnConnect: true }, (s) => {
      serverSocket = s
      // more than the client's stream takes before it stops reading
      s.write(Buffer.alloc(256 * 1024, 1))
    })
    const { c, closed } = await connectRecorded(w, port, trace)
    const BIG = 32 * 1024 * 1024
    c.write(Buffer.alloc(BIG, 7), (err) => trace.push(`write cb ${code(err)}, bytesWritten ${c.bytesWritten - BIG}`))
    c.write("queued", (err) => trace.push(`queued write cb ${code(err)}, bytesWritten ${c.bytesWritten - BIG}`))
    await until(() => serverSocket !== undefined)
    await sleep(200)
    trace.push(`waiting: ${c.writableLength > 0} unread: ${c.readableLength > 0}`)
    serverSocket!.resetAndDestroy()
    await closed
    // (Node counts a write handed to its handle, whatever became of it)
    trace.push(`closed: bytesWritten ${c.bytesWritten - BIG}`)
    await closeServer(server)
    return trace
  },

  "a write waiting for room when the peer resets after its FIN (allowHalfOpen, not reading): the write's EPIPE, then 'error', then 'close'": async (w) => {
    const trace: Array<string> = []
    let serverSocket: SocketLike | undefined
    const { server, port } = await serve(w, { pauseOnConnect: true, allowHalfOpen: true }, (s) => {
      serverSocket = s
      s.end()
    })
    const c = w.client.connect({ port, host: w.host, allowHalfOpen: true })
    await once(c, "connect")
    const closed = record(c, trace, "client")
    c.resume()
    c.write(Buffer.alloc(32 * 1024 * 1024, 7), (err) => trace.push(`write cb ${code(err)}`))
    await until(() => serverSocket !== undefined)
    await sleep(200)
    trace.push(`waiting: ${c.writableLength > 0}`)
    serverSocket!.resetAndDestroy()
    await closed
    await closeServer(server)
    return trace
  },

  "destroy(err) with a write waiting and two queued in the stream: 'error', the waiting write's callback, the queued ones' (the error), 'close'": async (w) => {
    const trace: Array<string> = []
    const sockets: Array<SocketLike> = []
    const { server, port } = await serve(w, { pauseOnConnect: true }, (s) => sockets.push(s))
    const { c, closed } = await connectRecorded(w, port, trace)
    // the error's message where it has no code (destroy's own error)
    const codeOr = (err: unknown) => (err as NodeJS.ErrnoException | null | undefined)?.code ?? (err as Error | null | undefined)?.message ?? "ok"
    c.write(Buffer.alloc(32 * 1024 * 1024, 7), (err) => trace.push(`big write cb ${codeOr(err)}`))
    c.write("a", (err) => trace.push(`queued a cb ${codeOr(err)}`))
    c.write("b", (err) => trace.push(`queued b cb ${codeOr(err)}`))
    await sleep(50)
    trace.push(`waiting: ${c.writableLength > 0}`)
    c.destroy(Object.assign(new Error("boom"), { code: "EBOOM" }))
    trace.push("destroyed")
    await closed
    for (const s of sockets) s.destroy()
    await closeServer(server)
    return trace
  },

  "bytesWritten counts a write the connection was taking when the socket is destroyed (Node counts it as dispatched), and one the stream still queued": async (w) => {
    const trace: Array<string> = []
    const sockets: Array<SocketLike> = []
    const { server, port } = await serve(w, { pauseOnConnect: true }, (s) => sockets.push(s))
    const { c, closed } = await connectRecorded(w, port, trace)
    const BIG = 32 * 1024 * 1024
    c.write(Buffer.alloc(BIG, 7), () => trace.push(`big write cb: bytesWritten ${c.bytesWritten - BIG}`))
    c.write("abc", () => trace.push(`queued write cb: bytesWritten ${c.bytesWritten - BIG}`))
    await sleep(50)
    trace.push(`before destroy: bytesWritten ${c.bytesWritten - BIG}`)
    c.destroy()
    trace.push(`destroyed: bytesWritten ${c.bytesWritten - BIG}`)
    await closed
    trace.push(`closed: bytesWritten ${c.bytesWritten - BIG}`)
    for (const s of sockets) s.destroy()
    await closeServer(server)
    return trace
  },

  "resetAndDestroy with a write waiting and end() queued behind it: no 'finish', the write's callback (no error) just before 'close'": async (w) => {
    const trace: Array<string> = []
    const sockets: Array<SocketLike> = []
    const { server, port } = await serve(w, { pauseOnConnect: true }, (s) => {
      sockets.push(s)
      s.on("error", () => {})
    })
    const { c, closed } = await connectRecorded(w, port, trace)
    c.write(Buffer.alloc(32 * 1024 * 1024, 7), (err) => trace.push(`write cb ${code(err)}`))
    c.end("last", () => trace.push("end cb"))
    await sleep(50)
    trace.push(`waiting: ${c.writableLength > 0}`)
    c.resetAndDestroy()
    trace.push("reset")
    await closed
    for (const s of sockets) s.destroy()
    await closeServer(server)
    return trace
  },

  "end() behind a write waiting for room, then the peer's reset while the client is not reading: the write's ECONNRESET, end's callback with it, 'error', 'close', no 'finish'": async (w) => {
    const trace: Array<string> = []
    let serverSocket: SocketLike | undefined
    const { server, port } = await serve(w, { pauseOnConnect: true }, (s) => {
      serverSocket = s
      s.write(Buffer.alloc(256 * 1024, 1))
    })
    const { c, closed } = await connectRecorded(w, port, trace)
    c.write(Buffer.alloc(32 * 1024 * 1024, 7), (err) => trace.push(`write cb ${code(err)}`))
    c.end("last", (err?: Error | null) => trace.push(`end cb ${code(err)}`))
    await until(() => serverSocket !== undefined)
    await sleep(200)
    trace.push(`waiting: ${c.writableLength > 0}`)
    serverSocket!.resetAndDestroy()
    await closed
    await closeServer(server)
    return trace
  },

  "small writes the socket takes at once complete at once: write returns true, nothing waits, no 'drain'": async (w) => {
    const trace: Array<string> = []
    let received = 0
    const { server, port } = await serve(w, {}, (s) => s.on("data", (d: Buffer) => (received += d.length)))
    const c = w.client.connect({ port, host: w.host })
    await once(c, "connect")
    let drains = 0
    c.on("drain", () => drains++)
    const results = new Set<boolean>()
    const called: Array<number> = []
    // 64 writes of 1 KiB in one go: each fits the send buffer, so each completes before the next
    for (let i = 0; i < 64; i++) results.add(c.write(Buffer.alloc(1024, i), () => called.push(i)))
    trace.push(`write returned ${[...results].join(",")}; writableLength ${c.writableLength}`)
    await new Promise((r) => setImmediate(r))
    trace.push(`callbacks ${called.length} in order ${called.every((v, i) => v === i)}; drains ${drains}`)
    const ended = new Promise<void>((r) => c.on("close", () => r()))
    c.end()
    await ended
    await until(() => received >= 64 * 1024, 100)
    trace.push(`received ${received}`)
    await closeServer(server)
    return trace
  },

  "a closed socket connects again: the same object, fresh counters, the events again": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.pipe(s))
    const c = w.client.connect({ port, host: w.host })
    for (const e of ["connect", "ready", "end", "finish"]) c.on(e, () => trace.push(e))
    c.on("error", (err: NodeJS.ErrnoException) => trace.push(`error ${err.code}`))
    c.on("data", (d: Buffer) => trace.push(`data ${d.toString()}`))
    let rounds = 0
    const done = new Promise<void>((resolve) => {
      c.on("close", (hadError: boolean) => {
        trace.push(`close ${hadError} destroyed ${c.destroyed} readyState ${c.readyState} bytesRead ${c.bytesRead} bytesWritten ${c.bytesWritten}`)
        if (++rounds < 2) {
          c.connect(port, w.host, () => trace.push("connected again"))
          trace.push(`after connect: destroyed ${c.destroyed} pending ${c.pending} readyState ${c.readyState}`)
          c.end("second")
        } else resolve()
      })
    })
    c.end("first")
    await done
    await closeServer(server)
    return trace
  },

  "resetAndDestroy while connecting resets once connected; on a socket that never connected it is ERR_SOCKET_CLOSED": async (w) => {
    const trace: Array<string> = []
    const serverTrace: Array<string> = []
    let serverClosed: Promise<void> = Promise.resolve()
    const { server, port } = await serve(w, {}, (s) => {
      serverTrace.push("server connection")
      s.on("error", (err: NodeJS.ErrnoException) => serverTrace.push(`server error ${err.code}`))
      s.resume()
      serverClosed = new Promise((r) => s.on("close", (hadError: boolean) => {
        serverTrace.push(`server close ${hadError}`)
        r()
      }))
    })
    const c = w.client.connect({ port, host: w.host })
    const closed = record(c, trace, "client")
    c.resetAndDestroy()
    trace.push(`right after: destroyed ${c.destroyed}`)
    await closed
    // (bounded: a reset before the handshake would leave the server nothing to see)
    await until(() => serverTrace.length !== 0)
    await serverClosed
    const never = new w.client.Socket()
    const neverClosed = record(never, trace, "never connected")
    never.resetAndDestroy()
    await neverClosed
    await closeServer(server)
    return [...trace, ...serverTrace]
  },

  "server.close: stops listening at once, 'close' waits for the last connection": async (w) => {
    const trace: Array<string> = []
    let accepted: SocketLike | undefined
    const { server, port } = await serve(w, {}, (s) => {
      accepted = s
      s.resume()
    })
    const c = w.client.connect({ port, host: w.host })
    c.resume()
    await once(c, "connect")
    while (accepted === undefined) await new Promise((r) => setImmediate(r))
    const count = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)))
    trace.push(`connections ${count}`)
    const serverClosed = new Promise<void>((r) =>
      server.close((err) => {
        trace.push(`server close callback ${err === undefined ? "ok" : "error"}`)
        r()
      })
    )
    trace.push(`listening ${server.listening} address ${JSON.stringify(server.address())}`)
    const late = w.client.connect({ port, host: w.host })
    late.on("error", (e: NodeJS.ErrnoException) => trace.push(`late connect ${e.code}`))
    await once(late, "close")
    trace.push("client ends")
    c.end()
    await serverClosed
    const again = await new Promise<string>((r) => server.close((err) => r((err as NodeJS.ErrnoException | undefined)?.code ?? "ok")))
    trace.push(`closing again: ${again}`)
    return trace
  },

  "an idle socket's timeout is an event, not a close": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const c = w.client.connect({ port, host: w.host })
    c.resume()
    await once(c, "connect")
    c.setTimeout(20)
    await once(c, "timeout")
    trace.push(`timed out; destroyed ${c.destroyed}`)
    c.setTimeout(0)
    c.end()
    await once(c, "close")
    await closeServer(server)
    return trace
  },

  "a lower idle timeout set over a higher one takes effect from the call, not when the old one runs out": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const c = w.client.connect({ port, host: w.host })
    c.resume()
    await once(c, "connect")
    c.setTimeout(60_000)
    await sleep(20)
    c.setTimeout(30)
    // bounded: a hundred times the new idle time, far less than the old one
    const timedOut = await Promise.race([
      once(c, "timeout").then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3000))
    ])
    trace.push(`'timeout' after the lower value: ${timedOut}`)
    c.setTimeout(0)
    c.end()
    await once(c, "close")
    await closeServer(server)
    return trace
  },

  "without allowHalfOpen, a write after the peer's FIN is EPIPE, not the stream's write-after-end": async (w) => {
    const trace: Array<string> = []
    let serverDone: Promise<void> = Promise.resolve()
    const { server, port } = await serve(w, {}, (s) => {
      serverDone = record(s, trace, "server")
      s.resume()
      s.on("end", () =>
        setImmediate(() => {
          const ret = s.write("late", (err) => trace.push(`server write cb ${code(err)}`))
          trace.push(`server write returned ${ret}`)
        }))
    })
    const c = w.client.connect({ port, host: w.host, allowHalfOpen: true })
    c.resume()
    await once(c, "connect")
    c.end()
    await once(c, "close")
    await serverDone
    await sleep(20)
    await closeServer(server)
    return trace
  },

  "a socket with an idle timeout, destroyed before it ever connected: 'close' and no 'timeout' after it": async (w) => {
    const trace: Array<string> = []
    const s = new w.client.Socket()
    s.setTimeout(20, () => trace.push("timeout callback"))
    const closed = record(s, trace, "s")
    s.destroy()
    await closed
    // bounded: five times the idle time
    await sleep(100)
    return trace
  },

  "connect from a localPort a listener of the same host holds: EADDRINUSE from bind, to the wildcard and that port": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    // a listener on the client's own side
    const local = w.client.createServer({}, (s) => s.resume())
    local.listen(0, w.listenHost)
    await once(local, "listening")
    const held = (local.address() as { port: number }).port
    const c = w.client.connect({ port, host: w.host, localPort: held } as { port: number; host: string })
    const err = await connectOutcome<NodeJS.ErrnoException & { address?: string; port?: number }>(c)
    trace.push(err === undefined ? "connected" : `${err.code} ${err.errno} ${err.syscall} ${err.address} port held ${err.port === held}`)
    c.destroy()
    await closeServer(local)
    await closeServer(server)
    return trace
  },

  "connect from the localPort of our TIME-WAIT to the same server: connects at once (Linux takes a TIME-WAIT with timestamps over for a bound port)": async (w) => {
    const trace: Array<string> = []
    // the peer's end follows ours (allowHalfOpen off): our close is first, so our side holds TIME-WAIT
    const { server, port } = await serve(w, {}, (s) => s.resume())
    // a port of our choosing, below Linux's ephemeral range (the reference runs on the host's loopback)
    const localPort = 29_000 + Math.floor(Math.random() * 3_000)
    const first = w.client.connect({ port, host: w.host, localPort } as { port: number; host: string })
    await once(first, "connect")
    first.end()
    first.resume()
    await once(first, "close")
    const again = w.client.connect({ port, host: w.host, localPort } as { port: number; host: string })
    const err = await connectOutcome<NodeJS.ErrnoException>(again)
    trace.push(err === undefined ? `connected from the same port ${again.localPort === localPort}` : `${err.code} ${err.syscall}`)
    again.destroy()
    await closeServer(server)
    return trace
  },

  "connect from the port of a TIME-WAIT an ephemeral connect left: EADDRINUSE from bind (that socket had no SO_REUSEADDR)": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const first = w.client.connect({ port, host: w.host })
    await once(first, "connect")
    const localPort = first.localPort!
    first.end()
    first.resume()
    await once(first, "close")
    const again = w.client.connect({ port, host: w.host, localPort } as { port: number; host: string })
    const err = await connectOutcome<NodeJS.ErrnoException & { address?: string; port?: number }>(again)
    trace.push(err === undefined ? "connected" : `${err.code} ${err.syscall} ${err.address} port held ${err.port === localPort}`)
    again.destroy()
    await closeServer(server)
    return trace
  },

  "listen on the port of an ephemeral connect's open connection, then of its TIME-WAIT: EADDRINUSE from listen (that socket had no SO_REUSEADDR)": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const first = w.client.connect({ port, host: w.host })
    await once(first, "connect")
    const localPort = first.localPort!
    const listenThere = async (when: string) => {
      const local = w.client.createServer({}, (s) => s.resume())
      local.listen(localPort, w.listenHost)
      const err = await Promise.race([
        once<[NodeJS.ErrnoException & { port?: number }]>(local, "error").then(([e]) => e),
        once(local, "listening").then(() => undefined)
      ])
      trace.push(err === undefined ? `${when}: listening` : `${when}: ${err.code} ${err.syscall} port held ${err.port === localPort} listening ${local.listening}`)
      if (err === undefined) await closeServer(local)
    }
    await listenThere("open")
    // our end first: our side holds the 4-tuple in TIME-WAIT
    first.end()
    first.resume()
    await once(first, "close")
    await listenThere("time-wait")
    await closeServer(server)
    return trace
  },

  "connect from the port of an open connection an ephemeral connect made, to the same server: EADDRINUSE from bind": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const first = w.client.connect({ port, host: w.host })
    await once(first, "connect")
    const localPort = first.localPort!
    const again = w.client.connect({ port, host: w.host, localPort } as { port: number; host: string })
    const err = await connectOutcome<NodeJS.ErrnoException & { address?: string; port?: number }>(again)
    trace.push(err === undefined ? "connected" : `${err.code} ${err.syscall} ${err.address} port held ${err.port === localPort}`)
    again.destroy()
    first.destroy()
    await closeServer(server)
    return trace
  },

  "connect from the port of an open connection an ephemeral connect made, to another server: EADDRINUSE from bind (it meets every socket on the port, whatever its peer)": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const { server: other, port: otherPort } = await serve(w, {}, (s) => s.resume())
    const first = w.client.connect({ port, host: w.host })
    await once(first, "connect")
    const localPort = first.localPort!
    const again = w.client.connect({ port: otherPort, host: w.host, localPort } as { port: number; host: string })
    const err = await connectOutcome<NodeJS.ErrnoException & { address?: string; port?: number }>(again)
    trace.push(err === undefined ? "connected" : `${err.code} ${err.syscall} ${err.address} port held ${err.port === localPort}`)
    again.destroy()
    first.destroy()
    await closeServer(server)
    await closeServer(other)
    return trace
  },

  "connect from the port of an open connection bound to a local address (libuv's bind, SO_REUSEADDR, port 0), to another server: connects": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const { server: other, port: otherPort } = await serve(w, {}, (s) => s.resume())
    // our address towards the server, from a connection of its own
    const probe = w.client.connect({ port, host: w.host })
    await once(probe, "connect")
    const localAddress = probe.localAddress!
    probe.destroy()
    const first = w.client.connect({ port, host: w.host, localAddress } as { port: number; host: string })
    await once(first, "connect")
    const localPort = first.localPort!
    const again = w.client.connect({ port: otherPort, host: w.host, localPort } as { port: number; host: string })
    const err = await connectOutcome<NodeJS.ErrnoException>(again)
    trace.push(err === undefined ? `connected from the same port ${again.localPort === localPort}` : `${err.code} ${err.syscall}`)
    again.destroy()
    first.destroy()
    await closeServer(server)
    await closeServer(other)
    return trace
  },

  "connect from the localPort of an open connection to the same server: EADDRNOTAVAIL from connect (the bind, with SO_REUSEADDR, goes through)": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const localPort = 29_000 + Math.floor(Math.random() * 3_000)
    const first = w.client.connect({ port, host: w.host, localPort } as { port: number; host: string })
    await once(first, "connect")
    const again = w.client.connect({ port, host: w.host, localPort } as { port: number; host: string })
    const err = await connectOutcome<NodeJS.ErrnoException & { address?: string; port?: number }>(again)
    trace.push(err === undefined ? "connected" : `${err.code} ${err.syscall} to the server ${err.address === w.host && err.port === port}`)
    again.destroy()
    first.destroy()
    await closeServer(server)
    return trace
  },

  "a write on a socket that never connected: ERR_SOCKET_CLOSED, no syscall": async (w) => {
    const trace: Array<string> = []
    const s = new w.client.Socket()
    const closed = record(s, trace, "s")
    s.write("x", (err) => trace.push(`write cb ${code(err)}`))
    await closed
    return trace
  },

  "pending, connecting, readyState and timeout across a socket's life": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const c = w.client.connect({ port, host: w.host })
    const show = (when: string) => {
      const t = (c as unknown as { timeout?: number }).timeout
      const connecting = (c as unknown as { connecting: boolean }).connecting
      trace.push(`${when}: pending ${c.pending} connecting ${connecting} readyState ${c.readyState} timeout ${t}`)
    }
    show("connecting")
    c.resume()
    await once(c, "connect")
    show("open")
    c.setTimeout(1000)
    show("after setTimeout(1000)")
    c.setTimeout(0)
    show("after setTimeout(0)")
    c.end()
    await once(c, "close")
    show("closed")
    await closeServer(server)
    return trace
  },

  "writing after end is an error; destroy(err) is 'error' then 'close'": async (w) => {
    const trace: Array<string> = []
    let serverDone: Promise<void> = Promise.resolve()
    const { server, port } = await serve(w, {}, (s) => {
      serverDone = record(s, trace, "server")
      s.resume()
    })
    const c = w.client.connect({ port, host: w.host, allowHalfOpen: true })
    const closed = record(c, trace, "client")
    c.resume()
    await once(c, "connect")
    c.end()
    c.write("late")
    await new Promise((r) => setImmediate(r))
    c.destroy(new Error("boom"))
    await closed
    await serverDone
    await closeServer(server)
    return trace.filter((t) => t.startsWith("client"))
  },

  "addresses, listening twice on one port": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const a = server.address() as { family: string; port: number }
    trace.push(`server family ${a.family} port matches ${a.port === port}`)
    const second = w.server.createServer({}, () => {})
    const failed = once<[NodeJS.ErrnoException]>(second, "error")
    second.listen(port, w.listenHost)
    const [err] = await failed
    trace.push(`second listen ${err.code} ${err.syscall}`)
    const c = w.client.connect({ port, host: w.host })
    await once(c, "connect")
    const local = c.address() as { family: string; port: number }
    trace.push(`client family ${local.family} remoteFamily ${c.remoteFamily} localPort matches ${local.port === c.localPort}`)
    c.end()
    await once(c, "close")
    await closeServer(server)
    return trace
  },

  "a server on 127.0.0.1 takes connections to that address only; another on the same port may bind another address, not the wildcard": async (w) => {
    const trace: Array<string> = []
    const local = w.server.createServer({}, (s) => s.end())
    local.listen(0, "127.0.0.1")
    await once(local, "listening")
    const { address, port } = local.address() as { address: string; port: number }
    trace.push(`bound ${address}`)
    // the server's own host reaches it over its loopback
    const near = w.server.connect({ port, host: "127.0.0.1" })
    trace.push(`from 127.0.0.1: ${(await connectOutcome(near))?.code ?? "connected"}`)
    near.destroy()
    // the other address of the host: nobody listens there
    const far = w.client.connect({ port, host: w.elsewhere })
    trace.push(`to the host's other address: ${(await connectOutcome(far))?.code ?? "connected"}`)
    far.destroy()
    const wildcard = w.server.createServer({}, () => {})
    const refused = once<[NodeJS.ErrnoException]>(wildcard, "error")
    wildcard.listen(port, "0.0.0.0")
    const [err] = await refused
    trace.push(`the wildcard on that port: ${err.code} ${err.syscall}`)
    const other = w.server.createServer({}, (s) => s.end())
    other.listen(port, w.elsewhere)
    await once(other, "listening")
    const again = w.client.connect({ port, host: w.elsewhere })
    trace.push(`once a server binds it: ${(await connectOutcome(again))?.code ?? "connected"}`)
    again.destroy()
    await closeServer(other)
    await closeServer(local)
    return trace
  },

  "listen(0) without a host binds at once; close() while a listen is under way never listens and calls back": async (w) => {
    const trace: Array<string> = []
    const server = w.server.createServer({}, (s) => s.resume())
    const events: Array<string> = []
    server.listen(0)
    server.on("listening", () => events.push("listening"))
    const a = server.address() as { port: number } | null
    trace.push(`on return: listening ${server.listening} port ${typeof a?.port}`)
    await new Promise((r) => setImmediate(r))
    trace.push(`then: ${events.join(",")}`)
    await closeServer(server)
    const early = w.server.createServer({}, () => {})
    const seen: Array<string> = []
    early.on("listening", () => seen.push("listening"))
    early.listen(0, w.listenHost)
    await new Promise<void>((r) =>
      early.close((err) => {
        seen.push(`close callback ${err === undefined ? "ok" : (err as NodeJS.ErrnoException).code}`)
        r()
      })
    )
    await sleep(20)
    trace.push(`closed early: ${seen.join(",")} listening ${early.listening}`)
    return trace
  },

  "cork/uncork under noDelay: the gathered writes go as one writev, one segment, one 'data' at the peer": async (w) => {
    const trace: Array<string> = []
    const datas: Array<string> = []
    let got: () => void = () => {}
    const all = new Promise<void>((r) => (got = r))
    const { server, port } = await serve(w, {}, (s) =>
      s.on("data", (d: Buffer) => {
        datas.push(d.toString())
        if (datas.join("").length === 3) got()
      }))
    const c = w.client.connect({ port, host: w.host })
    await once(c, "connect")
    c.setNoDelay(true)
    c.cork()
    const called: Array<string> = []
    for (const x of ["a", "b", "c"]) c.write(x, () => called.push(x))
    trace.push(`corked: writableLength ${c.writableLength}`)
    c.uncork()
    await all
    trace.push(`peer's data events: ${datas.join("|")}`)
    await new Promise((r) => setImmediate(r))
    // (when the callbacks ran against the peer's 'data' is the two event loops' business: not compared)
    trace.push(`callbacks ${called.join(",")}`)
    c.destroy()
    await once(c, "close")
    await closeServer(server)
    return trace
  },

  "highWaterMark options: connect's, new Socket's and createServer's marks reach the stream": async (w) => {
    const trace: Array<string> = []
    const marks = (s: SocketLike) => {
      const d = s as unknown as { readableHighWaterMark: number; writableHighWaterMark: number }
      return `${d.readableHighWaterMark}/${d.writableHighWaterMark}`
    }
    let accepted: Promise<string> = Promise.resolve("none")
    const server = w.server.createServer({ highWaterMark: 1024 } as { allowHalfOpen?: boolean }, (s) => {
      accepted = Promise.resolve(marks(s))
      s.resume()
    })
    server.listen(0, w.listenHost)
    await once(server, "listening")
    const port = (server.address() as { port: number }).port
    const c = w.client.connect({ port, host: w.host, highWaterMark: 2048 } as { port: number; host: string })
    trace.push(`connect: ${marks(c)}`)
    const s = new (w.client.Socket as unknown as new (o: object) => SocketLike)({ readableHighWaterMark: 100, writableHighWaterMark: 200 })
    trace.push(`new Socket: ${marks(s)}`)
    await once(c, "connect")
    // (a write of the whole mark that the socket takes at once still returns true, as with the kernel)
    trace.push(`write of 2048 returned ${c.write(Buffer.alloc(2048))}`)
    for (let i = 0; i < 100 && (await accepted) === "none"; i++) await sleep(5)
    trace.push(`accepted: ${await accepted}`)
    c.end()
    await once(c, "close")
    await closeServer(server)
    return trace
  },

  "Symbol.asyncDispose on a server: closes it, waits for its last connection; again, nothing": async (w) => {
    const trace: Array<string> = []
    let accepted: SocketLike | undefined
    const { server, port } = await serve(w, {}, (s) => {
      accepted = s
      s.resume()
    })
    const dispose = (server as unknown as { [Symbol.asyncDispose]?: () => Promise<void> })[Symbol.asyncDispose]
    trace.push(`has it: ${typeof dispose}`)
    if (dispose === undefined) return trace
    const c = w.client.connect({ port, host: w.host })
    c.resume()
    await once(c, "connect")
    while (accepted === undefined) await new Promise((r) => setImmediate(r))
    server.on("close", () => trace.push("server close"))
    let disposed = false
    const done = dispose.call(server).then(() => {
      disposed = true
      trace.push("disposed")
    })
    await sleep(20)
    trace.push(`listening ${server.listening}, disposed while a connection is open: ${disposed}`)
    c.end()
    await done
    await dispose.call(server)
    trace.push("disposed again")
    return trace
  },

  "the signal option: an abort destroys a socket with an AbortError, and closes a listening server": async (w) => {
    const trace: Array<string> = []
    const forServer = new AbortController()
    const server = w.server.createServer({}, (s) => s.resume())
    ;(server as unknown as { listen(o: object): void }).listen({ port: 0, host: w.listenHost, signal: forServer.signal })
    await once(server, "listening")
    const port = (server.address() as { port: number }).port
    const forClient = new AbortController()
    const c = w.client.connect({ port, host: w.host, signal: forClient.signal } as { port: number; host: string })
    const closed = record(c, trace, "client")
    c.on("error", (e: Error) => trace.push(`client error name ${e.name}, cause ${String(e.cause)}`))
    await once(c, "connect")
    // (bounded: an abort that does nothing fails the comparison, not the test's time)
    const within = (p: Promise<unknown>, what: string) =>
      Promise.race([p, new Promise<void>((r) => setTimeout(r, 2000)).then(() => trace.push(`${what}: nothing in 2 s`))])
    forClient.abort("enough")
    await within(closed, "client abort")
    c.destroy()
    const aborted = new (w.client.Socket as unknown as new (o: object) => SocketLike)({ signal: AbortSignal.abort() })
    await within(record(aborted, trace, "aborted before"), "aborted before")
    const serverClosed = once(server, "close")
    forServer.abort()
    await within(serverClosed, "server abort")
    trace.push(`server closed, listening ${server.listening}`)
    if (server.listening) await closeServer(server)
    return trace
  },

  "a write made while connecting goes from a 'connect' listener of its own: its callback after connect()'s, before 'ready'": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const c = new w.client.Socket()
    c.connect(port, w.host, () => trace.push("connect callback"))
    c.write("x", (err) => trace.push(`write callback ${code(err)}`))
    c.on("connect", () => trace.push("connect listener added after the write"))
    c.on("ready", () => trace.push("ready"))
    c.end(() => trace.push("end callback"))
    c.resume()
    await once(c, "close")
    await closeServer(server)
    return trace
  },

  "strings are written as strings (decodeStrings false): writableLength counts characters, bytesWritten octets": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const c = w.client.connect({ port, host: w.host })
    c.write("é€", () => trace.push("written"))
    trace.push(`while connecting: writableLength ${c.writableLength} bytesWritten ${c.bytesWritten}`)
    c.end("ab")
    await once(c, "finish")
    trace.push(`finished: writableLength ${c.writableLength} bytesWritten ${c.bytesWritten}`)
    c.resume()
    await once(c, "close")
    await closeServer(server)
    return trace
  },

  "destroy() before the connection opens calls back the writes parked meanwhile, with an error": async (w) => {
    const trace: Array<string> = []
    const accepted: Array<SocketLike> = []
    const { server, port } = await serve(w, {}, (s) => {
      s.pause()
      s.on("error", () => {})
      accepted.push(s)
    })
    const early = w.client.connect({ port, host: w.host })
    early.on("error", () => {})
    const parked = new Promise<string>((r) => early.write("a", (err) => r(code(err))))
    early.destroy()
    trace.push(`parked write: ${await parked}`)
    for (const a of accepted) a.destroy()
    await closeServer(server)
    return trace
  },

  "a write parked while connecting, the socket destroyed by an earlier 'connect' listener: the write's ERR_SOCKET_CLOSED (its own listener finds no handle), then 'close'": async (w) => {
    const trace: Array<string> = []
    const accepted: Array<SocketLike> = []
    const { server, port } = await serve(w, {}, (s) => {
      s.on("error", () => {})
      accepted.push(s)
    })
    const c = w.client.connect({ port, host: w.host })
    const closed = record(c, trace, "client")
    c.once("connect", () => {
      c.destroy()
      trace.push("destroyed in 'connect'")
    })
    c.write("a", (err) => trace.push(`parked write cb ${code(err)}`))
    await closed
    for (const a of accepted) a.destroy()
    await closeServer(server)
    return trace
  },

  "a write parked while connecting, the socket destroyed and connected again by an earlier 'connect' listener: the write is the old connection's (ERR_SOCKET_CLOSED_BEFORE_CONNECTION when it closes), which ends the new one; nothing sent": async (w) => {
    const trace: Array<string> = []
    const accepted: Array<SocketLike> = []
    let got = ""
    const { server, port } = await serve(w, {}, (s) => {
      s.on("error", () => {})
      s.setEncoding("utf8")
      s.on("data", (d: string) => (got += d))
      accepted.push(s)
    })
    const c = w.client.connect({ port, host: w.host })
    c.on("error", (err: NodeJS.ErrnoException) => trace.push(`client error ${err.code}`))
    let closes = 0
    const closed = new Promise<void>((resolve) =>
      c.on("close", (hadError: boolean) => {
        trace.push(`client close ${hadError}`)
        if (++closes === 2) resolve()
      })
    )
    c.once("connect", () => {
      c.destroy()
      c.connect(port, w.host)
      trace.push("destroyed and connecting again in 'connect'")
    })
    c.write("a", (err) => trace.push(`parked write cb ${code(err)}`))
    // bounded: both closes, or 3 s
    await Promise.race([closed, sleep(3000)])
    await sleep(50)
    trace.push(`server got ${JSON.stringify(got)}, writing ${(c as unknown as { _writableState: { writing: boolean } })._writableState.writing}`)
    c.destroy()
    for (const a of accepted) a.destroy()
    await closeServer(server)
    return trace
  },

  "a reset after the peer's FIN (CLOSE-WAIT): the next write is EPIPE, not ECONNRESET (Linux's tcp_reset)": async (w) => {
    const trace: Array<string> = []
    let failed: (code: string) => void = () => {}
    const code = new Promise<string>((r) => (failed = r))
    const { server, port } = await serve(w, { allowHalfOpen: true }, (s) => {
      s.on("error", (e: NodeJS.ErrnoException) => trace.push(`server error ${e.code} ${e.syscall}`))
      s.on("end", () => {
        trace.push("server end")
        // the client resets once its FIN is out; the server writes until a write fails (every write
        // after the reset does, and one before it only draws the reset of a closed client)
        let tries = 0
        const next = () => {
          if (tries++ >= 100) return failed("no write failed")
          s.write("x", (e) => (e ? failed(`write ${(e as NodeJS.ErrnoException).code}`) : setTimeout(next, 10)))
        }
        next()
      })
      s.resume()
    })
    const c = w.client.connect({ port, host: w.host })
    c.on("error", () => {})
    await once(c, "connect")
    c.end()
    await once(c, "finish")
    c.resetAndDestroy()
    trace.push(await code)
    await closeServer(server)
    return trace
  },

  "bufferSize (deprecated, still read): undefined without a handle, the writable length from connect() to destroy": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    type Sized = SocketLike & { readonly bufferSize: number | undefined }
    const s = new w.client.Socket() as Sized
    trace.push(`new ${s.bufferSize}`)
    s.connect(port, w.host)
    trace.push(`connecting ${s.bufferSize}`)
    s.write("abc")
    trace.push(`written while connecting ${s.bufferSize}`)
    await once(s, "connect")
    await new Promise((r) => s.write("x", r))
    trace.push(`connected ${s.bufferSize}`)
    s.destroy()
    await once(s, "close")
    trace.push(`destroyed ${s.bufferSize}`)
    await closeServer(server)
    return trace
  },

  "the timeout option is net.connect's (setTimeout before the connect), not new Socket's or socket.connect's": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    type Timed = SocketLike & { readonly timeout: number | undefined; connect(options: unknown): Timed }
    const viaModule = (w.client as unknown as { connect(o: unknown): Timed }).connect({ port, host: w.host, timeout: 5000 })
    trace.push(`net.connect ${viaModule.timeout}`)
    const ctor = new (w.client.Socket as unknown as new (o: unknown) => Timed)({ timeout: 5000 })
    trace.push(`new Socket ${ctor.timeout}`)
    const method = (new w.client.Socket() as Timed).connect({ port, host: w.host, timeout: 5000 })
    trace.push(`socket.connect ${method.timeout}`)
    const zero = (w.client as unknown as { connect(o: unknown): Timed }).connect({ port, host: w.host, timeout: 0 })
    trace.push(`net.connect 0 ${zero.timeout}`)
    for (const s of [viaModule, ctor, method, zero]) s.destroy()
    await closeServer(server)
    return trace
  },

  "argument checks throw as Node's: the error's class, code and message (setTimeout, connect's options, write and end's chunks, listen's port)": async (w) => {
    const trace: Array<string> = []
    const attempt = attempter(trace, { result: false })
    const { server, port } = await serve(w, {}, (s) => s.resume())
    // (every connect here either throws before it starts or goes to the script's own server)
    type Loose = SocketLike & { connect(options: unknown): SocketLike }
    const s = new w.client.Socket() as Loose
    s.on("error", (e: NodeJS.ErrnoException) => trace.push(`s error ${e.name} ${e.code}`))
    for (const v of [-1, Number.NaN, Number.POSITIVE_INFINITY, "5", null, 0, 10]) {
      attempt(`setTimeout(${typeof v === "string" ? JSON.stringify(v) : String(v)})`, () => s.setTimeout(v as number))
    }
    s.setTimeout(0)
    // (what is tried, without the host and the server's port, which differ between the worlds)
    const connect = (o: Record<string, unknown>) => attempt(`connect(${JSON.stringify(o)})`, () => {
      const c = new w.client.Socket() as Loose
      c.on("error", (e: NodeJS.ErrnoException) => trace.push(`connect error ${e.name} ${e.code}`))
      c.connect({ host: w.host, port, ...o })
      c.destroy()
    })
    for (const p of [-1, 65536, "abc", 1.5, "", true, null, " "]) connect({ port: p })
    connect({ port: undefined })
    connect({ localAddress: "not an address" })
    connect({ localPort: "x" })
    attempt("net.connect()", () => (w.client as unknown as { connect(): unknown }).connect())
    // port 0 is a port: the SYN goes, and the peer refuses it
    const zero = new w.client.Socket()
    zero.on("error", (e: NodeJS.ErrnoException & { port?: number }) => trace.push(`port 0: ${e.code} ${e.syscall} port ${e.port}`))
    zero.connect(0, w.host)
    await once(zero, "close")
    const c = w.client.connect({ port, host: w.host })
    await once(c, "connect")
    for (const chunk of [123, null, {}, [1, 2]]) {
      attempt(`write(${JSON.stringify(chunk)})`, () => c.write(chunk as unknown as string))
    }
    attempt("end(123)", () => c.end(123 as unknown as string))
    c.destroy()
    const l = w.server.createServer({}) as ServerLike & { listen(o: unknown): ServerLike }
    l.on("error", (e: NodeJS.ErrnoException) => trace.push(`listen error ${e.name} ${e.code}`))
    for (const o of [-1, 65536, { port: "x" }, {}, { port: 1.5 }, { host: "x" }, { port: true }]) {
      attempt(`listen(${JSON.stringify(o)})`, () => l.listen(o))
    }
    await closeServer(server)
    return trace
  },

  "setTimeout checks its arguments before it takes the callback (Node's setStreamTimeout): a refused call leaves no 'timeout' listener, and the timeout property is what was asked": async (w) => {
    const trace: Array<string> = []
    const attempt = attempter(trace, { result: false })
    type Loose = SocketLike & { setTimeout(ms: unknown, cb?: unknown): SocketLike; readonly timeout?: unknown }
    const s = new w.client.Socket() as Loose
    const show = (what: string) => trace.push(`${what}: ${s.listenerCount("timeout")} listeners, timeout ${String(s.timeout)}`)
    attempt("setTimeout(-1, cb)", () => s.setTimeout(-1, () => trace.push("timeout")))
    show("after setTimeout(-1, cb)")
    attempt("setTimeout('5', cb)", () => s.setTimeout("5", () => trace.push("timeout")))
    show("after setTimeout('5', cb)")
    attempt("setTimeout(1000, 5)", () => s.setTimeout(1000, 5))
    show("after setTimeout(1000, 5)")
    attempt("setTimeout(2 ** 32)", () => s.setTimeout(2 ** 32))
    show("after setTimeout(2 ** 32)")
    attempt("setTimeout(0, 5)", () => s.setTimeout(0, 5))
    show("after setTimeout(0, 5)")
    s.destroy()
    return trace
  },

  "a refused connect from a local port names it on the error (afterConnect's localAddress, localPort and ' - Local (address:port)'), one from no local port does not": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    await closeServer(server)
    type Local = NodeJS.ErrnoException & { localAddress?: string; localPort?: number }
    const refused = async (o: Record<string, unknown>) => {
      const c = (w.client as unknown as { connect(o: unknown): SocketLike }).connect({ host: w.host, port, ...o })
      const [e] = await once<[Local]>(c, "error")
      const local = / - Local \(([^)]*)\)/.exec(e.message)?.[1]
      trace.push(`${JSON.stringify(o)}: ${e.code} ${e.syscall} ${e.localAddress} ${e.localPort} message's local ${local}`)
    }
    await refused({ localPort: 45_871 })
    await refused({ localPort: 0 })
    await refused({})
    return trace
  },

  "each error's message is node:net's word for word (exceptionWithHostPort, UVExceptionWithHostPort for a listen, ErrnoException for a read or write), and its properties are Node's": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.resume())
    const { server: gone, port: closedPort } = await serve(w, {}, () => {})
    await closeServer(gone)
    const connectError = async (what: string, o: Record<string, unknown>) => {
      const c = (w.client as unknown as { connect(o: unknown): SocketLike }).connect({ host: w.host, ...o })
      const e = await connectOutcome(c)
      trace.push(`${what}: ${e === undefined ? "connected" : described(e)}`)
      c.destroy()
    }
    // refused, from no local port and from one (afterConnect's ' - Local (...)')
    await connectError("refused", { port: closedPort })
    await connectError("refused from a local port", { port: closedPort, localPort: 29_000 + Math.floor(Math.random() * 3_000) })
    // a bind that finds its port taken (by a listener on the client's own host), and one of an
    // address not ours (RFC 2544's, never reached)
    const own = w.client.createServer({}, (s) => s.resume())
    own.listen(0, w.listenHost)
    await once(own, "listening")
    await connectError("bind of a listener's port", { port, localPort: (own.address() as { port: number }).port })
    await closeServer(own)
    await connectError("bind of an address not ours", { port, localAddress: "198.18.9.9" })
    await connectError("bind of an address not ours, with a port", { port, localAddress: "198.18.9.9", localPort: 4000 })
    // a 4-tuple taken: connect(2) fails at once, and Node names the bound end
    const localPort = 29_000 + Math.floor(Math.random() * 3_000)
    const first = (w.client as unknown as { connect(o: unknown): SocketLike }).connect({ host: w.host, port, localPort })
    await once(first, "connect")
    await connectError("a 4-tuple taken", { port, localPort })
    first.destroy()
    // listen: libuv's text after the code
    const listenError = async (what: string, p: number, host: string) => {
      const l = w.server.createServer({})
      l.listen(p, host)
      const e = await Promise.race([once<[Error]>(l, "error").then(([x]) => x), once(l, "listening").then(() => undefined)])
      trace.push(`${what}: ${e === undefined ? "listening" : described(e)}`)
      if (e === undefined) await closeServer(l)
    }
    await listenError("listen on a port taken", port, w.listenHost)
    await listenError("listen on an address not ours", port, "198.18.9.9")
    await listenError("listen on an address not ours, port 0", 0, "198.18.9.9")
    await closeServer(server)
    return trace
  },

  "a name with several addresses (the lookup option answers all of them): the one refused, then the next; autoSelectFamily's events": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.end("hi"))
    const c = severalAddresses(w, port, [w.refusing[0], w.host], trace)
    // (connected to the second address: the host's, where the server listens)
    c.once("connect", () => trace.push(`remote is the second ${c.remoteAddress === w.host}`))
    const closed = record(c, trace, "client")
    const got = text(c)
    await closed
    trace.push(`got ${await got}`)
    trace.push(`attempted ${JSON.stringify(c.autoSelectFamilyAttemptedAddresses?.map(masked))}`)
    await closeServer(server)
    return trace
  },

  "a name whose every address refuses: one AggregateError (Node's, code of the first), each attempt's error in it": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, () => {})
    const c = severalAddresses(w, port, [w.refusing[0], w.refusing[1]], trace)
    c.on("error", (err: AggregateError & { code?: string }) => {
      trace.push(
        `error ${err.name} ${err.constructor === AggregateError} ${err instanceof AggregateError} ${err.code} ${described(err)} ${String(err)}`
      )
      for (const e of err.errors) trace.push(`  in it: ${described(e as Error)}`)
    })
    await once(c, "close")
    trace.push(`attempted ${JSON.stringify(c.autoSelectFamilyAttemptedAddresses?.map(masked))} connecting ${c.connecting}`)
    await closeServer(server)
    return trace
  },

  "a name with several addresses and autoSelectFamily false: the first alone (as before Node 20), its own error": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, () => {})
    const c = severalAddresses(w, port, [w.refusing[0], w.host], trace, { autoSelectFamily: false })
    const closed = record(c, trace, "client")
    await closed
    trace.push(`attempted ${JSON.stringify(c.autoSelectFamilyAttemptedAddresses)}`)
    await closeServer(server)
    return trace
  },

  "a connect to an address (no lookup): 'connectionAttempt' on the next tick, 'connectionAttemptFailed' before the error": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, () => {})
    await closeServer(server)
    const c = w.client.connect({ port, host: w.host })
    c.on("connectionAttempt", (address: string, p: number, family: number) => trace.push(`attempt ${masked(address)} ${p === port} ${family}`))
    c.on("connectionAttemptFailed", (address: string, p: number, family: number, err: Error) =>
      trace.push(`attempt failed ${masked(address)} ${p === port} ${family} ${described(err)}`))
    trace.push("connect returned")
    await record(c, trace, "client")
    return trace
  },

  "autoSelectFamily and autoSelectFamilyAttemptTimeout checked as Node's lookupAndConnect checks them (an address's connect too)": async (w) => {
    const trace: Array<string> = []
    const attempt = attempter(trace, { result: false })
    const { server, port } = await serve(w, {}, () => {})
    for (const o of [{ autoSelectFamily: 1 }, { autoSelectFamily: null }, { autoSelectFamilyAttemptTimeout: 0 }, { autoSelectFamilyAttemptTimeout: 1.5 }, { autoSelectFamilyAttemptTimeout: "5" }, { autoSelectFamilyAttemptTimeout: 2 ** 31 }, { autoSelectFamilyAttemptTimeout: 5 }]) {
      attempt(JSON.stringify(o), () => (w.client as unknown as { connect(o: unknown): SocketLike }).connect({ host: w.host, port, ...o }).destroy())
    }
    await closeServer(server)
    return trace
  },

  "addresses after close: the peer's stays as read while open (Node caches getpeername), the local end's goes with the handle": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, (s) => s.end())
    const seen = (c: SocketLike, when: string) =>
      trace.push(
        `${when}: remote ${c.remoteAddress !== undefined} ${c.remotePort === port} ${c.remoteFamily} local ${c.localAddress !== undefined} ${c.localPort !== undefined} address ${JSON.stringify(Object.keys(c.address() as object))}`
      )
    // read while connecting, while open, then after 'close'
    const read = w.client.connect({ port, host: w.host })
    seen(read, "read connecting")
    await once(read, "connect")
    seen(read, "read open")
    read.resume()
    await once(read, "close")
    seen(read, "read after close")
    // never read before it closed
    const unread = w.client.connect({ port, host: w.host })
    unread.resume()
    await once(unread, "close")
    seen(unread, "unread after close")
    // destroyed by the program while open: gone at once, as the handle
    const destroyed = w.client.connect({ port, host: w.host })
    await once(destroyed, "connect")
    destroyed.destroy()
    seen(destroyed, "unread after destroy")
    await once(destroyed, "close")
    await closeServer(server)
    return trace
  },

  "a name with one address: the single connect (no autoSelectFamilyAttemptedAddresses), its own error": async (w) => {
    const trace: Array<string> = []
    const { server, port } = await serve(w, {}, () => {})
    await closeServer(server)
    const c = severalAddresses(w, port, [w.host, w.host], trace)
    await record(c, trace, "client")
    trace.push(`attempted ${JSON.stringify(c.autoSelectFamilyAttemptedAddresses)}`)
    return trace
  }
}

/** an address written as ADDR, as `described` writes them */
const masked = (s: string): string => s.replace(/\d+\.\d+\.\d+\.\d+/g, "ADDR").replace(/ADDR:\d+/g, "ADDR:PORT")

/**
 * A connect to a name whose lookup (the `lookup` option, answering as dns.lookup does: on a later
 * turn, the list when asked for `all`, else the first) gives `addresses`; the trace has what the
 * lookup was asked and the socket's 'lookup' and connectionAttempt* events.
 */
const severalAddresses = (
  w: World,
  port: number,
  addresses: ReadonlyArray<string>,
  trace: Array<string>,
  extra: Record<string, unknown> = {}
): SocketLike & { readonly autoSelectFamilyAttemptedAddresses?: Array<string>; readonly connecting: boolean } => {
  const lookup = (host: string, o: { all?: boolean; family?: number; hints?: number }, cb: (...a: Array<unknown>) => void) => {
    trace.push(`lookup ${host} all ${o.all} family ${o.family}`)
    const list = addresses.map((address) => ({ address, family: 4 }))
    setImmediate(() => (o.all === true ? cb(null, list) : cb(null, list[0]!.address, 4)))
  }
  const c = (w.client as unknown as { connect(o: unknown): ReturnType<typeof severalAddresses> }).connect({
    host: "several.test",
    port,
    lookup,
    ...extra
  })
  c.on("lookup", (err: Error | null, address: string | undefined, family: number | undefined, host: string) =>
    trace.push(`lookup event ${err === null ? "null" : described(err)} ${address === undefined ? address : masked(address)} ${family} ${host}`))
  c.on("connectionAttempt", (address: string, p: number, family: number) => trace.push(`attempt ${masked(address)} ${p === port} ${family}`))
  c.on("connectionAttemptFailed", (address: string, p: number, family: number, err: Error) =>
    trace.push(`attempt failed ${masked(address)} ${p === port} ${family} ${described(err)}`))
  c.on("connectionAttemptTimeout", (address: string, p: number, family: number) => trace.push(`attempt timed out ${masked(address)} ${p === port} ${family}`))
  return c
}
