/**
 * What can go wrong with a TCP connection or listener, as one error family
 * with a reason (STYLE.md §4), named after the errno a Linux program sees.
 * An ICMP error that ends a connect, or that a connection timed out after,
 * gives the reason of the errno Linux's icmp_err_convert makes of it
 * (icmp/ErrorConvert.ts).
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** @category errors */
export class TcpError extends Data.TaggedError("TcpError")<{
  readonly reason:
    /** the peer answered our SYN with a reset, or an ICMP "port unreachable" (ECONNREFUSED) */
    | "ConnectionRefused"
    /** the peer reset an open connection (ECONNRESET) */
    | "ConnectionReset"
    /** the peer reset the connection after its FIN (CLOSE-WAIT): our sending fails (EPIPE, as Linux's tcp_reset) */
    | "BrokenPipe"
    /**
     * retransmissions or keepalive probes went unanswered (ETIMEDOUT); after an ICMP error about
     * the connection that no ACK has answered since, that error's reason instead (as Linux)
     */
    | "TimedOut"
    /**
     * the port is taken (EADDRINUSE); or, for a listen on port 0 or a connect from a local address
     * (a bind of port 0 first), no port of the range is free
     */
    | "AddressInUse"
    /** the connection or listener was closed or aborted on our side (EPIPE, EBADF) */
    | "Closed"
    /** no route to the address: the stack's routes reach no such network (ENETUNREACH) */
    | "NoRoute"
    /**
     * a router's ICMP error said the peer's network is unreachable: net unreachable, unknown,
     * administratively prohibited, or unreachable for the TOS (ENETUNREACH, as NoRoute's)
     */
    | "NetworkUnreachable"
    /**
     * the peer cannot be reached on its route: its link address never resolved, or an ICMP error
     * said so: host unreachable, prohibited, filtered, unreachable for the TOS or precedence, or
     * time exceeded (EHOSTUNREACH)
     */
    | "HostUnreachable"
    /** the local address asked for is not one of the stack's (EADDRNOTAVAIL, from bind(2)) */
    | "AddressNotAvailable"
    /**
     * from a local port asked for, the 4-tuple is taken: by a connection, or by a TIME-WAIT that
     * may not give way (EADDRNOTAVAIL, from connect(2): Linux's __inet_check_established)
     */
    | "TupleInUse"
    /** an ICMP "destination host unknown" (EHOSTDOWN) */
    | "HostDown"
    /** an ICMP "source host isolated" (ENONET) */
    | "NotOnNetwork"
    /** an ICMP "protocol unreachable": the peer runs no TCP (ENOPROTOOPT) */
    | "ProtocolNotAvailable"
    /** an ICMP "source route failed" (EOPNOTSUPP) */
    | "NotSupported"
    /** an ICMP "parameter problem" about our segment (EPROTO) */
    | "ProtocolError"
    /** a connect from no local address: every ephemeral port towards that destination is in use (EADDRNOTAVAIL) */
    | "NoEphemeralPorts"
    /** the stack holds `tcp.maxConnections` already */
    | "TooManyConnections"
    /** a port outside 1..65535, or a bad address */
    | "InvalidArgument"
  readonly detail: string
  /**
   * the local port a connect had bound when it failed, bind(2) before connect(2): the one asked
   * for, or the one a bind of port 0 picked for a local address given without a port (what
   * getsockname gives after Linux's failed connect(2), which Node names on the error); none when
   * nothing was bound or the failure came before the bind
   */
  readonly localPort?: number | undefined
  /**
   * for a write that failed once part of it was in the send buffer: those octets, which still go
   * (write(2) returns this short count in Linux, tcp_sendmsg_locked's `copied`, and the error
   * comes with the next call); none when nothing of it was taken
   */
  readonly written?: number | undefined
}> {
  override get message(): string {
    return this.detail
  }
}
