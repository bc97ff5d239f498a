import type {Output} from './output.js'

// A view redrawn in place on a terminal (lag --watch): the cursor is hidden while it runs, and
// each frame starts at the top of a cleared screen and is cut to the terminal's height, so it
// never scrolls (the rows that matter most come first). The escape sequences live here only.

const HIDE_CURSOR = '\u001B[?25l'
const SHOW_CURSOR = '\u001B[?25h'
// Home, then clear the screen: a shorter frame leaves nothing of the longer one before it.
const HOME_AND_CLEAR = '\u001B[H\u001B[2J'

export class LiveView {
  private ended = false

  constructor(private readonly out: Output) {
    out.write(HIDE_CURSOR)
  }

  /** Clears the screen and shows what `draw` writes through the Output, as many lines as fit. */
  frame(draw: () => void): void {
    const text = this.out.capture(draw)
    this.out.write(HOME_AND_CLEAR + fitHeight(text, this.out.term.stdout.rows ?? 0, (more) => this.out.color.dim(`… ${more} more lines (a taller terminal shows them)`)))
  }

  /** Gives the cursor back (call in `finally`); the last frame stays on screen. */
  end(): void {
    if (this.ended) return
    this.ended = true
    this.out.write(SHOW_CURSOR)
  }
}

/** The frame's first lines when it is taller than the terminal (one row kept for the cursor), with a last line saying how many are cut. */
export function fitHeight(text: string, rows: number, cut: (more: number) => string): string {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
  if (rows < 3 || lines.length <= rows - 1) return text
  const kept = lines.slice(0, rows - 2)
  return [...kept, cut(lines.length - kept.length)].join('\n') + '\n'
}
