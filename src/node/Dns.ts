/**
 * Name resolution for `gonet-ts/node` sockets: a function with the shape of
 * Node's `dns.lookup`, answered from a hosts file when one is given (as
 * getaddrinfo's `hosts: files dns`, `LookupConfig`) and then by the stack's
 * own resolver (`Dns` over the stack's UDP and TCP), to pass as the `lookup`
 * option of `net.connect`,
 * `http.request` or an `http.Agent`; and, for programs that use Node's `dns`
 * module, `nodeDns`: node:dns's `lookup`, `resolve4`, `resolve6`,
 * `resolveCname`, `resolveMx`, `resolveTxt`, `resolveSrv`, `resolvePtr`,
 * `resolveNs`, `resolveNaptr`, `resolveCaa`, `resolveSoa`, `resolve` and
 * their `promises` forms over the same resolver (see `resolveCodeOf` for
 * their errors), `resolveAny`; `reverse` (PTR) and
 * `lookupService` (getnameinfo: PTR and a built-in table of well-known TCP
 * service names in place of /etc/services, `SERVICES`; both look in the
 * hosts file first when one is given, `isLoopbackAddress`); `Resolver` and `promises.Resolver`
 * (own servers, timeout and tries, `cancel`), `setServers` and `getServers`
 * (see `resolverClasses`: IPv4 servers only).
 *
 * Errors are the ones `dns.lookup` gives (it calls getaddrinfo(3), and Node
 * turns EAI_NONAME and EAI_NODATA into `code: "ENOTFOUND"`, see Node's
 * `dnsException` in lib/internal/errors.js):
 *
 * | `DnsError` reason                          | `code`      | `errno` (libuv)       |
 * | ------------------------------------------ | ----------- | --------------------- |
 * | NotFound (NXDOMAIN), InvalidName           | ENOTFOUND   | EAI_NONAME (-3008)    |
 * | NoData, Malformed, FormatError             | ENOTFOUND   | EAI_NODATA (-3007)    |
 * | TimedOut, ServerFailure, NotImplemented,   | EAI_AGAIN   | EAI_AGAIN (-3001)     |
 * | Refused, Unreachable, NoRoute              |             |                       |
 *
 * glibc's getaddrinfo reports a resolver that timed out, answered SERVFAIL
 * or REFUSED, or could not be reached as EAI_AGAIN ("temporary failure in
 * name resolution"); an answer it could not use (a CNAME loop, records cut
 * short) leaves it without addresses: EAI_NODATA, not EAI_FAIL. Checked with
 * Node 20's own `dns.lookup` against dnsmasq 2.90 in a namespace: NXDOMAIN
 * gave ENOTFOUND/-3008, NODATA (family 6 of an A-only name) ENOTFOUND/-3007,
 * REFUSED and an unreachable server EAI_AGAIN/-3001; and against a scripted
 * server in a namespace, a CNAME loop, an answer count that lies and an A
 * record of 3 octets each ENOTFOUND/-3007. The error
 * has `syscall: "getaddrinfo"`, `hostname`, and the message Node prints
 * (`getaddrinfo ENOTFOUND name.test`).
 *
 * The stack speaks IPv4: `family` 0 and 4 ask for A records, 6 for AAAA
 * (which a caller may want to know about but cannot connect to here).
 *
 * @since 0.1.0
 */
import { Duration, Effect, Either, Exit, type Fiber, FiberId, Option, Runtime } from "effect"
import type { ManagedRuntime } from "effect"
import * as NodeDnsModule from "node:dns"
import { getSystemErrorMap, promisify } from "node:util"
import { isIP } from "node:net"
import { domainToASCII } from "node:url"
import { readFile } from "node:fs"
import * as Dns from "../dns/Dns.js"
import * as Msg from "../dns/DnsMessage.js"
import * as Addr from "../wire/Ipv4Addr.js"
import type { Tcp } from "../tcp/Tcp.js"
import type { Udp } from "../udp/Udp.js"
import * as Hosts from "./Hosts.js"
import { inetAton, isLocalhost } from "./Hosts.js"
import { invalidArgType, invalidValue, received, typeError, validateInt32, validPort } from "./Errors.js"
import { failureOf, runOn } from "./Run.js"

/** One address, as `dns.lookup` gives with `all: true`. @category models */
export interface LookupAddress {
  readonly address: string
  readonly family: 4 | 6
}

/** @category models */
export interface LookupOptions {
  /** 0 (any: here IPv4), 4 or 6 */
  readonly family?: number | "IPv4" | "IPv6" | undefined
  /** every address instead of the first */
  readonly all?: boolean | undefined
  /** checked as Node checks it (ADDRCONFIG, ALL, V4MAPPED), then ignored: the stack has no getaddrinfo flags to apply */
  readonly hints?: number | undefined
  readonly verbatim?: boolean | undefined
  readonly order?: string | undefined
}

/** A Node `dns.lookup` error. @category models */
export interface LookupError extends Error {
  readonly code: string
  readonly errno: number
  readonly syscall: "getaddrinfo"
  readonly hostname: string
}

type OneCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void
type AllCallback = (err: NodeJS.ErrnoException | null, addresses: Array<LookupAddress>) => void

/** `dns.lookup`'s signature. @category models */
export interface LookupFunction {
  (hostname: string, callback: OneCallback): void
  (hostname: string, options: number | (LookupOptions & { readonly all?: false | undefined }), callback: OneCallback): void
  (hostname: string, options: LookupOptions & { readonly all: true }, callback: AllCallback): void
  (hostname: string, options: number | LookupOptions, callback: OneCallback | AllCallback): void
}

const uvErrno = (name: string): number => {
  for (const [errno, [n]] of getSystemErrorMap()) if (n === name) return errno
  return -1
}

/** The code and libuv error a `DnsError` becomes (see the table above). */
export const codeOf = (e: Dns.DnsError): { readonly code: string; readonly uv: string } => {
  switch (e.reason) {
    case "NotFound":
    case "InvalidName":
      return { code: "ENOTFOUND", uv: "EAI_NONAME" }
    case "NoData":
    case "Malformed":
    case "FormatError":
      return { code: "ENOTFOUND", uv: "EAI_NODATA" }
    case "TimedOut":
    case "ServerFailure":
    case "NotImplemented":
    case "Refused":
    case "Unreachable":
    case "NoRoute":
      return { code: "EAI_AGAIN", uv: "EAI_AGAIN" }
  }
}

/** A `DnsError` as the error `dns.lookup` would give for `hostname`. */
export const toLookupError = (e: Dns.DnsError, hostname: string): LookupError => {
  const { code, uv } = codeOf(e)
  // the resolver's own account (which server, what it said), for whoever looks: a cause as
  // `new Error(message, { cause })` makes it, not enumerable, so that the error's properties are
  // DNSException's, in its order (errno, code, syscall, hostname), for a spread, JSON or inspect
  const err = new Error(`getaddrinfo ${code} ${hostname}`, { cause: e }) as Error & {
    code: string
    errno: number
    syscall: "getaddrinfo"
    hostname: string
  }
  err.errno = uvErrno(uv)
  err.code = code
  err.syscall = "getaddrinfo"
  err.hostname = hostname
  return err
}

/** Node's validateOneOf. */
const oneOf = <A>(v: unknown, name: string, allowed: ReadonlyArray<A>): A => {
  if (allowed.includes(v as A)) return v as A
  const list = allowed.map((a) => (typeof a === "string" ? `'${a}'` : String(a))).join(", ")
  throw invalidValue(name, `must be one of: ${list}`, v)
}

/** `name` in its IDNA ASCII form (xn--…) when it goes beyond ASCII, as Node 20 asks for it; "" when it has none. */
const asciiName = (name: string): string => (/[^\x00-\x7f]/.test(name) ? domainToASCII(name) : name)

/** getaddrinfo flags Node's lookup lets through (lib/dns.js, validateHints). */
const HINTS = NodeDnsModule.ADDRCONFIG | NodeDnsModule.ALL | NodeDnsModule.V4MAPPED

const isHostOctet = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f

/**
 * Whether getaddrinfo would ask DNS for `name` (ASCII, escapes as in RFC 1035 §5.1): glibc's
 * res_hnok, which nss_dns applies first, wants printable ASCII whose labels hold only
 * [0-9A-Za-z_-], the first not starting with '-'; anything else is EAI_NONAME unasked.
 */
export const isHostName = (name: string): boolean => {
  if (!/^[\x21-\x7e]*$/.test(name)) return false
  const labels = Msg.parseName(name)
  return Either.isRight(labels) && labels.right.every((l) => l.every(isHostOctet)) && labels.right[0]?.[0] !== 0x2d
}

/**
 * The family and `all` of a call, its arguments checked in the order and
 * with the errors of Node 20's `lookup` (lib/dns.js): thrown at once, not
 * given to the callback.
 */
const parseArguments = (
  hostname: unknown,
  options: unknown,
  callback: unknown,
  argc: number
): { readonly family: 0 | 4 | 6; readonly all: boolean } => {
  if (hostname) {
    if (typeof hostname !== "string") throw invalidArgType("hostname", "of type string", hostname)
  }
  const checkCallback = (cb: unknown) => {
    if (typeof cb !== "function") throw invalidArgType("callback", "of type function", cb)
  }
  if (typeof options === "function") return { family: 0, all: false }
  if (typeof options === "number") {
    checkCallback(callback)
    return { family: oneOf(options, "family", [0, 4, 6] as const), all: false }
  }
  if (options !== undefined && typeof options !== "object") {
    checkCallback(argc === 2 ? options : callback)
    throw typeError(
      "ERR_INVALID_ARG_TYPE",
      `The "options" argument must be of type object or integer. Received ${received(options)}`
    )
  }
  checkCallback(callback)
  return lookupOptions((options ?? {}) as Record<string, unknown>, true)
}

/**
 * The family and `all` of a lookup's options object, checked as Node 20's lookups check them
 * (lib/dns.js, lib/internal/dns/promises.js: hints, family, all, verbatim, order, thrown at once);
 * `namedFamilies`: 'IPv4' and 'IPv6' are taken for 4 and 6 (the callback lookup takes them, the
 * promises lookup does not).
 */
