import {RecordSplitter} from '../../input/record-splitter.js'
import {DESC_FIELDS} from './native.js'
import {ProduceBatch} from './batch.js'
import {linesAreSlices, RecordParser} from './parse.js'
import type {ReadingRun} from './settings.js'

// The JavaScript reading path: chunks -> records (split at the delimiter, parsed as lines or
// jsonl) -> one batch per chunk -> the client, waiting for room when its queue is full.

const QUEUE_FULL_WAIT_MS = 100

export async function produceRecords(run: ReadingRun, chunks: AsyncIterable<Buffer>): Promise<void> {
  const batch = new ProduceBatch()
  const splitter = new RecordSplitter(run.settings.delimiter)
  const sink = new RecordParser(run.settings, batch, run.fixedHeaders, run.cursor, (message, raw, line) => run.reject(message, raw, line)).sink()
  const sliceMode = linesAreSlices(run.settings)
  const prepareIds = schemaIdPreparer(run)
  for await (const chunk of chunks) {
    if (run.shouldStopReading()) break
    if (prepareIds) await prepareIds(chunk)
    batch.reset(null)
    const firstId = run.cursor.line + 1
    const buffer = splitter.push(chunk, (b, s, e) => sink(b, s, e, firstId))
    // In slice mode the descriptors point into the buffer the splitter handed out.
    if (sliceMode) batch.useChunk(buffer)
    await send(run, batch, firstId)
    await run.chunkDone()
  }
  if (!run.shouldStopReading()) {
    batch.reset(null)
    const firstId = run.cursor.line + 1
    const rest = splitter.finish((b, s, e) => sink(b, s, e, firstId))
    if (sliceMode && rest) batch.useChunk(rest)
    await send(run, batch, firstId)
  }
}

const SCHEMA_ID_FIELD = /"(key|value)SchemaId"\s*:\s*(\d+)/g

/**
 * jsonl records may name the schema of their key or value (keySchemaId / valueSchemaId, as consume
 * writes them): a Schema Registry format fetches those schemas before the chunk is parsed, since
 * parsing is synchronous. The tail of the previous chunk is searched too, for a field split in two.
 */
function schemaIdPreparer(run: ReadingRun): ((chunk: Buffer) => Promise<void>) | undefined {
  const {keyFormat, valueFormat, input} = run.settings
  if (input !== 'jsonl' || !(keyFormat.prepare || valueFormat.prepare)) return undefined
  let tail = ''
  return async (chunk) => {
    const text = tail + chunk.toString('latin1')
    tail = text.slice(-64)
    const ids = {key: [] as number[], value: [] as number[]}
    for (const match of text.matchAll(SCHEMA_ID_FIELD)) ids[match[1] as 'key' | 'value'].push(Number(match[2]))
    if (ids.key.length > 0) await keyFormat.prepare?.(ids.key)
    if (ids.value.length > 0) await valueFormat.prepare?.(ids.value)
  }
}

async function send(run: ReadingRun, batch: ProduceBatch, firstId: number): Promise<void> {
  const {native, handle} = run.client
  const headers = run.fixedHeaders
  const headerData = batch.hasOwnHeaders ? batch.headerData : (headers?.data ?? null)
  const headerDesc = batch.hasOwnHeaders ? batch.headerDesc : (headers?.desc ?? null)
  const data = batch.data
  const timestamps = batch.timestampsIfAny
  let done = 0
  while (done < batch.count) {
    const desc = done === 0 ? batch.desc : batch.desc.subarray(done * DESC_FIELDS)
    const took = native.produce(handle, data, desc, batch.count - done, headerData, headerDesc, timestamps && done > 0 ? timestamps.subarray(done) : timestamps, firstId, QUEUE_FULL_WAIT_MS)
    done += took
    run.accepted(took)
    run.poll()
    if (done < batch.count) {
      // The queue is full: let signals and output run, then try again. A stop drops the rest
      // of the batch: those records were never handed over, so they do not count as read.
      await run.waitForRoom()
      if (run.halted()) break
    }
  }
}
