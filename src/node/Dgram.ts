/**
 * Node's `dgram` over the stack's UDP: `createSocket("udp4")` gives a
 * socket shaped like `dgram.Socket` — `bind`, `send`, `connect` /
 * `disconnect`, `close`, `address`, `remoteAddress`, the socket options
 * (`setBroadcast`, `setTTL`, the buffer sizes), and the events
 * `'listening'`, `'message'` (with `rinfo`), `'connect'`, `'error'`,
 * `'close'`.
 *
 * As Node on Linux:
 * - sending from an unbound socket binds it to an ephemeral port first;
 *   sends, a connect and a close issued before the bind completes wait
 *   behind it, in order, and an 'error' before then drops them all
 *   unanswered (lib/dgram.js's queue);
 * - every address goes through the lookup, the bind's too, as Node's
 *   lookup4 calls it (`lookup(host || "127.0.0.1", 4, cb)`); the stack's own
 *   takes literals and `localhost` only, and answers on a later tick, so a
 *   close right after a send drops the datagram, as Node's does;
 * - an ICMP error about a datagram we sent (RFC 1122 §4.1.3.3) reaches the
 *   program only on a connected socket, and only from its peer: port
 *   unreachable is `'error'` with `ECONNREFUSED` (`recvmsg`), as the kernel
 *   reports it to a connected socket (an unconnected one hears nothing:
 *   IP_RECVERR is off);
 * - send errors (`EMSGSIZE`, `ENETUNREACH`, `EACCES` for a broadcast
 *   without `setBroadcast(true)`) go to the callback, and without one
 *   nowhere (Node's doSend); a failed lookup goes to the callback or is
 *   `'error'`; a failed connect calls the connect callback with the error,
 *   or is `'error'` without one;
 * - connect checks as Linux's ip4_datagram_connect (the stack's
 *   `UdpSocket.connect`): no route is `ENETUNREACH` (a send's too), a
 *   broadcast peer without `setBroadcast(true)` `EACCES`; connected, only the
 *   peer's datagrams arrive (the stack's UDP chooses by the 4-tuple), and a
 *   socket bound to `0.0.0.0` says the route's source address in `address()`
 *   until `disconnect`, as getsockname does; `disconnect` lets go of a port
 *   the stack chose (a bind to port 0, or the bind a send or connect made):
 *   `address()` says port 0 and nothing arrives until the next send takes a
 *   new port, as on Linux (__udp_disconnect without SOCK_BINDPORT_LOCK);
 * - options need a bound socket (`EBADF` before, as a socket without a file
 *   descriptor gives); `setRecvBufferSize(n)` bounds the receive queue by
 *   octets as SO_RCVBUF does (n capped at Linux's default `rmem_max` and
 *   doubled: what `getRecvBufferSize` then says); before any, the queue is
 *   the stack's count of datagrams and the getter says Linux's default.
 *   Sends complete at once, so the send queue is always empty and the send
 *   buffer size only reported. createSocket's `signal` closes the socket
 *   when it aborts. The stack has no multicast (no IGMP):
 *   joining a group or setting a multicast option throws `ENOPROTOOPT`
 *   (after Node's and libuv's argument checks; an option on a socket not
 *   yet bound is `EBADF`, as there). The stack's sockets have no file
 *   descriptors: `bind({ fd })` throws `ERR_INVALID_FD_TYPE`, as Node's does
 *   for a descriptor that is no UDP socket.
 * createSocket's `reuseAddr` is SO_REUSEADDR, as libuv sets it on Linux:
 * sockets that all set it share an address and port, a unicast going to the
 * one bound last and a broadcast to each; without it a bind that overlaps
 * another (the same address, or either `0.0.0.0`) is `EADDRINUSE`; a socket
 * bound to an address takes datagrams for it before one bound to `0.0.0.0`
 * (the stack's UDP chooses as Linux's socket lookup: `Udp.selectUnicast`).
 * Node 20 has no `reusePort`. `ref`/`unref` do nothing, as Net.ts's: the
 * stack's link keeps the process alive, whatever its sockets.
 * The socket's receive queue is the stack's bounded one (`UdpSocket`):
 * datagrams beyond it are dropped and counted, as a full socket buffer does.
 *
 * @since 0.1.0
 */
import { EventEmitter } from "node:events"
import { isIP, isIPv4 } from "node:net"
import { Effect, Exit, Fiber, Option, Runtime, Scope } from "effect"
import { type BindOptions as UdpBindOptions, hardErrno, Udp, type UdpError, type UdpService, type UdpSocket } from "../udp/Udp.js"
import * as Addr from "../wire/Ipv4Addr.js"
import { exceptionWithHostPort, invalidArgType, nodeError, outOfRange, rangeError, systemError, typeError, validPort } from "./Errors.js"
import { literalAddress, notFound } from "./Hosts.js"
import type { AddressInfo } from "./Net.js"
import { failureOf, runNow, runOn } from "./Run.js"

/** What `'message'` gives with each datagram. @category models */
export interface RemoteInfo {
  readonly address: string
  readonly family: "IPv4"
  readonly port: number
  readonly size: number
}

/**
 * A `lookup` option, called as node:dgram calls it: `(host, 4, callback)` (lib/internal/dgram.js's
 * lookup4; `dns.lookup` takes that form).
 *
 * @category models
 */
export type LookupFunction = (
  hostname: string,
  family: 4,
  callback: (err: NodeJS.ErrnoException | Error | null, address: string, family?: number) => void
) => void

