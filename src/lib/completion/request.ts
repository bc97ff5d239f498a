import type {Completion} from './candidates.js'
import {splitLine} from './line.js'
import type {Shell} from './scripts.js'

// The hidden `kafkit __complete` protocol between the scripts of lib/completion/scripts.ts and
// the completer: what each shell passes, and the lines it gets back. Pure.
//   bash:      __complete bash -- LINE READLINE_WORD   (the line up to the cursor, and the part of the
//              last word readline will replace: bash splits words at = and :, kafkit does not)
//   zsh, fish: __complete zsh|fish -- WORD... CURRENT  (the words after `kafkit`, the last one being
//              the word under the cursor)
//   background: __complete background -- WORD... CURRENT  (as zsh; started by a TAB whose look-ups
//              ran out of time, to fill the cache; prints nothing)
// Output: one candidate per line, `value<TAB>description` for zsh and fish; or `:files`.

export interface CompletionRequest {
  shell: Shell | 'background'
  /** The words after `kafkit`; the last one is under the cursor. */
  words: string[]
  /** bash: how many leading characters of each candidate readline does not replace. */
  cut: number
}

export function parseRequest(argv: readonly string[]): CompletionRequest | undefined {
  const [shell, separator, ...rest] = argv
  if ((shell !== 'bash' && shell !== 'zsh' && shell !== 'fish' && shell !== 'background') || separator !== '--') return undefined
  if (shell !== 'bash') return {shell, words: rest.length > 0 ? rest : [''], cut: 0}
  const [line = '', readlineWord = ''] = rest
  const words = splitLine(line).slice(1)
  const current = words.length > 0 ? words[words.length - 1]! : ''
  if (words.length === 0) words.push('')
  return {shell, words, cut: current.endsWith(readlineWord) ? current.length - readlineWord.length : 0}
}

export function renderCompletion(completion: Completion, request: CompletionRequest): string {
  if (request.shell === 'background') return ''
  if (completion.kind === 'files') return ':files\n'
  const lines: string[] = []
  for (const {value, description} of completion.candidates) {
    if (request.shell === 'bash') {
      if (value.length >= request.cut) lines.push(value.slice(request.cut))
    } else {
      const oneLine = description?.split('\n')[0]?.replaceAll('\t', ' ')
      lines.push(oneLine ? `${value}\t${oneLine}` : value)
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : ''
}
