import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/base-command.js'
import {parseDuration} from '../../lib/duration.js'
import {
  type ClusterSize,
  type LocalKafkaStartResult,
  type LocalSecurityInfo,
  SECURITY_MODES,
  type SecurityMode,
  startLocalKafka,
  writeSecureProfile,
} from '../../lib/local/index.js'

export interface LocalStartResult extends LocalKafkaStartResult {
  /** The kafkit profile written for a secured node, and the file it is in. */
  profile?: {name: string; configFile: string}
}

export default class LocalStart extends BaseCommand {
  static description = `Start a real Apache Kafka (KRaft) on this machine, without Docker.

Runs Apache Kafka 4.3.1 as Java processes in the background (Java 17+ needed; the jars come from $KAFKA_HOME, or are downloaded once with Maven). The first start creates the cluster in the state folder; later starts reuse its topics and data. Prints the bootstrap address; when the cluster runs already, prints it too.

Ports: brokers use --port and the ports after it (one per node); the controllers use the next ones (9092 and 9093 for one node).

--security starts one secured node instead (see docs/security.md): a throwaway CA and certificates, random passwords in files under the state folder, ACLs enforced with 'admin' as the super user. It always runs four client listeners, on --port and the next three: sasl (SASL_PLAINTEXT; PLAIN, SCRAM-SHA-256/512, OAUTHBEARER), sasl-tls (SASL_SSL), tls (SSL, no client identity) and mtls (SSL with a client certificate), then the controller. The mode picks the listener printed and written as a kafkit profile (--profile-name), so 'kafkit topics list --profile local-sasl' works at once. Passwords are never printed: the output names the files that hold them.`

  static examples = [
    {description: 'Start one node on 127.0.0.1:9092', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Use it from a script', command: 'export KAFKA_BOOTSTRAP_SERVERS=$(<%= config.bin %> <%= command.id %>)'},
    {description: 'A three-node cluster on ports 19092-19094, in its own folder', command: '<%= config.bin %> <%= command.id %> --nodes 3 --port 19092 --state-dir /tmp/kafka-3'},
    {
      description: 'A secured node (SASL/SCRAM as admin) in its own folder, with a second user alice',
      command: '<%= config.bin %> <%= command.id %> --security sasl --user alice --port 29092 --state-dir /tmp/kafka-secure',
    },
    {description: 'Then use its profile', command: '<%= config.bin %> topics list --profile local-sasl'},
  ]

  static flags = {
    nodes: Flags.string({
      description: 'Number of nodes (each one is broker and controller); only for a new state folder. [default: 1]',
      options: ['1', '3'],
    }),
    port: Flags.integer({
      description: 'First broker port; only for a new state folder. [default: 9092]',
      min: 1,
      max: 65_535,
    }),
    'state-dir': Flags.string({
      description: 'Folder for the cluster data, config and logs. [default: $KAFKIT_LOCAL_DIR or ~/.local/state/kafkit/local]',
    }),
    security: Flags.string({
      description: 'Start one secured node; the listener to print and write the profile for. A plaintext state folder cannot become secured.',
      options: [...SECURITY_MODES],
    }),
    user: Flags.string({
      description: 'A user besides admin (SCRAM, PLAIN and a client certificate, random password); repeatable; only for a new secured state folder.',
      multiple: true,
      dependsOn: ['security'],
    }),
    'profile-name': Flags.string({
      description: 'Name of the kafkit profile written for a secured node. [default: local-<mode>]',
      dependsOn: ['security'],
    }),
    timeout: Flags.string({
      description: 'How long to wait for the brokers to be ready, e.g. 90s or 2m.',
      default: '90s',
    }),
  }

  async run(): Promise<LocalStartResult> {
    const {flags} = await this.parse(LocalStart)
    const mode = flags.security as SecurityMode | undefined
    const started = await startLocalKafka({
      nodes: flags.nodes === undefined ? undefined : (Number(flags.nodes) as ClusterSize),
      port: flags.port,
      stateDir: flags['state-dir'],
      security: mode,
      users: flags.user,
      timeoutMs: parseDuration(flags.timeout, '--timeout'),
      onProgress: (message) => this.out.notice(message),
    })
    const result: LocalStartResult = {...started}
    if (result.security) {
      const name = flags['profile-name'] ?? `local-${result.security.mode}`
      result.profile = {name, configFile: writeSecureProfile(result.security, result.security.mode, name)}
      this.out.notice(`wrote the kafkit profile '${name}' to ${result.profile.configFile}`)
    }
    if (result.alreadyRunning) this.out.notice(`Kafka is already running (state folder ${result.stateDir})`)
    if (this.jsonEnabled()) return result
    if (!this.out.isTTY) {
      this.out.line(result.bootstrapServers)
      return result
    }
    const stateDirFlag = flags['state-dir'] === undefined ? '' : ` --state-dir ${result.stateDir}`
    const logs = result.nodes.map((node): [string, string] => [result.nodes.length > 1 ? `Log node ${node.nodeId}` : 'Log', node.logFile])
    this.out.fields(
      [
        ['Bootstrap', result.bootstrapServers],
        ['Cluster id', result.clusterId],
        ['State folder', result.stateDir],
        ...(result.security ? this.securityFields(result.security, result.profile!.name) : []),
        ...logs,
        ['Stop with', `${this.config.bin} local stop${stateDirFlag}`],
      ],
      `Apache Kafka ${result.kafkaVersion} is running (${result.nodes.length} node${result.nodes.length > 1 ? 's' : ''}${result.security ? ', secured' : ''})`,
    )
    return result
  }

  /** What a client needs, passwords by file only. */
  private securityFields(security: LocalSecurityInfo, profile: string): Array<[string, string]> {
    const admin = security.users[0]!
    const listeners = SECURITY_MODES.map((mode): [string, string] => [`Listener ${mode}`, security.listeners[mode]])
    return [
      ...listeners,
      ['SASL mechanisms', security.saslMechanisms.join(', ')],
      ['Admin user', security.adminUser],
      ['Password file', admin.passwordFile],
      ['CA file', security.caFile],
      ['Client cert', `${admin.certificateFile} (key ${admin.keyFile})`],
      ['client.properties', security.clientProperties[security.mode]],
      ...security.users.slice(1).map((user): [string, string] => [`User ${user.name}`, `password file ${user.passwordFile}`]),
      ['Try', `${this.config.bin} topics list --profile ${profile}`],
    ]
  }
}
