/**
 * `gonet fetch URL`: one HTTP GET from the stack, with Node's HTTP client
 * over the stack's sockets (node/Http.ts; for https://, Node's TLS over them,
 * node/Https.ts, trusting `--cacert`'s certificates when given), as curl would: the body to
 * stdout (or `-o FILE`), the status line and a summary (octets, time, rate)
 * to stderr. The whole fetch is bounded by `--max-time` on Effect's Clock;
 * interrupting it (Ctrl-C) destroys the request. A name in the URL is looked
 * up with `lookup` (the DNS client, `--resolver`).
 *
 * What a failure leaves behind (curl's rules, checked against curl 7.88):
 * - `-o FILE` is created (or truncated) only when the first body octets
 *   arrive, or when a complete body turns out empty. A fetch that gets no
 *   body (refused, unreachable, a name not found, `--max-time` before the
 *   body) leaves no FILE, and an existing FILE as it was. (wget -O, which
 *   truncates first, does not.)
 * - A status of 400 or more is a failure (`HttpStatus`, exit 1) and its body
 *   is written nowhere, as `curl --fail`: an error page is not the file
 *   asked for (curl without --fail exits 0 with the error page in FILE).
 * - A body cut short (the server closes before Content-Length, or resets the
 *   connection) is a failure (`Partial`, exit 1) that says how much came; what
 *   came stays in FILE, as curl leaves it (curl exits 18 or 56).
 * - stdout closed by its reader (`| head`) is a failure (`Output`, exit 1)
 *   in one line, as curl's "(23) Failure writing output".
 * - Interrupted (SIGINT, SIGTERM: `NodeRuntime.runMain` interrupts the main
 *   fiber) before the body is complete, what came is flushed to FILE, one
 *   line says so, and the exit status is 1: a script's `gonet fetch -o F URL
 *   && use F` must not go on with half a file (the interrupt alone would
 *   leave the status 0, as for `gonet up`, whose Ctrl-C is its normal end).
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import type * as http from "node:http"
import { Writable } from "node:stream"
import { Clock, Data, Duration, Effect } from "effect"
import * as NodeHttp from "../node/Http.js"
import * as NodeHttps from "../node/Https.js"
import type { LookupFunction } from "../node/Net.js"
import * as Net from "../node/Net.js"
import type * as Stack from "../Stack.js"
import type { Tcp } from "../tcp/Tcp.js"
import * as Format from "./Format.js"

/**
 * The fetch failed.
 * - `Request`: no answer at all (refused, unreachable, a name not found, the
 *   connection lost before the status line)
 * - `HttpStatus`: an answer with status 400 or more; nothing written
 * - `Partial`: the body ended before it was complete; what came was written
 * - `Timeout`: no complete answer within `--max-time`
 * - `Output`: `-o FILE` could not be written
 * @category errors
 */
export class FetchError extends Data.TaggedError("FetchError")<{
  readonly reason: "Request" | "HttpStatus" | "Partial" | "Timeout" | "Output"
  readonly message: string
}> {}

/** @category models */
export interface FetchOptions {
  readonly url: URL
  readonly output: string | undefined
  readonly maxTimeMillis: number
  readonly lookup?: LookupFunction | undefined
  /** a PEM file of the CAs to trust for https:// (else Node's bundled ones) */
  readonly cacert?: string | undefined
}

/** The line printed after the body: what came, how fast. */
export const summaryLine = (octets: number, millis: number): string => {
  const rate = millis > 0 ? ` (${((octets * 8) / (millis / 1000) / 1e6).toFixed(1)} Mbit/s)` : ""
  return `${octets} octets in ${(millis / 1000).toFixed(3)} s${rate}`
}

/** How far a body got, for the message of a fetch that ended early. */
interface Progress {
  /** true once the status line and headers have come */
  answered: boolean
  octets: number
  /** Content-Length, when the server gave one */
  expected: number | undefined
}

/**
 * What a fetch that ended early says about the body: how much came of how
 * much, and where it went ("" when no body had begun).
 */
const keptText = (progress: Progress, output: string | undefined): string => {
  if (!progress.answered || progress.octets === 0) return output === undefined ? "" : "; nothing written"
  const where = output === undefined ? "went to stdout" : `are in ${output}`
  return `; the ${progress.octets} octets that came ${where}`
}

/**
 * `-o FILE` opened when the first octets are written (curl's rule), so that
 * nothing is created or truncated for a fetch that gets no body. Ending it
 * normally (`end`) creates an empty FILE for a complete empty body; `close`
 * writes what was given so far and creates nothing when nothing was.
 */
class OutputFile extends Writable {
  private file: fs.WriteStream | undefined
  private createIfEmpty = true
  constructor(readonly path: string) {
    super()
  }

  private opened(): fs.WriteStream {
    if (this.file === undefined) {
      this.file = fs.createWriteStream(this.path)
      // an open or write error reaches the write or end callback too; listened here so it is not unhandled
      this.file.on("error", () => {})
    }
    return this.file
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.opened().write(chunk, callback)
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.file === undefined && !this.createIfEmpty) callback()
    else this.opened().end(callback)
  }

  /** End early: every chunk already given is written (none is dropped, as destroy would), no empty FILE made. */
  close(callback: (error: Error | undefined) => void): void {
    this.createIfEmpty = false
    this.end((e?: Error | null) => callback(e ?? undefined))
  }
}

/**
 * The stack's own account of a socket error (the Node adapter keeps it off Node's message, as a
 * non-enumerable `detail`: src/node/Errors.ts), for a person reading the CLI's stderr: " (no route
 * to 198.19.5.5)".
 */
