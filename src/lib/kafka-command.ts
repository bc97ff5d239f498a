import {Flags, Interfaces} from '@oclif/core'

import {BaseCommand} from './base-command.js'
import {resolveConnection, type Connection, type ConnectionInput} from './config/connection.js'
import {parseDuration} from './duration.js'
import {KafkaSession} from './kafka/session.js'
import {redactSecrets} from './secrets.js'

const DEFAULT_TIMEOUT = '10s'

/** Connection flags, the same in every command that talks to Kafka (docs/configuration.md). */
const connectionFlags = {
  'bootstrap-server': Flags.string({
    char: 'b',
    summary: 'Kafka bootstrap servers, host:port[,host:port].',
    description: 'Overrides $KAFKA_BOOTSTRAP_SERVERS, --command-config and the profile. Default: localhost:9092.',
    helpGroup: 'CONNECTION',
  }),
  profile: Flags.string({
    summary: 'Connection profile from ~/.config/kafkit/config.yaml.',
    description: 'Defaults to $KAFKIT_PROFILE, then the file\'s default-profile.',
    helpGroup: 'CONNECTION',
  }),
  property: Flags.string({
    char: 'X',
    summary: 'librdkafka client property key=value (repeatable), like kcat -X.',
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'CONNECTION',
  }),
  'command-config': Flags.string({
    summary: 'Java client .properties file (as for the Apache tools), including sasl.jaas.config.',
    helpGroup: 'CONNECTION',
  }),
  timeout: Flags.string({
    summary: 'Bound on every broker operation: 10s, 500ms, 1m (a bare number is seconds).',
    default: DEFAULT_TIMEOUT,
    helpGroup: 'CONNECTION',
  }),
}

type ConnectionFlagValues = Interfaces.InferredFlags<typeof connectionFlags>

/**
 * Base for commands that talk to Kafka. Commands call `this.connect(flags)` after parsing and
 * use the session; it is closed in `finally` whatever happens.
 */
export abstract class KafkaCommand extends BaseCommand {
  static baseFlags = {...BaseCommand.baseFlags, ...connectionFlags}

  private session?: KafkaSession
  private otherSessions: KafkaSession[] = []

  protected connect(flags: ConnectionFlagValues): KafkaSession {
    const connection: Connection = resolveConnection({
      bootstrapServer: flags['bootstrap-server'],
      profile: flags.profile,
      properties: flags.property,
      commandConfig: flags['command-config'],
      timeoutMs: parseDuration(flags.timeout, '--timeout'),
    })
    this.secrets.push(...connection.secrets)
    for (const warning of connection.warnings) this.out.warn(redactSecrets(warning, this.secrets))
    this.debugLog(`bootstrap ${connection.bootstrapServers} (from ${connection.bootstrapSource}${connection.profile ? `, profile ${connection.profile}` : ''})`)
    this.session = new KafkaSession(connection, this.debugEnabled ? (line) => this.debugLog(line) : undefined)
    return this.session
  }

  /** A session with a second cluster (pipe's destination): only what its flags name counts. */
  protected connectOther(input: Omit<ConnectionInput, 'namedOnly'>): KafkaSession {
    const connection = resolveConnection({...input, namedOnly: true})
    this.secrets.push(...connection.secrets)
    for (const warning of connection.warnings) this.out.warn(redactSecrets(warning, this.secrets))
    const session = new KafkaSession(connection, this.debugEnabled ? (line) => this.debugLog(`(${connection.bootstrapServers}) ${line}`) : undefined)
    this.otherSessions.push(session)
    return session
  }

  async finally(err: Error | undefined): Promise<void> {
    for (const session of this.otherSessions) await session.close()
    await this.session?.close()
    await super.finally(err)
  }
}
