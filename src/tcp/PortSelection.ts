/**
 * Ephemeral port selection for `connect`: RFC 6056 §3.3.4, Algorithm 4
 * ("double-hash port selection"), the scheme Linux's `__inet_hash_connect`
 * follows.
 *
 * Contract
 * - The candidates for one destination (local address, remote address and
 *   port) start at `low + (F(destination) + table[G(destination)]) mod span`
 *   and go up one by one, wrapping from `high` to `low`; every candidate
 *   tried advances the destination's table entry by one (RFC 6056's
 *   `table[index]++`). `F` and `G` are SipHash-2-4 under two secret keys,
 *   so a port tells nothing about another destination's sequence (§3.3.4's
 *   point) while one destination's ports follow each other.
 * - `select` returns the first candidate `suitable` accepts, or undefined
 *   after it has refused every port of the range once.
 *
 * Why not a random start per connect (Algorithm 1, what this stack did):
 * short connections to one destination leave their ports in TIME-WAIT, and
 * a random start lands inside the run of held ports ever more often: with
 * 28 232 ports, once they were all held every connect tried them all
 * (a 100-connection round of Fig. 4 took 170 ms instead of 12). Here the
 * next candidate for a destination is the port after the last one it got:
 * the one held longest, the first to come free (or, towards ourselves, to be
 * taken over from its TIME-WAIT: TimeWait.ts), so a connect tries one port
 * in the steady state whatever the number held.
 *
 * @since 0.1.0
 */
import * as Sip from "../internal/SipHash.js"

/** Entries in the table of per-destination counters (Linux: 2^16, up from 256 after "Device Tracking via Linux's New TCP Source Port Selection Algorithm", 2022). */
export const TABLE_SIZE = 1 << 16

/** @category models */
export interface PortSelection {
  readonly low: number
  readonly high: number
  /** F's key: a destination's offset into the range */
  readonly offsetKey: Sip.SipKey
  /** G's key: a destination's counter in `table` */
  readonly indexKey: Sip.SipKey
  /** per-destination counters, from random starting values (RFC 6056: `table[i] = random() % 65536`; 32 bits, as Linux's, so a counter wraps once in 2^32 tries, not once in 2^16, where its sequence would jump) */
  readonly table: Uint32Array
}

/**
 * A selector over `low..high` (inclusive; 1 <= low <= high <= 65535).
 * `random(n)` gives n random octets (n <= 65536, as `crypto.getRandomValues`
 * takes): the two keys and the table's first values.
 * @category constructors
 */
export const make = (low: number, high: number, random: (octets: number) => Uint8Array): PortSelection => {
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 1 || high > 65535 || low > high) {
    throw new RangeError(`port range ${low}..${high}`)
  }
  const table = new Uint32Array(TABLE_SIZE)
  const CHUNK = 1 << 15
  for (let at = 0; at < TABLE_SIZE; at += CHUNK) {
    const octets = random(2 * CHUNK)
    for (let i = 0; i < CHUNK; i++) table[at + i] = octets[2 * i]! | (octets[2 * i + 1]! << 8)
  }
  return { low, high, offsetKey: Sip.keyOf(random(16)), indexKey: Sip.keyOf(random(16)), table }
}

/**
 * The first port of the destination's sequence that `suitable` accepts, or
 * undefined when none of the range does.
 */
export const select = (
  s: PortSelection,
  localAddr: number,
  remoteAddr: number,
  remotePort: number,
  suitable: (port: number) => boolean
): number | undefined => {
  const span = s.high - s.low + 1
  const offset = Sip.hash3(s.offsetKey, localAddr, remoteAddr, remotePort)
  const index = Sip.hash3(s.indexKey, localAddr, remoteAddr, remotePort) & (TABLE_SIZE - 1)
  for (let tried = 0; tried < span; tried++) {
    const port = s.low + ((offset + s.table[index]!) % span)
    s.table[index] = s.table[index]! + 1 // (mod 2^32, by the typed array)
    if (suitable(port)) return port
  }
  return undefined
}
