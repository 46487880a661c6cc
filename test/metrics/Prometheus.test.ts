/**
 * Prometheus text from Effect metrics (Prometheus.ts) and the stack's stats
 * as series (StackMetrics.ts).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricBoundaries } from "effect"
import * as Prometheus from "../../src/metrics/Prometheus.js"
import * as StackMetrics from "../../src/metrics/StackMetrics.js"
import type { StackStats } from "../../src/Stack.js"
import { RTT_HISTOGRAM } from "../../src/tcp/Tcp.js"
import * as PromText from "../support/PromText.js"

/** the series of one metric name in a rendering */
const linesOf = (text: string, name: string) => text.split("\n").filter((l) => l.startsWith(name))

describe("Prometheus text", () => {
  it.effect("counters, gauges and histograms render with HELP/TYPE, labels escaped, buckets cumulative", () =>
    Effect.gen(function*() {
      const c = Metric.counter("test_requests_total", { description: "requests\nserved" }).pipe(Metric.tagged("path", "/a\"b\\"))
      yield* Metric.incrementBy(c, 3)
      const g = Metric.gauge("test-level")
      yield* Metric.set(g, 2.5)
      const h = Metric.histogram("test_rtt_ms", MetricBoundaries.fromIterable([1, 2, 10]))
      for (const v of [0.5, 5, 5, 50]) yield* Metric.update(h, v)
      const text = Prometheus.render(yield* Metric.snapshot)
      expect(text).toContain("# HELP test_requests_total requests\\nserved\n# TYPE test_requests_total counter\n")
      expect(linesOf(text, "test_requests_total{")).toEqual(['test_requests_total{path="/a\\"b\\\\"} 3'])
      // an illegal character in a name becomes _
      expect(text).toContain("# TYPE test_level gauge\ntest_level 2.5\n")
      // the buckets in increasing numerical order of le, +Inf last (not as strings: 10 before 2)
      expect(linesOf(text, "test_rtt_ms")).toEqual([
        'test_rtt_ms_bucket{le="1"} 1',
        'test_rtt_ms_bucket{le="2"} 1',
        'test_rtt_ms_bucket{le="10"} 3',
        'test_rtt_ms_bucket{le="+Inf"} 4',
        "test_rtt_ms_sum 60.5",
        "test_rtt_ms_count 4"
      ])
      expect(text.endsWith("\n")).toBe(true)
    }))

  it.effect("label names are legal (no colon, which metric names may have); two tagged histograms keep their lines together", () =>
    Effect.gen(function*() {
      const h = Metric.histogram("test_tagged_ms", MetricBoundaries.fromIterable([5, 50]))
      yield* Metric.update(h.pipe(Metric.tagged("app:kind", "b")), 7)
      yield* Metric.update(h.pipe(Metric.tagged("app:kind", "a")), 70)
      const lines = linesOf(Prometheus.render(yield* Metric.snapshot), "test_tagged_ms")
      for (const l of lines) expect(/\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)+\}/.test(l) || !l.includes("{")).toBe(true)
      expect(lines).toEqual([
        'test_tagged_ms_bucket{app_kind="a",le="5"} 0',
        'test_tagged_ms_bucket{app_kind="a",le="50"} 0',
        'test_tagged_ms_bucket{app_kind="a",le="+Inf"} 1',
        'test_tagged_ms_sum{app_kind="a"} 70',
        'test_tagged_ms_count{app_kind="a"} 1',
        'test_tagged_ms_bucket{app_kind="b",le="5"} 0',
        'test_tagged_ms_bucket{app_kind="b",le="50"} 1',
        'test_tagged_ms_bucket{app_kind="b",le="+Inf"} 1',
        'test_tagged_ms_sum{app_kind="b"} 7',
        'test_tagged_ms_count{app_kind="b"} 1'
      ])
    }))
})

const STATS = {
  link: { rxFrames: 10, txFrames: 4 },
  ipv4: { received: 9, malformed: { BadChecksum: 2, Truncated: 1 }, assemblies: 3 },
  tcp: { connections: 5, segmentsSent: 7 }
} as unknown as StackStats

