/**
 * Closing (RFC 9293 §3.6, figures 12 and 13; §3.10.7.4 "eighth, check the
 * FIN bit") as pure state-machine steps, a fixture per state as smoltcp's
 * `socket_fin_wait_1()`, `socket_time_wait()`... Every step names its time.
 *
 * Fixture: passive open, peer MSS 1460, no options, our receive buffer
 * 16 KiB, TIME-WAIT 60 s and FIN-WAIT-2 timeout 30 s (distinct, so one is
 * never mistaken for the other), RTO 200 ms.
 */
import { describe, expect, it } from "vitest"
import { ACK, FIN, RST } from "../../src/tcp/Segment.js"
import * as Receiver from "../../src/tcp/Receiver.js"
import * as Sender from "../../src/tcp/Sender.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as T from "../support/TcpSocket.js"

const BUF = 16384
const TIME_WAIT = 60_000
const FIN_WAIT_2 = 30_000
const NO_OPTS = { sackPermitted: false }
/** Our window once the peer's FIN is in: the right edge stays put, and the FIN's sequence number counts. */
const AFTER_FIN = BUF - 1

const est = (peerWindow?: number, keepaliveIdle?: number) =>
  T.established({
    params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, timeWait: TIME_WAIT, finWait2: FIN_WAIT_2, keepaliveIdle },
    peerOptions: { mss: 1460, sackPermitted: false },
    ...(peerWindow === undefined ? {} : { peerWindow })
  })

const seg = (seq: number, ack: number, flags: string, window = BUF, data = ""): T.Seen => ({
  seq,
  ack,
  flags,
  window,
  options: NO_OPTS,
  len: data.length,
  data
})

/** FIN-WAIT-1: our FIN (seq 0) went at 10, unacknowledged. */
const finWait1 = (keepaliveIdle?: number) => {
  const s = est(undefined, keepaliveIdle)
  expect(T.seenAll(s.end(10))).toEqual([seg(0, 0, "FIN|ACK")])
  expect(s.state).toBe("FinWait1")
  return s
}
/** FIN-WAIT-2: our FIN acknowledged at 20. */
const finWait2 = (keepaliveIdle?: number) => {
  const s = finWait1(keepaliveIdle)
  expect(s.send(20, T.fromPeer({ seq: 0, ack: 1 }))).toEqual([])
  expect(s.state).toBe("FinWait2")
  return s
}
/** TIME-WAIT: the peer's FIN taken at 30, ACKed at once. */
const timeWait = (keepaliveIdle?: number) => {
  const s = finWait2(keepaliveIdle)
  expect(T.seenAll(s.send(30, T.fromPeer({ seq: 0, ack: 1, flags: FIN | ACK })))).toEqual([seg(1, 1, "ACK", AFTER_FIN)])
  expect(s.state).toBe("TimeWait")
  return s
}
/** CLOSE-WAIT: the peer's FIN taken at 10. */
const closeWait = () => {
  const s = est()
  expect(T.seenAll(s.send(10, T.fromPeer({ seq: 0, flags: FIN | ACK })))).toEqual([seg(0, 1, "ACK", AFTER_FIN)])
  expect(s.state).toBe("CloseWait")
  return s
}

describe("FIN-WAIT-1", () => {
  it("our FIN goes again at RTO, and doubles", () => {
    const s = finWait1()
    expect(s.tick(209)).toEqual([])
    expect(T.seenAll(s.tick(210))).toEqual([seg(0, 0, "FIN|ACK")])
    expect(T.seenAll(s.tick(610))).toEqual([seg(0, 0, "FIN|ACK")])
  })
  it("the FIN rides on the last data segment", () => {
    const s = est()
    s.write(10, "bye")
    // "bye" is out; the FIN goes alone after it
    expect(T.seenAll(s.end(11))).toEqual([seg(3, 0, "FIN|ACK")])
    const t = est()
    t.snd.noDelay = false
    t.write(10, "a")
    t.write(11, "bye") // held by Nagle
    expect(T.seenAll(t.end(12))).toEqual([seg(1, 0, "FIN|PSH|ACK", BUF, "bye")])
  })
  it("the peer's FIN with the ACK of ours: straight to TIME-WAIT", () => {
    const s = finWait1()
    expect(T.seenAll(s.send(20, T.fromPeer({ seq: 0, ack: 1, flags: FIN | ACK })))).toEqual([seg(1, 1, "ACK", AFTER_FIN)])
    expect(s.state).toBe("TimeWait")
  })
  it("the application cannot write after its end", () => {
    const s = finWait1()
    expect(s.write(20, "late")).toEqual([])
  })
})

