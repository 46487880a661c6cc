/**
 * `dgram.Socket` behaviours as small scripts over any `dgram`-shaped module
 * (see scenarios.ts for the idea): DgramBehaviours.test.ts runs each over
 * Node's `node:dgram` on the kernel's loopback and over `gonet-ts/node`'s
 * Dgram between two stacks, and requires equal traces.
 */
import { type EventEmitter, getEventListeners } from "node:events"
import { closeSync, openSync } from "node:fs"
import { attempter } from "./attempt.js"

export interface DgramSocketLike extends EventEmitter {
  bind(port?: number, address?: string, cb?: () => void): this
  send(msg: unknown, ...rest: Array<unknown>): void
  sendto(msg: unknown, ...rest: Array<unknown>): void
  connect(port: number, address?: string, cb?: (err?: Error) => void): void
  disconnect(): void
  ref(): this
  unref(): this
  close(cb?: () => void): this
  address(): { address: string; family: string; port: number }
  remoteAddress(): { address: string; family: string; port: number }
  setBroadcast(flag: boolean): void
  setTTL(ttl: number): number
  setRecvBufferSize(size: number): void
  getRecvBufferSize(): number
  setSendBufferSize(size: number): void
  getSendBufferSize(): number
  getSendQueueSize(): number
  getSendQueueCount(): number
}

/** a `lookup` option as node:dgram calls it: (host, 4, callback) */
export type DgramLookup = (host: string, family: number, cb: (err: Error | null, address: string, family: number) => void) => void

export interface DgramLike {
  createSocket(
    type: "udp4" | { type: "udp4"; recvBufferSize?: number; sendBufferSize?: number; lookup?: DgramLookup; signal?: AbortSignal; reuseAddr?: boolean },
    listener?: (msg: Buffer) => void
  ): DgramSocketLike
}

/** `server` sockets bind on `listenHost`; clients send to `host`. */
export interface DgramWorld {
  readonly server: DgramLike
  readonly client: DgramLike
  readonly host: string
  readonly listenHost: string
  /** the address the server sees the client's datagrams come from */
  readonly clientHost: string
  /** a broadcast address of the client's network (nothing is sent to it: the sends are refused) */
  readonly broadcastHost: string
}

const once = <T extends Array<unknown> = Array<unknown>>(e: EventEmitter, name: string): Promise<T> =>
  new Promise((resolve) => e.once(name, (...args: Array<unknown>) => resolve(args as T)))

const bound = async (d: DgramLike, host: string, port = 0): Promise<DgramSocketLike> => {
  const s = d.createSocket("udp4")
  s.bind(port, host)
  await once(s, "listening")
  return s
}

const close = (s: DgramSocketLike): Promise<void> => new Promise((r) => s.close(() => r()))


/** an echo server: every datagram back to where it came from */
const echo = async (w: DgramWorld): Promise<DgramSocketLike> => {
  const s = await bound(w.server, w.listenHost)
  s.on("message", (msg: Buffer, rinfo: { address: string; port: number }) => s.send(msg, rinfo.port, rinfo.address))
  return s
}

export const DGRAM_SCRIPTS: Record<string, (w: DgramWorld) => Promise<Array<string>>> = {
  "an unbound client's send binds it; the server's rinfo names it; the reply comes back": async (w) => {
    const trace: Array<string> = []
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    const client = w.client.createSocket("udp4")
    client.on("listening", () => trace.push("client listening"))
    const got = once<[Buffer, { address: string; family: string; port: number; size: number }]>(server, "message")
    const sent = new Promise<[Error | null, number]>((r) => client.send("hello", port, w.host, (e: Error | null, n: number) => r([e, n])))
    const [err, n] = await sent
    trace.push(`send callback ${err === null ? "ok" : err.message} ${n}`)
    const [msg, rinfo] = await got
    trace.push(`server got ${msg.toString()} from client's port ${rinfo.port === client.address().port} address ${rinfo.address === w.clientHost} family ${rinfo.family} size ${rinfo.size}`)
    const reply = once<[Buffer]>(client, "message")
    server.send(Buffer.from("xxworldxx"), 2, 5, rinfo.port, rinfo.address)
    trace.push(`client got ${(await reply)[0].toString()}`)
    await close(client)
    await close(server)
    return trace
  },

  "a connected socket hears ECONNREFUSED when its peer's port is closed": async (w) => {
    const trace: Array<string> = []
    const gone = await bound(w.server, w.listenHost)
    const port = gone.address().port
    await close(gone)
    const client = w.client.createSocket("udp4")
    await new Promise<void>((r) => client.connect(port, w.host, () => r()))
    trace.push(`remote port matches ${client.remoteAddress().port === port}`)
    const failed = once<[NodeJS.ErrnoException]>(client, "error")
    client.send("anyone?")
    const [err] = await failed
    trace.push(`error ${err.code} ${err.syscall}`)
    await close(client)
    return trace
  },

  "an unconnected socket hears nothing about a closed port, and goes on working": async (w) => {
    const trace: Array<string> = []
    const gone = await bound(w.server, w.listenHost)
    const closedPort = gone.address().port
    await close(gone)
    const server = await echo(w)
    const client = w.client.createSocket("udp4")
    const errors: Array<string> = []
    client.on("error", (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message))
    client.send("to nobody", closedPort, w.host)
    const back = once<[Buffer]>(client, "message")
    // after the first datagram's ICMP error would have come back, on the same path
    setTimeout(() => client.send("to echo", server.address().port, w.host), 20)
    trace.push(`echoed ${(await back)[0].toString()}`)
    trace.push(`errors ${JSON.stringify(errors)}`)
    await close(client)
    await close(server)
    return trace
  },

  "binding a port in use fails with EADDRINUSE; a closed socket refuses sends": async (w) => {
    const trace: Array<string> = []
    const first = await bound(w.server, w.listenHost)
    const second = w.server.createSocket("udp4")
    const failed = once<[NodeJS.ErrnoException]>(second, "error")
    second.bind(first.address().port, w.listenHost)
    const [err] = await failed
    trace.push(`second bind ${err.code} ${err.syscall}`)
    const closed = once(first, "close")
    first.close()
    await closed
    trace.push("close event")
    try {
      first.send("x", 9, w.host)
      trace.push("send after close went")
    } catch (e) {
      trace.push(`send after close threw ${(e as NodeJS.ErrnoException).code}`)
    }
    return trace
  },

  "socket options: EBADF before the bind, setTTL's argument checks, buffer sizes as the kernel reports them": async (w) => {
    const trace: Array<string> = []
    const attempt = attempter(trace)
    const s = w.client.createSocket("udp4")
    attempt("setBroadcast before bind", () => s.setBroadcast(true))
    attempt("setTTL before bind", () => s.setTTL(64))
    attempt("setTTL(0) before bind", () => s.setTTL(0))
    attempt("getRecvBufferSize before bind", () => s.getRecvBufferSize())
    attempt("setSendBufferSize before bind", () => s.setSendBufferSize(8192))
    s.bind(0, w.clientHost)
    await once(s, "listening")
    attempt("setTTL('64')", () => s.setTTL("64" as unknown as number))
    attempt("setTTL(0)", () => s.setTTL(0))
    attempt("setTTL(256)", () => s.setTTL(256))
    attempt("setTTL(7)", () => s.setTTL(7))
    attempt("setBroadcast(true)", () => s.setBroadcast(true))
    attempt("setRecvBufferSize(-1)", () => s.setRecvBufferSize(-1))
    attempt("setRecvBufferSize(4096)", () => s.setRecvBufferSize(4096))
    attempt("getRecvBufferSize", () => s.getRecvBufferSize())
    attempt("setRecvBufferSize(1)", () => s.setRecvBufferSize(1))
    attempt("getRecvBufferSize after 1", () => s.getRecvBufferSize())
    attempt("setSendBufferSize(8192)", () => s.setSendBufferSize(8192))
    attempt("getSendBufferSize", () => s.getSendBufferSize())
    attempt("send queue", () => [s.getSendQueueSize(), s.getSendQueueCount()])
    // (after close Node 20 throws a TypeError from its null handle; we say ERR_SOCKET_DGRAM_NOT_RUNNING)
    await close(s)
    return trace
  },

  "createSocket's recvBufferSize and sendBufferSize hold once bound": async (w) => {
    const s = w.client.createSocket({ type: "udp4", recvBufferSize: 8192, sendBufferSize: 16384 })
    s.bind(0, w.clientHost)
    await once(s, "listening")
    const trace = [`recv ${s.getRecvBufferSize()} send ${s.getSendBufferSize()}`]
    await close(s)
    return trace
  },

  "a send to a broadcast address is refused with EACCES until setBroadcast(true)": async (w) => {
    const trace: Array<string> = []
    const s = await bound(w.client, w.clientHost)
    const sent = () => new Promise<string>((r) => s.send("x", 9, w.broadcastHost, (e: Error | null) => r(e === null ? "ok" : `${(e as NodeJS.ErrnoException).code} ${(e as NodeJS.ErrnoException).syscall}`)))
    trace.push(`without: ${await sent()}`)
    // and the socket goes on working
    const server = await bound(w.server, w.listenHost)
    const got = once<[Buffer]>(server, "message")
    s.send("after", server.address().port, w.host)
    trace.push(`then a unicast: ${(await got)[0].toString()}`)
    await close(s)
    await close(server)
    return trace
  },

  "address() names the address bound to, or 0.0.0.0 when none was named": async (w) => {
    const named = await bound(w.server, w.host)
    const any = w.server.createSocket("udp4")
    any.bind(0)
    await once(any, "listening")
    const trace = [`named: ${named.address().address === w.host}`, `none: ${any.address().address}`]
    await close(named)
    await close(any)
    return trace
  }
}

