import {stdoutClosed} from './stdout-closed.js'

// Waiting for a stream's reader: a command that writes much (produce --print-delivery, its
// dead-letter file) waits here between input chunks, so a slow reader slows the input instead
// of growing memory.

/** Resolves when the stream's buffered output has been written, or at once when nothing waits or the stream is gone. */
export function streamDrained(stream: NodeJS.WritableStream & {writableNeedDrain: boolean; destroyed: boolean}): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    stream.once('drain', () => resolve())
    stream.once('close', () => resolve())
  })
}

/** stdout drained; a closed stdout never drains: there is nothing left to wait for. */
export function stdoutDrained(): Promise<void> {
  return stdoutClosed() ? Promise.resolve() : streamDrained(process.stdout)
}
