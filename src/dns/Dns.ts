/**
 * A DNS stub resolver (RFC 1035 §7, RFC 1123 §6.1.3) over the stack's own
 * UDP and TCP.
 *
 * - **Transport.** Each question goes out as one UDP datagram from a fresh
 *   socket on a random port (UDP draws an ephemeral port's start afresh for
 *   each bind), with a random 16-bit ID (RFC 5452 §9.2); both come from
 *   `crypto.getRandomValues`, not Effect's seeded `Random`, because an
 *   off-path attacker must not predict them. An answer with TC set
 *   (RFC 1035 §4.2.1) makes the resolver ask the same question again over TCP,
 *   each message behind a 2-octet length (RFC 1035 §4.2.2, RFC 7766 §5, §8).
 * - **Acceptance** (RFC 5452 §9.1): a datagram is taken as the answer only if
 *   it comes from the server's address and port to our socket, is a response
 *   (QR) to a standard query with our ID, and repeats our one question (name
 *   compared case-insensitively, type and class equal). Anything else,
 *   including what does not decode that far, is ignored and counted
 *   (`mismatched`), and the resolver keeps waiting until the attempt's
 *   deadline. An answer that matches but whose records do not decode (and
 *   is not truncated) ends the attempt at once as `Malformed`.
 * - **Time** is Effect's Clock: attempt i waits `timeout · backoff^i` (default
 *   2 s, 4 s, 8 s) and asks `servers[i mod n]`, so retries rotate through the
 *   servers (RFC 1035 §7.2, RFC 1536 §1). SERVFAIL, REFUSED, FORMERR and
 *   NOTIMP move on to the next attempt at once; after the last attempt the
 *   error is the last such answer's, or `TimedOut`.
 * - **CNAME** chains are followed within an answer (RFC 1034 §3.6.2,
 *   §5.3.3); if a chain ends at a name the answer has no records for, that
 *   name is asked for, at most `maxCnameQueries` times. A chain that comes
 *   round to a name already seen is `Malformed`.
 * - **Cache** keyed by (name, type), bounded to `cacheSize` entries (the
 *   least recently used goes first). A positive answer lives for the least
 *   TTL of the records it was made of (RFC 2181 §5.2, §8), capped by
 *   `maxTtl`. NXDOMAIN and NODATA are cached (RFC 2308 §5) for the least of
 *   the SOA record's TTL and MINIMUM when the authority section has one,
 *   capped by `maxNegativeTtl` (an NXDOMAIN for the name asked, not
 *   through a CNAME, answers every type of that name, §5); without an SOA they are not cached
 *   (RFC 2308 §5: "SHOULD NOT be cached"). A TTL of 0 is not cached. A hit
 *   carries the TTLs less the time it was held, rounded up to whole seconds.
 *
 * `reconfigure` makes a sibling resolver over the same UDP and TCP with other
 * servers or timings and a cache of its own (node:dns's `Resolver`).
 *
 * `DnsError` is the one error family, with a reason (STYLE.md §4).
 *
 * @since 0.1.0
 */
import { Context, Data, Duration, Effect, Either, Exit, Layer, Option } from "effect"
import { Tcp, type TcpError } from "../tcp/Tcp.js"
import { hardErrno, Udp, type UdpErrorReport } from "../udp/Udp.js"
import * as Addr from "../wire/Ipv4Addr.js"
import * as Msg from "./DnsMessage.js"

// ---------------------------------------------------------------------------
// models

