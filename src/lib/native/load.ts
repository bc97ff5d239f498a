// Loads kafkit's C extensions (native/build/Release/kafkit_*.node) and refuses one whose contract
// (src/lib/native/contracts.ts) differs from this code's: a stale build would misread records.
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'

import {KafkitError} from '../errors.js'
import {isSourceCheckout, nativeModulePath, packageRoot} from '../package-root.js'
import {EXTENSION_CONTRACTS, type ExtensionName} from './contracts.js'

/** How to (re)build the extensions, for a developer's checkout or an installed package. */
function rebuildHint(missing: boolean): string {
  if (isSourceCheckout()) return missing ? 'run: bash scripts/setup.sh' : 'rebuild them: bash scripts/build-native.sh --force'
  return `rebuild them (needs a C compiler, see "Install" in kafkit's README): cd '${packageRoot()}' && npm run install`
}

/**
 * The differences between the contract an extension reports and the expected one, as
 * "field: got X, expected Y" texts (none when they agree).
 */
export function contractDifferences(expected: unknown, actual: unknown, path = 'contract'): string[] {
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return [`${path}: missing`]
    return Object.entries(expected).flatMap(([key, value]) => contractDifferences(value, (actual as Record<string, unknown>)[key], `${path}.${key}`))
  }
  return Object.is(expected, actual) ? [] : [`${path}: got ${String(actual)}, expected ${String(expected)}`]
}

/** Throws an 'environment' error when a loaded extension's contract is not this code's. */
export function checkContract(name: ExtensionName, module: unknown): void {
  const differences = contractDifferences(EXTENSION_CONTRACTS[name], (module as {contract?: unknown} | null)?.contract)
  if (differences.length === 0) return
  throw new KafkitError('environment', `kafkit native ${name} extension is stale: it was built from other sources than this kafkit (${differences.join('; ')})`, {
    hint: rebuildHint(false),
  })
}

/**
 * The extension `kafkit_<name>.node`, checked against its contract. A missing or unloadable
 * extension is an 'environment' error, or undefined with `optional` (the caller has another
 * way); a stale one is always an error.
 */
export function loadExtension<T>(name: ExtensionName, options: {optional: true}): T | undefined
export function loadExtension<T>(name: ExtensionName, options?: {optional?: false}): T
export function loadExtension<T>(name: ExtensionName, options: {optional?: boolean} = {}): T | undefined {
  const file = nativeModulePath(`kafkit_${name}`)
  if (!existsSync(file)) {
    if (options.optional) return undefined
    throw new KafkitError('environment', `kafkit native ${name} extension is not built`, {hint: rebuildHint(true)})
  }
  let module: unknown
  try {
    module = createRequire(import.meta.url)(file)
  } catch (error) {
    if (options.optional) return undefined
    throw new KafkitError('environment', `kafkit native ${name} extension failed to load: ${(error as Error).message.split('\n')[0]}`, {
      hint: rebuildHint(false),
      cause: error,
    })
  }
  checkContract(name, module)
  return module as T
}
