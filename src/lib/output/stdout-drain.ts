import {stdoutClosed} from './stdout-closed.js'

// Waiting for stdout's reader: a command that writes much (produce --print-delivery) waits here
// between input chunks, so a slow reader slows the input instead of growing memory.

/** Resolves when stdout's buffered output has been written, or at once when nothing waits or stdout is gone. */
export function stdoutDrained(): Promise<void> {
  const stream = process.stdout
  // A closed stdout never drains: there is nothing left to wait for.
  if (!stream.writableNeedDrain || stream.destroyed || stdoutClosed()) return Promise.resolve()
  return new Promise((resolve) => {
    stream.once('drain', () => resolve())
    stream.once('close', () => resolve())
  })
}
