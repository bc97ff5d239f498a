import {mkdtempSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {assertBundleFresh} from '../integration/bundle-freshness.js'

describe('the integration setup refuses a stale bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafkit-fresh-'))
  const file = (name: string, secondsAgo: number) => {
    const path = join(dir, name)
    writeFileSync(path, '')
    const at = Date.now() / 1000 - secondsAgo
    utimesSync(path, at, at)
    return path
  }

  it('passes when the bundle is newer than every input', () => {
    expect(() => assertBundleFresh(file('new.cjs', 10), [file('a.ts', 60), file('b.ts', 30)])).not.toThrow()
  })

  it('names the newer source and the fix', () => {
    expect(() => assertBundleFresh(file('old.cjs', 60), [file('c.ts', 90), file('changed.ts', 5)])).toThrowError(/older than .*changed\.ts.*Run: npm run build/)
  })

  it('a missing bundle says the CLI is not built', () => {
    expect(() => assertBundleFresh(join(dir, 'none.cjs'), [])).toThrowError(/does not exist: the CLI is not built\. Run: npm run build/)
  })
})
