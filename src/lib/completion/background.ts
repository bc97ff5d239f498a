import {spawn} from 'node:child_process'

// Starts `kafkit __complete background -- WORDS...`: the same look-ups as the TAB that ran out of
// time, detached from the shell (no output, nobody waits), so that the cache holds the answers
// for the next TAB.

export function startBackgroundRefresh(words: readonly string[]): void {
  const entry = process.argv[1]
  if (!entry) return
  try {
    spawn(process.execPath, [entry, '__complete', 'background', '--', ...words], {detached: true, stdio: 'ignore'}).unref()
  } catch {
    // no refresh: the next TAB asks the cluster itself
  }
}
