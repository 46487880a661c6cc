/**
 * How `gonet demo` reads the kernel tools it runs (Demo.ts, pure part): a
 * step that did not work is a failure (exit 1, one line saying what), not
 * a sentence with "HTTP NaN" in it and exit 0.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Demo from "../../src/cli/Demo.js"

const PING_OK = "3 packets transmitted, 3 received, 0% packet loss, time 402ms\nrtt min/avg/max/mdev = 0.050/0.061/0.070/0.008 ms\n"
const PING_NONE = "3 packets transmitted, 0 received, 100% packet loss, time 2040ms\n"

describe("gonet demo's reading of ping and curl", () => {
  it("ping: answers are words; no answer at all is a failure", () => {
    expect(Demo.pingOutcome({ code: 0, stdout: PING_OK, stderr: "" })).toEqual({
      ok: true,
      words: "3 of 3 echo requests answered; round trips 0.050 / 0.061 / 0.070 ms (fastest / mean / slowest)"
    })
    expect(Demo.pingOutcome({ code: 1, stdout: PING_NONE, stderr: "" })).toEqual({
      ok: false,
      why: "the kernel's ping got no answer from the stack (0 of 3 echo requests answered)"
    })
  })

  it("curl: status, size and time from -w; a failed run names curl's own error line", () => {
    expect(Demo.fetchOutcome({ code: 0, stdout: "", stderr: "200 10000000 0.213" })).toEqual({
      ok: true,
      status: 200,
      size: 10_000_000,
      secs: 0.213
    })
    // curl -sS writes its error, then the -w line (%{stderr}) with http_code 000
    expect(Demo.fetchOutcome({
      code: 7,
      stdout: "",
      stderr: "curl: (7) Failed to connect to 198.18.0.2 port 80 after 0 ms: Couldn't connect to server\n000 0 0.000312"
    })).toEqual({ ok: false, why: "curl: (7) Failed to connect to 198.18.0.2 port 80 after 0 ms: Couldn't connect to server" })
    expect(Demo.fetchOutcome({ code: 0, stdout: "", stderr: "404 10 0.01" })).toEqual({ ok: false, why: "HTTP 404" })
    // python3's urllib: a traceback, its last line the error
    expect(Demo.fetchOutcome({
      code: 1,
      stdout: "",
      stderr: "Traceback (most recent call last):\n  ...\nurllib.error.URLError: <urlopen error [Errno 111] Connection refused>\n"
    })).toEqual({ ok: false, why: "urllib.error.URLError: <urlopen error [Errno 111] Connection refused>" })
  })
})
