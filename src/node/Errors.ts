/**
 * The errors a Node program expects from a socket: an `Error` with the
 * errno's `code` (`ECONNREFUSED`, `ECONNRESET`, …), the negative `errno`,
 * the `syscall` that failed, and the peer's `address`/`port`, with the
 * message node:net gives, word for word (programs match on it too), in
 * the three shapes of Node's lib/internal/errors.js:
 *
 * - ExceptionWithHostPort, for connect, bind and a datagram's send:
 *   `connect ECONNREFUSED 198.18.0.1:80`, with ` - Local (address:port)`
 *   after it where Node names the local end; errno, code, syscall,
 *   address, port.
 * - UVExceptionWithHostPort, for a server's listen: libuv's text after the
 *   code, `listen EADDRINUSE: address already in use 198.18.0.1:80`; code,
 *   errno, syscall, address, port.
 * - ErrnoException, for a read or a write (and a datagram socket's calls
 *   that name no peer): `read ECONNRESET`; errno, code, syscall.
 *
 * The stack's own account of a failure (TcpError's `detail`, "the stack
 * speaks IPv4 only") is kept on the error as a non-enumerable `detail`: out
 * of the message, and out of what a spread, `JSON.stringify` or
 * `util.inspect` shows.
 *
 * @since 0.1.0
 */
import { constants } from "node:os"
import { getSystemErrorMap, inspect } from "node:util"
import type { TcpError } from "../tcp/TcpError.js"

/** A Node system error, as `net` produces them. @category models */
export interface NodeSystemError extends Error {
  readonly code: string
  readonly errno: number
  readonly syscall: string
  readonly address?: string | undefined
  readonly port?: number
  /** the stack's account of the failure, when it gave one (non-enumerable: in no message) */
  readonly detail?: string
}

const errnoOf = (code: string): number => {
  const n = (constants.errno as Record<string, number | undefined>)[code]
  return n === undefined ? -1 : -n
}

/** ` address:port`, or ` address` without a port (0 included), or nothing, as Node's errors name a peer. */
const hostPort = (address: string | undefined, port: number | undefined): string =>
  port !== undefined && port > 0 ? ` ${address}:${port}` : address !== undefined ? ` ${address}` : ""

/** `detail` on `err`, where no enumeration finds it. */
const withDetail = <E extends Error>(err: E, detail: string | undefined): E => {
  if (detail !== undefined) Object.defineProperty(err, "detail", { value: detail, writable: true, configurable: true, enumerable: false })
  return err
}

type Mutable = Error & { errno: number; code: string; syscall: string; address?: string | undefined; port?: number }

/**
 * A system error with `code`, from `syscall`, towards `address:port` when given, as Node's
 * ExceptionWithHostPort (or, with no address, ErrnoException) makes it; `local`, the local end as
 * `address:port`, goes into the message as Node's `additional` (` - Local (...)`); `detail` stays
 * off the message (`NodeSystemError.detail`).
 */
export const systemError = (
  code: string,
  syscall: string,
  address?: string,
  port?: number,
  detail?: string,
  local?: string
): NodeSystemError =>
  address !== undefined ? exceptionWithHostPort(code, syscall, address, port, detail, local) : errnoError(code, syscall, port, detail, local)

/**
 * Node's ExceptionWithHostPort itself, for a call that names a peer even when the caller gave
 * none: `address` is always among its properties, undefined then (a connected datagram socket's
 * send: lib/dgram.js's afterSend passes the send's own address and port, which a connected send
 * does not have), and the message names what was given as it was given (`send EMSGSIZE :41234`
 * for an empty address, which is looked up as 127.0.0.1).
 */
export const exceptionWithHostPort = (
  code: string,
  syscall: string,
  address: string | undefined,
  port?: number,
  detail?: string,
  local?: string
): NodeSystemError => {
  // (port 0 is left out of the message and the error, as Node's exceptionWithHostPort leaves it)
  const err = new Error(`${syscall} ${code}${hostPort(address, port)}${local === undefined ? "" : ` - Local (${local})`}`) as Mutable
  err.errno = errnoOf(code)
  err.code = code
  err.syscall = syscall
  err.address = address
  if (port !== undefined && port > 0) err.port = port
  return withDetail(err, detail)
}

/** Node's ErrnoException (no address among its properties), or a message naming a port alone. */
const errnoError = (code: string, syscall: string, port?: number, detail?: string, local?: string): NodeSystemError => {
  const err = new Error(`${syscall} ${code}${hostPort(undefined, port)}${local === undefined ? "" : ` - Local (${local})`}`) as Mutable
  err.errno = errnoOf(code)
  err.code = code
  err.syscall = syscall
  if (port !== undefined && port > 0) err.port = port
  return withDetail(err, detail)
}