describe("the stack's stats as Effect metrics", () => {
  it("samples: counters with _total, gauges without, per-reason records as a label", () => {
    expect(StackMetrics.samples(STATS)).toEqual([
      { name: "gonet_link_rx_frames_total", kind: "counter", labels: [], value: 10 },
      { name: "gonet_link_tx_frames_total", kind: "counter", labels: [], value: 4 },
      { name: "gonet_ipv4_received_total", kind: "counter", labels: [], value: 9 },
      { name: "gonet_ipv4_malformed_total", kind: "counter", labels: [["reason", "BadChecksum"]], value: 2 },
      { name: "gonet_ipv4_malformed_total", kind: "counter", labels: [["reason", "Truncated"]], value: 1 },
      { name: "gonet_ipv4_assemblies", kind: "gauge", labels: [], value: 3 },
      { name: "gonet_tcp_connections", kind: "gauge", labels: [], value: 5 },
      { name: "gonet_tcp_segments_sent_total", kind: "counter", labels: [], value: 7 }
    ])
  })

  it.effect("sync: counters follow the stats' totals across syncs (by their growth), gauges their level", () =>
    Effect.gen(function*() {
      const sync = StackMetrics.makeSync("198.18.9.9")
      yield* sync(STATS)
      const later = { ...STATS, link: { rxFrames: 25, txFrames: 4 }, tcp: { connections: 1, segmentsSent: 7 } } as unknown as StackStats
      yield* sync(later)
      const text = Prometheus.render(yield* Metric.snapshot)
      expect(linesOf(text, 'gonet_link_rx_frames_total{stack="198.18.9.9"}')).toEqual(['gonet_link_rx_frames_total{stack="198.18.9.9"} 25'])
      expect(linesOf(text, 'gonet_tcp_connections{stack="198.18.9.9"}')).toEqual(['gonet_tcp_connections{stack="198.18.9.9"} 1'])
      expect(text).toContain('gonet_ipv4_malformed_total{stack="198.18.9.9",reason="BadChecksum"} 2')
      expect(text).toContain("# TYPE gonet_link_rx_frames_total counter")
      expect(text).toContain("# TYPE gonet_tcp_connections gauge")
    }))

  it.effect("sync: the count of TCP sockets (tcp.sockets, the fair share's divisor) is a level, a gauge that falls as sockets go", () =>
    Effect.gen(function*() {
      const sync = StackMetrics.makeSync("198.18.9.10")
      yield* sync({ tcp: { sockets: 3 } } as unknown as StackStats)
      yield* sync({ tcp: { sockets: 1 } } as unknown as StackStats)
      const text = Prometheus.render(yield* Metric.snapshot)
      expect(text).toContain("# TYPE gonet_tcp_sockets gauge")
      expect(linesOf(text, 'gonet_tcp_sockets{stack="198.18.9.10"}')).toEqual(['gonet_tcp_sockets{stack="198.18.9.10"} 1'])
    }))

  it.effect("sync: the orphans held (tcp.orphans) are a level, a gauge; the orphans reset for it (tcp.abortOnMemory) a counter", () =>
    Effect.gen(function*() {
      const sync = StackMetrics.makeSync("198.18.9.11")
      yield* sync({ tcp: { orphans: 4, abortOnMemory: 1 } } as unknown as StackStats)
      yield* sync({ tcp: { orphans: 2, abortOnMemory: 3 } } as unknown as StackStats)
      const text = Prometheus.render(yield* Metric.snapshot)
      expect(text).toContain("# TYPE gonet_tcp_orphans gauge")
      expect(linesOf(text, 'gonet_tcp_orphans{stack="198.18.9.11"}')).toEqual(['gonet_tcp_orphans{stack="198.18.9.11"} 2'])
      expect(linesOf(text, 'gonet_tcp_abort_on_memory_total{stack="198.18.9.11"}')).toEqual(['gonet_tcp_abort_on_memory_total{stack="198.18.9.11"} 3'])
    }))

  it.effect("sync: a stale snapshot (a scrape that read the stats before another scrape synced newer ones) does not make the next sync count the growth again", () =>
    Effect.gen(function*() {
      // two /metrics requests at once (Prometheus and a browser, or --serve http:80,http:8080 on one
      // stack): each reads the stats, then syncs; the one that read first may sync last
      const sync = StackMetrics.makeSync("198.18.9.10")
      const at = (rx: number) => ({ ...STATS, link: { rxFrames: rx, txFrames: 4 } }) as unknown as StackStats
      yield* sync(at(10))
      yield* sync(at(25))
      yield* sync(at(20)) // read before the sync of 25, synced after it
      yield* sync(at(30))
      const text = Prometheus.render(yield* Metric.snapshot)
      expect(linesOf(text, 'gonet_link_rx_frames_total{stack="198.18.9.10"}')).toEqual(['gonet_link_rx_frames_total{stack="198.18.9.10"} 30'])
    }))
})

describe("the strict reader the tests below use (test/support/PromText.ts)", () => {
  it("finds each broken rule", () => {
    expect(PromText.check("# TYPE a counter\na_total 1\n")).toEqual([])
    expect(PromText.check("a 1\na 2\n")).toEqual(["line 2: a second sample of a{}"])
    expect(PromText.check("# TYPE a counter\n# TYPE a gauge\na 1\n")).toEqual(["line 2: a second TYPE for a (counter, then gauge)"])
    expect(PromText.check('a{x="1",x="2"} 1\n')).toEqual(["line 1: label 'x' twice"])
    expect(PromText.check('a{x="\\t"} 1\n')[0]).toMatch(/escape/)
    expect(PromText.check("a 1\nb 1\na{x=\"1\"} 1\n")).toEqual(["line 3: samples of a are not together"])
    expect(PromText.check("# TYPE h histogram\nh_count 1\n# TYPE h_count counter\n")).toEqual([
      "line 3: TYPE h_count after samples of h_count",
      "line 3: TYPE h_count: the name of samples of h (histogram)"
    ])
    expect(PromText.check("a 1")).toEqual(["the last line does not end with a line feed"])
  })
})

