import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {KafkitError} from './errors.js'

let cached: string | undefined

/**
 * kafkit's package folder (the one with its package.json), where native/ and kafka/ live. The
 * code runs from src/ under vitest and from dist/kafkit.cjs when built, so walk up instead of
 * assuming a depth.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  if (cached && arguments.length === 0) return cached
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as {name?: string}).name === 'kafkit') return (cached = dir)
      } catch {
        // not JSON: keep walking
      }
    }
    if (dirname(dir) === dir) break
  }
  throw new KafkitError('environment', `cannot find kafkit's package folder above ${from}`, {hint: 'run kafkit from its installed package'})
}

/** Whether kafkit runs from a developer's checkout (with its sources and setup script) rather than an installed package. */
export const isSourceCheckout = (): boolean => existsSync(join(packageRoot(), 'src')) && existsSync(join(packageRoot(), 'scripts', 'setup.sh'))

/** A file of one of kafkit's native extensions, e.g. nativeModulePath('kafkit_admin'). */
export const nativeModulePath = (name: string): string => join(packageRoot(), 'native', 'build', 'Release', `${name}.node`)
