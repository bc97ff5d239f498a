// Reading a partly typed kafkit command line for completion: which command it is, which word is
// under the cursor (a command name, a flag name, a flag's value or an argument), and the
// connection settings already typed (-b, --profile, -X, --command-config). Pure: no I/O.

export interface FlagSpec {
  name: string
  char?: string
  /** false for boolean flags. */
  takesValue: boolean
  options?: readonly string[]
  summary?: string
}

export interface ArgSpec {
  name: string
  options?: readonly string[]
}

export interface CommandSpec {
  /** oclif id, topics:list */
  id: string
  summary?: string
  flags: readonly FlagSpec[]
  args: readonly ArgSpec[]
}

/** The connection flags as typed so far, in the shape resolveConnection takes. */
export interface TypedConnection {
  bootstrapServer?: string
  profile?: string
  properties: string[]
  commandConfig?: string
}

export type Position =
  /** A command or topic name; `path` is the part already typed (['topics']). */
  | {kind: 'command'; path: string[]}
  | {kind: 'flag-name'; command: CommandSpec}
  /** `lead`: what precedes the value in the word (`--topic=`); the context's `prefix` is the value typed so far. */
  | {kind: 'flag-value'; command: CommandSpec; flag: FlagSpec; lead: string}
  | {kind: 'argument'; command: CommandSpec; arg?: ArgSpec; index: number}

export interface LineContext {
  position: Position
  /** The whole word under the cursor as typed (may be empty). */
  word: string
  /** The part of it that is being completed (after `lead` for --flag=value). */
  prefix: string
  connection: TypedConnection
  /** Positional arguments typed before the cursor, and every value of each flag. */
  args: string[]
  flagValues: Map<string, string[]>
}

/**
 * Splits a command line the way a POSIX shell would for simple input: blanks separate words,
 * quotes and backslashes group. A line ending in a blank ends with an empty word (the cursor
 * starts a new one).
 */
export function splitLine(line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      if (c === quote) quote = undefined
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i]
      else word += c
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      inWord = true
      if (c === '"' || c === "'") quote = c
      else if (c === '\\' && i + 1 < line.length) word += line[++i]
      else word += c
    }
  }
  words.push(word)
  return words
}

const CONNECTION_FLAGS: Record<string, keyof TypedConnection> = {
  'bootstrap-server': 'bootstrapServer',
  profile: 'profile',
  property: 'properties',
  'command-config': 'commandConfig',
}

/**
 * Where the cursor is in `words` (the words after `kafkit`; the last one is the word being
 * typed, possibly empty), given the commands the CLI has.
 */
export function readLine(words: readonly string[], commands: readonly CommandSpec[]): LineContext {
  const typed = words.length > 0 ? words.slice(0, -1) : []
  const word = words.length > 0 ? words[words.length - 1]! : ''
  const byId = new Map(commands.map((c) => [c.id, c]))
  const base = {word, prefix: word, connection: {properties: []} as TypedConnection, args: [] as string[], flagValues: new Map<string, string[]>()}

  // The command's id: the leading words that name a command or a topic above commands.
  const path: string[] = []
  for (const w of typed) {
    const candidate = [...path, w].join(':')
    if (w.startsWith('-') || !commands.some((c) => c.id === candidate || c.id.startsWith(`${candidate}:`))) break
    path.push(w)
  }
  const command = byId.get(path.join(':'))
  if (!command) return {...base, position: {kind: 'command', path}}

  const flagByName = new Map(command.flags.map((f) => [f.name, f]))
  const flagByChar = new Map(command.flags.filter((f) => f.char).map((f) => [f.char!, f]))
  const record = (flag: FlagSpec, value: string) => {
    const values = base.flagValues.get(flag.name) ?? []
    values.push(value)
    base.flagValues.set(flag.name, values)
    const key = CONNECTION_FLAGS[flag.name]
    if (key === 'properties') base.connection.properties.push(value)
    else if (key) base.connection[key] = value
  }

  let pending: FlagSpec | undefined
  let flagsEnded = false
  for (const w of typed.slice(path.length)) {
    if (pending) {
      record(pending, w)
      pending = undefined
      continue
    }
    if (flagsEnded || !w.startsWith('-') || w === '-') {
      base.args.push(w)
      continue
    }
    if (w === '--') {
      flagsEnded = true
      continue
    }
    const parsed = parseFlagWord(w, flagByName, flagByChar)
    if (!parsed?.flag.takesValue) continue
    if (parsed.value === undefined) pending = parsed.flag
    else record(parsed.flag, parsed.value)
  }

  if (pending) return {...base, position: {kind: 'flag-value', command, flag: pending, lead: ''}}
  if (!flagsEnded && word.startsWith('-')) {
    const parsed = parseFlagWord(word, flagByName, flagByChar)
    if (parsed?.flag.takesValue && parsed.value !== undefined) {
      const lead = word.slice(0, word.length - parsed.value.length)
      return {...base, prefix: parsed.value, position: {kind: 'flag-value', command, flag: parsed.flag, lead}}
    }
    return {...base, position: {kind: 'flag-name', command}}
  }
  const index = base.args.length
  return {...base, position: {kind: 'argument', command, arg: command.args[index], index}}
}

/** `--name`, `--name=value`, `-c`, `-cvalue`, `-c=value` (oclif's forms); undefined for an unknown flag. */
function parseFlagWord(
  word: string,
  byName: ReadonlyMap<string, FlagSpec>,
  byChar: ReadonlyMap<string, FlagSpec>,
): {flag: FlagSpec; value?: string} | undefined {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=')
    const flag = byName.get(eq < 0 ? word.slice(2) : word.slice(2, eq))
    if (!flag) return undefined
    return eq < 0 ? {flag} : {flag, value: word.slice(eq + 1)}
  }
  const flag = byChar.get(word[1]!)
  if (!flag) return undefined
  if (word.length === 2 || !flag.takesValue) return {flag}
  return {flag, value: word.slice(word[2] === '=' ? 3 : 2)}
}
