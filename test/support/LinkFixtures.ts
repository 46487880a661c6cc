/**
 * Small builders the link and wire tests share: a link's counters with only
 * the interesting ones given, and a virtio-net header with only some fields.
 */
import type { LinkStats } from "../../src/link/Link.js"
import type { VirtioNetHeader } from "../../src/wire/VirtioNet.js"

/** Stats with every counter 0 but those given. */
export const linkStats = (nonZero: Partial<LinkStats> = {}): LinkStats => ({
  rxFrames: 0,
  rxDropped: 0,
  rxErrors: 0,
  rxMalformed: 0,
  txFrames: 0,
  txDropped: 0,
  txQueueFull: 0,
  txTooBig: 0,
  txErrors: 0,
  ...nonZero
})

/** A virtio-net header with every field zero but those given. */
export const vnetHeader = (fields: Partial<VirtioNetHeader> = {}): VirtioNetHeader => ({
  flags: 0,
  gsoType: 0,
  hdrLen: 0,
  gsoSize: 0,
  csumStart: 0,
  csumOffset: 0,
  ...fields
})
