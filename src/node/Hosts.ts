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

/**
 * `text` as glibc's inet_aton reads an IPv4 address (getaddrinfo tries it before any lookup, so
 * Node's lookup("127.1") is 127.0.0.1 unasked): one to four parts, each decimal, octal (leading 0)
 * or hex (0x); the last part fills the rest of the 32 bits (a, a.b with b 24 bits, a.b.c with c 16
 * bits, a.b.c.d). Dotted, or undefined when it is no such address.
 */
export const inetAton = (text: string): string | undefined => {
  const parts = text.split(".")
  if (parts.length > 4) return undefined
  const values: Array<number> = []
  for (const p of parts) {
    const m = /^(?:0[xX]([0-9a-fA-F]*)|(0[0-7]*)|([1-9][0-9]*))$/.exec(p)
    if (m === null) return undefined
    const v = m[1] !== undefined ? (m[1] === "" ? 0 : parseInt(m[1], 16)) : m[2] !== undefined ? parseInt(m[2], 8) : Number(m[3])
    if (!(v <= 0xffffffff)) return undefined
    values.push(v)
  }
  const last = values.pop()!
  if (values.some((v) => v > 0xff) || last >= 2 ** (8 * (4 - values.length))) return undefined
  let n = last
  values.forEach((v, i) => (n += v * 2 ** (8 * (3 - i))))
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join(".")
}

/**
 * The address `host` names without a lookup: an IPv4 literal (dotted quad, or any form inet_aton
 * reads, as getaddrinfo takes it), or 127.0.0.1 for `localhost`.
 */
export const literalAddress = (host: string): string | undefined =>
  isLocalhost(host) ? "127.0.0.1" : isIPv4(host) ? host : inetAton(host)

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
