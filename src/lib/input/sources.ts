import {createReadStream, fstatSync, type ReadStream} from 'node:fs'
import {access, stat} from 'node:fs/promises'
import {addAbortSignal, type Readable} from 'node:stream'

import {KafkitError} from '../errors.js'

// Where produce reads from: stdin, or the --file paths one after another. Large reads (1 MiB)
// keep the per-chunk overhead negligible; an AbortSignal ends the reading at once (signals).

const READ_SIZE = 1 << 20

export async function checkInputFiles(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    try {
      await access(path)
      if ((await stat(path)).isDirectory()) throw new KafkitError('usage', `--file ${path} is a directory`)
    } catch (error) {
      if (error instanceof KafkitError) throw error
      throw new KafkitError('not_found', `--file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
    }
  }
}

function openStdin(signal: AbortSignal): Readable {
  // A regular file on stdin (`< file`) is read with big reads. Pipes and terminals go through
  // process.stdin, whose reads do not block a thread: a blocked read of fd 0 could not be
  // aborted, and an interrupt must end the reading at once.
  if (fstatSync(0).isFile()) return createReadStream('', {fd: 0, highWaterMark: READ_SIZE, autoClose: false, signal}) as ReadStream
  return addAbortSignal(signal, process.stdin)
}

/** The input chunks, in order; ends early (without an error) when `signal` aborts. */
export async function* readInput(paths: readonly string[], signal: AbortSignal): AsyncGenerator<Buffer> {
  const streams = paths.length === 0 ? [() => openStdin(signal)] : paths.map((path) => () => createReadStream(path, {highWaterMark: READ_SIZE, signal}))
  for (const open of streams) {
    if (signal.aborted) return
    try {
      for await (const chunk of open()) yield chunk as Buffer
    } catch (error) {
      if (signal.aborted || (error as Error).name === 'AbortError') return
      throw new KafkitError('failure', `cannot read the input: ${(error as Error).message}`)
    }
  }
}
