/**
 * The urgent mechanism, receiving (RFC 9293 §3.8.5, §3.10.7.4 sixth; RFC
 * 6093): RCV.UP follows the octet after the urgent data, only forward;
 * the application learns of each advance and of how much urgent data it
 * has still to read; the data itself stays in line. The peer's sequence
 * numbers wrap during the tests (REMOTE_ISN is 2^32 - 16).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Receiver from "../../src/tcp/Receiver.js"
import { ACK, FIN, URG } from "../../src/tcp/Segment.js"
import type * as Segment from "../../src/tcp/Segment.js"
import * as Sender from "../../src/tcp/Sender.js"
import { established, fromPeer, ourSeq, type TcpSocket, text } from "../support/TcpSocket.js"

/** One batch from the peer, as the halves take it; the report (for its urgent indication). */
const arrive = (s: TcpSocket, ...segments: ReadonlyArray<Segment.Segment>): Receiver.Report => {
  const report = Receiver.onBatch(s.rcv, segments, 0, s.reads.consumed, s.snd.view)
  for (const d of report.data) s.received.push(d)
  Sender.onReport(s.snd, report, 0, [])
  return report
}
const pending = (s: TcpSocket) => Receiver.urgentPending(s.rcv, s.reads.consumed)

describe("urgent data, received", () => {
  it("marks the octets up to the urgent pointer, in line: pending until read", () => {
    const s = established()
    const r = arrive(s, fromPeer({ flags: ACK | URG, payload: "abcdef", urgent: 6 }))
    expect(r.urgent).toBeDefined()
    expect(pending(s)).toBe(6)
    expect(text(s.read(0, 4).data)).toBe("abcd")
    expect(pending(s)).toBe(2)
    expect(text(s.read(0).data)).toBe("ef")
    expect(pending(s)).toBe(0)
  })

  it("moves RCV.UP only forward; an earlier pointer is no indication", () => {
    const s = established()
    arrive(s, fromPeer({ flags: ACK | URG, payload: "abcd", urgent: 4 }))
    const earlier = arrive(s, fromPeer({ seq: 4, flags: ACK | URG, payload: "ef", urgent: 0 }))
    expect(earlier.urgent).toBeUndefined()
    expect(pending(s)).toBe(4)
    const later = arrive(s, fromPeer({ seq: 6, flags: ACK | URG, payload: "gh", urgent: 2 }))
    expect(later.urgent).toBeDefined()
    expect(pending(s)).toBe(8)
    expect(text(s.read(0).data)).toBe("abcdefgh")
  })

  it("may point past the data received so far (urgent data still to come), and a pure ACK may carry it", () => {
    const s = established()
    const r = arrive(s, fromPeer({ flags: ACK | URG, urgent: 100 }))
    expect(r.urgent).toBeDefined()
    expect(pending(s)).toBe(100)
    arrive(s, fromPeer({ flags: ACK, payload: "x".repeat(40) }))
    s.read(0)
    expect(pending(s)).toBe(60)
  })

  it("an old urgent segment again, after the application read past it, is no new indication", () => {
    const s = established()
    arrive(s, fromPeer({ flags: ACK | URG, payload: "abcd", urgent: 4 }))
    s.read(0)
    expect(pending(s)).toBe(0)
    // part old, part new, still marking the urgent data that has been read
    const again = arrive(s, fromPeer({ seq: 2, flags: ACK | URG, payload: "cdef", urgent: 2 }))
    expect(again.urgent).toBeUndefined()
    expect(pending(s)).toBe(0)
    expect(text(s.read(0).data)).toBe("ef")
  })

  it("after the peer's FIN, URG is ignored (RFC 9293 §3.10.7.4 sixth: CLOSE-WAIT and later)", () => {
    const s = established()
    arrive(s, fromPeer({ flags: ACK | FIN, payload: "ab" }))
    const r = arrive(s, fromPeer({ seq: 3, flags: ACK | URG, urgent: 10 }))
    expect(r.urgent).toBeUndefined()
    expect(pending(s)).toBe(0)
  })
})

describe("urgent data, sent", () => {
  const mark = (s: TcpSocket, now = 0) => {
    const out: Array<Segment.OutSegment> = []
    Sender.markUrgent(s.snd, now, out)
    return out
  }
  it("points each segment to the end of the urgent data, and sends it past Nagle", () => {
    const s = established()
    const first = s.write(0, "abc")
    expect(first.map((x) => [ourSeq(x), text(x.payload), (x.flags & URG) !== 0])).toEqual([[0, "abc", false]])
    // Nagle holds a second small write while "abc" is unacknowledged...
    expect(s.write(0, "de")).toEqual([])
    // ...but not once it is urgent: "de" goes, pointing past its last octet
    const urgent = mark(s)
    expect(urgent.map((x) => [ourSeq(x), text(x.payload), (x.flags & URG) !== 0, x.urgent])).toEqual([[3, "de", true, 2]])
  })

  it("urgent data the windows take at once goes marked (as Linux's MSG_OOB marks SND.UP before the push), not after it has gone", () => {
    const s = established()
    const out: Array<Segment.OutSegment> = []
    // (no MSS option from the peer: 536 octets a segment)
    Sender.write(s.snd, new Uint8Array(1000), 0, out, true)
    expect(out.map((x) => [ourSeq(x), (x.flags & URG) !== 0, x.urgent])).toEqual([[0, true, 1000], [536, true, 464]])
  })

  it("ends with the ACK of the urgent data: later segments carry no URG, and Nagle is back", () => {
    const s = established()
    s.write(0, "ab")
    mark(s)
    s.send(1, fromPeer({ ack: 2 }))
    const later = s.write(2, "cd")
    expect(later.map((x) => [ourSeq(x), (x.flags & URG) !== 0, x.urgent])).toEqual([[2, false, 0]])
    // and Nagle holds small writes again
    expect(s.write(2, "ef")).toEqual([])
  })

  it("a pointer more than 65535 octets ahead says 0xFFFF ('more urgent data ahead'), nearer ones the distance", () => {
    const s = established()
    const first = s.write(0, new Uint8Array(100_000)) // the initial window goes out unmarked
    expect(first.every((x) => (x.flags & URG) === 0)).toBe(true)
    expect(mark(s)).toEqual([]) // the congestion window is full
    // each ACK lets more go, every segment now pointing at octet 100 000
    const sent: Array<Segment.OutSegment> = []
    let acked = 0
    for (let i = 0; i < 20 && acked < 100_000; i++) {
      const out = s.send(1 + i, fromPeer({ ack: s.snd.sndNxt - s.snd.iss - 1 }))
      acked = s.snd.sndNxt - s.snd.iss - 1
      sent.push(...out.filter((x) => x.payload !== undefined))
    }
    expect(sent.length).toBeGreaterThan(10)
    for (const x of sent) {
      const ahead = 100_000 - ourSeq(x)
      expect([(x.flags & URG) !== 0, x.urgent]).toEqual([true, ahead > 0xffff ? 0xffff : ahead])
    }
    expect(sent.some((x) => x.urgent === 0xffff) && sent.some((x) => x.urgent < 0xffff)).toBe(true)
  })
})
