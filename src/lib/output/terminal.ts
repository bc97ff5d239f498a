import {Chalk, type ChalkInstance} from 'chalk'

// Decides once per process whether stdout/stderr are terminals and whether to colour.
// Colour follows NO_COLOR, then FORCE_COLOR, then whether the stream is a terminal.

export interface StreamInfo {
  isTTY: boolean
  columns: number
  /** The terminal's height; 0 when unknown (not a terminal). */
  rows?: number
}

function colourLevel(isTTY: boolean, env: NodeJS.ProcessEnv): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0
  const force = env.FORCE_COLOR
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1
    if (force === 'false') return 0
    const level = Number.parseInt(force, 10)
    if (Number.isFinite(level)) return Math.max(0, Math.min(3, level)) as 0 | 1 | 2 | 3
    return 1
  }
  if (!isTTY || env.TERM === 'dumb') return 0
  return 1
}

export interface Terminal {
  stdout: StreamInfo
  stderr: StreamInfo
  /** Colours for stdout data (tables). */
  color: ChalkInstance
  /** Colours for stderr notices. */
  errColor: ChalkInstance
}

function detectTerminal(env: NodeJS.ProcessEnv = process.env): Terminal {
  const out = process.stdout
  const err = process.stderr
  const stdout = {isTTY: Boolean(out.isTTY), columns: out.columns ?? 100, rows: out.rows ?? 0}
  const stderr = {isTTY: Boolean(err.isTTY), columns: err.columns ?? 100}
  return {
    stdout,
    stderr,
    color: new Chalk({level: colourLevel(stdout.isTTY, env)}),
    errColor: new Chalk({level: colourLevel(stderr.isTTY, env)}),
  }
}

let current: Terminal | undefined
export function terminal(): Terminal {
  current ??= detectTerminal()
  return current
}

export const _colourLevelForTests = colourLevel
