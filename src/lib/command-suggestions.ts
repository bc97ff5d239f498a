// What an unknown command line was meant to be: oclif hands the hook every word typed before the
// first flag (arguments included: `topics descrbe orders`), so the unknown command is the words
// down to the first one that no command continues with; suggestions are its nearest siblings.

export interface UnknownCommand {
  /** The command as typed, without its arguments, e.g. `topics descrbe`. */
  typed: string
  /** The nearest commands (space-separated ids), closest first; empty when none is close. */
  suggestions: string[]
}

/** `words`: the typed words before the first flag; `commandIds`: oclif ids (`topics:list`). */
export function explainUnknownCommand(words: string[], commandIds: string[]): UnknownCommand {
  const commands = commandIds.map((id) => id.split(':'))
  // The longest run of words that some command starts with (a topic such as `topics`).
  let known = 0
  while (known < words.length && commands.some((c) => c.length > known + 1 && startsWith(c, words.slice(0, known + 1)))) known++
  const prefix = words.slice(0, known)
  const wrong = words[known] ?? ''
  const siblings = [...new Set(commands.filter((c) => c.length > known && startsWith(c, prefix)).map((c) => c[known]!))]
  const limit = Math.max(2, Math.floor(wrong.length / 3))
  const ranked = siblings
    .map((word) => ({word, distance: word.startsWith(wrong) && wrong.length > 0 ? 0 : editDistance(wrong, word)}))
    .filter((s) => s.distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.word.localeCompare(b.word))
  return {
    typed: [...prefix, wrong].filter(Boolean).join(' '),
    suggestions: ranked.slice(0, 3).map((s) => [...prefix, s.word].join(' ')),
  }
}

function startsWith(command: string[], words: string[]): boolean {
  return words.every((word, i) => command[i] === word)
}

/** Levenshtein distance, with a swap of two neighbours counting once (`lsit` is one from `list`). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}
