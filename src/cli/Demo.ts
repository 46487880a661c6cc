/**
 * `gonet demo`: the stack shown to a newcomer in one command (as root).
 *
 * It makes a throw-away network namespace and a TAP, gives the TAP's
 * kernel side 198.18.0.1/24 inside the namespace (so nothing on the
 * machine's own network changes), brings the stack up at 198.18.0.2/24 in
 * this process with its HTTP service on port 80, then uses the kernel's own
 * tools from inside the namespace: `ping`, and `curl` for the status page
 * and a 10 MB download (Python's urllib when curl is missing). It prints
 * what happened in plain words and removes everything: the resources are
 * scoped, so an interrupt (Ctrl-C is fiber interruption under
 * `NodeRuntime.runMain`) or a failure removes them too.
 *
 * Addresses are from 198.18.0.0/15 (RFC 2544's benchmarking range), as
 * everywhere in this project; the tools it runs are bounded in count and
 * time. `--pcap FILE` records every frame the stack sent and received.
 *
 * @since 0.1.0
 */
import { execFile } from "node:child_process"
import { Clock, Console, Data, Effect, Layer } from "effect"
import * as StatusService from "../http/StatusService.js"
import { Link, type LinkService } from "../link/Link.js"
import * as LinkPcap from "../link/LinkPcap.js"
import * as LinkTap from "../link/LinkTap.js"
import * as Stack from "../Stack.js"
import * as Mac from "../wire/Mac.js"

/** Something the demo could not do (not root, a tool missing, a step that failed). */
export class DemoError extends Data.TaggedError("DemoError")<{ readonly message: string }> {}

const STACK_IP = "198.18.0.2"
const HOST_IP = "198.18.0.1"
const PREFIX = 24
const DOWNLOAD = 10_000_000

/** What a tool run printed, and its exit status. */
export interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Run `argv`, at most `timeoutMs`; interrupting the effect kills the process. */
const run = (argv: ReadonlyArray<string>, timeoutMs = 20_000): Effect.Effect<Ran, DemoError> =>
  Effect.async<Ran, DemoError>((resume, signal) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, killSignal: "SIGKILL", signal, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code === "string" && error.code !== "ABORT_ERR") {
        resume(Effect.fail(new DemoError({ message: `cannot run ${argv[0]}: ${error.message}` })))
      } else {
        resume(Effect.succeed({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 124, stdout, stderr }))
      }
    })
  })

/** `argv` must succeed; its stderr names what went wrong otherwise. */
const must = (argv: ReadonlyArray<string>): Effect.Effect<Ran, DemoError> =>
  Effect.flatMap(run(argv), (r) =>
    r.code === 0
      ? Effect.succeed(r)
      : Effect.fail(new DemoError({ message: `${argv.join(" ")} failed: ${r.stderr.trim() || `exit ${r.code}`}` })))

const has = (tool: string): Effect.Effect<boolean> =>
  Effect.map(Effect.either(run(["sh", "-c", `command -v ${tool}`])), (r) => r._tag === "Right" && r.right.code === 0)

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

const say = (line: string): Effect.Effect<void> => Console.log(line)

/** ping(8)'s summary lines to plain words. */
export const pingWords = (stdout: string): string => {
  const counts = /(\d+) packets transmitted, (\d+) received/.exec(stdout)
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(stdout)
  if (counts === null) return "ping printed nothing we understand"
  const [, sent, got] = counts
  const times = rtt === null ? "" : `; round trips ${rtt[1]} / ${rtt[2]} / ${rtt[3]} ms (fastest / mean / slowest)`
  return `${got} of ${sent} echo requests answered${times}`
}

/** A step's result: words to say, or why the demo stops there. */
export type PingOutcome = { readonly ok: true; readonly words: string } | { readonly ok: false; readonly why: string }

/** ping(8)'s run: no answer at all means the stack did not work, and the demo says so and fails. */
export const pingOutcome = (r: Ran): PingOutcome => {
  const words = pingWords(r.stdout)
  const counts = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout)
  return counts !== null && Number(counts[2]) > 0
    ? { ok: true, words }
    : { ok: false, why: `the kernel's ping got no answer from the stack (${words})` }
}

/** A fetch's result as curl's `-w` line (or the python fallback's) gives it. */
export type FetchOutcome =
  | { readonly ok: true; readonly status: number; readonly size: number; readonly secs: number }
  | { readonly ok: false; readonly why: string }

/** The `-w` line: "STATUS SIZE SECONDS". */
const W_LINE = /^(\d{3}) (\d+) ([\d.]+)$/

/**
 * A fetch run: a tool that failed (its own last error line, not the `-w`
 * line curl still writes) or a status other than 200 stops the demo.
 */
export const fetchOutcome = (r: Ran): FetchOutcome => {
  const lines = r.stderr.trim().split("\n").map((l) => l.trim())
  const w = W_LINE.exec(lines.at(-1) ?? "")
  if (r.code !== 0 || w === null) {
    const own = lines.filter((l) => l !== "" && !W_LINE.test(l)).at(-1)
    return { ok: false, why: own ?? `exit ${r.code}` }
  }
  const [status, size, secs] = [Number(w[1]), Number(w[2]), Number(w[3])]
  return status === 200 ? { ok: true, status, size, secs } : { ok: false, why: `HTTP ${status}` }
}

/** A namespace name and TAP name unique to this process (IFNAMSIZ: at most 15 octets). */
const names = (pid: number) => ({ ns: `gonet-demo-${pid}`, tap: `gdemo${pid % 1_000_000_000}`.slice(0, 15) })

/**
 * The demo. Fails with `DemoError` (not root, iproute2 or ping missing, a
 * step that did not work); everything made is removed either way.
 *
 * @category commands
 */
