// Reads the runnable examples out of the markdown docs, with their docs-test annotations, and
// reduces printed text to its shape (columns, field names, kinds of lines) for comparison.
// The annotation scheme is described at the top of docs-examples.test.ts and in docs/README.md.

/** One command of a document, as a user would type it, with what the docs show it prints. */
export interface Example {
  /** Where it is written: `docs/groups.md:120`. */
  where: string
  command: string
  /** The lines the docs show under a `$ ` prompt (or an output-of block); empty when none. */
  expected: string[]
  /** The docs show JSON (a ```json block): compare field names, not lines. */
  expectedJson?: string
  exitCode: number
  mode: 'piped' | 'tty'
  /** Set: not run, and why. */
  skip?: string
  /** Hidden shell lines run before / after this command (from setup / after annotations). */
  setup: string[]
  after: string[]
  anyOutput: boolean
}

interface Directives {
  skipBlock?: string
  skips: Array<{text: string; reason: string}>
  exits: Array<{text?: string; code: number}>
  modes: Array<{text?: string; mode: 'piped' | 'tty'}>
  anyOutput: Array<{text?: string}>
  outputOf?: string
  setup: string[]
  after: string[]
}

const emptyDirectives = (): Directives => ({skips: [], exits: [], modes: [], anyOutput: [], setup: [], after: []})

/** Languages whose blocks are data, never commands (a `text` fence marks a synopsis or an illustration). */
const DATA_LANGUAGES = new Set(['json', 'yaml', 'yml', 'properties', 'text', 'csv'])

const matches = (text: string | undefined, command: string) => text === undefined || command.includes(text)

function parseDirective(body: string, into: Directives, where: string): void {
  const [head = '', ...rest] = body.split('\n')
  const line = head.trim()
  const quoted = /"([^"]+)"/.exec(line)?.[1]
  const reason = /(?:—|:)\s*(.+)$/.exec(line.replace(/"[^"]*"/, ''))?.[1]?.trim()
  if (/^setup\b/.test(line)) into.setup.push(rest.join('\n').trim())
  else if (/^after\b/.test(line)) into.after.push(rest.join('\n').trim())
  else if (/^skip\b/.test(line)) {
    if (!reason) throw new Error(`${where}: a docs-test skip needs a reason`)
    if (quoted === undefined) into.skipBlock = reason
    else into.skips.push({text: quoted, reason})
  } else if (/^exit\s+\d+/.test(line)) into.exits.push({text: quoted, code: Number(/^exit\s+(\d+)/.exec(line)![1])})
  else if (/^(tty|piped)\b/.test(line)) into.modes.push({text: quoted, mode: line.startsWith('tty') ? 'tty' : 'piped'})
  else if (/^any-output\b/.test(line)) into.anyOutput.push({text: quoted})
  else if (/^output-of\b/.test(line) && quoted) into.outputOf = quoted
  else throw new Error(`${where}: unknown docs-test annotation '${line}'`)
}

/** A line of a shell block that is a kafkit command: `kafkit ...`, or a pipeline with kafkit in it. */
const isCommandLine = (line: string) => /^kafkit\s/.test(line) || /\|\s*kafkit\s/.test(line)

/** Joins `\`-continued lines. */
function joinContinuations(lines: string[]): string[] {
  const out: string[] = []
  let pending = ''
  for (const line of lines) {
    if (line.endsWith('\\')) pending += line.slice(0, -1)
    else {
      out.push(pending + line)
      pending = ''
    }
  }
  if (pending) out.push(pending)
  return out
}

function exampleFrom(where: string, command: string, expected: string[], d: Directives): Example {
  const skip = d.skipBlock ?? d.skips.find((s) => command.includes(s.text))?.reason
  const exit = [...d.exits].reverse().find((e) => matches(e.text, command))
  const forced = [...d.modes].reverse().find((m) => matches(m.text, command))
  return {
    where,
    command,
    expected,
    exitCode: exit?.code ?? 0,
    mode: forced?.mode ?? (expected.some((line) => looksLikeHeader(line)) ? 'tty' : 'piped'),
    skip,
    setup: [],
    after: [],
    anyOutput: d.anyOutput.some((a) => matches(a.text, command)),
  }
}

