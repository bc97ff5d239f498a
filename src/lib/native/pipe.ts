// "Has the reader of this pipe gone?" without writing to it: a poll of the file descriptor that
// lives in the native consume extension. The output layer asks it (output/stdout-closed.ts);
// undefined when the extension is not built.
import {loadExtension} from './load.js'

interface PipeCheck {
  outputClosed(fd: number): boolean
}

let extension: PipeCheck | null | undefined

export function pipeReaderGone(fd: number): boolean | undefined {
  if (extension === undefined) extension = loadExtension<PipeCheck>('consume', {optional: true}) ?? null
  return extension?.outputClosed(fd)
}