export const demo = (options: { readonly pcap?: string | undefined } = {}) => Effect.gen(function*() {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return yield* new DemoError({ message: "demo needs root: it makes a network namespace and a TAP (try: sudo gonet demo)" })
  }
  for (const tool of ["ip", "ping"]) {
    if (!(yield* has(tool))) return yield* new DemoError({ message: `demo needs '${tool}' (Debian: apt-get install iproute2 iputils-ping)` })
  }
  const { ns, tap } = names(process.pid)
  const inNs = (argv: ReadonlyArray<string>) => ["ip", "netns", "exec", ns, ...argv]

  // made first, removed last: the namespace (with the TAP's kernel side in it)
  yield* Effect.acquireRelease(must(["ip", "netns", "add", ns]), () =>
    Effect.zipRight(Effect.ignore(run(["ip", "netns", "del", ns])), say(`Removed namespace ${ns} and the TAP with it.`)))
  yield* must(inNs(["ip", "link", "set", "lo", "up"]))
  const mac = Mac.locallyAdministered(globalThis.crypto.getRandomValues(new Uint8Array(6)))
  const tapLink = yield* Effect.mapError(LinkTap.make({ name: tap, mac }), (e) => new DemoError({ message: e.message }))
  const link: LinkService = options.pcap === undefined
    ? tapLink
    : yield* Effect.mapError(LinkPcap.make(tapLink, { path: options.pcap }), (e) => new DemoError({ message: e.message }))
  yield* must(["ip", "link", "set", tap, "netns", ns])
  yield* must(inNs(["ip", "addr", "add", `${HOST_IP}/${PREFIX}`, "dev", tap]))
  yield* must(inNs(["ip", "link", "set", tap, "up"]))
  yield* say(
    `Made network namespace ${ns} and TAP ${tap}. Inside the namespace the kernel has ${HOST_IP}/${PREFIX}; ` +
      `the stack is ${STACK_IP}/${PREFIX}, running in this process (pid ${process.pid}).`
  )

  const stackLayer = Stack.layer({ address: STACK_IP, prefixLength: PREFIX }).pipe(Layer.provide(Layer.succeed(Link, link)))
  yield* Effect.gen(function*() {
    yield* Layer.build(StatusService.layer(80))
    yield* say("The stack is up, serving its status page, /bytes/N and /metrics over its own TCP on port 80.")

    const ping = pingOutcome(yield* run(inNs(["ping", "-c", "3", "-i", "0.2", "-W", "2", STACK_IP])))
    if (!ping.ok) return yield* new DemoError({ message: ping.why })
    yield* say(`The kernel pinged the stack (ping -c 3 ${STACK_IP}): ${ping.words}.`)

    const fetcher = (yield* has("curl")) ? "curl" : (yield* has("python3")) ? "python3" : undefined
    if (fetcher === undefined) {
      yield* say("Neither curl nor python3 is installed: skipped fetching a page.")
    } else {
      const get = (path: string, to: "stdout" | "null") =>
        fetcher === "curl"
          ? run(inNs([
            "curl",
            "-sS",
            "--max-time",
            "30",
            "-o",
            to === "null" ? "/dev/null" : "-",
            "-w",
            "%{stderr}%{http_code} %{size_download} %{time_total}",
            `http://${STACK_IP}${path}`
          ]), 40_000)
          : run(inNs([
            "python3",
            "-c",
            "import sys,time,urllib.request as u\nt=time.time();r=u.urlopen(sys.argv[1],timeout=30);b=r.read()\n" +
            "sys.stdout.write(b.decode('latin-1') if sys.argv[2]=='stdout' else '')\n" +
            "sys.stderr.write('%d %d %f'%(r.status,len(b),time.time()-t))",
            `http://${STACK_IP}${path}`,
            to
          ]), 40_000)
      const parse = (path: string, r: Ran) => {
        const outcome = fetchOutcome(r)
        return outcome.ok
          ? Effect.succeed(outcome)
          : Effect.fail(new DemoError({ message: `${fetcher} could not fetch http://${STACK_IP}${path}: ${outcome.why}` }))
      }
      const page = yield* parse("/", yield* get("/", "stdout"))
      yield* say(`${fetcher} fetched the status page (http://${STACK_IP}/): HTTP ${page.status}, ${page.size} octets.`)
      const started = yield* Clock.currentTimeMillis
      const big = yield* parse(`/bytes/${DOWNLOAD}`, yield* get(`/bytes/${DOWNLOAD}`, "null"))
      const elapsed = big.secs > 0 ? big.secs : ((yield* Clock.currentTimeMillis) - started) / 1000
      yield* say(
        `${fetcher} downloaded ${big.size} octets from /bytes/${DOWNLOAD}: HTTP ${big.status}` +
          (elapsed > 0 ? `, ${((big.size * 8) / elapsed / 1e6).toFixed(0)} Mbit/s.` : ".")
      )
    }
    const stats = yield* Effect.flatMap(Stack.Stack, (s) => s.stats)
    yield* say(
      `The stack counted ${plural(stats.link.rxFrames, "frame")} in and ${stats.link.txFrames} out; it answered ` +
        `${plural(stats.arp.repliesSent, "ARP request")} and ${plural(stats.icmp.echoRequests, "ping")}, and accepted ` +
        `${plural(stats.tcp.passiveOpens, "TCP connection")}.`
    )
  }).pipe(Effect.scoped, Effect.provide(stackLayer), Effect.mapError((e) => e._tag === "DemoError" ? e : new DemoError({ message: e.message })))
  yield* say("Closing the stack.")
  if (options.pcap !== undefined) yield* say(`Every frame both ways is in ${options.pcap} (tcpdump -r ${options.pcap}).`)
}).pipe(Effect.scoped)
