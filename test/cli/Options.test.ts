import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Format from "../../src/cli/Format.js"
import * as Config from "../../src/Config.js"
import * as Flags from "../../src/cli/Options.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"

const RANDOM_MAC = new Uint8Array([0x02, 0x11, 0x22, 0x33, 0x44, 0x55])

const LINK: Flags.LinkFlags = {
  tap: "gonet0",
  ip: "198.18.0.2/24",
  hostIp: undefined,
  gateway: undefined,
  mac: undefined,
  mtu: 1500,
  pcap: undefined,
  noHostConfig: false,
  noOffload: false
}
const UP: Flags.UpFlags = { ...LINK, serve: [], tcpCc: undefined, realtime: undefined }
const PING: Flags.PingFlags = { ...LINK, dest: undefined, count: undefined, size: 56, interval: 1, timeout: 1 }

const ok = <A>(e: Either.Either<A, Flags.UsageError>): A => {
  if (Either.isLeft(e)) throw new Error(`expected Right, got: ${e.left.message}`)
  return e.right
}
/** The one-line message of a Left. */
const err = <A>(e: Either.Either<A, Flags.UsageError>): string => {
  if (Either.isRight(e)) throw new Error("expected Left")
  expect(e.left.message).not.toContain("\n")
  return e.left.message
}

