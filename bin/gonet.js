#!/usr/bin/env -S node --max-semi-space-size=64 --no-allocation-site-pretenuring
// The V8 flags the stack runs with (bench/lib.mjs reads them from the line
// above, so that the benchmarks run every system under them):
// - A 64 MiB young generation: the receive path makes short-lived garbage per
//   frame, and with the default nursery a flood keeps it alive across
//   scavenges (bench/README.md: 230-260k -> 260-295k frames/s at 300k offered).
//   V8 sizes the heap when it starts, so this one only takes effect from the
//   command line: run `./bin/gonet.js` (or the npm bin), not `node bin/gonet.js`.
// - No allocation-site pretenuring. A connection's records outlive scavenges
//   only because dead old objects still point at them (nepotism), and V8 then
//   decides to allocate what those literal sites make straight in the old
//   generation, where it dies. With it off, Fig. 4 (tcp4k) ran 5-20 % faster
//   beside node-net and making a connection's `Sender` lost its tail (p90 22
//   -> 0.7 µs); notes/bench-investigations.md, eleventh pass. It can be set
//   after start, so it is also set here for `node bin/gonet.js`.
import v8 from "node:v8"

v8.setFlagsFromString("--no-allocation-site-pretenuring")
await import("../dist/cli/main.js")
