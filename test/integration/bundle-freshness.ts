import {readdirSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'

import {repoRoot} from './cli.js'

// The integration tests run the built CLI; this check (run by the global setup) refuses a bundle
// older than what it is built from.

/** Every file the bundle is built from: src/, package.json, the tsconfigs and the bundle script. */
function buildInputs(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, {withFileTypes: true}).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]))
  return [...walk(join(repoRoot, 'src')), ...['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/bundle.mjs'].map((file) => join(repoRoot, file))]
}

/**
 * The tests run the built CLI (bin/run.cjs -> dist/kafkit.cjs). Run without `npm run build` after
 * a change, they would test the old code and pass or fail for the wrong reason: refuse instead.
 */
export function assertBundleFresh(bundle = join(repoRoot, 'dist', 'kafkit.cjs'), inputs: readonly string[] = buildInputs()): void {
  let built: number
  try {
    built = statSync(bundle).mtimeMs
  } catch {
    throw new Error(`${relative(repoRoot, bundle)} does not exist: the CLI is not built. Run: npm run build`)
  }
  const newer = inputs.filter((file) => (statSync(file, {throwIfNoEntry: false})?.mtimeMs ?? 0) > built)
  if (newer.length > 0) {
    const names = newer.slice(0, 3).map((file) => relative(repoRoot, file)).join(', ')
    throw new Error(`${relative(repoRoot, bundle)} is older than ${names}${newer.length > 3 ? ` and ${newer.length - 3} more` : ''}: the tests would run a stale CLI. Run: npm run build`)
  }
}
