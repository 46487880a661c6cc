/**
 * The one error family of the wire codecs (STYLE.md §4): a decode failure is a
 * value, never an exception. `layer` names the codec, `reason` the kind of
 * failure; dealers count these by (layer, reason) and drop the packet.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

export type WireLayer = "ethernet" | "arp" | "ipv4" | "icmp" | "udp" | "tcp"

export type WireReason =
  /** fewer octets than the header, a header-length field or a length field requires */
  | "Truncated"
  /** a checksum did not verify */
  | "BadChecksum"
  /** a header-length field is below its minimum */
  | "BadHeaderLen"
  /** a version field we do not speak */
  | "BadVersion"
  /** a total-length field is inconsistent */
  | "BadLength"
  /** well-formed but of a kind we do not handle (e.g. ARP for non-IPv4) */
  | "Unsupported"
  /** any other impossible field combination */
  | "Malformed"

/**
 * @category errors
 */
export class WireError extends Data.TaggedError("WireError")<{
  readonly layer: WireLayer
  readonly reason: WireReason
}> {
  override get message(): string {
    return `${this.layer}: ${this.reason}`
  }
}