describe("FIN-WAIT-2", () => {
  it("the peer's data still arrives after our FIN (half-close), and is ACKed (at once: the connection's first data)", () => {
    const s = finWait2()
    expect(T.seenAll(s.send(40, T.fromPeer({ seq: 0, ack: 1, payload: "more" })))).toEqual([seg(1, 4, "ACK", BUF - 4)])
    expect(T.text(s.read(90).data)).toBe("more")
    expect(s.state).toBe("FinWait2")
  })
  it("no timeout while only our side ended: FIN-WAIT-2 lasts as long as the peer sends", () => {
    const s = finWait2()
    expect(s.tick(20 + FIN_WAIT_2 * 10)).toEqual([])
    expect(s.state).toBe("FinWait2")
  })
  it("once the application closed for good, it ends after finWait2 (Linux tcp_fin_timeout)", () => {
    const s = est()
    expect(T.seenAll(s.close(10))).toEqual([seg(0, 0, "FIN|ACK")])
    s.send(20, T.fromPeer({ seq: 0, ack: 1 })) // the ACK of our FIN arms the timer
    expect(s.state).toBe("FinWait2")
    expect(s.tick(20 + FIN_WAIT_2 - 1)).toEqual([])
    expect(s.state).toBe("FinWait2")
    expect(s.tick(20 + FIN_WAIT_2)).toEqual([])
    expect(s.state).toBe("Closed")
  })
  it("a timeout above 60 s: Linux's full socket waits the excess, then its timewait sock as long again (tcp_keepalive_timer's tcp_fin_time - TCP_TIMEWAIT_LEN)", () => {
    const s = T.established({ params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, finWait2: 61_000 }, peerOptions: { mss: 1460, sackPermitted: false } })
    s.close(10)
    s.send(20, T.fromPeer({ seq: 0, ack: 1 }))
    expect(s.snd.view.orphanFinWait2At).toBe(20 + 1000)
    s.tick(20 + 2000 - 1)
    expect(s.state).toBe("FinWait2")
    s.tick(20 + 2000)
    expect(s.state).toBe("Closed")
    expect([61_000, 120_000, 200_000].map((f) => Sender.orphanLife(f, 200))).toEqual([2000, 120_000, 280_000])
  })
  // Linux 6.18 floors both timeouts at 3.5 RTOs, `(rto << 2) - (rto >> 1)`: tcp_fin_time (the FIN-WAIT-2
  // timeout tcp_close and tcp_rcv_state_process's FIN_WAIT1 case take) and tcp_time_wait (`if (timeo <
  // rto) timeo = rto`, for TCP_FIN_WAIT2 only: TIME_WAIT's is TCP_TIMEWAIT_LEN whatever it is)
  it("the orphan's FIN-WAIT-2 lasts at least 3.5 RTOs (tcp_fin_time's floor, and tcp_time_wait's on the timewait sock)", () => {
    const s = T.established({ params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, finWait2: 500 }, peerOptions: { mss: 1460, sackPermitted: false } })
    s.close(10)
    s.send(20, T.fromPeer({ seq: 0, ack: 1 }))
    expect(s.state).toBe("FinWait2")
    const rto = s.snd.rtt.rto
    const floor = 4 * rto - Math.floor(rto / 2)
    expect(floor).toBeGreaterThan(500)
    // a timewait sock at once (the timeout is under 60 s), for all of it
    expect(s.snd.view.orphanFinWait2At).toBe(20)
    s.tick(20 + floor - 1)
    expect(s.state).toBe("FinWait2")
    s.tick(20 + floor)
    expect(s.state).toBe("Closed")
  })
  it("above 60 s, the timewait sock's part is at least 3.5 RTOs (tcp_time_wait's floor after tcp_keepalive_timer)", () => {
    // an RTO of at least 1 s: 3.5 RTOs is at least 3.5 s, above the 1 s a timeout of 61 s leaves it
    const s = T.established({
      params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, finWait2: 61_000, rtt: { initialRto: 1000, minRto: 1000, maxRto: 120_000, granularity: 1 } },
      peerOptions: { mss: 1460, sackPermitted: false }
    })
    s.close(10)
    s.send(20, T.fromPeer({ seq: 0, ack: 1 }))
    const rto = s.snd.rtt.rto
    const floor = 4 * rto - Math.floor(rto / 2)
    expect(floor).toBeGreaterThan(1000)
    // the full socket's 1 s (tcp_fin_time - TCP_TIMEWAIT_LEN, its own floor far below 60 s), then the timewait sock's max(1 s, 3.5 RTOs)
    expect(s.snd.view.orphanFinWait2At).toBe(20 + 1000)
    s.tick(20 + 1000 + floor - 1)
    expect(s.state).toBe("FinWait2")
    s.tick(20 + 1000 + floor)
    expect(s.state).toBe("Closed")
  })
  it("closed for good in FIN-WAIT-2: the timer runs from then", () => {
    const s = finWait2()
    s.close(1000)
    expect(s.tick(1000 + FIN_WAIT_2 - 1)).toEqual([])
    s.tick(1000 + FIN_WAIT_2)
    expect(s.state).toBe("Closed")
  })
  // The receive half may take the next batch before the send half has read the report of the one
  // that acknowledged our FIN (Connection's receive fiber runs every arrival it finds at once): its
  // view still says FIN-WAIT-1, and Linux's socket is a timewait sock all the same
  it("after a close, the batch after the ACK of our FIN is the timewait sock's even while the send half's view lags (an RST in the window ends it silently)", () => {
    const s = est()
    expect(T.seenAll(s.close(10))).toEqual([seg(0, 0, "FIN|ACK")])
    const stale = { ...s.snd.view }
    const first = Receiver.onBatch(s.rcv, [T.fromPeer({ seq: 0, ack: 1 })], 20, s.reads.consumed, stale)
    expect(first.reset).toBe(false)
    // an RST in the window but not at RCV.NXT: tcp_timewait_state_process kills the timewait sock
    // without an answer, where RFC 5961 §3.2 (the full socket) would draw a challenge ACK
    const second = Receiver.onBatch(s.rcv, [T.fromPeer({ seq: 100, flags: RST })], 21, s.reads.consumed, stale)
    expect({ reset: second.reset, challenges: second.challenges, limited: second.challengesLimited }).toEqual({
      reset: true,
      challenges: 0,
      limited: 0
    })
  })
  // ... and when the send half read that report late, a batch that reached the dealer before then
  // (its `at` earlier than the FIN-WAIT-2 the view now says) is the timewait sock's all the same
  it("after a close, a batch stamped before the send half took the ACK of our FIN is the timewait sock's (an RST in the window ends it silently)", () => {
    const s = est()
    s.close(10)
    // the ACK of our FIN reached the dealer at 20; the send half got round to it at 25
    expect(s.sendLate(20, 25, T.fromPeer({ seq: 0, ack: 1 }))).toEqual([])
    expect(s.state).toBe("FinWait2")
    // an RST in the window, off RCV.NXT, reached the dealer at 22
    const r = Receiver.onBatch(s.rcv, [T.fromPeer({ seq: 100, flags: RST })], 22, s.reads.consumed, s.snd.view)
    expect({ reset: r.reset, challenges: r.challenges, limited: r.challengesLimited }).toEqual({ reset: true, challenges: 0, limited: 0 })
  })
  it("a FIN behind a hole waits for the hole; then TIME-WAIT", () => {
    const s = finWait2()
    expect(T.seenAll(s.send(40, T.fromPeer({ seq: 3, ack: 1, payload: "def", flags: FIN | ACK })))).toEqual([
      seg(1, 0, "ACK")
    ])
    expect(s.state).toBe("FinWait2")
    expect(T.seenAll(s.send(50, T.fromPeer({ seq: 0, ack: 1, payload: "abc" })))).toEqual([seg(1, 7, "ACK", BUF - 7)])
    expect(s.state).toBe("TimeWait")
    expect(T.text(s.read(60).data)).toBe("abcdef")
  })
})