/** @category models */
export interface SocketOptions {
  readonly type: "udp4"
  readonly lookup?: LookupFunction
  /** datagrams queued for the program before the stack drops (the stack's default if absent) */
  readonly recvQueue?: number
  /** SO_RCVBUF once bound, as `setRecvBufferSize` (Node's option) */
  readonly recvBufferSize?: number
  /** SO_SNDBUF once bound, as `setSendBufferSize` */
  readonly sendBufferSize?: number
  /** aborting it closes the socket (an aborted one closes it as it is made), as Node's option */
  readonly signal?: AbortSignal
  /**
   * SO_REUSEADDR (Node's UV_UDP_REUSEADDR): share the address and port with sockets that set it
   * too; a unicast goes to the one bound last, a broadcast to all (`Udp.selectUnicast`)
   */
  readonly reuseAddr?: boolean
}

/** @category models */
export interface BindOptions {
  readonly port?: number
  readonly address?: string
  /** Node's bind to an open descriptor: the stack's sockets have none, so any fd is ERR_INVALID_FD_TYPE */
  readonly fd?: number
}

/** bytes only on success: Node calls back a failed send with the error alone (doSend, afterDns) */
type SendCallback = (error: Error | null, bytes?: number) => void

/** Node's errno for each `UdpError` reason. */
const codeOf = (e: UdpError): string => {
  switch (e.reason) {
    case "AddrInUse":
      return "EADDRINUSE"
    case "AddrNotAvailable":
      return "EADDRNOTAVAIL"
    case "NoEphemeralPorts":
      return "EADDRNOTAVAIL"
    case "InvalidPort":
      return "EINVAL"
    case "MessageTooLong":
    case "FragmentationNeeded":
      return "EMSGSIZE"
    // (no route is ENETUNREACH on Linux, from connect and from sendto: ip_route_output_flow's -ENETUNREACH)
    case "NoRoute":
      return "ENETUNREACH"
    case "BroadcastNotAllowed":
      return "EACCES"
    case "InvalidOption":
    // (a socket bound to 127/8 sending to another host: __mkroute_output's -EINVAL)
    case "LoopbackSource":
      return "EINVAL"
  }
}

/** Linux's defaults for socket buffers (net.core.rmem_default/rmem_max, wmem_default/wmem_max) and its floors. */
const RMEM_DEFAULT = 212_992
const RMEM_MAX = 212_992
const WMEM_DEFAULT = 212_992
const WMEM_MAX = 212_992
const SOCK_MIN_RCVBUF = 2_304
const SOCK_MIN_SNDBUF = 4_608

/** What SO_RCVBUF/SO_SNDBUF make of a request: capped, doubled for the kernel's bookkeeping, floored (sock_setsockopt). */
const kernelBuffer = (size: number, max: number, min: number): number => Math.max(Math.min(size, max) * 2, min)

/**
 * Node's validateUint32 (lib/internal/validators.js): a number (ERR_INVALID_ARG_TYPE), an integer
 * and within 0..2^32-1 (ERR_OUT_OF_RANGE, the value as Node prints it: big integers with _ separators).
 */
const validateUint32 = (value: unknown, name: string): void => {
  if (typeof value !== "number") throw invalidArgType(name, "of type number", value)
  if (!Number.isInteger(value)) throw outOfRange(name, "an integer", value)
  if (value < 0 || value > 4_294_967_295) throw outOfRange(name, ">= 0 && <= 4294967295", value)
}

/** Whether `address` is an IPv4 multicast group (224.0.0.0/4; an IPv6 literal is left to the stack's ENOPROTOOPT). */
const isMulticastGroup = (address: string): boolean => !isIPv4(address) || (Number(address.split(".")[0]) & 0xf0) === 0xe0

/** what Node's send takes as a message, as its ERR_INVALID_ARG_TYPE words it */
const BUFFER_TYPES = "of type string or an instance of Buffer, TypedArray, or DataView"