const detailOf = (e: Error): string => {
  const detail = (e as { readonly detail?: unknown }).detail
  return typeof detail === "string" && detail !== "" && !e.message.includes(detail) ? ` (${detail})` : ""
}

/** Why a body stopped early, in words: a close before Content-Length is Node's 'aborted'. */
const cutShortHow = (e: Error): string =>
  e.message === "aborted"
    ? "closed by the server"
    : (e as NodeJS.ErrnoException).code === "ECONNRESET"
    ? "reset by the server"
    : e.message

/**
 * GET `url` over the stack in context.
 *
 * @category commands
 */
export const fetch = (options: FetchOptions): Effect.Effect<void, FetchError, Tcp | Stack.Stack> =>
  Effect.gen(function*() {
    const net = yield* Net.make
    const secure = options.url.protocol === "https:"
    const ca = secure && options.cacert !== undefined
      ? yield* Effect.try({
        try: () => fs.readFileSync(options.cacert!),
        catch: (e) => new FetchError({ reason: "Request", message: `--cacert ${options.cacert}: ${(e as Error).message}` })
      })
      : undefined
    // (one request API for both: https's is http's with TLS under it)
    const h = secure ? NodeHttps.fromNet(net) as unknown as NodeHttp.Http : NodeHttp.fromNet(net)
    const agent = new h.Agent({ keepAlive: false, ...(ca !== undefined ? { ca } : {}) } as http.AgentOptions)
    const started = yield* Clock.currentTimeMillis
    const progress: Progress = { answered: false, octets: 0, expected: undefined }
    let stdoutFailed: ((e: NodeJS.ErrnoException) => void) | undefined
    const got = yield* Effect.async<number, FetchError>((resume) => {
      let settled = false
      const settle = (result: Effect.Effect<number, FetchError>) => {
        if (settled) return
        settled = true
        resume(result)
      }
      const failWith = (reason: FetchError["reason"], message: string) =>
        settle(Effect.fail(new FetchError({ reason, message })))
      const file = options.output === undefined ? undefined : new OutputFile(options.output)
      const outputFailed = (e: Error) => failWith("Output", `-o: ${e.message}`)
      file?.on("error", outputFailed)
      let response: http.IncomingMessage | undefined
      if (file === undefined) {
        // a reader that goes away (`gonet fetch URL | head`) is EPIPE on stdout: one line, not an
        // uncaught 'error' with a stack trace
        stdoutFailed = (e: NodeJS.ErrnoException) => {
          response?.unpipe(process.stdout)
          const why = e.code === "EPIPE" ? ` (the reader closed it after ${progress.octets} octets)` : ""
          failWith("Output", `stdout: ${e.message}${why}`)
        }
        process.stdout.on("error", stdoutFailed)
      }
      const req = h.request(options.url, {
        agent,
        ...(options.lookup !== undefined ? { lookup: options.lookup as unknown as http.RequestOptions["lookup"] } : {})
      }, (res) => {
        progress.answered = true
        response = res
        process.stderr.write(`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\n`)
        const status = res.statusCode ?? 0
        if (status >= 400) {
          // curl --fail: an error page is not what was asked for
          return failWith("HttpStatus", `HTTP ${status} ${res.statusMessage} from ${options.url.href}; nothing written`)
        }
        const length = Number(res.headers["content-length"])
        progress.expected = Number.isSafeInteger(length) ? length : undefined
        res.on("data", (c: Buffer) => (progress.octets += c.length))
        const sink: NodeJS.WritableStream = file ?? process.stdout
        res.pipe(sink, { end: false })
        res.on("end", () => {
          if (file === undefined) settle(Effect.succeed(progress.octets))
          else {
            file.end((e?: Error | null) =>
              e === undefined || e === null ? settle(Effect.succeed(progress.octets)) : outputFailed(e)
            )
          }
        })
      })
      // before the answer: no answer at all; after it: the body cut short
      const failed = (e: Error) => {
        if (!progress.answered) return failWith("Request", e.message + detailOf(e))
        const of = progress.expected === undefined ? "" : ` of ${progress.expected}`
        const message = `the body ended after ${progress.octets}${of} octets (${cutShortHow(e)})`
        if (file === undefined) return failWith("Partial", message + keptText(progress, undefined))
        response?.unpipe(file)
        file.close((closeError) =>
          closeError === undefined
            ? failWith("Partial", message + keptText(progress, options.output))
            : outputFailed(closeError)
        )
      }
      req.on("error", failed)
      req.on("response", (res: http.IncomingMessage) => res.on("error", failed))
      req.end()
      // interrupted (Ctrl-C, --max-time): what came is flushed to FILE before the error is reported
      return Effect.async<void>((done) => {
        req.destroy()
        if (file === undefined) return done(Effect.void)
        response?.unpipe(file)
        file.close(() => done(Effect.void))
      })
    }).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(options.maxTimeMillis),
        onTimeout: () =>
          new FetchError({
            reason: "Timeout",
            message: `no complete answer within ${options.maxTimeMillis / 1000} s (--max-time)${
              keptText(progress, options.output)
            }`
          })
      }),
      Effect.ensuring(Effect.sync(() => {
        agent.destroy()
        if (stdoutFailed !== undefined) process.stdout.off("error", stdoutFailed)
      })),
      // after the request's own clean-up (above): FILE holds what came when this is printed
      Effect.onInterrupt(() =>
        Effect.sync(() => {
          const when = progress.answered ? "before the body was complete" : "before an answer came"
          process.stderr.write(`${Format.errorLine(`interrupted ${when}${keptText(progress, options.output)}`)}\n`)
          process.exitCode = 1
        })
      )
    )
    const ended = yield* Clock.currentTimeMillis
    process.stderr.write(`gonet fetch: ${summaryLine(got, ended - started)}\n`)
  })
