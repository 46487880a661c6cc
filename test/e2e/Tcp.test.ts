/**
 * TCP between two whole stacks over an in-memory link: handshake, data
 * both ways, half-close and close, as applications use the API.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import { Tcp } from "../../src/tcp/Tcp.js"
import { ADDR_A, run, twoStacks } from "../support/TestNet.js"

const bytes = (n: number, seed = 1): Uint8Array => {
  const b = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let o = 0
  for (const c of chunks) {
    out.set(c, o)
    o += c.length
  }
  return out
}

describe("TCP between two stacks", () => {
  it.scopedLive("connect, echo 1 MB, half-close, close", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 7 })))
      // echo server on A: everything read is written back, then our side ends
      yield* run(a, Effect.gen(function*() {
        const conn = yield* listener.accept
        yield* conn.stream.pipe(Stream.runForEach((chunk) => conn.write(chunk)))
        yield* conn.end
      })).pipe(Effect.forkScoped)
      const conn = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 })))
      const data = bytes(1 << 20)
      const reader = yield* conn.stream.pipe(Stream.runCollect, Effect.fork)
      for (let o = 0; o < data.length; o += 65536) yield* conn.write(data.subarray(o, o + 65536))
      yield* conn.end
      const echoed = concat(Chunk.toReadonlyArray(yield* reader.await.pipe(Effect.flatten)))
      expect(echoed.length).toBe(data.length)
      expect(Buffer.compare(Buffer.from(echoed), Buffer.from(data))).toBe(0)
      const info = yield* conn.info
      expect(["FinWait2", "TimeWait", "Closing"]).toContain(info.state)
      yield* Effect.log(JSON.stringify(info))
      expect(Option.isNone(yield* conn.read)).toBe(true)
    }), 30_000)
})
