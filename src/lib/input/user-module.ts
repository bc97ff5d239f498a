import {existsSync} from 'node:fs'
import {resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import {KafkitError} from '../errors.js'

// A JavaScript module of the user's (pipe --transform FILE.js|FILE.mjs), loaded as Node loads it.

type Importer = (url: string) => Promise<Record<string, unknown>>

/**
 * Imports the file. The bundle runs from V8's code cache, where Node 20 cannot import():
 * bin/run.cjs provides an importer that can (see scripts/bundle.mjs).
 */
export async function importUserModule(file: string, flag: string): Promise<Record<string, unknown>> {
  const path = resolve(file)
  if (!existsSync(path)) throw new KafkitError('not_found', `${flag} ${file}: no such file`)
  const bridge = (globalThis as Record<symbol, unknown>)[Symbol.for('kafkit.import')] as Importer | undefined
  const url = pathToFileURL(path).href
  try {
    return bridge ? await bridge(url) : ((await import(url)) as Record<string, unknown>)
  } catch (error) {
    const message = (error as Error).message?.split('\n')[0] ?? String(error)
    throw new KafkitError('usage', `${flag} ${file}: cannot load the module: ${message}`)
  }
}
