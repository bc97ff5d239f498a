import type {PollResult} from './native.js'
import type {ProducerClient} from './client.js'

// After the input: wait for every record handed to the client. After an interrupt only up to
// the drain timeout (a second signal: not at all), then purge the rest, which comes back as
// failed records (_PURGE_QUEUE / _PURGE_INFLIGHT).

const POLL_WAIT_MS = 100
const AFTER_PURGE_MS = 5000

export interface DrainOptions {
  stop: AbortSignal
  hardStop: AbortSignal
  deliveryTimeoutMs: number
  drainTimeoutMs: number
  /** A fatal client error: nothing more will be delivered. */
  fatal(): boolean
  onPoll(result: PollResult): void
  /** Between polls: progress, and let signals and output run. */
  pause(): Promise<void>
}

export async function drain({native, handle}: ProducerClient, options: DrainOptions): Promise<void> {
  const interrupted = () => options.stop.aborted
  const normalDeadline = Date.now() + options.deliveryTimeoutMs + AFTER_PURGE_MS
  let drainDeadline = interrupted() ? Date.now() + options.drainTimeoutMs : Number.POSITIVE_INFINITY
  let purged = false
  let wait = 0
  for (;;) {
    // Flushing: the last partial batches go out now instead of after linger.ms.
    const result = native.poll(handle, wait, !purged)
    wait = POLL_WAIT_MS
    options.onPoll(result)
    if (result.queued === 0) return
    await options.pause()
    if (interrupted() && drainDeadline === Number.POSITIVE_INFINITY) drainDeadline = Date.now() + options.drainTimeoutMs
    const now = Date.now()
    if (!purged && (options.hardStop.aborted || now >= drainDeadline || now >= normalDeadline || options.fatal())) {
      native.purge(handle)
      purged = true
      // Purged records come back as failures on the next polls.
      drainDeadline = now + AFTER_PURGE_MS
    } else if (purged && now >= drainDeadline) {
      return
    }
  }
}
