import {createRequire} from 'node:module'

import type {ChalkInstance} from 'chalk'
import type TableType from 'cli-table3'

// Tables are the one human rendering of row data. On a terminal: aligned columns with a
// coloured header. Piped: tab-separated rows without header, colour or truncation, so that
// cut, awk and xargs see exactly one record per line.

export type Cell = string | number | bigint | boolean | null | undefined

export interface Column<Row> {
  header: string
  value: (row: Row) => Cell
  /** Optional styling on a terminal only (e.g. red for a problem). */
  style?: (text: string, row: Row, color: ChalkInstance) => string
  align?: 'left' | 'right'
}

export interface TableTarget {
  isTTY: boolean
  color: ChalkInstance
  write: (text: string) => void
}

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return ''
  return String(cell)
}

/** Keeps one row per line and the tab as the only separator when piped. */
function escapePlain(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r')
}

export function renderPlainRows<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  let out = ''
  for (const row of rows) {
    out += columns.map((c) => escapePlain(cellText(c.value(row)))).join('\t') + '\n'
  }
  return out
}

export function renderTerminalTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  color: ChalkInstance,
): string {
  // Loaded only for terminal tables: piped output and JSON never pay for it.
  const Table = createRequire(import.meta.url)('cli-table3') as typeof TableType
  const table = new Table({
    head: columns.map((c) => color.bold(c.header)),
    colAligns: columns.map((c) => c.align ?? 'left'),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
      bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '',
      right: '', 'right-mid': '', middle: '  ',
    },
    style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0},
  })
  for (const row of rows) {
    table.push(
      columns.map((c) => {
        const text = cellText(c.value(row))
        return c.style ? c.style(text, row, color) : text
      }),
    )
  }
  // cli-table3 pads the last column; trailing blanks only get in the way of copy and paste.
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n') + '\n'
}

export function renderTable<Row>(target: TableTarget, rows: readonly Row[], columns: readonly Column<Row>[]): void {
  if (!target.isTTY) {
    target.write(renderPlainRows(rows, columns))
    return
  }
  if (rows.length === 0) return
  target.write(renderTerminalTable(rows, columns, target.color))
}