describe("TIME-WAIT", () => {
  it("ends at exactly timeWait after the FIN was taken", () => {
    const s = timeWait()
    expect(s.tick(30 + TIME_WAIT - 1)).toEqual([])
    expect(s.state).toBe("TimeWait")
    expect(s.tick(30 + TIME_WAIT)).toEqual([])
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe(undefined)
  })
  it("a retransmitted FIN is ACKed again and restarts the timer", () => {
    const s = timeWait()
    expect(T.seenAll(s.send(1000, T.fromPeer({ seq: 0, ack: 1, flags: FIN | ACK })))).toEqual([seg(1, 1, "ACK", AFTER_FIN)])
    expect(s.tick(30 + TIME_WAIT)).toEqual([])
    expect(s.state).toBe("TimeWait")
    expect(s.tick(1000 + TIME_WAIT - 1)).toEqual([])
    expect(s.state).toBe("TimeWait")
    s.tick(1000 + TIME_WAIT)
    expect(s.state).toBe("Closed")
  })
  it("an RST is ignored (RFC 1337), and a FIN after it is still ACKed", () => {
    const s = timeWait()
    expect(s.send(100, T.fromPeer({ seq: 1, ack: 1, flags: RST }))).toEqual([])
    expect(s.state).toBe("TimeWait")
    expect(s.snd.failure).toBe(undefined)
    expect(T.seenAll(s.send(200, T.fromPeer({ seq: 0, ack: 1, flags: FIN | ACK })))).toEqual([seg(1, 1, "ACK", AFTER_FIN)])
    s.tick(200 + TIME_WAIT)
    expect(s.state).toBe("Closed")
  })
  it("a retransmitted FIN and an RST in one batch, either order: the FIN is re-ACKed, the timer restarts", () => {
    for (const order of ["fin-first", "rst-first"] as const) {
      const s = timeWait()
      const fin = T.fromPeer({ seq: 0, ack: 1, flags: FIN | ACK })
      const rst = T.fromPeer({ seq: 1, ack: 1, flags: RST })
      const sent = s.send(1000, ...(order === "fin-first" ? [fin, rst] : [rst, fin]))
      expect(T.seenAll(sent), order).toEqual([seg(1, 1, "ACK", AFTER_FIN)])
      expect(s.state).toBe("TimeWait")
      expect(s.snd.failure).toBe(undefined)
      s.tick(1000 + TIME_WAIT - 1)
      expect(s.state, order).toBe("TimeWait")
      s.tick(1000 + TIME_WAIT)
      expect(s.state).toBe("Closed")
    }
  })
  // (batch62) The peer's FIN and an RST behind it in one batch, from FIN-WAIT-2 (or FIN-WAIT-1 with the
  // ACK of our FIN on the FIN): the FIN makes TIME-WAIT, whose RST the stack ignores (RFC 1337), as the
  // two in separate batches; Linux (tcp_rfc1337 = 0) kills its timewait sock there, the application
  // none the wiser either way (tcp_fin's tcp_time_wait closed its socket, EOF and no error). Batched,
  // the RST was judged by the state before the batch: "Reset"
  it("the peer's FIN and an RST behind it in one batch end as in two: TIME-WAIT, no failure", () => {
    const fixtures = [
      () => finWait2(),
      () => {
        const s = est()
        s.close(10)
        s.send(20, T.fromPeer({ seq: 0, ack: 1 }))
        expect(s.state).toBe("FinWait2")
        return s
      },
      () => finWait1()
    ]
    for (const [n, fixture] of fixtures.entries()) {
      const run = (batched: boolean) => {
        const s = fixture()
        // (a bare FIN: data after the orphan's close would draw a reset, tcp_timewait_state_process)
        const fin = T.fromPeer({ seq: 0, ack: 1, flags: FIN | ACK })
        const rst = T.fromPeer({ seq: 1, ack: 1, flags: RST })
        const sent = batched ? s.send(100, fin, rst) : [...s.send(100, fin), ...s.send(100, rst)]
        // (TIME-WAIT's: the FIN again is acknowledged again)
        const after = s.send(200, fin)
        return [T.seenAll(sent), T.seenAll(after), s.state, s.snd.failure]
      }
      const one = run(false)
      expect((one[1] as Array<T.Seen>).map((o) => [o.seq, o.ack, o.flags]), `${n}`).toEqual([[1, 1, "ACK"]])
      expect(one.slice(2), `${n}`).toEqual(["TimeWait", undefined])
      expect(run(true), `${n}`).toEqual(one)
    }
  })
  // (review62c) An RST in the window but off RCV.NXT behind the FIN that made TIME-WAIT, in one batch or
  // the next: Linux's timewait sock drops it without a word (tcp_timewait_state_process: no RFC 5961
  // challenge in TIME_WAIT), as the stack's TIME-WAIT record does (TimeWait.ts). Batched, the receive
  // half judged it by RFC 5961 and sent a challenge ACK behind the FIN's ACK
  it("an RST off RCV.NXT behind the FIN that made TIME-WAIT draws nothing, in one batch or the next", () => {
    for (const fixture of [() => finWait2(), () => finWait1()]) {
      for (const batched of [false, true]) {
        const s = fixture()
        const fin = T.fromPeer({ seq: 0, ack: 1, flags: FIN | ACK })
        const rst = T.fromPeer({ seq: 1001, ack: 1, flags: RST })
        const sent = batched ? s.send(100, fin, rst) : [...s.send(100, fin), ...s.send(100, rst)]
        expect(T.seenAll(sent).map((o) => [o.seq, o.ack, o.flags]), `${batched}`).toEqual([[1, 1, "ACK"]])
        expect([s.state, s.snd.failure]).toEqual(["TimeWait", undefined])
      }
    }
  })
  it("nothing is sent on its own: no retransmission, no keepalive even with keepalive on (gVisor #7617)", () => {
    const s = timeWait(1000)
    for (let t = 1000; t < 30 + TIME_WAIT; t += 1000) expect(s.tick(t)).toEqual([])
    expect(s.state).toBe("TimeWait")
  })
})

