/**
 * Host names and addresses as the Node adapters take them: what needs no
 * lookup, what counts as one of the stack's own addresses (for `listen` and
 * `bind`), and the error for a name nothing can resolve. The stack speaks
 * IPv4 only; `localhost` is its loopback, 127.0.0.1.
 *
 * @since 0.1.0
 */
import { isIPv4 } from "node:net"
import { getSystemErrorMap } from "node:util"
import { type NodeSystemError, systemError } from "./Errors.js"

/**
 * Whether `host` is `localhost`, as /etc/hosts names it: in any case, since glibc's files backend
 * compares names case-insensitively (Node connects to "LOCALHOST"); without a trailing dot, which
 * glibc does not take off (Node asks DNS for "localhost.").
 */
export const isLocalhost = (host: string): boolean => host.length === 9 && host.toLowerCase() === "localhost"

/** The address `host` names without a lookup: an IPv4 literal, or 127.0.0.1 for `localhost`. */
export const literalAddress = (host: string): string | undefined =>
  isLocalhost(host) ? "127.0.0.1" : isIPv4(host) ? host : undefined

/**
 * Whether a listener or socket may bind `host` on a stack whose address is
 * `stackAddress`: the wildcard, the stack's own address, or its loopback.
 */
export const isLocalHost = (host: string, stackAddress: string): boolean =>
  host === "0.0.0.0" || host === "::" || host === stackAddress || (literalAddress(host)?.startsWith("127.") ?? false)

/** libuv's errno for getaddrinfo's EAI_NONAME (-3008), from Node's own table */
const eaiNoName = ((): number => {
  for (const [errno, [name]] of getSystemErrorMap()) if (name === "EAI_NONAME") return errno
  return -3008
})()

/**
 * What getaddrinfo says for a name it cannot find, when no `lookup` was given: Node's
 * `ENOTFOUND` with EAI_NONAME's errno (as Dns.ts gives for NXDOMAIN) and the name.
 */
export const notFound = (host: string): NodeSystemError =>
  Object.assign(systemError("ENOTFOUND", "getaddrinfo"), {
    // (the name in the message as Node's, with why; no `address`, which getaddrinfo's errors lack)
    message: `getaddrinfo ENOTFOUND ${host} (no lookup on this stack)`,
    errno: eaiNoName,
    hostname: host
  })