/** The examples of one markdown document, in order. */
export function extractExamples(markdown: string, file: string): Example[] {
  const lines = markdown.split('\n')
  const examples: Example[] = []
  let directives = emptyDirectives()
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const comment = /^\s*<!--\s*docs-test:\s*([\s\S]*)$/.exec(line)
    if (comment) {
      let body = comment[1]!
      while (!body.includes('-->') && i + 1 < lines.length) body += '\n' + lines[++i]
      parseDirective(body.slice(0, body.indexOf('-->')).trimEnd(), directives, `${file}:${i + 1}`)
      continue
    }
    const fence = /^(\s*)```(\w*)\s*$/.exec(line)
    if (!fence) continue
    const indent = fence[1]!.length
    const start = i + 1
    const body: string[] = []
    while (++i < lines.length && !/^\s*```\s*$/.test(lines[i]!)) body.push(lines[i]!.slice(indent))
    const language = fence[2]!.toLowerCase()
    const d = directives
    directives = emptyDirectives()
    const blockExamples: Example[] = []
    if (d.outputOf) {
      // The block is what the command prints on stdout, unless it names 2>&1 itself.
      const command = d.outputOf.includes('2>') ? d.outputOf : `${d.outputOf} 2>/dev/null`
      const example = exampleFrom(`${file}:${start + 1}`, command, language === 'json' ? [] : body.filter(Boolean), d)
      if (language === 'json') example.expectedJson = body.join('\n')
      blockExamples.push(example)
    } else if (!DATA_LANGUAGES.has(language)) {
      const code = joinContinuations(body)
      const prompted = code.some((l) => l.startsWith('$ '))
      for (let j = 0; j < code.length; j++) {
        const text = code[j]!
        // Line numbers as an editor shows them (continued lines make them approximate).
        const where = `${file}:${start + 1 + j}`
        if (prompted) {
          if (!text.startsWith('$ ')) continue
          const expected: string[] = []
          while (j + 1 < code.length && !code[j + 1]!.startsWith('$ ')) expected.push(code[++j]!)
          blockExamples.push(exampleFrom(where, text.slice(2), expected.filter((l) => l.trim() !== ''), d))
        } else if (isCommandLine(text)) blockExamples.push(exampleFrom(where, text, [], d))
      }
    }
    if (blockExamples.length > 0) {
      blockExamples[0]!.setup.push(...d.setup)
      blockExamples.at(-1)!.after.push(...d.after)
    } else if (d.setup.length > 0 || d.after.length > 0 || d.skipBlock) {
      throw new Error(`${file}:${start}: docs-test annotations on a block without kafkit commands`)
    }
    examples.push(...blockExamples)
  }
  if (directives.setup.length > 0 || directives.skipBlock) throw new Error(`${file}: docs-test annotations after the last block`)
  return examples
}

/** The `$ kafkit ...` lines under EXAMPLES in an oclif-generated docs/commands/*.md page. */
export function extractCommandExamples(markdown: string, file: string): string[][] {
  const found: string[][] = []
  let inExamples = false
  const lines = markdown.split('\n')
  lines.forEach((line, index) => {
    if (/^[A-Z][A-Z ]+$/.test(line)) inExamples = line === 'EXAMPLES'
    else if (line.startsWith('```') || line.startsWith('## ')) inExamples = false
    const prompt = /^\s+\$ (kafkit .*)$/.exec(line)
    if (!inExamples || !prompt) return
    // oclif wraps a long example at a space, ending the line with ` \`: join it back.
    let command = prompt[1]!
    for (let next = index + 1; command.endsWith(' \\') && next < lines.length; next++) command = command.slice(0, -1) + lines[next]!.trim()
    found.push([`${file}:${index + 1}`, command])
  })
  return found
}

// --- shapes ---------------------------------------------------------------------------------

/** A terminal table's header: upper-case column names separated by two spaces or more. */
export function looksLikeHeader(line: string): boolean {
  return /^[A-Z][A-Z0-9#-]*( {2,}[A-Z][A-Z0-9#()>-]*(?: [A-Z(][A-Z0-9#()>-]*)*)+\s*$/.test(line.trim())
}

/** What kind of line this is, without its numbers and names. */
export function lineShape(raw: string): string {
  const line = raw.replace(/\s+$/, '')
  if (looksLikeHeader(line)) return `header ${line.trim().split(/ {2,}/).join('|')}`
  if (line.includes('\t')) return `tsv ${line.split('\t').length}`
  const trimmed = line.trim()
  if (/^[{[]/.test(trimmed)) {
    try {
      return `json ${jsonShape(JSON.parse(trimmed))}`
    } catch {
      // not JSON after all: fall through
    }
  }
  const message = /^([a-z][a-z ]{0,20}):\s/.exec(trimmed)
  if (message) return `message ${message[1]}`
  if (/^\S+$/.test(trimmed)) {
    if (/^[^:,]+(:[^:,]+){2,}$/.test(trimmed)) return `colon ${trimmed.split(':').length}`
    if (/^[^,]+(,[^,]*){2,}$/.test(trimmed)) return `csv ${trimmed.split(',').length}`
    return 'word'
  }
  return 'row'
}

/** The shapes of some lines, runs of one shape counted once (row counts differ from the docs'). */
export function textShape(lines: readonly string[]): string[] {
  const shapes: string[] = []
  for (const line of lines) {
    if (line.trim() === '') continue
    const shape = lineShape(line)
    if (shapes.at(-1) !== shape) shapes.push(shape)
  }
  return shapes
}

/** Field names in order, nested: `{a,b:{c},d:[{e}]}`. */
export function jsonShape(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${jsonShape(value[0])}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, inner]) => {
        const shape = jsonShape(inner)
        return shape ? `${key}:${shape}` : key
      })
      .join(',')}}`
  }
  return ''
}

/**
 * Whether every field the docs' JSON shows is in the actual JSON, at the same place and in the
 * same order; returns the first difference, or undefined. The docs may leave fields out.
 */
export function jsonDifference(shown: unknown, actual: unknown, path = '$'): string | undefined {
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) return `${path}: an array in the docs, not in the output`
    if (shown.length === 0 || actual.length === 0) return undefined
    return jsonDifference(shown[0], actual[0], `${path}[0]`)
  }
  if (shown === null || typeof shown !== 'object') return undefined
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: an object in the docs, not in the output`
  const actualKeys = Object.keys(actual)
  let last = -1
  for (const [key, inner] of Object.entries(shown)) {
    const at = actualKeys.indexOf(key)
    if (at < 0) return `${path}.${key}: in the docs, not in the output (fields: ${actualKeys.join(', ')})`
    if (at < last) return `${path}.${key}: out of order (output order: ${actualKeys.join(', ')})`
    last = at
    const inner2 = (actual as Record<string, unknown>)[key]
    if (inner2 === null) continue
    const difference = jsonDifference(inner, inner2, `${path}.${key}`)
    if (difference) return difference
  }
  return undefined
}
