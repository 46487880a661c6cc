/**
 * SYN cookies (SynCookie.ts): a cookie checks for its own 4-tuple and peer
 * ISN within two time steps and names the MSS; anything else fails; the
 * options carried in the timestamp come back.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "effect/FastCheck"
import * as Sip from "../../src/internal/SipHash.js"
import type { FourTuple } from "../../src/tcp/Negotiation.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as SynCookie from "../../src/tcp/SynCookie.js"
import * as Handshake from "../../src/tcp/Handshake.js"
import { ACK, RST, SYN } from "../../src/tcp/Segment.js"
import * as Segment from "../../src/tcp/Segment.js"
import type * as TcpWire from "../../src/wire/TcpHeader.js"
import * as T from "../support/TcpSocket.js"

const KEY = Sip.keyOf(new Uint8Array(16).map((_, i) => i * 7 + 1))
const OTHER_KEY = Sip.keyOf(new Uint8Array(16).map((_, i) => i * 5 + 3))
const FLOW: FourTuple = { localAddr: 0xc6120002, localPort: 80, remoteAddr: 0xc612000a, remotePort: 40000 }
const ISN = Seq.make(0x12345678)
const STEP = SynCookie.STEP_MS

describe("SYN cookies", () => {
  it("a cookie checks for its 4-tuple and peer ISN in its own time step and the next, and names the MSS", () => {
    const now = 10 * STEP + 1234
    const cookie = SynCookie.make(KEY, FLOW, ISN, 1460, now)
    expect(SynCookie.check(KEY, FLOW, ISN, cookie, now)).toEqual({ mss: 1460 })
    expect(SynCookie.check(KEY, FLOW, ISN, cookie, 11 * STEP + STEP - 1)).toEqual({ mss: 1460 })
    // two steps later it is stale
    expect(SynCookie.check(KEY, FLOW, ISN, cookie, 12 * STEP)).toBeUndefined()
    // 32 steps later the 5-bit stamp matches again, but the MAC covers the full step
    expect(SynCookie.check(KEY, FLOW, ISN, cookie, 42 * STEP + 5)).toBeUndefined()
  })

  it("another 4-tuple, peer ISN or key fails", () => {
    const now = 3 * STEP
    const cookie = SynCookie.make(KEY, FLOW, ISN, 1460, now)
    expect(SynCookie.check(KEY, { ...FLOW, remotePort: 40001 }, ISN, cookie, now)).toBeUndefined()
    expect(SynCookie.check(KEY, { ...FLOW, remoteAddr: 0xc612000b }, ISN, cookie, now)).toBeUndefined()
    expect(SynCookie.check(KEY, { ...FLOW, localPort: 81 }, ISN, cookie, now)).toBeUndefined()
    expect(SynCookie.check(KEY, FLOW, Seq.add(ISN, 1), cookie, now)).toBeUndefined()
    expect(SynCookie.check(OTHER_KEY, FLOW, ISN, cookie, now)).toBeUndefined()
  })

  it("the MSS is the largest table entry not above the peer's (536 when it said nothing)", () => {
    expect([undefined, 100, 536, 1199, 1200, 1459, 1460, 9000, 65535].map(SynCookie.mssIndex).map((i) => SynCookie.MSS_TABLE[i]))
      .toEqual([536, 536, 536, 536, 1200, 1440, 1460, 8960, 8960])
    const now = 5 * STEP
    for (const mss of [536, 1200, 1300, 1380, 1400, 1440, 1460, 8960]) {
      expect(SynCookie.check(KEY, FLOW, ISN, SynCookie.make(KEY, FLOW, ISN, mss, now), now)).toEqual({ mss })
    }
  })

  it("property: any 4-tuple, ISN, MSS and time round-trips; a cookie with any bit flipped fails", () => {
    fc.assert(fc.property(
      fc.record({
        localAddr: fc.integer({ min: 0, max: 0xffffffff }),
        localPort: fc.integer({ min: 1, max: 65535 }),
        remoteAddr: fc.integer({ min: 0, max: 0xffffffff }),
        remotePort: fc.integer({ min: 1, max: 65535 })
      }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.integer({ min: 0, max: STEP - 1 }),
      fc.integer({ min: 0, max: 31 }),
      (t, isn, mss, now, later, bit) => {
        const cookie = SynCookie.make(KEY, t, Seq.make(isn), mss, now)
        const back = SynCookie.check(KEY, t, Seq.make(isn), cookie, now + later)
        expect(back).toEqual({ mss: SynCookie.MSS_TABLE[SynCookie.mssIndex(mss)] })
        // a flipped stamp bit may land on the previous step's stamp, which the MAC then refuses
        expect(SynCookie.check(KEY, t, Seq.make(isn), Seq.make(cookie ^ (1 << bit)), now + later)).toBeUndefined()
      }
    ))
  })

  it("the timestamp carries the window shift, SACK and ECN, and never runs ahead of the clock", () => {
    fc.assert(fc.property(
      fc.integer({ min: 64, max: 0xffffffff }),
      fc.option(fc.integer({ min: 0, max: 14 }), { nil: undefined }),
      fc.boolean(),
      fc.boolean(),
      (clock, windowShift, sackOk, ecn) => {
        const v = SynCookie.tsvalFor(clock, { windowShift, sackOk, ecn })
        expect(v).toBeLessThanOrEqual(clock)
        expect(clock - v).toBeLessThan(64)
        expect(SynCookie.offeredOf(v)).toEqual({ windowShift, sackOk, ecn })
      }
    ))
  })
})

describe("the cookie handshake (Handshake.cookieSynAck / cookieEstablished)", () => {
  const p = T.params()
  const PORTS = { localPort: T.LOCAL_PORT, remotePort: T.REMOTE_PORT }
  const TUPLE: FourTuple = { localAddr: 0xc6120002, localPort: T.LOCAL_PORT, remoteAddr: 0xc6120001, remotePort: T.REMOTE_PORT }
  const now = 7 * STEP + 500
  const syn = (options: TcpWire.TcpOptions) => Segment.make({ seq: T.REMOTE_ISN, flags: SYN, window: 64240, options })
  /** the peer's ACK of a SYN-ACK, echoing its timestamp when it had one */
  const ackOf = (synAck: TcpWire.TcpRepr, window = 502) =>
    Segment.make({
      seq: Seq.add(T.REMOTE_ISN, 1),
      ack: Seq.add(synAck.seq, 1),
      flags: ACK,
      window,
      options: synAck.options.timestamp !== undefined
        ? { sackPermitted: false, timestamp: { value: 777, echo: synAck.options.timestamp.value } }
        : { sackPermitted: false }
    })

  it("with timestamps: scaling and SACK offered, carried in the TSval, and restored from the ACK's echo", () => {
    const s = syn({ mss: 1460, windowScale: 7, sackPermitted: true, timestamp: { value: 555, echo: 0 } })
    const iss = SynCookie.make(KEY, TUPLE, s.seq, 1460, now)
    const synAck = Handshake.cookieSynAck(p, PORTS, s, iss, 1500, now)
    expect(synAck).toMatchObject({ seq: iss, ack: Seq.add(T.REMOTE_ISN, 1), flags: SYN | ACK })
    expect(synAck.options).toMatchObject({ mss: 1460, sackPermitted: true, windowScale: 7, timestamp: { echo: 555 } })
    const n = Handshake.cookieEstablished(p, KEY, TUPLE, ackOf(synAck), 1500, now + 3)
    expect(n).toEqual({
      localPort: T.LOCAL_PORT,
      remotePort: T.REMOTE_PORT,
      iss,
      irs: T.REMOTE_ISN,
      window: 502 * 2 ** 7,
      sndShift: 7,
      rcvShift: 7,
      peerMss: 1460,
      mtu: 1500,
      tsOk: true,
      tsRecent: 777,
      tsOffset: 0,
      sackOk: true,
      ecnOk: false,
      synLost: false,
      rttSample: undefined,
      // (SND.WL1 from the ACK's SEQ: IRS + 1, the cookie's IRS being that less one)
      ackSeq: Seq.add(T.REMOTE_ISN, 1)
    })
  })

  it("with a timestamp offset (RFC 7323 §5.4): the TSval carries it, and the echo still restores the shift and SACK", () => {
    const s = syn({ mss: 1460, windowScale: 7, sackPermitted: true, timestamp: { value: 555, echo: 0 } })
    const iss = SynCookie.make(KEY, TUPLE, s.seq, 1460, now)
    const off = 0x9abcdef0
    const synAck = Handshake.cookieSynAck(p, PORTS, s, iss, 1500, now, off)
    const tsval = synAck.options.timestamp!.value
    // the clock plus the offset, its low six bits replaced, never ahead of it
    expect(((Math.floor(now) + off) >>> 0) - tsval).toBeGreaterThanOrEqual(0)
    expect(((Math.floor(now) + off) >>> 0) - tsval).toBeLessThan(64)
    const n = Handshake.cookieEstablished(p, KEY, TUPLE, ackOf(synAck), 1500, now + 3, off)
    expect(n).toMatchObject({ sndShift: 7, sackOk: true, tsOk: true, tsOffset: off })
  })

  it("without timestamps: no scaling and no SACK offered (the cookie cannot remember them), and none agreed", () => {
    const s = syn({ mss: 1400, windowScale: 7, sackPermitted: true })
    const iss = SynCookie.make(KEY, TUPLE, s.seq, 1400, now)
    const synAck = Handshake.cookieSynAck(p, PORTS, s, iss, 1500, now)
    expect(synAck.options).toEqual({ mss: 1460, sackPermitted: false })
    const n = Handshake.cookieEstablished(p, KEY, TUPLE, ackOf(synAck, 64240), 1500, now)
    expect(n).toMatchObject({ sndShift: 0, rcvShift: 0, window: 64240, tsOk: false, sackOk: false, peerMss: 1400 })
  })

  it("an ACK whose timestamp echoes 0 took no timestamps from us: no scaling, SACK or timestamps (Linux's cookie_timestamp_decode)", () => {
    // the SYN had no timestamps, so the SYN-ACK offered no scaling; a peer that puts a timestamp
    // with TSecr 0 on its ACK anyway must not make us scale windows it reads unscaled
    const s = syn({ mss: 1400, windowScale: 7, sackPermitted: true })
    const iss = SynCookie.make(KEY, TUPLE, s.seq, 1400, now)
    const synAck = Handshake.cookieSynAck(p, PORTS, s, iss, 1500, now)
    const ack = { ...ackOf(synAck, 64240), options: { sackPermitted: false, timestamp: { value: 900, echo: 0 } } }
    const n = Handshake.cookieEstablished(p, KEY, TUPLE, ack, 1500, now)
    expect(n).toMatchObject({ sndShift: 0, rcvShift: 0, window: 64240, tsOk: false, sackOk: false, ecnOk: false })
  })

  it("an ACK that returns no cookie of ours, or is not a pure ACK, proves nothing", () => {
    const s = syn({ mss: 1460, sackPermitted: false })
    const iss = SynCookie.make(KEY, TUPLE, s.seq, 1460, now)
    const good = ackOf(Handshake.cookieSynAck(p, PORTS, s, iss, 1500, now))
    expect(Handshake.cookieEstablished(p, KEY, TUPLE, good, 1500, now)).toBeDefined()
    expect(Handshake.cookieEstablished(p, KEY, TUPLE, { ...good, ack: Seq.add(good.ack, 1) }, 1500, now)).toBeUndefined()
    expect(Handshake.cookieEstablished(p, KEY, TUPLE, { ...good, seq: Seq.add(good.seq, 1) }, 1500, now)).toBeUndefined()
    expect(Handshake.cookieEstablished(p, KEY, TUPLE, { ...good, flags: ACK | RST }, 1500, now)).toBeUndefined()
    expect(Handshake.cookieEstablished(p, KEY, TUPLE, { ...good, flags: ACK | SYN }, 1500, now)).toBeUndefined()
    expect(Handshake.cookieEstablished(p, KEY, { ...TUPLE, remotePort: 1 }, good, 1500, now)).toBeUndefined()
    expect(Handshake.cookieEstablished(p, KEY, TUPLE, good, 1500, now + 2 * STEP)).toBeUndefined()
  })
})
