/**
 * The hosts file read by gonet-ts/node's lookups against Node 20's own
 * `dns.lookup` (getaddrinfo, glibc's files backend) over the same file: in a
 * namespace of the test's own, `ip netns exec` mounts /etc/netns/NAME/hosts
 * over /etc/hosts, and a resolv.conf naming a server the empty namespace has
 * no route to, so what the file does not give fails at once with no packet
 * sent anywhere. The table (test/fixtures/hostsCases.ts) is checked here too:
 * what glibc gives is what the table says.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import * as NodeDns from "../../src/node/Dns.js"
import { exec, makeNetns, type Netns, tapSkipReason } from "../support/Netns.js"
import { HOSTS_CASES, HOSTS_TEXT, REVERSE_CASES, REVERSE_TEXT } from "../fixtures/hostsCases.js"
import { silentDns } from "../support/SilentDns.js"

const SKIP = tapSkipReason()
if (SKIP !== undefined) console.warn(`skipping the hosts file against glibc: ${SKIP}`)

/** /etc/netns/NAME/{hosts,resolv.conf}, removed when the scope closes (and /etc/netns if this made it). */
const namespaceFiles = (ns: Netns, hosts: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const dir = `/etc/netns/${ns.name}`
      const made = mkdirSync(dir, { recursive: true })
      writeFileSync(`${dir}/hosts`, hosts)
      // 198.18.0.1 is unroutable from a namespace with only lo: DNS fails at once, nothing leaves
      writeFileSync(`${dir}/resolv.conf`, "nameserver 198.18.0.1\noptions attempts:1 timeout:1\n")
      return { dir, madeParent: made === "/etc/netns" }
    }),
    ({ dir, madeParent }) =>
      Effect.sync(() => {
        rmSync(dir, { recursive: true, force: true })
        if (madeParent && readdirSync("/etc/netns").length === 0) rmdirSync("/etc/netns")
      })
  )

/** Each case's answer from Node's own lookup: the addresses, or the error's code. */
const NODE_SIDE = `
const dns = require("node:dns")
const cases = JSON.parse(process.argv[1])
Promise.all(cases.map(([name, family]) => new Promise((resolve) =>
  dns.lookup(name, { family, all: true }, (err, addresses) =>
    resolve(err ? err.code : addresses.map((a) => a.address))))))
  .then((out) => process.stdout.write(JSON.stringify(out)))
`

const lookupOurs = (lookup: NodeDns.LookupFunction, name: string, family: 4 | 6) =>
  Effect.async<ReadonlyArray<string> | string>((resume) =>
    lookup(name, { family, all: true }, (err, addresses) =>
      resume(Effect.succeed(err === null ? addresses.map((a) => a.address) : String(err.code)))))

describe.skipIf(SKIP !== undefined)("the hosts file against glibc's (Node 20's dns.lookup)", () => {
  it.scopedLive("every name of the table: the same addresses in the same order, or no answer from the file on both sides", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns("hst")
      yield* namespaceFiles(ns, HOSTS_TEXT)
      const cases = HOSTS_CASES.map(([name, family]) => [name, family] as const)
      const r = yield* exec(ns, [process.execPath, "-e", NODE_SIDE, JSON.stringify(cases)], { timeoutMs: 30_000 })
      if (r.code !== 0) throw new Error(`node in the namespace: ${r.stderr}`)
      const theirs = JSON.parse(r.stdout) as ReadonlyArray<ReadonlyArray<string> | string>

      const dir = mkdtempSync(join(tmpdir(), "gonet-hosts-k-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      writeFileSync(join(dir, "hosts"), HOSTS_TEXT)
      const ours = NodeDns.lookupFunction(undefined, { hostsFile: join(dir, "hosts") })

      for (const [i, [name, family, expected]] of HOSTS_CASES.entries()) {
        const what = `${name} family ${family}`
        const mine = yield* lookupOurs(ours, name, family)
        if (expected.length > 0) {
          expect(theirs[i], what).toEqual(expected)
          expect(mine, what).toEqual(expected)
        } else {
          // not in the file: glibc went on to DNS, which cannot answer here; ours has no DNS
          expect(typeof theirs[i], `${what}: ${JSON.stringify(theirs[i])}`).toBe("string")
          expect(mine, what).toBe("ENOTFOUND")
        }
      }
    }), 60_000)
})

/** Each address's reverse and lookupService(address, 80) from Node's own node:dns: names, or the error's code. */
const NODE_REVERSE = `
const dns = require("node:dns")
const ips = JSON.parse(process.argv[1])
const settle = (f) => new Promise((resolve) => f((err, value) => resolve(err ? err.code : value)))
Promise.all(ips.map((ip) => Promise.all([settle((cb) => dns.reverse(ip, cb)), settle((cb) => dns.lookupService(ip, 80, cb))])))
  .then((out) => process.stdout.write(JSON.stringify(out)))
`

describe.skipIf(SKIP !== undefined)("reverse and lookupService with a hosts file, against Node 20's (c-ares, glibc)", () => {
  it.scopedLive("every address of the table: the same names from the file, or no answer from it on both sides", () =>
    Effect.gen(function*() {
      const ns = yield* makeNetns("hsr")
      yield* namespaceFiles(ns, REVERSE_TEXT)
      const ips = REVERSE_CASES.map(([ip]) => ip)
      const r = yield* exec(ns, [process.execPath, "-e", NODE_REVERSE, JSON.stringify(ips)], { timeoutMs: 30_000 })
      if (r.code !== 0) throw new Error(`node in the namespace: ${r.stderr}`)
      const theirs = JSON.parse(r.stdout) as ReadonlyArray<readonly [ReadonlyArray<string> | string, string]>

      const dir = mkdtempSync(join(tmpdir(), "gonet-hosts-r-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      writeFileSync(join(dir, "hosts"), REVERSE_TEXT)
      const ours = NodeDns.nodeDns(silentDns().runtime, { hostsFile: join(dir, "hosts") })

      for (const [i, [ip, aliases, name]] of REVERSE_CASES.entries()) {
        const [theirReverse, theirService] = theirs[i]!
        const myReverse = yield* Effect.promise(() => ours.promises.reverse(ip).catch((e: NodeJS.ErrnoException) => String(e.code)))
        const myService = yield* Effect.promise(() =>
          ours.promises.lookupService(ip, 80).then((s) => s.hostname, (e: NodeJS.ErrnoException) => String(e.code)))
        // (DNS cannot answer in the namespace, nor ours: what the file does not give fails on both sides)
        expect(theirReverse, `reverse ${ip}`).toEqual(aliases ?? "ENOTFOUND")
        expect(myReverse, `reverse ${ip}`).toEqual(aliases ?? "ENOTFOUND")
        if (name !== undefined) {
          expect(theirService, `lookupService ${ip}`).toEqual(name)
          expect(myService, `lookupService ${ip}`).toEqual(name)
        } else {
          expect(theirService, `lookupService ${ip}`).toMatch(/^E/)
          expect(myService, `lookupService ${ip}`).toMatch(/^E/)
        }
      }
    }), 60_000)
})