describe("the orphan's timewait sock's window (Linux's tw_rcv_wnd)", () => {
  // Linux 6.18's tcp_time_wait stores tw_rcv_wnd = tcp_receive_window(tp), the window last announced
  // (rcv_wup + rcv_wnd - rcv_nxt); tcp_timewait_state_process's FIN_WAIT2 branch judges segments by
  // tcp_in_window(seq, end_seq, tw_rcv_nxt, tw_rcv_nxt + tw_rcv_wnd), and every ACK the timewait sock
  // sends (tcp_v4_timewait_ack) carries tw_rcv_wnd >> tw_rcv_wscale, in TIME_WAIT too (the FIN moves
  // tw_rcv_nxt, not tw_rcv_wnd). A read of less than a step after the last ACK announced nothing, so
  // the buffer's edge lies beyond the edge announced.
  const orphanAfterRead = () => {
    const s = est()
    // 1000 octets in, acknowledged (the window BUF - 1000), read: too little to announce
    expect(T.seenAll(s.send(5, T.fromPeer({ seq: 0, ack: 0, payload: T.octetsText(1000) })))).toEqual([seg(0, 1000, "ACK", BUF - 1000)])
    expect(s.read(6).out).toEqual([])
    expect(T.seenAll(s.close(10))).toEqual([seg(0, 1000, "FIN|ACK", BUF - 1000)])
    expect(s.send(20, T.fromPeer({ seq: 1000, ack: 1 }))).toEqual([])
    expect(s.state).toBe("FinWait2")
    return s
  }
  it("a segment past the window last announced, within the buffer, is outside the timewait sock's window: an ACK, not a reset", () => {
    const s = orphanAfterRead()
    expect(T.seenAll(s.send(30, T.fromPeer({ seq: BUF, ack: 1, payload: "x" })))).toEqual([seg(1, 1000, "ACK", BUF - 1000)])
    expect(s.state).toBe("FinWait2")
  })
  it("its ACKs carry tw_rcv_wnd, the ACK of the FIN in TIME-WAIT too (not one less)", () => {
    const s = orphanAfterRead()
    expect(T.seenAll(s.send(30, T.fromPeer({ seq: 1000, ack: 1, flags: FIN | ACK })))).toEqual([seg(1, 1001, "ACK", BUF - 1000)])
    expect(s.state).toBe("TimeWait")
    // the FIN again: the same window
    expect(T.seenAll(s.send(1000, T.fromPeer({ seq: 1000, ack: 1, flags: FIN | ACK })))).toEqual([seg(1, 1001, "ACK", BUF - 1000)])
  })
})

describe("TIME-WAIT from CLOSING: the window last announced", () => {
  // Linux's tcp_time_wait keeps tcp_receive_window(), the window its last ACK announced, as
  // tw_rcv_wnd, and the timewait sock's ACKs say it (tcp_v4_timewait_ack). From CLOSING that ACK is
  // the one of the peer's FIN: the ACK of ours sends none, and a read after the peer's FIN announces
  // nothing (tcp_cleanup_rbuf, RCV_SHUTDOWN), so a read since does not open TIME-WAIT's window.
  it("a read in CLOSING does not open TIME-WAIT's window: its ACKs carry the window of the ACK of the peer's FIN", () => {
    const s = est()
    expect(T.seenAll(s.send(5, T.fromPeer({ seq: 0, ack: 0, payload: T.octetsText(3000) })))).toEqual([seg(0, 3000, "ACK", BUF - 3000)])
    expect(T.seenAll(s.end(10))).toEqual([seg(0, 3000, "FIN|ACK", BUF - 3000)])
    const closing = T.seenAll(s.send(20, T.fromPeer({ seq: 3000, ack: 0, flags: FIN | ACK })))
    expect(s.state).toBe("Closing")
    expect(closing).toHaveLength(1)
    const window = closing[0]!.window
    expect(s.read(30).out).toEqual([])
    expect(s.send(40, T.fromPeer({ seq: 3001, ack: 1 }))).toEqual([])
    expect(s.state).toBe("TimeWait")
    expect(T.seenAll(s.send(1000, T.fromPeer({ seq: 3000, ack: 1, flags: FIN | ACK })))).toEqual([seg(1, 3001, "ACK", window)])
  })
})

describe("the FIN and the restart after idle", () => {
  // Linux 6.18's __tcp_transmit_skb calls tcp_event_data_sent, which stamps lsndtime (the idle
  // restart's and CA_EVENT_TX_START's "last data sent"), only for a segment with payload
  // (`if (skb->len != tcp_header_size)`): a bare FIN leaves the stamp at the last data. (No data can
  // follow our FIN but a resend after a timeout, whose window the timeout has cut already, so the
  // stamp is checked here as it is kept.)
  it("a bare FIN is no data sent: the last-data stamp stays at the last segment with data (tcp_transmit_skb's skb->len test)", () => {
    const s = est()
    expect(T.seenAll(s.write(10, "bye"))).toEqual([seg(0, 0, "PSH|ACK", AFTER_FIN + 1, "bye")])
    expect(s.send(20, T.fromPeer({ seq: 0, ack: 3 }))).toEqual([])
    expect(T.seenAll(s.end(500))).toEqual([seg(3, 0, "FIN|ACK", AFTER_FIN + 1)])
    expect(s.snd.lastSendAt).toBe(10)
    // a FIN riding on data is data sent
    const t = est()
    t.write(10, "x")
    // (Nagle holds "bye" behind "x" until the end, which lets it go with the FIN)
    expect(t.write(20, "bye")).toEqual([])
    expect(T.seenAll(t.end(500))).toEqual([seg(1, 0, "FIN|PSH|ACK", AFTER_FIN + 1, "bye")])
    expect(t.snd.lastSendAt).toBe(500)
  })
})

