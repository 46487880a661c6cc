/**
 * Node's `net` over the stack's TCP: `createServer`, `connect` /
 * `createConnection`, and a `Socket` that is a real `stream.Duplex`
 * behaving as `net.Socket` does, so that programs written for `node:net`
 * (and Node's own `http`, through `Http.ts`) run on the stack unchanged
 * apart from where the module comes from.
 *
 * ```ts
 * const net = yield* Net.make            // needs Tcp and Stack (Stack.layer)
 * net.createServer((s) => s.pipe(s)).listen(7)
 * ```
 *
 * Contract, as `net.Socket` (Node 20) keeps it:
 * - **Backpressure** both ways. `write` returns false once the stream's
 *   high-water mark is queued and `'drain'` follows; a chunk is handed to
 *   the stack only when the connection's send buffer takes it, so a peer
 *   that stops reading stops us at the stack's buffer plus one mark. Data is
 *   read from the connection only while the readable side wants it
 *   (`push` returned true), so a paused socket leaves the data in the
 *   connection, whose window closes (RFC 9293 §3.8.6).
 * - **Half-close.** The peer's FIN is `'end'`; without `allowHalfOpen` the
 *   socket then ends its own side, as Node does. `end()` sends our FIN after
 *   the data (`Connection.end`).
 * - **destroy** is `close(2)`: a FIN after what is queued, or an RST when
 *   received data was left unread (Linux's rule, `Connection.close`);
 *   `resetAndDestroy()` is an RST at once. `'close'` (with `hadError`)
 *   follows `'error'`, after the stream machinery's own events.
 * - **Events in Node's order:** `'lookup'` (only for a name resolved by
 *   the `lookup` option), `'connectionAttempt'` (and `'connectionAttemptFailed'`
 *   when the handshake fails), `'connect'`, `'ready'`, `'data'`…, `'end'`,
 *   `'finish'`, `'close'`; errors carry the errno `code` a Linux program
 *   sees (Errors.ts).
 * - **A name with several addresses** (Node 20's happy eyeballs, lib/net.js's
 *   lookupAndConnectMultiple / internalConnectMultiple): under
 *   `autoSelectFamily` (Node 20's default; the option, or
 *   `setDefaultAutoSelectFamily`), with no `family` and no `localAddress`,
 *   the lookup is asked for `all` of them and they are tried one after the
 *   other, each address once, in alternating families from the first one's;
 *   every attempt but the last is given `autoSelectFamilyAttemptTimeout` ms
 *   (250, at least 10) on Effect's Clock, then abandoned (ETIMEDOUT,
 *   `'connectionAttemptTimeout'`); the first to connect wins, and when none
 *   does the error is Node's AggregateError of every attempt's, its `code`
 *   the first one's. `autoSelectFamilyAttemptedAddresses` lists what was
 *   tried. One address (or autoSelectFamily off) is a single connect, as
 *   before. An IPv6 address fails its attempt at once with EAFNOSUPPORT (the
 *   stack speaks IPv4 only, as a kernel without IPv6), and the next is tried.
 * - **Idle timeouts** (`Socket#setTimeout`, Node's name for them) run on Effect's Clock: a fiber per socket
 *   that has one, sleeping to the idle deadline; activity only stamps a
 *   time, a new value starts the timer again (as Node arms a fresh one on
 *   each call), destroy stops it. TestClock drives them.
 * - **A listen's `host`** binds as `bind(2)` does: the wildcard (none given,
 *   `0.0.0.0` or `::`) takes connections to every address of the stack, one
 *   of its addresses (its own, or one of 127.0.0.0/8) only those to it, so
 *   `listen(port, "127.0.0.1")` is out of reach of the link; another
 *   address fails with `EADDRNOTAVAIL`.
 *
 * Where the stack differs from a host's sockets, on purpose:
 * - host names resolve through the `lookup` option (Node's signature, so a
 *   DNS client can be plugged in), else through the one the `Net` was made
 *   with (`start()`'s: the hosts file, then the stack's DNS if configured),
 *   else not at all (ENOTFOUND); a listen's `host` name through the
 *   `Net`'s, as Node's listen looks it up; `localhost` is 127.0.0.1, the
 *   stack's loopback;
 * - `ref`/`unref` do nothing: the stack itself keeps the process alive.
 *
 * @since 0.1.0
 */
import { ADDRCONFIG } from "node:dns"
import { EventEmitter } from "node:events"
import * as nodeNet from "node:net"
import { isIP, isIPv4, isIPv6 } from "node:net"
import { Duplex } from "node:stream"
import { type Clock, Duration, Effect, Exit, Fiber, Option, Runtime, Scope } from "effect"
import * as Stack from "../Stack.js"
import { type Connection, type Listener, Tcp, type TcpService } from "../tcp/Tcp.js"
import { TcpError } from "../tcp/TcpError.js"
import * as Addr from "../wire/Ipv4Addr.js"
import {
  abortError,
  aggregateError,
  fromTcpError,
  invalidArgType,
  invalidValue,
  listenError,
  nodeError,
  outOfRange,
  rangeError,
  systemError,
  typeError,
  validateInt32,
  validPort
} from "./Errors.js"
import { boundAddress, isLocalHost, literalAddress, notFound } from "./Hosts.js"
import { failureOf, onAbort, runNow, runOn } from "./Run.js"

/** What every socket and server of one `Net` shares. */
interface NetContext {
  readonly runtime: Runtime.Runtime<Tcp>
  readonly tcp: TcpService
  readonly clock: Clock.Clock
  /** the stack's own address, dotted */
  readonly address: string
  /** what resolves a host name when a connect gives no `lookup` of its own */
  readonly lookup: LookupFunction | undefined
  /** the happy-eyeballs defaults `setDefaultAutoSelectFamily*` change, as Node's module-wide ones */
  readonly defaults: { autoSelectFamily: boolean; attemptTimeout: number }
}

/** Octets a socket's read takes at most, as libuv's read buffer for a TCP handle (64 KiB). */
const READ_SIZE = 65536

/**
 * Node's `lookup` option, called as Node 20's net calls it (dns.lookup's shape): with `all: true`
 * (a connect under autoSelectFamily) it answers the list of `{ address, family }`, else one
 * address and its family. `family` is the connect's (none: undefined), `hints` dns.ADDRCONFIG when
 * no family was asked.
 */
export type LookupFunction = (
  hostname: string,
  options: { readonly family?: number | undefined; readonly hints?: number; readonly all?: boolean },
  callback: (
    err: NodeJS.ErrnoException | null,
    address: string | ReadonlyArray<{ readonly address: string; readonly family: number }>,
    family?: number
  ) => void
) => void

/** @category models */
export interface SocketOptions {
  readonly allowHalfOpen?: boolean
  readonly noDelay?: boolean
  readonly keepAlive?: boolean
  readonly keepAliveInitialDelay?: number
  /** idle timeout in ms (`setTimeout`), for `net.connect` / `createConnection` only, as Node's */
  readonly timeout?: number
  /** the stream's marks, as `stream.Duplex` takes them (net.Socket passes its options on) */
  readonly highWaterMark?: number
  readonly readableHighWaterMark?: number
  readonly writableHighWaterMark?: number
  /** aborting it destroys the socket with an AbortError, as net.Socket's `signal` */
  readonly signal?: AbortSignal
}

/** @category models */
export interface ConnectOptions extends SocketOptions {
  readonly port: number | string
  readonly host?: string
  readonly localPort?: number
  /** the address to connect from (an IPv4 one of the stack's, 127/8, or 0.0.0.0), as bind(2) before connect(2) */
  readonly localAddress?: string
  readonly lookup?: LookupFunction
  /** the family to look the host up in (4, 6, or none: any), as Node's; 4 or 6 makes one attempt */
  readonly family?: number | "IPv4" | "IPv6"
  /** getaddrinfo hints for the lookup, as Node's (dns.ADDRCONFIG when none and no family) */
  readonly hints?: number
  /** try every address a name has, one after the other (Node 20's happy eyeballs); default: the Net's */
  readonly autoSelectFamily?: boolean
  /** ms each of those attempts but the last may take before the next starts (at least 10); default: the Net's */
  readonly autoSelectFamilyAttemptTimeout?: number
}

/** @category models */
export interface ServerOptions {
  readonly allowHalfOpen?: boolean
  readonly pauseOnConnect?: boolean
  readonly noDelay?: boolean
  readonly keepAlive?: boolean
  readonly keepAliveInitialDelay?: number
  /** both marks of every accepted socket (Node 20.1+) */
  readonly highWaterMark?: number
}

/** @category models */
export interface ListenOptions {
  readonly port?: number | string
  readonly host?: string
  readonly backlog?: number
  /** aborting it closes the server, as net.Server's listen `signal` */
  readonly signal?: AbortSignal
}