/** Scripts added by the stop-34 review: argument forms and a closed socket, as node:dgram 20 takes them. */
export const DGRAM_REVIEW_SCRIPTS: Record<string, (w: DgramWorld) => Promise<Array<string>>> = {
  "ports may be given as numeric strings (validatePort); bad ones are ERR_SOCKET_BAD_PORT with Node's message": async (w) => {
    const trace: Array<string> = []
    const attempt = attempter(trace, { result: false })
    const first = await bound(w.server, w.listenHost)
    const port = first.address().port
    await close(first)
    // bound by a string port: the port named, not an ephemeral one
    const server = w.server.createSocket("udp4")
    server.bind(String(port) as unknown as number, w.listenHost)
    await once(server, "listening")
    trace.push(`bound to the string port ${server.address().port === port}`)
    const got: Array<string> = []
    server.on("message", (m: Buffer) => got.push(m.toString()))
    const client = w.client.createSocket("udp4")
    attempt("send(0)", () => client.send("x", 0, w.host))
    attempt("send('')", () => client.send("x", "", w.host))
    attempt("send(65536)", () => client.send("x", 65536, w.host))
    const sent = new Promise<string>((r) => client.send("by string", String(port), w.host, (e: Error | null, n: number) => r(`${e === null ? "ok" : e.message} ${n}`)))
    trace.push(`send to a string port: ${await sent}`)
    const c2 = w.client.createSocket("udp4")
    attempt("connect(0)", () => c2.connect(0, w.host))
    await new Promise<void>((r) => c2.connect(String(port) as unknown as number, w.host, () => r()))
    trace.push(`connected to a string port: ${c2.remoteAddress().port === port} ${typeof c2.remoteAddress().port}`)
    const sent2 = new Promise<string>((r) => c2.send("connected", (e: Error | null, n: number) => r(`${e === null ? "ok" : e.message} ${n}`)))
    trace.push(`connected send: ${await sent2}`)
    for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10))
    trace.push(`server got ${JSON.stringify(got.sort())}`)
    await close(client)
    await close(c2)
    await close(server)
    return trace
  },

  "a bind that fails forgets its callback: a second bind's callback runs alone": async (w) => {
    const trace: Array<string> = []
    const holder = await bound(w.server, w.listenHost)
    const taken = holder.address().port
    const s = w.server.createSocket("udp4")
    s.on("error", (e: NodeJS.ErrnoException) => trace.push(`error ${e.code}`))
    s.bind(taken, w.listenHost, () => trace.push("first callback"))
    for (let i = 0; i < 50 && trace.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    await new Promise<void>((r) => s.bind(0, w.listenHost, () => {
      trace.push("second callback")
      r()
    }))
    await new Promise((r) => setTimeout(r, 20))
    trace.push(`listening listeners ${s.listenerCount("listening")}`)
    await close(s)
    await close(holder)
    return trace
  },

  "send's offset and length are checked against the buffer (ERR_BUFFER_OUT_OF_BOUNDS)": async (w) => {
    const trace: Array<string> = []
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    const client = await bound(w.client, w.clientHost)
    for (const [offset, length] of [[2, 10], [9, 0], [0, 6]] as const) {
      try {
        client.send(Buffer.from("hello"), offset, length, port, w.host)
        trace.push(`${offset},${length} went`)
      } catch (e) {
        trace.push(`${offset},${length} threw ${(e as NodeJS.ErrnoException).code}: ${(e as Error).message}`)
      }
    }
    const got = once<[Buffer]>(server, "message")
    client.send(Buffer.from("hello"), 1, 3, port, w.host)
    trace.push(`in bounds: ${(await got)[0].toString()}`)
    await close(client)
    await close(server)
    return trace
  },

  "a closed socket: address(), remoteAddress() and close() throw ERR_SOCKET_DGRAM_NOT_RUNNING": async (w) => {
    const trace: Array<string> = []
    const server = await bound(w.server, w.listenHost)
    const s = w.client.createSocket("udp4")
    await new Promise<void>((r) => s.connect(server.address().port, w.host, () => r()))
    await close(s)
    for (const [what, f] of [["address", () => s.address()], ["remoteAddress", () => s.remoteAddress()], ["close", () => s.close()]] as const) {
      try {
        f()
        trace.push(`${what} went`)
      } catch (e) {
        trace.push(`${what} threw ${(e as NodeJS.ErrnoException).code}`)
      }
    }
    await close(server)
    return trace
  },

  "Symbol.asyncDispose closes the socket once ('close' once), and again does nothing": async (w) => {
    const trace: Array<string> = []
    const s = await bound(w.client, w.clientHost)
    let closes = 0
    s.on("close", () => closes++)
    const dispose = (s as unknown as { [Symbol.asyncDispose]?: () => Promise<void> })[Symbol.asyncDispose]
    trace.push(`has it: ${typeof dispose}`)
    if (typeof dispose === "function") {
      await dispose.call(s)
      trace.push(`closes after dispose ${closes}`)
      await dispose.call(s)
      await new Promise((r) => setTimeout(r, 10))
      trace.push(`closes after twice ${closes}`)
    } else await close(s)
    return trace
  },

  "the largest datagram (65507) goes whole, fragmented; one more is EMSGSIZE from send": async (w) => {
    const trace: Array<string> = []
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    const client = await bound(w.client, w.clientHost)
    const got = once<[Buffer, { size: number }]>(server, "message")
    const big = Buffer.alloc(65507, 7)
    const sent = new Promise<string>((r) => client.send(big, port, w.host, (e: Error | null, n: number) => r(`${e === null ? "ok" : e.message} ${n}`)))
    trace.push(`65507: ${await sent}`)
    const [msg, rinfo] = await got
    trace.push(`server got ${msg.length} size ${rinfo.size} intact ${msg.equals(big)}`)
    const tooBig = new Promise<string>((r) => client.send(Buffer.alloc(65508), port, w.host, (e: Error | null, n?: number) => r(`${(e as NodeJS.ErrnoException | null)?.code} ${(e as NodeJS.ErrnoException | null)?.syscall} ${n}`)))
    trace.push(`65508: ${await tooBig}`)
    await close(client)
    await close(server)
    return trace
  }
}