describe("the FIN and the congestion window", () => {
  // Linux 6.10 and later hold a bare FIN behind a full congestion window as data ("tcp: remove
  // dubious FIN exception from tcp_cwnd_test()": tcp_write_xmit's tcp_cwnd_test is 0 at in_flight >=
  // cwnd for the FIN's skb too); a FIN on data that cwnd holds waits with the data (tcp_send_fin tacks
  // it on the unsent tail skb). On the wire: test/kernel/ConformanceCwnd.test.ts (fin60)
  const FULL = 14600 // the initial window: ten 1460-octet segments
  /** ten segments out at cwnd 10 (written at 10), none acknowledged */
  const full = (sack = false, frto = true) => {
    const s = T.established({
      params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, timeWait: TIME_WAIT, finWait2: FIN_WAIT_2, frto },
      peerOptions: { mss: 1460, sackPermitted: sack },
      peerWindow: 60000
    })
    expect(T.seenAll(s.write(10, "a".repeat(FULL))).length).toBe(10)
    return s
  }
  /** what went: [relative seq, length, flags] */
  const brief = (out: ReadonlyArray<{ readonly seq: unknown }>) =>
    T.seenAll(out as Parameters<typeof T.seenAll>[0]).map((x) => [x.seq, x.len, x.flags])

  it("a bare FIN behind a full cwnd waits (FIN-WAIT-1 all the same), and goes with the first ACK that opens room", () => {
    const s = full()
    expect(s.end(20)).toEqual([])
    expect(s.state).toBe("FinWait1")
    // a window update (larger: Linux's tcp_may_update_window takes no smaller one at the same
    // SEG.SEQ and SEG.ACK, and the ACK is then a duplicate, whose limited transmit would send the
    // FIN) opens the peer's window, not cwnd: the FIN still waits
    expect(s.send(30, T.fromPeer({ seq: 0, ack: 0, window: 64000 }))).toEqual([])
    // the ACK of one segment: cwnd 11 segments, nine out
    expect(brief(s.send(40, T.fromPeer({ seq: 0, ack: 1460 })))).toEqual([[FULL, 0, "FIN|ACK"]])
    expect(s.send(50, T.fromPeer({ seq: 0, ack: FULL + 1 }))).toEqual([])
    expect(s.state).toBe("FinWait2")
  })

  it("a FIN on data the full cwnd holds waits with it, and both go at the ACK that opens room", () => {
    const s = full()
    expect(s.write(20, "b")).toEqual([])
    expect(s.end(30)).toEqual([])
    expect(T.seenAll(s.send(40, T.fromPeer({ seq: 0, ack: 1460 })))).toEqual([seg(FULL, 0, "FIN|PSH|ACK", AFTER_FIN + 1, "b")])
  })

  it("an orphan's FIN (the application closed) waits as well, and goes at the ACK that opens room", () => {
    const s = full()
    expect(s.close(20)).toEqual([])
    expect(s.state).toBe("FinWait1")
    expect(brief(s.send(40, T.fromPeer({ seq: 0, ack: 2920 })))).toEqual([[FULL, 0, "FIN|ACK"]])
  })

  it("with nothing in flight the FIN goes at once, whatever cwnd (in_flight 0 is below any)", () => {
    const s = full()
    expect(s.send(20, T.fromPeer({ seq: 0, ack: FULL }))).toEqual([])
    s.snd.cc.cwnd = 100 // below one segment: no room for one, and nothing out
    expect(brief(s.end(30))).toEqual([[FULL, 0, "FIN|ACK"]])
  })

  it("with SACK the tail probe sends the held FIN as its new data, and its timer resends it after", () => {
    const s = full(true)
    expect(s.end(20)).toEqual([])
    const at = Sender.deadline(s.snd)!
    expect(brief(s.tick(at))).toEqual([[FULL, 0, "FIN|ACK"]])
    // unanswered: the RTO resends the head (cwnd one segment); the ACK of all the data then leaves
    // the FIN out (sent once, the ACK beyond the resend: F-RTO), and its own timer resends it
    const rto = Sender.deadline(s.snd)!
    expect(brief(s.tick(rto))).toEqual([[0, 1460, "ACK"]])
    expect(s.send(rto + 10, T.fromPeer({ seq: 0, ack: FULL }))).toEqual([])
    const again = Sender.deadline(s.snd)!
    expect(brief(s.tick(again))).toEqual([[FULL, 0, "FIN|ACK"]])
    expect(s.send(again + 10, T.fromPeer({ seq: 0, ack: FULL + 1 }))).toEqual([])
    expect(s.state).toBe("FinWait2")
  })

  /**
   * A full window, the FIN held behind it, the timeout's resend of the head, and its ACK: F-RTO's
   * step 2.b sends the held FIN as its new data (the two F-RTO tests below start here)
   */
  const frtoFin = () => {
    const s = full()
    expect(s.end(20)).toEqual([])
    const rto = Sender.deadline(s.snd)!
    expect(brief(s.tick(rto))).toEqual([[0, 1460, "ACK"]])
    expect(brief(s.send(rto + 10, T.fromPeer({ seq: 0, ack: 1460 })))).toEqual([[FULL, 0, "FIN|ACK"]])
    return { s, rto }
  }

  it("F-RTO: at the ACK of the timeout's resent head the held FIN goes as step 2.b's new data, and the ACK of original data then undoes the timeout", () => {
    // Linux's tcp_process_loss: SND.UNA advanced below high_seq and the write queue not empty (the
    // FIN's skb unsent: write_seq past snd_nxt) with the window past snd_nxt: REXMIT_NEW, and
    // tcp_xmit_recovery's __tcp_push_pending_frames sends the FIN (cwnd 2 after the ACK, nothing
    // in flight: the rest is marked lost); not the next two old segments of the go-back
    const { s, rto } = frtoFin()
    expect(s.snd.frto).toBeDefined()
    // the next ACK delivers a segment sent once, before the timeout (step 3.b): spurious, no go-back
    const after = brief(s.send(rto + 20, T.fromPeer({ seq: 0, ack: 2920 })))
    expect(after).toEqual([])
    expect(Sender.counters(s.snd).spuriousTimeouts).toBe(1)
    expect(s.send(rto + 30, T.fromPeer({ seq: 0, ack: FULL + 1 }))).toEqual([])
    expect(s.state).toBe("FinWait2")
  })

  it("F-RTO's FIN, then the loss real: the go-back resends the old flight without the FIN, sent after the timeout and not lost", () => {
    // Linux's tcp_process_loss: a duplicate after step 2.b's new data ends F-RTO (tcp_add_reno_sack),
    // and tcp_xmit_retransmit_queue resends the skbs the timeout marked lost (tcp_timeout_mark_lost):
    // the last data skb alone (full, so tcp_retrans_try_collapse takes nothing into it), not the
    // FIN's skb, which went after the timeout; `recover` is the old flight's end
    const { s, rto } = frtoFin()
    const sent: Array<Array<unknown>> = []
    for (let i = 0; i < 4; i++) sent.push(...brief(s.send(rto + 20 + i, T.fromPeer({ seq: 0, ack: 1460 }))))
    for (let a = 2920; a <= FULL; a += 1460) sent.push(...brief(s.send(rto + 100 + a / 100, T.fromPeer({ seq: 0, ack: a }))))
    expect(sent.map(([seq]) => seq)).toEqual([1460, 2920, 4380, 5840, 7300, 8760, 10220, 11680, 13140])
    expect(sent.filter(([, , flags]) => (flags as string).includes("FIN"))).toEqual([])
    expect(s.send(rto + 300, T.fromPeer({ seq: 0, ack: FULL + 1 }))).toEqual([])
    expect(s.state).toBe("FinWait2")
  })

  it("without SACK (no tail probe) the RTO resends the head, and the FIN goes once the ACKs open room; nothing hangs", () => {
    const s = full(false, false)
    expect(s.end(20)).toEqual([])
    const rto = Sender.deadline(s.snd)!
    expect(brief(s.tick(rto))).toEqual([[0, 1460, "ACK"]])
    // the go-back, cwnd 1 then 2: the FIN waits behind what is still owed
    const more = brief(s.send(rto + 10, T.fromPeer({ seq: 0, ack: 1460 })))
    expect(more).toEqual([[1460, 1460, "ACK"], [2920, 1460, "ACK"]])
    // everything acknowledged: the FIN, and its own timer after
    const fin = brief(s.send(rto + 20, T.fromPeer({ seq: 0, ack: FULL })))
    expect(fin).toEqual([[FULL, 0, "FIN|ACK"]])
    const again = Sender.deadline(s.snd)!
    expect(brief(s.tick(again))).toEqual([[FULL, 0, "FIN|ACK"]])
    expect(s.send(again + 10, T.fromPeer({ seq: 0, ack: FULL + 1 }))).toEqual([])
    expect(s.state).toBe("FinWait2")
  })

  // (fin61) A FIN that went as its own segment stays its own at a resend of a full last segment
  // (Linux's __tcp_retransmit_skb collapses into an skb only below min(avail_wnd, cur_mss)), and
  // rides on a short one (tcp_retrans_try_collapse). On the wire: ConformanceLoss's "the timeout
  // resends a full head without the bare FIN" and its two neighbours
  it("a bare FIN sent after a full last segment: the timeout resends the segment alone and the FIN at its ACK; after a short one, with it", () => {
    const lone = (bytes: number) => {
      const s = T.established({
        params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, timeWait: TIME_WAIT, finWait2: FIN_WAIT_2, frto: false },
        peerOptions: { mss: 1460, sackPermitted: false },
        peerWindow: 60000
      })
      expect(brief(s.write(10, "a".repeat(bytes)))).toEqual([[0, bytes, "PSH|ACK"]])
      expect(brief(s.end(20))).toEqual([[bytes, 0, "FIN|ACK"]])
      return s
    }
    const s = lone(1460)
    const rto = Sender.deadline(s.snd)!
    expect(brief(s.tick(rto))).toEqual([[0, 1460, "PSH|ACK"]])
    expect(brief(s.send(rto + 10, T.fromPeer({ seq: 0, ack: 1460 })))).toEqual([[1460, 0, "FIN|ACK"]])
    const r = lone(500)
    const rto2 = Sender.deadline(r.snd)!
    expect(brief(r.tick(rto2))).toEqual([[0, 500, "FIN|PSH|ACK"]])
  })

  // (review61c) A bare FIN the peer SACKed rides on no resend of the short last segment: Linux's
  // tcp_retrans_try_collapse stops at an skb tcp_can_collapse refuses, and that includes one
  // TCPCB_SACKED_ACKED ("Some heuristics for collapsing over SACK'd could be invented"), so the
  // FIN's skb stays SACKed in the queue and the data goes again alone: at the recovery's fast
  // retransmit and at each timeout after. With the FIN put on them, every resend carried it
  it("a bare FIN the peer SACKed: the short last segment goes again without it (tcp_can_collapse skips a SACKed skb)", () => {
    const s = T.established({
      params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, timeWait: TIME_WAIT, finWait2: FIN_WAIT_2 },
      peerOptions: { mss: 1460, sackPermitted: true },
      peerWindow: 60000
    })
    expect(brief(s.write(10, "a".repeat(500)))).toEqual([[0, 500, "PSH|ACK"]])
    expect(brief(s.end(20))).toEqual([[500, 0, "FIN|ACK"]])
    const sack = { sackPermitted: false, sack: [{ left: Seq.add(T.LOCAL_ISN, 501), right: Seq.add(T.LOCAL_ISN, 502) }] }
    expect(brief(s.send(30, T.fromPeer({ seq: 0, ack: 0, options: sack })))).toEqual([[0, 500, "PSH|ACK"]])
    const rto = Sender.deadline(s.snd)!
    expect(brief(s.tick(rto))).toEqual([[0, 500, "PSH|ACK"]])
    expect(s.send(rto + 10, T.fromPeer({ seq: 0, ack: 501 }))).toEqual([])
    expect(s.state).toBe("FinWait2")
  })

  // (review61c) In a SACK recovery, RACK's resend of a short last segment takes the bare FIN sent
  // after it: Linux's tcp_xmit_retransmit_queue resends the LOST skb through __tcp_retransmit_skb,
  // whose tcp_retrans_try_collapse joins the FIN's skb (one packet, not SACKed, inside the window:
  // it looks at no LOST mark) to an skb shorter than min(avail_wnd, cur_mss). A full last segment
  // goes alone (no collapse). The resend took the FIN only where RACK's lost entry held it, so the
  // short segment went alone and the FIN waited for the timeout
  it("in a SACK recovery RACK's resend of a short last segment carries the bare FIN (tcp_retrans_try_collapse); of a full one, not", () => {
    const run = (last: number) => {
      const s = T.established({
        params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, timeWait: TIME_WAIT, finWait2: FIN_WAIT_2 },
        peerOptions: { mss: 1460, sackPermitted: true },
        peerWindow: 60000
      })
      expect(T.seenAll(s.write(10, "a".repeat(2920 + last))).length).toBe(3)
      expect(brief(s.end(20))).toEqual([[2920 + last, 0, "FIN|ACK"]])
      // the second segment SACKed: RACK's timer finds the first lost, and the recovery resends it
      const sack = { sackPermitted: false, sack: [{ left: Seq.add(T.LOCAL_ISN, 1461), right: Seq.add(T.LOCAL_ISN, 2921) }] }
      expect(s.send(30, T.fromPeer({ seq: 0, ack: 0, options: sack }))).toEqual([])
      const at = Sender.deadline(s.snd)!
      expect(brief(s.tick(at))).toEqual([[0, 1460, "ACK"]])
      // its ACK, late enough for RACK to find the third and the FIN, sent before the resend, lost
      return { s, out: brief(s.send(at + 150, T.fromPeer({ seq: 0, ack: 2920 }))), at }
    }
    const short = run(500)
    expect(short.out).toEqual([[2920, 500, "FIN|PSH|ACK"]])
    expect(short.s.send(short.at + 160, T.fromPeer({ seq: 0, ack: 3421 }))).toEqual([])
    expect(short.s.state).toBe("FinWait2")
    expect(run(1460).out).toEqual([[2920, 1460, "PSH|ACK"]])
  })

  // (fin61) A bare FIN that takes the window's last packet makes the flight cwnd-limited: Linux's
  // tcp_write_xmit runs tcp_cwnd_validate after any skb it sent, the FIN's too (is_cwnd_limited:
  // ten packets out at cwnd 10), and tcp_is_cwnd_limited answers is_cwnd_limited first: each ACK
  // of that window grows cwnd in slow start, nine ACKs of one segment 19. Without the FIN's
  // `noteFlight` the window was nine segments' and never the limit, and growth stopped at twice
  // nine, 18. (Nothing new can follow the FIN: only a later loss episode's cut could show it)
  it("a bare FIN that fills cwnd marks the flight cwnd-limited: each ACK of its window grows cwnd (Linux's tcp_cwnd_validate after the FIN)", () => {
    const s = T.established({
      params: { receiveBuffer: BUF, maxReceiveBuffer: BUF, timeWait: TIME_WAIT, finWait2: FIN_WAIT_2 },
      peerOptions: { mss: 1460, sackPermitted: false },
      peerWindow: 60000
    })
    expect(T.seenAll(s.write(10, "a".repeat(9 * 1460))).length).toBe(9)
    expect(brief(s.end(20))).toEqual([[9 * 1460, 0, "FIN|ACK"]])
    for (let i = 1; i <= 9; i++) expect(s.send(20 + 10 * i, T.fromPeer({ seq: 0, ack: i * 1460 }))).toEqual([])
    expect(s.snd.cc.cwnd).toBe(19 * 1460)
  })
})