/** One message's octets, over the caller's memory (a string encoded as UTF-8). */
const octets = (b: string | ArrayBufferView): Uint8Array =>
  typeof b === "string" ? Buffer.from(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

/**
 * Node's message list (lib/dgram.js send, fixBufferList): a string or an ArrayBufferView is a list
 * of one; an array is a list of its strings and views, which are concatenated into one datagram;
 * anything else is ERR_INVALID_ARG_TYPE, for "buffer" or, inside an array, "buffer list arguments".
 */
const bufferList = (buffer: unknown): Array<Uint8Array> => {
  if (!Array.isArray(buffer)) {
    if (typeof buffer !== "string" && !ArrayBuffer.isView(buffer)) throw invalidArgType("buffer", BUFFER_TYPES, buffer)
    return [octets(buffer)]
  }
  return buffer.map((b: unknown) => {
    if (typeof b !== "string" && !ArrayBuffer.isView(b)) throw invalidArgType("buffer list arguments", BUFFER_TYPES, buffer)
    return octets(b)
  })
}

/** Node's sliceBuffer (lib/dgram.js): one string or view (no list), offset and length as uint32 within it, else ERR_BUFFER_OUT_OF_BOUNDS. */
const sliceBuffer = (buffer: unknown, offset: unknown, length: unknown): Uint8Array => {
  if (typeof buffer !== "string" && !ArrayBuffer.isView(buffer)) throw invalidArgType("buffer", BUFFER_TYPES, buffer)
  const bytes = octets(buffer)
  const o = (offset as number) >>> 0
  const n = (length as number) >>> 0
  if (o > bytes.byteLength) throw rangeError("ERR_BUFFER_OUT_OF_BOUNDS", "\"offset\" is outside of buffer bounds")
  if (o + n > bytes.byteLength) throw rangeError("ERR_BUFFER_OUT_OF_BOUNDS", "\"length\" is outside of buffer bounds")
  return bytes.subarray(o, o + n)
}

/**
 * A UDP socket on the stack, as `dgram.Socket`.
 *
 * Its states are lib/dgram.js's: unbound, binding (the bind address being
 * looked up, then bound), bound; disconnected, connecting, connected. What is
 * asked of it while it binds (sends, a connect, a close) waits in a queue
 * that 'listening' runs, in order, and that an 'error' in the meantime drops
 * whole, callbacks and all, as Node's (`enqueue`, `onListenError`).
 *
 * @category models
 */
export class Socket extends EventEmitter {
  /** the socket's type, as Node's `socket.type` */
  readonly type = "udp4"
  readonly #runtime: Runtime.Runtime<Udp>
  readonly #udp: UdpService
  readonly #options: SocketOptions
  #scope: Scope.CloseableScope | undefined = undefined
  #socket: UdpSocket | undefined = undefined
  /** the fibers that deliver datagrams and ICMP errors while bound */
  #loops: ReadonlyArray<Fiber.RuntimeFiber<never>> = []
  #bindState: "unbound" | "binding" | "bound" = "unbound"
  #connectState: "disconnected" | "connecting" | "connected" = "disconnected"
  /** Node's handle gone: closed */
  #closed = false
  /** what waits for the bind (Node's state.queue); undefined when nothing does */
  #queue: Array<() => void> | undefined = undefined
  #remote: { address: string; port: number } | undefined = undefined
  /** SO_SNDBUF as getsockopt would say it (sends never wait here, so it bounds nothing) */
  #sendBuffer = WMEM_DEFAULT

  /** @internal use `Dgram.createSocket` */
  constructor(runtime: Runtime.Runtime<Udp>, udp: UdpService, options: SocketOptions) {
    super()
    this.#runtime = runtime
    this.#udp = udp
    this.#options = options
    const signal: unknown = options.signal
    if (signal !== undefined) {
      // Node's validateAbortSignal: anything with `aborted`
      if (signal === null || typeof signal !== "object" || !("aborted" in signal)) {
        throw invalidArgType("options.signal", "an instance of AbortSignal", signal)
      }
      const s = signal as AbortSignal
      // as lib/dgram.js: an aborted signal closes the socket in createSocket's own call, so that
      // it comes back closed; else the abort closes it, and the listener goes with the close
      const onAborted = () => {
        if (!this.#closed) this.close()
      }
      if (s.aborted) onAborted()
      else {
        s.addEventListener("abort", onAborted, { once: true })
        this.once("close", () => s.removeEventListener("abort", onAborted))
      }
    }
  }

  /**
   * Node's lookup4: the `lookup` option (the socket's, or the one its `Dgram` was made with), or
   * with none the stack's own (an address literal or `localhost`; nothing else resolves then), asked for `host || "127.0.0.1"` with family 4. Node's dns.lookup
   * answers even a literal on a later tick, so everything after a lookup happens after the call
   * that asked for it (a close right after a send comes first).
   */
  #lookup(host: unknown, cb: (err: Error | null, address: string) => void): void {
    const name = host || "127.0.0.1"
    const lookup = this.#options.lookup
    if (lookup !== undefined) return lookup(name as string, 4, (err, address) => cb(err ?? null, address))
    // as Node's dns.lookup: a name that is no string is refused at once (validateString), and an
    // IPv6 literal comes back as it is whatever the family (the bind, connect or send then refuses it)
    if (typeof name !== "string") throw invalidArgType("hostname", "of type string", name)
    const literal = isIP(name) === 6 ? name : literalAddress(name)
    process.nextTick(() => (literal !== undefined ? cb(null, literal) : cb(notFound(name), "")))
  }

  /** Node's enqueue: `f` runs once 'listening' comes; an 'error' first (errorMonitor) drops the queue. */
  #enqueue(f: () => void): void {
    if (this.#queue === undefined) {
      this.#queue = []
      const onListening = () => {
        this.removeListener(EventEmitter.errorMonitor, onError)
        const queue = this.#queue ?? []
        this.#queue = undefined
        for (const g of queue) g()
      }
      const onError = () => {
        this.removeListener("listening", onListening)
        this.#queue = undefined
      }
      this.once(EventEmitter.errorMonitor, onError)
      this.once("listening", onListening)
    }
    this.#queue.push(f)
  }

  /**
   * Bind: `bind([port][, address][, cb])` or `bind(options[, cb])`; port 0 or none takes an
   * ephemeral one. The address is looked up first (as Node's bind does, `0.0.0.0` too).
   */
  bind(options: BindOptions, cb?: () => void): this
  bind(port?: number | string, address?: string, cb?: () => void): this
  bind(port?: number | string, cb?: () => void): this
  bind(...args: Array<unknown>): this {
    this.#checkOpen()
    if (this.#bindState !== "unbound") throw nodeError("ERR_SOCKET_ALREADY_BOUND", "Socket is already bound")
    const last = args[args.length - 1]
    const first = args[0]
    // (bind(options) or bind(port, address); the port is not checked: see #bindTo)
    const object = first !== null && typeof first === "object"
    const port: unknown = object ? (first as BindOptions).port : first
    const address: unknown = object ? (first as BindOptions).address || "" : typeof args[1] === "function" ? "" : args[1]
    this.#bindState = "binding"
    if (typeof last === "function") {
      const cb = last as () => void
      // as Node's bind: the callback waits for 'listening' until an 'error' comes first, which
      // takes it away (a failed bind forgets it, so a second bind's callback runs alone)
      const forget = () => {
        this.removeListener("error", forget)
        this.removeListener("listening", listening)
      }
      const listening = () => {
        forget()
        cb.call(this)
      }
      this.on("error", forget)
      this.on("listening", listening)
    }
    // bind({ fd }) opens a descriptor Node has (an int32 above 0; anything else is no fd and the
    // bind goes on as usual). No descriptor is a socket of the stack's, which has none: thrown as
    // Node's for an fd that is no UDP socket (ERR_INVALID_FD_TYPE, guessHandleType), and the socket
    // stays binding, its callback waiting, as lib/dgram.js leaves it
    const fd: unknown = object ? (first as BindOptions).fd : undefined
    if (typeof fd === "number" && fd === (fd | 0) && fd > 0) {
      throw typeError("ERR_INVALID_FD_TYPE", `Unsupported fd type: UNKNOWN (fd ${fd} is no socket of the stack's: its sockets have no file descriptors)`)
    }
    this.#lookup(address || "0.0.0.0", (err, ip) => {
      if (this.#closed) return
      if (err !== null) {
        this.#bindState = "unbound"
        this.emit("error", err)
        return
      }
      this.#bindTo(ip, port)
    })
    return this
  }

  /** The bind itself, once the address is known; 'listening' when done, else 'error' and unbound again. */
  #bindTo(address: string, requested: unknown): void {
    // Node hands `port || 0` to the binding as a uint32 (a numeric string is its number, anything
    // else 0) and libuv keeps its low 16 bits (uv_ip4_addr's htons): 70000 binds 4464, -1 65535;
    // the error names the port as given (ExceptionWithHostPort)
    const wire = (((requested || 0) as number) >>> 0) & 0xffff
    const failed = (code: string, detail?: string) => {
      this.#bindState = "unbound"
      const named = requested && (requested as number) > 0 ? (requested as number) : undefined
      this.emit("error", systemError(code, "bind", address, named, detail))
    }
    if (!isIPv4(address)) return failed("EINVAL", "not an IPv4 address")
    // (whether the address is ours is the stack's UDP's to say, EADDRNOTAVAIL if not: its own, 127/8,
    // or a broadcast address of its subnet, as Linux's inet_bind takes RTN_LOCAL and RTN_BROADCAST)
    const udp = this.#udp
    const port = wire === 0 ? undefined : wire
    const recvQueue = this.#options.recvQueue
    // (the address as bound: "0.0.0.0" is every address; Node takes any truthy reuseAddr)
    const bindOptions: UdpBindOptions = {
      ...(recvQueue !== undefined ? { capacity: recvQueue } : {}),
      address: Addr.parse(address)!,
      reuseAddr: Boolean(this.#options.reuseAddr)
    }
    const open = Effect.gen(function*() {
      const scope = yield* Scope.make()
      const socket = yield* Scope.extend(udp.bind(port, bindOptions), scope).pipe(
        Effect.onError(() => Scope.close(scope, Exit.void))
      )
      return { scope, socket }
    })
    const opened = (exit: Exit.Exit<{ scope: Scope.CloseableScope; socket: UdpSocket }, UdpError>): void => {
      if (Exit.isFailure(exit)) {
        const e = failureOf(exit)
        if (Option.isSome(e)) failed(codeOf(e.value), e.value.detail)
        return
      }
      if (this.#closed) {
        runOn(this.#runtime, Scope.close(exit.value.scope, Exit.void))
        return
      }
      this.#scope = exit.value.scope
      this.#socket = exit.value.socket
      this.#bindState = "bound"
      this.#startLoops(exit.value.socket)
      // Node's createSocket buffer sizes are set once bound, before 'listening' (lib/dgram.js)
      try {
        // (only when given and not 0, as Node's `if (state.recvBufferSize)`)
        if (this.#options.recvBufferSize) this.setRecvBufferSize(this.#options.recvBufferSize)
        if (this.#options.sendBufferSize) this.setSendBufferSize(this.#options.sendBufferSize)
      } catch (e) {
        this.emit("error", e)
        return
      }
      this.emit("listening")
    }
    // the kernel binds in the call (Node emits 'listening' in the lookup's tick); the stack's bind
    // completes at once too, and only when it had to wait does 'listening' come later
    const run = runNow(this.#runtime, open)
    if (run._tag === "Waiting") run.fiber.addObserver((exit) => process.nextTick(opened, exit))
    else if (Exit.isSuccess(run.exit) || Option.isSome(failureOf(run.exit))) opened(run.exit)
    else runOn(this.#runtime, Effect.failCause(run.exit.cause))
  }

  /**
   * Emit from a delivery loop. What a listener throws (or an 'error' nobody listens to) is
   * thrown again on the next tick, an uncaught exception as in Node, where it comes out of
   * libuv's callback; the loop goes on, as libuv's reading does once the exception is handled.
   */
  #emitUncaught(event: string, ...args: Array<unknown>): void {
    try {
      this.emit(event, ...args)
    } catch (e) {
      process.nextTick(() => {
        throw e
      })
    }
  }

  #startLoops(socket: UdpSocket): void {
    const deliver = Effect.forever(
      Effect.flatMap(socket.receiveBatch, (batch) =>
        Effect.sync(() => {
          for (const d of batch) {
            // closed by a listener (or between batches, before the interruption lands): no more,
            // as libuv stops reading once the handle stops receiving
            if (this.#closed) return
            // (a connected socket's datagrams are its peer's: the stack's UDP chose it by the 4-tuple,
            // as Linux's socket lookup; what was queued before the connect is read after it, as there)
            const address = Addr.format(d.src)
            // (a copy when it is under half of its buffer: a datagram in a receive batch the socket's
            // datagrams filled is a view of it, and an application that keeps a message would keep
            // the batch alive; Node hands each message a buffer of its size, not a cut of its pool)
            const p = d.payload
            const own = 2 * p.byteLength < p.buffer.byteLength ? p.slice() : p
            const msg = Buffer.from(own.buffer, own.byteOffset, own.byteLength)
            this.#emitUncaught("message", msg, { address, family: "IPv4", port: d.srcPort, size: msg.length } satisfies RemoteInfo)
          }
        }))
    )
    const errors = Effect.forever(
      Effect.flatMap(socket.receiveError, (report) =>
        Effect.sync(() => {
          const r = this.#remote
          if (this.#closed || r === undefined || r.address !== Addr.format(report.dst) || r.port !== report.dstPort) return
          const code = hardErrno(report)
          if (code !== undefined) this.#emitUncaught("error", systemError(code, "recvmsg"))
        }))
    )
    // (daemons stopped by close without waiting for them: the port is released in close's own call)
    this.#loops = Runtime.runSync(this.#runtime)(Effect.all([Effect.forkDaemon(deliver), Effect.forkDaemon(errors)]))
  }

  /**
   * Send one datagram: `send(msg[, offset, length][, port][, address][, cb])`.
   * `msg` is a string, Buffer/TypedArray/DataView or an array of them (one
   * datagram of them all). A connected socket sends to its peer and takes no
   * port/address. The arguments are read as lib/dgram.js reads them, and
   * checked before the socket is.
   */
  send(buffer: unknown, offset?: unknown, length?: unknown, port?: unknown, address?: unknown, callback?: unknown): void {
    const connected = this.#connectState === "connected"
    // (msg, offset, length, port[, address][, cb]) when an address or a port that is no callback
    // is there, else (msg, port[, address][, cb]); connected: (msg[, offset, length][, cb]), and any
    // port or address is ERR_SOCKET_DGRAM_IS_CONNECTED (so send(msg, port, address) on a connected
    // socket reads the port as a callback that is none, and goes to the peer, as Node's)
    if (!connected) {
      if (address || (port && typeof port !== "function")) buffer = sliceBuffer(buffer, offset, length)
      else {
        callback = port
        port = offset
        address = length
      }
    } else {
      if (typeof length === "number") {
        buffer = sliceBuffer(buffer, offset, length)
        if (typeof port === "function") {
          callback = port
          port = null
        }
      } else callback = offset
      if (port || address) throw nodeError("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected")
    }
    const list = bufferList(buffer)
    const dstPort = connected ? undefined : validPort(port, false)
    let cb = typeof callback === "function" ? (callback as SendCallback) : undefined
    if (typeof address === "function") {
      cb = address as SendCallback
      address = undefined
    } else if (address != null && typeof address !== "string") throw invalidArgType("address", "of type string", address)
    this.#checkOpen()
    if (this.#bindState === "unbound") this.bind({ port: 0 }, null as unknown as () => void)
    // not bound yet: the send waits, and is made again once bound (Node's enqueue of send itself,
    // so its lookup comes after the bind's)
    if (this.#bindState !== "bound") return this.#enqueue(() => this.send(list, dstPort, address, cb))
    const afterDns = (err: Error | null, ip: string) => this.#doSend(err, ip, list, address, dstPort, cb)
    if (connected) afterDns(null, "")
    else this.#lookup(address, afterDns)
  }

  /**
   * The old form of `send` (lib/dgram.js keeps it for dgram_legacy): every argument but the
   * callback given, offset, length and port numbers and the address a string.
   */
  sendto(buffer: unknown, offset: unknown, length: unknown, port: unknown, address: unknown, callback?: unknown): void {
    for (const [name, v] of [["offset", offset], ["length", length], ["port", port]] as const) {
      if (typeof v !== "number") throw invalidArgType(name, "of type number", v)
    }
    if (typeof address !== "string") throw invalidArgType("address", "of type string", address)
    this.send(buffer, offset, length, port, address, callback)
  }

  /** Node's doSend: the lookup's error, or the datagram handed to the stack (copied there, as the kernel copies it). */
  #doSend(err: Error | null, ip: string, list: ReadonlyArray<Uint8Array>, host: unknown, port: number | undefined, cb: SendCallback | undefined): void {
    // a lookup's error goes to the callback, or is an 'error'
    if (err !== null) return process.nextTick(() => (cb !== undefined ? cb(err) : this.emit("error", err)))
    const socket = this.#socket
    // (closed while the lookup ran: the datagram goes nowhere and nothing is said, as Node's)
    if (socket === undefined || this.#closed) return
    const r = this.#remote
    const dst = r !== undefined && port === undefined ? r.address : ip
    const dstPort = r !== undefined && port === undefined ? r.port : port!
    // a lookup may answer IPv6 whatever family was asked (Node's gives a literal back as it is):
    // a udp4 socket refuses it with EINVAL, as the kernel does a sendto(2) with an AF_INET6 address
    // (the error names the address and port as the program gave them, "" as "": none for a
    // connected send, whose error still has an `address`, undefined, as Node's ExceptionWithHostPort)
    const failed = (code: string, detail?: string) => exceptionWithHostPort(code, "send", typeof host === "string" ? host : undefined, port, detail)
    if (!isIPv4(dst)) return process.nextTick(() => this.#sendDone(cb, failed("EINVAL", "not an IPv4 address")))
    const payload = list.length === 1 ? new Uint8Array(list[0]!) : Buffer.concat(list)
    runOn(this.#runtime, socket.send(Addr.parse(dst)!, dstPort, payload), (exit) => {
      if (Exit.isSuccess(exit)) return this.#sendDone(cb, null, payload.length)
      const e = failureOf(exit)
      this.#sendDone(cb, Option.isSome(e) ? failed(codeOf(e.value), e.value.detail) : new Error("send interrupted"))
    })
  }

  /** a send's own outcome goes to its callback only: without one a failed send says nothing (Node's doSend: "Don't emit as error") */
  #sendDone(cb: SendCallback | undefined, err: Error | null, bytes?: number): void {
    if (cb !== undefined) (err === null ? cb(err, bytes) : cb(err))
  }

  /**
   * Fix the peer: sends go to it, only its datagrams arrive, and its ICMP errors are reported.
   * An unbound socket binds first; the peer's lookup comes after the bind, as Node's.
   */
  connect(port: number | string, address?: string | ((err?: Error) => void), cb?: (err?: Error) => void): void {
    const peerPort = validPort(port, false)
    const callback = typeof address === "function" ? address : cb
    if (address !== undefined && typeof address !== "function" && typeof address !== "string") {
      throw invalidArgType("address", "of type string", address)
    }
    const host = typeof address === "string" ? address : ""
    if (this.#connectState !== "disconnected") throw nodeError("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected")
    // (a closed socket: Node's bind says ERR_SOCKET_DGRAM_NOT_RUNNING when unbound, and a bound one
    // throws a TypeError from its null handle; both are this here)
    this.#checkOpen()
    this.#connectState = "connecting"
    if (this.#bindState === "unbound") this.bind({ port: 0 }, null as unknown as () => void)
    if (this.#bindState !== "bound") return this.#enqueue(() => this.#connectTo(peerPort, host, callback))
    this.#connectTo(peerPort, host, callback)
  }

  #connectTo(port: number, host: string, callback: ((err?: Error) => void) | undefined): void {
    if (callback !== undefined) this.once("connect", callback)
    this.#lookup(host, (err, ip) => {
      if (this.#closed) return
      // as Node's doConnect: the callback, taken off 'connect', hears the error; else 'error'
      const fail = (e: Error): void => {
        this.#connectState = "disconnected"
        process.nextTick(() => {
          if (callback === undefined) return void this.emit("error", e)
          this.removeListener("connect", callback)
          callback(e)
        })
      }
      if (err === null && !isIPv4(ip)) err = systemError("EINVAL", "connect", host, port, "not an IPv4 address")
      if (err !== null) return fail(err)
      // the stack's connect checks as ip4_datagram_connect: a route to the peer (ENETUNREACH), a
      // broadcast peer only with setBroadcast(true) (EACCES); Node names the host and port given
      const socket = this.#socket
      const exit = socket === undefined ? undefined : Runtime.runSyncExit(this.#runtime)(socket.connect(Addr.parse(ip)!, port))
      if (exit !== undefined && Exit.isFailure(exit)) {
        const e = failureOf(exit)
        if (Option.isNone(e)) return void runOn(this.#runtime, Effect.failCause(exit.cause))
        return fail(systemError(codeOf(e.value), "connect", host, port))
      }
      this.#connectState = "connected"
      this.#remote = { address: ip, port }
      process.nextTick(() => this.emit("connect"))
    })
  }

  disconnect(): void {
    if (this.#connectState !== "connected") throw nodeError("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected")
    this.#connectState = "disconnected"
    this.#remote = undefined
    // (the address a connect gave a socket bound to 0.0.0.0 goes with it, as __udp_disconnect's)
    if (this.#socket !== undefined) this.#runSync(this.#socket.disconnect)
  }

  remoteAddress(): AddressInfo {
    this.#checkOpen()
    if (this.#remote === undefined || this.#connectState !== "connected") throw nodeError("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected")
    return { address: this.#remote.address, family: "IPv4", port: this.#remote.port }
  }

  /** The bound address; EBADF before the bind (getsockname on a socket without one), NOT_RUNNING once closed (Node's healthCheck). */
  address(): AddressInfo {
    this.#checkOpen()
    const s = this.#socket
    if (s === undefined || this.#bindState !== "bound") throw systemError("EBADF", "getsockname")
    // (getsockname: the address bound, or the one a connect took for a socket bound to 0.0.0.0)
    return { address: Addr.format(this.#runSync(s.localAddress)), family: "IPv4", port: s.port }
  }

  /** Release the port; `'close'` follows. */
  close(cb?: () => void): this {
    // (`on`, as Node's: a close that waited behind a failed bind never came, and its callback
    // still hears the close that does)
    if (typeof cb === "function") this.on("close", cb)
    // while sends wait for the bind, the close waits behind them (Node's close goes in the queue)
    if (this.#queue !== undefined) {
      this.#queue.push(() => this.close())
      return this
    }
    this.#checkOpen()
    this.#closed = true
    const scope = this.#scope
    this.#scope = undefined
    this.#socket = undefined
    // 'close' on the next tick, as Node's socketCloseNT; the port is free by then (the stack
    // releases it in the call), and only when that had to wait does 'close' wait for it
    const emitClose = () => this.emit("close")
    if (this.#loops.length > 0) runOn(this.#runtime, Fiber.interruptAll(this.#loops))
    this.#loops = []
    const run = scope === undefined ? undefined : runNow(this.#runtime, Scope.close(scope, Exit.void))
    if (run?._tag === "Waiting") run.fiber.addObserver(() => process.nextTick(emitClose))
    else process.nextTick(emitClose)
    return this
  }

  #checkOpen(): void {
    if (this.#closed) throw nodeError("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running")
  }

  /** SO_BROADCAST: allow sends to a broadcast address. */
  setBroadcast(flag: boolean): void {
    const s = this.#boundFor("setBroadcast")
    this.#runSync(s.setBroadcast(Boolean(flag)))
  }

  /** IP_TTL of what this socket sends, 1..255; returns it. */
  setTTL(ttl: number): number {
    if (typeof ttl !== "number") throw invalidArgType("ttl", "of type number", ttl)
    // (Node hands the number to libuv as an int32, Int32Value: 2^32 + 5 is 5, 1.7 is 1, NaN 0;
    // libuv checks the range before it looks at the socket; the value given is returned)
    const t = ttl | 0
    if (t < 1 || t > 255) throw systemError("EINVAL", "setTTL")
    const s = this.#boundFor("setTTL")
    this.#runSync(s.setTtl(t))
    return ttl
  }

  setRecvBufferSize(size: number): void {
    this.#bufferSize(size, true)
  }
  getRecvBufferSize(): number {
    return this.#bufferSize(0, true)
  }
  setSendBufferSize(size: number): void {
    this.#bufferSize(size, false)
  }
  getSendBufferSize(): number {
    return this.#bufferSize(0, false)
  }
  /** octets waiting to be sent: none, sends go at once */
  getSendQueueSize(): number {
    return 0
  }
  /** sends waiting: none */
  getSendQueueCount(): number {
    return 0
  }

  // The stack has no multicast (no IGMP, no group addresses on the interface). Each call checks
  // its arguments as lib/dgram.js and libuv do, in their order (a type, then an address libuv
  // cannot parse or a value out of its range, EINVAL; a group that is no multicast address,
  // EINVAL from the kernel's ip_mc_join_group); then a socket option on a socket not yet bound is
  // EBADF (no descriptor), and the rest ENOPROTOOPT. (libuv binds an unbound socket before it
  // joins a group, so the memberships say ENOPROTOOPT bound or not.)
  setMulticastTTL(ttl: number): number {
    if (typeof ttl !== "number") throw invalidArgType("ttl", "of type number", ttl)
    this.#checkOpen()
    // (an int32 as for setTTL; uv__setsockopt_maybe_char takes 0..255)
    const t = ttl | 0
    if (t < 0 || t > 255) throw systemError("EINVAL", "setMulticastTTL")
    throw this.#noMulticast("setMulticastTTL", true)
  }
  setMulticastLoopback(_flag: unknown): unknown {
    this.#checkOpen()
    throw this.#noMulticast("setMulticastLoopback", true)
  }
  setMulticastInterface(interfaceAddress: string): void {
    this.#checkOpen()
    if (typeof interfaceAddress !== "string") throw invalidArgType("interfaceAddress", "of type string", interfaceAddress)
    if (isIP(interfaceAddress) === 0) throw systemError("EINVAL", "setMulticastInterface")
    throw this.#noMulticast("setMulticastInterface", true)
  }
  addMembership(multicastAddress: string, _interfaceAddress?: string): void {
    this.#membership("addMembership", multicastAddress)
  }
  dropMembership(multicastAddress: string, _interfaceAddress?: string): void {
    this.#membership("dropMembership", multicastAddress)
  }
  addSourceSpecificMembership(sourceAddress: string, groupAddress: string, _interfaceAddress?: string): void {
    this.#sourceMembership("addSourceSpecificMembership", sourceAddress, groupAddress)
  }
  dropSourceSpecificMembership(sourceAddress: string, groupAddress: string, _interfaceAddress?: string): void {
    this.#sourceMembership("dropSourceSpecificMembership", sourceAddress, groupAddress)
  }

  #membership(syscall: "addMembership" | "dropMembership", group: unknown): never {
    this.#checkOpen()
    if (!group) throw typeError("ERR_MISSING_ARGS", "The \"multicastAddress\" argument must be specified")
    // (the binding takes the group as a string, whatever it was)
    const g = String(group)
    if (isIP(g) === 0 || (syscall === "addMembership" && !isMulticastGroup(g))) throw systemError("EINVAL", syscall)
    throw this.#noMulticast(syscall, false)
  }

  #sourceMembership(syscall: "addSourceSpecificMembership" | "dropSourceSpecificMembership", source: unknown, group: unknown): never {
    this.#checkOpen()
    if (typeof source !== "string") throw invalidArgType("sourceAddress", "of type string", source)
    if (typeof group !== "string") throw invalidArgType("groupAddress", "of type string", group)
    if (isIP(group) === 0 || isIP(source) === 0) throw systemError("EINVAL", syscall)
    if (syscall === "addSourceSpecificMembership" && !isMulticastGroup(group)) throw systemError("EINVAL", syscall)
    throw this.#noMulticast(syscall, false)
  }

  /** EBADF for a socket option on a socket not yet bound (`needsBind`), else ENOPROTOOPT: the stack does not do multicast. */
  #noMulticast(syscall: string, needsBind: boolean): Error {
    if (needsBind && this.#bindState !== "bound") return systemError("EBADF", syscall)
    return systemError("ENOPROTOOPT", syscall, undefined, undefined, "the stack does not do multicast")
  }

  /** The bound socket, or EBADF from `syscall` (Node's socket has no descriptor before the bind). */
  #boundFor(syscall: string): UdpSocket {
    this.#checkOpen()
    const s = this.#socket
    if (s === undefined) throw systemError("EBADF", syscall)
    return s
  }

  #runSync<A, E>(effect: Effect.Effect<A, E>): A {
    return Runtime.runSync(this.#runtime)(effect)
  }

  /** Node's bufferSize(): size 0 reads, any other sets (lib/dgram.js). */
  #bufferSize(size: number, receive: boolean): number {
    // (a TypeError in lib/internal/errors.js)
    if (size >>> 0 !== size) throw typeError("ERR_SOCKET_BAD_BUFFER_SIZE", "Buffer size must be a positive integer")
    const s = this.#socket
    if (s === undefined || this.#closed) {
      // (Node's SystemError: the libuv call as its syscall, the errno in `info`)
      const call = receive ? "uv_recv_buffer_size" : "uv_send_buffer_size"
      const bad = systemError("EBADF", call)
      const err = Object.assign(
        nodeError("ERR_SOCKET_BUFFER_SIZE", `Could not get or set buffer size: ${call} returned EBADF (bad file descriptor)`),
        {
          name: "SystemError",
          syscall: call,
          errno: bad.errno,
          info: { errno: bad.errno, code: "EBADF", message: "bad file descriptor", syscall: call }
        }
      )
      throw err
    }
    if (!receive) {
      if (size !== 0) this.#sendBuffer = kernelBuffer(size, WMEM_MAX, SOCK_MIN_SNDBUF)
      return this.#sendBuffer
    }
    if (size !== 0) this.#runSync(s.setReceiveBuffer(kernelBuffer(size, RMEM_MAX, SOCK_MIN_RCVBUF)))
    return this.#runSync(s.receiveBuffer) ?? RMEM_DEFAULT
  }

  /** `await using`: close, and wait for `'close'`; nothing on a closed socket (Node 20's dgram). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#closed) return
    await new Promise<void>((resolve) => this.close(() => resolve()))
  }

  /**
   * Nothing, as Net.ts's sockets: what keeps Node's event loop alive is the stack's link (the TAP
   * addon's uv_poll watcher, which is referenced), not a socket, so no one socket can let the
   * process exit or hold it. Returns the socket, closed or not, as Node's.
   */
  ref(): this {
    return this
  }
  /** Nothing: see `ref`. */
  unref(): this {
    return this
  }
}

/** `node:dgram`'s API over one stack. @category models */
export interface Dgram {
  readonly createSocket: (type: "udp4" | SocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void) => Socket
  /** `new dgram.Socket(type[, listener])`, bound to this stack (what `createSocket` makes) */
  readonly Socket: new (type: "udp4" | SocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void) => Socket
}

/**
 * `Dgram` over the stack a runtime provides (`Udp`); `lookup` resolves the names of sockets made
 * with no `lookup` of their own (as node:dgram uses `dns.lookup`; e.g. `start()`'s: the hosts file,
 * then the stack's DNS), else only literals and `localhost` resolve.
 */
export const fromRuntime = (runtime: Runtime.Runtime<Udp>, udp: UdpService, lookup?: LookupFunction): Dgram => {
  /** lib/dgram.js's Socket constructor's checks, in its order: the buffer sizes (when given), the lookup, the type */
  const optionsOf = (type: "udp4" | SocketOptions): SocketOptions => {
    const given: SocketOptions = type !== null && typeof type === "object" ? type : { type }
    const options: SocketOptions = given.lookup === undefined && lookup !== undefined ? { ...given, lookup } : given
    if (options.recvBufferSize) validateUint32(options.recvBufferSize, "options.recvBufferSize")
    if (options.sendBufferSize) validateUint32(options.sendBufferSize, "options.sendBufferSize")
    if (options.lookup !== undefined && typeof options.lookup !== "function") {
      throw invalidArgType("lookup", "of type function", options.lookup)
    }
    if (options.type !== "udp4") {
      throw typeError("ERR_SOCKET_BAD_TYPE", "Bad socket type specified. Valid types are: udp4 (the stack speaks IPv4)")
    }
    return options
  }
  class BoundSocket extends Socket {
    constructor(type: "udp4" | SocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void) {
      super(runtime, udp, optionsOf(type))
      // (a listener that is no function is ignored, as Node's)
      if (typeof listener === "function") this.on("message", listener)
    }
  }
  return { createSocket: (type, listener) => new BoundSocket(type, listener), Socket: BoundSocket }
}

/** `Dgram` over the stack in context. @category constructors */
export const make: Effect.Effect<Dgram, never, Udp> = Effect.suspend(() => makeWith())

/** `Dgram` over the stack in context, whose sockets resolve names with `lookup` unless given their own. @category constructors */
export const makeWith = (lookup?: LookupFunction): Effect.Effect<Dgram, never, Udp> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<Udp>()
    const udp = yield* Udp
    return fromRuntime(runtime, udp, lookup)
  })
