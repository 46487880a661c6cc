/**
 * The errors the shim raises, as Node builds them (lib/internal/errors.js, Node 20): the
 * message word for word and the properties in Node's order, with the stack's own account of
 * the failure kept out of both (a non-enumerable `detail`). The texts were taken from
 * node:net in a network namespace (198.18.0.0/15), and from Node's own constructors
 * (`node --expose-internals`: ExceptionWithHostPort, UVExceptionWithHostPort, ErrnoException).
 */
import { describe, expect, it } from "vitest"
import { fromTcpError, systemError } from "../../src/node/Errors.js"
import { TcpError } from "../../src/tcp/TcpError.js"

const refused = new TcpError({ reason: "ConnectionRefused", detail: "connection to port 80 refused" })
const inUse = new TcpError({ reason: "AddressInUse", detail: "port 80 is already listening on every address" })
const notOurs = new TcpError({ reason: "AddressNotAvailable", detail: "198.18.9.9 is not an address of this stack" })
const reset = new TcpError({ reason: "ConnectionReset", detail: "40000 -> 80: connection reset by the peer" })
const broken = new TcpError({ reason: "BrokenPipe", detail: "40000 -> 80: reset after the peer's FIN" })

/** What a program sees of an error: its message, and its enumerable properties in order. */
const seen = (e: Error) => [e.message, Object.entries(e)]

describe("system errors as node:net makes them", () => {
  it("connect and bind (ExceptionWithHostPort): `syscall CODE address:port`, ' - Local (address:port)' after it when given; errno, code, syscall, address, port", () => {
    expect(seen(fromTcpError(refused, "connect", "198.18.0.1", 80))).toEqual([
      "connect ECONNREFUSED 198.18.0.1:80",
      [["errno", -111], ["code", "ECONNREFUSED"], ["syscall", "connect"], ["address", "198.18.0.1"], ["port", 80]]
    ])
    expect(fromTcpError(refused, "connect", "198.18.0.1", 80, "0.0.0.0:5001").message).toBe(
      "connect ECONNREFUSED 198.18.0.1:80 - Local (0.0.0.0:5001)"
    )
    expect(seen(fromTcpError(notOurs, "bind", "198.18.9.9"))).toEqual([
      "bind EADDRNOTAVAIL 198.18.9.9",
      [["errno", -99], ["code", "EADDRNOTAVAIL"], ["syscall", "bind"], ["address", "198.18.9.9"]]
    ])
    expect(fromTcpError(inUse, "bind", "0.0.0.0", 80).message).toBe("bind EADDRINUSE 0.0.0.0:80")
  })
  it("listen (UVExceptionWithHostPort): libuv's text after the code; code, errno, syscall, address, port", () => {
    expect(seen(fromTcpError(inUse, "listen", "198.18.0.1", 80))).toEqual([
      "listen EADDRINUSE: address already in use 198.18.0.1:80",
      [["code", "EADDRINUSE"], ["errno", -98], ["syscall", "listen"], ["address", "198.18.0.1"], ["port", 80]]
    ])
    // port 0 (a listen(0) that found none) is left out, as Node leaves it
    expect(seen(fromTcpError(inUse, "listen", "198.18.0.1", 0))).toEqual([
      "listen EADDRINUSE: address already in use 198.18.0.1",
      [["code", "EADDRINUSE"], ["errno", -98], ["syscall", "listen"], ["address", "198.18.0.1"]]
    ])
    expect(fromTcpError(notOurs, "listen", "198.18.9.9", 80).message).toBe("listen EADDRNOTAVAIL: address not available 198.18.9.9:80")
  })
  it("read and write (ErrnoException): `syscall CODE`, no address; errno, code, syscall", () => {
    expect(seen(fromTcpError(reset, "read"))).toEqual(["read ECONNRESET", [["errno", -104], ["code", "ECONNRESET"], ["syscall", "read"]]])
    expect(seen(fromTcpError(broken, "write"))).toEqual(["write EPIPE", [["errno", -32], ["code", "EPIPE"], ["syscall", "write"]]])
  })
  it("the stack's account stays on the error, out of its message and its enumerable properties", () => {
    const e = fromTcpError(refused, "connect", "198.18.0.1", 80) as Error & { detail?: string }
    expect(e.detail).toBe("connection to port 80 refused")
    expect(Object.keys(e)).not.toContain("detail")
    expect(JSON.stringify(e)).not.toContain("refused")
    const s = systemError("EAFNOSUPPORT", "connect", "::1", 80, "the stack speaks IPv4 only") as Error & { detail?: string }
    expect(s.message).toBe("connect EAFNOSUPPORT ::1:80")
    expect(s.detail).toBe("the stack speaks IPv4 only")
  })
})
