/**
 * ICMP redirects as a host takes them (RFC 1122 §3.2.2.2, §3.3.1.2), by
 * Linux's rules (net/ipv4/route.c __ip_do_redirect with a host's defaults:
 * accept_redirects=1, shared_media=1): which a host believes (Route.ts
 * `redirectRefusal`, one test per refusal), and the next hop per destination
 * they set (`Redirects`: 300 s, ip_rt_gc_timeout; bounded, the oldest
 * evicted). Pure.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Route from "../../src/iface/Route.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"

const a = (s: string) => Addr.parse(s)!
const US = a("198.18.0.2")
const GATEWAY = a("198.18.0.1")
const OTHER_ROUTER = a("198.18.0.5")
const FAR = a("198.19.1.1")
const TABLE: Route.RouteTable = { address: US, prefixLength: 24, gateway: GATEWAY }

/** A redirect from the gateway about our datagram to FAR, naming OTHER_ROUTER, unless told otherwise. */
const notice = (over: Partial<Route.RedirectNotice> = {}): Route.RedirectNotice => ({
  from: GATEWAY,
  src: US,
  dst: FAR,
  gateway: OTHER_ROUTER,
  claimed: true,
  ...over
})

describe("which redirects a host believes (Linux's __ip_do_redirect, host defaults)", () => {
  it("one from the gateway the destination's route uses, about our datagram, naming another router: believed", () => {
    expect(Route.redirectRefusal(TABLE, undefined, notice())).toBeUndefined()
    // a router on another subnet of the same wire: believed, as Linux's shared_media (default 1,
    // RFC 1620) skips the on-link check; it is used only once it answers ARP on our link
    expect(Route.redirectRefusal(TABLE, undefined, notice({ gateway: a("198.18.7.1") }))).toBeUndefined()
  })

  it("NotOurDatagram: the quoted datagram was not sent from our address", () => {
    expect(Route.redirectRefusal(TABLE, undefined, notice({ src: a("198.18.0.77") }))).toBe("NotOurDatagram")
  })

  it("Unclaimed: no socket of ours sent the quoted datagram (Linux runs __ip_do_redirect from the protocol's error handler alone); else as good as believed", () => {
    expect(Route.redirectRefusal(TABLE, undefined, notice({ claimed: false }))).toBe("Unclaimed")
    // (not ours at all says so first)
    expect(Route.redirectRefusal(TABLE, undefined, notice({ claimed: false, src: a("198.18.0.77") }))).toBe("NotOurDatagram")
  })

  it("NotFromGateway: RFC 1122 §3.2.2.2, the redirect must come from the current first hop for the destination", () => {
    expect(Route.redirectRefusal(TABLE, undefined, notice({ from: a("198.18.0.66") }))).toBe("NotFromGateway")
    // once redirected, the first hop is the new router: the old gateway may not move it again
    expect(Route.redirectRefusal(TABLE, OTHER_ROUTER, notice({ gateway: a("198.18.0.6") }))).toBe("NotFromGateway")
    // and the new router may
    expect(Route.redirectRefusal(TABLE, OTHER_ROUTER, notice({ from: OTHER_ROUTER, gateway: a("198.18.0.6") })))
      .toBeUndefined()
  })

  it("DestinationOnLink: a destination on our subnet goes to no gateway, so nothing redirects it", () => {
    expect(Route.redirectRefusal(TABLE, undefined, notice({ dst: a("198.18.0.40") }))).toBe("DestinationOnLink")
  })

  it("DestinationNotUnicast: ours, loopback, broadcasts, multicast and 0.0.0.0 are not redirected", () => {
    for (const dst of ["198.18.0.2", "127.0.0.1", "198.18.0.255", "255.255.255.255", "224.0.0.1", "0.0.0.0"]) {
      expect([dst, Route.redirectRefusal(TABLE, undefined, notice({ dst: a(dst) }))]).toEqual([dst, "DestinationNotUnicast"])
    }
  })

  it("NoRoute: without a gateway nothing reaches a far destination, and nothing redirects it", () => {
    expect(Route.redirectRefusal({ ...TABLE, gateway: undefined }, undefined, notice())).toBe("NoRoute")
  })

  it("SameGateway: a redirect naming the gateway it came from changes nothing", () => {
    expect(Route.redirectRefusal(TABLE, undefined, notice({ gateway: GATEWAY }))).toBe("SameGateway")
  })

  it("BadGateway: zero, the limited broadcast, multicast (ipv4_is_*), and what is not unicast to us (inet_addr_type)", () => {
    for (const gw of ["0.0.0.0", "0.1.2.3", "255.255.255.255", "224.0.0.5", "239.1.1.1", "198.18.0.2", "127.0.0.1", "198.18.0.255"]) {
      expect([gw, Route.redirectRefusal(TABLE, undefined, notice({ gateway: a(gw) }))]).toEqual([gw, "BadGateway"])
    }
    // class E: Linux's inet_addr_type calls it unicast; no host may have it (RFC 1122 §3.2.1.3), and we refuse it
    expect(Route.redirectRefusal(TABLE, undefined, notice({ gateway: a("240.0.0.1") }))).toBe("BadGateway")
  })
})

