/**
 * Ethernet (IEEE 802) MAC addresses: the 6-octet type and its text form.
 *
 * Every function is pure: bytes or text in, bytes or text out. The
 * predicates that read an address inside a frame (broadcast, group bit,
 * equality at offset 0) live with the frame codec in EthernetFrame.ts.
 *
 * @since 0.1.0
 */

/**
 * A 6-octet Ethernet address.
 * @category models
 */
export type Mac = Uint8Array

/** Format a MAC as `aa:bb:cc:dd:ee:ff`. */
export const format = (mac: Mac): string => Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join(":")

/** Parse `aa:bb:cc:dd:ee:ff` (or with `-`); undefined when malformed. */
export const parse = (text: string): Mac | undefined => {
  const parts = text.trim().split(/[:-]/)
  if (parts.length !== 6) return undefined
  const out = new Uint8Array(6)
  for (let i = 0; i < 6; i++) {
    const p = parts[i]!
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined
    out[i] = parseInt(p, 16)
  }
  return out
}

/** Whether `mac` is all zeros (no station has it; RFC 7042 treats it as unset). */
export const isZero = (mac: Mac): boolean => mac.every((b) => b === 0)

/**
 * A unicast, locally administered MAC (RFC 7042 §2.1: the U/L bit set, the
 * I/G bit clear) made from 6 random octets the caller supplies (the CLI
 * draws them from Effect's `Random`, so tests can seed it).
 */
export const locallyAdministered = (random: Uint8Array): Mac => {
  const out = Uint8Array.from(random.subarray(0, 6))
  out[0] = (out[0]! & 0xfc) | 0x02
  return out
}