const lookupOptions = (o: Record<string, unknown>, namedFamilies: boolean): { readonly family: 0 | 4 | 6; readonly all: boolean } => {
  let family: 0 | 4 | 6 = 0
  let all = false
  if (o.hints != null) {
    if (typeof o.hints !== "number") throw invalidArgType("options.hints", "of type number", o.hints)
    const hints = o.hints >>> 0
    if ((hints & ~HINTS) !== 0) throw invalidValue("hints", "is invalid", hints)
  }
  if (o.family != null) {
    family = namedFamilies && o.family === "IPv4"
      ? 4
      : namedFamilies && o.family === "IPv6"
      ? 6
      : oneOf(o.family, "options.family", [0, 4, 6] as const)
  }
  if (o.all != null) {
    if (typeof o.all !== "boolean") throw invalidArgType("options.all", "of type boolean", o.all)
    all = o.all
  }
  if (o.verbatim != null && typeof o.verbatim !== "boolean") throw invalidArgType("options.verbatim", "of type boolean", o.verbatim)
  if (o.order != null) oneOf(o.order, "options.order", ["verbatim", "ipv4first", "ipv6first"])
  return { family, all }
}

/** node:dns's result orders (lib/internal/dns/utils.js, validDnsOrders). @category models */
export type ResultOrder = "verbatim" | "ipv4first" | "ipv6first"

/** The default result order of one node:dns face, as node:dns's setDefaultResultOrder/getDefaultResultOrder. */
interface ResultOrderSetting {
  readonly setDefaultResultOrder: (order: ResultOrder) => void
  readonly getDefaultResultOrder: () => ResultOrder
}

/**
 * One default result order, which a face's `dns` and `dns.promises` share (as Node's module-wide
 * setting): it starts as this process's node:dns has it (`verbatim`, or what --dns-result-order
 * says), and a value Node refuses is thrown (ERR_INVALID_ARG_VALUE for 'dnsOrder') and changes
 * nothing. The stack's lookups answer one family at a time (family 0 asks for A records only), so
 * no order changes an answer; the setting is kept and reported as a program expects.
 */
const resultOrderSetting = (): ResultOrderSetting => {
  let order = NodeDnsModule.getDefaultResultOrder() as ResultOrder
  return {
    setDefaultResultOrder: (value) => {
      order = oneOf(value, "dnsOrder", ["verbatim", "ipv4first", "ipv6first"] as const)
    },
    getDefaultResultOrder: () => order
  }
}

/**
 * `lookup(...args)` as a promise of `{ address, family }`, or the list with `all`: Node's
 * customPromisifyArgs ['address', 'family'] (lib/dns.js), which node:dns/promises's lookup gives too.
 */
const lookupPromise = (lookup: LookupFunction, args: ReadonlyArray<unknown>): Promise<unknown> =>
  new Promise((resolve, reject) => {
    ;(lookup as (...a: Array<unknown>) => void)(...args, (err: Error | null, ...values: Array<unknown>) => {
      if (err !== null) reject(err)
      else resolve(values.length > 1 ? { address: values[0], family: values[1] } : values[0])
    })
  })

/** Where a lookup function looks besides the stack's resolver. @category models */
export interface LookupConfig {
  /**
   * A hosts file (hosts(5)) to look in before asking DNS, as getaddrinfo's `hosts: files dns`:
   * read at every lookup (as glibc's files backend opens it per call), so edits count at once; a
   * file that cannot be read holds nothing. Default: none.
   */
  readonly hostsFile?: string | undefined
}

/** The hosts file's entries, or none when it cannot be read (glibc's files source: unavailable, on to DNS). */
const readHosts = (path: string, then: (entries: ReadonlyArray<Hosts.HostsEntry>) => void): void =>
  readFile(path, "latin1", (err, text) => then(err === null ? Hosts.parseHosts(text) : []))

/**
 * A `dns.lookup`-shaped function that resolves on `runtime`'s `Dns`, after
 * the hosts file when `config` names one; with no runtime, only literals,
 * `localhost` and the hosts file answer (anything else is ENOTFOUND, as
 * getaddrinfo with no DNS configured). The callback is called on a later
 * tick, never synchronously (as Node's).
 *
 * @category constructors
 */
export const lookupFunction = (runtime: Runtime.Runtime<Dns.Dns> | undefined, config?: LookupConfig): LookupFunction => {
  const hostsFile = config?.hostsFile
  function lookup(
    hostname: string,
    optionsOrCallback: number | LookupOptions | OneCallback,
    maybeCallback?: OneCallback | AllCallback
  ): void {
    const { all, family } = parseArguments(hostname, optionsOrCallback, maybeCallback, arguments.length)
    const callback = (typeof optionsOrCallback === "function" ? optionsOrCallback : maybeCallback) as
      | OneCallback
      | AllCallback
    // as Node's: an error is the callback's only argument
    const fail = (err: LookupError) => (callback as unknown as (err: LookupError) => void)(err)
    const answer = (addresses: ReadonlyArray<LookupAddress>) => {
      if (all) (callback as AllCallback)(null, [...addresses])
      else (callback as OneCallback)(null, addresses[0]!.address, addresses[0]!.family)
    }
    // a falsy name (Node deprecates it, DEP0118, but answers it): no address and no error
    if (!hostname) {
      process.nextTick(() =>
        all ? (callback as AllCallback)(null, []) : (callback as unknown as (e: null, a: null, f: number) => void)(null, null, family === 6 ? 6 : 4)
      )
      return
    }
    // an address literal is its own answer with its own family, whatever `family` asked for: Node's
    // lookup (lib/dns.js) answers it before getaddrinfo is called, so nothing is asked of a server
    const literal = isIP(hostname)
    if (literal !== 0) {
      process.nextTick(answer, [{ address: hostname, family: literal as 4 | 6 }])
      return
    }
    // localhost is the loopback, never asked of a server: getaddrinfo finds it in /etc/hosts (and
    // RFC 6761 §6.3 wants resolver libraries to answer it themselves); ::1 for IPv6, as hosts files have it
    if (isLocalhost(hostname)) {
      process.nextTick(answer, [family === 6 ? { address: "::1", family: 6 } : { address: "127.0.0.1", family: 4 }])
      return
    }
    // an IPv4 address in another form inet_aton reads (127.1, 0x7f.1): getaddrinfo tries it before
    // any lookup for AF_INET and AF_UNSPEC, and answers it dotted
    const numeric = family === 6 ? undefined : inetAton(hostname)
    if (numeric !== undefined) {
      process.nextTick(answer, [{ address: numeric, family: 4 }])
      return
    }
    // a name beyond ASCII is asked for in its IDNA ASCII form (xn--…), as Node 20 hands getaddrinfo
    // ada::idna::to_ascii(hostname) (src/cares_wrap.cc); the resolver itself takes names as octets
    // ("" when it is no valid IDNA name); then what is no host name is ENOTFOUND unasked, as
    // getaddrinfo's own check (res_hnok) makes it
    const asked = asciiName(hostname)
    if (asked !== "" && hostsFile !== undefined) {
      // the hosts file first (nsswitch's `files`), whatever the name looks like: res_hnok is DNS's own check
      readHosts(hostsFile, (entries) => {
        const f: 4 | 6 = family === 6 ? 6 : 4
        const found = Hosts.lookupHosts(entries, asked, f)
        if (found.length > 0) answer(found.map((address) => ({ address, family: f })))
        else askDns(asked)
      })
      return
    }
    askDns(asked)

    function askDns(asked: string): void {
      if (asked === "" || !isHostName(asked)) {
        const bad = new Dns.DnsError({ reason: "InvalidName", name: hostname, detail: "not a host name (IDNA, res_hnok)" })
        process.nextTick(fail, toLookupError(bad, hostname))
        return
      }
      if (runtime === undefined) {
        // no resolver: what getaddrinfo says when neither source knows the name
        process.nextTick(fail, toLookupError(new Dns.DnsError({ reason: "NotFound", name: hostname, detail: "no DNS servers configured" }), hostname))
        return
      }
      const resolve = Effect.flatMap(Dns.Dns, (dns) => (family === 6 ? dns.resolve6(asked) : dns.resolve4(asked)))
      runOn(runtime, resolve, (exit) => {
        if (Exit.isSuccess(exit)) {
          const f: 4 | 6 = family === 6 ? 6 : 4
          if (exit.value.length > 0) return answer(exit.value.map((address) => ({ address, family: f })))
          return fail(toLookupError(new Dns.DnsError({ reason: "NoData", name: hostname, detail: "no addresses" }), hostname))
        }
        const e = failureOf(exit)
        const err = Option.isSome(e)
          ? toLookupError(e.value, hostname)
          : toLookupError(new Dns.DnsError({ reason: "TimedOut", name: hostname, detail: "interrupted" }), hostname)
        fail(err)
      })
    }
  }
  // util.promisify(lookup) resolves to { address, family } (or the list, with `all`), as Node's
  // lookup does through its customPromisifyArgs ['address', 'family'] (lib/dns.js); without this it
  // would resolve to the address string alone
  Object.defineProperty(lookup, promisify.custom, { value: (...args: Array<unknown>) => lookupPromise(lookup as LookupFunction, args) })
  return lookup as LookupFunction
}

/**
 * A lookup function with the stack's context: `Dns` in the context gives it
 * its runtime.
 *
 * @category constructors
 */
export const make: Effect.Effect<LookupFunction, never, Dns.Dns> = Effect.map(Effect.runtime<Dns.Dns>(), (rt) => lookupFunction(rt))

/**
 * In a stack's context (its UDP and TCP): a resolver configured by `config`
 * and a lookup function over it, e.g. for a command's `--resolver A.B.C.D`:
 * `makeWith({ servers: [server] })`.
 *
 * @category constructors
 */
export const makeWith = (config: Dns.DnsConfig, lookupConfig?: LookupConfig): Effect.Effect<LookupFunction, never, Udp | Tcp> =>
  Effect.map(resolverRuntime(config), (rt) => lookupFunction(rt, lookupConfig))

/** A resolver configured by `config`, in the calling context (the stack's UDP and TCP), as a runtime with `Dns`. */
const resolverRuntime = (config: Dns.DnsConfig): Effect.Effect<Runtime.Runtime<Dns.Dns>, never, Udp | Tcp> =>
  Effect.flatMap(Dns.make(config), (service) =>
    Effect.map(Effect.runtime<never>(), (rt) => Runtime.provideService(rt, Dns.Dns, service)))

/** `resolverRuntime` for a stack brought up with `start` (its managed runtime). */
const resolverRuntimeOf = async (
  runtime: ManagedRuntime.ManagedRuntime<Udp | Tcp, unknown>,
  config: Dns.DnsConfig
): Promise<Runtime.Runtime<Dns.Dns>> => {
  const service = await runtime.runPromise(Dns.make(config))
  return Runtime.provideService(await runtime.runtime(), Dns.Dns, service)
}

