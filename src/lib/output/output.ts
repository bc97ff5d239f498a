import {LiveView} from './live-view.js'
import {renderTable, type Column} from './table.js'
import {terminal, type Terminal} from './terminal.js'

// The one object commands use to show things. stdout carries data only; everything meant for
// the person (notices, warnings, progress) goes to stderr.

export class Output {
  readonly term: Terminal

  constructor(term: Terminal = terminal()) {
    this.term = term
  }

  get isTTY(): boolean {
    return this.term.stdout.isTTY
  }

  /** Whether stderr (progress, notices) is a terminal. */
  get isErrTTY(): boolean {
    return this.term.stderr.isTTY
  }

  get color() {
    return this.term.color
  }

  /** Raw data to stdout. */
  write(text: string): void {
    process.stdout.write(text)
  }

  line(text = ''): void {
    this.write(text + '\n')
  }

  table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): void {
    renderTable({isTTY: this.isTTY, color: this.color, write: (t) => this.write(t)}, rows, columns)
  }

  /** What `draw` writes to stdout, returned instead of written (a live view measures its frame first). */
  capture(draw: () => void): string {
    let text = ''
    const write = this.write
    this.write = (t: string) => {
      text += t
    }
    try {
      draw()
    } finally {
      this.write = write
    }
    return text
  }

  /** A view redrawn in place, for a terminal only (the caller checks isTTY). */
  liveView(): LiveView {
    return new LiveView(this)
  }

  /**
   * A titled block of `label: value` pairs on a terminal; piped, `label<TAB>value` lines
   * (the label lower-cased with dashes) so a script can grep one field.
   */
  fields(pairs: ReadonlyArray<readonly [string, string | number | null | undefined]>, title?: string): void {
    if (!this.isTTY) {
      for (const [label, value] of pairs) this.line(`${label.toLowerCase().replaceAll(' ', '-')}\t${value ?? ''}`)
      return
    }
    if (title) this.line(this.color.bold(title))
    const width = Math.max(...pairs.map(([label]) => label.length))
    for (const [label, value] of pairs) this.line(`${this.color.dim(label.padEnd(width))}  ${value ?? ''}`)
  }

  /** A notice for the person at the terminal: stderr, never mixed into data. */
  notice(text: string): void {
    process.stderr.write(text + '\n')
  }

  /**
   * Under --json, warnings too are JSON (one object per line on stderr), so a script reading
   * stderr never meets plain text: {"warning":{"code":...,"message":...,...details}}.
   */
  jsonWarnings = false

  /** A warning on stderr; `code` and `details` appear only in the JSON form. */
  warn(text: string, code = 'warning', details: Record<string, unknown> = {}): void {
    if (this.jsonWarnings) {
      process.stderr.write(JSON.stringify({warning: {code, ...details, message: text}}) + '\n')
      return
    }
    process.stderr.write(`${this.term.errColor.yellow('warning:')} ${text}\n`)
  }

  /** A progress line that redraws in place; only when stderr is a terminal. */
  progress(text: string): void {
    if (!this.term.stderr.isTTY) return
    process.stderr.write(`\r\x1b[2K${text}`)
  }

  endProgress(): void {
    if (this.term.stderr.isTTY) process.stderr.write('\r\x1b[2K')
  }
}
