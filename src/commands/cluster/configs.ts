import {Flags} from '@oclif/core'

import {readKeyFile} from '../../lib/input/key-file.js'
import {KafkaCommand} from '../../lib/kafka-command.js'
import {
  alterBrokerConfigs,
  type AlterBrokerConfigsResult,
  type BrokerConfigChange,
  brokerConfigOps,
  type BrokerConfigsResult,
  describeBrokerConfigs,
  isSecretConfigName,
} from '../../lib/kafka/broker-configs.js'
import {MASKED_VALUE} from '../../lib/kafka/topics/configs.js'

const shown = (value: string | null, sensitive: boolean) => (sensitive ? MASKED_VALUE : value === null ? '(none)' : value === '' ? '""' : value)

export default class ClusterConfigs extends KafkaCommand {
  static summary = 'Show or change broker configs, per broker or cluster-wide (like kafka-configs --entity-type brokers).'
  static description = `Without --broker: the cluster-wide defaults every broker inherits (kafka-configs --entity-default). With --broker N: every config of broker N with its value and where it comes from (--entity-name N --describe --all): broker (set for this broker), cluster (the cluster-wide default), broker-static (server.properties) or default (Kafka's).
Sensitive values (passwords, keys) are never shown: they appear as ${MASKED_VALUE}.
--set key=value and --delete key change configs incrementally (other dynamic configs stay), of broker N with --broker, else cluster-wide. The broker validates the change first, also with --dry-run, which then shows current -> new and changes nothing.
Piped, showing: NAME<TAB>VALUE<TAB>SOURCE<TAB>SENSITIVE<TAB>READ-ONLY (SOURCE as Kafka names it, e.g. DYNAMIC_BROKER_CONFIG). Piped, changing: NAME<TAB>OP<TAB>CURRENT<TAB>NEW.
With --json: {entity, brokerId, configs: [{name, value, source, sourceLabel, sensitive, readOnly, synonyms}]}, or when changing {entity, brokerId, dryRun, changes: [{name, op, current, currentSource, new, newSource, sensitive, unchanged}]}.
Reading needs DESCRIBE_CONFIGS on the cluster, changing ALTER_CONFIGS (exit 4 without it).`

  static examples = [
    {description: 'Every config of broker 1, with sources', command: '<%= config.bin %> cluster configs --broker 1'},
    {description: 'The cluster-wide defaults', command: '<%= config.bin %> cluster configs'},
    {description: 'Two cleaner threads on every broker', command: '<%= config.bin %> cluster configs --set log.cleaner.threads=2'},
    {description: 'See what a change would do', command: '<%= config.bin %> cluster configs --broker 1 --set log.retention.ms=86400000 --dry-run'},
    {description: 'Back to the inherited value', command: '<%= config.bin %> cluster configs --broker 1 --delete log.retention.ms'},
  ]

  static flags = {
    broker: Flags.integer({summary: 'The broker id; without it, the cluster-wide defaults.', min: 0}),
    set: Flags.string({summary: 'Set a config: key=value (repeatable).', multiple: true, multipleNonGreedy: true}),
    delete: Flags.string({summary: 'Remove a dynamic config: key (repeatable).', multiple: true, multipleNonGreedy: true}),
    'dry-run': Flags.boolean({summary: 'With --set/--delete: validate and show current -> new; change nothing.'}),
  }

  async run(): Promise<BrokerConfigsResult | AlterBrokerConfigsResult> {
    const {flags} = await this.parse(ClusterConfigs)
    const ops = brokerConfigOps(flags.set, flags.delete)
    // A password being set stays out of every message (masking every value would mask "1" everywhere).
    for (const op of ops) if (op.value && isSecretConfigName(op.name)) this.secrets.push(op.value)
    const session = this.connect(flags)
    if (ops.length === 0) {
      const result = await describeBrokerConfigs(session, {brokerId: flags.broker})
      if (!this.jsonEnabled()) this.renderConfigs(result)
      return result
    }
    const result = await alterBrokerConfigs(session, {brokerId: flags.broker, ops, dryRun: flags['dry-run'], readKeyFile})
    if (!this.jsonEnabled()) this.renderChanges(result)
    return result
  }

  private renderConfigs(result: BrokerConfigsResult): void {
    if (this.out.isTTY) {
      this.out.notice(result.entity === 'cluster' ? 'Cluster-wide defaults (every broker inherits them):' : `Configs of broker ${result.brokerId}:`)
      this.out.table(result.configs, [
        {header: 'NAME', value: (c) => c.name},
        {header: 'VALUE', value: (c) => shown(c.value, c.sensitive), style: (t, c, color) => (c.sensitive ? color.dim(t) : t)},
        {header: 'SOURCE', value: (c) => c.sourceLabel, style: (t, c, color) => (c.source.startsWith('DYNAMIC') ? color.cyan(t) : t)},
        {header: 'READ-ONLY', value: (c) => (c.readOnly ? 'yes' : '')},
      ])
      if (result.configs.length === 0) this.out.notice('none set')
      return
    }
    this.out.table(result.configs, [
      {header: 'NAME', value: (c) => c.name},
      {header: 'VALUE', value: (c) => (c.sensitive ? MASKED_VALUE : (c.value ?? ''))},
      {header: 'SOURCE', value: (c) => c.source},
      {header: 'SENSITIVE', value: (c) => String(c.sensitive)},
      {header: 'READ-ONLY', value: (c) => String(c.readOnly)},
    ])
  }

  private renderChanges(result: AlterBrokerConfigsResult): void {
    if (this.out.isTTY) {
      this.out.table(result.changes, [
        {header: 'CONFIG', value: (c: BrokerConfigChange) => c.name},
        {header: 'OP', value: (c: BrokerConfigChange) => c.op},
        {header: 'CURRENT', value: (c: BrokerConfigChange) => shown(c.current, c.sensitive)},
        {header: '', value: () => '->'},
        {
          header: 'NEW',
          value: (c: BrokerConfigChange) => (c.op === 'delete' && c.new === null && !c.sensitive ? '(inherited)' : shown(c.new, c.sensitive)),
          style: (t, c, color) => (c.unchanged ? color.dim(t) : color.green(t)),
        },
      ])
    } else {
      for (const c of result.changes) {
        const value = (v: string | null) => (c.sensitive ? MASKED_VALUE : (v ?? ''))
        this.out.line([c.name, c.op, value(c.current), value(c.new)].join('\t'))
      }
    }
    const where = result.entity === 'cluster' ? 'cluster-wide' : `on broker ${result.brokerId}`
    this.out.notice(result.dryRun ? 'dry run: nothing was changed' : `configs changed ${where}`)
  }
}
