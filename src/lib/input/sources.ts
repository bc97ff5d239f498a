import {close, createReadStream, fstatSync, open, read} from 'node:fs'
import {access, stat} from 'node:fs/promises'
import {addAbortSignal, type Readable} from 'node:stream'
import {promisify} from 'node:util'

import {KafkitError} from '../errors.js'

// Where produce reads from: stdin, or the --file paths one after another. Large reads (1 MiB)
// keep the per-chunk overhead negligible; an AbortSignal ends the reading at once (signals).
//
// Regular files (`--file`, or `< file` on stdin) are read into two buffers used in turn instead
// of a new buffer per read: a fresh 1 MiB buffer per chunk is 100 MB of short-lived garbage for
// a 100 MB input, and the page faults of touching it cost more CPU than producing the records.
// A chunk therefore stays valid only until the chunk after next is read: consumers copy what
// they keep longer (the splitters keep at most the tail of the previous chunk).

const READ_SIZE = 1 << 20

const readAsync = promisify(read)
const openAsync = promisify(open)
const closeAsync = promisify(close)

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

/** Chunks of a regular file, read into two alternating buffers (see above). */
async function* readRegularFile(fd: number, signal: AbortSignal): AsyncGenerator<Buffer> {
  const buffers = [Buffer.allocUnsafeSlow(READ_SIZE), Buffer.allocUnsafeSlow(READ_SIZE)]
  for (let turn = 0; !signal.aborted; turn ^= 1) {
    const buffer = buffers[turn]!
    const {bytesRead} = await readAsync(fd, buffer, 0, READ_SIZE, null)
    if (bytesRead === 0) return
    yield buffer.subarray(0, bytesRead)
  }
}

function openStdin(signal: AbortSignal): AsyncIterable<Buffer> {
  // A regular file on stdin (`< file`) is read with big reads into reused buffers. Pipes and
  // terminals go through process.stdin, whose reads do not block a thread: a blocked read of
  // fd 0 could not be aborted, and an interrupt must end the reading at once.
  if (fstatSync(0).isFile()) return readRegularFile(0, signal)
  return addAbortSignal(signal, process.stdin as Readable) as AsyncIterable<Buffer>
}

async function* readPath(path: string, signal: AbortSignal): AsyncGenerator<Buffer> {
  const fd = await openAsync(path, 'r')
  try {
    if (fstatSync(fd).isFile()) yield* readRegularFile(fd, signal)
    else yield* createReadStream('', {fd, highWaterMark: READ_SIZE, autoClose: false, signal}) as AsyncIterable<Buffer>
  } finally {
    await closeAsync(fd)
  }
}

/**
 * The input chunks, in order; ends early (without an error) when `signal` aborts. A chunk may
 * be overwritten once the chunk after the next one has been asked for.
 */
export async function* readInput(paths: readonly string[], signal: AbortSignal): AsyncGenerator<Buffer> {
  const sources = paths.length === 0 ? [() => openStdin(signal)] : paths.map((path) => () => readPath(path, signal))
  for (const open of sources) {
    if (signal.aborted) return
    try {
      for await (const chunk of open()) yield chunk
    } catch (error) {
      if (signal.aborted || (error as Error).name === 'AbortError') return
      throw new KafkitError('failure', `cannot read the input: ${(error as Error).message}`)
    }
  }
}
