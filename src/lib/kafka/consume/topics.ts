import {KafkitError} from '../../errors.js'
import type {KafkaSession} from '../session.js'

// Which topics a consume reads: the named ones (they must exist), then those whose whole name
// matches the pattern (internal `__` topics left out), in name order.

export async function resolveTopics(session: KafkaSession, names: readonly string[], pattern?: string): Promise<string[]> {
  const existing = await session.metadataTopicNames()
  const known = new Set(existing)
  for (const topic of names) {
    if (!known.has(topic)) {
      throw new KafkitError('not_found', `topic ${topic} does not exist`, {hint: 'list topics with: kafkit topics list', kafkaCode: 'UNKNOWN_TOPIC_OR_PART'})
    }
  }
  const topics = [...names]
  if (pattern === undefined) return topics
  const re = compilePattern(pattern)
  for (const name of [...existing].sort()) if (re.test(name) && !name.startsWith('__') && !topics.includes(name)) topics.push(name)
  return topics
}

function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`)
  } catch (error) {
    throw new KafkitError('usage', `invalid --pattern: ${(error as Error).message}`)
  }
}