/** @category errors */
export class DnsError extends Data.TaggedError("DnsError")<{
  readonly reason:
    /** NXDOMAIN: the name does not exist (RCODE 3) */
    | "NotFound"
    /** the name exists but has no records of the type asked for (RFC 2308 §2.2) */
    | "NoData"
    /** SERVFAIL (RCODE 2), or a server that would not answer over TCP */
    | "ServerFailure"
    /** NOTIMP (RCODE 4): the server does not do this kind of query */
    | "NotImplemented"
    /** REFUSED (RCODE 5) */
    | "Refused"
    /** an ICMP destination unreachable about the question: nobody on the server's port, or no such host (c-ares's ECONNREFUSED, not a REFUSED answer) */
    | "Unreachable"
    /** FORMERR (RCODE 1): the server could not read our question */
    | "FormatError"
    /** no acceptable answer from any server within the attempts */
    | "TimedOut"
    /** an answer that does not decode (or, over TCP, match), or a CNAME chain that loops or is too long */
    | "Malformed"
    /** not a valid name (RFC 1035 §2.3.4: labels of 1..63 octets, 255 octets in all) */
    | "InvalidName"
    /** the stack has no route to any server */
    | "NoRoute"
  /** the name asked for */
  readonly name: string
  readonly detail: string
  /**
   * for NoData, NotFound and a CNAME loop or too long a chain: the aliases followed before it,
   * starting with the name asked for (empty or absent when the name itself was the answer's)
   */
  readonly cnames?: ReadonlyArray<string>
}> {
  override get message(): string {
    return `${this.name}: ${this.detail}`
  }
}

/** A server to ask. @category models */
export interface Server {
  readonly address: Addr.Ipv4Addr
  /** default 53 */
  readonly port: number
}

/** @category models */
export interface DnsConfig {
  /** servers, tried in order and rotated on each retry: "A.B.C.D", "A.B.C.D:port" or `Server` values */
  readonly servers: ReadonlyArray<string | Server>
  /** how long the first attempt waits for an answer; default 2 s */
  readonly timeout?: Duration.DurationInput
  /** each further attempt waits this many times longer than the one before; default 2 */
  readonly backoff?: number
  /** attempts per question, across the servers; default 3 */
  readonly attempts?: number
  /** entries in the cache, positive and negative together; default 256 (0 turns the cache off) */
  readonly cacheSize?: number
  /** the longest a positive answer is cached, in seconds; default 1 day */
  readonly maxTtl?: number
  /** the longest a negative answer is cached, in seconds; default 3 h (RFC 2308 §5) */
  readonly maxNegativeTtl?: number
  /** extra questions to follow a CNAME chain beyond the first answer; default 8 */
  readonly maxCnameQueries?: number
  /**
   * the address questions go from (c-ares's ares_set_local_ip4, Node's Resolver#setLocalAddress):
   * one of the stack's; default the route's. One that cannot be had (not ours, or 127/8 towards
   * another host) fails each attempt as NoRoute (c-ares: ARES_ECONNREFUSED)
   */
  readonly localAddress?: Addr.Ipv4Addr
}

/** What a question resolved to, after any CNAME chain. @category models */
export interface Resolution {
  /** the name at the end of the chain, which owns `records` */
  readonly name: string
  /** the aliases followed, in order, starting with the name asked for */
  readonly cnames: ReadonlyArray<string>
  /** the records of the type asked for */
  readonly records: ReadonlyArray<Msg.ResourceRecord>
  /** seconds the answer may be kept: the least TTL of the chain and the records (from the cache, what is left of it) */
  readonly ttl: number
}

/** @category models */
export interface DnsStats {
  /** datagrams sent (every attempt) */
  readonly udpQueries: number
  /** questions asked again over TCP after a truncated answer */
  readonly tcpQueries: number
  /** answers accepted */
  readonly answers: number
  /** datagrams received and ignored: wrong source, ID or question, or undecodable */
  readonly mismatched: number
  /** attempts that reached their deadline */
  readonly timeouts: number
  /** attempts ended at once by a hard ICMP error about the question (the server's port closed, or it filtered): `Udp.hardErrno` */
  readonly unreachable: number
  readonly cacheHits: number
  readonly cacheMisses: number
  readonly cacheEntries: number
}