describe("parseCidr", () => {
  it("parses A.B.C.D/N", () => {
    expect(ok(Flags.parseCidr("--ip", "198.18.0.2/24"))).toEqual({ address: Addr.parse("198.18.0.2"), prefixLength: 24 })
    expect(ok(Flags.parseCidr("--ip", " 10.0.0.1/8 "))).toEqual({ address: Addr.parse("10.0.0.1"), prefixLength: 8 })
  })
  it("takes the default prefix for a bare address, only when one is given", () => {
    expect(ok(Flags.parseCidr("--host-ip", "198.18.0.1", 16)).prefixLength).toBe(16)
    expect(err(Flags.parseCidr("--ip", "198.18.0.1"))).toMatch(/^--ip: '198.18.0.1' is not/)
  })
  it.each(["300.1.1.1/24", "1.2.3/24", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/24/1", "a.b.c.d/8", ""])(
    "rejects %j with a message naming the flag",
    (text) => {
      expect(err(Flags.parseCidr("--ip", text))).toMatch(/^--ip: '.*' is not an IPv4 address/)
    }
  )
})

describe("parseMacFlag", () => {
  it("parses colon and dash forms", () => {
    expect(Array.from(ok(Flags.parseMacFlag("--mac", "02:aa:bb:cc:dd:0e")))).toEqual([2, 0xaa, 0xbb, 0xcc, 0xdd, 0x0e])
    expect(Array.from(ok(Flags.parseMacFlag("--mac", "02-AA-BB-CC-DD-0E")))).toEqual([2, 0xaa, 0xbb, 0xcc, 0xdd, 0x0e])
  })
  it("rejects malformed text (what the stack can use is Config's rule, checked in planLink)", () => {
    expect(err(Flags.parseMacFlag("--mac", "02:aa:bb:cc:dd"))).toMatch(/^--mac: '02:aa:bb:cc:dd' is not a MAC/)
    expect(err(Flags.parseMacFlag("--mac", "02:aa:bb:cc:dd:gg"))).toMatch(/^--mac: /)
  })
})

describe("parseTapName", () => {
  it("accepts Linux interface names up to 15 characters", () => {
    expect(ok(Flags.parseTapName("--tap", "gonet0"))).toBe("gonet0")
    expect(ok(Flags.parseTapName("--tap", "a".repeat(15)))).toBe("a".repeat(15))
  })
  it.each(["", "a".repeat(16), "a/b", "a b", ".", "..", "tap%d", "eth0:1"])("rejects %j", (name) => {
    expect(err(Flags.parseTapName("--tap", name))).toMatch(/^--tap: /)
  })
  it("counts octets as the kernel does (IFNAMSIZ is in bytes): nine 'ö' are 18 octets", () => {
    expect(err(Flags.parseTapName("--tap", "ö".repeat(9)))).toBe(
      `--tap: '${"ö".repeat(9)}' is 18 octets, longer than 15 (Linux IFNAMSIZ)`
    )
    expect(ok(Flags.parseTapName("--tap", "gö0"))).toBe("gö0")
  })
})

describe("parseServe", () => {
  it("parses udp-echo:PORT and defaults udp-echo to port 7", () => {
    expect(ok(Flags.parseServe("--serve", "udp-echo:7"))).toEqual({ kind: "udp-echo", port: 7 })
    expect(ok(Flags.parseServe("--serve", "udp-echo:65535"))).toEqual({ kind: "udp-echo", port: 65535 })
    expect(ok(Flags.parseServe("--serve", "udp-echo"))).toEqual({ kind: "udp-echo", port: 7 })
  })
  it("parses the TCP services, each defaulting to its well-known port (RFC 862, 863, 864)", () => {
    expect(ok(Flags.parseServe("--serve", "echo"))).toEqual({ kind: "echo", port: 7 })
    expect(ok(Flags.parseServe("--serve", "discard"))).toEqual({ kind: "discard", port: 9 })
    expect(ok(Flags.parseServe("--serve", "chargen"))).toEqual({ kind: "chargen", port: 19 })
    expect(ok(Flags.parseServe("--serve", " chargen:1919 "))).toEqual({ kind: "chargen", port: 1919 })
    expect(Flags.protocolOf({ kind: "echo", port: 7 })).toBe("tcp")
    expect(Flags.protocolOf({ kind: "udp-echo", port: 7 })).toBe("udp")
  })
  it("rejects unknown kinds, listing the known ones", () => {
    expect(err(Flags.parseServe("--serve", "tcp-echo:7"))).toBe(
      "--serve: unknown service 'tcp-echo' in 'tcp-echo:7' (known: udp-echo, echo, discard, chargen, http; e.g. echo:7)"
    )
    expect(err(Flags.parseServe("--serve", "toString"))).toMatch(/^--serve: unknown service 'toString'/)
    expect(err(Flags.parseServe("--serve", ":7"))).toBe(
      "--serve: a service is missing in ':7' (expected KIND[:PORT], e.g. echo:7)"
    )
  })
  it.each(["udp-echo:0", "udp-echo:65536", "udp-echo:", "udp-echo:x", "udp-echo:-1", "udp-echo:7:8", "echo:0", "chargen:1e3"])(
    "rejects the port in %j",
    (text) => {
      expect(err(Flags.parseServe("--serve", text))).toMatch(/is not a port \(1\.\.65535\)$/)
    }
  )
})

describe("parseServeList", () => {
  it("takes one item or a comma-separated list, in order", () => {
    expect(ok(Flags.parseServeList("--serve", "echo"))).toEqual([{ kind: "echo", port: 7 }])
    expect(ok(Flags.parseServeList("--serve", "udp-echo:7,echo:7, discard ,chargen:19"))).toEqual([
      { kind: "udp-echo", port: 7 },
      { kind: "echo", port: 7 },
      { kind: "discard", port: 9 },
      { kind: "chargen", port: 19 }
    ])
  })
  it.each(["echo,,chargen", "echo,", ",echo", " , "])("rejects the empty item in %j", (text) => {
    expect(err(Flags.parseServeList("--serve", text))).toBe(
      `--serve: an empty item in '${text}' (separate services with single commas)`
    )
  })
  it("names the bad item of a list", () => {
    expect(err(Flags.parseServeList("--serve", "echo:7,chargen:x"))).toBe(
      "--serve: 'x' in 'chargen:x' is not a port (1..65535)"
    )
    expect(err(Flags.parseServeList("--serve", ""))).toMatch(/^--serve: a service is missing in ''/)
  })
})

describe("parseCongestion", () => {
  it("takes the names Congestion knows, any case", () => {
    expect(ok(Flags.parseCongestion("--tcp-cc", "newreno"))).toBe("newreno")
    expect(ok(Flags.parseCongestion("--tcp-cc", "CUBIC"))).toBe("cubic")
  })
  it.each(["reno", "bbr", ""])("rejects %j, listing the choices", (text) => {
    expect(err(Flags.parseCongestion("--tcp-cc", text))).toBe(
      `--tcp-cc: '${text}' is not a congestion control (use one of newreno, cubic)`
    )
  })
})

describe("configUsageError", () => {
  it("names the flag that sets the field, or the field when no flag does", () => {
    const e = (field: string) => Flags.configUsageError(new Config.ConfigError({ field, reason: "OutOfRange", detail: "d" })).message
    expect(e("tcp.congestion")).toBe("--tcp-cc: d")
    expect(e("gateway")).toBe("--gateway: d")
    expect(e("tcp.minRto")).toBe("tcp.minRto: d")
  })
})

describe("planUp", () => {
  it("gives a newcomer the documented defaults", () => {
    const plan = ok(Flags.planUp(UP, RANDOM_MAC))
    expect(plan.tap).toEqual({
      name: "gonet0",
      mac: RANDOM_MAC,
      mtu: 1500,
      create: true,
      offload: true,
      host: { address: Addr.parse("198.18.0.1"), prefixLength: 24 }
    })
    expect(plan.stack).toEqual({
      address: Addr.parse("198.18.0.2"),
      prefixLength: 24,
      mac: RANDOM_MAC,
      mtu: 1500,
      tcp: { congestion: "cubic" }
    })
    expect(plan.host).toEqual({ address: Addr.parse("198.18.0.1"), prefixLength: 24 })
    expect(plan.configureHost).toBe(true)
    expect(plan.serve).toEqual([])
    expect(plan.pcap).toBeUndefined()
    expect(plan.realtime).toBeUndefined()
  })

  it("carries every flag into the TAP options and the stack config", () => {
    const plan = ok(Flags.planUp(
      {
        tap: "gt1",
        ip: "198.19.4.10/22",
        hostIp: "198.19.5.1",
        gateway: "198.19.4.1",
        mac: "02:00:00:00:00:42",
        mtu: 9000,
        pcap: "/tmp/x.pcap",
        noHostConfig: false,
        noOffload: true,
        serve: ["udp-echo:7", "udp-echo:9999"],
        tcpCc: "newreno",
        tcpEcn: "ON",
        realtime: 50
      },
      RANDOM_MAC
    ))
    const mac = new Uint8Array([2, 0, 0, 0, 0, 0x42])
    expect(plan.tap).toEqual({
      name: "gt1",
      mac,
      mtu: 9000,
      create: true,
      offload: false,
      host: { address: Addr.parse("198.19.5.1"), prefixLength: 22 }
    })
    expect(plan.stack).toEqual({
      address: Addr.parse("198.19.4.10"),
      prefixLength: 22,
      gateway: Addr.parse("198.19.4.1"),
      mac,
      mtu: 9000,
      tcp: { congestion: "newreno", ecn: "on" }
    })
    expect(plan.serve).toEqual([{ kind: "udp-echo", port: 7 }, { kind: "udp-echo", port: 9999 }])
    expect(plan.pcap).toBe("/tmp/x.pcap")
    expect(plan.realtime).toBe(50)
  })

  it("runs UDP and TCP services from repeated and comma-separated --serve, one port per transport", () => {
    const plan = ok(Flags.planUp({ ...UP, serve: ["udp-echo:7,echo:7", "discard,chargen:19", "echo:7007"] }, RANDOM_MAC))
    expect(plan.serve).toEqual([
      { kind: "udp-echo", port: 7 },
      { kind: "echo", port: 7 },
      { kind: "discard", port: 9 },
      { kind: "chargen", port: 19 },
      { kind: "echo", port: 7007 }
    ])
  })

  it("omits the host option with --no-host-config", () => {
    const plan = ok(Flags.planUp({ ...UP, noHostConfig: true }, RANDOM_MAC))
    expect("host" in plan.tap).toBe(false)
    expect(plan.host).toBeUndefined()
    expect(plan.configureHost).toBe(false)
  })

  it("without --host-ip, the host side is the first other address of --ip's subnet, with its prefix", () => {
    // before, the default was 198.18.0.1/24 whatever --ip said: `--ip 198.18.5.2/24` was refused for a --host-ip never given
    const hostOf = (ip: string) => ok(Flags.planUp({ ...UP, ip }, RANDOM_MAC)).host
    expect(hostOf("198.18.5.2/24")).toEqual({ address: Addr.parse("198.18.5.1"), prefixLength: 24 })
    expect(hostOf("198.18.0.1/24")).toEqual({ address: Addr.parse("198.18.0.2"), prefixLength: 24 })
    expect(hostOf("198.18.0.2/16")).toEqual({ address: Addr.parse("198.18.0.1"), prefixLength: 16 })
    expect(hostOf("198.19.7.9/30")).toEqual({ address: Addr.parse("198.19.7.10"), prefixLength: 30 })
    expect(hostOf("198.18.0.3/31")).toEqual({ address: Addr.parse("198.18.0.2"), prefixLength: 31 })
    expect(hostOf("198.18.0.2")).toEqual({ address: Addr.parse("198.18.0.1"), prefixLength: 24 })
    expect(err(Flags.planUp({ ...UP, ip: "198.18.0.2/32" }, RANDOM_MAC))).toBe(
      "--ip: a /32 leaves no address for the host side (give --host-ip, or --no-host-config)"
    )
  })

  it("a bare --ip gets /24", () => {
    expect(ok(Flags.planUp({ ...UP, ip: "198.18.0.2" }, RANDOM_MAC)).stack.prefixLength).toBe(24)
  })

  const rejects: ReadonlyArray<readonly [string, Partial<Flags.UpFlags>, RegExp]> = [
    ["bad --ip", { ip: "300.1.1.1/24" }, /^--ip: '300\.1\.1\.1\/24' is not an IPv4 address/],
    ["network address", { ip: "198.18.0.0/24" }, /^--ip: 198\.18\.0\.0\/24 is the network address/],
    ["broadcast address", { ip: "198.18.0.255/24" }, /^--ip: 198\.18\.0\.255\/24 is the broadcast address/],
    ["multicast --ip", { ip: "224.0.0.1/24" }, /^--ip: .* multicast/],
    ["loopback --ip", { ip: "127.0.0.2/8" }, /^--ip: .* loopback/],
    ["host off the subnet", { hostIp: "198.19.0.1/24" }, /^--host-ip: 198\.19\.0\.1\/24 is not on the stack's subnet 198\.18\.0\.0\/24/],
    ["host with a wider prefix that does not contain --ip", { ip: "198.18.1.2/16", hostIp: "198.18.0.1/24" }, /^--host-ip: .* not on the stack's subnet/],
    ["host equal to --ip", { hostIp: "198.18.0.2/24" }, /^--host-ip: 198\.18\.0\.2 is the stack's own address/],
    ["host is the broadcast address", { hostIp: "198.18.0.255/24" }, /^--host-ip: .* broadcast/],
    ["bad --host-ip", { hostIp: "198.18.0/24" }, /^--host-ip: /],
    ["--host-ip with --no-host-config", { hostIp: "198.18.0.1/24", noHostConfig: true }, /contradict/],
    ["gateway off the subnet", { gateway: "198.18.1.1" }, /^--gateway: 198\.18\.1\.1 is not on the stack's subnet/],
    ["gateway equal to --ip", { gateway: "198.18.0.2" }, /^--gateway: .* own address/],
    ["gateway is the broadcast address", { gateway: "198.18.0.255" }, /^--gateway: .* broadcast/],
    ["bad gateway", { gateway: "198.18.0.1/24" }, /^--gateway: '198\.18\.0\.1\/24' is not an IPv4 address/],
    ["multicast mac", { mac: "03:00:00:00:00:01" }, /^--mac: .* multicast/],
    ["broadcast mac", { mac: "ff:ff:ff:ff:ff:ff" }, /^--mac: .* multicast/],
    ["all-zero mac", { mac: "00:00:00:00:00:00" }, /^--mac: 00:00:00:00:00:00 is not a usable MAC address$/],
    ["gateway is the network address", { gateway: "198.18.0.0" }, /^--gateway: 198\.18\.0\.0 is the network address of its \/24$/],
    ["mtu 0", { mtu: 0 }, /^--mtu: 0 is out of range \(68\.\.65535 octets\)$/],
    ["small mtu", { mtu: 67 }, /^--mtu: 67 is out of range \(68\.\.65535 octets\)$/],
    ["fractional mtu", { mtu: 1500.5 }, /^--mtu: 1500\.5 is out of range/],
    ["large mtu", { mtu: 65536 }, /^--mtu: 65536 is out of range/],
    ["unknown service", { serve: ["gopher:70"] }, /^--serve: unknown service 'gopher'/],
    ["same port twice", { serve: ["udp-echo:7", "udp-echo"] }, /^--serve: UDP port 7 is given twice$/],
    ["same TCP port twice in one list", { serve: ["echo:7,echo"] }, /^--serve: TCP port 7 is given twice$/],
    ["same TCP port for two kinds", { serve: ["echo:19", "chargen"] }, /^--serve: TCP port 19 is given twice \(echo and chargen\)$/],
    ["same UDP port in a list after TCP", { serve: ["echo,udp-echo,discard,udp-echo:7"] }, /^--serve: UDP port 7 is given twice$/],
    ["empty --serve item", { serve: ["echo,,discard"] }, /^--serve: an empty item in 'echo,,discard'/],
    ["unknown --tcp-cc", { tcpCc: "reno" }, /^--tcp-cc: 'reno' is not a congestion control \(use one of newreno, cubic\)$/],
    ["unknown --tcp-ecn", { tcpEcn: "yes" }, /^--tcp-ecn: 'yes' is not an ECN mode \(use off, accept or on\)$/],
    ["--tcp-mem of two sizes", { tcpMem: "1M,2M" }, /^--tcp-mem: '1M,2M' is not LOW,PRESSURE,HIGH$/],
    ["--tcp-mem with a bad size", { tcpMem: "1M,2X,3M" }, /^--tcp-mem: '2X' is not a size/],
    ["--tcp-mem out of order", { tcpMem: "3M,2M,4M" }, /^--tcp-mem: must not be above pressure$/],
    ["long tap name", { tap: "a-very-long-tap-name" }, /^--tap: .* longer than 15/],
    ["empty pcap", { pcap: " " }, /^--pcap: /],
    ["realtime priority 0", { realtime: 0 }, /^--realtime: 0 is not a SCHED_FIFO priority \(1\.\.99\)$/],
    ["realtime priority 100", { realtime: 100 }, /^--realtime: 100 is not/],
    ["fractional realtime priority", { realtime: 1.5 }, /^--realtime: 1\.5 is not/]
  ]
  it.each(rejects)("rejects %s", (_, flags, message) => {
    expect(err(Flags.planUp({ ...UP, ...flags }, RANDOM_MAC))).toMatch(message)
  })

  it("--tcp-mem sets tcp.memory, in octets or K, M, G", () => {
    const plan = ok(Flags.planUp({ ...UP, tcpMem: "96M, 128m,192M" }, RANDOM_MAC))
    expect(plan.stack.tcp).toMatchObject({ memory: { low: 96 << 20, pressure: 128 << 20, high: 192 << 20 } })
    expect(ok(Flags.planUp({ ...UP, tcpMem: "16384,16384,1G" }, RANDOM_MAC)).stack.tcp).toMatchObject({
      memory: { low: 16384, pressure: 16384, high: 1 << 30 }
    })
  })

  it("accepts a /31 pair (RFC 3021: no network or broadcast address)", () => {
    const plan = ok(Flags.planUp({ ...UP, ip: "198.18.0.0/31", hostIp: "198.18.0.1/31" }, RANDOM_MAC))
    expect(plan.stack.address).toBe(Addr.parse("198.18.0.0"))
  })
})

describe("planPing", () => {
  it("pings the host side by default, with ping(8)'s defaults", () => {
    const plan = ok(Flags.planPing(PING, RANDOM_MAC))
    expect(plan.dest).toBe(Addr.parse("198.18.0.1"))
    expect(plan.count).toBeUndefined()
    expect(plan.size).toBe(56)
    expect(plan.intervalMillis).toBe(1000)
    expect(plan.timeoutMillis).toBe(1000)
  })
  it("routes off-link destinations through --gateway", () => {
    const plan = ok(Flags.planPing({ ...PING, dest: "198.19.0.1", gateway: "198.18.0.1" }, RANDOM_MAC))
    expect(plan.dest).toBe(Addr.parse("198.19.0.1"))
  })
  it("takes a loopback destination (127/8) and its own address, which the stack answers itself (Route.select: Local)", () => {
    expect(ok(Flags.planPing({ ...PING, dest: "127.0.0.1" }, RANDOM_MAC)).dest).toBe(Addr.parse("127.0.0.1"))
    expect(ok(Flags.planPing({ ...PING, dest: "127.1.2.3" }, RANDOM_MAC)).dest).toBe(Addr.parse("127.1.2.3"))
    expect(ok(Flags.planPing({ ...PING, dest: "198.18.0.2" }, RANDOM_MAC)).dest).toBe(Addr.parse("198.18.0.2"))
  })
  it("rejects a multicast or 0.0.0.0 destination, gateway or not: the stack has no route there", () => {
    expect(err(Flags.planPing({ ...PING, dest: "224.0.0.1", gateway: "198.18.0.1" }, RANDOM_MAC))).toBe(
      "ping: no route to 224.0.0.1 (a multicast address)"
    )
    expect(err(Flags.planPing({ ...PING, dest: "0.0.0.0", gateway: "198.18.0.1" }, RANDOM_MAC))).toBe(
      "ping: no route to 0.0.0.0 (not a destination)"
    )
  })
  it("takes a destination, a count, a size, and seconds as fractions", () => {
    const plan = ok(Flags.planPing({ ...PING, dest: "198.18.0.9", count: 3, size: 1400, interval: 0.2, timeout: 0.5 }, RANDOM_MAC))
    expect(plan).toMatchObject({ dest: Addr.parse("198.18.0.9"), count: 3, size: 1400, intervalMillis: 200, timeoutMillis: 500 })
  })
  it.each([
    [{ dest: "198.18.0" }, /^ping: '198\.18\.0' is not an IPv4 address/],
    [{ count: 0 }, /^-c: 0 is not a positive count$/],
    [{ size: -1 }, /^-s: -1 is out of range/],
    [{ size: 65508 }, /^-s: 65508 is out of range \(0\.\.65507 octets\)$/],
    [{ interval: 0 }, /^-i: 0 is out of range/],
    [{ timeout: -1 }, /^-W: -1 is out of range/],
    [{ noHostConfig: true }, /give a destination/],
    [{ dest: "198.19.0.1" }, /^ping: no route to 198\.19\.0\.1 \(not on 198\.18\.0\.0\/24 and no --gateway\)$/]
  ] as const)("rejects %j", (flags, message) => {
    expect(err(Flags.planPing({ ...PING, ...flags }, RANDOM_MAC))).toMatch(message)
  })
})

const FETCH: Flags.FetchFlags = { ...LINK, url: "http://198.18.0.1:8000/file", output: undefined, resolver: undefined, maxTime: 30 }

describe("planFetch", () => {
  it("takes an http:// URL with an address, -o and --max-time", () => {
    const plan = ok(Flags.planFetch({ ...FETCH, output: "out.bin", maxTime: 2.5 }, RANDOM_MAC))
    expect(plan.url.href).toBe("http://198.18.0.1:8000/file")
    expect(plan).toMatchObject({ address: Addr.parse("198.18.0.1"), output: "out.bin", maxTimeMillis: 2500 })
  })
  it("takes an https:// URL and --cacert", () => {
    const plan = ok(Flags.planFetch({ ...FETCH, url: "https://198.18.0.1:8443/f", cacert: "ca.pem" }, RANDOM_MAC))
    expect(plan.url.protocol).toBe("https:")
    expect(plan.cacert).toBe("ca.pem")
  })
  it.each([
    // Node's http.request takes port 0 as "no port" and goes to 80
    [{ url: "http://198.18.0.1:0/" }, /^fetch: port 0 in 'http:\/\/198\.18\.0\.1:0\/' is not a port \(1\.\.65535\)$/],
    [{ url: "http://[::1]/" }, /^fetch: '\[::1\]' is an IPv6 address; the stack speaks IPv4 only$/],
    [{ output: "" }, /^-o: the file name is empty$/],
    [{ url: "ftp://198.18.0.1/" }, /^fetch: only http:\/\/ and https:\/\/ URLs \(got ftp:\/\/\)$/],
    [{ url: "https://198.18.0.1/", cacert: " " }, /^--cacert: the file name is empty$/],
    [{ url: "http://files.test/" }, /^fetch: 'files\.test' is a name: give --resolver/]
  ] as const)("rejects %j, naming what is wrong", (flags, message) => {
    expect(err(Flags.planFetch({ ...FETCH, ...flags }, RANDOM_MAC))).toMatch(message)
  })
})

describe("extractLogLevel", () => {
  it("takes the flag out wherever it is, in both spellings; Info by default", () => {
    expect(ok(Flags.extractLogLevel(["up", "--tap", "x"]))).toEqual({ level: "Info", rest: ["up", "--tap", "x"] })
    expect(ok(Flags.extractLogLevel(["up", "--log-level", "debug", "--tap", "x"]))).toEqual({
      level: "Debug",
      rest: ["up", "--tap", "x"]
    })
    expect(ok(Flags.extractLogLevel(["--log-level=WARNING", "up"]))).toEqual({ level: "Warning", rest: ["up"] })
    expect(ok(Flags.extractLogLevel(["up", "--log-level", "none", "--log-level", "all"])).level).toBe("All")
  })
  it("leaves everything after -- alone", () => {
    expect(ok(Flags.extractLogLevel(["ping", "--", "--log-level", "x"]))).toEqual({
      level: "Info",
      rest: ["ping", "--", "--log-level", "x"]
    })
  })
  it("names the bad level", () => {
    expect(err(Flags.extractLogLevel(["up", "--log-level", "verbose"]))).toMatch(/^--log-level: 'verbose' is not a level; use one of all, /)
    expect(err(Flags.extractLogLevel(["--log-level=warn"]))).toMatch(/did you mean warning/)
    expect(err(Flags.extractLogLevel(["up", "--log-level"]))).toMatch(/missing level/)
  })
})

describe("Format", () => {
  const STATS = {
    link: { rxFrames: 12, rxDropped: 0, rxErrors: 0, rxMalformed: 0, txFrames: 10, txDropped: 0, txQueueFull: 0, txTooBig: 0, txErrors: 0 },
    ethernet: { received: 12, notForUs: 0, truncated: 0, unknownEtherType: 0, queueDropped: 0 },
    arp: {
      requestsSent: 1,
      probesSent: 0,
      requestsReceived: 2,
      repliesSent: 2,
      repliesReceived: 1,
      malformed: 0,
      conflicts: 0,
      macChangesRefused: 0,
      martianSenders: 0,
      resolveTimeouts: 0,
      probeFailures: 0,
      pendingDropped: 0,
      cacheEvictions: 0,
      cacheFull: 0,
      cacheSize: 1
    },
    ipv4: {
      received: 8,
      delivered: 8,
      malformed: {},
      notForUs: 0,
      martianSource: 0,
      linkBroadcastUnicast: 0,
      sourceRouted: 0,
      unknownProtocol: 0,
      queueDropped: 0,
      fragmentsReceived: 0,
      reassembled: 0,
      reassemblyTimeouts: 0,
      reassemblyFailures: 0,
      reassemblyDropped: 0,
      assemblies: 0,
      assemblyBytes: 0,
      sent: 7,
      sendFailed: 0,
      fragmentsSent: 0,
      icmpErrorsSent: 0,
      icmpErrorsRateLimited: 0,
      icmpErrorsHostLimited: 0,
      unresolved: 0,
      pathMtus: 0,
      pathMtuEvictions: 0
    },
    icmp: {
      received: 4,
      malformed: 0,
      echoRequests: 4,
      echoReplies: 0,
      timestampRequests: 0,
      broadcastIgnored: 0,
      unmatchedReplies: 0,
      repliesUnroutable: 0,
      errorsReceived: 0,
      errorsDelivered: 0,
      errorsIgnored: 0,
      pingsSent: 0,
      pingTimeouts: 0,
      outstanding: 0,
      redirects: 0,
      redirectsAccepted: 0,
      redirectsIgnored: 0,
      redirectsRefused: {},
      redirectEvictions: 0
    },
    udp: { received: 3, malformed: 0, noPort: 0, queueDropped: 0, sent: 3, sendFailed: 0, errorsReported: 0, errorsDropped: 0, bound: 0 },
    tcp: {
      received: 21,
      malformed: {},
      broadcastDropped: 0,
      resetsIgnored: 0,
      resetsSent: 1,
      resetsUnroutable: 0,
      segmentsSent: 17,
      activeOpens: 0,
      passiveOpens: 3,
      connections: 0,
      halfOpen: 0,
      synQueueFull: 0,
      synCookiesSent: 0,
      synCookiesAccepted: 0,
      synCookiesRejected: 0,
      acceptQueueFull: 0,
      synAckTimeouts: 0,
      arrivalsDropped: 0,
      connectionLimit: 0,
      icmpErrors: 0,
      challengeAcks: 0,
      challengeAcksLimited: 0,
      retransmits: 0,
      fastRetransmits: 0,
      timeouts: 0,
      tailProbes: 0,
      dsackUndos: 0,
      spuriousTimeouts: 0,
      eifelUndos: 0,
      hystartExits: 0,
      timeWait: 0,
      idleFibers: 0,
      portsHeld: 0,
      timeWaitAcks: 0,
      timeWaitOverflow: 0,
      timeWaitReused: 0,
      memory: 0,
      memoryPressure: 0,
      rcvQueueDropped: 0,
      ofoPruned: 0,
      sockets: 0,
      orphans: 0,
      abortOnMemory: 0,
      toZeroWindowAdv: 0,
      fromZeroWindowAdv: 0,
      wantZeroWindowAdv: 0
    }
  }

  it("prints the up line first, then details", () => {
    const lines = Format.upLines({
      tap: "gonet0",
      mac: RANDOM_MAC,
      address: Addr.parse("198.18.0.2")!,
      prefixLength: 24,
      gateway: undefined,
      mtu: 1500,
      host: { address: Addr.parse("198.18.0.1")!, prefixLength: 24 },
      serve: [{ kind: "udp-echo", port: 7 }],
      pcap: "/tmp/g.pcap"
    })
    expect(lines).toEqual([
      "gonet up on gonet0: stack 198.18.0.2/24 mac 02:11:22:33:44:55 mtu 1500, host side 198.18.0.1/24",
      "  serving udp-echo:7",
      "  recording to /tmp/g.pcap",
      "  try: ping 198.18.0.2; Ctrl-C to stop"
    ])
  })

  it("lists the TCP services as it lists udp-echo, with their congestion control", () => {
    const lines = Format.upLines({
      tap: "gonet0",
      mac: RANDOM_MAC,
      address: Addr.parse("198.18.0.2")!,
      prefixLength: 24,
      gateway: undefined,
      mtu: 1500,
      host: { address: Addr.parse("198.18.0.1")!, prefixLength: 24 },
      serve: [{ kind: "udp-echo", port: 7 }, { kind: "echo", port: 7 }, { kind: "discard", port: 9 }, {
        kind: "chargen",
        port: 19
      }],
      tcpCc: "newreno",
      pcap: undefined
    })
    expect(lines).toEqual([
      "gonet up on gonet0: stack 198.18.0.2/24 mac 02:11:22:33:44:55 mtu 1500, host side 198.18.0.1/24",
      "  serving udp-echo:7, echo:7, discard:9, chargen:19",
      "  tcp congestion control newreno",
      "  try: ping 198.18.0.2; Ctrl-C to stop"
    ])
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100)
  })

  it("names no congestion control when no TCP service runs", () => {
    const lines = Format.upLines({
      tap: "gonet0",
      mac: RANDOM_MAC,
      address: Addr.parse("198.18.0.2")!,
      prefixLength: 24,
      gateway: undefined,
      mtu: 1500,
      host: undefined,
      serve: [{ kind: "udp-echo", port: 7 }],
      tcpCc: "cubic",
      pcap: undefined
    })
    expect(lines.join("\n")).not.toMatch(/congestion/)
  })

  it("prints one counters line on the way down", () => {
    expect(Format.downLine(STATS, undefined)).toBe(
      "gonet down: frames rx 12 tx 10; arp requests in 2 out 1, replies out 2; " +
        "icmp echo requests answered 4; udp datagrams in 3 out 3; " +
        "tcp opens passive 3 active 0, segments in 21 out 17, resets out 1"
    )
    expect(Format.downLine(STATS, { recorded: 22, dropped: 1, bytesWritten: 0 })).toMatch(
      /; pcap 22 frames \(1 not recorded\)$/
    )
  })

  it("prints ping(8) lines and statistics", () => {
    const dest = Addr.parse("198.18.0.1")!
    expect(Format.pingHeader(dest, Addr.parse("198.18.0.2")!, "gonet0", 56)).toBe(
      "PING 198.18.0.1 (198.18.0.1) from 198.18.0.2 gonet0: 56(84) bytes of data."
    )
    expect(Format.pingReplyLine(dest, 1, 64, 56, 0.0814)).toBe("64 bytes from 198.18.0.1: icmp_seq=1 ttl=64 time=0.081 ms")
    expect(Format.pingReplyLine(dest, 2, 64, 56, 2.345)).toMatch(/time=2\.35 ms$/)
    expect(Format.pingReplyLine(dest, 2, 64, 56, 12.345)).toMatch(/time=12\.3 ms$/)
    expect(Format.pingReplyLine(dest, 2, 64, 56, 123.45)).toMatch(/time=123 ms$/)
    expect(Format.pingSummaryLines(dest, { transmitted: 3, received: 2, errors: 0, rtts: [1, 3], elapsedMillis: 2003.4 }))
      .toEqual([
        "--- 198.18.0.1 ping statistics ---",
        "3 packets transmitted, 2 received, 33% packet loss, time 2003ms",
        "rtt min/avg/max/mdev = 1.000/2.000/3.000/1.000 ms"
      ])
    expect(Format.pingSummaryLines(dest, { transmitted: 1, received: 0, errors: 1, rtts: [], elapsedMillis: 0 }))
      .toEqual([
        "--- 198.18.0.1 ping statistics ---",
        "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms"
      ])
  })

  it("folds @effect/cli's coloured multi-line messages into one line", () => {
    expect(Format.errorLine("\u001b[0;1m\n'abc' is not a integer\u001b[0m\n\n")).toBe("gonet: 'abc' is not a integer")
  })
})