/**
 * For a stack brought up with `start` (or any runtime with the stack's UDP
 * and TCP): a resolver configured by `config` and a lookup function over it.
 *
 * ```ts
 * const stack = await start({ tap: "tap0", address: "198.18.0.2/24" })
 * const lookup = await Dns.fromStack(stack.runtime, { servers: ["198.18.0.1"] })
 * stack.net.connect({ host: "name.test", port: 80, lookup })
 * ```
 *
 * @category constructors
 */
export const fromStack = async (
  runtime: ManagedRuntime.ManagedRuntime<Udp | Tcp, unknown>,
  config: Dns.DnsConfig,
  lookupConfig?: LookupConfig
): Promise<LookupFunction> => lookupFunction(await resolverRuntimeOf(runtime, config), lookupConfig)

// ---------------------------------------------------------------------------
// resolve4, resolve6, resolveCname, resolve: node:dns's c-ares queries

/**
 * The c-ares code Node's `dns.resolve*` gives for a `DnsError` (Node's
 * `DNSException` with a c-ares code: lib/internal/dns/utils.js `errorCodes`,
 * c-ares's ares_strerror names):
 *
 * | `DnsError` reason | `code`       | why (c-ares 1.34, as Node 20 bundles it)                          |
 * | ----------------- | ------------ | ---------------------------------------------------------------- |
 * | NotFound          | ENOTFOUND    | NXDOMAIN is ARES_ENOTFOUND                                        |
 * | NoData            | ENODATA      | NOERROR with no records of the type is ARES_ENODATA               |
 * | ServerFailure     | ESERVFAIL    | SERVFAIL is ARES_ESERVFAIL                                        |
 * | NotImplemented    | ENOTIMP      | NOTIMP is ARES_ENOTIMP                                            |
 * | Refused           | EREFUSED     | REFUSED is ARES_EREFUSED                                          |
 * | Unreachable       | ECONNREFUSED | an error on the server's socket (ICMP unreachable) closes it with |
 * |                   |              | ARES_ECONNREFUSED (read_answers, handle_conn_error)               |
 * | FormatError       | EFORMERR     | FORMERR is ARES_EFORMERR (ares_dns_query_reply_tostatus)          |
 * | TimedOut          | ETIMEOUT     | tries used up with no answer: ARES_ETIMEOUT                       |
 * | Malformed         | EBADRESP     | an answer it cannot read is ARES_EBADRESP                         |
 * | InvalidName       | EBADNAME     | a name ares_query cannot encode is ARES_EBADNAME                  |
 * | NoRoute           | ECONNREFUSED | a send that fails closes the connection with ARES_ECONNREFUSED    |
 *
 * Checked with Node 20.20 (c-ares 1.34.6)'s own Resolver against a scripted server on 127.0.0.1 in
 * a namespace: NXDOMAIN ENOTFOUND, NODATA ENODATA, SERVFAIL ESERVFAIL, NOTIMP ENOTIMP, FORMERR
 * EFORMERR, an answer count that lies EBADRESP, a closed port ECONNREFUSED, 'a..b' and a label
 * of 64 octets EBADNAME; 'localhost' and '1.2.3.4' were asked of the server.
 */
export const resolveCodeOf = (e: Dns.DnsError): string => {
  switch (e.reason) {
    case "NotFound":
      return "ENOTFOUND"
    case "NoData":
      return "ENODATA"
    case "ServerFailure":
      return "ESERVFAIL"
    case "NotImplemented":
      return "ENOTIMP"
    case "Refused":
      return "EREFUSED"
    case "Unreachable":
      return "ECONNREFUSED"
    case "FormatError":
      return "EFORMERR"
    case "TimedOut":
      return "ETIMEOUT"
    case "Malformed":
      return "EBADRESP"
    case "InvalidName":
      return "EBADNAME"
    case "NoRoute":
      return "ECONNREFUSED"
  }
}

/** The name of the c-ares binding a query goes through: the `syscall` of its errors. */
export type QueryName =
  | "queryA"
  | "queryAaaa"
  | "queryCname"
  /** the queries of node:dns this resolver does not ask (see `resolve`) */
  | "queryAny" | "queryCaa" | "queryMx" | "queryNs" | "queryTxt" | "querySrv" | "queryPtr" | "queryNaptr" | "querySoa"
  /** `reverse`: c-ares's ares_gethostbyaddr */
  | "getHostByAddr"

/** A Node `dns.resolve*` error. @category models */
export interface ResolveError extends Error {
  readonly code: string
  /** undefined, as Node's: a c-ares code has no libuv errno */
  readonly errno: undefined
  readonly syscall: QueryName
  readonly hostname?: string
}

/**
 * A `DnsError` as the error `dns.resolve*` would give for `hostname`: Node's
 * DNSException (lib/internal/errors.js) with a c-ares code, e.g.
 * `queryA ENOTFOUND name.test`; `hostname` only when it is not empty.
 */
export const toResolveError = (e: Dns.DnsError, syscall: QueryName, hostname: string): ResolveError =>
  dnsException(resolveCodeOf(e), syscall, hostname, e)

/**
 * Node's DNSException for a c-ares `code`; `cause`, the resolver's own account, for whoever looks
 * (not enumerable, as `new Error(message, { cause })` makes it: the properties are Node's).
 */
const dnsException = (code: string, syscall: QueryName, hostname: string, cause?: Dns.DnsError): ResolveError => {
  const message = `${syscall} ${code}${hostname ? ` ${hostname}` : ""}`
  const err = (cause === undefined ? new Error(message) : new Error(message, { cause })) as Error & {
    code: string
    errno: undefined
    syscall: QueryName
    hostname?: string
  }
  err.errno = undefined
  err.code = code
  err.syscall = syscall
  if (hostname) err.hostname = hostname
  return err
}

/** Node's DNSException for a libuv error (`EINVAL`): with its errno, as the binding's own checks throw it. */
const uvDnsException = (code: string, syscall: QueryName, hostname: string): ResolveError =>
  Object.assign(dnsException(code, syscall, hostname), { errno: uvErrno(code) }) as unknown as ResolveError

/** An address with its TTL, as `resolve4`/`resolve6` give with `{ ttl: true }`. @category models */
export interface RecordWithTtl {
  readonly address: string
  readonly ttl: number
}

/** @category models */
export interface ResolveOptions {
  readonly ttl?: boolean | undefined
}

type ResolveCallback<A> = (err: NodeJS.ErrnoException | null, result: A) => void

/** `dns.resolve4`'s (and `resolve6`'s) signature. @category models */
export interface ResolveAddressFunction {
  (hostname: string, callback: ResolveCallback<Array<string>>): void
  (hostname: string, options: { readonly ttl: true }, callback: ResolveCallback<Array<RecordWithTtl>>): void
  (hostname: string, options: ResolveOptions | undefined, callback: ResolveCallback<Array<string> | Array<RecordWithTtl>>): void
}

/** What one c-ares query binding asks for and how its answer becomes Node's result. */
interface Query {
  readonly name: QueryName
  readonly type: number
  /** the result for `resolution`, with TTLs when `ttl`: a list (empty: ENODATA), or SOA's one object */
  readonly result: (resolution: Dns.Resolution, ttl: boolean) => ReadonlyArray<unknown> | object | undefined
  /**
   * What an answer that had an alias and no records of the type at its end gives, as c-ares's
   * parser for the type makes it of an answer section that is not empty (`isEmptyAfterAlias`):
   * most give an empty list; the hostent parsers (NS, PTR) find no name, ENODATA; the SOA parser
   * finds no SOA, EBADRESP. Seen with Node 20 against dnsmasq (test/kernel/Dns.test.ts).
   */
  readonly afterAlias: "empty" | "ENODATA" | "EBADRESP"
  /** `reverse`'s: `hostname` is an address, asked for under its reverse name (`QUERY_REVERSE`) */
  readonly reverse?: true
}

/** The records of one RDATA kind in a resolution, each made into Node's shape. */
const recordsOf = <T extends Msg.RData["_tag"]>(tag: T, shape: (d: Extract<Msg.RData, { readonly _tag: T }>) => unknown) =>
(resolution: Dns.Resolution): Array<unknown> =>
  resolution.records.flatMap((rr) => rr.data._tag === tag ? [shape(rr.data as Extract<Msg.RData, { readonly _tag: T }>)] : [])

/** Character-string octets as Node makes them: one JS character per octet (latin1, cares_wrap's OneByteString). */
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1")

/**
 * The addresses of a resolution, or with `ttl` each with its TTL: the record's, capped by the
 * least TTL of the CNAMEs that led to it, as c-ares's ares_addrinfo2addrttl gives them (a
 * resolution carries the least TTL of its chain and records together, which is the same when the
 * records of one RRset share a TTL, as RFC 2181 §5.2 wants).
 */
const addressesOf = (resolution: Dns.Resolution, ttl: boolean): Array<unknown> =>
  resolution.records.flatMap((rr): Array<unknown> => {
    const address = rr.data._tag === "A" ? Msg.formatA(rr.data.address) : rr.data._tag === "AAAA" ? Msg.formatAaaa(rr.data.address) : undefined
    if (address === undefined) return []
    return ttl ? [{ address, ttl: resolution.cnames.length > 0 ? Math.min(rr.ttl, resolution.ttl) : rr.ttl }] : [address]
  })

const QUERY_A: Query = { name: "queryA", type: Msg.Type.A, result: addressesOf, afterAlias: "empty" }
const QUERY_AAAA: Query = { name: "queryAaaa", type: Msg.Type.AAAA, result: addressesOf, afterAlias: "empty" }

/**
 * The alias a name has: one name, the target of the CNAME the name owns, as Node's queryCname gives
 * it ("a cname lookup always returns a single record", cares_wrap.cc); seen with Node 20 against a
 * scripted server: an answer alias2 -> alias -> a gives ['alias'], a loop its first step. No TTLs
 * even with `{ ttl: true }` (that parse gives none).
 */
const QUERY_CNAME: Query = {
  name: "queryCname",
  type: Msg.Type.CNAME,
  afterAlias: "empty",
  // the records the name itself owns (a CNAME question is not followed further, readAnswer)
  result: (resolution) => {
    const first = resolution.records.find((rr) => rr.data._tag === "CNAME")
    return first?.data._tag === "CNAME" ? [first.data.target] : []
  }
}

