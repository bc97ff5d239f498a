import {usageError} from '../errors.js'

// The one escape rule set for text typed on the command line: produce's separators
// (--delimiter, --key-separator) and consume's format strings (-f). As in kcat:
//   \n \r \t \0 \\   newline, carriage return, tab, NUL, backslash
//   \xHH             the byte HH (two hex digits)
// A backslash before anything else is a usage error (a typo should not print silently); a
// backslash at the very end stands for itself. Everything else is taken literally, as UTF-8.

const SIMPLE: Record<string, number> = {n: 0x0a, r: 0x0d, t: 0x09, '0': 0x00, '\\': 0x5c}

const HINT = 'escapes are \\n \\r \\t \\0 \\\\ and \\xHH'

/** Turns `\t`, `\0`, `\x1e` ... into their bytes; `what` names the flag in errors. */
export function unescapeBytes(text: string, what: string): Buffer {
  const bytes: number[] = []
  let plain = ''
  const flushPlain = () => {
    if (plain !== '') bytes.push(...Buffer.from(plain, 'utf8'))
    plain = ''
  }
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (char !== '\\' || i === text.length - 1) {
      plain += char
      continue
    }
    flushPlain()
    const next = text[i + 1]!
    if (next in SIMPLE) {
      bytes.push(SIMPLE[next]!)
      i++
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16))
      i += 3
    } else {
      throw usageError(`${what}: unknown escape '\\${next === 'x' ? text.slice(i + 1, i + 4) : next}'`, HINT)
    }
  }
  flushPlain()
  return Buffer.from(bytes)
}

/** A separator typed on the command line: escapes as above, and never empty. */
export function parseEscapes(text: string, flag: string): Buffer {
  const bytes = unescapeBytes(text, flag)
  if (bytes.length === 0) throw usageError(`${flag} must not be empty`)
  return bytes
}