describe("CLOSE-WAIT and LAST-ACK", () => {
  it("in CLOSE-WAIT we may still send (half-close)", () => {
    const s = closeWait()
    expect(T.seenAll(s.write(20, "reply"))).toEqual([seg(0, 1, "PSH|ACK", AFTER_FIN, "reply")])
  })
  it("a reset in CLOSE-WAIT fails the connection as ResetAfterFin (Linux's tcp_reset: EPIPE there), in LAST-ACK as Reset", () => {
    const s = closeWait()
    expect(s.send(20, T.fromPeer({ seq: 1, flags: RST }))).toEqual([])
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe("ResetAfterFin")
    const t = closeWait()
    t.end(20)
    expect(t.state).toBe("LastAck")
    expect(t.send(30, T.fromPeer({ seq: 1, flags: RST }))).toEqual([])
    expect(t.snd.failure).toBe("Reset")
  })
  // After a close Connection resets on `pastRcvNxt` (Linux's FIN-WAIT-1/2 with RCV_SHUTDOWN); once the
  // peer's FIN is in, Linux's tcp_rcv_state_process ignores data at or past RCV.NXT (CLOSING,
  // LAST-ACK: `if (!before(seq, rcv_nxt)) break`), even what its tcp_sequence let through at the
  // window's right edge (queue empty after the close)
  it("LAST-ACK after a close: data at the window's right edge brings no sequence space past RCV.NXT (no reset after the peer's FIN)", () => {
    const s = closeWait()
    s.close(20)
    expect(s.state).toBe("LastAck")
    // RCV.NXT is 1 (past the peer's FIN), the window AFTER_FIN: its right edge at 1 + AFTER_FIN
    const r = Receiver.onBatch(s.rcv, [T.fromPeer({ seq: 1 + AFTER_FIN, ack: 0, payload: "late" })], 30, s.reads.consumed, s.snd.view)
    expect(r.pastRcvNxt).toBe(false)
  })
  // Linux 6.18's tcp_sequence lets a segment that starts at the window's right edge through when its
  // receive queue is empty (as after a close), and tcp_rcv_state_process's step 7 then does nothing
  // with one at or past RCV.NXT in CLOSE_WAIT, CLOSING and LAST_ACK (`if (!before(seq, rcv_nxt))
  // break`): tcp_data_queue, which would enter quick-ACK mode and schedule the duplicate ACK, is never
  // reached, and tcp_ack_snd_check finds no ACK scheduled. Nothing goes.
  it("LAST-ACK and CLOSING after a close: data at the window's right edge draws nothing (Linux's step 7 breaks before tcp_data_queue)", () => {
    const s = closeWait()
    s.close(20)
    expect(s.state).toBe("LastAck")
    expect(s.send(30, T.fromPeer({ seq: 1 + AFTER_FIN, ack: 0, payload: "late" }))).toEqual([])
    expect(s.state).toBe("LastAck")
    // CLOSING: our FIN out, the peer's FIN in before its ACK of ours
    const c = finWait1()
    c.close(15)
    expect(T.seenAll(c.send(20, T.fromPeer({ seq: 0, ack: 0, flags: FIN | ACK })))).toEqual([seg(1, 1, "ACK", AFTER_FIN)])
    expect(c.state).toBe("Closing")
    expect(c.send(30, T.fromPeer({ seq: 1 + AFTER_FIN, ack: 0, payload: "late" }))).toEqual([])
    expect(c.state).toBe("Closing")
  })
  it("the application's end sends our FIN: LAST-ACK; its ACK closes", () => {
    const s = closeWait()
    expect(T.seenAll(s.end(20))).toEqual([seg(0, 1, "FIN|ACK", AFTER_FIN)])
    expect(s.state).toBe("LastAck")
    expect(s.send(30, T.fromPeer({ seq: 1, ack: 1 }))).toEqual([])
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe(undefined)
  })
  it("an RST at the peer's FIN's own sequence number (RCV.NXT - 1) resets CLOSE-WAIT and LAST-ACK (Linux's tcp_reset_check: macOS sends its RST so after a FIN)", () => {
    // the peer's FIN took seq 0, so RCV.NXT is 1; a peer aborting after its FIN may send its RST at 0
    const cw = closeWait()
    expect(cw.send(20, T.fromPeer({ seq: 0, flags: RST }))).toEqual([])
    expect([cw.state, cw.snd.failure]).toEqual(["Closed", "ResetAfterFin"])
    const la = closeWait()
    la.end(20)
    expect(la.send(30, T.fromPeer({ seq: 0, flags: RST }))).toEqual([])
    expect([la.state, la.snd.failure]).toEqual(["Closed", "Reset"])
    // without a FIN from the peer RCV.NXT - 1 is data already taken: an old RST, ignored (RFC 5961 §3.2)
    const e = est()
    e.send(10, T.fromPeer({ seq: 0, payload: "x" }))
    expect(e.send(20, T.fromPeer({ seq: 0, flags: RST }))).toEqual([])
    expect(e.state).toBe("Established")
  })
  it("LAST-ACK: a duplicate ACK changes nothing; the peer's FIN again is re-ACKed; ours goes again at RTO", () => {
    const s = closeWait()
    s.end(20)
    expect(s.send(30, T.fromPeer({ seq: 1, ack: 0 }))).toEqual([])
    expect(s.state).toBe("LastAck")
    expect(T.seenAll(s.send(40, T.fromPeer({ seq: 0, ack: 0, flags: FIN | ACK })))).toEqual([seg(1, 1, "ACK", AFTER_FIN)])
    expect(T.seenAll(s.tick(220))).toEqual([seg(0, 1, "FIN|ACK", AFTER_FIN)])
    s.send(300, T.fromPeer({ seq: 1, ack: 1 }))
    expect(s.state).toBe("Closed")
  })
})