/** @category models */
export interface DnsService {
  /** the IPv4 addresses of `name` (A records, CNAMEs followed), dotted */
  readonly resolve4: (name: string) => Effect.Effect<ReadonlyArray<string>, DnsError>
  /** the IPv6 addresses of `name` (AAAA records, CNAMEs followed), in RFC 5952 text */
  readonly resolve6: (name: string) => Effect.Effect<ReadonlyArray<string>, DnsError>
  /** one IPv4 address for `name` (the first A record); an IPv4 literal is returned as it is */
  readonly lookup: (name: string) => Effect.Effect<string, DnsError>
  /** the records of `type` for `name`, CNAMEs followed, through the cache */
  readonly query: (name: string, type: number) => Effect.Effect<Resolution, DnsError>
  readonly stats: Effect.Effect<DnsStats>
  /** the servers asked, in order */
  readonly servers: ReadonlyArray<Server>
  /**
   * Another resolver over the same UDP and TCP, with this one's configuration changed by
   * `change`, and a cache of its own (for node:dns's `Resolver`, each with its servers). A
   * configuration that makes no sense is a defect, as for `make`.
   */
  readonly reconfigure: (change: Partial<DnsConfig>) => Effect.Effect<DnsService>
}

/** @category tags */
export class Dns extends Context.Tag("gonet/Dns")<Dns, DnsService>() {}

// ---------------------------------------------------------------------------
// configuration

const DNS_PORT = 53

/** "A.B.C.D" or "A.B.C.D:port" as a `Server`, or undefined. */
export const parseServer = (text: string): Server | undefined => {
  const m = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(text.trim())
  if (m === null) return undefined
  const address = Addr.parse(m[1]!)
  const port = m[2] === undefined ? DNS_PORT : Number(m[2])
  return address === undefined || port < 1 || port > 65535 ? undefined : { address, port }
}

interface Settings {
  readonly servers: ReadonlyArray<Server>
  readonly timeoutMs: number
  readonly backoff: number
  readonly attempts: number
  readonly cacheSize: number
  readonly maxTtl: number
  readonly maxNegativeTtl: number
  readonly maxCnameQueries: number
}

const settingsOf = (c: DnsConfig): Either.Either<Settings, string> => {
  const servers: Array<Server> = []
  for (const s of c.servers) {
    const server = typeof s === "string" ? parseServer(s) : s
    if (server === undefined || !Number.isInteger(server.port) || server.port < 1 || server.port > 65535) {
      return Either.left(`DNS server ${JSON.stringify(s)} is not A.B.C.D[:port]`)
    }
    servers.push(server)
  }
  if (servers.length === 0) return Either.left("no DNS server given")
  const attempts = c.attempts ?? 3
  if (!Number.isInteger(attempts) || attempts < 1) return Either.left(`attempts must be >= 1, got ${attempts}`)
  return Either.right({
    servers,
    timeoutMs: Duration.toMillis(c.timeout ?? Duration.seconds(2)),
    backoff: c.backoff ?? 2,
    attempts,
    cacheSize: Math.max(0, c.cacheSize ?? 256),
    maxTtl: c.maxTtl ?? 86_400,
    maxNegativeTtl: c.maxNegativeTtl ?? 10_800,
    maxCnameQueries: c.maxCnameQueries ?? 8
  })
}

// ---------------------------------------------------------------------------
// pure parts: matching an answer and reading it

/** Unpredictable 16 bits (RFC 5452 §9.2). */
const random16 = (): number => globalThis.crypto.getRandomValues(new Uint16Array(1))[0]!

/** Whether `head` answers query `id` for `q` (RFC 5452 §9.1; the source was checked by the caller). */
export const isAnswerTo = (head: Msg.Head, id: number, q: Msg.Question): boolean =>
  head.header.qr && head.header.id === id && head.header.opcode === Msg.Opcode.Query &&
  head.questions.length === 1 && Msg.equalNames(head.questions[0]!.name, q.name) &&
  head.questions[0]!.type === q.type && head.questions[0]!.class === q.class

