// The one write pipeline of both consume loops: at most one chunk in flight, so a slow reader
// pauses fetching instead of filling memory, and "written" callbacks (which make offsets safe to
// commit) run in order, only once the bytes before them are written.

export class WritePipeline {
  private pending: Promise<void> = Promise.resolve()
  private error: unknown
  private failedOnce = false

  constructor(private readonly write: (chunk: Buffer) => Promise<void>) {}

  /** Whether a write failed (the error is thrown by the next push or drain). */
  get failed(): boolean {
    return this.failedOnce
  }

  /** Waits for the chunk in flight, then hands over this one; `written` runs once it is written. */
  async push(chunk: Buffer, written?: () => void): Promise<void> {
    await this.pending
    this.throwIfFailed()
    const writing = chunk.length === 0 ? Promise.resolve() : this.write(chunk)
    this.pending = writing.then(written, (error: unknown) => {
      this.error = error
      this.failedOnce = true
    })
  }

  /** Runs `then` once everything handed over so far is written, without waiting here. */
  afterWritten(then: () => void): void {
    this.pending = this.pending.then(() => {
      if (!this.failedOnce) then()
    })
  }

  /** Waits until everything handed over is written; throws a write's failure. */
  async drain(): Promise<void> {
    await this.pending
    this.throwIfFailed()
  }

  /** Waits until everything handed over is written or failed; never throws. */
  settled(): Promise<void> {
    return this.pending
  }

  throwIfFailed(): void {
    if (this.failedOnce) throw this.error
  }
}