/**
 * The records of node:dns's other queries, in the order the answer gave them (c-ares sorts
 * nothing), in the shapes of Node 20's cares_wrap: MX `{ exchange, priority }`, TXT each record's
 * character-strings, SRV `{ name, port, priority, weight }`, PTR and NS the names, NAPTR
 * `{ flags, service, regexp, replacement, order, preference }`, CAA `{ critical, [tag]: value }`
 * (critical: the flags octet), SOA one object from the first SOA record. No TTLs: `{ ttl: true }`
 * changes nothing for them in Node either. Checked against Node 20's own Resolver asking dnsmasq
 * (test/kernel/Dns.test.ts).
 */
const QUERY_MX: Query = {
  name: "queryMx",
  type: Msg.Type.MX,
  afterAlias: "empty",
  result: recordsOf("MX", (d) => ({ exchange: d.exchange, priority: d.preference }))
}
const QUERY_TXT: Query = { name: "queryTxt", type: Msg.Type.TXT, afterAlias: "empty", result: recordsOf("TXT", (d) => d.strings.map(latin1)) }
const QUERY_SRV: Query = {
  name: "querySrv",
  type: Msg.Type.SRV,
  afterAlias: "empty",
  result: recordsOf("SRV", (d) => ({ name: d.target, port: d.port, priority: d.priority, weight: d.weight }))
}
const QUERY_PTR: Query = { name: "queryPtr", type: Msg.Type.PTR, afterAlias: "ENODATA", result: recordsOf("PTR", (d) => d.target) }
const QUERY_NS: Query = { name: "queryNs", type: Msg.Type.NS, afterAlias: "ENODATA", result: recordsOf("NS", (d) => d.target) }
const QUERY_NAPTR: Query = {
  name: "queryNaptr",
  type: Msg.Type.NAPTR,
  afterAlias: "empty",
  result: recordsOf("NAPTR", (d) => ({
    flags: latin1(d.flags),
    service: latin1(d.services),
    regexp: latin1(d.regexp),
    replacement: d.replacement,
    order: d.order,
    preference: d.preference
  }))
}
const QUERY_CAA: Query = {
  name: "queryCaa",
  type: Msg.Type.CAA,
  afterAlias: "empty",
  result: recordsOf("CAA", (d) => ({ critical: d.flags, [latin1(d.tag)]: latin1(d.value) }))
}
const QUERY_SOA: Query = {
  name: "querySoa",
  type: Msg.Type.SOA,
  afterAlias: "EBADRESP",
  result: (resolution) =>
    recordsOf("SOA", (d) => ({
      nsname: d.mname,
      hostmaster: d.rname,
      serial: d.serial,
      refresh: d.refresh,
      retry: d.retry,
      expire: d.expire,
      minttl: d.minimum
    }))(resolution)[0] as object | undefined
}

/**
 * `resolveAny`: every record the answer has for the name (`Dns.readAnswer` takes ANY so), each in
 * its query's shape with its `type`, grouped by type in the order Node 20's AnyTraits parses them
 * (src/cares_wrap.cc: the CNAME, one, when the name has one, else the A records — one parse for
 * both —, AAAA, MX, NS, TXT, SRV, PTR, NAPTR, SOA, CAA), each group in the server's order; addresses always with their
 * TTL, CNAME, NS and PTR as `{ value }`, TXT as `{ entries }`. Checked against Node 20's own
 * Resolver asking dnsmasq (test/kernel/Dns.test.ts).
 */
const QUERY_ANY: Query = {
  name: "queryAny",
  type: Msg.Type.ANY,
  afterAlias: "empty",
  result: (resolution) => {
    const tagged = (type: string, xs: ReadonlyArray<unknown>, shape: (x: unknown) => object = (x) => x as object) =>
      xs.map((x) => ({ ...shape(x), type }))
    const only = (tag: Msg.RData["_tag"]): Dns.Resolution => ({ ...resolution, records: resolution.records.filter((rr) => rr.data._tag === tag) })
    const value = (x: unknown) => ({ value: x })
    const soa = QUERY_SOA.result(resolution, false)
    const cname = recordsOf("CNAME", (d) => d.target)(resolution).slice(0, 1)
    return [
      ...(cname.length > 0 ? tagged("CNAME", cname, value) : tagged("A", addressesOf(only("A"), true))),
      ...tagged("AAAA", addressesOf(only("AAAA"), true)),
      ...tagged("MX", QUERY_MX.result(resolution, false) as ReadonlyArray<unknown>),
      ...tagged("NS", QUERY_NS.result(resolution, false) as ReadonlyArray<unknown>, value),
      ...tagged("TXT", QUERY_TXT.result(resolution, false) as ReadonlyArray<unknown>, (x) => ({ entries: x })),
      ...tagged("SRV", QUERY_SRV.result(resolution, false) as ReadonlyArray<unknown>),
      ...tagged("PTR", QUERY_PTR.result(resolution, false) as ReadonlyArray<unknown>, value),
      ...tagged("NAPTR", QUERY_NAPTR.result(resolution, false) as ReadonlyArray<unknown>),
      ...tagged("SOA", soa === undefined ? [] : [soa]),
      ...tagged("CAA", QUERY_CAA.result(resolution, false) as ReadonlyArray<unknown>)
    ]
  }
}

/**
 * Whether c-ares would have answered from an answer section that was not empty: one that had a
 * CNAME for the name and no records of the type at the chain's end (NODATA for the target, or a
 * chain that loops or runs on) is no ENODATA from the query but goes to the type's parser
 * (`Query.afterAlias`): for A and AAAA, ares_addrinfo's parse finds the CNAME and no address,
 * ARES_SUCCESS, an empty list (seen with Node 20 against a scripted server). NXDOMAIN after a
 * CNAME is ENOTFOUND there as here.
 */
const isEmptyAfterAlias = (e: Dns.DnsError): boolean =>
  (e.reason === "NoData" || e.reason === "Malformed") && e.cnames !== undefined && e.cnames.length > 0

// ---------------------------------------------------------------------------
// reverse and lookupService: names for addresses

/** `text`, an IPv6 address `isIP` takes (a zone after '%' ignored, as uv_inet_pton ignores it), as 16 octets. */
const ipv6Octets = (text: string): Uint8Array => {
  const groupsOf = (part: string): Array<number> =>
    part === "" ? [] : part.split(":").flatMap((g) => {
      if (!g.includes(".")) return [parseInt(g, 16)]
      const [a, b, c, d] = g.split(".").map(Number) as [number, number, number, number]
      return [(a << 8) | b, (c << 8) | d]
    })
  const bare = text.split("%")[0]!
  const gap = bare.indexOf("::")
  let groups = groupsOf(bare)
  if (gap >= 0) {
    const head = groupsOf(bare.slice(0, gap))
    const tail = groupsOf(bare.slice(gap + 2))
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  }
  return Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]))
}

/**
 * The name the PTR records of address `ip` are kept under: the octets reversed under in-addr.arpa
 * (RFC 1035 §3.5), or the nibbles reversed under ip6.arpa (RFC 3596 §2.5) — an IPv4-mapped address
 * too, as c-ares asks it; undefined when `ip` is no address (uv_inet_pton fails: Node's EINVAL).
 */
export const reverseName = (ip: string): string | undefined => {
  switch (isIP(ip)) {
    case 4:
      return `${ip.split(".").reverse().join(".")}.in-addr.arpa`
    case 6: {
      const nibbles = [...ipv6Octets(ip)].reverse().flatMap((o) => [(o & 0xf).toString(16), (o >> 4).toString(16)])
      return `${nibbles.join(".")}.ip6.arpa`
    }
    default:
      return undefined
  }
}

/**
 * Whether `ip` is 127.0.0.1 or ::1, which Node finds in /etc/hosts (c-ares's reverse looks there
 * before DNS, getnameinfo too). With no hosts file given (`LookupConfig`): as `lookup` answers localhost with
 * these two itself (RFC 6761 §6.3), `reverse` and `lookupService` answer them as from the hosts
 * lines `127.0.0.1 localhost` and `::1 localhost`; every other address is asked of DNS. From such a
 * line getnameinfo gives `localhost`, and Node's reverse gives [] (it returns the hostent's
 * aliases, and the line's one name is the hostent's name, not an alias); seen with Node 20 in a
 * namespace with that hosts file (test/kernel/Dns.test.ts).
 */
const isLoopbackAddress = (ip: string): boolean => {
  const family = isIP(ip)
  if (family === 4) return ip === "127.0.0.1"
  return family === 6 && ipv6Octets(ip).every((o, i) => o === (i === 15 ? 1 : 0))
}

/**
 * `reverse(ip, callback)`: the names of the PTR records of `ip`'s reverse name, in the server's
 * order, as c-ares's ares_gethostbyaddr gives them to Node 20 (syscall getHostByAddr). What is no
 * address throws EINVAL (errno -22) at once, as the binding's uv_inet_pton; the promise form
 * rejects with it. ares_gethostbyaddr goes to its next source on any failure of the question and,
 * with none left, ends with ARES_ENOTFOUND: every DnsError here is ENOTFOUND (NXDOMAIN, NODATA,
 * SERVFAIL, a timeout, an unreachable server), except an alias with no PTR at its end (the PTR
 * parser's ENODATA). Seen with Node 20's own Resolver against dnsmasq (test/kernel/Dns.test.ts).
 */
const QUERY_REVERSE: Query = { ...QUERY_PTR, name: "getHostByAddr", reverse: true }

/** The getservbyport(3) names of TCP ports in Debian's netbase 6.4 /etc/services, which getnameinfo consults. */
const SERVICES: ReadonlyMap<number, string> = new Map([
  [7, "echo"], [9, "discard"], [13, "daytime"], [17, "qotd"], [19, "chargen"], [20, "ftp-data"], [21, "ftp"], [22, "ssh"],
  [23, "telnet"], [25, "smtp"], [37, "time"], [43, "whois"], [53, "domain"], [70, "gopher"], [79, "finger"], [80, "http"],
  [88, "kerberos"], [110, "pop3"], [111, "sunrpc"], [113, "auth"], [119, "nntp"], [135, "epmap"], [139, "netbios-ssn"],
  [143, "imap2"], [161, "snmp"], [162, "snmp-trap"], [179, "bgp"], [389, "ldap"], [443, "https"], [445, "microsoft-ds"],
  [465, "submissions"], [514, "shell"], [515, "printer"], [587, "submission"], [631, "ipp"], [636, "ldaps"], [873, "rsync"],
  [989, "ftps-data"], [990, "ftps"], [993, "imaps"], [995, "pop3s"], [1080, "socks"], [1194, "openvpn"], [1433, "ms-sql-s"],
  [3306, "mysql"], [3389, "ms-wbt-server"], [5432, "postgresql"], [5672, "amqp"], [6379, "redis"], [6667, "ircd"],
  [8080, "http-alt"], [9418, "git"]
])

