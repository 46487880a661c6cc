/**
 * What a transport makes of an ICMP error (Linux's icmp_err_convert table in
 * net/ipv4/icmp.c, with tcp_v4_err's and __udp4_lib_err's own cases for time
 * exceeded and parameter problem): the errno, and whether RFC 1122 lets it end
 * a connected socket's exchange at once (`fatal`).
 */
import { describe, expect, it } from "vitest"
import * as ErrorConvert from "../../src/icmp/ErrorConvert.js"

describe("ICMP errors as errnos (icmp_err_convert)", () => {
  it("destination unreachable, code by code", () => {
    const table = Array.from({ length: 16 }, (_, code) => [code, ErrorConvert.convert("DstUnreachable", code)])
    expect(table).toEqual([
      [0, { errno: "ENETUNREACH", fatal: false }], // net unreachable: transient (RFC 1122 §3.2.2.1)
      [1, { errno: "EHOSTUNREACH", fatal: false }], // host unreachable: transient
      [2, { errno: "ENOPROTOOPT", fatal: true }], // protocol unreachable
      [3, { errno: "ECONNREFUSED", fatal: true }], // port unreachable
      [4, undefined], // fragmentation needed: a path MTU for the transport, not an error
      [5, { errno: "EOPNOTSUPP", fatal: false }], // source route failed: transient
      [6, { errno: "ENETUNREACH", fatal: true }], // destination network unknown
      [7, { errno: "EHOSTDOWN", fatal: true }], // destination host unknown
      [8, { errno: "ENONET", fatal: true }], // source host isolated
      [9, { errno: "ENETUNREACH", fatal: true }], // network administratively prohibited
      [10, { errno: "EHOSTUNREACH", fatal: true }], // host administratively prohibited
      [11, { errno: "ENETUNREACH", fatal: false }], // network unreachable for the TOS
      [12, { errno: "EHOSTUNREACH", fatal: false }], // host unreachable for the TOS
      [13, { errno: "EHOSTUNREACH", fatal: true }], // communication administratively prohibited (RFC 1812)
      [14, { errno: "EHOSTUNREACH", fatal: true }], // host precedence violation
      [15, { errno: "EHOSTUNREACH", fatal: true }] // precedence cutoff in effect
    ])
  })

  it("no such code (above 15, RFC 1812 §5.2.7.1): nothing, as tcp_v4_err returns for it", () => {
    expect(ErrorConvert.convert("DstUnreachable", 16)).toBeUndefined()
    expect(ErrorConvert.convert("DstUnreachable", 255)).toBeUndefined()
  })

  it("time exceeded is EHOSTUNREACH, transient; a parameter problem is EPROTO, fatal (tcp_v4_err, __udp4_lib_err)", () => {
    for (const code of [0, 1]) expect(ErrorConvert.convert("TimeExceeded", code)).toEqual({ errno: "EHOSTUNREACH", fatal: false })
    for (const code of [0, 1, 2]) expect(ErrorConvert.convert("ParameterProblem", code)).toEqual({ errno: "EPROTO", fatal: true })
  })
})
