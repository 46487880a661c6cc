/**
 * The stack against the Linux kernel on IPv4, ICMP and UDP corner cases
 * (test/support/Conformance.ts: gVisor's packetimpact idea), beyond the
 * datagram scripts of Conformance.test.ts: header errors (RFC 1122 §3.2.1),
 * sources no host has (§3.2.1.3), the ICMP messages a host answers or ignores
 * (§3.2.2), when no ICMP error may be sent (§3.2.2), UDP's length field
 * (RFC 768, §4.1.3.4) and reassembly's corner cases (RFC 791 §3.2). Each
 * script is played against Linux (a TAP into a namespace of the test's own)
 * and against the stack (a LinkMemory cable, TestClock); the stack's
 * transcript must be the kernel's, line for line.
 *
 * Live clock for Linux's side (a real kernel); virtual for the stack's. Needs
 * root, /dev/net/tun, iproute2 and python3; skips with the printed reason
 * otherwise.
 */
import { describe, it } from "@effect/vitest"
import { conforms as conformsAs } from "../support/Conformance.js"
import type { Script, Step } from "../support/Conformance.js"
import { tapSkipReason } from "../support/Netns.js"

const SKIP = tapSkipReason({ ciInstalls: ["python3", "sysctl"] })
if (SKIP !== undefined) console.warn(`skipping the conformance scripts against Linux: ${SKIP}`)

/** The stack's transcript of `script` must be Linux's. */
const conforms = (script: Script) => conformsAs("ci", script)

/** An echo request that must be answered: the device is alive, and said something. */
const ALIVE = (seq: number): Step => ({ ip: { echo: { bytes: 8, seq } } })

/** A Record Route option of `len` octets (its slots empty), padded with EOL to a word. */
const recordRoute = (len: number): ReadonlyArray<number> => {
  const o = [7, len, 4, ...new Array<number>(len - 3).fill(0)]
  while (o.length % 4 !== 0) o.push(0)
  return o
}