const settle = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 10))
}

/** Scripts added by the stop-35 review: the queue behind a bind, lookups, closing, as lib/dgram.js does them. */
export const DGRAM_STOP35_SCRIPTS: Record<string, (w: DgramWorld) => Promise<Array<string>>> = {
  "sends queued behind an implicit bind that fails: 'error' alone, no callbacks, the close queued behind them goes too; the next send binds": async (w) => {
    const trace: Array<string> = []
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    const got: Array<string> = []
    server.on("message", (m: Buffer) => got.push(m.toString()))
    // the lookup fails the first bind's address (lib/dgram.js looks the bind address up too)
    const calls: Array<string> = []
    let fail = true
    const lookup: DgramLookup = (host, family, cb) => {
      calls.push(`${host} ${typeof family === "object" ? JSON.stringify(family) : family}`)
      if (host === "0.0.0.0" && fail) {
        fail = false
        process.nextTick(cb, Object.assign(new Error("no such address"), { code: "EFAKE" }), "", 4)
      } else process.nextTick(cb, null, host === "0.0.0.0" ? host : w.host, 4)
    }
    const s = w.client.createSocket({ type: "udp4", lookup })
    s.on("error", (e: NodeJS.ErrnoException) => trace.push(`error ${e.code} ${e.message}`))
    s.on("listening", () => trace.push("listening"))
    s.on("close", () => trace.push("close"))
    s.send("a", port, "server.test", (e: Error | null, n?: number) => trace.push(`a callback ${e?.message} ${n}`))
    s.send("b", port, "server.test", (e: Error | null, n?: number) => trace.push(`b callback ${e?.message} ${n}`))
    s.close(() => trace.push("first close callback"))
    await settle(() => trace.length > 0)
    await new Promise((r) => setTimeout(r, 30))
    trace.push(`lookups ${JSON.stringify(calls)}`)
    try {
      trace.push(`address ${JSON.stringify(s.address())}`)
    } catch (e) {
      trace.push(`address threw ${(e as NodeJS.ErrnoException).code} ${(e as NodeJS.ErrnoException).syscall}`)
    }
    await new Promise<void>((r) => s.send("c", port, "server.test", (e: Error | null, n?: number) => {
      trace.push(`c callback ${e?.message} ${n}`)
      r()
    }))
    trace.push(`lookups ${JSON.stringify(calls)}`)
    await new Promise<void>((r) => s.close(() => r()))
    await settle(() => got.length > 0)
    trace.push(`server got ${JSON.stringify(got)}`)
    await close(server)
    return trace
  },

  "what is queued before the bind waits behind it; a close right after a send drops the datagram, bound or not (the send's lookup comes first)": async (w) => {
    const trace: Array<string> = []
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    const got: Array<string> = []
    server.on("message", (m: Buffer) => got.push(m.toString()))
    const a = await bound(w.client, w.clientHost)
    a.send("bound, then closed", port, w.host, (e: Error | null) => trace.push(`bound send callback ${e?.message}`))
    a.close(() => trace.push("bound socket closed"))
    const b = w.client.createSocket("udp4")
    b.on("listening", () => trace.push("unbound socket listening"))
    b.send("unbound, then closed", port, w.host, (e: Error | null) => trace.push(`unbound send callback ${e?.message}`))
    b.close(() => trace.push("unbound socket closed"))
    const c = w.client.createSocket("udp4")
    c.on("listening", () => trace.push("connecting socket listening"))
    c.on("connect", () => trace.push("connect"))
    c.connect(port, w.host)
    c.send("sent while connecting, then closed", port, w.host, (e: Error | null) => trace.push(`send while connecting callback ${e?.message}`))
    try {
      c.address()
      trace.push("address while binding went")
    } catch (e) {
      trace.push(`address while binding threw ${(e as NodeJS.ErrnoException).code}`)
    }
    c.close(() => trace.push("connecting socket closed"))
    await settle(() => trace.filter((t) => t.endsWith("closed")).length === 3)
    // a datagram after all that: the only one the server gets
    const d = w.client.createSocket("udp4")
    await new Promise<void>((r) => d.send("last", port, w.host, () => r()))
    await settle(() => got.length > 0)
    trace.push(`server got ${JSON.stringify(got)}`)
    await close(d)
    await close(server)
    return trace
  },

  "createSocket's signal: an abort closes the socket and lets go of the signal; an aborted one closes it at once; not a signal is ERR_INVALID_ARG_TYPE": async (w) => {
    const trace: Array<string> = []
    const attempt = attempter(trace, { result: false })
    const ac = new AbortController()
    const s = w.client.createSocket({ type: "udp4", signal: ac.signal })
    s.on("close", () => trace.push("close"))
    s.bind(0, w.clientHost)
    await once(s, "listening")
    trace.push(`abort listeners while open ${getEventListeners(ac.signal, "abort").length}`)
    ac.abort()
    trace.push("aborted")
    await settle(() => trace.includes("close"))
    attempt("address after the abort", () => s.address())
    trace.push(`abort listeners after close ${getEventListeners(ac.signal, "abort").length}`)
    // closed by hand first: the abort listener goes with the close
    const ac2 = new AbortController()
    const s2 = w.client.createSocket({ type: "udp4", signal: ac2.signal })
    s2.bind(0, w.clientHost)
    await once(s2, "listening")
    await close(s2)
    trace.push(`abort listeners after a close by hand ${getEventListeners(ac2.signal, "abort").length}`)
    attempt("abort after the close", () => ac2.abort())
    const s3 = w.client.createSocket({ type: "udp4", signal: AbortSignal.abort() })
    s3.on("close", () => trace.push("already aborted: close"))
    attempt("already aborted: bind", () => s3.bind(0, w.clientHost))
    attempt("already aborted: send", () => s3.send("x", 9, w.host))
    await settle(() => trace.includes("already aborted: close"))
    for (const bad of [5, null, {}, "signal"]) {
      attempt(`signal ${JSON.stringify(bad)}`, () => w.client.createSocket({ type: "udp4", signal: bad as unknown as AbortSignal }))
    }
    return trace
  },

  "a failed send without a callback says nothing (doSend); a failed lookup is an 'error'; a failed connect calls its callback back, else is an 'error'": async (w) => {
    const trace: Array<string> = []
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    const lookup: DgramLookup = (host, _family, cb) => {
      if (host === "bad.test") process.nextTick(cb, Object.assign(new Error("getaddrinfo ENOTFOUND bad.test"), { code: "ENOTFOUND" }), "", 4)
      else process.nextTick(cb, null, host === "good.test" ? w.host : host, host.includes(":") ? 6 : 4)
    }
    const s = w.client.createSocket({ type: "udp4", lookup })
    s.on("error", (e: NodeJS.ErrnoException) => trace.push(`'error' ${e.code} ${e.syscall}`))
    s.bind(0, w.clientHost)
    await once(s, "listening")
    s.send("x", 9, w.broadcastHost)
    s.send(Buffer.alloc(65508), port, w.host)
    s.send("x", 9, "::1")
    s.send("x", 9, "bad.test")
    await new Promise((r) => setTimeout(r, 50))
    trace.push("sends done")
    const connectOutcome = (host: string) =>
      new Promise<string>((resolve) => {
        s.connect(port, host, (...args: Array<unknown>) => {
          const e = args[0] as NodeJS.ErrnoException | undefined
          resolve(`callback ${args.length} ${e?.code} ${e?.syscall} listeners ${s.listenerCount("connect")}`)
        })
      })
    trace.push(`connect bad.test: ${await connectOutcome("bad.test")}`)
    trace.push(`connect ::1: ${await connectOutcome("::1")}`)
    s.connect(port, "bad.test")
    await new Promise((r) => setTimeout(r, 50))
    trace.push(`connect good.test: ${await connectOutcome("good.test")}`)
    trace.push(`remote is the server ${s.remoteAddress().port === port}`)
    await close(s)
    await close(server)
    return trace
  },

  "send's arguments as lib/dgram.js takes them: lists, what is no buffer, the address's type, a callback that is none, a connected socket's forms, sendto": async (w) => {
    const trace: Array<string> = []
    const attempt = attempter(trace, { result: false })
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    const got: Array<string> = []
    server.on("message", (m: Buffer) => got.push(JSON.stringify(m.toString())))
    const sent = (what: string) => (e: Error | null, n?: number) => trace.push(`${what} callback ${e?.message} ${n}`)
    // (the lookup names the host it was asked for, and sends everything to the server)
    const asked: Array<string> = []
    const lookup: DgramLookup = (host, _family, cb) => {
      asked.push(host)
      process.nextTick(cb, null, host === "0.0.0.0" ? host : w.host, 4)
    }
    const c = w.client.createSocket({ type: "udp4", lookup })
    attempt("connect(port, 5)", () => c.connect(port, 5 as unknown as string))
    attempt("connect(port, null)", () => c.connect(port, null as unknown as string))
    await new Promise<void>((r) => c.connect(port, "server.test", () => r()))
    c.send(["ab", Buffer.from("cd"), new Uint8Array([101])], sent("list"))
    c.send([], sent("empty list"))
    attempt("a list holding a number", () => c.send([1], sent("no")))
    attempt("a list holding a list", () => c.send([["a"]], sent("no")))
    attempt("a number", () => c.send(5, sent("no")))
    attempt("a list with offset and length", () => c.send(["ab"], 0, 1, sent("no")))
    c.send(Buffer.from("hello"), 1, 2, sent("offset 1 length 2"))
    attempt("connected send(msg, port, address)", () => c.send("to the peer", port, "elsewhere.test", sent("connected send(msg, port, address)")))
    attempt("connected send(msg, offset, length, port, address)", () => c.send("z", 0, 1, port, "elsewhere.test"))
    attempt("connected sendto", () => c.sendto(Buffer.from("x"), 0, 1, port, "elsewhere.test"))
    attempt("sendto with a string offset", () => c.sendto(Buffer.from("x"), "0", 1, port, "elsewhere.test"))
    attempt("sendto without an address", () => c.sendto(Buffer.from("x"), 0, 1, port))
    await settle(() => got.length >= 4)
    const u = w.client.createSocket({ type: "udp4", lookup })
    attempt("send with an address of 5", () => u.send("z", port, 5))
    attempt("send with a string callback", () => u.send("z", port, "server.test", "not a function"))
    attempt("send(msg, offset, length, port, address, 'not a function')", () => u.send(Buffer.from("normal"), 0, 4, port, "server.test", "not a function"))
    u.send("null address", port, null, sent("null address"))
    u.sendto(Buffer.from("sendto!"), 0, 7, port, "server.test", sent("sendto"))
    await settle(() => got.length >= 7)
    trace.push(`server got ${JSON.stringify(got.sort())}`)
    trace.push(`asked ${JSON.stringify(asked)}`)
    await close(u)
    await close(c)
    attempt("send a bad port after close", () => c.send("x", 0, w.host))
    attempt("send after close", () => c.send("x", 9, w.host))
    await close(server)
    return trace
  },

  "bind takes a port as Node hands it to libuv (a uint32's low 16 bits; what is no number, 0) and the address through the lookup": async (w) => {
    const trace: Array<string> = []
    const probe = await bound(w.server, w.listenHost)
    const p = probe.address().port
    await close(probe)
    for (const [what, port] of [
      ["p + 65536", p + 65536],
      ["p + 0.5", p + 0.5],
      ["p - 65536", p - 65536],
      ["String(p + 131072)", String(p + 131072)],
      ["{ port: p + 65536 }", { port: p + 65536 }]
    ] as const) {
      const s = w.server.createSocket("udp4")
      const errors: Array<string> = []
      s.on("error", (e: NodeJS.ErrnoException) => errors.push(`${e.code} ${e.message}`))
      const done = new Promise((r) => {
        s.once("listening", r)
        s.once("error", r)
      })
      if (typeof port === "object") s.bind(port as unknown as number)
      else s.bind(port as number, w.listenHost)
      await done
      try {
        trace.push(`${what}: bound to p ${s.address().port === p} ${JSON.stringify(errors)}`)
      } catch (e) {
        trace.push(`${what}: ${(e as NodeJS.ErrnoException).code} ${JSON.stringify(errors)}`)
      }
      await close(s)
    }
    const e = w.server.createSocket("udp4")
    e.bind("not a port" as unknown as number, w.listenHost)
    await once(e, "listening")
    trace.push(`'not a port': an ephemeral port ${e.address().port > 0 && e.address().port !== p}`)
    // a port in use: the error names the port as given
    const taken = w.server.createSocket("udp4")
    const failed = once<[NodeJS.ErrnoException]>(taken, "error")
    taken.bind(String(e.address().port) as unknown as number, w.listenHost)
    const [err] = await failed
    const port = (err as { port?: unknown }).port
    const message = err.message.replace(w.listenHost, "<host>").replace(String(e.address().port), "<port>")
    trace.push(`in use: ${err.code} ${err.syscall} port ${typeof port} ${port === String(e.address().port)} ${message}`)
    await close(taken)
    await close(e)
    const n = w.server.createSocket("udp4")
    try {
      n.bind(0, 5 as unknown as string)
      trace.push("address 5 went")
    } catch (x) {
      trace.push(`address 5 threw ${(x as Error).name} ${(x as NodeJS.ErrnoException).code}: ${(x as Error).message}`)
    }
    await close(n)
    return trace
  },

  "createSocket checks its options as Node's (validateUint32 of the buffer sizes when given, the lookup a function, the type) and ignores a listener that is no function": async (w) => {
    const trace: Array<string> = []
    const cases: Array<[string, unknown]> = [
      ["recvBufferSize -1", { type: "udp4", recvBufferSize: -1 }],
      ["recvBufferSize 'x'", { type: "udp4", recvBufferSize: "x" }],
      ["sendBufferSize 1.5", { type: "udp4", sendBufferSize: 1.5 }],
      ["sendBufferSize 2 ** 33", { type: "udp4", sendBufferSize: 2 ** 33 }],
      ["recvBufferSize null", { type: "udp4", recvBufferSize: null }],
      ["recvBufferSize 0", { type: "udp4", recvBufferSize: 0 }],
      ["lookup 5", { type: "udp4", lookup: 5 }],
      ["lookup 5, type udp5", { type: "udp5", lookup: 5 }],
      ["recvBufferSize -1, type udp5", { type: "udp5", recvBufferSize: -1 }]
    ]
    const made: Array<DgramSocketLike> = []
    for (const [what, o] of cases) {
      try {
        made.push(w.client.createSocket(o as { type: "udp4" }))
        trace.push(`${what} went`)
      } catch (e) {
        trace.push(`${what} threw ${(e as Error).name} ${(e as NodeJS.ErrnoException).code}: ${(e as Error).message}`)
      }
    }
    // (the type's message names the types the stack has: its own words)
    for (const [what, t] of [["'udp5'", "udp5"], ["undefined", undefined], ["{ type: 'udp5' }", { type: "udp5" }]] as const) {
      try {
        made.push(w.client.createSocket(t as "udp4"))
        trace.push(`${what} went`)
      } catch (e) {
        trace.push(`${what} threw ${(e as Error).name} ${(e as NodeJS.ErrnoException).code}`)
      }
    }
    const quiet = w.client.createSocket("udp4", "not a function" as unknown as () => void)
    trace.push(`a listener that is no function: message listeners ${quiet.listenerCount("message")}, type ${(quiet as unknown as { type: string }).type}`)
    made.push(quiet)
    const s = w.client.createSocket({ type: "udp4", recvBufferSize: null as unknown as number })
    s.on("error", (e: NodeJS.ErrnoException) => trace.push(`error ${e.code}`))
    s.bind(0, w.clientHost)
    await once(s, "listening")
    trace.push(`recvBufferSize null: bound, receive buffer ${s.getRecvBufferSize()}`)
    made.push(s)
    for (const m of made) await close(m)
    return trace
  },

  "the TTL and multicast calls check their arguments before the socket, as Node and libuv do (int32 TTLs, addresses parsed, EBADF before the bind)": async (w) => {
    // (no call here names a multicast group Node's socket could join: the kernel would join it)
    const trace: Array<string> = []
    const attempt = attempter(trace)
    type Multicast = DgramSocketLike & {
      setMulticastTTL(ttl: unknown): number
      setMulticastLoopback(flag: unknown): unknown
      setMulticastInterface(address: unknown): void
      addMembership(group?: unknown, iface?: unknown): void
      dropMembership(group?: unknown, iface?: unknown): void
      addSourceSpecificMembership(source?: unknown, group?: unknown, iface?: unknown): void
      dropSourceSpecificMembership(source?: unknown, group?: unknown, iface?: unknown): void
    }
    const s = w.client.createSocket("udp4") as Multicast
    const calls = (when: string) => {
      attempt(`${when} setTTL(2 ** 32 + 5)`, () => s.setTTL(2 ** 32 + 5))
      attempt(`${when} setTTL(1.7)`, () => s.setTTL(1.7))
      attempt(`${when} setTTL(NaN)`, () => s.setTTL(NaN))
      attempt(`${when} setTTL('x')`, () => s.setTTL("x" as unknown as number))
      attempt(`${when} setMulticastTTL('x')`, () => s.setMulticastTTL("x"))
      attempt(`${when} setMulticastTTL(256)`, () => s.setMulticastTTL(256))
      attempt(`${when} setMulticastTTL(-1)`, () => s.setMulticastTTL(-1))
      attempt(`${when} setMulticastInterface(1)`, () => s.setMulticastInterface(1))
      attempt(`${when} setMulticastInterface('bad')`, () => s.setMulticastInterface("bad"))
      attempt(`${when} setMulticastInterface('')`, () => s.setMulticastInterface(""))
      attempt(`${when} addMembership()`, () => s.addMembership())
      attempt(`${when} dropMembership('')`, () => s.dropMembership(""))
      attempt(`${when} addMembership('bad')`, () => s.addMembership("bad"))
      attempt(`${when} dropMembership('bad')`, () => s.dropMembership("bad"))
      attempt(`${when} addSourceSpecificMembership(1, 'g')`, () => s.addSourceSpecificMembership(1, "232.1.1.1"))
      attempt(`${when} addSourceSpecificMembership('s', 1)`, () => s.addSourceSpecificMembership("198.18.0.9", 1))
      attempt(`${when} addSourceSpecificMembership('bad', 'g')`, () => s.addSourceSpecificMembership("bad", "232.1.1.1"))
      attempt(`${when} dropSourceSpecificMembership('s', 'bad')`, () => s.dropSourceSpecificMembership("198.18.0.9", "bad"))
    }
    calls("unbound:")
    attempt("unbound: setMulticastTTL(4)", () => s.setMulticastTTL(4))
    attempt("unbound: setMulticastLoopback(true)", () => s.setMulticastLoopback(true))
    attempt("unbound: setMulticastInterface(address)", () => s.setMulticastInterface(w.clientHost))
    s.bind(0, w.clientHost)
    await once(s, "listening")
    calls("bound:")
    // (a group that is no multicast address: the kernel refuses it, EINVAL)
    attempt("bound: addMembership(a unicast address)", () => s.addMembership(w.clientHost))
    attempt("bound: addSourceSpecificMembership(s, a unicast address)", () => s.addSourceSpecificMembership(w.host, w.clientHost))
    await close(s)
    attempt("closed: setMulticastTTL('x')", () => s.setMulticastTTL("x"))
    attempt("closed: setTTL('x')", () => s.setTTL("x" as unknown as number))
    attempt("closed: setMulticastInterface(1)", () => s.setMulticastInterface(1))
    attempt("closed: addMembership()", () => s.addMembership())
    return trace
  },

  "argument errors name what they got as Node's determineSpecificType does": async (w) => {
    const trace: Array<string> = []
    const s = w.client.createSocket("udp4")
    class Nameless {}
    Object.defineProperty(Nameless, "name", { value: "" })
    const values: Array<[string, unknown]> = [
      ["a long string", "abcdefghijklmnopqrstuvwxyz0123456789"],
      ["a string of 28", "abcdefghijklmnopqrstuvwxyz01"],
      ["a long string with a quote", "it's abcdefghijklmnopqrstuvwxyz"],
      ["both quotes", `it's "quoted"`],
      ["a string with a newline", "a\nb"],
      ["an anonymous function", (() => () => 0)()],
      ["a named function", function named() {}],
      ["a long symbol", Symbol("abcdefghijklmnopqrstuvwxyz0123456789")],
      ["a bigint", 12345678901234567890n],
      ["an instance of a nameless class", new Nameless()],
      ["a null-prototype object", Object.create(null)],
      ["an array", [1, 2]],
      ["true", true]
    ]
    for (const [what, v] of values) {
      try {
        s.setTTL(v as number)
        trace.push(`${what} went`)
      } catch (e) {
        trace.push(`${what}: ${(e as Error).message}`)
      }
    }
    for (const [what, port] of [["-0", -0], ["NaN", NaN], ["-Infinity", -Infinity], ["1.5", 1.5]] as const) {
      try {
        s.send("x", port, w.host)
        trace.push(`port ${what} went`)
      } catch (e) {
        trace.push(`port ${what}: ${(e as Error).message}`)
      }
    }
    await close(s)
    return trace
  },

  "a socket closed in its 'message' listener hears no more datagrams, even ones already waiting": async (w) => {
    const trace: Array<string> = []
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    let heard = 0
    server.on("message", () => {
      heard++
      if (heard === 1) server.close(() => trace.push("closed"))
    })
    const client = await bound(w.client, w.clientHost)
    // all sent before the server's first 'message' can run: they wait in its queue together
    for (let i = 0; i < 5; i++) client.send(`d${i}`, port, w.host)
    await settle(() => trace.includes("closed"))
    await new Promise((r) => setTimeout(r, 50))
    trace.push(`heard ${heard}`)
    await close(client)
    return trace
  },

  "state errors and event order: connecting is not connected, 'listening' before 'connect', close twice, ref/unref, '::' on udp4": async (w) => {
    const trace: Array<string> = []
    const attempt = attempter(trace, { cut: " (" })
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    const a = w.client.createSocket("udp4")
    a.on("error", (e: NodeJS.ErrnoException) => trace.push(`'::' error ${e.code} ${e.syscall} ${e.message}`))
    a.bind(0, "::")
    await settle(() => trace.length > 0)
    const b = w.client.createSocket("udp4")
    for (const ev of ["listening", "connect", "close"]) b.on(ev, () => trace.push(`b ${ev}`))
    b.connect(port, w.host, () => trace.push("b connect callback"))
    attempt("remoteAddress while connecting", () => b.remoteAddress())
    attempt("disconnect while connecting", () => b.disconnect())
    attempt("connect while connecting", () => b.connect(port, w.host))
    b.on("listening", () => attempt("a send in 'listening'", () => b.send("in listening", port, w.host, () => trace.push("the send's callback"))))
    await once(b, "connect")
    b.disconnect()
    attempt("send without a port after disconnect", () => b.send("x"))
    attempt("ref", () => b.ref() === b)
    attempt("unref", () => b.unref() === b)
    b.close()
    attempt("close again", () => b.close(() => trace.push("the second close's callback")))
    attempt("ref after close", () => b.ref() === b)
    await settle(() => trace.includes("the second close's callback"))
    const c = w.client.createSocket("udp4")
    c.bind(0, "localhost")
    await once(c, "listening")
    attempt("bound to localhost", () => c.address().address)
    await close(c)
    await close(a)
    await close(server)
    return trace
  },

  "a listener that throws: the exception is uncaught, as Node's, and the socket goes on hearing": async (w) => {
    const trace: Array<string> = []
    // (the test runner's own handlers stand aside while the script catches what is uncaught)
    const saved = process.listeners("uncaughtException")
    process.removeAllListeners("uncaughtException")
    const caught: Array<string> = []
    const catcher = (e: Error) => caught.push(e.message)
    process.on("uncaughtException", catcher)
    try {
      const server = await bound(w.server, w.listenHost)
      const port = server.address().port
      const heard: Array<string> = []
      server.on("message", (m: Buffer) => {
        heard.push(m.toString())
        if (heard.length === 1) throw new Error("the listener threw")
      })
      const client = await bound(w.client, w.clientHost)
      client.send("one", port, w.host)
      await settle(() => caught.length > 0)
      client.send("two", port, w.host)
      await settle(() => heard.length > 1)
      trace.push(`caught ${JSON.stringify(caught)}`, `heard ${JSON.stringify(heard)}`)
      await close(client)
      await close(server)
    } finally {
      process.removeListener("uncaughtException", catcher)
      for (const l of saved) process.on("uncaughtException", l)
    }
    return trace
  }
}