describe("simultaneous close (RFC 9293 §3.6, figure 13)", () => {
  it("FINs cross: CLOSING, then TIME-WAIT on the ACK of ours", () => {
    const s = finWait1()
    // the peer's FIN, sent before it saw ours
    expect(T.seenAll(s.send(20, T.fromPeer({ seq: 0, ack: 0, flags: FIN | ACK })))).toEqual([seg(1, 1, "ACK", AFTER_FIN)])
    expect(s.state).toBe("Closing")
    expect(s.send(30, T.fromPeer({ seq: 1, ack: 1 }))).toEqual([])
    expect(s.state).toBe("TimeWait")
    expect(s.tick(30 + TIME_WAIT - 1)).toEqual([])
    s.tick(30 + TIME_WAIT)
    expect(s.state).toBe("Closed")
  })
  it("with data racing both ways", () => {
    const s = est()
    s.write(10, "abc")
    expect(T.seenAll(s.end(11))).toEqual([seg(3, 0, "FIN|ACK")])
    // the peer's data and FIN cross ours
    const out = s.send(20, T.fromPeer({ seq: 0, ack: 0, payload: "xyz", flags: FIN | ACK }))
    expect(T.seenAll(out)).toEqual([seg(4, 4, "ACK", AFTER_FIN - 3)])
    expect(s.state).toBe("Closing")
    s.send(30, T.fromPeer({ seq: 4, ack: 4 }))
    expect(s.state).toBe("TimeWait")
    expect(T.text(s.read(40).data)).toBe("xyz")
  })
  it("our FIN held behind unsent data still goes once the window opens (smoltcp #398)", () => {
    const s = est(1000)
    s.write(10, T.octets(3000))
    expect(s.end(11)).toEqual([]) // 1000 octets are out; the rest and the FIN wait for the window
    expect(T.seenAll(s.send(20, T.fromPeer({ seq: 0, ack: 0, flags: FIN | ACK, window: 1000 })))).toEqual([
      seg(1000, 1, "ACK", AFTER_FIN)
    ])
    expect(s.state).toBe("Closing")
    const out = s.send(30, T.fromPeer({ seq: 1, ack: 1000, window: 3000 }))
    const last = T.seenAll(out).at(-1)!
    expect(last.flags).toBe("FIN|PSH|ACK")
    expect(last.seq + last.len).toBe(3000)
    s.send(40, T.fromPeer({ seq: 1, ack: 3001, window: 3000 }))
    expect(s.state).toBe("TimeWait")
  })
  it("a FIN arriving in CLOSE-WAIT's race with the application's end: the FIN still goes (smoltcp #398)", () => {
    const s = est()
    // the peer's FIN and the application's end in the same millisecond
    s.send(10, T.fromPeer({ seq: 0, flags: FIN | ACK }))
    expect(T.seenAll(s.end(10))).toEqual([seg(0, 1, "FIN|ACK", AFTER_FIN)])
    expect(s.state).toBe("LastAck")
  })
})


