import {groupDigits} from './numbers.js'

// `kafkit pipe`'s lines for the person: the progress line (stderr, on a terminal) and the
// closing summary. (The shapes are the core's PipeProgress and PipeSummary.)

interface PipeCounts {
  in: number
  out: number
  dropped: number
  deadLettered: number
}

interface PipeProgress extends PipeCounts {
  lag: number
  assigned: number
}

interface PipeSummary extends PipeCounts {
  guarantee: 'exactly-once' | 'at-least-once'
  commits: number
  aborted: number
}

export function formatPipeProgress(p: PipeProgress, perSecond: number): string {
  return `pipe: ${groupDigits(p.in)} in (${groupDigits(perSecond)}/s), ${groupDigits(p.out)} out, lag ${groupDigits(p.lag)} on ${p.assigned} partition(s)`
}

export function formatPipeSummary(s: PipeSummary): string {
  const commits = s.guarantee === 'exactly-once' ? `${groupDigits(s.commits)} transaction(s) committed${s.aborted > 0 ? `, ${groupDigits(s.aborted)} aborted and read again` : ''}` : `offsets committed ${groupDigits(s.commits)} time(s)`
  return `pipe: ${groupDigits(s.in)} in, ${groupDigits(s.out)} out, ${groupDigits(s.dropped)} dropped, ${groupDigits(s.deadLettered)} dead-lettered; ${commits} (${s.guarantee})`
}
