#!/usr/bin/env node
// kafkit's entry point. Kept tiny: start-up time matters to scripts that call kafkit thousands of times.

// A closed pipe on stdout (`kafkit ... | head`) is a normal end, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})

// The command is done. librdkafka may still hold a request that a fast failure abandoned, which
// would keep the process alive until its own timeout: exit once stdout and stderr have drained.
const drain = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', resolve)))
await Promise.all([drain(process.stdout), drain(process.stderr)])
process.exit()
