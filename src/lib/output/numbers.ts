// Numbers for people: 1234567 -> "1,234,567". Written by hand because the first use of
// Intl.NumberFormat loads ICU data, about 20 ms that a short `kafkit produce` should not pay.

export function groupDigits(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const sign = n < 0 ? '-' : ''
  const digits = String(Math.round(Math.abs(n)))
  let out = ''
  for (let end = digits.length; end > 0; end -= 3) out = (end > 3 ? ',' : '') + digits.slice(Math.max(0, end - 3), end) + out
  return sign + out
}