/** @category models */
export interface AddressInfo {
  readonly address: string
  readonly family: "IPv4"
  readonly port: number
}

const runWith = <A, E>(
  ctx: NetContext,
  effect: Effect.Effect<A, E, Tcp>,
  onExit?: (exit: Exit.Exit<A, E>) => void
): Fiber.RuntimeFiber<A, E> => runOn(ctx.runtime, effect, onExit)

/**
 * `C`, which may also be called without `new`, as Node's net.Server, net.Socket, http.Server and
 * https.Server may (`if (!(this instanceof Server)) return new Server(...)`, which old programs
 * lean on: `require('http').Server(app)`): a call constructs. `new`, `instanceof` and `extends`
 * reach `C` itself.
 */
export const callable = <C extends abstract new (...args: Array<never>) => object>(C: C): C =>
  new Proxy(C, { apply: (target, _this, args) => Reflect.construct(target, args) })

/**
 * The checks of Node 20's lookupAndConnect, in its order, thrown as it throws them: a local
 * address that is no IP address, a local port that is no number, a port that is neither number nor
 * string, then validatePort (0 allowed: Linux sends the SYN, and the peer refuses it); the port.
 */
const connectPort = (o: ConnectOptions): number => {
  const { localAddress, localPort } = o as { localAddress?: unknown; localPort?: unknown }
  if (localAddress && isIP(String(localAddress)) === 0) {
    throw typeError("ERR_INVALID_IP_ADDRESS", `Invalid IP address: ${String(localAddress)}`)
  }
  if (localPort && typeof localPort !== "number") throw invalidArgType("options.localPort", "of type number", localPort)
  if (typeof o.port !== "number" && typeof o.port !== "string") {
    throw invalidArgType("options.port", "one of type number or string", o.port)
  }
  return validPort(o.port, true)
}

/**
 * The ways a connect fails once its SYN went (a reset, a timeout, an ICMP error): over a kernel
 * socket the non-blocking connect(2) took it, and libuv reports the failure later, through
 * Node's afterConnect; the rest fail in connect(2) itself.
 */
const AFTER_SYN: ReadonlySet<TcpError["reason"]> = new Set<TcpError["reason"]>([
  "ConnectionRefused",
  "ConnectionReset",
  "TimedOut",
  "NetworkUnreachable",
  "HostUnreachable",
  "HostDown",
  "NotOnNetwork",
  "ProtocolNotAvailable",
  "NotSupported",
  "ProtocolError"
])

/**
 * The ways a connect fails in connect(2) itself, before any SYN: libuv returns the errno at once
 * (all but ECONNREFUSED, which it delays) and Node's internalConnect names the local end in the
 * message. (A bind's EADDRINUSE on port 0 is libuv's delayed error: reported as after the SYN.)
 */
const AT_CONNECT: ReadonlySet<TcpError["reason"]> = new Set<TcpError["reason"]>([
  "TupleInUse",
  "NoRoute",
  "NoEphemeralPorts",
  "InvalidArgument"
])

/** The longest timer Node keeps (2^31 - 1 ms); a longer one is cut to it, with a warning. */
const TIMEOUT_MAX = 2 ** 31 - 1

/**
 * An idle timeout as Node's getTimerDuration (lib/internal/timers.js) takes it: a number, not
 * negative and finite, cut to TIMEOUT_MAX with a TimeoutOverflowWarning.
 */
const timerDuration = (msecs: unknown): number => {
  if (typeof msecs !== "number") throw invalidArgType("msecs", "of type number", msecs)
  if (msecs < 0 || !Number.isFinite(msecs)) throw outOfRange("msecs", "a non-negative finite number", msecs)
  if (msecs <= TIMEOUT_MAX) return msecs
  process.emitWarning(
    `${msecs} does not fit into a 32-bit signed integer.\nTimer duration was truncated to ${TIMEOUT_MAX}.`,
    "TimeoutOverflowWarning"
  )
  return TIMEOUT_MAX
}

/** The stream's high-water marks a socket's options give, for `stream.Duplex`. */
const marksOf = (o: SocketOptions | undefined): {
  highWaterMark?: number
  readableHighWaterMark?: number
  writableHighWaterMark?: number
} => ({
  ...(o?.highWaterMark !== undefined ? { highWaterMark: o.highWaterMark } : {}),
  ...(o?.readableHighWaterMark !== undefined ? { readableHighWaterMark: o.readableHighWaterMark } : {}),
  ...(o?.writableHighWaterMark !== undefined ? { writableHighWaterMark: o.writableHighWaterMark } : {})
})

/**
 * A chunk read as the Buffer a 'data' event carries: a view of it, or a copy when it is under
 * half of its buffer (one segment's payload in the link's receive batch, up to 64 frames): an
 * application may keep its chunks (a body collected until 'end'), and each would keep a batch
 * alive. Node's sockets hand each read a buffer of its size; a chunk that is most of its
 * buffer (bulk data, or several segments read as one) goes as it is.
 */
const toBuffer = (chunk: Uint8Array): Buffer => {
  // (slice, not Buffer.from: a small Buffer.from is a cut of Node's 8 KiB pool, which it would hold)
  const own = 2 * chunk.byteLength < chunk.buffer.byteLength ? chunk.slice() : chunk
  return Buffer.from(own.buffer, own.byteOffset, own.byteLength)
}

type ReadyState = "opening" | "open" | "readOnly" | "writeOnly" | "closed"

/**
 * A TCP connection on the stack as a `stream.Duplex`, as `net.Socket`.
 * Made by `Net.connect`/`createConnection`, by a server for each
 * connection, or with `new net.Socket()` and `connect(...)`.
 *
 * @category models
 */
export class Socket extends Duplex {
  readonly #ctx: NetContext
  #conn: Connection | undefined = undefined
  #connecting = false
  /**
   * Node's socket has a handle from its connect() (or its accept) until it is destroyed; one
   * without, destroyed, says 'close' with no argument, and cannot be reset (ERR_SOCKET_CLOSED)
   */
  #handle = false
  #connectFiber: Fiber.RuntimeFiber<unknown, unknown> | undefined = undefined
  /** the read pump: one fiber for the socket's life, parked while the readable side is full */
  #pump: Fiber.RuntimeFiber<void, TcpError> | undefined = undefined
  /** `_read` calls so far; the pump parks only when none came while it pushed */
  #demand = 0
  #resumeRead: (() => void) | undefined = undefined
  /**
   * which connection of this object's life this is (a closed socket may connect again): a final
   * end parked on 'connect' in an earlier one must not end the next
   */
  #life = 0
  /**
   * Write callbacks not called yet: parked until the connection opens, or
   * running in the stack. `destroy()` calls each once, as Node's stream does
   * (an error before the connection, none once it was open), so a promisified
   * write never hangs; but one parked whose own 'connect' listener is still to
   * run (a 'connect' listener destroyed the socket): that listener calls it.
   */
  #waitingWrites = new Map<(error?: Error | null) => void, Fiber.RuntimeFiber<void, TcpError> | undefined>()
  /** octets handed to the connection, taken or not (Node's _bytesDispatched: a write that failed after, or was cancelled, counts) */
  #written = 0
  /** octets of the write (or writev) handed to `_write` and not yet to the connection (parked while it connects) */
  #inFlight = 0
  #noDelay: boolean | undefined
  readonly #pauseOnCreate: boolean
  // --- the idle timeout ---
  #timeoutMs = 0
  /** what `timeout` reads: the last value given, as Node's property */
  #timeoutSet: number | undefined = undefined
  #lastActive = 0
  #timedOut = false
  #timer: Fiber.RuntimeFiber<void> | undefined = undefined
  /** the idle time the running timer was started for */
  #timerMs = 0
  #resumeTimer: (() => void) | undefined = undefined
  bytesRead = 0
  /**
   * the peer's end as first read while the connection was open: Node's `_peername`, which
   * getpeername fills once and which outlives the handle (read before 'close', it is still there
   * after; never read, it is gone with the handle)
   */
  #peername: AddressInfo | undefined = undefined
  /** the server that accepted this socket (null for one that connected), as Node sets it */
  server: Server | null = null
  /**
   * `address:port` of every address a connect to a name with several tried, in order (Node 20's
   * autoSelectFamily); undefined when the connect made one attempt, as Node's
   */
  autoSelectFamilyAttemptedAddresses: Array<string> | undefined = undefined

