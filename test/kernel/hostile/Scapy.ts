/**
 * Where scapy is: a python that can import it (Debian's python3-scapy lives
 * in /usr/bin/python3's path, which a pyenv shim may hide), or undefined.
 */
import { execFileSync } from "node:child_process"

export const scapyPython = (): string | undefined => {
  for (const py of ["/usr/bin/python3", "python3"]) {
    try {
      execFileSync(py, ["-c", "import scapy.layers.inet"], { stdio: "ignore", timeout: 20_000 })
      return py
    } catch {
      // not this one
    }
  }
  return undefined
}
