import {pipeReaderGone} from '../native/pipe.js'

// The one answer to "has stdout's reader gone?" (`kafkit ... | head`). Two ways to learn it: a
// write fails with EPIPE (bin/run.cjs catches it), or, between writes, a check of the pipe itself
// (the native consume extension polls the file descriptor: a reader can leave while nothing is
// being written). On EPIPE bin/run.cjs ends the process at once with exit 0: right for commands
// that only print. A command that holds data in flight (produce with --print-delivery) registers
// a handler here instead, to stop reading, deliver what it read and report. The registry lives
// on a global symbol because bin/run.cjs is not bundled.

const HANDLER = Symbol.for('kafkit.stdoutClosed')
type Registry = {[HANDLER]?: () => void}

let closed = false

/** Registers the handler; returns the function that removes it. */
export function onStdoutClosed(handler: () => void): () => void {
  const registry = globalThis as Registry
  registry[HANDLER] = () => {
    closed = true
    handler()
  }
  return () => {
    delete registry[HANDLER]
  }
}

/**
 * Whether stdout's reader has gone: writing more would only fail again. When the pipe check
 * finds it before any write failed, the registered handler runs as it would on EPIPE.
 */
export function stdoutClosed(): boolean {
  if (closed || process.stdout.destroyed) return true
  if (pipeReaderGone(1) !== true) return false
  closed = true
  ;(globalThis as Registry)[HANDLER]?.()
  return true
}