  /** @internal use `Net.Socket` (bound to a stack), not this class directly */
  constructor(ctx: NetContext, options?: SocketOptions & { readonly connection?: Connection; readonly pauseOnCreate?: boolean }) {
    // emitClose false: 'close' carries hadError and is emitted by _destroy, as net.Socket does
    // the marks as net.Socket takes them: passed on to the stream (a write returns false at its own mark)
    super({
      allowHalfOpen: options?.allowHalfOpen ?? false,
      emitClose: false,
      autoDestroy: true,
      // strings reach _write as they are, as net.Socket's (decodeStrings false): writableLength and
      // the high-water mark count a string's length, not its octets, as Node's do
      decodeStrings: false,
      ...marksOf(options)
    })
    this.#ctx = ctx
    this.#noDelay = options?.noDelay
    this.#pauseOnCreate = options?.pauseOnCreate === true
    if (options?.keepAlive === true) this.#keepAlive = { enable: true, initialDelay: options.keepAliveInitialDelay ?? 0 }
    if (options?.connection !== undefined) this.#attach(options.connection)
    if (options?.signal !== undefined) {
      // as Node's addClientAbortSignalOption: destroyed with an AbortError (on the next tick when
      // already aborted); the listener goes with the socket
      const signal = options.signal
      onAbort(signal, () => this.destroy(abortError(signal.reason)), (off) => this.once("close", off))
    }
  }

  /** the stack's connection under this socket (state, RTT, cwnd through `info`), once open */
  get connection(): Connection | undefined {
    return this.#conn
  }

