/**
 * What can go wrong with a TCP connection or listener, as one error family
 * with a reason (STYLE.md §4), named after the errno a Linux program sees.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** @category errors */
export class TcpError extends Data.TaggedError("TcpError")<{
  readonly reason:
    /** the peer answered our SYN with a reset (ECONNREFUSED) */
    | "ConnectionRefused"
    /** the peer reset an open connection (ECONNRESET) */
    | "ConnectionReset"
    /** retransmissions or keepalive probes went unanswered (ETIMEDOUT) */
    | "TimedOut"
    /** the port is taken (EADDRINUSE) */
    | "AddressInUse"
    /** the connection or listener was closed or aborted on our side (EPIPE, EBADF) */
    | "Closed"
    /** no route to the address: the stack's routes reach no such network (ENETUNREACH) */
    | "NoRoute"
    /**
     * the peer cannot be reached on its route: its link address never resolved, or an ICMP error
     * said so (EHOSTUNREACH, which Linux gives for all but an ICMP "net unreachable")
     */
    | "HostUnreachable"
    /** the local address asked for is not one of the stack's (EADDRNOTAVAIL, from bind(2)) */
    | "AddressNotAvailable"
    /** every ephemeral port towards that destination is in use (EADDRNOTAVAIL) */
    | "NoEphemeralPorts"
    /** the stack holds `tcp.maxConnections` already */
    | "TooManyConnections"
    /** a port outside 1..65535, or a bad address */
    | "InvalidArgument"
  readonly detail: string
}> {
  override get message(): string {
    return this.detail
  }
}
