/**
 * A token bucket, the usual way to rate-limit ICMP error messages
 * (RFC 1812 §4.3.2.8, RFC 4443 §2.4(f) describe it). Pure: `now` comes in
 * as Clock ms, the new bucket comes out.
 *
 * @since 0.1.0
 */

export interface Bucket {
  readonly tokens: number
  /** Clock ms of the last refill */
  readonly at: number
}

export const full = (burst: number, now: number): Bucket => ({ tokens: burst, at: now })

/**
 * Take one token: the bucket after taking it, or undefined when there is
 * none, in which case the caller keeps its bucket unchanged. Refill is
 * computed from `at`, so not recording a refused attempt loses nothing, and
 * a flood of refused events allocates nothing.
 */
export const take = (b: Bucket, now: number, perSecond: number, burst: number): Bucket | undefined => {
  const refilled = Math.min(burst, b.tokens + (Math.max(0, now - b.at) * perSecond) / 1000)
  return refilled >= 1 ? { tokens: refilled - 1, at: now } : undefined
}
