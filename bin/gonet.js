#!/usr/bin/env -S node --max-semi-space-size=64
// A 64 MiB young generation: the receive path makes short-lived garbage per
// frame, and with the default nursery a flood keeps it alive across
// scavenges (bench/README.md: 230-260k -> 260-295k frames/s at 300k offered).
import "../dist/cli/main.js"
