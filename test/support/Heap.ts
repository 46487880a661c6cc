/**
 * Heap and fiber accounting for leak tests: `heapAfterGc` (two full GCs,
 * `gc` exposed in this worker) and a Supervisor that counts live fibers
 * forked under it without keeping a reference to any.
 */
import { Effect, Supervisor } from "effect"
import * as v8 from "node:v8"
import * as vm from "node:vm"

v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

/** heapUsed after two full GCs (the second frees what the first left for finalization). */
export const heapAfterGc = Effect.sync(() => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
})

/** Counts the fibers forked under it while they live. */
export class CountingSupervisor extends Supervisor.AbstractSupervisor<number> {
  live = 0
  readonly value = Effect.sync(() => this.live)
  override onStart() {
    this.live++
  }
  override onEnd() {
    this.live--
  }
}