/**
 * A `DnsError` as the error Node's `lookupService` gives for `address`: getnameinfo(3) with
 * NI_NAMEREQD (what Node asks), whose failures glibc reports as EAI_AGAIN when the server could not
 * be asked or answer (a timeout, SERVFAIL, REFUSED: TRY_AGAIN), else EAI_NONAME, which Node's
 * dnsException makes ENOTFOUND (`getnameinfo ENOTFOUND 198.18.0.11`, errno -3008). The promise
 * form's error names no host (`getnameinfo ENOTFOUND`): Node 20's promises onlookupservice passes
 * its request's `host`, which lookupService never sets (seen with Node 20, test/kernel/Dns.test.ts).
 */
const nameInfoError = (e: Dns.DnsError, hostname: string | undefined): NodeJS.ErrnoException => {
  const again = ["TimedOut", "ServerFailure", "NotImplemented", "Refused", "Unreachable", "NoRoute"].includes(e.reason)
  const code = again ? "EAI_AGAIN" : "ENOTFOUND"
  // (the resolver's account a non-enumerable cause: the properties are DNSException's)
  return Object.assign(new Error(`getnameinfo ${code}${hostname !== undefined ? ` ${hostname}` : ""}`, { cause: e }), {
    errno: uvErrno(again ? "EAI_AGAIN" : "EAI_NONAME"),
    code,
    syscall: "getnameinfo",
    ...(hostname !== undefined ? { hostname } : {})
  })
}

/**
 * getnameinfo(3) for `address` and `port` on `runtime`'s `Dns`, as Node's lookupService calls it
 * (NI_NAMEREQD, a TCP service): the name the hosts file gives the address when one is given
 * (`Hosts.nameOfAddress`), else the first name of the address's PTR records (with no hosts file,
 * localhost for the loopback, `isLoopbackAddress`), and the port's name from `SERVICES` — a table of the well-known
 * ports of Debian's /etc/services, which the stack has in place of the file — or the port's
 * number as text, as getnameinfo gives a port without a name.
 */
const nameInfo = (
  runtime: Runtime.Runtime<Dns.Dns>,
  hostsFile: string | undefined,
  address: string,
  port: number,
  promised: boolean,
  callback: (err: Error | null, hostname?: string, service?: string) => void
): void => {
  const service = SERVICES.get(port) ?? String(port)
  if (hostsFile !== undefined) {
    // getnameinfo asks gethostbyaddr: `hosts: files dns`
    readHosts(hostsFile, (entries) => {
      const name = Hosts.nameOfAddress(entries, address)
      if (name !== undefined) callback(null, name, service)
      else askPtr()
    })
    return
  }
  if (isLoopbackAddress(address)) {
    process.nextTick(callback, null, "localhost", service)
    return
  }
  askPtr()
  function askPtr(): void {
    askNameInfoPtr(runtime, address, service, promised, callback)
  }
}

/** nameInfo's PTR question: the first PTR's name, or getnameinfo's error. */
const askNameInfoPtr = (
  runtime: Runtime.Runtime<Dns.Dns>,
  address: string,
  service: string,
  promised: boolean,
  callback: (err: Error | null, hostname?: string, service?: string) => void
): void => {
  const ptr = Effect.flatMap(Dns.Dns, (dns) => dns.query(reverseName(address)!, Msg.Type.PTR))
  runOn(runtime, ptr, (exit) => {
    const first = Exit.isSuccess(exit) ? exit.value.records.find((rr) => rr.data._tag === "PTR") : undefined
    if (first?.data._tag === "PTR") return callback(null, first.data.target, service)
    const e = failureOf(exit)
    const cause = Option.isSome(e) ? e.value : new Dns.DnsError({ reason: "NoData", name: address, detail: "no PTR records" })
    callback(nameInfoError(cause, promised ? undefined : address))
  })
}

/** Node's ERR_MISSING_ARGS message for `names` (lib/internal/errors.js). */
const missingArgs = (names: ReadonlyArray<string>) => {
  const quoted = names.map((n) => `"${n}"`)
  const list = quoted.length === 1
    ? `${quoted[0]} argument`
    : quoted.length === 2
    ? `${quoted[0]} and ${quoted[1]} arguments`
    : `${quoted.slice(0, -1).join(", ")}, and ${quoted[quoted.length - 1]} arguments`
  return typeError("ERR_MISSING_ARGS", `The ${list} must be specified`)
}

/** lookupService's checks, in Node 20's order (lib/dns.js, lib/internal/dns/promises.js), thrown at once; the port as a number. */
const lookupServiceArguments = (address: unknown, port: unknown, argc: number, names: ReadonlyArray<string>): number => {
  if (argc !== names.length) throw missingArgs(names)
  if (isIP(address as string) === 0) throw invalidValue("address", "is invalid", address)
  return validPort(port, true)
}

/** `lookupService(address, port, callback)`: `(err, hostname, service)`, as Node's. */
const lookupServiceFunction = (runtime: Runtime.Runtime<Dns.Dns>, hostsFile: string | undefined) =>
  function lookupService(address: unknown, port: unknown, callback: unknown): void {
    const p = lookupServiceArguments(address, port, arguments.length, ["address", "port", "callback"])
    if (typeof callback !== "function") throw invalidArgType("callback", "of type function", callback)
    nameInfo(runtime, hostsFile, address as string, p, false, callback as (err: Error | null, hostname?: string, service?: string) => void)
  }

/** node:dns/promises's `lookupService(address, port)`: `{ hostname, service }`. */
const promisesLookupService = (runtime: Runtime.Runtime<Dns.Dns>, hostsFile: string | undefined) =>
  function lookupService(address: unknown, port: unknown): Promise<{ hostname: string; service: string }> {
    const p = lookupServiceArguments(address, port, arguments.length, ["address", "port"])
    return new Promise((resolve, reject) =>
      nameInfo(runtime, hostsFile, address as string, p, true, (err, hostname, service) => (err !== null ? reject(err) : resolve({ hostname: hostname!, service: service! }))))
  }

/**
 * Ask `channel`'s `Dns` the question of `query` for `hostname` and call `callback` on a later tick:
 * `(null, result)` or the error alone, as Node's onresolve (lib/internal/dns/callback_resolver.js);
 * the question is the channel's until it ends, for `cancel`.
 * The name goes to the server as c-ares's ares_query sends it: no 'localhost' and no address
 * literal is answered here (those are getaddrinfo's, which only `lookup` uses).
 */
const ask = (
  channel: Channel,
  query: Query,
  hostname: string,
  ttl: boolean,
  callback: (err: ResolveError | null, result?: unknown) => void
): void => {
  let asked: string
  if (query.reverse === true) {
    const arpa = reverseName(hostname)
    // the binding's own check, thrown (a rejection for the promise form, whose executor this runs in)
    if (arpa === undefined) throw uvDnsException("EINVAL", query.name, hostname)
    const hostsFile = channel.hostsFile
    if (hostsFile !== undefined) {
      // c-ares's lookups "fb": the hosts file, then DNS
      readHosts(hostsFile, (entries) => {
        const names = Hosts.reverseHosts(entries, hostname)
        if (names !== undefined) callback(null, [...names])
        else askServer(channel, query, hostname, arpa, ttl, callback)
      })
      return
    }
    if (isLoopbackAddress(hostname)) {
      process.nextTick(callback, null, [])
      return
    }
    asked = arpa
  } else {
    // a name beyond ASCII is asked for in its IDNA ASCII form (xn--…), as Node 20's resolve* ask it
    // (seen against a scripted server); one with no IDNA form Node sends as the root, which this
    // resolver does not ask: EBADNAME, unasked
    asked = asciiName(hostname)
    if (asked === "" && hostname !== "") {
      process.nextTick(callback, dnsException("EBADNAME", query.name, hostname))
      return
    }
  }
  askServer(channel, query, hostname, asked, ttl, callback)
}

/** `ask`'s question on the wire: `asked` (the name, or the reverse name) of the channel's servers. */
const askServer = (
  channel: Channel,
  query: Query,
  hostname: string,
  asked: string,
  ttl: boolean,
  callback: (err: ResolveError | null, result?: unknown) => void
): void => {
  const runtime = channel.runtime
  if (runtime === undefined) {
    // no servers (setServers([])): c-ares's ARES_ENOSERVER, which Node 20 has no name for
    process.nextTick(callback, dnsException(query.reverse === true ? "ENOTFOUND" : "UNKNOWN_ARES_ERROR", query.name, hostname))
    return
  }
  const fiber: Fiber.RuntimeFiber<Dns.Resolution, Dns.DnsError> = runOn(runtime, Effect.flatMap(Dns.Dns, (dns) => dns.query(asked, query.type)), (exit) => {
    channel.pending.delete(fiber)
    // cancel(): c-ares ends each query under way with ARES_ECANCELLED
    if (Exit.isFailure(exit) && Exit.isInterrupted(exit) && channel.cancelled.has(fiber)) {
      return callback(dnsException("ECANCELLED", query.name, hostname))
    }
    if (Exit.isSuccess(exit)) {
      const result = query.result(exit.value, ttl)
      if (Array.isArray(result) ? result.length > 0 : result !== undefined) return callback(null, result)
      return callback(toResolveError(new Dns.DnsError({ reason: "NoData", name: hostname, detail: "no records" }), query.name, hostname))
    }
    const e = failureOf(exit)
    const cause = Option.isSome(e) ? e.value : new Dns.DnsError({ reason: "TimedOut", name: hostname, detail: "interrupted" })
    if (isEmptyAfterAlias(cause)) {
      if (query.afterAlias === "empty") return callback(null, [])
      return callback(dnsException(query.afterAlias, query.name, hostname, cause))
    }
    if (query.reverse === true) return callback(dnsException("ENOTFOUND", query.name, hostname, cause))
    callback(toResolveError(cause, query.name, hostname))
  })
  channel.pending.add(fiber)
}