/** What one answer says about `name`/`type` (RFC 1034 §5.3.3, RFC 2308 §2). */
export type Reading =
  | { readonly _tag: "Records"; readonly name: string; readonly chain: ReadonlyArray<string>; readonly records: ReadonlyArray<Msg.ResourceRecord>; readonly ttl: number }
  /** the chain leads to `name`, which this answer says nothing more about */
  | { readonly _tag: "Alias"; readonly name: string; readonly chain: ReadonlyArray<string>; readonly ttl: number }
  | { readonly _tag: "Negative"; readonly reason: "NotFound" | "NoData"; readonly chain: ReadonlyArray<string>; readonly ttl: number }
  | { readonly _tag: "Loop"; readonly chain: ReadonlyArray<string> }

/** RFC 2308 §5: a negative answer lives for min(SOA TTL, SOA MINIMUM); without an SOA, 0 (not cached). */
const negativeTtl = (m: Msg.Message): number => {
  for (const r of m.authorities) {
    if (r.data._tag === "SOA") return Math.min(r.ttl, r.data.minimum)
  }
  return 0
}

/**
 * Read answer `m` for `name`/`type` (with rcode NOERROR or NXDOMAIN):
 * follow CNAMEs from `name` through the answer section, collect the records
 * of `type` at the chain's end. `seen` are the names already followed (in
 * earlier answers), for loop detection.
 */
export const readAnswer = (m: Msg.Message, name: string, type: number, seen: ReadonlyArray<string> = []): Reading => {
  const chain: Array<string> = [...seen]
  const isIn = (r: Msg.ResourceRecord) => r.class === Msg.Class.IN
  let current = name
  let ttl = Number.POSITIVE_INFINITY
  // each step moves to a name not in `chain`, so at most (answers + 1) steps
  for (;;) {
    if (chain.some((n) => Msg.equalNames(n, current))) return { _tag: "Loop", chain: [...chain, current] }
    chain.push(current)
    const here = m.answers.filter((r) => isIn(r) && Msg.equalNames(r.name, current))
    // ANY (QTYPE *, RFC 1035 §3.2.3) matches every type the name has, its CNAME too: nothing to follow
    const records = type === Msg.Type.ANY ? here : here.filter((r) => r.type === type)
    if (records.length > 0) {
      for (const r of records) ttl = Math.min(ttl, r.ttl)
      return { _tag: "Records", name: current, chain, records, ttl }
    }
    const alias = type === Msg.Type.CNAME ? undefined : here.find((r) => r.data._tag === "CNAME")
    if (alias === undefined || alias.data._tag !== "CNAME") break
    ttl = Math.min(ttl, alias.ttl)
    current = alias.data.target
  }
  const moved = chain.length > seen.length + 1
  if (m.header.rcode === Msg.Rcode.NXDomain) {
    return { _tag: "Negative", reason: "NotFound", chain, ttl: Math.min(ttl, negativeTtl(m)) }
  }
  // a chain that ended without records: NODATA for its end when the zone's SOA came with it (RFC
  // 2308 §2.2, as glibc and c-ares take it), else the server may not have chased it: ask for the end
  const soa = m.authorities.some((r) => isIn(r) && r.type === Msg.Type.SOA)
  if (moved && !soa) return { _tag: "Alias", name: current, chain, ttl }
  return { _tag: "Negative", reason: "NoData", chain, ttl: Math.min(ttl, negativeTtl(m)) }
}

// ---------------------------------------------------------------------------
// the service

type CacheEntry =
  | { readonly _tag: "Hit"; readonly expires: number; readonly stored: number; readonly resolution: Resolution }
  | { readonly _tag: "Negative"; readonly expires: number; readonly error: DnsError }

const typeName = (type: number): string => type === Msg.Type.A ? "A" : type === Msg.Type.AAAA ? "AAAA" : `type ${type}`

/**
 * What ends one attempt: an accepted answer, or a reason to go on to the
 * next attempt (kept to report if it was the last).
 */
type Attempt = { readonly _tag: "Answer"; readonly message: Msg.Message } | { readonly _tag: "Next"; readonly error: DnsError }

/**
 * A resolver over the stack's UDP and TCP in context. A configuration that
 * makes no sense (no server, a server that is not A.B.C.D[:port], attempts
 * below 1) is a defect: validate user input with `parseServer` first.
 *
 * @category constructors
 */