describe("the next hop per destination a redirect sets (Linux's fib_nh_exception)", () => {
  it("holds the new router for that destination alone, for 300 s (ip_rt_gc_timeout), then the route's gateway again", () => {
    const c = Route.makeRedirects(16)
    Route.holdRedirect(c, FAR, OTHER_ROUTER, 1000)
    expect(Route.redirectedTo(c, FAR, 1000)).toBe(OTHER_ROUTER)
    expect(Route.redirectedTo(c, a("198.19.1.2"), 1000)).toBeUndefined()
    expect(Route.redirectedTo(c, FAR, 1000 + Route.REDIRECT_EXPIRES - 1)).toBe(OTHER_ROUTER)
    expect(Route.redirectedTo(c, FAR, 1000 + Route.REDIRECT_EXPIRES)).toBeUndefined()
    // an expired entry is dropped when looked up
    expect(c.entries.size).toBe(0)
  })

  it("a later redirect for the destination replaces its router and expiry (update_or_create_fnhe)", () => {
    const c = Route.makeRedirects(16)
    Route.holdRedirect(c, FAR, OTHER_ROUTER, 0)
    Route.holdRedirect(c, FAR, a("198.18.0.6"), 100_000)
    expect(Route.redirectedTo(c, FAR, 100_000 + Route.REDIRECT_EXPIRES - 1)).toBe(a("198.18.0.6"))
    expect(c.entries.size).toBe(1)
  })

  it("is bounded: a new destination beyond the capacity evicts the one redirected longest ago, counted", () => {
    const c = Route.makeRedirects(3)
    for (let i = 0; i < 3; i++) Route.holdRedirect(c, FAR + i, OTHER_ROUTER, i)
    // renewing the first moves it last
    Route.holdRedirect(c, FAR, OTHER_ROUTER, 10)
    Route.holdRedirect(c, FAR + 3, OTHER_ROUTER, 11)
    expect(c.entries.size).toBe(3)
    expect(c.evictions).toBe(1)
    expect(Route.redirectedTo(c, FAR + 1, 12)).toBeUndefined()
    expect([FAR, FAR + 2, FAR + 3].map((d) => Route.redirectedTo(c, d, 12))).toEqual([OTHER_ROUTER, OTHER_ROUTER, OTHER_ROUTER])
  })

  it("expired entries go at the next look or hold, whichever destination it is for: none lingers (a frame to the gateway looks only while one holds), and making room drops no live one for them", () => {
    const c = Route.makeRedirects(2)
    Route.holdRedirect(c, FAR, OTHER_ROUTER, 0)
    Route.holdRedirect(c, FAR + 1, OTHER_ROUTER, 1000)
    // another destination, looked up once the first expired: the first goes
    expect(Route.redirectedTo(c, FAR + 7, Route.REDIRECT_EXPIRES)).toBeUndefined()
    expect([...c.entries.keys()]).toEqual([FAR + 1])
    // a new destination when the other has expired too: room without an eviction
    Route.holdRedirect(c, FAR + 2, OTHER_ROUTER, 1000 + Route.REDIRECT_EXPIRES)
    expect([...c.entries.keys()]).toEqual([FAR + 2])
    expect(c.evictions).toBe(0)
  })
})