describe.skipIf(SKIP !== undefined)("the stack answers IPv4, ICMP and UDP corner cases as the Linux kernel does", () => {
  it.scopedLive("header errors: version 6, IHL 4, a total length past the frame or below the header are dropped", () =>
    conforms({
      steps: [
        { ip: { echo: { bytes: 8 }, header: { version: 6 } } },
        { ip: { echo: { bytes: 8, seq: 2 }, header: { ihl: 4 } } },
        { ip: { echo: { bytes: 8, seq: 3 }, header: { totalLength: 100 } } },
        { ip: { echo: { bytes: 8, seq: 4 }, header: { totalLength: 16 } } },
        ALIVE(5)
      ]
    }))

  it.scopedLive("Ethernet padding after a short datagram is not payload: the total length says where it ends", () =>
    conforms({
      steps: [
        { ip: { echo: { bytes: 0 }, pad: 18 } },
        { ip: { udp: { port: 9999, bytes: 0 }, pad: 18 } },
        { ip: { echo: { bytes: 3, seq: 2 }, pad: 15 } }
      ]
    }))

  // (a source that is our subnet's broadcast address is left out: Linux takes the datagram and
  // answers to that broadcast; RFC 1122 §3.2.1.3 says a host MUST discard it, as the stack does)
  // (sources no host has, 0.0.0.0, a group or all ones, and a group destination are not scripted:
  // every address sent into the TAP is in 198.18.0.0/15, the project's network-safety rule; the
  // stack's e2e tests cover them over LinkMemory)
  it.scopedLive("a datagram from our own address is dropped unanswered", () =>
    conforms({
      steps: [
        { ip: { echo: { bytes: 8, seq: 5 }, src: "198.18.0.2" } },
        ALIVE(6)
      ]
    }))

  it.scopedLive("a timestamp request (type 13) is answered with a timestamp reply (type 14)", () =>
    conforms({
      steps: [
        { ip: { icmp: { type: 13, rest: 0x42420001, bytes: 12 } } },
        { ip: { icmp: { type: 13, rest: 0x42420002, bytes: 12 }, tos: 0x10 } },
        { ip: { icmp: { type: 13, rest: 0x42420003, bytes: 40 } } },
        { ip: { icmp: { type: 13, rest: 0x42420004, bytes: 4 } } },
        { ip: { icmp: { type: 13, rest: 0x42420005, bytes: 3 } } },
        { ip: { icmp: { type: 13, rest: 0x42420006, bytes: 12 }, dst: "198.18.0.255" } },
        { ip: { icmp: { type: 13, code: 1, rest: 0x42420007, bytes: 12 } } }
      ]
    }))

  // (an echo request of a code other than 0 is left out: Linux answers it, its code in the reply;
  // the stack drops it as malformed, RFC 792 defining code 0 alone)
  it.scopedLive("information, address mask, extended echo and unknown ICMP requests are ignored", () =>
    conforms({
      steps: [
        { ip: { icmp: { type: 15, rest: 0x42420001 } } },
        { ip: { icmp: { type: 17, rest: 0x42420002, bytes: 4 } } },
        { ip: { icmp: { type: 42, rest: 0x42420100, bytes: 8 } } },
        { ip: { icmp: { type: 99, bytes: 8 } } },
        { ip: { icmp: { type: 0xc8, bytes: 8 } } },
        ALIVE(3)
      ]
    }))

  it.scopedLive("an echo request with a Timestamp option: the reply carries it back, stamped", () =>
    conforms({
      steps: [
        // stamps only, two slots
        { ip: { echo: { bytes: 8 }, options: [68, 12, 5, 0x00, 0, 0, 0, 0, 0, 0, 0, 0] } },
        // address and stamp, two pairs
        { ip: { echo: { bytes: 8, seq: 2 }, options: [68, 20, 5, 0x01, ...new Array<number>(16).fill(0)] } },
        // prespecified: ours, then another's
        { ip: { echo: { bytes: 8, seq: 3 }, options: [68, 20, 5, 0x03, 198, 18, 0, 2, 0, 0, 0, 0, 198, 18, 0, 9, 0, 0, 0, 0] } },
        // full already: the overflow count goes up, once
        { ip: { echo: { bytes: 8, seq: 4 }, options: [68, 8, 9, 0x00, 0, 0, 0, 1] } },
        // room for one stamp: the request's, and no overflow counted for the reply
        { ip: { echo: { bytes: 8, seq: 5 }, options: [68, 8, 5, 0x00, 0, 0, 0, 0] } },
        // a flag RFC 791 does not define: left alone
        { ip: { echo: { bytes: 8, seq: 6 }, options: [68, 8, 5, 0x02, 0, 0, 0, 0] } },
        // a port unreachable carries it back too
        { ip: { udp: { port: 9999, bytes: 20 }, options: [68, 12, 5, 0x00, 0, 0, 0, 0, 0, 0, 0, 0] } }
      ]
    }))

  it.scopedLive("Record Route and Timestamp options that cannot be filled draw a Parameter Problem pointing at the fault", () =>
    conforms({
      steps: [
        // an address and its stamp with room for the address only
        { ip: { echo: { bytes: 8 }, options: [68, 12, 9, 0x01, 0, 0, 0, 0, 0, 0, 0, 0] } },
        // full, and the overflow count full too (RFC 791: the datagram is in error)
        { ip: { echo: { bytes: 8, seq: 2 }, options: [68, 8, 9, 0xf0, 0, 0, 0, 1] } },
        // pointers before the first slot, and one naming a slot cut short
        { ip: { echo: { bytes: 8, seq: 3 }, options: [68, 8, 4, 0x00, 0, 0, 0, 0] } },
        { ip: { echo: { bytes: 8, seq: 4 }, options: [7, 7, 3, 0, 0, 0, 0, 0] } },
        { ip: { echo: { bytes: 8, seq: 5 }, options: [7, 11, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0] } },
        // a second Record Route; a full one, then a timestamp at fault (only the first comes back)
        { ip: { echo: { bytes: 8, seq: 6 }, options: [7, 3, 4, 7, 3, 4, 0, 0] } },
        { ip: { echo: { bytes: 8, seq: 7 }, options: [7, 3, 4, 68, 8, 9, 0xf0, 0, 0, 0, 1, 0] } }
      ]
    }))

  it.scopedLive("no ICMP error about an ICMP error, nor about an unknown ICMP type", () =>
    conforms({
      steps: [
        // a malformed option draws a parameter problem, but not on these
        { ip: { icmp: { type: 3, code: 3, bytes: 28 }, options: [7, 39, 4, 0] } },
        { ip: { icmp: { type: 11, bytes: 28 }, options: [7, 39, 4, 0] } },
        { ip: { icmp: { type: 0xc8, bytes: 8 }, options: [7, 39, 4, 0] } },
        { ip: { echo: { bytes: 8 }, options: [7, 39, 4, 0] } }
      ]
    }))

  it.scopedLive("no ICMP error about an ICMP error's lone fragment zero when reassembly times out", () =>
    conforms({
      sysctls: { "net.ipv4.ipfrag_time": 1 },
      stack: { reassembly: { timeout: "1 second" } },
      steps: [
        { ip: { icmp: { type: 3, code: 3, bytes: 1200 }, fragments: [[0, 800]] }, window: 1500 },
        { ip: { echo: { bytes: 1200 }, fragments: [[0, 800]] }, window: 1500 }
      ]
    }))

  it.scopedLive("no ICMP error about a non-first fragment, nor about a broadcast", () =>
    conforms({
      sysctls: { "net.ipv4.ipfrag_time": 1 },
      stack: { reassembly: { timeout: "1 second" } },
      steps: [
        { ip: { udp: { port: 9999, bytes: 1200 }, fragments: [[800, 408]] }, window: 1500 },
        { ip: { udp: { port: 9999, bytes: 1200 }, id: 0x5152, fragments: [[800, 408]], options: [7, 39, 4, 0] } },
        { ip: { udp: { port: 9999, bytes: 20 }, dst: "198.18.0.255", options: [7, 39, 4, 0] } },
        { ip: { protocol: 253, raw: 8, dst: "198.18.0.255" } },
        ALIVE(1)
      ]
    }))

  it.scopedLive("UDP: a length field shorter than the IP payload trims it; longer, or below the header, drops it", () =>
    conforms({
      steps: [
        { ip: { udp: { port: 9999, bytes: 20, trailer: 10 } } },
        { ip: { udp: { port: 9999, bytes: 20, trailer: 10, zeroChecksum: true } } },
        { ip: { udp: { port: 9999, bytes: 20, lengthField: 40 } } },
        { ip: { udp: { port: 9999, bytes: 20, lengthField: 6, zeroChecksum: true } } },
        { ip: { udp: { port: 9999, bytes: 0 } } }
      ]
    }))

  it.scopedLive("UDP to a closed port in fragments: the port unreachable quotes the reassembled datagram", () =>
    conforms({
      steps: [
        { ip: { udp: { port: 9999, bytes: 1200 }, fragments: [[0, 800], [800, 408]] } },
        { ip: { udp: { port: 9999, bytes: 1200 }, id: 0x5152, fragments: [[800, 408], [0, 800]] } },
        { ip: { udp: { port: 9999, bytes: 40 }, id: 0x5153, fragments: [[0, 8], [8, 40]] } }
      ]
    }))

  // (a fragment with more to come of 100 octets, then one from 96 on, is left out: Linux cuts the
  // first to 96 octets and reassembles, ip_frag_queue; the stack discards a datagram with such a
  // fragment, RFC 791 §3.2's rule for all but the last, as FreeBSD's ip_reass drops the fragment)
  it.scopedLive("a fragment with more to come of fewer than 8 octets, then the datagram whole", () =>
    conforms({
      steps: [
        { ip: { echo: { bytes: 1000, seq: 2 }, id: 0x5152, fragments: [[0, 4], [0, 1008]] } },
        ALIVE(3)
      ]
    }))

  it.scopedLive("fragments that would make a datagram over 65535 octets are dropped", () =>
    conforms({
      steps: [
        {
          ip: {
            protocol: 253,
            raw: 65528,
            fragments: Array.from({ length: 45 }, (_, i) => [i * 1480, Math.min(1480, 65528 - i * 1480)] as const)
          }
        },
        ALIVE(1)
      ]
    }))

  // (a fragment that repeats two received ones that came out of order is left out: Linux's
  // inet_frag_queue_insert calls it a duplicate only within one run of fragments received in
  // order, else an overlap that discards the datagram; the stack calls any fragment whose data all
  // came already a duplicate, whatever the order)
  it.scopedLive("identical duplicate fragments are taken once; fragments with DF set are reassembled", () =>
    conforms({
      steps: [
        { ip: { echo: { bytes: 1000 }, fragments: [[0, 512], [0, 512], [512, 496]] } },
        { ip: { echo: { bytes: 1000, seq: 2 }, id: 0x5152, fragments: [[0, 512], [512, 496], [512, 496]] } },
        { ip: { echo: { bytes: 1000, seq: 3 }, id: 0x5153, df: true, fragments: [[0, 512], [512, 496]] } }
      ]
    }))

  it.scopedLive("an MTU of 68: an ICMP error whose echoed options leave no room for the quote is not sent", () =>
    conforms({
      mtu: 68,
      steps: [
        { ip: { udp: { port: 9999, bytes: 0 }, options: recordRoute(39) } },
        { ip: { udp: { port: 9999, bytes: 0 }, options: recordRoute(19) } },
        { ip: { udp: { port: 9999, bytes: 0 }, options: recordRoute(15) } },
        { ip: { udp: { port: 9999, bytes: 0 }, options: recordRoute(7) } },
        ALIVE(1)
      ]
    }))
})
