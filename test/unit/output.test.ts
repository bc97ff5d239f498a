import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {reportError} from '../../src/lib/output/error-report.js'
import {fitHeight} from '../../src/lib/output/live-view.js'
import {Output} from '../../src/lib/output/output.js'
import {renderPlainRows, renderTable, renderTerminalTable, type Column} from '../../src/lib/output/table.js'
import {_colourLevelForTests as colourLevel} from '../../src/lib/output/terminal.js'

interface Row {name: string; partitions: number; note: string | null}
const columns: Column<Row>[] = [
  {header: 'TOPIC', value: (r) => r.name},
  {header: 'PARTITIONS', value: (r) => r.partitions, align: 'right'},
  {header: 'NOTE', value: (r) => r.note},
]
const rows: Row[] = [
  {name: 'orders', partitions: 12, note: 'tab\there'},
  {name: 'a-much-longer-topic-name', partitions: 1, note: null},
]

describe('piped rendering', () => {
  it('writes tab-separated rows, no header, no colour, escaping tabs and newlines', () => {
    expect(renderPlainRows(rows, columns)).toBe('orders\t12\ttab\\there\na-much-longer-topic-name\t1\t\n')
  })

  it('does not truncate long values', () => {
    const long = 'x'.repeat(500)
    expect(renderPlainRows([{name: long, partitions: 1, note: null}], columns)).toContain(long)
  })

  it('renderTable picks plain rows when not a terminal', () => {
    let out = ''
    renderTable({isTTY: false, color: new Chalk({level: 3}), write: (t) => (out += t)}, rows, columns)
    expect(out).not.toContain('\u001B[')
    expect(out.split('\n')[0]).toBe('orders\t12\ttab\\there')
  })
})

describe('terminal rendering', () => {
  it('aligns columns under a header', () => {
    const text = renderTerminalTable(rows, columns, new Chalk({level: 0}))
    const lines = text.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^TOPIC\s+PARTITIONS\s+NOTE$/)
    // the second column starts at the same position on every line
    const col = lines[0]!.indexOf('PARTITIONS')
    // right-aligned: the last digit sits under the header's last letter
    expect(lines[2]![col + 'PARTITIONS'.length - 1]).toBe('1')
    expect(lines[1]!.slice(col, col + 'PARTITIONS'.length)).toBe('        12')
    expect(lines.every((l) => l === l.trimEnd())).toBe(true)
  })

  it('colours the header when colour is on', () => {
    expect(renderTerminalTable(rows, columns, new Chalk({level: 1}))).toContain('\u001B[1mTOPIC')
  })
})

describe('colour level', () => {
  it('NO_COLOR wins, then FORCE_COLOR, then the terminal', () => {
    expect(colourLevel(true, {NO_COLOR: '1', FORCE_COLOR: '3'})).toBe(0)
    expect(colourLevel(false, {FORCE_COLOR: '2'})).toBe(2)
    expect(colourLevel(true, {FORCE_COLOR: '0'})).toBe(0)
    expect(colourLevel(true, {})).toBe(1)
    expect(colourLevel(false, {})).toBe(0)
    expect(colourLevel(true, {TERM: 'dumb'})).toBe(0)
  })
})

describe('error report (commands and the unknown-command hook)', () => {
  const term = (level: 0 | 1) => ({
    stdout: {isTTY: false, columns: 80},
    stderr: {isTTY: level > 0, columns: 80},
    color: new Chalk({level}),
    errColor: new Chalk({level}),
  })
  const captureStderr = (fn: () => void): string => {
    const write = process.stderr.write
    let text = ''
    process.stderr.write = ((chunk: string) => {
      text += chunk
      return true
    }) as typeof process.stderr.write
    try {
      fn()
    } finally {
      process.stderr.write = write
    }
    return text
  }
  const error = new KafkitError('usage', "unknown command 'x'", {hint: 'see all commands with: kafkit --help'})

  it('plain lines without colour when stderr is not a terminal', () => {
    expect(captureStderr(() => reportError(error, {json: false}, term(0)))).toBe("error: unknown command 'x'\nhint: see all commands with: kafkit --help\n")
  })

  it('coloured error label when stderr takes colour', () => {
    expect(captureStderr(() => reportError(error, {json: false}, term(1)))).toContain('\u001B[31merror:\u001B[39m')
  })

  it('an interrupt is labelled stopped:, not error:', () => {
    const stopped = new KafkitError('interrupted', 'interrupted by SIGINT after 3 record(s)')
    expect(captureStderr(() => reportError(stopped, {json: false}, term(0)))).toBe('stopped: interrupted by SIGINT after 3 record(s)\n')
  })

  it('warnings: a plain line for people, one JSON object per warning under --json', () => {
    const output = new Output(term(0))
    expect(captureStderr(() => output.warn('line 2: bad', 'invalid_input', {line: 2}))).toBe('warning: line 2: bad\n')
    output.jsonWarnings = true
    const text = captureStderr(() => output.warn('line 2: bad', 'invalid_input', {line: 2}))
    expect(JSON.parse(text)).toEqual({warning: {code: 'invalid_input', line: 2, message: 'line 2: bad'}})
  })

  it('one JSON object under --json, never colour', () => {
    const text = captureStderr(() => reportError(error, {json: true}, term(1)))
    expect(JSON.parse(text)).toEqual({error: {code: 'usage', message: "unknown command 'x'", hint: 'see all commands with: kafkit --help', exitCode: 2}})
  })
})

describe('live view', () => {
  it('hides the cursor, starts each frame on a cleared screen and gives the cursor back once', () => {
    let out = ''
    const output = new Output(term0())
    output.write = (text: string) => {
      out += text
    }
    const view = output.liveView()
    view.frame(() => output.line('one'))
    view.frame(() => output.line('two'))
    view.end()
    view.end()
    expect(out).toBe('\u001B[?25l\u001B[H\u001B[2Jone\n\u001B[H\u001B[2Jtwo\n\u001B[?25h')
  })

  it('cuts a frame taller than the terminal, saying how many lines are not shown', () => {
    let out = ''
    const output = new Output({...term0(), stdout: {isTTY: true, columns: 80, rows: 5}})
    output.write = (text: string) => {
      out += text
    }
    const view = output.liveView()
    view.frame(() => output.line('a\nb\nc\nd'))
    view.frame(() => output.line('a\nb\nc\nd\ne\nf'))
    expect(out).toBe('\u001B[?25l\u001B[H\u001B[2Ja\nb\nc\nd\n\u001B[H\u001B[2Ja\nb\nc\n… 3 more lines (a taller terminal shows them)\n')
  })

  it('leaves a frame alone when the height is unknown', () => {
    expect(fitHeight('a\nb\nc\n', 0, () => 'cut')).toBe('a\nb\nc\n')
    expect(fitHeight('a\nb\nc\n', 3, () => 'cut')).toBe('a\ncut\n')
  })
})

function term0() {
  return {stdout: {isTTY: true, columns: 80}, stderr: {isTTY: true, columns: 80}, color: new Chalk({level: 0}), errColor: new Chalk({level: 0})}
}
