// A growing UTF-8 byte buffer that formatters write JSON text into piece by piece: numbers as
// digits, plain ASCII strings byte by byte, instead of building a string per record and encoding
// it (the strings, their flattening and their garbage cost more than the writing). What it
// writes is byte for byte what JSON.stringify of the same value gives, as UTF-8.

const POWERS_OF_TEN = Array.from({length: 16}, (_, p) => 10 ** p)

export class TextOutput {
  buffer: Buffer
  /** Bytes written so far. */
  length = 0

  constructor(size = 1 << 20) {
    this.buffer = Buffer.allocUnsafeSlow(size)
  }

  /** Room for `bytes` more bytes. */
  reserve(bytes: number): void {
    if (this.length + bytes > this.buffer.length) {
      // A buffer of its own (never a slice of Node's shared pool): framed.ts hands it on whole.
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + bytes))
      this.buffer.copy(grown, 0, 0, this.length)
      this.buffer = grown
    }
  }

  /** Starts again from empty (the buffer is kept). */
  reset(): void {
    this.length = 0
  }

  /** Starts again from empty, in `buffer`. */
  use(buffer: Buffer): void {
    this.buffer = buffer
    this.length = 0
  }

  byte(b: number): void {
    this.reserve(1)
    this.buffer[this.length++] = b
  }

  /** Bytes as they are (a literal piece of the output). */
  bytes(bytes: Buffer): void {
    const n = bytes.length
    this.reserve(n)
    const buffer = this.buffer
    let at = this.length
    for (let i = 0; i < n; i++) buffer[at++] = bytes[i]!
    this.length = at
  }

  /** Any text, as UTF-8. */
  text(text: string): void {
    const n = text.length
    this.reserve(n * 3)
    const buffer = this.buffer
    const start = this.length
    // ASCII byte by byte (short texts: cheaper than a call into Buffer.write), the rest by Buffer.write.
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c > 0x7f) {
        this.length = start + i + buffer.write(text.slice(i), start + i, 'utf8')
        return
      }
      buffer[start + i] = c
    }
    this.length = start + n
  }

  /** Text known to be ASCII (a number's, base64). */
  ascii(text: string): void {
    const n = text.length
    this.reserve(n)
    const buffer = this.buffer
    let at = this.length
    for (let i = 0; i < n; i++) buffer[at++] = text.charCodeAt(i)
    this.length = at
  }

  /** A number as JSON.stringify writes it (non-finite numbers as null), without making its text where it can. */
  number(n: number): void {
    if (Number.isSafeInteger(n)) {
      this.reserve(17)
      if (n < 0) {
        this.buffer[this.length++] = 0x2d
        n = -n
      }
      this.digits(n)
    } else if (!this.shortDecimal(n)) {
      this.ascii(Number.isFinite(n) ? `${n}` : 'null')
    }
  }

  /** A non-negative safe integer's digits (room reserved). */
  private digits(n: number): void {
    if (n >= 1e8) {
      // The low 8 digits zero-padded after the high ones: integer arithmetic on both halves.
      const high = Math.floor(n / 1e8)
      this.digits(high)
      this.paddedDigits(n - high * 1e8, 8)
      return
    }
    let width = 1
    for (let p = 10; p <= n; p *= 10) width++
    this.paddedDigits(n, width)
  }

  /** n (< 1e8) as exactly `width` digits. */
  private paddedDigits(n: number, width: number): void {
    const buffer = this.buffer
    let x = n | 0
    const end = this.length + width
    for (let at = end - 1; at >= this.length; at--) {
      const q = (x / 10) | 0
      buffer[at] = 0x30 + x - q * 10
      x = q
    }
    this.length = end
  }

  /**
   * A number with a few decimals (an amount: 13701.37) written as its shortest text without
   * making a string (which costs as much as the rest of a record). The text with p decimals is
   * m / 10^p for m = round(|n| * 10^p); it is n's text when it reads back as n and p is the
   * least that does. Below 1e15 for m only one integer can read back as n per p (n's rounding
   * interval is narrower than 0.25 there), so the first p found is the one JavaScript prints.
   * Fixed notation only (1e-6 <= |n| < 1e15, where JavaScript prints no exponent).
   */
  private shortDecimal(n: number): boolean {
    const a = n < 0 ? -n : n
    if (!(a >= 1e-6 && a < 1e15)) return false
    for (let p = 1; p <= 15; p++) {
      const scale = POWERS_OF_TEN[p]!
      const m = Math.round(a * scale)
      if (m >= 1e15) return false
      if (m / scale !== a) continue
      this.reserve(20)
      if (n < 0) this.buffer[this.length++] = 0x2d
      const whole = Math.floor(m / scale)
      this.digits(whole)
      this.buffer[this.length++] = 0x2e
      const fraction = m - whole * scale
      if (p > 8) {
        const high = Math.floor(fraction / 1e8)
        this.paddedDigits(high, p - 8)
        this.paddedDigits(fraction - high * 1e8, 8)
      } else {
        this.paddedDigits(fraction, p)
      }
      return true
    }
    return false
  }

  /** A string as JSON: quoted, escaped as JSON.stringify escapes it. */
  string(s: string): void {
    const n = s.length
    this.reserve(n + 2)
    const buffer = this.buffer
    const start = this.length
    let at = start
    buffer[at++] = 0x22
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      // Printable ASCII other than " and \ is written as it is; anything else by JSON.stringify.
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.length = start
        this.text(JSON.stringify(s))
        return
      }
      buffer[at++] = c
    }
    buffer[at++] = 0x22
    this.length = at
  }
}