/** Scripts of stop 36: bind({ fd }), port sharing (reuseAddr), connect's checks. */
export const DGRAM_STOP36_SCRIPTS: Record<string, (w: DgramWorld) => Promise<Array<string>>> = {
  "bind({ fd }): an int32 fd above 0 is thrown ERR_INVALID_FD_TYPE and the socket stays binding; 0, -1, 1.5 or a string is no fd": async (w) => {
    const trace: Array<string> = []
    const attempt = attempter(trace, { result: false, cut: ": " })
    const fd = openSync("/dev/null", "r")
    try {
      const s = w.server.createSocket("udp4")
      attempt("bind({ fd })", () => s.bind({ fd } as unknown as number, undefined, () => trace.push("callback ran")))
      attempt("bind again", () => s.bind(0))
      attempt("address()", () => s.address())
      await new Promise((r) => setTimeout(r, 20))
      trace.push(`listeners: listening ${s.listenerCount("listening")} error ${s.listenerCount("error")}`)
      await close(s)
      for (const notFd of [0, -1, 1.5, String(fd), 2 ** 31]) {
        const u = w.server.createSocket("udp4")
        u.bind({ fd: notFd, address: w.listenHost } as unknown as number)
        await once(u, "listening")
        trace.push(`fd ${JSON.stringify(notFd)}: bound to a port ${u.address().port > 0}`)
        await close(u)
      }
    } finally {
      closeSync(fd)
    }
    return trace
  },

  "reuseAddr: sockets that all set it share an address and port; a unicast goes to the one bound last, then the one before; EADDRINUSE when either lacks it": async (w) => {
    const trace: Array<string> = []
    const shared = (host: string, port: number, reuseAddr: boolean) =>
      new Promise<[DgramSocketLike, string]>((resolve) => {
        const s = w.server.createSocket({ type: "udp4", reuseAddr })
        s.once("listening", () => resolve([s, "ok"]))
        s.once("error", (e: NodeJS.ErrnoException) => resolve([s, `${e.code} ${e.syscall}`]))
        s.bind(port, host)
      })
    const [first] = await shared(w.host, 0, true)
    const port = first.address().port
    const [second, r2] = await shared(w.host, port, true)
    const [third, r3] = await shared(w.host, port, true)
    trace.push(`second ${r2}, third ${r3}`)
    const got: Array<string> = []
    for (const [name, s] of [["first", first], ["second", second], ["third", third]] as const) {
      s.on("message", (m: Buffer) => got.push(`${name}:${m.toString()}`))
    }
    const client = w.client.createSocket("udp4")
    const sendAll = async (...msgs: Array<string>) => {
      for (const m of msgs) await new Promise<void>((r) => client.send(m, port, w.host, () => r()))
      await settle(() => got.length >= msgs.length)
      trace.push(got.splice(0).join(" "))
    }
    await sendAll("a", "b", "c")
    await close(third)
    await sendAll("d")
    const [, plain] = await shared(w.host, port, false)
    trace.push(`without reuseAddr on its port: ${plain}`)
    const [lone] = await shared(w.host, 0, false)
    const [, late] = await shared(w.host, lone.address().port, true)
    trace.push(`with reuseAddr on a port bound without: ${late}`)
    const [, any] = await shared("0.0.0.0", lone.address().port, false)
    trace.push(`every address, on a port bound to one: ${any}`)
    const [wild] = await shared("0.0.0.0", port, true)
    wild.on("message", (m: Buffer) => got.push(`every:${m.toString()}`))
    await sendAll("e")
    for (const s of [first, second, wild, lone, client]) await close(s)
    return trace
  },

  "reuseAddr: a broadcast goes to every socket bound to every address on its port": async (w) => {
    const trace: Array<string> = []
    const bindShared = async (port: number) => {
      const s = w.server.createSocket({ type: "udp4", reuseAddr: true })
      s.bind(port, "0.0.0.0")
      await once(s, "listening")
      return s
    }
    const one = await bindShared(0)
    const port = one.address().port
    const two = await bindShared(port)
    const got: Array<string> = []
    one.on("message", (m: Buffer) => got.push(`one:${m.toString()}`))
    two.on("message", (m: Buffer) => got.push(`two:${m.toString()}`))
    const client = w.client.createSocket("udp4")
    client.bind(0, w.clientHost)
    await once(client, "listening")
    client.setBroadcast(true)
    await new Promise<void>((r) => client.send("to all", port, w.broadcastHost, () => r()))
    await settle(() => got.length >= 2)
    trace.push(got.sort().join(" "))
    for (const s of [one, two, client]) await close(s)
    return trace
  },

  "connect: a broadcast address without setBroadcast is EACCES in the callback and leaves the socket unconnected; connected, address() names the route's source, and 0.0.0.0 again after disconnect": async (w) => {
    const trace: Array<string> = []
    const outcome = (e: Error | undefined | null) =>
      e ? `${(e as NodeJS.ErrnoException).code} ${(e as NodeJS.ErrnoException).syscall} ${e.message === `connect ${(e as NodeJS.ErrnoException).code} ${w.broadcastHost}:9`}` : "connected"
    const s = w.client.createSocket("udp4")
    trace.push(`without: ${outcome(await new Promise<Error | undefined>((r) => s.connect(9, w.broadcastHost, r)))}`)
    try {
      s.remoteAddress()
      trace.push("remoteAddress went")
    } catch (e) {
      trace.push(`remoteAddress threw ${(e as NodeJS.ErrnoException).code}`)
    }
    trace.push(`bound to every address: ${s.address().address}`)
    const noCallback = w.client.createSocket("udp4")
    const failed = once<[NodeJS.ErrnoException]>(noCallback, "error")
    noCallback.connect(9, w.broadcastHost)
    trace.push(`without a callback: 'error' ${(await failed)[0].code}`)
    s.setBroadcast(true)
    trace.push(`with setBroadcast: ${outcome(await new Promise<Error | undefined>((r) => s.connect(9, w.broadcastHost, r)))}`)
    trace.push(`address() is the client's address: ${s.address().address === w.clientHost}`)
    s.disconnect()
    trace.push(`after disconnect: ${s.address().address}`)
    await new Promise<void>((r) => s.connect(9, w.host, () => r()))
    trace.push(`connected to the server's address, address() is the client's: ${s.address().address === w.clientHost}`)
    await close(s)
    await close(noCallback)
    return trace
  },

  "a bind to a broadcast address of ours goes, and that socket hears broadcasts to it with those on every address, while a unicast goes to the socket bound to its address": async (w) => {
    const got: Array<string> = []
    const bindShared = async (host: string, port: number, name: string) => {
      const s = w.server.createSocket({ type: "udp4", reuseAddr: true })
      const outcome = await new Promise<string>((resolve) => {
        s.once("listening", () => resolve("ok"))
        s.once("error", (e: NodeJS.ErrnoException) => resolve(`${e.code}`))
        s.bind(port, host)
      })
      s.on("message", (m: Buffer) => got.push(`${name}:${m.toString()}`))
      return [s, outcome] as const
    }
    // (198.18.255.254 is no address of the host's nor of the stack's)
    const [other, notOurs] = await bindShared("198.18.255.254", 0, "other")
    await close(other)
    const [toBroadcast, bound] = await bindShared(w.broadcastHost, 0, "broadcast-bound")
    const trace = [`bound to an address not ours: ${notOurs}`, `bound to the broadcast address: ${bound}`]
    if (bound !== "ok") return trace
    trace.push(`address() names it: ${toBroadcast.address().address === w.broadcastHost}`)
    const port = toBroadcast.address().port
    const [any] = await bindShared("0.0.0.0", port, "every")
    const [own] = await bindShared(w.host, port, "own")
    const client = w.client.createSocket("udp4")
    client.bind(0, w.clientHost)
    await once(client, "listening")
    client.setBroadcast(true)
    await new Promise<void>((r) => client.send("B", port, w.broadcastHost, () => r()))
    await new Promise<void>((r) => client.send("U", port, w.host, () => r()))
    await settle(() => got.length >= 3)
    trace.push(got.sort().join(" "))
    for (const s of [toBroadcast, any, own, client]) await close(s)
    return trace
  },

  "disconnect lets go of a port the kernel chose (address() says port 0, nothing arrives there); the next send takes a new one; a port named at bind stays": async (w) => {
    const trace: Array<string> = []
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    const from: Array<number> = []
    server.on("message", (_m: Buffer, rinfo: { port: number }) => from.push(rinfo.port))
    const s = w.client.createSocket("udp4")
    const heard: Array<string> = []
    s.on("message", (m: Buffer) => heard.push(m.toString()))
    await new Promise<void>((r) => s.connect(port, w.host, () => r()))
    const first = s.address().port
    await new Promise<void>((r) => s.send("connected", () => r()))
    await settle(() => from.length >= 1)
    s.disconnect()
    trace.push(`after disconnect: ${JSON.stringify({ ...s.address(), address: s.address().address === "0.0.0.0" ? "0.0.0.0" : "named" })}`)
    // the server answers to the old port: nobody there now
    await new Promise<void>((r) => server.send("to the old port", first, w.clientHost, () => r()))
    await new Promise<void>((r) => s.send("unconnected", port, w.host, () => r()))
    await settle(() => from.length >= 2)
    const second = s.address().port
    trace.push(`first from the connected port ${from[0] === first}, then from a new port ${from[1] === second && second !== first && second > 0}`)
    await new Promise<void>((r) => server.send("to the new port", second, w.clientHost, () => r()))
    await settle(() => heard.length >= 1)
    trace.push(`heard ${JSON.stringify(heard)}`)
    // bound to a port it named: disconnect keeps it
    const named = w.client.createSocket("udp4")
    named.bind(first, w.clientHost)
    await once(named, "listening")
    await new Promise<void>((r) => named.connect(port, w.host, () => r()))
    named.disconnect()
    trace.push(`a named port after disconnect: ${named.address().port === first}`)
    for (const x of [s, named, server]) await close(x)
    return trace
  }
}