export const make = (config: DnsConfig): Effect.Effect<DnsService, never, Udp | Tcp> =>
  Effect.gen(function*() {
    const settings = settingsOf(config)
    if (Either.isLeft(settings)) return yield* Effect.dieMessage(`Dns.make: ${settings.left}`)
    const s = settings.right
    const local = config.localAddress === Addr.ANY ? undefined : config.localAddress
    const udp = yield* Udp
    const tcp = yield* Tcp
    const c = { udpQueries: 0, tcpQueries: 0, answers: 0, mismatched: 0, timeouts: 0, unreachable: 0, cacheHits: 0, cacheMisses: 0 }
    /** insertion order is recency order: a hit moves its entry to the end */
    const cache = new Map<string, CacheEntry>()

    const err = (reason: DnsError["reason"], name: string, detail: string, cnames?: ReadonlyArray<string>) =>
      new DnsError({ reason, name, detail, ...(cnames !== undefined && cnames.length > 0 ? { cnames } : {}) })


    /** The rcode of an accepted answer as the attempt's outcome. */
    const judge = (m: Msg.Message, name: string, server: Server): Attempt => {
      const from = `${Addr.format(server.address)}:${server.port}`
      switch (m.header.rcode) {
        case Msg.Rcode.NoError:
        case Msg.Rcode.NXDomain:
          return { _tag: "Answer", message: m }
        case Msg.Rcode.ServFail:
          return { _tag: "Next", error: err("ServerFailure", name, `SERVFAIL from ${from}`) }
        case Msg.Rcode.Refused:
          return { _tag: "Next", error: err("Refused", name, `REFUSED by ${from}`) }
        case Msg.Rcode.FormErr:
          return { _tag: "Next", error: err("FormatError", name, `FORMERR from ${from}`) }
        case Msg.Rcode.NotImp:
          return { _tag: "Next", error: err("NotImplemented", name, `NOTIMP from ${from}`) }
        default:
          return { _tag: "Next", error: err("ServerFailure", name, `RCODE ${m.header.rcode} from ${from}`) }
      }
    }

    /**
     * The question over TCP (RFC 7766): connect, send it behind its length,
     * read one length-prefixed answer, close; at most `waitMs`. An abort,
     * not a close, when interrupted or failed, so nothing lingers.
     */
    const overTcp = (server: Server, q: Msg.Question, waitMs: number): Effect.Effect<Attempt> => {
      const id = random16()
      const fromTcp = (e: TcpError): Attempt => ({
        _tag: "Next",
        error: err(
          e.reason === "NoRoute" || e.reason === "NetworkUnreachable" || e.reason === "HostUnreachable" ||
            e.reason === "AddressNotAvailable" || e.reason === "InvalidArgument"
            ? "NoRoute"
            : "ServerFailure",
          q.name,
          `over TCP: ${e.detail}`
        )
      })
      const query = Msg.encodeQuery(id, q.name, q.type, q.class)
      if (Either.isLeft(query)) return Effect.succeed({ _tag: "Next", error: err("InvalidName", q.name, query.left.message) })
      const framed = new Uint8Array(2 + query.right.length)
      framed[0] = query.right.length >>> 8
      framed[1] = query.right.length & 0xff
      framed.set(query.right, 2)
      c.tcpQueries++
      return Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(restore(tcp.connect({ address: server.address, port: server.port, ...(local === undefined ? {} : { localAddress: local }) })), (conn) =>
          restore(
            Effect.gen(function*() {
              yield* conn.write(framed)
              const chunks: Array<Uint8Array> = []
              let have = 0
              let need = 2
              // each read brings at least one octet; at most 2 + 65535 are wanted
              while (have < need) {
                const next = yield* conn.read
                if (Option.isNone(next)) break
                chunks.push(next.value)
                have += next.value.length
                if (need === 2 && have >= 2) {
                  const head = concat(chunks, 2)
                  need = 2 + ((head[0]! << 8) | head[1]!)
                }
              }
              if (have < need) {
                return { _tag: "Next", error: err("Malformed", q.name, "the TCP answer ended early") } satisfies Attempt
              }
              const body = concat(chunks, need).subarray(2)
              const m = Msg.decode(body)
              if (Either.isLeft(m) || !isAnswerTo(m.right, id, q)) {
                return { _tag: "Next", error: err("Malformed", q.name, "the TCP answer does not decode or match") } satisfies Attempt
              }
              c.answers++
              return judge(m.right, q.name, server)
            })
          ).pipe(Effect.onExit((exit) => (Exit.isSuccess(exit) ? conn.close : conn.abort))))
      ).pipe(
        Effect.timeout(Duration.millis(waitMs)),
        Effect.catchTags({
          TcpError: (e) => Effect.succeed(fromTcp(e)),
          TimeoutException: () => {
            c.timeouts++
            return Effect.succeed<Attempt>({ _tag: "Next", error: err("TimedOut", q.name, "no answer over TCP in time") })
          }
        })
      )
    }

    /**
     * One attempt over UDP: send, then take datagrams until one is
     * acceptable (RFC 5452 §9.1) or `waitMs` has passed since the send.
     */
    const overUdp = (server: Server, q: Msg.Question, waitMs: number): Effect.Effect<Attempt> =>
      Effect.scoped(Effect.gen(function*() {
        const id = random16()
        const query = Msg.encodeQuery(id, q.name, q.type, q.class)
        if (Either.isLeft(query)) return { _tag: "Next", error: err("InvalidName", q.name, query.left.message) } satisfies Attempt
        // a random port (RFC 5452 §9.2): UDP draws an ephemeral port's start afresh per bind
        const socket = yield* udp.bind(undefined, local === undefined ? undefined : { address: local })
        const receive: Effect.Effect<Msg.Message | Msg.Head | Msg.DnsMessageError> = Effect.gen(function*() {
          // bounded by the attempt's deadline, not by a count: a flood of
          // spoofed answers costs time, never the right answer
          for (;;) {
            const d = yield* socket.receive
            if (d.src !== server.address || d.srcPort !== server.port) {
              c.mismatched++
              continue
            }
            const whole = Msg.decode(d.payload)
            if (Either.isRight(whole) && isAnswerTo(whole.right, id, q)) return whole.right
            // a truncated answer may be cut inside a record: its header and question suffice. One
            // that is not truncated is the server's answer all the same (it came from the server and
            // port asked, to our port, with our ID and question) and cannot be read: that ends the
            // attempt, as glibc's send_dg takes it and c-ares's read_answers drops the server
            const head = Either.isLeft(whole) ? Msg.decodeHead(d.payload) : undefined
            if (head !== undefined && Either.isRight(head) && isAnswerTo(head.right, id, q)) {
              return head.right.header.tc ? head.right : (whole as Either.Left<Msg.DnsMessageError, Msg.Message>).left
            }
            c.mismatched++
          }
        })
        // A hard ICMP error about the question (nobody on port 53, the server administratively
        // filtered) ends the attempt at once, as glibc's send_dg and c-ares go to the next server
        // on their connected socket's error (RFC 1122 §4.1.3.3), not at its deadline. A soft one
        // (net or host unreachable: transient, RFC 1122 §3.2.2.1) never reaches such a socket on
        // Linux, so they wait the attempt out, and so does this (`hardErrno`)
        const unreachable: Effect.Effect<UdpErrorReport> = Effect.gen(function*() {
          for (;;) {
            const e = yield* socket.receiveError
            if (hardErrno(e) !== undefined && e.dst === server.address && e.dstPort === server.port) return e
          }
        })
        c.udpQueries++
        const got = yield* socket.send(server.address, server.port, query.right).pipe(
          Effect.zipRight(Effect.raceFirst(Effect.map(receive, Either.right), Effect.map(unreachable, Either.left))),
          Effect.timeout(Duration.millis(waitMs))
        )
        if (Either.isLeft(got)) {
          c.unreachable++
          return {
            _tag: "Next",
            error: err("Unreachable", q.name, `${Addr.format(server.address)}:${server.port} is unreachable (ICMP code ${got.left.code})`)
          } satisfies Attempt
        }
        if (got.right instanceof Msg.DnsMessageError) {
          return {
            _tag: "Next",
            error: err("Malformed", q.name, `an answer from ${Addr.format(server.address)}:${server.port} that does not decode (${got.right.message})`)
          } satisfies Attempt
        }
        c.answers++
        // the same question again over TCP, with the same time allowed (RFC 7766 §5)
        if (got.right.header.tc) return yield* overTcp(server, q, waitMs)
        return judge(got.right as Msg.Message, q.name, server)
      })).pipe(
        Effect.catchTags({
          TimeoutException: () => {
            c.timeouts++
            return Effect.succeed<Attempt>({
              _tag: "Next",
              error: err("TimedOut", q.name, `no answer for ${typeName(q.type)} within ${s.attempts} attempts`)
            })
          },
          UdpError: (e) =>
            Effect.succeed<Attempt>({
              _tag: "Next",
              // (no route, or a local address this server cannot be asked from: c-ares's open_socket
              // or send failing, ARES_ECONNREFUSED)
              error: err(
                e.reason === "NoRoute" || e.reason === "AddrNotAvailable" || e.reason === "LoopbackSource" ? "NoRoute" : "ServerFailure",
                q.name,
                e.detail
              )
            })
        })
      )

    /** One question, with retries rotating through the servers. */
    const exchange = (name: string, type: number): Effect.Effect<Msg.Message, DnsError> => {
      const q: Msg.Question = { name, type, class: Msg.Class.IN }
      const attempt = (i: number, last: DnsError | undefined): Effect.Effect<Msg.Message, DnsError> =>
        i >= s.attempts
          ? Effect.fail(last ?? err("TimedOut", name, "no attempt made"))
          : Effect.flatMap(
            overUdp(s.servers[i % s.servers.length]!, q, s.timeoutMs * s.backoff ** i),
            (a) => a._tag === "Answer" ? Effect.succeed(a.message) : attempt(i + 1, a.error)
          )
      return attempt(0, undefined)
    }

    /** Ask, following a CNAME chain over at most `maxCnameQueries` further questions. */
    const resolveUncached = (
      name: string,
      type: number
    ): Effect.Effect<{ result: Either.Either<Resolution, DnsError>; ttl: number; nameError?: boolean }, DnsError> =>
      Effect.gen(function*() {
        let current = name
        let seen: ReadonlyArray<string> = []
        let ttl = Number.POSITIVE_INFINITY
        for (let extra = 0;; extra++) {
          const m = yield* exchange(current, type)
          const r = readAnswer(m, current, type, seen)
          switch (r._tag) {
            case "Records":
              return {
                result: Either.right({ name: r.name, cnames: r.chain.slice(0, -1), records: r.records, ttl: Math.min(ttl, r.ttl) }),
                ttl: Math.min(ttl, r.ttl)
              }
            case "Negative": {
              const detail = r.reason === "NotFound" ? "no such name (NXDOMAIN)" : `no ${typeName(type)} records`
              // NXDOMAIN about the name asked itself (no alias followed), not about a chain's end
              const nameError = r.reason === "NotFound" && r.chain.length === 1
              return { result: Either.left(err(r.reason, name, detail, r.chain.slice(0, -1))), ttl: Math.min(ttl, r.ttl), nameError }
            }
            case "Loop":
              return yield* err("Malformed", name, `CNAME loop: ${r.chain.join(" -> ")}`, r.chain.slice(0, -1))
            case "Alias":
              if (extra >= s.maxCnameQueries) {
                return yield* err("Malformed", name, `CNAME chain longer than ${s.maxCnameQueries} further questions`, r.chain)
              }
              ttl = Math.min(ttl, r.ttl)
              seen = r.chain.slice(0, -1)
              current = r.name
          }
        }
      })

    const remember = (key: string, now: number, ttl: number, entry: (expires: number) => CacheEntry) => {
      if (s.cacheSize === 0 || !(ttl > 0)) return
      cache.delete(key)
      while (cache.size >= s.cacheSize) cache.delete(cache.keys().next().value!)
      cache.set(key, entry(now + ttl * 1000))
    }

    const query = (name: string, type: number): Effect.Effect<Resolution, DnsError> =>
      Effect.gen(function*() {
        const normal = Msg.normalizeName(name)
        if (Either.isLeft(normal) || normal.right === "") {
          return yield* err("InvalidName", name, `not a valid domain name (${Either.isLeft(normal) ? normal.left.reason : "the root"})`)
        }
        const folded = Msg.foldCase(normal.right)
        const key = `${type}/${folded}`
        // RFC 2308 §5: an NXDOMAIN answers every type of its name (<QNAME, QCLASS>), so it is kept
        // under the name alone and looked for first
        const nxKey = `nx/${folded}`
        const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        for (const k of [nxKey, key]) {
          const hit = cache.get(k)
          if (hit === undefined) continue
          cache.delete(k)
          if (hit.expires > now) {
            c.cacheHits++
            cache.set(k, hit)
            return yield* hit._tag === "Hit" ? Effect.succeed(aged(hit.resolution, now - hit.stored)) : Effect.fail(hit.error)
          }
        }
        c.cacheMisses++
        const { nameError, result, ttl } = yield* resolveUncached(normal.right, type)
        const later = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        if (Either.isRight(result)) {
          remember(key, later, Math.min(ttl, s.maxTtl), (expires) => ({ _tag: "Hit", expires, stored: later, resolution: result.right }))
          return result.right
        }
        remember(nameError === true ? nxKey : key, later, Math.min(ttl, s.maxNegativeTtl), (expires) => ({ _tag: "Negative", expires, error: result.left }))
        return yield* result.left
      })

    const addresses = (type: number) => (name: string) =>
      Effect.map(query(name, type), (r) =>
        r.records.flatMap((rr) =>
          rr.data._tag === "A" ? [Msg.formatA(rr.data.address)] : rr.data._tag === "AAAA" ? [Msg.formatAaaa(rr.data.address)] : []
        ))

    const resolve4 = addresses(Msg.Type.A)
    return Dns.of({
      servers: s.servers,
      reconfigure: (change) =>
        make({ ...config, ...change }).pipe(Effect.provideService(Udp, udp), Effect.provideService(Tcp, tcp)),
      resolve4,
      resolve6: addresses(Msg.Type.AAAA),
      lookup: (name) =>
        Addr.parse(name) !== undefined
          ? Effect.succeed(name)
          : Effect.flatMap(resolve4(name), (as) =>
            as.length > 0 ? Effect.succeed(as[0]!) : Effect.fail(err("NoData", name, "no A records"))),
      query,
      stats: Effect.sync(() => ({ ...c, cacheEntries: cache.size }))
    })
  })

/**
 * A cached resolution as it stands `heldMs` after it was stored: its TTLs less the time held, in
 * whole seconds rounded up (so a copy kept for what is left never outlives the original). A TTL is
 * how long the record may be cached (RFC 1035 §3.2.1), so a cache hands out what is left of it, as
 * c-ares's query cache does (ares_qcache_fetch).
 */
const aged = (r: Resolution, heldMs: number): Resolution => {
  const gone = Math.ceil(heldMs / 1000)
  if (gone <= 0) return r
  return {
    ...r,
    ttl: Math.max(0, r.ttl - gone),
    records: r.records.map((rr) => ({ ...rr, ttl: Math.max(0, rr.ttl - gone) }))
  }
}

/** The first `n` octets of `chunks` as one array. */
const concat = (chunks: ReadonlyArray<Uint8Array>, n: number): Uint8Array => {
  const out = new Uint8Array(n)
  let at = 0
  for (const ch of chunks) {
    if (at >= n) break
    const part = ch.subarray(0, n - at)
    out.set(part, at)
    at += part.length
  }
  return out
}

/** @category layers */
export const layer = (config: DnsConfig): Layer.Layer<Dns, never, Udp | Tcp> => Layer.effect(Dns, make(config))