/**
 * One of node:dns's callback query functions (`resolve4`…): `(name[, options], callback)`, its
 * arguments checked as Node 20's `resolver(bindingName)` checks them (the name a string, the
 * callback a function, thrown at once); `options.ttl` is read as `!!(options && options.ttl)`. A
 * Resolver method: it asks on the channel of `this`, as Node's on `this._handle`.
 */
const callbackQuery = (query: Query) => {
  function resolveQuery(this: unknown, name: unknown, optionsOrCallback?: unknown, maybeCallback?: unknown): void {
    let options: unknown
    let callback = optionsOrCallback
    if (arguments.length > 2) {
      options = optionsOrCallback
      callback = maybeCallback
    }
    if (typeof name !== "string") throw invalidArgType("name", "of type string", name)
    if (typeof callback !== "function") throw invalidArgType("callback", "of type function", callback)
    const ttl = !!(options && (options as ResolveOptions).ttl)
    ask(channelOf(this), query, name, ttl, callback as (err: ResolveError | null, result?: unknown) => void)
  }
  Object.defineProperty(resolveQuery, "name", { value: query.name })
  return resolveQuery
}

/** `dns.resolveCname`'s signature. @category models */
export interface ResolveCnameFunction {
  (hostname: string, callback: ResolveCallback<Array<string>>): void
  (hostname: string, options: ResolveOptions | undefined, callback: ResolveCallback<Array<string>>): void
}

/** `dns.resolve`'s signature (the record types this resolver asks for). @category models */
export interface ResolveFunction {
  (hostname: string, callback: ResolveCallback<Array<string>>): void
  (hostname: string, rrtype: "A" | "AAAA" | "CNAME", callback: ResolveCallback<Array<string>>): void
  (hostname: string, rrtype: "MX", callback: ResolveCallback<Array<NodeDnsModule.MxRecord>>): void
  (hostname: string, rrtype: "TXT", callback: ResolveCallback<Array<Array<string>>>): void
  (hostname: string, rrtype: "SRV", callback: ResolveCallback<Array<NodeDnsModule.SrvRecord>>): void
  (hostname: string, rrtype: "PTR" | "NS", callback: ResolveCallback<Array<string>>): void
  (hostname: string, rrtype: "NAPTR", callback: ResolveCallback<Array<NodeDnsModule.NaptrRecord>>): void
  (hostname: string, rrtype: "CAA", callback: ResolveCallback<Array<NodeDnsModule.CaaRecord>>): void
  (hostname: string, rrtype: "SOA", callback: ResolveCallback<NodeDnsModule.SoaRecord>): void
  (hostname: string, rrtype: "ANY", callback: ResolveCallback<Array<NodeDnsModule.AnyRecord>>): void
  (hostname: string, rrtype: string, callback: ResolveCallback<unknown>): void
}

/** node:dns's `resolveMx`, `resolveTxt`… signature: `(hostname[, options], callback)`, no TTLs. @category models */
export interface ResolveRecordsFunction<A> {
  (hostname: string, callback: ResolveCallback<A>): void
  (hostname: string, options: ResolveOptions | undefined, callback: ResolveCallback<A>): void
}

/** The record types node:dns's `resolve` takes (lib/internal/dns/utils.js, createResolverClass) and the query of each. */
const RRTYPES: ReadonlyArray<readonly [string, QueryName]> = [
  ["ANY", "queryAny"],
  ["A", "queryA"],
  ["AAAA", "queryAaaa"],
  ["CAA", "queryCaa"],
  ["CNAME", "queryCname"],
  ["MX", "queryMx"],
  ["NS", "queryNs"],
  ["TXT", "queryTxt"],
  ["SRV", "querySrv"],
  ["PTR", "queryPtr"],
  ["NAPTR", "queryNaptr"],
  ["SOA", "querySoa"]
]


/** Every rrtype `resolve` takes, to its query (an own-property map, as Node's `{ __proto__: null }`). */
const queriesByType = (): ReadonlyMap<string, Query> => {
  const known = [QUERY_ANY, QUERY_A, QUERY_AAAA, QUERY_CNAME, QUERY_MX, QUERY_NS, QUERY_TXT, QUERY_SRV, QUERY_PTR, QUERY_NAPTR, QUERY_SOA, QUERY_CAA]
  return new Map(RRTYPES.map(([rrtype, name]) => [rrtype, known.find((q) => q.name === name)!]))
}

/**
 * node:dns's error codes (`dns.NOTFOUND` is 'ENOTFOUND'…), on both faces as on Node's, for
 * programs that compare `err.code` with them; taken from node:dns itself.
 */
const ERROR_CODES = [
  "NODATA", "FORMERR", "SERVFAIL", "NOTFOUND", "NOTIMP", "REFUSED", "BADQUERY", "BADNAME", "BADFAMILY", "BADRESP",
  "CONNREFUSED", "TIMEOUT", "EOF", "FILE", "NOMEM", "DESTRUCTION", "BADSTR", "BADFLAGS", "NONAME", "BADHINTS",
  "NOTINITIALIZED", "LOADIPHLPAPI", "ADDRGETNETWORKPARAMS", "CANCELLED"
] as const

/** node:dns's error code constants. @category models */
export type ErrorCodes = { readonly [K in (typeof ERROR_CODES)[number]]: string }

const errorCodes = (): ErrorCodes =>
  Object.fromEntries(ERROR_CODES.map((k) => [k, (NodeDnsModule as unknown as Record<string, string>)[k]])) as unknown as ErrorCodes

/**
 * The parts of node:dns that the stack's resolver answers, each with Node 20's
 * signature, arguments, results and errors, over `runtime`'s `Dns`.
 *
 * @category models
 */
export interface NodeDns extends ErrorCodes {
  /** getaddrinfo flags `lookup`'s hints take, as node:dns's */
  readonly ADDRCONFIG: number
  readonly ALL: number
  readonly V4MAPPED: number
  readonly lookup: LookupFunction
  readonly resolve4: ResolveAddressFunction
  readonly resolve6: ResolveAddressFunction
  readonly resolveCname: ResolveCnameFunction
  readonly resolveMx: ResolveRecordsFunction<Array<NodeDnsModule.MxRecord>>
  readonly resolveTxt: ResolveRecordsFunction<Array<Array<string>>>
  readonly resolveSrv: ResolveRecordsFunction<Array<NodeDnsModule.SrvRecord>>
  readonly resolvePtr: ResolveRecordsFunction<Array<string>>
  readonly resolveNs: ResolveRecordsFunction<Array<string>>
  readonly resolveNaptr: ResolveRecordsFunction<Array<NodeDnsModule.NaptrRecord>>
  readonly resolveCaa: ResolveRecordsFunction<Array<NodeDnsModule.CaaRecord>>
  readonly resolveSoa: ResolveRecordsFunction<NodeDnsModule.SoaRecord>
  /** every record of the name, each with its `type`; see `QUERY_ANY` */
  readonly resolveAny: ResolveRecordsFunction<Array<NodeDnsModule.AnyRecord>>
  readonly resolve: ResolveFunction
  /** the names of an address (PTR), syscall getHostByAddr; see `QUERY_REVERSE` */
  readonly reverse: (ip: string, callback: ResolveCallback<Array<string>>) => void
  /** getnameinfo: the address's name and the port's service; see `nameInfo` */
  readonly lookupService: (address: string, port: number, callback: (err: NodeJS.ErrnoException | null, hostname: string, service: string) => void) => void
  /** node:dns's Resolver: the queries and `reverse` on servers of its own; see `resolverClasses` */
  readonly Resolver: new(options?: ResolverOptions) => NodeDnsResolver
  /** the servers the module's queries ask, as Node writes them ("A.B.C.D" or "A.B.C.D:port") */
  readonly getServers: () => Array<string>
  /** a new default Resolver with these servers for the module's queries, both faces */
  readonly setServers: (servers: ReadonlyArray<string>) => void
  /** the same as promises, as `dns.promises` (node:dns/promises) */
  readonly promises: NodeDnsPromises
  /** the default result order, shared with `promises` (see `ResultOrder`) */
  readonly setDefaultResultOrder: (order: ResultOrder) => void
  readonly getDefaultResultOrder: () => ResultOrder
}

/** `new Resolver(options)`: ms before the first try gives up (-1: the default), tries per server (default 4). @category models */
export interface ResolverOptions {
  readonly timeout?: number | undefined
  readonly tries?: number | undefined
}

/** What a Resolver of either face has besides its queries. @category models */
export interface ResolverControls {
  /** end every question under way on this resolver: ECANCELLED */
  readonly cancel: () => void
  readonly getServers: () => Array<string>
  readonly setServers: (servers: ReadonlyArray<string>) => void
  /** the address this resolver's questions go from: an IPv4 one, an IPv6 one (unused: no IPv6 servers), or one of each */
  readonly setLocalAddress: (ipv4: string, ipv6?: string) => void
}

/** The queries a `Resolver` has, as the module's. */
type ResolverQuery =
  | "resolve4" | "resolve6" | "resolveCname" | "resolveMx" | "resolveTxt" | "resolveSrv" | "resolvePtr" | "resolveNs"
  | "resolveNaptr" | "resolveCaa" | "resolveSoa" | "resolveAny" | "resolve" | "reverse"

/** node:dns's `Resolver`: its queries as the module's, on its own servers. @category models */
export type NodeDnsResolver = ResolverControls & Pick<NodeDns, ResolverQuery>

/** node:dns/promises's `Resolver`. @category models */
export type NodeDnsPromisesResolver = ResolverControls & Pick<NodeDnsPromises, ResolverQuery>

