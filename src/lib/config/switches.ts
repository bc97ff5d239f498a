import {homedir} from 'node:os'
import {join} from 'node:path'

// The environment switches that are not connection settings, read in one place (the Kafka core
// never reads the environment: commands pass these down as options). Documented in docs/configuration.md.

/** KAFKIT_DEBUG=1: as if --debug were given. */
export const debugFromEnvironment = (): boolean => process.env.KAFKIT_DEBUG === '1'

/** KAFKIT_NATIVE_CONSUME=0: read with the JS loop even where the native one could (for comparison and tests). */
export const nativeConsumeAllowed = (): boolean => process.env.KAFKIT_NATIVE_CONSUME !== '0'

/** Where kafkit keeps caches: $XDG_CACHE_HOME/kafkit, else ~/.cache/kafkit (as bin/run.cjs does for its code cache). */
export const cacheDirectory = (): string => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kafkit')
