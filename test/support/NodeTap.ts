/**
 * The world of the kernel tests of `gonet-ts/node`'s servers and clients
 * (test/kernel/NodeHttp*.test.ts): a stack on a fresh TAP whose kernel side
 * is moved into a namespace of the test's own (198.18.0.1/24 there, the
 * stack 198.18.0.2/24), with the Node adapter's `net` over it; the TLS test
 * fixture's files; and how to print what a command did.
 */
import { type Context, Effect, Layer } from "effect"
import type { Scope } from "effect"
import { fileURLToPath } from "node:url"
import { Link } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as Net from "../../src/node/Net.js"
import * as Stack from "../../src/Stack.js"
import { ifName, makeNetns, moveLinkToNetns } from "./Netns.js"
import type { ExecResult, Netns } from "./Netns.js"

export const STACK_IP = "198.18.0.2"
export const HOST_IP = "198.18.0.1"

export interface NetOnTap {
  readonly ns: Netns
  readonly stack: Context.Context<Stack.Services>
  readonly net: Net.Net
}

/** A stack with `mac` on TAP `ifName(tag, index)`, its kernel side in a new namespace; all of it goes with the scope. */
export const netOnTap = (tag: string, index: number, mac: Uint8Array): Effect.Effect<NetOnTap, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const ns = yield* makeNetns(tag)
    const ifname = ifName(tag, index)
    const tap = yield* LinkTap.make({ name: ifname, mac })
    yield* moveLinkToNetns(ifname, ns, { address: `${HOST_IP}/24` })
    const stack = yield* Layer.build(
      Stack.layer({ address: STACK_IP, prefixLength: 24 }).pipe(Layer.provide(Layer.succeed(Link, tap)))
    )
    const net = yield* Effect.provide(Net.make, stack)
    return { ns, stack, net }
  })

/** The test certificate (self-signed, for gonet.test, 198.18.0.1 and 198.18.0.2) and its key. */
export const CERT_FILE = fileURLToPath(new URL("../fixtures/tls/cert.pem", import.meta.url))
export const KEY_FILE = fileURLToPath(new URL("../fixtures/tls/key.pem", import.meta.url))

export const describeExec = (r: ExecResult) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`