/**
 * A listen's error as Node's UVExceptionWithHostPort makes it (net.js's setupListenHandle): libuv's
 * text for the errno after the code (`uv_strerror`, which util.getSystemErrorMap gives), then the
 * address, and the port unless 0.
 */
export const listenError = (code: string, address: string | undefined, port: number | undefined, detail?: string): NodeSystemError => {
  const errno = errnoOf(code)
  const text = getSystemErrorMap().get(errno)?.[1] ?? "unknown error"
  const err = new Error(`listen ${code}: ${text}${hostPort(address, port)}`) as Mutable
  err.code = code
  err.errno = errno
  err.syscall = "listen"
  if (address !== undefined) err.address = address
  if (port !== undefined && port > 0) err.port = port
  return withDetail(err, detail)
}

/** The errno a Linux program sees for each `TcpError` reason. */
export const codeOf = (e: TcpError): string => {
  switch (e.reason) {
    case "ConnectionRefused":
      return "ECONNREFUSED"
    case "ConnectionReset":
      return "ECONNRESET"
    case "TimedOut":
      return "ETIMEDOUT"
    case "AddressInUse":
      return "EADDRINUSE"
    case "Closed":
    case "BrokenPipe":
      return "EPIPE"
    case "NoRoute":
    case "NetworkUnreachable":
      return "ENETUNREACH"
    case "HostUnreachable":
      return "EHOSTUNREACH"
    case "HostDown":
      return "EHOSTDOWN"
    case "NotOnNetwork":
      return "ENONET"
    case "ProtocolNotAvailable":
      return "ENOPROTOOPT"
    case "NotSupported":
      return "EOPNOTSUPP"
    case "ProtocolError":
      return "EPROTO"
    case "AddressNotAvailable":
    case "TupleInUse":
    case "NoEphemeralPorts":
      return "EADDRNOTAVAIL"
    case "TooManyConnections":
      // the kernel's answer when a process or the system is out of sockets
      return "EMFILE"
    case "InvalidArgument":
      return "EINVAL"
  }
}

/**
 * A `TcpError` as the Node error a `net` program would get from `syscall`: a listen's in libuv's
 * words (`listenError`), a read's or a write's naming no peer (Node's ErrnoException: leave
 * `address` out), the others as `systemError`.
 */
export const fromTcpError = (e: TcpError, syscall: string, address?: string, port?: number, local?: string): NodeSystemError =>
  syscall === "listen"
    ? listenError(codeOf(e), address, port, e.detail)
    // a read of a connection aborted on our side (the stack shut down under it) is ECONNABORTED, not EPIPE
    : systemError(e.reason === "Closed" && syscall === "read" ? "ECONNABORTED" : codeOf(e), syscall, address, port, e.detail, local)

/** Node's `ERR_*` errors (not system errors): a code and a message. */
export const nodeError = (code: string, message: string): Error & { code: string } => {
  const err = new Error(message) as Error & { code: string }
  err.code = code
  return err
}

/** Node's AbortError (what an aborted `signal` option destroys with): `ABORT_ERR`, the reason as its cause. */
export const abortError = (cause: unknown): Error & { code: string } => {
  const err = new Error("The operation was aborted", { cause }) as Error & { code: string }
  err.name = "AbortError"
  err.code = "ABORT_ERR"
  return err
}

/** A TypeError with Node's `code` (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE), as lib/internal/errors.js makes them. */
export const typeError = (code: string, message: string): TypeError & { code: string } =>
  Object.assign(new TypeError(message), { code })

/** A RangeError with Node's `code` (ERR_OUT_OF_RANGE, ERR_SOCKET_BAD_PORT, ERR_BUFFER_OUT_OF_BOUNDS are RangeErrors in lib/internal/errors.js). */
export const rangeError = (code: string, message: string): RangeError & { code: string } =>
  Object.assign(new RangeError(message), { code })

/**
 * Node's ERR_OUT_OF_RANGE for the number `v` of argument `name`, which must be `range` (lib/internal/errors.js):
 * the value inspected, an integer beyond 2^32 written with `_` separators (addNumericalSeparator).
 */
export const outOfRange = (name: string, range: string, v: number): RangeError & { code: string } => {
  const shown = Number.isInteger(v) && Math.abs(v) > 2 ** 32 ? String(v).replace(/\B(?=(\d{3})+(?!\d))/g, "_") : inspect(v)
  return rangeError("ERR_OUT_OF_RANGE", `The value of "${name}" is out of range. It must be ${range}. Received ${shown}`)
}

