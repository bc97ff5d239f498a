import type {Output} from './output.js'

// A view redrawn in place on a terminal (lag --watch): the cursor is hidden while it runs, and
// each frame starts at the top of a cleared screen. The escape sequences live here only.

const HIDE_CURSOR = '\u001B[?25l'
const SHOW_CURSOR = '\u001B[?25h'
// Home, then clear the screen: a shorter frame leaves nothing of the longer one before it.
const HOME_AND_CLEAR = '\u001B[H\u001B[2J'

export class LiveView {
  private ended = false

  constructor(private readonly out: Output) {
    out.write(HIDE_CURSOR)
  }

  /** Clears the screen and lets `draw` write the new frame through the Output. */
  frame(draw: () => void): void {
    this.out.write(HOME_AND_CLEAR)
    draw()
  }

  /** Gives the cursor back (call in `finally`); the last frame stays on screen. */
  end(): void {
    if (this.ended) return
    this.ended = true
    this.out.write(SHOW_CURSOR)
  }
}
