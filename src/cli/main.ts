/**
 * Entry point of the `gonet` command (bin/gonet.js imports the built file).
 *
 * `NodeRuntime.runMain` turns SIGINT/SIGTERM into interruption of the main
 * fiber, so every scope closes (TAP released, pcap flushed) before the
 * process exits. `Commands.run` never fails; the exit status it chose is in
 * `process.exitCode`, which the teardown below passes on. Log lines go to
 * stderr so stdout carries only the command's own output.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit, Layer, Logger } from "effect"
import * as Commands from "./Commands.js"

const logger = Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ stderr: true }))

Commands.run(process.argv).pipe(
  Effect.provide(Layer.merge(NodeContext.layer, logger)),
  NodeRuntime.runMain({
    disablePrettyLogger: true,
    teardown: (exit, onExit) => {
      const chosen = typeof process.exitCode === "number" ? process.exitCode : 0
      onExit(Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) ? Commands.EXIT_FAILURE : chosen)
    }
  })
)