/**
 * How Node's argument errors name what they got: "Received …" (Node 20's determineSpecificType,
 * lib/internal/errors.js): a function by its name, even an empty one; an object by its
 * constructor's name, else inspected; a string cut to 25 characters and quoted (in JSON's quotes
 * when it holds a '), as it is, newlines and all; numbers, booleans, symbols and bigints as text.
 */
export const received = (v: unknown): string => {
  if (v === null || v === undefined) return `${v}`
  switch (typeof v) {
    case "bigint":
      return `type bigint (${v}n)`
    case "number":
      return `type number (${Object.is(v, -0) ? "-0" : String(v)})`
    case "boolean":
    case "symbol":
      return `type ${typeof v} (${String(v)})`
    case "function":
      return `function ${v.name}`
    case "object": {
      const c = (v as { constructor?: unknown }).constructor
      if ((typeof c === "function" || (typeof c === "object" && c !== null)) && "name" in c) return `an instance of ${String(c.name)}`
      return inspect(v, { depth: -1 })
    }
    case "string": {
      const text = v.length > 28 ? `${v.slice(0, 25)}...` : v
      return text.includes("'") ? `type string (${JSON.stringify(text)})` : `type string ('${text}')`
    }
    default: {
      const text = inspect(v, { colors: false })
      return `type ${typeof v} (${text.length > 28 ? `${text.slice(0, 25)}...` : text})`
    }
  }
}

/** Node's validateInt32 (lib/internal/validators.js): a number, an integer, in `min`..2^31-1; the value. */
export const validateInt32 = (v: unknown, name: string, min = -2147483648): number => {
  if (typeof v !== "number") throw invalidArgType(name, "of type number", v)
  if (!Number.isInteger(v)) throw outOfRange(name, "an integer", v)
  if (v < min || v > 2147483647) throw outOfRange(name, `>= ${min} && <= 2147483647`, v)
  return v
}

/**
 * Node's ERR_INVALID_ARG_VALUE (lib/internal/errors.js): `The argument 'name'` or, for a dotted
 * name, `The property 'name'`, the reason, and the value inspected (cut at 128 characters).
 */
export const invalidValue = (name: string, reason: string, v: unknown): TypeError & { code: string } => {
  const shown = inspect(v)
  return typeError(
    "ERR_INVALID_ARG_VALUE",
    `The ${name.includes(".") ? "property" : "argument"} '${name}' ${reason}. Received ${shown.length > 128 ? `${shown.slice(0, 128)}...` : shown}`
  )
}

/**
 * Node's validatePort (lib/internal/validators.js), which dgram's send and connect and dns's
 * lookupService use: a number or a numeric string (a port from argv or the environment) in
 * 0..65535, 0 only where allowed; the port as a number. ERR_SOCKET_BAD_PORT is a RangeError there.
 */
export const validPort = (port: unknown, allowZero: boolean, name = "Port"): number => {
  if (
    (typeof port !== "number" && typeof port !== "string") ||
    (typeof port === "string" && port.trim().length === 0) ||
    +port !== (+port >>> 0) ||
    +port > 0xffff ||
    (port === 0 && !allowZero)
  ) {
    throw rangeError("ERR_SOCKET_BAD_PORT", `${name} should be ${allowZero ? ">=" : ">"} 0 and < 65536. Received ${received(port)}.`)
  }
  return +port | 0
}

/**
 * Node's ERR_INVALID_ARG_TYPE (lib/internal/errors.js): `The "name" argument` (`property` for a
 * dotted name) `must be <expected>. Received …`, expected as Node words it ("of type number",
 * "an instance of AbortSignal").
 */
export const invalidArgType = (name: string, expected: string, v: unknown): TypeError & { code: string } =>
  typeError("ERR_INVALID_ARG_TYPE", `The "${name}" ${name.includes(".") ? "property" : "argument"} must be ${expected}. Received ${received(v)}`)

/**
 * Node's NodeAggregateError (lib/internal/errors.js), what a connect that tried several addresses
 * (autoSelectFamily) fails with when none took: an AggregateError with no message, every attempt's
 * error in `errors` in the order tried, and the first one's `code` as its own (the only enumerable
 * property); its `constructor` is AggregateError itself, as Node's getter makes it.
 */
class NodeAggregateError extends AggregateError {
  readonly code: string | undefined
  constructor(errors: ReadonlyArray<Error & { readonly code?: string }>) {
    super(errors)
    this.code = errors[0]?.code
  }
  override get ["constructor"](): AggregateErrorConstructor {
    return AggregateError
  }
}

/** @see NodeAggregateError */
export const aggregateError = (errors: ReadonlyArray<Error & { readonly code?: string }>): AggregateError & { readonly code: string | undefined } =>
  new NodeAggregateError(errors)
