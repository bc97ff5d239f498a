// The one way a command learns of Ctrl-C and SIGTERM. The first signal aborts `stop` (finish
// cleanly: commit, drain, report); a second one aborts `hardStop` (stop waiting), and for a
// command that asked for it, ends the process at once with the signal's exit code. The exit
// codes themselves come from errors.ts (interruptedError / exitCodeForSignal).

import {exitCodeForSignal, type InterruptSignal} from './errors.js'

export interface InterruptTrap {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly stop: AbortSignal
  /** Aborted by a second signal. */
  readonly hardStop: AbortSignal
  /** The first signal received, if any. */
  readonly received: InterruptSignal | undefined
  /** Removes the handlers (call in `finally`). */
  dispose(): void
}

export interface TrapOptions {
  /** On a second signal, exit at once with the signal's exit code instead of only aborting hardStop. */
  exitOnSecond?: boolean
}

const SIGNALS: InterruptSignal[] = ['SIGINT', 'SIGTERM']

export function trapInterrupts(options: TrapOptions = {}): InterruptTrap {
  const stop = new AbortController()
  const hardStop = new AbortController()
  let received: InterruptSignal | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    const interrupt = signal as InterruptSignal
    if (received === undefined) {
      received = interrupt
      stop.abort(interrupt)
      return
    }
    hardStop.abort(interrupt)
    // A second Ctrl-C means "now", whatever is still in flight.
    if (options.exitOnSecond) process.exit(exitCodeForSignal(received))
  }
  for (const signal of SIGNALS) process.on(signal, onSignal)
  return {
    stop: stop.signal,
    hardStop: hardStop.signal,
    get received() {
      return received
    },
    dispose() {
      for (const signal of SIGNALS) process.off(signal, onSignal)
    },
  }
}
