/**
 * What an ICMP error about one of our datagrams means to the socket that
 * sent it: the errno a Linux program would see, and whether it is fatal
 * (RFC 1122 §3.2.2.1: net unreachable, host unreachable and source route
 * failed MUST be taken as transient, as must the TOS variants of the first
 * two; the rest say the destination will not be reached this way).
 *
 * The table is Linux's icmp_err_convert (net/ipv4/icmp.c), which tcp_v4_err
 * and __udp4_lib_err both read, with the two cases they add of their own:
 * time exceeded is EHOSTUNREACH and transient, a parameter problem EPROTO
 * and fatal (the datagram we sent was malformed on the way). What each
 * transport does with `fatal` is its own: UDP reports only fatal ones to a
 * connected socket; TCP ends a connect at any of them and keeps any of them
 * as a soft error once connected (RFC 1122 §4.2.3.9).
 *
 * Every function is pure.
 *
 * @since 0.1.0
 */
import type { IcmpReport } from "../ipv4/Ipv4.js"

/** An errno an ICMP error stands for. @category models */
export type Errno =
  | "ENETUNREACH"
  | "EHOSTUNREACH"
  | "ENOPROTOOPT"
  | "ECONNREFUSED"
  | "EOPNOTSUPP"
  | "EHOSTDOWN"
  | "ENONET"
  | "EPROTO"

/** @category models */
export interface Converted {
  readonly errno: Errno
  /** RFC 1122 §3.2.2.1: not transient (icmp_err_convert's `fatal`) */
  readonly fatal: boolean
}

const entry = (errno: Errno, fatal: boolean): Converted => ({ errno, fatal })

/** Destination unreachable, by code (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1); code 4 is not here. */
const UNREACHABLE: ReadonlyArray<Converted | undefined> = [
  /* 0 net unreachable */ entry("ENETUNREACH", false),
  /* 1 host unreachable */ entry("EHOSTUNREACH", false),
  /* 2 protocol unreachable */ entry("ENOPROTOOPT", true),
  /* 3 port unreachable */ entry("ECONNREFUSED", true),
  // 4 fragmentation needed: a path MTU (RFC 1191) for the transport to take, not an error to report
  // (icmp_err_convert's EMSGSIZE there is read by no caller: each has its own case for code 4)
  undefined,
  /* 5 source route failed */ entry("EOPNOTSUPP", false),
  /* 6 destination network unknown */ entry("ENETUNREACH", true),
  /* 7 destination host unknown */ entry("EHOSTDOWN", true),
  /* 8 source host isolated */ entry("ENONET", true),
  /* 9 network administratively prohibited */ entry("ENETUNREACH", true),
  /* 10 host administratively prohibited */ entry("EHOSTUNREACH", true),
  /* 11 network unreachable for the TOS */ entry("ENETUNREACH", false),
  /* 12 host unreachable for the TOS */ entry("EHOSTUNREACH", false),
  /* 13 communication administratively prohibited */ entry("EHOSTUNREACH", true),
  /* 14 host precedence violation */ entry("EHOSTUNREACH", true),
  /* 15 precedence cutoff in effect */ entry("EHOSTUNREACH", true)
]

const TIME_EXCEEDED = entry("EHOSTUNREACH", false)
const PARAMETER_PROBLEM = entry("EPROTO", true)

/**
 * The errno an ICMP error of `type` and `code` stands for, and whether it is
 * fatal; undefined for "fragmentation needed" (the transport's path MTU) and
 * for a destination unreachable code above 15, which no such table knows
 * (tcp_v4_err returns for it; the ICMP layer hands none of them on).
 */
export const convert = (type: IcmpReport["type"], code: number): Converted | undefined => {
  switch (type) {
    case "DstUnreachable":
      return UNREACHABLE[code]
    case "TimeExceeded":
      return TIME_EXCEEDED
    case "ParameterProblem":
      return PARAMETER_PROBLEM
  }
}
