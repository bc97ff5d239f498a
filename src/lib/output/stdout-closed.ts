// When the reader of stdout goes away (`kafkit ... | head`), bin/run.cjs ends the process at once
// with exit 0: right for commands that only print. A command that holds data in flight (produce
// with --print-delivery) registers a handler here instead, to stop reading, deliver what it
// read and report. The registry lives on a global symbol because bin/run.cjs is not bundled.

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

/** Whether stdout's reader has gone: writing more would only fail again. */
export const stdoutClosed = (): boolean => closed || process.stdout.destroyed
