/**
 * A `Dns` service that answers every question with NXDOMAIN and remembers the
 * names asked, with no servers: for tests of what the Node adapters answer
 * without a server (literals, localhost, the hosts file), where a question
 * that should not be asked shows in `asked`.
 */
import { Effect, Runtime } from "effect"
import * as Dns from "../../src/dns/Dns.js"

export const silentDns = (): { readonly asked: ReadonlyArray<string>; readonly runtime: Runtime.Runtime<Dns.Dns> } => {
  const asked: Array<string> = []
  const nx = (name: string) =>
    Effect.suspend(() => {
      asked.push(name)
      return Effect.fail(new Dns.DnsError({ reason: "NotFound", name, detail: "no such name (NXDOMAIN)" }))
    })
  const service: Dns.DnsService = {
    resolve4: nx,
    resolve6: nx,
    lookup: nx,
    query: nx,
    stats: Effect.die("unused"),
    servers: [],
    reconfigure: () => Effect.die("unused")
  }
  return { asked, runtime: Runtime.provideService(Runtime.defaultRuntime, Dns.Dns, service) }
}
