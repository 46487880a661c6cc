/**
 * `gonet fetch URL`: one HTTP GET from the stack, with Node's own HTTP
 * client over the stack's sockets (node/Http.ts), as curl would: the body
 * to stdout (or `-o FILE`), the status line and a summary (octets, time,
 * rate) to stderr. The whole fetch is bounded by `--max-time` on Effect's
 * Clock; interrupting it (Ctrl-C) destroys the request. A name in the URL
 * is looked up with `lookup` (the DNS client, `--resolver`).
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import type * as http from "node:http"
import { Clock, Data, Duration, Effect } from "effect"
import * as NodeHttp from "../node/Http.js"
import type { LookupFunction } from "../node/Net.js"
import * as Net from "../node/Net.js"
import type * as Stack from "../Stack.js"
import type { Tcp } from "../tcp/Tcp.js"

/** The fetch failed: connection refused or reset, timed out, the output not writable. */
export class FetchError extends Data.TaggedError("FetchError")<{ readonly message: string }> {}

/** @category models */
export interface FetchOptions {
  readonly url: URL
  readonly output: string | undefined
  readonly maxTimeMillis: number
  readonly lookup?: LookupFunction | undefined
}

/** The line printed after the body: what came, how fast. */
export const summaryLine = (octets: number, millis: number): string => {
  const rate = millis > 0 ? ` (${((octets * 8) / (millis / 1000) / 1e6).toFixed(1)} Mbit/s)` : ""
  return `${octets} octets in ${(millis / 1000).toFixed(3)} s${rate}`
}

/**
 * GET `url` over the stack in context.
 *
 * @category commands
 */
export const fetch = (options: FetchOptions): Effect.Effect<void, FetchError, Tcp | Stack.Stack> =>
  Effect.gen(function*() {
    const net = yield* Net.make
    const h = NodeHttp.fromNet(net)
    const agent = new h.Agent({ keepAlive: false })
    const started = yield* Clock.currentTimeMillis
    const got = yield* Effect.async<number, FetchError>((resume) => {
      const failed = (e: Error) => resume(Effect.fail(new FetchError({ message: e.message })))
      const sink: NodeJS.WritableStream = options.output === undefined
        ? process.stdout
        : fs.createWriteStream(options.output).on("error", failed)
      const req = h.request(options.url, {
        agent,
        ...(options.lookup !== undefined ? { lookup: options.lookup as unknown as http.RequestOptions["lookup"] } : {})
      }, (res) => {
        process.stderr.write(`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\n`)
        let octets = 0
        res.on("data", (c: Buffer) => (octets += c.length))
        res.on("error", failed)
        res.pipe(sink, { end: options.output !== undefined })
        const done = () => resume(Effect.succeed(octets))
        if (options.output === undefined) res.on("end", done)
        else sink.on("finish", done)
      })
      req.on("error", failed)
      req.end()
      return Effect.sync(() => req.destroy())
    }).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(options.maxTimeMillis),
        onTimeout: () => new FetchError({ message: `no complete answer within ${options.maxTimeMillis / 1000} s (--max-time)` })
      }),
      Effect.ensuring(Effect.sync(() => agent.destroy()))
    )
    const ended = yield* Clock.currentTimeMillis
    process.stderr.write(`gonet fetch: ${summaryLine(got, ended - started)}\n`)
  })
