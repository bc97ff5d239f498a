import {createWriteStream} from 'node:fs'

import {KafkitError} from '../errors.js'
import {streamDrained} from './stream-drained.js'

// A file a command writes as it goes (produce --dead-letter): opened before any work starts, so a
// bad path fails at once; written without waiting; `drained` lets a producer of text wait for
// a slow disk instead of buffering without bound.

export interface FileWriter {
  write(text: string): void
  /** Resolves when everything written so far has reached the file system's buffers. */
  drained(): Promise<void>
  close(): Promise<void>
}

/** Opens (creates or truncates) `path`; `flag` names the option in errors, e.g. "--dead-letter". */
export async function openFileWriter(path: string, flag: string): Promise<FileWriter> {
  const stream = createWriteStream(path)
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', (error) => reject(new KafkitError('usage', `${flag} ${path}: ${error.message}`)))
  })
  return {
    write: (text) => {
      stream.write(text)
    },
    drained: () => streamDrained(stream),
    close: () => new Promise<void>((resolve) => stream.end(resolve)),
  }
}