/** node:dns/promises's `lookup`, `resolve4`… over the stack's resolver. @category models */
export interface NodeDnsPromises extends ErrorCodes {
  readonly lookup: {
    (hostname: string, options?: number | (PromisesLookupOptions & { readonly all?: false | undefined })): Promise<LookupAddress>
    (hostname: string, options: PromisesLookupOptions & { readonly all: true }): Promise<Array<LookupAddress>>
    (hostname: string, options?: number | PromisesLookupOptions): Promise<LookupAddress | Array<LookupAddress>>
  }
  readonly resolve4: {
    (hostname: string, options?: { readonly ttl?: false | undefined }): Promise<Array<string>>
    (hostname: string, options: { readonly ttl: true }): Promise<Array<RecordWithTtl>>
    (hostname: string, options?: ResolveOptions): Promise<Array<string> | Array<RecordWithTtl>>
  }
  readonly resolve6: NodeDnsPromises["resolve4"]
  readonly resolveCname: (hostname: string, options?: ResolveOptions) => Promise<Array<string>>
  readonly resolveMx: (hostname: string, options?: ResolveOptions) => Promise<Array<NodeDnsModule.MxRecord>>
  readonly resolveTxt: (hostname: string, options?: ResolveOptions) => Promise<Array<Array<string>>>
  readonly resolveSrv: (hostname: string, options?: ResolveOptions) => Promise<Array<NodeDnsModule.SrvRecord>>
  readonly resolvePtr: (hostname: string, options?: ResolveOptions) => Promise<Array<string>>
  readonly resolveNs: (hostname: string, options?: ResolveOptions) => Promise<Array<string>>
  readonly resolveNaptr: (hostname: string, options?: ResolveOptions) => Promise<Array<NodeDnsModule.NaptrRecord>>
  readonly resolveCaa: (hostname: string, options?: ResolveOptions) => Promise<Array<NodeDnsModule.CaaRecord>>
  readonly resolveSoa: (hostname: string, options?: ResolveOptions) => Promise<NodeDnsModule.SoaRecord>
  readonly resolveAny: (hostname: string, options?: ResolveOptions) => Promise<Array<NodeDnsModule.AnyRecord>>
  readonly reverse: (ip: string) => Promise<Array<string>>
  readonly lookupService: (address: string, port: number) => Promise<{ hostname: string; service: string }>
  readonly Resolver: new(options?: ResolverOptions) => NodeDnsPromisesResolver
  readonly getServers: () => Array<string>
  readonly setServers: (servers: ReadonlyArray<string>) => void
  readonly resolve: {
    (hostname: string, rrtype?: "A" | "AAAA" | "CNAME" | "PTR" | "NS"): Promise<Array<string>>
    (hostname: string, rrtype: "MX"): Promise<Array<NodeDnsModule.MxRecord>>
    (hostname: string, rrtype: "TXT"): Promise<Array<Array<string>>>
    (hostname: string, rrtype: "SRV"): Promise<Array<NodeDnsModule.SrvRecord>>
    (hostname: string, rrtype: "NAPTR"): Promise<Array<NodeDnsModule.NaptrRecord>>
    (hostname: string, rrtype: "CAA"): Promise<Array<NodeDnsModule.CaaRecord>>
    (hostname: string, rrtype: "SOA"): Promise<NodeDnsModule.SoaRecord>
    (hostname: string, rrtype: "ANY"): Promise<Array<NodeDnsModule.AnyRecord>>
    (hostname: string, rrtype: string): Promise<unknown>
  }
  readonly setDefaultResultOrder: (order: ResultOrder) => void
  readonly getDefaultResultOrder: () => ResultOrder
}

/** node:dns/promises's lookup options: `family` only 0, 4 or 6 (Node 20's promises lookup takes no 'IPv4'/'IPv6'). */
export type PromisesLookupOptions = Omit<LookupOptions, "family"> & { readonly family?: number | undefined }

/**
 * node:dns/promises's `lookup(hostname[, options])`, its arguments checked as Node 20's
 * (lib/internal/dns/promises.js: `family` validated with validateOneOf only, so 'IPv4' is
 * ERR_INVALID_ARG_VALUE there, unlike the callback lookup), thrown at once, not rejected; then the
 * callback lookup answers, its result as `{ address, family }` or the list with `all`.
 */
const promisesLookup = (lookup: LookupFunction) => (hostname?: unknown, options?: unknown): Promise<unknown> => {
  if (hostname) {
    if (typeof hostname !== "string") throw invalidArgType("hostname", "of type string", hostname)
  }
  let checked: { readonly family: 0 | 4 | 6; readonly all: boolean }
  if (typeof options === "number") checked = { family: oneOf(options, "family", [0, 4, 6] as const), all: false }
  else if (options !== undefined && typeof options !== "object") {
    throw typeError("ERR_INVALID_ARG_TYPE", `The "options" argument must be of type object or integer. Received ${received(options)}`)
  } else checked = lookupOptions((options ?? {}) as Record<string, unknown>, false)
  return lookupPromise(lookup, [hostname, checked])
}

/**
 * One of node:dns/promises's query functions: `(name[, options])`, the name checked at once
 * (ERR_INVALID_ARG_TYPE thrown, not rejected), as Node 20's promises `resolver(bindingName)`.
 */
const promiseQuery = (query: Query) => {
  function resolveQuery(this: unknown, name: unknown, options?: unknown): Promise<unknown> {
    if (typeof name !== "string") throw invalidArgType("name", "of type string", name)
    const ttl = !!(options && (options as ResolveOptions).ttl)
    const channel = channelOf(this)
    return new Promise((resolve, reject) =>
      ask(channel, query, name, ttl, (err, result) => (err !== null ? reject(err) : resolve(result!))))
  }
  Object.defineProperty(resolveQuery, "name", { value: query.name })
  return resolveQuery
}

/**
 * node:dns/promises's `resolve(hostname[, rrtype])` as Node 20's: an rrtype given must be a string
 * (ERR_INVALID_ARG_TYPE) naming a query (ERR_INVALID_ARG_VALUE), thrown at once; none means A.
 */
const promisesResolve = (queries: ReadonlyMap<string, (name: unknown) => Promise<unknown>>) =>
  function resolve(this: unknown, hostname: unknown, rrtype?: unknown): Promise<unknown> {
    let query: ((name: unknown) => Promise<unknown>) | undefined
    if (rrtype !== undefined) {
      if (typeof rrtype !== "string") throw invalidArgType("rrtype", "of type string", rrtype)
      query = queries.get(rrtype)
      if (query === undefined) throw invalidValue("rrtype", "is invalid", rrtype)
    } else query = queries.get("A")!
    return query.call(this, hostname)
  }

/**
 * node:dns's `resolve(hostname[, rrtype], callback)` as Node 20's (callback_resolver.js): a
 * function for rrtype is the callback and the type is A; an rrtype that is not a string is
 * ERR_INVALID_ARG_TYPE, one that names no query ERR_INVALID_ARG_VALUE, both thrown at once; then
 * the query of the type is called with (hostname, callback), so no `{ ttl }` gets through.
 */
const resolveFunction = (queries: ReadonlyMap<string, (name: unknown, callback: unknown) => void>) =>
  function resolve(this: unknown, hostname: unknown, rrtype: unknown, callback?: unknown): void {
    let query: ((name: unknown, callback: unknown) => void) | undefined
    if (typeof rrtype === "string") query = queries.get(rrtype)
    else if (typeof rrtype === "function") {
      query = queries.get("A")
      callback = rrtype
    } else throw invalidArgType("rrtype", "of type string", rrtype)
    if (query === undefined) throw invalidValue("rrtype", "is invalid", rrtype)
    query.call(this, hostname, callback)
  }

// ---------------------------------------------------------------------------
// Resolver: node:dns's per-instance resolvers

/**
 * One resolver's state, what node:dns keeps in a ChannelWrap (c-ares's channel): its own `Dns`
 * (servers, timeout, tries and cache of its own, `DnsService.reconfigure`), none after
 * `setServers([])`; and its questions under way, for `cancel`.
 */
interface Channel {
  service: Dns.DnsService | undefined
  runtime: Runtime.Runtime<Dns.Dns> | undefined
  /** tries per server (c-ares's ARES_OPT_TRIES) and the first try's wait in ms, for `setServers` */
  readonly tries: number
  readonly timeoutMs: number | undefined
  /** the IPv4 address questions go from (`setLocalAddress`), else the route's */
  local: Addr.Ipv4Addr | undefined
  readonly pending: Set<Fiber.RuntimeFiber<Dns.Resolution, Dns.DnsError>>
  readonly cancelled: WeakSet<Fiber.RuntimeFiber<Dns.Resolution, Dns.DnsError>>
  /** where `reverse` looks before asking (LookupConfig's), as c-ares reads the hosts file */
  readonly hostsFile: string | undefined
}

/** Every Resolver's channel, by the Resolver (node:dns's `this._handle`); both faces' classes share it, as Node's share `_handle`. */
const channels = new WeakMap<object, Channel>()

const channelOf = (self: unknown): Channel => {
  const channel = typeof self === "object" && self !== null ? channels.get(self) : undefined
  // as Node's methods read this._handle of whatever `this` is
  if (channel === undefined) throw new TypeError("Cannot read properties of undefined (reading '_handle')")
  return channel
}

/** A server string as node:dns's setServers reads it (lib/internal/dns/utils.js): [family, address, port]. */
const serverOf = (text: string): readonly [number, string, number] | undefined => {
  const family = isIP(text)
  if (family !== 0) return [family, text, 53]
  const bracketed = /^\[([^[\]]*)\]/.exec(text)
  if (bracketed !== null && isIP(bracketed[1]!) !== 0) {
    return [isIP(bracketed[1]!), bracketed[1]!, parseInt(text.replace(/(^.+?)(?::(\d+))?$/, "$2")) || 53]
  }
  const split = /(^.+?)(?::(\d+))?$/.exec(text)
  if (split !== null && isIP(split[1]!) !== 0) return [isIP(split[1]!), split[1]!, parseInt(split[2] ?? "53")]
  return undefined
}

/**
 * The classes of `Resolver` and `promises.Resolver`, over `base`'s `Dns`. `new Resolver({ timeout,
 * tries })` checks them as Node 20's ResolverBase (validateInt32: timeout >= -1, tries >= 1) and
 * starts with the servers of `base`; each try waits `timeout` ms (-1 or 0: the resolver's own
 * default, as c-ares takes 0 for its default), doubled each round, `tries` times per server
 * (c-ares's ARES_OPT_TIMEOUTMS and ARES_OPT_TRIES). `setServers` takes what Node's takes (A.B.C.D,
 * A.B.C.D:port, IPv6 with or without brackets) with its errors; the stack reaches IPv4 servers
 * only, so an IPv6 one, or a port Node would not refuse but c-ares cannot use (0, over 65535), is
 * ERR_DNS_SET_SERVERS_FAILED, the servers left as they were. `cancel()` ends every question under
 * way on this resolver with ECANCELLED, as ares_cancel. `setLocalAddress(ipv4[, ipv6])` checks
 * as Node's (cares_wrap's SetLocalAddress: one address of each family at most, either order) and
 * sends this resolver's questions from the IPv4 one (ares_set_local_ip4; the IPv6 one would serve
 * IPv6 servers, which the stack has none of); one that is not the stack's fails the questions as
 * c-ares's failing bind does, ECONNREFUSED.
 */