describe("Prometheus text is valid whatever Effect metrics a program has beside the stack's", () => {
  /** render the whole registry (every test's metrics so far) and read it strictly */
  const renderChecked = Effect.map(Metric.snapshot, (snapshot) => {
    const text = Prometheus.render(snapshot)
    expect(PromText.check(text)).toEqual([])
    return text
  })

  it.effect("the stack's own series, the RTT histogram and the per-state gauge", () =>
    Effect.gen(function*() {
      yield* StackMetrics.makeSync("198.18.9.11")(STATS)
      yield* Metric.update(RTT_HISTOGRAM.pipe(Metric.tagged("stack", "198.18.9.11")), 3)
      yield* Metric.set(Metric.gauge("gonet_tcp_connections_by_state").pipe(Metric.tagged("stack", "198.18.9.11"), Metric.tagged("state", "Established")), 1)
      yield* renderChecked
    }))

  it.effect("label values and HELP with a quote, a backslash and a line feed", () =>
    Effect.gen(function*() {
      yield* Metric.incrementBy(Metric.counter("t_escape_total", { description: "a \\ b\nc \"d\"" }).pipe(Metric.tagged("iface", "ta\"p\\0\n")), 1)
      const text = yield* renderChecked
      expect(text).toContain('t_escape_total{iface="ta\\"p\\\\0\\n"} 1')
      expect(text).toContain('# HELP t_escape_total a \\\\ b\\nc "d"')
    }))

  it.effect("a counter and a gauge of one name: one TYPE, the other left out with a comment", () =>
    Effect.gen(function*() {
      yield* Metric.incrementBy(Metric.counter("t_both"), 1)
      yield* Metric.set(Metric.gauge("t_both"), 5)
      const text = yield* renderChecked
      expect(linesOf(text, "t_both")).toEqual(["t_both 1"])
      expect(text).toMatch(/^# gonet: left out t_both \(gauge\): the name is already a counter$/m)
    }))

  it.effect("a counter named as a histogram's _count: the histogram's lines are not split by it", () =>
    Effect.gen(function*() {
      yield* Metric.update(Metric.histogram("t_hist", MetricBoundaries.fromIterable([1])), 0.5)
      yield* Metric.incrementBy(Metric.counter("t_hist_count"), 1)
      yield* renderChecked
    }))

  it.effect("names that become one legal name, and one name with two descriptions or its tags in two orders: one series each", () =>
    Effect.gen(function*() {
      yield* Metric.incrementBy(Metric.counter("t.dot_total"), 1)
      yield* Metric.incrementBy(Metric.counter("t_dot_total"), 1)
      yield* Metric.incrementBy(Metric.counter("t_desc_total", { description: "one" }), 1)
      yield* Metric.incrementBy(Metric.counter("t_desc_total", { description: "two" }), 1)
      yield* Metric.incrementBy(Metric.counter("t_order_total").pipe(Metric.tagged("a", "1"), Metric.tagged("b", "2")), 1)
      yield* Metric.incrementBy(Metric.counter("t_order_total").pipe(Metric.tagged("b", "2"), Metric.tagged("a", "1")), 1)
      yield* renderChecked
    }))

  it.effect("tags named le (histogram), quantile (summary), key (frequency), tags that become one label name, one tag twice: every label name once", () =>
    Effect.gen(function*() {
      yield* Metric.update(Metric.histogram("t_le_ms", MetricBoundaries.fromIterable([1])).pipe(Metric.tagged("le", "x")), 2)
      yield* Metric.update(
        Metric.summary({ name: "t_quantile", maxAge: "1 minute", maxSize: 10, error: 0.01, quantiles: [0.5] }).pipe(Metric.tagged("quantile", "x")),
        2
      )
      yield* Metric.update(Metric.frequency("t_freq").pipe(Metric.tagged("key", "x")), "seen")
      yield* Metric.incrementBy(Metric.counter("t_alike_total").pipe(Metric.tagged("app:kind", "a"), Metric.tagged("app_kind", "b")), 1)
      yield* Metric.incrementBy(Metric.counter("t_twice_total").pipe(Metric.tagged("stack", "a"), Metric.tagged("stack", "b")), 1)
      yield* Metric.incrementBy(Metric.counter("t_reserved_total").pipe(Metric.tagged("__name__", "x")), 1)
      const text = yield* renderChecked
      // the tag keeps its value under a name of its own, as Prometheus renames a scraped label that clashes (exported_)
      expect(linesOf(text, "t_le_ms_bucket")).toEqual([
        't_le_ms_bucket{exported_le="x",le="1"} 0',
        't_le_ms_bucket{exported_le="x",le="+Inf"} 1'
      ])
    }))
})
