import {usageError} from '../../errors.js'
import type {FormatterOptions, RecordFormatter} from '../../records/record-formatter.js'
import {compileRecordFormat} from './format-string.js'
import {jsonlFormatter} from './jsonl.js'
import {terminalFormatter, type TerminalStyle} from './terminal.js'
import {valueLineFormatter} from './value-line.js'

// Which formatter consume's output flags ask for: -f, --output jsonl, the Apache console
// consumer's --print-* layout, the terminal view, or the value per line (kcat's piped default).

export interface FormatChoice {
  format?: string
  output?: 'jsonl' | 'text'
  printKey?: boolean
  printHeaders?: boolean
  printTimestamp?: boolean
  printPartition?: boolean
  printOffset?: boolean
  keySeparator?: string
  nullLiteral?: string
  /** Several topics are read: the terminal view names each record's topic. */
  showTopic?: boolean
  /** Set when stdout is a terminal: its colours for the readable view. */
  terminal?: TerminalStyle
}

export function chooseRecordFormatter(choice: FormatChoice, options: FormatterOptions): RecordFormatter {
  const apacheStyle = choice.printKey || choice.printHeaders || choice.printTimestamp || choice.printPartition || choice.printOffset
  if (choice.output === 'jsonl') {
    if (choice.format !== undefined || apacheStyle) throw usageError('--output jsonl cannot be combined with -f or --print-*')
    return jsonlFormatter({key: options.keyFormat, value: options.valueFormat}, {onMismatch: options.onMismatch})
  }
  if (choice.format !== undefined) {
    if (apacheStyle) throw usageError('-f cannot be combined with --print-*', 'put the fields in the format string: %k %h %T %p %o')
    // kcat prints a null key or value as nothing, and a null header value as NULL.
    return compileRecordFormat(choice.format, {...options, nullLiteral: choice.nullLiteral, headerNullLiteral: choice.nullLiteral ?? 'NULL'})
  }
  if (apacheStyle) {
    // The Apache console consumer's DefaultMessageFormatter layout.
    // The separator's escapes (\t, \x1e) are read with the format string's.
    const separator = (choice.keySeparator ?? '\t').replaceAll('%', '%%')
    const fields = [
      choice.printTimestamp ? '%T{type}' : undefined,
      choice.printPartition ? 'Partition:%p' : undefined,
      choice.printOffset ? 'Offset:%o' : undefined,
      choice.printHeaders ? '%h' : undefined,
      choice.printKey ? '%k' : undefined,
      '%s',
    ].filter((f) => f !== undefined)
    return compileRecordFormat(fields.join(separator) + '\\n', {
      ...options,
      nullLiteral: choice.nullLiteral ?? 'null',
      headerKeySeparator: ':',
      headerSeparator: ',',
      noHeadersLiteral: 'NO_HEADERS',
    })
  }
  if (choice.terminal && choice.output !== 'text') {
    return terminalFormatter(choice.terminal, {...options, showTopic: choice.showTopic})
  }
  // The Schema Registry formats (decoded by JavaScript, a batch at a time) as UTF-8 text.
  if (options.valueFormat?.prepare) return valueLineFormatter({...options, nullLiteral: choice.nullLiteral})
  return compileRecordFormat('%s\\n', {...options, nullLiteral: choice.nullLiteral})
}

/** Under --json the records are collected, not streamed: a formatter that prints nothing. */
export function silentFormatter(): RecordFormatter {
  return {encoding: 'latin1', format: () => ''}
}