  get connecting(): boolean {
    return this.#connecting
  }
  /** no connection yet, or none any more: Node's socket is pending without a handle, which destroy drops */
  get pending(): boolean {
    return this.#conn === undefined || this.destroyed
  }
  /** octets written: handed to the stack, on the way to it, and queued in the stream (as Node counts them) */
  get bytesWritten(): number {
    let n = this.#written + this.#inFlight
    const queued = (this as unknown as { writableBuffer: ReadonlyArray<{ chunk: Buffer | string; encoding: BufferEncoding }> }).writableBuffer
    for (const { chunk, encoding } of queued) n += typeof chunk === "string" ? Buffer.byteLength(chunk, encoding) : chunk.byteLength
    return n
  }
  /** Node's deprecated `bufferSize`: the stream's writableLength while the socket has a handle (from connect() to destroy), else undefined */
  get bufferSize(): number | undefined {
    return this.#handle ? this.writableLength : undefined
  }
  get readyState(): ReadyState {
    if (this.#connecting) return "opening"
    if (this.#conn === undefined || this.destroyed) return "closed"
    if (this.readable && this.writable) return "open"
    if (this.readable) return "readOnly"
    if (this.writable) return "writeOnly"
    return "closed"
  }
  /** the idle timeout last set (0 once turned off), undefined until one is; Node's Agent compares it */
  get timeout(): number | undefined {
    return this.#timeoutSet
  }

  address(): AddressInfo | Record<string, never> {
    return this.#sockname() ?? {}
  }

  // The ends as Node's getters give them (lib/net.js _getpeername, _getsockname): nothing while
  // connecting; the local end only while the handle lives (destroy lets go of it at once); the
  // peer's kept once read.
  get remoteAddress(): string | undefined {
    return this.#peer()?.address
  }
  get remotePort(): number | undefined {
    return this.#peer()?.port
  }
  get remoteFamily(): "IPv4" | undefined {
    return this.#peer() === undefined ? undefined : "IPv4"
  }
  get localAddress(): string | undefined {
    return this.#sockname()?.address
  }
  get localPort(): number | undefined {
    return this.#sockname()?.port
  }
  get localFamily(): "IPv4" | undefined {
    return this.#sockname() === undefined ? undefined : "IPv4"
  }

  #peer(): AddressInfo | undefined {
    const conn = this.#conn
    if (this.#peername === undefined && this.#handle && !this.#connecting && conn !== undefined) {
      this.#peername = { address: Addr.format(conn.remoteAddress), family: "IPv4", port: conn.remotePort }
    }
    return this.#peername
  }

  #sockname(): AddressInfo | undefined {
    const conn = this.#conn
    if (!this.#handle || conn === undefined) return undefined
    return { address: Addr.format(conn.localAddress), family: "IPv4", port: conn.localPort }
  }

  /**
   * Open a connection: `connect(port[, host][, cb])` or
   * `connect(options[, cb])`. Errors (refused, unreachable, timed out) come
   * as `'error'` then `'close'`, as with `net`.
   */
  connect(options: ConnectOptions, cb?: () => void): this
  connect(port: number | string, host?: string, cb?: () => void): this
  connect(port: number | string, cb?: () => void): this
  connect(...args: Array<unknown>): this {
    const [options, cb] = normalizeConnect(args)
    // A closed socket may connect again, as Node's does: the same object, a fresh connection,
    // fresh counters (Node's connect() on a destroyed socket drops its handle and undestroys it)
    if (cb !== undefined) this.once("connect", cb)
    if (options.port === undefined) throw typeError("ERR_MISSING_ARGS", `The "options" or "port" or "path" argument must be specified`)
    if (this.destroyed) this.#renew()
    if (this.#conn !== undefined || this.#connecting) {
      throw nodeError("ERR_SOCKET_CONNECTION_ALREADY_OPEN", "Socket is already connected")
    }
    const port = connectPort(options)
    // (then, as Node's lookupAndConnect, the happy-eyeballs options, checked even for an address)
    const given = options as { autoSelectFamily?: unknown; autoSelectFamilyAttemptTimeout?: unknown }
    if (given.autoSelectFamily != null && typeof given.autoSelectFamily !== "boolean") {
      throw invalidArgType("options.autoSelectFamily", "of type boolean", given.autoSelectFamily)
    }
    const autoSelectFamily = options.autoSelectFamily ?? this.#ctx.defaults.autoSelectFamily
    const attemptTimeout = given.autoSelectFamilyAttemptTimeout != null
      ? Math.max(10, validateInt32(given.autoSelectFamilyAttemptTimeout, "options.autoSelectFamilyAttemptTimeout", 1))
      : this.#ctx.defaults.attemptTimeout
    if (options.noDelay !== undefined) this.#noDelay = options.noDelay
    if (options.keepAlive === true) this.#keepAlive = { enable: true, initialDelay: options.keepAliveInitialDelay ?? 0 }
    this.#connecting = true
    this.#handle = true
    const host = options.host ?? "localhost"
    const literal = literalAddress(host)
    if (literal !== undefined) {
      this.#open(literal, port, options, true)
      return this
    }
    if (isIPv6(host)) {
      // a literal is not looked up (Node connects to it as it is, on the next tick): one the stack cannot speak
      process.nextTick(() => {
        if (this.#connecting) this.#connectTo(host, 6, port, options)
      })
      return this
    }
    const lookup = options.lookup ?? this.#ctx.lookup
    if (lookup === undefined) {
      // no resolver given: what getaddrinfo says for a name it cannot find
      process.nextTick(() => {
        this.#connecting = false
        this.destroy(notFound(host))
      })
      return this
    }
    // the lookup's options as Node's (socketToDnsFamily; ADDRCONFIG when no family and no hints)
    const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family
    const hints = options.hints || (family !== 4 && family !== 6 ? ADDRCONFIG : 0)
    if (family !== 4 && family !== 6 && !options.localAddress && autoSelectFamily) {
      lookup(host, { family, hints, all: true }, (err, addresses) => this.#connectMultiple(host, port, options, attemptTimeout, err, addresses))
      return this
    }
    lookup(host, { family, hints }, (err, address, family) => {
      this.emit("lookup", err, address, family, host)
      if (this.destroyed) return
      if (err !== null) {
        this.#connecting = false
        this.destroy(err)
      } else this.#connectTo(address as string, family, port, options)
    })
    return this
  }

  /** One address, IPv4 or not: the stack speaks IPv4 only, and fails another as a kernel without IPv6 would (EAFNOSUPPORT). */
  #connectTo(address: string, family: number | undefined, port: number, options: ConnectOptions): void {
    if (isIPv4(address)) return this.#open(address, port, options, false)
    // (Node's internalConnect says it tries, then its connect6 fails at once: no 'connectionAttemptFailed')
    this.emit("connectionAttempt", address, port, family)
    this.#connecting = false
    this.destroy(systemError("EAFNOSUPPORT", "connect", address, port, "the stack speaks IPv4 only"))
  }

  /**
   * Node 20's lookupAndConnectMultiple: the lookup's list (each address a 'lookup' event), each
   * address once, sorted by alternating families starting with the first one's; one address left
   * is a plain connect, several are tried one after the other (#attempt).
   */
  #connectMultiple(
    host: string,
    port: number,
    options: ConnectOptions,
    timeout: number,
    err: NodeJS.ErrnoException | null,
    addresses: unknown
  ): void {
    if (!this.#connecting) return // destroyed while it looked up
    if (err) {
      this.emit("lookup", err, undefined, undefined, host)
      process.nextTick(() => this.destroy(err))
      return
    }
    // (read as Node reads it, an array-like of records: a lookup that answers one address to
    // `all`, a string, yields no valid one, so ERR_INVALID_IP_ADDRESS, as Node 20's)
    const list = addresses as ArrayLike<{ readonly address?: unknown; readonly family?: unknown } | undefined>
    const groups: [Array<Candidate>, Array<Candidate>] = [[], []]
    let preferred: number | undefined
    for (let i = 0; i < list.length; i++) {
      const ip = list[i]?.address
      const family = list[i]?.family
      this.emit("lookup", err, ip, family, host)
      if (!this.#connecting) return
      if (isIP(String(ip)) !== 0 && (family === 4 || family === 6)) {
        preferred ??= family
        const group = groups[family === preferred ? 0 : 1]
        if (!group.some((c) => c.address === ip)) group.push({ address: String(ip), family })
      }
    }
    const [first, second] = groups
    if (first.length === 0) {
      const ip = list[0]?.address
      const family = list[0]?.family
      const e = isIP(String(ip)) === 0
        ? typeError("ERR_INVALID_IP_ADDRESS", `Invalid IP address: ${String(ip)}`)
        : Object.assign(rangeError("ERR_INVALID_ADDRESS_FAMILY", `Invalid address family: ${String(family)} ${host}:${options.port}`), {
          host,
          port: options.port
        })
      process.nextTick(() => this.destroy(e))
      return
    }
    const toAttempt: Array<Candidate> = []
    for (let i = 0; i < Math.max(first.length, second.length); i++) {
      if (i < first.length) toAttempt.push(first[i]!)
      if (i < second.length) toAttempt.push(second[i]!)
    }
    if (toAttempt.length === 1) return this.#connectTo(toAttempt[0]!.address, toAttempt[0]!.family, port, options)
    this.autoSelectFamilyAttemptedAddresses = []
    this.#attempt({ addresses: toAttempt, current: 0, port, localPort: options.localPort, timeout, errors: [] })
  }

  /**
   * Node 20's internalConnectMultiple: the next address, bounded by the attempt timeout (on the
   * Clock) unless it is the last, which takes as long as the handshake does; a refusal, a timeout
   * (the attempt given up: its half-open connection goes) or an address the stack cannot speak is
   * recorded and the next one tried; when none is left, an AggregateError of every attempt's.
   */
  #attempt(attempts: Attempts): void {
    if (this.destroyed || !this.#connecting) return
    if (attempts.current === attempts.addresses.length) {
      this.#connecting = false
      this.destroy(
        attempts.errors.length === 0
          ? nodeError("ERR_SOCKET_CONNECTION_TIMEOUT", "Socket connection timeout")
          : aggregateError(attempts.errors)
      )
      return
    }
    const current = attempts.current++
    const { address, family } = attempts.addresses[current]!
    const { port, localPort } = attempts
    this.emit("connectionAttempt", address, port, family)
    this.autoSelectFamilyAttemptedAddresses?.push(`${address}:${port}`)
    const failed = (ex: Error): void => {
      attempts.errors.push(ex)
      this.emit("connectionAttemptFailed", address, port, family, ex)
      this.#attempt(attempts)
    }
    if (family !== 4 || !isIPv4(address)) return failed(systemError("EAFNOSUPPORT", "connect", address, port, "the stack speaks IPv4 only"))
    const connect = this.#ctx.tcp.connect({
      address,
      port,
      ...(localPort !== undefined ? { localPort } : {}),
      ...(this.#noDelay === true ? { noDelay: true } : {})
    })
    const last = current === attempts.addresses.length - 1
    const effect = last ? Effect.asSome(connect) : Effect.timeoutOption(connect, Duration.millis(attempts.timeout))
    const fiber = runWith(this.#ctx, effect, (exit) => {
      if (this.#connectFiber === fiber) this.#connectFiber = undefined
      if (Exit.isSuccess(exit) && Option.isSome(exit.value)) return this.#connected(exit.value.value)
      if (this.destroyed || !this.#connecting) return
      if (Exit.isSuccess(exit)) {
        // (Node's internalConnectMultipleTimeout: the event, then ETIMEDOUT as its afterConnect would word it)
        this.emit("connectionAttemptTimeout", address, port, family)
        const timedOut = new TcpError({ reason: "TimedOut", detail: `no answer within autoSelectFamilyAttemptTimeout (${attempts.timeout} ms)` })
        attempts.errors.push(this.#connectError(timedOut, address, port, undefined, localPort).error)
        return this.#attempt(attempts)
      }
      const e = failureOf(exit)
      if (Option.isSome(e)) failed(this.#connectError(e.value, address, port, undefined, localPort).error)
    })
    this.#connectFiber = fiber
  }

  /** Node's afterConnect on success: the connection is the socket's, unless it was destroyed meanwhile. */
  #connected(conn: Connection): void {
    this.#connecting = false
    if (this.destroyed) {
      // destroyed while the handshake ran: the connection goes at once
      runWith(this.#ctx, conn.close)
      return
    }
    this.#attach(conn)
    this.emit("connect")
    this.emit("ready")
  }

  /**
   * A connect's failure as Node reports it: `error`, and whether it came after the SYN went (then
   * through afterConnect, which says 'connectionAttemptFailed' first) or in bind(2)/connect(2).
   */
  #connectError(
    e: TcpError,
    address: string,
    port: number,
    localAddress: string | undefined,
    localPort: number | undefined
  ): { readonly error: Error; readonly afterSyn: boolean } {
    const bindAddress = localAddress ?? "0.0.0.0"
    // a local address or port that cannot be had fails where Node's connect fails with it: the
    // bind before the connect, to that address (or the wildcard) and port. Not a bind of port 0
    // (a local address alone, or with localPort 0) that finds no free port: libuv keeps a bind's
    // EADDRINUSE for the connect, and Node's checkBindError looks only at a port it asked for,
    // so that one comes from connect, naming the peer (as a connect from no local address: below)
    const atBind = e.reason === "AddressNotAvailable" || (e.reason === "AddressInUse" && !!localPort)
    if (atBind) return { error: fromTcpError(e, "bind", bindAddress, localPort), afterSyn: false }
    // connect(2) failing at once (a 4-tuple taken: the bind, SO_REUSEADDR as libuv's, went
    // through; no route; no ephemeral port; an address that cannot go there): Node's
    // internalConnect reports it with the socket's own end (getsockname), the wildcard and port
    // 0 when nothing was bound; from a local address without a port, the port its bind of port 0
    // picked (the stack's error names it: TcpError.localPort)
    if (AT_CONNECT.has(e.reason)) {
      return { error: fromTcpError(e, "connect", address, port, `${bindAddress}:${localPort || e.localPort || 0}`), afterSyn: false }
    }
    // one that failed after its SYN went, from a local port it was given, names its local end,
    // as Node's afterConnect does (`req.localAddress && req.localPort`: the wildcard when no
    // address was given)
    if (!localPort || !AFTER_SYN.has(e.reason)) return { error: fromTcpError(e, "connect", address, port), afterSyn: true }
    const err = fromTcpError(e, "connect", address, port, `${bindAddress}:${localPort}`)
    return { error: Object.assign(err, { localAddress: bindAddress, localPort }), afterSyn: true }
  }

  /**
   * One connect, as Node's internalConnect: 'connectionAttempt' (on the next tick for an address
   * given as one, which Node connects to on the next tick), then the handshake.
   */
  #open(address: string, port: number, options: ConnectOptions, literal: boolean): void {
    const tcp = this.#ctx.tcp
    const localPort = options.localPort
    // (Node binds only when it was given one of them: its bind error names the wildcard then)
    const localAddress = options.localAddress || undefined
    if (localAddress !== undefined && !isIPv4(localAddress)) {
      // an IPv6 address to connect an IPv4 socket from: libuv's bind refuses it (uv_ip4_addr)
      process.nextTick(() => {
        this.#connecting = false
        this.destroy(systemError("EINVAL", "bind", localAddress, localPort))
      })
      return
    }
    if (!literal) this.emit("connectionAttempt", address, port, 4)
    else {
      process.nextTick(() => {
        if (this.#connecting) this.emit("connectionAttempt", address, port, 4)
      })
    }
    const effect = tcp.connect({
      address,
      port,
      ...(localPort !== undefined ? { localPort } : {}),
      ...(localAddress !== undefined ? { localAddress } : {}),
      ...(this.#noDelay === true ? { noDelay: true } : {})
    })
    this.#connectFiber = runWith(this.#ctx, effect, (exit) => {
      this.#connectFiber = undefined
      if (Exit.isSuccess(exit)) return this.#connected(exit.value)
      this.#connecting = false
      const e = failureOf(exit)
      if (Option.isNone(e) || this.destroyed) return
      const { afterSyn, error } = this.#connectError(e.value, address, port, localAddress, localPort)
      // (Node's afterConnect says so before it destroys; a bind or connect(2) that fails does not)
      if (afterSyn) this.emit("connectionAttemptFailed", address, port, 4, error)
      this.destroy(error)
    })
  }

  /** Forget the last connection and make the stream usable again, for a connect after close. */
  #renew(): void {
    this.#handle = false
    this.#conn = undefined
    this.#connecting = false
    this.#connectFiber = undefined
    this.#pump = undefined
    this.#demand = 0
    this.#resumeRead = undefined
    this.#life++
    // A write parked until the last connection opened whose own 'connect' listener has not run (a
    // 'connect' listener destroyed the socket and connected it again) is not this connection's:
    // called back as Node's parked write is when the old handle closes, ERR_SOCKET_CLOSED_BEFORE_CONNECTION
    // (which the stream takes as the write's error, ending the new connection, as Node's does). Not
    // left uncalled: the stream would hold every later write behind it
    const orphans = [...this.#waitingWrites.keys()]
    this.#waitingWrites.clear()
    if (orphans.length > 0) {
      setImmediate(() => {
        for (const write of orphans) write(nodeError("ERR_SOCKET_CLOSED_BEFORE_CONNECTION", "Socket closed before the connection was established"))
      })
    }
    this.#written = 0
    this.#inFlight = 0
    this.#timedOut = false
    this.#reset = false
    this.bytesRead = 0
    this.#peername = undefined
    // (Duplex's own: the stream's destroyed, ended and finished states back to new)
    ;(this as unknown as { _undestroy(): void })._undestroy()
  }

  /** the connection is open: addresses, pending work, and reading if it was asked for */
  #attach(conn: Connection): void {
    this.#conn = conn
    this.#handle = true
    if (this.#noDelay !== undefined) runWith(this.#ctx, conn.setNoDelay(this.#noDelay))
    if (this.#keepAlive !== undefined) runWith(this.#ctx, this.#applyKeepAlive(conn))
    this.#touch()
    if (this.#demand > 0) this.#startPump(conn)
    // as net.Socket: start reading at once (up to the high-water mark, so the
    // peer's FIN is seen and 'end' comes even when nobody reads), unless the
    // socket was made paused (a server's pauseOnConnect)
    if (this.#pauseOnCreate) this.pause()
    else if (this.#pump === undefined) this.read(0)
  }

  // --- reading ---------------------------------------------------------------------

  override _read(): void {
    this.#demand++
    const conn = this.#conn
    if (conn === undefined) return // the pump starts when the connection opens
    if (this.#pump === undefined) this.#startPump(conn)
    else if (this.#resumeRead !== undefined) {
      const resume = this.#resumeRead
      this.#resumeRead = undefined
      resume()
    }
  }

  #startPump(conn: Connection): void {
    const waitForDemand = park((wake) => (this.#resumeRead = wake))
    // what is queued, up to a read's worth, as one chunk: net.Socket reads up to 64 KiB from the
    // kernel per read, so its 'data' events carry what came meanwhile, not a segment each (a
    // consumer that concatenates per event, as @effect/platform's body reader does, copied a
    // 1.5 MB body ~1000 times over in segments of 1460)
    const read = conn.readUpTo(READ_SIZE)
    const step = (o: Option.Option<Uint8Array>): Effect.Effect<boolean> =>
      Effect.sync(() => {
        if (this.destroyed) return false
        if (Option.isNone(o)) {
          this.push(null)
          // as net does at EOF: a read(0) lets 'end' come out when nothing is buffered, flowing or not
          this.read(0)
          return false
        }
        this.bytesRead += o.value.byteLength
        this.#touch()
        const before = this.#demand
        const more = this.push(toBuffer(o.value))
        // a `_read` during the push (a consumer reading in its 'data' handler) keeps the demand
        if (!more && this.#demand === before) this.#demand = 0
        return true
      })
    const loop: Effect.Effect<void, TcpError> = Effect.suspend(() =>
      this.#demand === 0 ? Effect.zipRight(waitForDemand, loop) : Effect.flatMap(Effect.flatMap(read, step), (go) => (go ? loop : Effect.void))
    )
    this.#pump = runWith(this.#ctx, loop, (exit) => {
      const e = failureOf(exit)
      if (Option.isSome(e) && !this.destroyed) {
        // (Node's ErrnoException: `read ECONNRESET`, naming no peer)
        this.destroy(fromTcpError(e.value, "read"))
      }
    })
  }

  // --- writing ---------------------------------------------------------------------

  /**
   * Without allowHalfOpen, the peer's FIN ends our side too; a write after that is told, as
   * Node tells it, that the other party ended the socket (EPIPE, the callback on the next tick,
   * and the socket destroyed with it), where the stream alone would say write-after-end.
   */
  override write(chunk: unknown, cb?: (error: Error | null | undefined) => void): boolean
  override write(chunk: unknown, encoding: BufferEncoding, cb?: (error: Error | null | undefined) => void): boolean
  override write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    if (!this.allowHalfOpen && this.readableEnded && this.writableEnded) {
      const callback = typeof encoding === "function" ? encoding : cb
      const err = nodeError("EPIPE", "This socket has been ended by the other party")
      if (typeof callback === "function") process.nextTick(callback as (e: Error) => void, err)
      this.destroy(err)
      return false
    }
    return (super.write as (c: unknown, e?: unknown, f?: unknown) => boolean)(chunk, encoding, cb)
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.#dispatch([typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk], cb)
  }

  override _writev(chunks: Array<{ chunk: Buffer | string; encoding: BufferEncoding }>, cb: (error?: Error | null) => void): void {
    this.#dispatch(chunks.map((c) => (typeof c.chunk === "string" ? Buffer.from(c.chunk, c.encoding) : c.chunk)), cb)
  }

  /** a write under way: its octets count in bytesWritten as #inFlight until it reaches the connection (then #written has them) */
  #dispatch(chunks: ReadonlyArray<Buffer>, cb: (error?: Error | null) => void): void {
    let n = 0
    for (const c of chunks) n += c.byteLength
    this.#inFlight = n
    this.#writeAll(chunks, (error) => {
      this.#inFlight = 0
      cb(error)
    })
  }

  #writeAll(chunks: ReadonlyArray<Buffer>, cb: (error?: Error | null) => void): void {
    const conn = this.#conn
    // (no handle: never connected, or destroyed, as by a 'connect' listener before a parked write's own ran)
    if (conn === undefined || !this.#handle) {
      if (this.#connecting) {
        // as Node's _writeGeneric: the write goes from a 'connect' listener of its own, so it
        // runs (and a write taken at once calls back) after the listeners that came before it
        // (connect()'s callback) and before 'ready'; destroy() may have called it back already
        this.#waitingWrites.set(cb, undefined)
        const life = this.#life
        this.once("connect", () => {
          if (this.#life === life && this.#waitingWrites.delete(cb)) this.#writeAll(chunks, cb)
        })
      } else cb(nodeError("ERR_SOCKET_CLOSED", "Socket is closed")) // as Node's for a socket with no handle
      return
    }
    // The stack keeps what it is given until the peer acknowledges it; a
    // program may reuse its buffer once the callback ran (as with the kernel,
    // which copies), so the stack gets a copy. The chunks of a `_writev` (what
    // cork/uncork gathered: an http message's head and body) go as one write,
    // as Node's writev(2) hands them to the kernel in one call: one segment
    // under noDelay, where a write per chunk sent a segment per chunk.
    let n = 0
    for (const c of chunks) n += c.byteLength
    // handed to the connection: written, for bytesWritten, whatever becomes of it (Node counts a
    // write once it is dispatched to its handle: one that fails after, or that a destroy cancels,
    // still counts)
    this.#inFlight = 0
    this.#written += n
    const copy = new Uint8Array(n)
    let at = 0
    for (const c of chunks) {
      copy.set(c, at)
      at += c.byteLength
    }
    const settle = (exit: Exit.Exit<void, TcpError>): void => {
      if (Exit.isSuccess(exit)) {
        this.#touch()
        cb()
        return
      }
      if (Option.isNone(failureOf(exit)) && !Exit.isInterrupted(exit)) {
        // a defect: thrown where Node would throw it, as runOn does
        runWith(this.#ctx, Effect.failCause(exit.cause))
        return
      }
      const e = failureOf(exit)
      cb(Option.isSome(e) ? fromTcpError(e.value, "write") : new Error("write interrupted"))
    }
    // What the send buffer has room for is taken in this call, and the callback comes in it, as
    // Node's does when the kernel takes a write at once (then `write()` keeps returning true and
    // no 'drain' follows); a write that must wait for room goes on in its fiber.
    const run = runNow(this.#ctx.runtime, conn.write(copy))
    if (run._tag === "Done") return settle(run.exit)
    this.#waitingWrites.set(cb, run.fiber)
    run.fiber.addObserver((exit) => {
      process.nextTick(() => {
        // (destroy() called it already)
        if (this.#waitingWrites.delete(cb)) settle(exit)
      })
    })
  }

  override _final(cb: (error?: Error | null) => void): void {
    const conn = this.#conn
    if (conn === undefined) {
      if (this.#connecting) {
        // (as Node's: once connected; not on a later connection of this object)
        const life = this.#life
        this.once("connect", () => {
          if (this.#life === life) this._final(cb)
        })
      }
      else cb()
      return
    }
    runWith(this.#ctx, conn.end, () => cb())
  }

  // --- closing ---------------------------------------------------------------------

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (!this.#handle) {
      // never connected: nothing to close but the idle timer (Node's _destroy clears it too: no
      // 'timeout' after 'close'); 'close' (without an argument) on the next tick, as Node's
      this.#stopTimer()
      cb(err)
      process.nextTick(() => this.emit("close"))
      return
    }
    const opened = this.#conn !== undefined
    this.#connecting = false
    // (Node's _destroy closes the handle and lets go of it: no bufferSize after)
    this.#handle = false
    if (this.#connectFiber !== undefined) runWith(this.#ctx, Fiber.interruptFork(this.#connectFiber))
    const writes: Array<(error?: Error | null) => void> = []
    for (const [write, fiber] of this.#waitingWrites) {
      // (one parked until the connection opened, destroyed by a 'connect' listener before its own
      // ran: that listener still runs, finds no handle and says so, ERR_SOCKET_CLOSED, as Node's
      // _writeGeneric does from its 'connect' listener)
      if (opened && fiber === undefined) continue
      this.#waitingWrites.delete(write)
      writes.push(write)
      if (fiber !== undefined) runWith(this.#ctx, Fiber.interruptFork(fiber))
      if (!opened) write(nodeError("ERR_SOCKET_CLOSED_BEFORE_CONNECTION", "Socket closed before the connection was established"))
    }
    this.#stopTimer()
    const pump = this.#pump
    const conn = this.#conn
    const reset = this.#reset
    // (composed, not an `Effect.gen(function*)` written here: a generator function made per socket gets
    // a hidden class of its own in V8's old generation, which keeps what it closes over reachable to
    // every young-generation collection until a full one; notes/bench-investigations.md, 32nd pass)
    const closing = Effect.zipRight(
      pump !== undefined ? Fiber.interruptFork(pump) : Effect.void,
      conn !== undefined ? (reset ? conn.abort : conn.close) : Effect.void
    )
    runWith(this.#ctx, closing)
    cb(err)
    // net.Socket emits 'close' from the handle's close callback, a turn of the
    // event loop later: after the stream's own 'error' (queued by cb on this
    // tick) and after the promise jobs the program's handlers queued
    setImmediate(() => {
      // a write the connection was still taking is called back as Node's is: the handle's close
      // cancels its request, whose callback (onWriteComplete) runs just before the close
      // callback's 'close', after 'error'. On the destroyed stream it says nothing; on one a
      // connect() took up again meanwhile (undestroyed, a new handle) it is the request's
      // ECANCELED, which the stream takes as the write's error and is destroyed by, as Node's.
      // Called back either way: the stream holds every later write until it is
      if (opened) {
        for (const write of writes) write(this.destroyed ? null : systemError("ECANCELED", "write"))
      }
      // (after what those callbacks queued for the next tick: the 'error' of a destroy they caused)
      process.nextTick(() => this.emit("close", err !== null && err !== undefined))
    })
  }

  #reset = false

  /** Close with an RST at once (SO_LINGER 0), then destroy. */
  /** Close with an RST (SO_LINGER 0); while connecting, once connected, as Node 20 does. */
  resetAndDestroy(): this {
    if (!this.#handle || this.destroyed) {
      if (!this.destroyed) this.destroy(nodeError("ERR_SOCKET_CLOSED", "Socket is closed"))
      return this
    }
    if (this.#connecting) {
      this.once("connect", () => {
        this.#reset = true
        this.destroy()
      })
      return this
    }
    this.#reset = true
    return this.destroy()
  }

  /** End, then destroy once everything written is handed over. */
  destroySoon(): void {
    if (this.writable) this.end()
    if (this.writableFinished) this.destroy()
    else this.once("finish", () => this.destroy())
  }

  // --- options ---------------------------------------------------------------------

  setNoDelay(noDelay = true): this {
    this.#noDelay = noDelay
    const conn = this.#conn
    if (conn !== undefined) runWith(this.#ctx, conn.setNoDelay(noDelay))
    return this
  }

  /**
   * Keepalive probes for this connection (SO_KEEPALIVE): after
   * `initialDelay` ms of silence, or the stack's `tcp.keepaliveIdle` when 0
   * (Node's "leave it as it is"); interval and count are the stack's.
   */
  setKeepAlive(enable = false, initialDelay = 0): this {
    this.#keepAlive = { enable, initialDelay }
    const conn = this.#conn
    if (conn !== undefined) runWith(this.#ctx, this.#applyKeepAlive(conn))
    return this
  }

  #keepAlive: { readonly enable: boolean; readonly initialDelay: number } | undefined = undefined

  #applyKeepAlive(conn: Connection): Effect.Effect<void> {
    const k = this.#keepAlive
    if (k === undefined) return Effect.void
    return conn.setKeepAlive(k.enable, k.initialDelay > 0 ? Duration.millis(k.initialDelay) : undefined)
  }

  ref(): this {
    return this
  }
  unref(): this {
    return this
  }

  /**
   * Emit `'timeout'` after `ms` of inactivity (no data read or written),
   * once per idle period; 0 turns it off. Nothing is closed: as with `net`,
   * the program decides.
   */
  setTimeout(ms: number, cb?: () => void): this {
    // (a destroyed socket takes no timeout, no listener and no check, as Node's setStreamTimeout)
    if (this.destroyed) return this
    // in Node's setStreamTimeout's order: the duration checked and the timer armed, then the
    // callback checked and taken, so a call that throws leaves no listener behind
    this.#idleTimeout(ms)
    if (cb !== undefined) {
      if (typeof cb !== "function") throw invalidArgType("callback", "of type function", cb)
      if (ms === 0) this.removeListener("timeout", cb)
      else this.once("timeout", cb)
    }
    return this
  }

  #idleTimeout(msecs: number): this {
    // (the `timeout` property is what was asked, kept before the check, as Node's `this.timeout = msecs`)
    this.#timeoutSet = msecs
    const ms = timerDuration(msecs)
    this.#timeoutMs = ms
    if (ms === 0) {
      this.#stopTimer()
      return this
    }
    this.#touch()
    if (this.destroyed) return this
    // Node arms a fresh timer on every call. A timer already sleeping towards the old deadline
    // would be late after a lower value (an http server's keepAliveTimeout under its longer
    // `timeout`), so one running with another value starts again; with the same value it reads
    // the new activity stamp when it wakes, which comes to the same deadline.
    if (this.#timer !== undefined && this.#timerMs !== ms) this.#stopTimer()
    if (this.#timer === undefined) this.#startTimer()
    return this
  }

  /** activity: stamp the time (one Clock read), and wake a timer parked after a timeout */
  #touch(): void {
    if (this.#timeoutMs === 0) return
    this.#lastActive = this.#ctx.clock.unsafeCurrentTimeMillis()
    this.#timedOut = false
    const resume = this.#resumeTimer
    if (resume !== undefined) {
      this.#resumeTimer = undefined
      resume()
    }
  }

  #startTimer(): void {
    const clock = this.#ctx.clock
    // (a timer being stopped must not clear what a newer one holds: each clears only its own)
    const waitForActivity = Effect.async<void>((resume) => {
      const wake = () => resume(Effect.void)
      this.#resumeTimer = wake
      return Effect.sync(() => {
        if (this.#resumeTimer === wake) this.#resumeTimer = undefined
      })
    })
    const loop: Effect.Effect<void> = Effect.suspend(() => {
      const ms = this.#timeoutMs
      if (ms === 0) return Effect.void
      const idle = clock.unsafeCurrentTimeMillis() - this.#lastActive
      if (idle < ms) return Effect.zipRight(Effect.sleep(ms - idle), loop)
      if (!this.#timedOut) {
        this.#timedOut = true
        // (one stopped meanwhile, its interruption still on the way, says nothing)
        process.nextTick(() => {
          if (this.#timer === timer) this.emit("timeout")
        })
      }
      return Effect.zipRight(waitForActivity, loop)
    })
    this.#timerMs = this.#timeoutMs
    const timer: Fiber.RuntimeFiber<void> = runWith(this.#ctx, loop, () => {
      if (this.#timer === timer) this.#timer = undefined
    })
    this.#timer = timer
  }

  #stopTimer(): void {
    const timer = this.#timer
    this.#timer = undefined
    this.#resumeTimer = undefined
    if (timer !== undefined) runWith(this.#ctx, Fiber.interruptFork(timer))
  }
}

/** Wait until the `wake` handed to `hold` is called; on interruption `hold` gets undefined. */
const park = (hold: (wake: (() => void) | undefined) => void): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    hold(() => resume(Effect.void))
    return Effect.sync(() => hold(undefined))
  })

/** An address a connect may try. */
interface Candidate {
  readonly address: string
  readonly family: 4 | 6
}

/** A connect's attempts at several addresses, as Node 20's internalConnectMultiple's context. */
interface Attempts {
  readonly addresses: ReadonlyArray<Candidate>
  /** the next one to try */
  current: number
  readonly port: number
  readonly localPort: number | undefined
  /** ms an attempt but the last may take */
  readonly timeout: number
  readonly errors: Array<Error>
}

/** `connect`'s overloads to one options record and callback, as net.normalizeArgs. */
const normalizeConnect = (args: ReadonlyArray<unknown>): [ConnectOptions, (() => void) | undefined] => {
  const last = args[args.length - 1]
  const cb = typeof last === "function" ? (last as () => void) : undefined
  const first = args[0]
  if (first !== null && typeof first === "object") return [first as ConnectOptions, cb]
  const host = typeof args[1] === "string" ? args[1] : undefined
  return [{ port: first as number | string, ...(host !== undefined ? { host } : {}) }, cb]
}

/**
 * A TCP server on the stack, as `net.Server`: `listen`, `close`,
 * `address`, `getConnections`, `maxConnections`, and the events
 * `'listening'`, `'connection'`, `'error'`, `'close'`, `'drop'`.
 *
 * @category models
 */
export class Server extends EventEmitter {
  readonly #ctx: NetContext
  readonly #options: ServerOptions
  #scope: Scope.CloseableScope | undefined = undefined
  #starting = false
  /** close() came while the listen was still under way: close once it is done */
  #closeWhenStarted = false
  #address: AddressInfo | undefined = undefined
  /**
   * connections open now: a count, not a Set of the sockets (nothing walks them, and a long-lived
   * Set that sockets come and go through keeps them alive through scavenges: internal/ChurnMap.ts)
   */
  #open = 0
  /** new connections beyond this many are closed at once (`'drop'`), as net.Server's */
  maxConnections: number | undefined = undefined

  /** @internal use `Net.createServer` */
  constructor(ctx: NetContext, options?: ServerOptions, connectionListener?: (socket: Socket) => void) {
    super()
    this.#ctx = ctx
    this.#options = options ?? {}
    if (connectionListener !== undefined) this.on("connection", connectionListener)
  }

  get listening(): boolean {
    return this.#scope !== undefined
  }

  address(): AddressInfo | null {
    return this.#address ?? null
  }

  /**
   * Listen: `listen([port][, host][, backlog][, cb])` or
   * `listen(options[, cb])`. Port 0 or none takes a free ephemeral port.
   */
  listen(options: ListenOptions, cb?: () => void): this
  listen(port?: number | string, host?: string, backlog?: number, cb?: () => void): this
  listen(port?: number | string, host?: string, cb?: () => void): this
  listen(port?: number | string, cb?: () => void): this
  listen(...args: Array<unknown>): this {
    const last = args[args.length - 1]
    const cb = typeof last === "function" ? (last as () => void) : undefined
    const plain = args.filter((a) => typeof a !== "function")
    const o: ListenOptions = plain[0] !== null && typeof plain[0] === "object"
      ? (plain[0] as ListenOptions)
      : {
        port: plain[0] as number | string,
        ...(typeof plain[1] === "string" ? { host: plain[1] } : {}),
        ...(typeof plain[1] === "number" ? { backlog: plain[1] } : typeof plain[2] === "number" ? { backlog: plain[2] } : {})
      }
    if (this.#scope !== undefined || this.#starting) {
      throw nodeError("ERR_SERVER_ALREADY_LISTEN", "Listen method has been called more than once without closing.")
    }
    // (Node's listen: no port, or one given as undefined or null, is any port; a port, a number or a
    // string, must pass validatePort; an object with neither a port nor a path is refused)
    const noPort = plain.length === 0 || o.port === null || (o.port === undefined && "port" in o)
    if (!noPort && typeof o.port !== "number" && typeof o.port !== "string") {
      throw "port" in o || "path" in o
        ? invalidValue("options", "is invalid", o)
        : invalidValue("options", `must have the property "port" or "path"`, o)
    }
    const port = noPort ? 0 : validPort(o.port, true, "options.port")
    // (an empty or null host is none, as Node's `if (options.host)` takes it: every address)
    const host = o.host ? o.host : undefined
    if (host !== undefined && isIP(host) === 0 && literalAddress(host) === undefined) {
      // a name: as Node's lookupAndListen, looked up first (dns.lookup; here the Net's lookup),
      // then the listen is on the address it gave; a lookup's error is the server's 'error'
      const lookup = this.#ctx.lookup
      if (lookup === undefined) {
        process.nextTick(() => this.emit("error", notFound(host)))
        return this
      }
      lookup(host, { family: 4, all: false }, (err, address) => {
        if (err !== null) this.emit("error", err)
        else this.listen({ ...o, host: address as string }, ...(cb !== undefined ? [cb] : []))
      })
      return this
    }
    if (host !== undefined && !isLocalHost(host, this.#ctx.address)) {
      process.nextTick(() => this.emit("error", listenError("EADDRNOTAVAIL", host, port, `${host} is not an address of this stack`)))
      return this
    }
    if (cb !== undefined) this.once("listening", cb)
    // as Node's addServerAbortSignalOption: an abort closes the server
    if (o.signal !== undefined) onAbort(o.signal, () => this.close(), (off) => this.once("close", off))
    this.#starting = true
    const tcp = this.#ctx.tcp
    const backlog = o.backlog
    // the address bound (the wildcard: none), as getsockname gives it back
    const bound = boundAddress(host)
    const open = Effect.gen(function*() {
      const scope = yield* Scope.make()
      const options = {
        port,
        ...(bound !== undefined ? { address: bound } : {}),
        ...(backlog !== undefined && backlog > 0 ? { backlog } : {})
      }
      const listener = yield* Scope.extend(tcp.listen(options), scope).pipe(
        Effect.onError(() => Scope.close(scope, Exit.void))
      )
      return { scope, listener }
    })
    const opened = (exit: Exit.Exit<{ scope: Scope.CloseableScope; listener: Listener }, TcpError>): void => {
      this.#starting = false
      if (Exit.isFailure(exit)) {
        if (this.#closeWhenStarted) {
          this.#closeWhenStarted = false
          this.#emitCloseIfDrained()
          return
        }
        const e = failureOf(exit)
        // (the address the host read, as Node's names the one its lookup gave)
        if (Option.isSome(e)) this.emit("error", fromTcpError(e.value, "listen", bound ?? host ?? "0.0.0.0", port))
        return
      }
      const { listener, scope } = exit.value
      this.#scope = scope
      this.#address = { address: bound ?? "0.0.0.0", family: "IPv4", port: listener.port }
      if (this.#closeWhenStarted) {
        this.#closeWhenStarted = false
        this.close()
        return
      }
      runWith(this.#ctx, Effect.forkIn(this.#acceptLoop(listener), scope))
      // (closed meanwhile: no 'listening', as Node's emitListeningNT)
      process.nextTick(() => {
        if (this.#scope === scope) this.emit("listening")
      })
    }
    if (host === undefined) {
      // Node binds at once when no host needs looking up: `listening` and `address()` hold on
      // return (`server.listen(0).address().port`); the stack's listen is synchronous too
      const run = runNow(this.#ctx.runtime, open)
      if (run._tag === "Waiting") {
        // (it waited after all: the fiber goes on, and says when it is done)
        run.fiber.addObserver((done) => process.nextTick(opened, done))
        return this
      }
      const exit = run.exit
      if (Exit.isSuccess(exit)) opened(exit)
      else if (Option.isSome(failureOf(exit))) process.nextTick(opened, exit)
      else runWith(this.#ctx, Effect.failCause(exit.cause)) // a defect: thrown as every other here
      return this
    }
    runWith(this.#ctx, open, opened)
    return this
  }

  #acceptLoop(listener: Listener): Effect.Effect<void, never, Tcp> {
    return Effect.forever(
      Effect.flatMap(listener.accept, (conn) =>
        Effect.sync(() => {
          process.nextTick(() => this.#onConnection(conn))
        }))
    ).pipe(Effect.ignore)
  }

  #onConnection(conn: Connection): void {
    if (this.#scope === undefined) {
      // closed between accept and now
      runWith(this.#ctx, conn.close)
      return
    }
    // (0 is no limit, as Node 20's `if (self.maxConnections && ...)`)
    if (this.maxConnections !== undefined && this.maxConnections > 0 && this.#open >= this.maxConnections) {
      runWith(this.#ctx, conn.close)
      this.emit("drop", {
        localAddress: Addr.format(conn.localAddress),
        localPort: conn.localPort,
        localFamily: "IPv4",
        remoteAddress: Addr.format(conn.remoteAddress),
        remotePort: conn.remotePort,
        remoteFamily: "IPv4"
      })
      return
    }
    const o = this.#options
    const socket = new Socket(this.#ctx, {
      connection: conn,
      ...(o.allowHalfOpen !== undefined ? { allowHalfOpen: o.allowHalfOpen } : {}),
      ...(o.noDelay !== undefined ? { noDelay: o.noDelay } : {}),
      // (as Node 20's onconnection: the server's mark for both sides)
      ...(o.highWaterMark !== undefined ? { readableHighWaterMark: o.highWaterMark, writableHighWaterMark: o.highWaterMark } : {}),
      pauseOnCreate: o.pauseOnConnect === true
    })
    if (o.keepAlive === true) socket.setKeepAlive(true, o.keepAliveInitialDelay ?? 0)
    socket.server = this
    this.#open++
    socket.once("close", () => {
      this.#open--
      this.#emitCloseIfDrained()
    })
    this.emit("connection", socket)
  }

  /** Stop listening; `'close'` (and `cb`) once every connection has closed. */
  close(cb?: (err?: Error) => void): this {
    const scope = this.#scope
    if (scope === undefined && this.#starting) {
      // as Node: a listen under way (a host to look up) is given up, with no 'listening';
      // the server was not running yet, which is what `cb` hears
      this.#closeWhenStarted = true
      if (cb !== undefined) this.once("close", () => cb(nodeError("ERR_SERVER_NOT_RUNNING", "Server is not running.")))
      return this
    }
    if (cb !== undefined) {
      if (scope === undefined) {
        this.once("close", () => cb(nodeError("ERR_SERVER_NOT_RUNNING", "Server is not running.")))
      } else this.once("close", () => cb())
    }
    this.#scope = undefined
    this.#address = undefined
    if (scope !== undefined) {
      runWith(this.#ctx, Scope.close(scope, Exit.void), () => this.#emitCloseIfDrained())
    } else this.#emitCloseIfDrained()
    return this
  }

  #emitCloseIfDrained(): void {
    if (this.#scope !== undefined || this.#starting || this.#open > 0) return
    process.nextTick(() => this.emit("close"))
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    const n = this.#open
    process.nextTick(() => cb(null, n))
    return this
  }

  ref(): this {
    return this
  }
  unref(): this {
    return this
  }

  /**
   * `await using server = net.createServer(...)`: close, and wait for `'close'` (every connection
   * gone), as Node 20's Server; a server that is not listening has nothing to dispose.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#scope === undefined) return
    return new Promise<void>((resolve, reject) => this.close((err) => (err === undefined ? resolve() : reject(err))))
  }
}

/**
 * `node:net`'s API over one stack.
 *
 * @category models
 */
export interface Net {
  /** `new net.Socket()`, bound to this stack */
  readonly Socket: new (options?: SocketOptions) => Socket
  readonly createServer: {
    (connectionListener?: (socket: Socket) => void): Server
    (options?: ServerOptions, connectionListener?: (socket: Socket) => void): Server
  }
  readonly connect: {
    (options: ConnectOptions, connectListener?: () => void): Socket
    (port: number | string, host?: string, connectListener?: () => void): Socket
    (port: number | string, connectListener?: () => void): Socket
  }
  readonly createConnection: Net["connect"]
  /** `new net.Server([options][, connectionListener])`, bound to this stack (what `createServer` makes) */
  readonly Server: new (options?: ServerOptions | ((socket: Socket) => void), connectionListener?: (socket: Socket) => void) => Server
  /** `net.Stream`: Node's old name for `Socket` */
  readonly Stream: new (options?: SocketOptions) => Socket
  /** Node's own string tests (4, 6 or 0; the stack itself speaks IPv4) */
  readonly isIP: (input: string) => number
  readonly isIPv4: (input: string) => boolean
  readonly isIPv6: (input: string) => boolean
  /** Node's own classes, which hold no socket: an address list to test addresses against, an address with its port */
  readonly BlockList: typeof nodeNet.BlockList
  readonly SocketAddress: typeof nodeNet.SocketAddress
  /**
   * Node's happy-eyeballs defaults (lib/net.js), checked and kept as Node's are, starting from
   * Node's own (true, 250 ms): whether a connect to a name with several addresses tries each in
   * turn, and how long each attempt but the last may take (Socket#connect)
   */
  readonly getDefaultAutoSelectFamily: () => boolean
  readonly setDefaultAutoSelectFamily: (value: boolean) => void
  readonly getDefaultAutoSelectFamilyAttemptTimeout: () => number
  readonly setDefaultAutoSelectFamilyAttemptTimeout: (value: number) => void
}

/**
 * `Net` over the stack a runtime provides (`Tcp`), whose own address is
 * `address`; `lookup` resolves the names of connects that give no `lookup`
 * of their own (as Node's `net` uses `dns.lookup`; e.g. `Dns.lookupFunction`
 * over a hosts file and the stack's DNS).
 */
export const fromRuntime = (runtime: Runtime.Runtime<Tcp>, address: string, lookup?: LookupFunction): Net => {
  const ctx: NetContext = {
    runtime,
    tcp: Runtime.runSync(runtime)(Tcp),
    clock: Runtime.runSync(runtime)(Effect.clock),
    address,
    lookup,
    // (starting as Node's own: true in Node 20 unless --no-network-family-autoselection, and 250 ms)
    defaults: {
      autoSelectFamily: nodeNet.getDefaultAutoSelectFamily(),
      attemptTimeout: nodeNet.getDefaultAutoSelectFamilyAttemptTimeout()
    }
  }
  class BoundSocket extends Socket {
    constructor(options?: SocketOptions) {
      super(ctx, options)
    }
  }
  class BoundServer extends Server {
    constructor(a?: ServerOptions | ((s: Socket) => void), b?: (s: Socket) => void) {
      super(ctx, typeof a === "function" ? undefined : a, typeof a === "function" ? a : b)
    }
  }
  const createServer = (a?: ServerOptions | ((s: Socket) => void), b?: (s: Socket) => void): Server => new BoundServer(a, b)
  const SocketClass = callable(BoundSocket)
  const connect = (...args: Array<unknown>): Socket => {
    const [options] = normalizeConnect(args)
    const socket = new Socket(ctx, {
      ...(options.allowHalfOpen !== undefined ? { allowHalfOpen: options.allowHalfOpen } : {}),
      ...(options.noDelay !== undefined ? { noDelay: options.noDelay } : {}),
      ...marksOf(options),
      ...(options.signal !== undefined ? { signal: options.signal } : {})
    })
    // (as Node's net.connect: the timeout option is its own, set before the connect, and only when
    // truthy; neither the Socket constructor nor socket.connect reads it)
    if (options.timeout) socket.setTimeout(options.timeout)
    return (socket.connect as (...a: Array<unknown>) => Socket)(...args)
  }
  return {
    Socket: SocketClass,
    createServer: createServer as Net["createServer"],
    connect: connect as Net["connect"],
    createConnection: connect as Net["connect"],
    Server: callable(BoundServer),
    Stream: SocketClass,
    isIP,
    isIPv4,
    isIPv6,
    BlockList: nodeNet.BlockList,
    SocketAddress: nodeNet.SocketAddress,
    getDefaultAutoSelectFamily: () => ctx.defaults.autoSelectFamily,
    setDefaultAutoSelectFamily: (value: boolean) => {
      // (validateBoolean)
      if (typeof value !== "boolean") throw invalidArgType("value", "of type boolean", value)
      ctx.defaults.autoSelectFamily = value
    },
    getDefaultAutoSelectFamilyAttemptTimeout: () => ctx.defaults.attemptTimeout,
    setDefaultAutoSelectFamilyAttemptTimeout: (value: number) => {
      // (validateInt32(value, 'value', 1), then at least 10 ms)
      ctx.defaults.attemptTimeout = Math.max(10, validateInt32(value, "value", 1))
    }
  }
}

/**
 * `Net` over the stack in context. The sockets run their effects on the
 * caller's runtime (its Clock, so TestClock drives the sockets' idle timeouts).
 *
 * @category constructors
 */
export const make: Effect.Effect<Net, never, Tcp | Stack.Stack> = Effect.gen(function*() {
  const runtime = yield* Effect.runtime<Tcp>()
  const stack = yield* Stack.Stack
  return fromRuntime(runtime, Addr.format(stack.address))
})
