/**
 * TIME-WAIT as a record (TimeWait.ts): what each segment for the 4-tuple does.
 */
import { describe, expect, it } from "vitest"
import { ACK, FIN, make, RST, SYN } from "../../src/tcp/Segment.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as TimeWait from "../../src/tcp/TimeWait.js"

const RCV_NXT = Seq.make(0xfffffffe) // the next SYN's sequence number wraps past it
const tw = (tsOk = false): TimeWait.TimeWait => ({
  localPort: 80,
  remotePort: 40000,
  sndNxt: Seq.make(5000),
  rcvNxt: RCV_NXT,
  tsOk,
  reuse: true,
  tsRecent: 1000,
  tsRecentAt: 0,
  window: 512,
  deadline: 60_000,
  lastOowAckAt: undefined
})

describe("TIME-WAIT record", () => {
  it("ignores an RST (RFC 1337)", () => {
    expect(TimeWait.onSegment(tw(), make({ seq: RCV_NXT, flags: RST }), 0)._tag).toBe("Ignore")
  })
  it("acknowledges a retransmitted FIN and restarts 2 MSL", () => {
    expect(TimeWait.onSegment(tw(), make({ seq: Seq.add(RCV_NXT, -1), flags: FIN | ACK }), 0)).toEqual({
      _tag: "Ack",
      restart: true
    })
  })
  it("leaves a bare ACK at RCV.NXT unanswered: two records facing each other would ACK each other for ever", () => {
    const record = tw()
    for (let now = 0; now < 2000; now += 100) expect(TimeWait.onSegment(record, make({ seq: RCV_NXT, flags: ACK }), now)._tag).toBe("Ignore")
  })
  it("takes TS.Recent from a bare ACK at RCV.NXT that PAWS lets through, and echoes it after (RFC 7323 §4.3; Linux's tcp_timewait_state_process)", () => {
    const record = tw(true)
    const ack = (value: number) => make({ seq: RCV_NXT, flags: ACK, options: { sackPermitted: false, timestamp: { value, echo: 0 } } })
    expect(TimeWait.onSegment(record, ack(1005), 0)._tag).toBe("Ignore")
    expect(record.tsRecent).toBe(1005)
    // (when, for a connect that takes the record over: it inherits both, TimeWait.inheritedTsRecent)
    expect(TimeWait.onSegment(record, ack(1006), 30)._tag).toBe("Ignore")
    expect(TimeWait.inheritedTsRecent(record)).toEqual({ tsRecent: 1006, at: 30 })
    expect(TimeWait.inheritedTsRecent(tw(false))).toBeUndefined()
    expect(TimeWait.ackFor(record, 7).options.timestamp).toEqual({ value: 7, echo: 1006 })
    // an older TSval is an old duplicate (RFC 7323 §5.3): answered, TS.Recent kept
    expect(TimeWait.onSegment(record, ack(1001), 1000)._tag).toBe("Ack")
    expect(record.tsRecent).toBe(1006)
  })
  it("measures as Linux's tcp_paws_reject: never against a TS.Recent of 0, and a SYN 2^31 ahead of TS.Recent is newer (RFC 6191 §2; tcp_timewait_state_process)", () => {
    const ts = (value: number) => ({ sackPermitted: false, timestamp: { value, echo: 0 } })
    // a record whose TS.Recent is 0 (the peer's FIN carried TSval 0): a bare ACK at RCV.NXT with a
    // TSval whose top bit is set passes PAWS, and becomes TS.Recent
    const zero = { ...tw(true), tsRecent: 0 }
    expect(TimeWait.onSegment(zero, make({ seq: RCV_NXT, flags: ACK, options: ts(0x80000005) }), 0)._tag).toBe("Ignore")
    expect(zero.tsRecent).toBe(0x80000005)
    // a SYN at an old sequence number whose TSval is 2^31 past TS.Recent: a new incarnation
    expect(TimeWait.onSegment(tw(true), make({ seq: Seq.add(RCV_NXT, -100), flags: SYN, options: ts(1000 + 2 ** 31) }), 0)._tag).toBe("Reopen")
  })
  it("answers other segments without data once per 500 ms (tcp_oow_rate_limited); data and FINs each time", () => {
    const record = tw()
    const oldAck = () => make({ seq: Seq.add(RCV_NXT, -50), flags: ACK })
    expect(TimeWait.onSegment(record, oldAck(), 1000)).toEqual({ _tag: "Ack", restart: false })
    expect(TimeWait.onSegment(record, oldAck(), 1499)._tag).toBe("Ignore")
    expect(TimeWait.onSegment(record, make({ seq: Seq.add(RCV_NXT, -1), flags: FIN | ACK }), 1499)).toEqual({ _tag: "Ack", restart: true })
    expect(TimeWait.onSegment(record, make({ seq: Seq.add(RCV_NXT, -50), flags: ACK, payload: new Uint8Array(10) }), 1499)._tag).toBe("Ack")
    expect(TimeWait.onSegment(record, oldAck(), 1500)._tag).toBe("Ack")
  })
  it("lets a SYN beyond RCV.NXT open a new incarnation, across 2^32, with an ISS past the old SND.NXT; an older one draws an ACK", () => {
    expect(TimeWait.onSegment(tw(), make({ seq: Seq.add(RCV_NXT, 100), flags: SYN }), 0)).toEqual({ _tag: "Reopen", iss: Seq.make(5000 + 65537) })
    expect(TimeWait.onSegment(tw(), make({ seq: Seq.add(RCV_NXT, -100), flags: SYN }), 0)._tag).toBe("Ack")
  })
  it("with timestamps, a newer TSval opens a new incarnation whatever its sequence number, an equal one with a higher sequence number too (RFC 6191 §2); an older one never", () => {
    const ts = (value: number) => ({ sackPermitted: false, timestamp: { value, echo: 0 } })
    expect(TimeWait.onSegment(tw(true), make({ seq: Seq.make(1), flags: SYN, options: ts(1001) }), 0)._tag).toBe("Reopen")
    expect(TimeWait.onSegment(tw(true), make({ seq: Seq.add(RCV_NXT, 100), flags: SYN, options: ts(1000) }), 0)._tag).toBe("Reopen")
    expect(TimeWait.onSegment(tw(true), make({ seq: Seq.add(RCV_NXT, -100), flags: SYN, options: ts(1000) }), 0)._tag).toBe("Ack")
    expect(TimeWait.onSegment(tw(true), make({ seq: Seq.add(RCV_NXT, 100), flags: SYN, options: ts(999) }), 0)._tag).toBe("Ack")
  })
  it("answers <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, echoing TS.Recent", () => {
    const a = TimeWait.ackFor(tw(true), 7)
    expect(a).toMatchObject({ seq: 5000, ack: RCV_NXT, flags: ACK, srcPort: 80, dstPort: 40000 })
    expect(a.options.timestamp).toEqual({ value: 7, echo: 1000 })
  })
  it("a connect may take the 4-tuple over more than a second after the peer's FIN, with timestamps only (tcp_tw_reuse; time_after32(now, tw_entry_stamp + tcp_tw_reuse_delay))", () => {
    // deadline 60 000 with 2 MSL of 30 000: the peer's FIN was last heard at 30 000
    const reusable = (tsOk: boolean, now: number) => TimeWait.reusableForConnect(tw(tsOk), now, 30_000, false)
    // (1000 between whole-millisecond readings may be 999.x ms)
    expect(reusable(true, 31_000)).toBe(false)
    expect(reusable(true, 31_001)).toBe(true)
    expect(reusable(false, 59_000)).toBe(false)
  })
  it("a connect from a port the caller chose takes the 4-tuple over at once, with timestamps only (tcp_twsk_unique with no twp: __inet_hash_connect of a bound port)", () => {
    const bound = (tsOk: boolean, now: number) => TimeWait.reusableForConnect(tw(tsOk), now, 30_000, true)
    expect(bound(true, 30_000)).toBe(true)
    expect(bound(true, 59_999)).toBe(true)
    expect(bound(false, 30_000)).toBe(false)
    expect(bound(false, 59_999)).toBe(false)
  })
  it("a connect from a chosen port: refused at the bind when the record's socket had no SO_REUSEADDR (an ephemeral connect's), else taken over with timestamps, else refused at the connect", () => {
    expect(TimeWait.boundConnect({ ...tw(true), reuse: false }, 30_000, 30_000)).toBe("AddressInUse")
    expect(TimeWait.boundConnect(tw(true), 30_000, 30_000)).toBe("TakeOver")
    expect(TimeWait.boundConnect(tw(false), 59_999, 30_000)).toBe("TupleInUse")
  })
  it("the incarnation that takes it over starts 2^16 + 1 past the old SND.NXT, across 2^32", () => {
    expect(TimeWait.reuseIss(tw())).toBe(Seq.make(5000 + 65537))
    expect(TimeWait.reuseIss({ ...tw(), sndNxt: Seq.make(0xffffff00) })).toBe(Seq.make(0xffff + 2 - 0x100))
  })
})
