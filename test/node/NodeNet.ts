/**
 * Two in-memory stacks (TestNet.twoStacks) with `gonet-ts/node`'s `net`
 * over each, for tests written as Node programs (promises and events, not
 * effects). The stacks run on the live clock; nothing here asserts on time.
 */
import { Effect, Exit, Scope } from "effect"
import * as Net from "../../src/node/Net.js"
import type { StackConfigInput } from "../../src/Config.js"
import { ADDR_A, ADDR_B, run, type StackContext, twoStacks } from "../support/TestNet.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"

export const HOST_A = Addr.format(ADDR_A)
export const HOST_B = Addr.format(ADDR_B)

export interface TwoNets {
  readonly a: Net.Net
  readonly b: Net.Net
  readonly stackA: StackContext
  readonly stackB: StackContext
}

/** Run `body` with two stacks and their `net`s; everything is torn down after, also on failure. */
export const withNets = async <A>(
  body: (nets: TwoNets) => Promise<A>,
  options?: { readonly configA?: Partial<StackConfigInput>; readonly configB?: Partial<StackConfigInput> }
): Promise<A> => {
  const scope = Effect.runSync(Scope.make())
  try {
    const { a, b } = await Effect.runPromise(Scope.extend(twoStacks(options), scope))
    const netA = await Effect.runPromise(run(a, Net.make))
    const netB = await Effect.runPromise(run(b, Net.make))
    return await body({ a: netA, b: netB, stackA: a, stackB: b })
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** The next `event` of `emitter`, with its arguments. */
export const once = <T extends Array<unknown> = Array<unknown>>(
  emitter: NodeJS.EventEmitter,
  event: string
): Promise<T> => new Promise((resolve) => emitter.once(event, (...args: Array<unknown>) => resolve(args as T)))

/** Everything a readable gives until it ends, as one Buffer. */
export const collect = (r: NodeJS.ReadableStream): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    r.on("data", (c: Buffer) => chunks.push(c))
    r.on("end", () => resolve(Buffer.concat(chunks)))
    r.on("error", reject)
  })
