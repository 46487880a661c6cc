#!/usr/bin/env node
// Probe (no network, no root): the cost of handing batches of frames from a
// macrotask (as the TAP addon's read callback does) to a consumer fiber, with
// several hand-off styles, and what the young-generation GC makes of it.
//
//   node bench/diag/probe-handoff.mjs            # all variants, each in a child node with --trace-gc-nvp
//   node bench/diag/probe-handoff.mjs cold       # latency of 3 hops when triggered every 200 ms vs back to back
//
// Each variant moves 20 000 batches of 64 views (60 octets) of a fresh
// ArrayBuffer, like LinkTap delivers them, and does a subarray per frame.
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Deferred, Effect, Exit, Queue } from "effect"

const BATCHES = 20_000
const self = fileURLToPath(import.meta.url)

const makeBatch = () => {
  const ab = new ArrayBuffer(64 * 60)
  const batch = []
  for (let k = 0; k < 64; k++) batch.push(new Uint8Array(ab, k * 60, 60))
  return batch
}

const variants = {
  "Queue.take (Effect.forever)": () => {
    const q = Effect.runSync(Queue.bounded(1024))
    return { consume: (work) => Effect.runFork(Queue.take(q).pipe(Effect.map(work), Effect.forever)), offer: (b) => q.unsafeOffer(b) }
  },
  "Deferred.await per batch": () => {
    let d
    const next = Effect.suspend(() => {
      d = Deferred.unsafeMake(undefined)
      return Deferred.await(d)
    })
    return { consume: (work) => Effect.runFork(Effect.forever(Effect.map(next, work))), offer: (b) => Deferred.unsafeDone(d, Exit.succeed(b)) }
  },
  "Effect.async resume callback": () => {
    let waiting
    const next = Effect.async((resume) => {
      waiting = resume
    })
    return {
      consume: (work) => Effect.runFork(Effect.forever(Effect.map(next, work))),
      offer: (b) => {
        const w = waiting
        waiting = undefined
        w(Effect.succeed(b))
      }
    }
  },
  "plain function call": () => {
    let f
    return { consume: (work) => (f = work), offer: (b) => f(b) }
  }
}

const runVariant = (name) =>
  new Promise((resolve) => {
    let frames = 0
    const work = (b) => {
      for (const f of b) frames += f.subarray(14)[0] >= 0 ? 1 : 0
    }
    const v = variants[name]()
    v.consume(work)
    let i = 0
    const t0 = performance.now()
    const tick = () => {
      v.offer(makeBatch())
      if (++i < BATCHES) setImmediate(tick)
      else setTimeout(() => resolve(frames / ((performance.now() - t0) / 1000)), 10)
    }
    setImmediate(tick)
  })

const cold = async () => {
  const hop3 = () => {
    const q = [1, 2, 3].map(() => Effect.runSync(Queue.bounded(1024)))
    let done
    Effect.runFork(Queue.take(q[0]).pipe(Effect.flatMap((b) => Queue.offer(q[1], b)), Effect.forever))
    Effect.runFork(Queue.take(q[1]).pipe(Effect.flatMap((b) => Queue.offer(q[2], b)), Effect.forever))
    Effect.runFork(Queue.take(q[2]).pipe(Effect.map(() => done?.()), Effect.forever))
    return (b) => new Promise((r) => { done = r; q[0].unsafeOffer(b) })
  }
  const plain3 = () => (b) => new Promise((r) => queueMicrotask(() => queueMicrotask(() => queueMicrotask(() => r(b)))))
  for (const [name, make] of [["Effect, 3 queue hops", hop3], ["plain JS, 3 microtask hops", plain3]]) {
    const send = make()
    for (let k = 0; k < 5000; k++) await send([new Uint8Array(98)]) // warm up
    for (const gap of [200, 0]) {
      const lat = []
      for (let k = 0; k < (gap > 0 ? 25 : 500); k++) {
        if (gap > 0) await new Promise((r) => setTimeout(r, gap))
        const t = performance.now()
        await send([new Uint8Array(98)])
        lat.push((performance.now() - t) * 1000)
      }
      lat.sort((a, b) => a - b)
      console.log(`${name}, ${gap === 0 ? "back to back" : `every ${gap} ms`}: p50 ${lat[lat.length >> 1].toFixed(1)} µs`)
    }
  }
}

const mode = process.argv[2]
if (mode === "cold") {
  await cold()
} else if (mode !== undefined && variants[mode]) {
  const rate = await runVariant(mode)
  console.log(`RESULT ${rate}`)
  process.exit(0)
} else {
  for (const name of Object.keys(variants)) {
    const out = execFileSync(process.execPath, ["--trace-gc-nvp", self, name], { encoding: "utf8", timeout: 120_000 })
    const rate = Number(/RESULT ([\d.]+)/.exec(out)?.[1])
    const scav = [...out.matchAll(/gc=s .*?new_space_survived=(\d+)/g)].map((m) => Number(m[1]))
    const pause = [...out.matchAll(/pause=([\d.]+)/g)].reduce((a, m) => a + Number(m[1]), 0)
    const survived = scav.length ? scav.slice(-3).reduce((a, b) => a + b, 0) / Math.min(3, scav.length) : 0
    console.log(
      `${name.padEnd(30)} ${(rate / 1e6).toFixed(2)} M frames/s, ${scav.length} scavenges, ` +
        `~${(survived / 1e6).toFixed(1)} MB survived each (last 3), GC pause total ${pause.toFixed(0)} ms`
    )
  }
}
