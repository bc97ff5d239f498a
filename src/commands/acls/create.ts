import {Flags} from '@oclif/core'

import {batchFailure} from '../../lib/batch-failure.js'
import {AclCommand, aclBindingColumns, aclPrincipalFlags, aclResourceFlags} from '../../lib/acl-command.js'
import {type AclCreateOutcome, createAcls, planCreate} from '../../lib/kafka/acls/index.js'

export default class AclsCreate extends AclCommand {
  static summary = 'Create ACLs (like kafka-acls --add).'
  static description = `One binding for every resource x principal x host x operation given, as kafka-acls --add makes them. --operation defaults to all; hosts default to *.
--producer grants write, describe and create on the topics (with --transactional-id: write and describe on it; with --idempotent: idempotent-write on the cluster); --consumer grants read and describe on the topics and read on the --group.
Shows each binding with its result. Piped: the binding columns of acls list, then STATUS (created|failed) and ERROR.
With --json: an array of {principal, host, operation, permission, resourceType, resourceName, patternType, status, error?}.
Creating an ACL that exists already is not an error. Needs ALTER on the cluster (exit 4 without it).`

  static examples = [
    {description: 'alice may read topic orders', command: '<%= config.bin %> acls create --allow-principal alice --operation read --operation describe --topic orders'},
    {description: 'A producer for every topic starting with orders.', command: '<%= config.bin %> acls create --allow-principal app --producer --topic orders. --resource-pattern-type prefixed'},
    {description: 'A consumer in group billing', command: '<%= config.bin %> acls create --allow-principal billing --consumer --topic orders --group billing'},
    {description: 'Deny bob everything on the cluster from one host', command: '<%= config.bin %> acls create --deny-principal bob --deny-host 10.0.0.7 --cluster'},
  ]

  static flags = {
    ...aclPrincipalFlags,
    ...aclResourceFlags,
    producer: Flags.boolean({summary: 'The ACLs a producer needs on --topic (and --transactional-id).'}),
    consumer: Flags.boolean({summary: 'The ACLs a consumer needs on --topic and --group.'}),
    idempotent: Flags.boolean({summary: 'With --producer: idempotent-write on the cluster too.'}),
  }

  async run(): Promise<AclCreateOutcome[]> {
    const {flags} = await this.parse(AclsCreate)
    const bindings = planCreate(this.aclFlags(flags))
    const results = await createAcls(this.connect(flags), bindings)
    const failure = batchFailure(results, 'ACLs')
    this.renderBatch(
      results,
      [
        ...aclBindingColumns,
        {header: 'STATUS', value: (r) => r.status, style: (t, r, c) => (r.error ? c.red(t) : c.green(t))},
        ...this.errorColumn<AclCreateOutcome>((r) => r.error?.message, failure !== undefined),
      ],
      failure !== undefined,
    )
    if (failure) throw failure
    return results
  }
}
