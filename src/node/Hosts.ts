/**
 * Host names and addresses as the Node adapters take them: what needs no
 * lookup, what counts as one of the stack's own addresses (for `listen` and
 * `bind`), and the error for a name nothing can resolve. The stack speaks
 * IPv4 only; `localhost` is its loopback, 127.0.0.1.
 *
 * @since 0.1.0
 */
import { isIPv4 } from "node:net"
import { type NodeSystemError, systemError } from "./Errors.js"

/** The address `host` names without a lookup: an IPv4 literal, or 127.0.0.1 for `localhost`. */
export const literalAddress = (host: string): string | undefined =>
  host === "localhost" ? "127.0.0.1" : isIPv4(host) ? host : undefined

/**
 * Whether a listener or socket may bind `host` on a stack whose address is
 * `stackAddress`: the wildcard, the stack's own address, or its loopback.
 */
export const isLocalHost = (host: string, stackAddress: string): boolean =>
  host === "0.0.0.0" || host === "::" || host === stackAddress || (literalAddress(host)?.startsWith("127.") ?? false)

/** What getaddrinfo says for a name it cannot find, when no `lookup` was given. */
export const notFound = (host: string): NodeSystemError =>
  Object.assign(systemError("ENOTFOUND", "getaddrinfo", undefined, undefined, `no lookup for '${host}' on this stack`), {
    hostname: host
  })
