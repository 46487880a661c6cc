/**
 * `gonet-ts/node`: Node's socket APIs over the stack, for programs that
 * are not written with Effect. `start` brings a stack up on a TAP and
 * returns `net`, `http`, `https`, `http2` and `dgram` shaped as Node's own
 * modules, and `fetch`, whose names resolve as getaddrinfo's `hosts: files
 * dns` (the hosts file, then the stack's DNS when `dns` names servers; `dns`
 * is then node:dns over it); with a stack already built as a Layer,
 * `Net.make`, `Http.make`, `Https.make`, `Http2.make`, `Dgram.make` and
 * `Fetch.make` give the same over the stack in context.
 *
 * ```ts
 * import { start } from "gonet-ts/node"
 * const stack = await start({ tap: "tap0", address: "198.18.0.2/24" })
 * stack.http.createServer((req, res) => res.end("hello\n")).listen(80)
 * // …
 * await stack.close()
 * ```
 *
 * @since 0.1.0
 */
import { Layer, ManagedRuntime } from "effect"
import { LinkTap, Stack } from "../index.js"
import * as Addr from "../wire/Ipv4Addr.js"
import * as Mac from "../wire/Mac.js"
import type * as DnsResolver from "../dns/Dns.js"
import * as Dgram from "./Dgram.js"
import * as Dns from "./Dns.js"
import * as Fetch from "./Fetch.js"
import * as Http from "./Http.js"
import * as Http2 from "./Http2.js"
import * as Https from "./Https.js"
import * as Net from "./Net.js"

export * as Dgram from "./Dgram.js"
export * as Dns from "./Dns.js"
export * as Errors from "./Errors.js"
export * as Fetch from "./Fetch.js"
export * as Http from "./Http.js"
export * as Http2 from "./Http2.js"
export * as Https from "./Https.js"
export * as Net from "./Net.js"

/** @category models */
export interface StartOptions {
  /** the TAP to open (created when missing) */
  readonly tap: string
  /** the stack's address and prefix, `A.B.C.D/N` */
  readonly address: string
  readonly gateway?: string
  /** the stack's MAC, `aa:bb:cc:dd:ee:ff`; default a random locally administered one */
  readonly mac?: string
  /** give the kernel side of the TAP this address (`A.B.C.D/N`) and bring it up */
  readonly hostAddress?: string
  /** TAP offloads (virtio-net headers, checksum, TSO); default true */
  readonly offload?: boolean
  /**
   * The stack's DNS resolver (servers it reaches over the stack), for names the hosts file does
   * not give: `net`, `http`, `https` and `fetch` resolve names through it, and `dns` is node:dns
   * over it. Default: none (names not in the hosts file are ENOTFOUND).
   */
  readonly dns?: DnsResolver.DnsConfig
  /** the hosts file looked in first, at every lookup (getaddrinfo's `files`); false for none; default /etc/hosts */
  readonly hostsFile?: string | false
}

/** A running stack with Node-shaped APIs over it. @category models */
export interface NodeStack {
  readonly net: Net.Net
  readonly http: Http.Http
  /** Node's https (TLS by Node, over the stack's sockets) */
  readonly https: Https.Https
  /** Node's http2 (h2c, and h2 over Node's TLS), over the stack's sockets */
  readonly http2: Http2.Http2
  /** WHATWG fetch (undici's) over the stack's sockets */
  readonly fetch: Fetch.StackFetch["fetch"]
  readonly dgram: Dgram.Dgram
  /** `dns.lookup` as the sockets above resolve names: the hosts file, then `dns` when configured */
  readonly lookup: Dns.LookupFunction
  /** node:dns over the stack's resolver, when `dns` was given */
  readonly dns: Dns.NodeDns | undefined
  /** the stack's runtime, for Effect code that wants the same stack */
  readonly runtime: ManagedRuntime.ManagedRuntime<Stack.Services, unknown>
  /** stop every fiber (connections are reset) and release the TAP */
  readonly close: () => Promise<void>
}

const randomMac = (): Mac.Mac => Mac.locallyAdministered(globalThis.crypto.getRandomValues(new Uint8Array(6)))

/**
 * Bring a stack up on a TAP and return Node's APIs over it. Rejects with
 * the stack's typed error (`ConfigError`, `LinkError`) when it cannot.
 *
 * @category constructors
 */
export const start = async (options: StartOptions): Promise<NodeStack> => {
  const cidr = Addr.parseCidr(options.address)
  if (cidr === undefined) throw new TypeError(`address '${options.address}' is not A.B.C.D/N`)
  const host = options.hostAddress === undefined ? undefined : Addr.parseCidr(options.hostAddress)
  if (options.hostAddress !== undefined && host === undefined) {
    throw new TypeError(`hostAddress '${options.hostAddress}' is not A.B.C.D/N`)
  }
  const mac = options.mac === undefined ? randomMac() : Mac.parse(options.mac)
  if (mac === undefined) throw new TypeError(`mac '${String(options.mac)}' is not aa:bb:cc:dd:ee:ff`)
  const link = LinkTap.layer({
    name: options.tap,
    mac,
    ...(host !== undefined ? { host: { address: host.address, prefixLength: host.prefixLength } } : {}),
    ...(options.offload !== undefined ? { offload: options.offload } : {})
  })
  const layer = Stack.layer({
    address: cidr.address,
    prefixLength: cidr.prefixLength,
    ...(options.gateway !== undefined ? { gateway: options.gateway } : {})
  }).pipe(Layer.provide(link))
  const runtime = ManagedRuntime.make(layer)
  const lookupConfig = { hostsFile: options.hostsFile === false ? undefined : options.hostsFile ?? "/etc/hosts" }
  // what fails once the stack is up (a `dns` whose server is no address) lets the TAP and the
  // stack's fibers go before start rejects: nobody else holds the runtime to dispose it
  const made = await (async () => {
    const dns = options.dns === undefined ? undefined : await Dns.nodeDnsFromStack(runtime, options.dns, lookupConfig)
    const lookup = dns?.lookup ?? Dns.lookupFunction(undefined, lookupConfig)
    const net = Net.fromRuntime(await runtime.runtime(), Addr.format(cidr.address), lookup)
    return { dns, lookup, net, dgram: await runtime.runPromise(Dgram.makeWith(lookup)) }
  })().catch((e: unknown) => runtime.dispose().then(() => Promise.reject(e)))
  const { dns, lookup, net, dgram } = made
  const fetch = Fetch.fromNet(net)
  return {
    net,
    http: Http.fromNet(net),
    https: Https.fromNet(net),
    http2: Http2.fromNet(net),
    fetch: fetch.fetch,
    dgram,
    lookup,
    dns,
    runtime,
    close: () => fetch.dispatcher.destroy().then(() => runtime.dispose())
  }
}