describe("keepalive (RFC 1122 §4.2.3.6)", () => {
  const ka = () => T.established({ params: { keepaliveIdle: 1000, keepaliveInterval: 100, keepaliveProbes: 2 } })

  it("after the idle time, probes with SEG.SEQ = SND.NXT - 1 and no data, every interval; unanswered, TimedOut", () => {
    const s = ka()
    expect(s.tick(999)).toEqual([])
    const first = s.tick(1000)
    expect(first.map((o) => [T.ourSeq(o), o.flags, o.payload])).toEqual([[-1, ACK, undefined]])
    expect(s.tick(1099)).toEqual([])
    expect(s.tick(1100).map(T.ourSeq)).toEqual([-1])
    expect(s.tick(1199)).toEqual([])
    s.tick(1200)
    expect(s.state).toBe("Closed")
    expect(s.snd.failure).toBe("TimedOut")
  })

  it("any segment from the peer (the answer to a probe) starts the idle time again", () => {
    const s = ka()
    s.tick(1000)
    // the peer's ACK of the probe
    s.send(1050, T.fromPeer({}))
    expect(s.tick(2049)).toEqual([])
    expect(s.tick(2050).map(T.ourSeq)).toEqual([-1])
    expect(s.state).toBe("Established")
  })

  it("per connection (setKeepAlive): on with its own idle time over a stack without keepalive, and off again", () => {
    const s = T.established({ params: { keepaliveIdle: undefined, keepaliveInterval: 100, keepaliveProbes: 2 } })
    expect(s.tick(10_000)).toEqual([])
    Sender.setKeepalive(s.snd, 500, 10_000)
    // idle counts from what was last heard (the handshake, at 0): the first probe is due at once
    expect(s.tick(10_000).map(T.ourSeq)).toEqual([-1])
    s.send(10_050, T.fromPeer({}))
    expect(s.tick(10_549)).toEqual([])
    expect(s.tick(10_550).map(T.ourSeq)).toEqual([-1])
    s.send(10_560, T.fromPeer({}))
    Sender.setKeepalive(s.snd, undefined, 10_600)
    expect(s.tick(20_000)).toEqual([])
    expect(s.state).toBe("Established")
  })

  it("sends no probe while data or a FIN waits to be sent (Linux's tcp_keepalive_timer: the write queue not empty); the window probes cover it", () => {
    const s = T.established({ params: { keepaliveIdle: 1000, keepaliveInterval: 100, keepaliveProbes: 2, retries: 8 } })
    s.write(0, "x")
    s.send(10, T.fromPeer({ ack: 1, window: 0 }))
    // our FIN waits for the window, probed at SND.UNA - 1; the peer is gone: nothing answers
    s.end(20)
    const sent: Array<number> = []
    for (let t = 20; t <= 3000; t += 10) for (let k = s.tick(t).length; k > 0; k--) sent.push(t)
    // the window probes alone, backing off from 200 ms (none 100 ms after another), and the
    // connection still waiting: keepalive's two unanswered probes would have reset it at 1200
    expect(sent.length).toBeGreaterThan(0)
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThan(100)
    expect(s.state).toBe("FinWait1")
  })

  it("sends no probe while data is in flight (the retransmission timer covers it)", () => {
    const s = ka()
    s.write(900, "x")
    // the RTO (200 ms floor) fires before; keepalive stays quiet while data is outstanding
    const out = s.tick(1000)
    expect(out.every((o) => o.payload !== undefined)).toBe(true)
  })
})
