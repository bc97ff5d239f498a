// Streamed data on stdout whose writing the caller waits for: the consume loop commits a
// record's offset only once its bytes were handed to the reader.

/** Writes a chunk to stdout; resolves once it is written. */
export function writeStdoutChunk(chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (error) => (error ? reject(error) : resolve()))
  })
}
