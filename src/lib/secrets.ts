// Secrets (passwords, tokens, private keys) must never reach any output, error or debug log.
// Two guards: properties with a secret-looking name are masked wherever configs are shown, and
// every known secret value is scrubbed from any text before it is printed.

export const MASK = '********'

const SECRET_NAME = /(password|secret|token|jaas|private|\.pem$|^ssl\.key\.|credential|sasl\.oauthbearer\.config)/i

export function isSecretProperty(name: string): boolean {
  return SECRET_NAME.test(name)
}

export function maskProperties(properties: Record<string, string>): Record<string, string> {
  const masked: Record<string, string> = {}
  for (const [key, value] of Object.entries(properties)) masked[key] = isSecretProperty(key) ? MASK : value
  return masked
}

/** Values of secret properties, to scrub from text. Very short values are skipped: masking "a" would mangle text. */
export function secretValues(properties: Record<string, string>): string[] {
  return Object.entries(properties)
    .filter(([key, value]) => isSecretProperty(key) && value.length >= 3)
    .map(([, value]) => value)
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text
  // Longest first, so a secret that contains another is masked whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret) out = out.split(secret).join(MASK)
  }
  return out
}
