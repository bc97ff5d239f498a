import {setFlagsFromString} from 'node:v8'

// V8's optimizing compiler, switched off for runs whose per-record work is all in C.

/**
 * For a run certain to read through the native consume loop, which calls JavaScript once per
 * batch of thousands of records: V8's optimizing compiler (TurboFan) has nothing to speed up
 * there, yet the first function it compiles, whichever it is (a Node path helper made hot by
 * module loading, a stream callback), maps its code and a working area: 3-5 MB of a peak of
 * about 80 MB for a million records (measured: docs/benchmarks.md, "Memory"). The interpreter
 * and the baseline compiler stay. Call it before loading anything: there is no switching back
 * (V8 does not honour a later, higher --max-opt).
 */
export function skipOptimizingCompiler(): void {
  // bin/run.cjs saves its V8 code cache first, if it has one to save: V8 stamps a cache with its
  // flags, and one saved after this change would be rejected by every later start.
  const beforeChange = (globalThis as Record<symbol, unknown>)[Symbol.for('kafkit.beforeV8FlagsChange')]
  if (typeof beforeChange === 'function') beforeChange()
  setFlagsFromString('--max-opt=1')
}
