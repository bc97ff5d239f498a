import {DESC_FIELDS, HEADER_FIELDS} from './native.js'

// One batch of records handed to the native producer in a single call: a byte buffer, an
// Int32Array of descriptors into it, optional per-record headers and timestamps. Buffers are
// reused from batch to batch, so the hot path allocates nothing per record.
//
// Two ways to add a record:
//   - addSlice: key and value are ranges of the input chunk itself (no copy). Used when the
//     input bytes are sent unchanged (str, bytes, json).
//   - addBytes: key and value bytes are copied into the batch's own buffer. Used when a
//     serializer made new bytes (int, long, double, base64, hex), with a fixed --key, and for
//     jsonl input.
// A batch uses one way only, chosen when it is reset.

export class ProduceBatch {
  count = 0
  desc = new Int32Array(DESC_FIELDS * 4096)
  private chunk: Buffer | null = null
  private scratch = Buffer.allocUnsafe(1 << 20)
  private scratchLength = 0
  /** Per-record headers (jsonl); fixed --header headers live in FixedHeaders. */
  private headerBytes = Buffer.allocUnsafe(1 << 16)
  private headerBytesLength = 0
  headerDesc = new Int32Array(HEADER_FIELDS * 1024)
  private headerCount = 0
  timestamps: Float64Array | null = null
  private usesTimestamps = false

  /** Starts a batch over `chunk` (addSlice), or over the batch's own buffer (`null`, addBytes). */
  reset(chunk: Buffer | null): void {
    this.count = 0
    this.chunk = chunk
    this.scratchLength = 0
    this.headerBytesLength = 0
    this.headerCount = 0
    this.usesTimestamps = false
  }

  /** Slice mode: the buffer the descriptors' offsets point into (set after the records were added). */
  useChunk(chunk: Buffer): void {
    this.chunk = chunk
  }

  /** The bytes the descriptors point into. */
  get data(): Buffer {
    return this.chunk ?? this.scratch.subarray(0, this.scratchLength)
  }

  get hasOwnHeaders(): boolean {
    return this.headerCount > 0
  }

  get headerData(): Buffer {
    return this.headerBytes.subarray(0, this.headerBytesLength)
  }

  get timestampsIfAny(): Float64Array | null {
    return this.usesTimestamps ? this.timestamps : null
  }

  private nextDescriptor(): number {
    if ((this.count + 1) * DESC_FIELDS > this.desc.length) {
      const grown = new Int32Array(this.desc.length * 2)
      grown.set(this.desc)
      this.desc = grown
    }
    return this.count++ * DESC_FIELDS
  }

  /** Key and value as ranges of the chunk; a length of -1 means null. */
  addSlice(keyStart: number, keyLength: number, valueStart: number, valueLength: number, partition: number, headerStart: number, headerCount: number, idDelta: number): void {
    const at = this.nextDescriptor()
    const desc = this.desc
    desc[at] = keyStart
    desc[at + 1] = keyLength
    desc[at + 2] = valueStart
    desc[at + 3] = valueLength
    desc[at + 4] = partition
    desc[at + 5] = headerStart
    desc[at + 6] = headerCount
    desc[at + 7] = idDelta
  }