const resolverClasses = (base: Runtime.Runtime<Dns.Dns>, hostsFile?: string) => {
  const baseService = Runtime.runSync(base)(Dns.Dns)
  const configured = (servers: ReadonlyArray<Dns.Server>, tries: number, timeoutMs: number | undefined, local: Addr.Ipv4Addr | undefined) => {
    if (servers.length === 0) return { service: undefined, runtime: undefined }
    const service = Runtime.runSync(base)(baseService.reconfigure({
      servers,
      // (ANY: none, over whatever the base resolver had)
      localAddress: local ?? Addr.ANY,
      attempts: tries * servers.length,
      ...(timeoutMs !== undefined ? { timeout: Duration.millis(timeoutMs) } : {})
    }))
    return { service, runtime: Runtime.provideService(base, Dns.Dns, service) }
  }
  class ResolverBase {
    constructor(options?: { readonly timeout?: number; readonly tries?: number }) {
      const { timeout = -1, tries = 4 } = { ...options } as { timeout?: unknown; tries?: unknown }
      const ms = validateInt32(timeout, "options.timeout", -1)
      const n = validateInt32(tries, "options.tries", 1)
      const timeoutMs = ms > 0 ? ms : undefined
      channels.set(this, {
        ...configured(baseService.servers, n, timeoutMs, undefined),
        tries: n,
        timeoutMs,
        local: undefined,
        pending: new Set(),
        cancelled: new WeakSet(),
        hostsFile
      })
    }
    cancel(): void {
      const channel = channelOf(this)
      for (const fiber of channel.pending) {
        channel.cancelled.add(fiber)
        fiber.unsafeInterruptAsFork(FiberId.none)
      }
    }
    getServers(): Array<string> {
      return (channelOf(this).service?.servers ?? []).map((s) => Addr.format(s.address) + (s.port === 53 ? "" : `:${s.port}`))
    }
    setServers(servers: ReadonlyArray<string>): void {
      if (!Array.isArray(servers)) {
        throw typeError("ERR_INVALID_ARG_TYPE", `The "servers" argument must be an instance of Array. Received ${received(servers)}`)
      }
      const parsed = servers.map((text: unknown, i) => {
        if (typeof text !== "string") throw invalidArgType(`servers[${i}]`, "of type string", text)
        const server = serverOf(text)
        if (server === undefined) throw typeError("ERR_INVALID_IP_ADDRESS", `Invalid IP address: ${text}`)
        return server
      })
      const failed = (why: string) =>
        Object.assign(new Error(`failed to set servers: "${why}" [${String(servers)}]`), { code: "ERR_DNS_SET_SERVERS_FAILED" })
      if (parsed.some(([family]) => family !== 4)) throw failed("the stack reaches IPv4 servers only")
      if (parsed.some(([, , port]) => !(port >= 1 && port <= 65535))) throw failed("a port out of range")
      const channel = channelOf(this)
      // a server given twice is one server, as c-ares keeps it (getServers shows it once)
      const unique = parsed.filter(([, address, port], i) => parsed.findIndex(([, a, p]) => a === address && p === port) === i)
      const next = configured(unique.map(([, address, port]) => ({ address: Addr.parse(address)!, port })), channel.tries, channel.timeoutMs, channel.local)
      channel.service = next.service
      channel.runtime = next.runtime
    }
    setLocalAddress(ipv4: string, ipv6?: string): void {
      if (typeof ipv4 !== "string") throw invalidArgType("ipv4", "of type string", ipv4)
      if (typeof ipv6 !== "string" && ipv6 !== undefined) throw invalidArgType("ipv6", "of type string", ipv6)
      const invalid = (reason: string) => typeError("ERR_INVALID_ARG_VALUE", reason)
      const first = isIP(ipv4)
      if (first === 0) throw invalid("Invalid IP address.")
      const second = ipv6 === undefined ? undefined : isIP(ipv6)
      if (second === 0) throw invalid("Invalid IP address.")
      if (second === first) throw invalid(`Cannot specify two IPv${first} addresses.`)
      const v4 = first === 4 ? ipv4 : second === 4 ? ipv6 : undefined
      const channel = channelOf(this)
      channel.local = v4 === undefined ? undefined : Addr.parse(v4)
      const next = configured(channel.service?.servers ?? [], channel.tries, channel.timeoutMs, channel.local)
      channel.service = next.service
      channel.runtime = next.runtime
    }
  }
  const queries = queriesByType()
  const methods = (f: (query: Query) => (...args: Array<any>) => unknown, resolve: (qs: ReadonlyMap<string, any>) => unknown) => {
    const byType = new Map([...queries].map(([rrtype, query]) => [rrtype, f(query)]))
    return {
      ...Object.fromEntries(RRTYPES.map(([rrtype]) => [METHODS[rrtype], byType.get(rrtype)])),
      reverse: f(QUERY_REVERSE),
      resolve: resolve(byType)
    }
  }
  class Resolver extends ResolverBase {}
  class PromisesResolver extends ResolverBase {}
  Object.assign(Resolver.prototype, methods(callbackQuery, resolveFunction))
  Object.assign(PromisesResolver.prototype, methods(promiseQuery, promisesResolve))
  Object.defineProperty(Resolver, "name", { value: "Resolver" })
  Object.defineProperty(PromisesResolver, "name", { value: "Resolver" })
  /** the module's own resolver: `base` itself (its configuration and cache), until dns.setServers */
  const defaultOf = (): ResolverBase => {
    const r = Object.create(Resolver.prototype) as ResolverBase
    channels.set(r, {
      service: baseService,
      runtime: base,
      tries: 4,
      timeoutMs: undefined,
      local: undefined,
      pending: new Set(),
      cancelled: new WeakSet(),
      hostsFile
    })
    return r
  }
  return {
    Resolver: Resolver as unknown as NodeDns["Resolver"],
    PromisesResolver: PromisesResolver as unknown as NodeDnsPromises["Resolver"],
    defaultOf
  }
}

/** The Resolver method of each rrtype (lib/internal/dns/utils.js, createResolverClass). */
const METHODS: Record<string, string> = {
  ANY: "resolveAny",
  A: "resolve4",
  AAAA: "resolve6",
  CAA: "resolveCaa",
  CNAME: "resolveCname",
  MX: "resolveMx",
  NS: "resolveNs",
  TXT: "resolveTxt",
  SRV: "resolveSrv",
  PTR: "resolvePtr",
  NAPTR: "resolveNaptr",
  SOA: "resolveSoa"
}

/**
 * node:dns's functions answered by `runtime`'s `Dns`, for programs that use
 * Node's `dns` module: `const dns = Dns.nodeDns(runtime)` and then
 * `dns.resolve4(name, cb)` as with `import * as dns from "node:dns"`. The
 * module's query functions are its default Resolver's methods, bound to it
 * as Node binds them: `runtime`'s `Dns` until `dns.setServers` (or
 * `dns.promises.setServers`) puts a new Resolver with those servers in its
 * place, for both faces. `lookup` and `lookupService` stay on `runtime`'s
 * `Dns`, as Node's stay on getaddrinfo and getnameinfo.
 *
 * @category constructors
 */
export const nodeDns = (runtime: Runtime.Runtime<Dns.Dns>, lookupConfig?: LookupConfig): NodeDns => {
  const { defaultOf, PromisesResolver, Resolver } = resolverClasses(runtime, lookupConfig?.hostsFile)
  let current = defaultOf()
  const onDefault = <F>(proto: object, method: string): F => {
    const f = (proto as Record<string, (...args: Array<unknown>) => unknown>)[method]!
    return function(...args: Array<unknown>) {
      return f.apply(current, args)
    } as F
  }
  const setServers = (servers: ReadonlyArray<string>) => {
    const next = new Resolver()
    next.setServers(servers)
    current = next as unknown as typeof current
  }
  const getServers = () => (Resolver.prototype.getServers as () => Array<string>).call(current)
  const lookup = lookupFunction(runtime, lookupConfig)
  // one default result order for both faces, as Node's module-wide setting
  const order = resultOrderSetting()
  const face = <P>(proto: object, extra: object): P =>
    ({
      ...errorCodes(),
      ...order,
      ...Object.fromEntries([...Object.values(METHODS), "reverse", "resolve"].map((m) => [m, onDefault(proto, m)])),
      setServers,
      getServers,
      ...extra
    }) as P
  return face<NodeDns>(Resolver.prototype, {
    ADDRCONFIG: NodeDnsModule.ADDRCONFIG,
    ALL: NodeDnsModule.ALL,
    V4MAPPED: NodeDnsModule.V4MAPPED,
    lookup,
    lookupService: lookupServiceFunction(runtime, lookupConfig?.hostsFile),
    Resolver,
    promises: face<NodeDnsPromises>(PromisesResolver.prototype, {
      lookup: promisesLookup(lookup),
      lookupService: promisesLookupService(runtime, lookupConfig?.hostsFile),
      Resolver: PromisesResolver
    })
  })
}

/**
 * `nodeDns` with the stack's context: `Dns` in the context gives it its runtime.
 *
 * @category constructors
 */
export const makeNodeDns: Effect.Effect<NodeDns, never, Dns.Dns> = Effect.map(Effect.runtime<Dns.Dns>(), (rt) => nodeDns(rt))

/**
 * In a stack's context (its UDP and TCP): a resolver configured by `config` and node:dns's
 * functions over it.
 *
 * @category constructors
 */
export const makeNodeDnsWith = (config: Dns.DnsConfig, lookupConfig?: LookupConfig): Effect.Effect<NodeDns, never, Udp | Tcp> =>
  Effect.map(resolverRuntime(config), (rt) => nodeDns(rt, lookupConfig))

/**
 * For a stack brought up with `start`: a resolver configured by `config` and node:dns's
 * functions over it.
 *
 * ```ts
 * const dns = await Dns.nodeDnsFromStack(stack.runtime, { servers: ["198.18.0.1"] })
 * dns.resolve4("name.test", (err, addresses) => …)
 * stack.net.connect({ host: "name.test", port: 80, lookup: dns.lookup })
 * ```
 *
 * @category constructors
 */
export const nodeDnsFromStack = async (
  runtime: ManagedRuntime.ManagedRuntime<Udp | Tcp, unknown>,
  config: Dns.DnsConfig,
  lookupConfig?: LookupConfig
): Promise<NodeDns> => nodeDns(await resolverRuntimeOf(runtime, config), lookupConfig)
