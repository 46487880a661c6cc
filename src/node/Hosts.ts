/**
 * Host names and addresses as the Node adapters take them: what needs no
 * lookup, what counts as one of the stack's own addresses (for `listen` and
 * `bind`), the hosts file (hosts(5)) as glibc's files backend reads it, and
 * the error for a name nothing can resolve. The stack speaks IPv4 only;
 * `localhost` is its loopback, 127.0.0.1.
 *
 * @since 0.1.0
 */
import { isIPv4, isIPv6 } from "node:net"
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
 * `stackAddress`: the wildcard, the stack's own address, or its loopback, in
 * whatever form `literalAddress` reads (getaddrinfo's "0" is the wildcard).
 */
export const isLocalHost = (host: string, stackAddress: string): boolean => {
  if (host === "::") return true
  const address = literalAddress(host)
  return address === "0.0.0.0" || address === stackAddress || (address?.startsWith("127.") ?? false)
}

/**
 * The address a listen's `host` binds, as getsockname gives it back: undefined for the wildcard
 * (none, empty, `0.0.0.0`, `::`), else the IPv4 address it reads (`localhost`, inet_aton's forms)
 * or, for a name, the host itself.
 */
export const boundAddress = (host: string | undefined): string | undefined =>
  host === undefined || host === "" || host === "0.0.0.0" || host === "::" ? undefined : literalAddress(host) ?? host

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
  Object.assign(systemError("ENOTFOUND", "getaddrinfo", undefined, undefined, "no lookup on this stack"), {
    // (the name in the message as Node's DNSException puts it; no `address`, which getaddrinfo's errors lack)
    message: `getaddrinfo ENOTFOUND ${host}`,
    errno: eaiNoName,
    hostname: host
  })

// ---------------------------------------------------------------------------
// The hosts file, as getaddrinfo's "files" source reads it (nsswitch's `hosts: files dns`)

/** One line of a hosts file: an address and the names it gives. @category models */
export interface HostsEntry {
  /** as the stack hands it out: dotted IPv4, or IPv6 compressed in lowercase (RFC 5952, as inet_ntop writes it) */
  readonly address: string
  readonly family: 4 | 6
  /**
   * the address an IPv4 question reads from the line (glibc's files backend): an IPv4 line's own,
   * an IPv4-mapped line's IPv4 address, 127.0.0.1 for `::1`; undefined for any other IPv6 line
   */
  readonly ipv4: string | undefined
  /** the canonical name and the aliases, in the line's order */
  readonly names: ReadonlyArray<string>
}

/** An IPv6 address as the stack writes it, and what an IPv4 question reads from it (see `HostsEntry.ipv4`). */
const ipv6Entry = (text: string): { readonly address: string; readonly ipv4: string | undefined } | undefined => {
  // (no zone: inet_pton takes none; URL's serializer is RFC 5952's compressed lowercase form)
  if (!isIPv6(text) || text.includes("%")) return undefined
  const hex = new URL(`http://[${text}]/`).hostname.slice(1, -1)
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(hex)
  if (m !== null) {
    const hi = parseInt(m[1]!, 16), lo = parseInt(m[2]!, 16)
    const v4 = `${hi >>> 8}.${hi & 0xff}.${lo >>> 8}.${lo & 0xff}`
    return { address: `::ffff:${v4}`, ipv4: v4 }
  }
  return { address: hex, ipv4: hex === "::1" ? "127.0.0.1" : undefined }
}

/**
 * The entries of a hosts file's text, in order (hosts(5), glibc's nss_files line parser): from
 * `#` to the end of a line is a comment; fields are separated by spaces and tabs; the first is an
 * address, which inet_pton must read whole (IPv4 as a strict dotted quad: no `127.1`, no leading
 * zeros; IPv6 without a zone), the rest are names. A line whose address does not parse, or that
 * names nothing, gives no entry.
 */
export const parseHosts = (text: string): ReadonlyArray<HostsEntry> => {
  const entries: Array<HostsEntry> = []
  for (const raw of text.split("\n")) {
    const hash = raw.indexOf("#")
    const fields = (hash < 0 ? raw : raw.slice(0, hash)).split(/[ \t\r\f\v]+/).filter((f) => f.length > 0)
    if (fields.length < 2) continue
    const [address, ...names] = fields as [string, ...Array<string>]
    if (isIPv4(address)) entries.push({ address, family: 4, ipv4: address, names })
    else {
      const v6 = ipv6Entry(address)
      if (v6 !== undefined) entries.push({ address: v6.address, family: 6, ipv4: v6.ipv4, names })
    }
  }
  return entries
}

/** ASCII case-insensitive, as glibc compares names (strcasecmp); a trailing dot is part of the name. */
const sameName = (a: string, b: string): boolean => a.length === b.length && a.toLowerCase() === b.toLowerCase()

/**
 * The addresses the hosts file gives `name` for a lookup of `family`, in the file's order, every
 * line that names it (Debian's host.conf has `multi on`; getaddrinfo collects them all): for 4,
 * the IPv4 lines, an IPv4-mapped IPv6 line as its IPv4 address, and `::1` as 127.0.0.1 (glibc's
 * files backend turns the IPv6 loopback into IPv4's for an AF_INET question); for 6, the IPv6
 * lines. Empty when the file has nothing for it: getaddrinfo then asks DNS. Checked against
 * Node 20's `dns.lookup` (glibc 2.36) over the same file (test/kernel/HostsFile.test.ts).
 */
export const lookupHosts = (entries: ReadonlyArray<HostsEntry>, name: string, family: 4 | 6): ReadonlyArray<string> => {
  const found: Array<string> = []
  for (const e of entries) {
    if (!e.names.some((n) => sameName(n, name))) continue
    if (family === 6) {
      if (e.family === 6) found.push(e.address)
    } else if (e.ipv4 !== undefined) found.push(e.ipv4)
  }
  return found
}

/** `ip` as the hosts entries write theirs (IPv6 compressed, lowercase), with its family; undefined when it is no address. */
const entryAddress = (ip: string): { readonly address: string; readonly family: 4 | 6 } | undefined =>
  isIPv4(ip) ? { address: ip, family: 4 } : (() => {
    const v6 = ipv6Entry(ip)
    return v6 === undefined ? undefined : { address: v6.address, family: 6 }
  })()

/**
 * What node:dns's `reverse` finds for `ip` in the hosts file before asking DNS (c-ares's
 * ares_gethostbyaddr, lookups "fb": the file first): the lines whose address is `ip` exactly, in
 * the same family (no mapping either way), merged into one hostent whose name is the first line's
 * first name and whose aliases are the rest of the names, in order; Node's reverse gives the
 * aliases only (so a single line with a single name gives []). Undefined when no line has `ip`.
 * Checked against Node 20 over the same file (test/kernel/HostsFile.test.ts).
 */
export const reverseHosts = (entries: ReadonlyArray<HostsEntry>, ip: string): ReadonlyArray<string> | undefined => {
  const want = entryAddress(ip)
  if (want === undefined) return undefined
  const names = entries.filter((e) => e.family === want.family && e.address === want.address).flatMap((e) => e.names)
  return names.length === 0 ? undefined : names.slice(1)
}

/**
 * The name getnameinfo(3) finds for `ip` in the hosts file (glibc's files gethostbyaddr): the
 * first line that gives `ip` to a question of its family, as `lookupHosts` reads lines (for IPv4:
 * an IPv4-mapped line, and `::1` for 127.0.0.1, count too), and that line's first name.
 * Undefined when no line does.
 */
export const nameOfAddress = (entries: ReadonlyArray<HostsEntry>, ip: string): string | undefined => {
  const want = entryAddress(ip)
  if (want === undefined) return undefined
  for (const e of entries) {
    if (want.family === 4 ? e.ipv4 === want.address : e.family === 6 && e.address === want.address) return e.names[0]
  }
  return undefined
}