export const DGRAM_STOP45_SCRIPTS: Record<string, (w: DgramWorld) => Promise<Array<string>>> = {
  "a failed send's error is Node's ExceptionWithHostPort: the address and port as given, and for a connected socket's send none in the message but `address` there, undefined": async (w) => {
    const trace: Array<string> = []
    const server = await bound(w.server, w.listenHost)
    const port = server.address().port
    // the message with the worlds' addresses and ports masked; every enumerable property, in order
    const shown = (e: Error | null): string => {
      if (e === null) return "sent"
      const mask = (v: unknown) => (v === w.host ? "<host>" : v === port ? "<port>" : String(v))
      const message = e.message.replace(w.host, "<host>").replace(`:${port}`, ":<port>")
      return `"${message}" ${Object.entries(e).map(([k, v]) => `${k}=${mask(v)}`).join(",")}`
    }
    const tooBig = Buffer.alloc(65508)
    const client = await bound(w.client, w.clientHost)
    trace.push(`to an address: ${await new Promise<string>((r) => client.send(tooBig, port, w.host, (e: Error | null) => r(shown(e))))}`)
    // (an empty address is looked up as 127.0.0.1, and named as it was given)
    trace.push(`to "": ${await new Promise<string>((r) => client.send(tooBig, port, "", (e: Error | null) => r(shown(e))))}`)
    const connected = w.client.createSocket("udp4")
    await new Promise<void>((r) => connected.connect(port, w.host, () => r()))
    trace.push(`connected: ${await new Promise<string>((r) => connected.send(tooBig, (e: Error | null) => r(shown(e))))}`)
    for (const x of [connected, client, server]) await close(x)
    return trace
  }
}