  private append(bytes: Buffer | null, from = 0, to = bytes?.length ?? 0): number {
    if (bytes === null) return -1
    const length = to - from
    if (this.scratchLength + length > this.scratch.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratchLength + length))
      this.scratch.copy(grown, 0, 0, this.scratchLength)
      this.scratch = grown
    }
    bytes.copy(this.scratch, this.scratchLength, from, to)
    this.scratchLength += length
    return length
  }

  /**
   * Copies key and value into the batch. `valueSource` with `valueFrom`/`valueTo` lets a value
   * that is a range of the input be copied without making a subarray first.
   */
  addBytes(key: Buffer | null, valueSource: Buffer | null, valueFrom: number, valueTo: number, partition: number, headerStart: number, headerCount: number, idDelta: number): void {
    const keyStart = this.scratchLength
    const keyLength = this.append(key)
    const valueStart = this.scratchLength
    const valueLength = this.append(valueSource, valueFrom, valueTo)
    this.addSlice(keyStart, keyLength, valueStart, valueLength, partition, headerStart, headerCount, idDelta)
  }

  /** Copies a key and value into the batch; a string is written as its UTF-8 bytes (`kafkit pipe`'s outputs). */
  addPayload(key: Buffer | string | null, value: Buffer | string | null, partition: number, headerStart: number, headerCount: number): void {
    const keyStart = this.scratchLength
    const keyLength = typeof key === 'string' ? this.appendText(key) : this.append(key)
    const valueStart = this.scratchLength
    const valueLength = typeof value === 'string' ? this.appendText(value) : this.append(value)
    this.addSlice(keyStart, keyLength, valueStart, valueLength, partition, headerStart, headerCount, 0)
  }

  private appendText(text: string): number {
    // At most 3 bytes per UTF-16 unit.
    const most = text.length * 3
    if (this.scratchLength + most > this.scratch.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratchLength + most))
      this.scratch.copy(grown, 0, 0, this.scratchLength)
      this.scratch = grown
    }
    const length = this.scratch.write(text, this.scratchLength, 'utf8')
    this.scratchLength += length
    return length
  }

  /** Per-record headers (jsonl): returns the start index to put in the record's descriptor. */
  addHeaders(headers: ReadonlyArray<readonly [string, Buffer | null]>): number {
    const start = this.headerCount
    for (const [name, value] of headers) {
      const nameBytes = Buffer.from(name, 'utf8')
      const need = nameBytes.length + (value?.length ?? 0)
      if (this.headerBytesLength + need > this.headerBytes.length) {
        const grown = Buffer.allocUnsafe(Math.max(this.headerBytes.length * 2, this.headerBytesLength + need))
        this.headerBytes.copy(grown, 0, 0, this.headerBytesLength)
        this.headerBytes = grown
      }
      if ((this.headerCount + 1) * HEADER_FIELDS > this.headerDesc.length) {
        const grown = new Int32Array(this.headerDesc.length * 2)
        grown.set(this.headerDesc)
        this.headerDesc = grown
      }
      const at = this.headerCount++ * HEADER_FIELDS
      this.headerDesc[at] = this.headerBytesLength
      this.headerDesc[at + 1] = nameBytes.length
      this.headerBytesLength += nameBytes.copy(this.headerBytes, this.headerBytesLength)
      this.headerDesc[at + 2] = this.headerBytesLength
      this.headerDesc[at + 3] = value === null ? -1 : value.length
      if (value !== null) this.headerBytesLength += value.copy(this.headerBytes, this.headerBytesLength)
    }
    return start
  }

  /** A record's timestamp (epoch ms; 0 = let the producer set it). */
  setTimestamp(index: number, timestamp: number): void {
    if (!this.timestamps || this.timestamps.length < this.desc.length / DESC_FIELDS) {
      const grown = new Float64Array(this.desc.length / DESC_FIELDS)
      if (this.timestamps) grown.set(this.timestamps)
      this.timestamps = grown
    }
    if (!this.usesTimestamps) {
      this.timestamps.fill(0, 0, index)
      this.usesTimestamps = true
    }
    this.timestamps[index] = timestamp
  }

  /** Keeps the timestamps array aligned when a record without a timestamp follows one with. */
  noTimestamp(index: number): void {
    if (this.usesTimestamps) this.setTimestamp(index, 0)
  }
}

/** The --header headers, encoded once and shared by every record. */
export class FixedHeaders {
  readonly data: Buffer
  readonly desc: Int32Array
  readonly count: number

  constructor(headers: ReadonlyArray<readonly [string, Buffer | null]>) {
    const batch = new ProduceBatch()
    batch.addHeaders(headers)
    this.data = Buffer.from(batch.headerData)
    this.desc = batch.headerDesc.slice(0, headers.length * HEADER_FIELDS)
    this.count = headers.length
  }
}
