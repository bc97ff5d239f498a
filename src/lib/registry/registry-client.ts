import {readFileSync} from 'node:fs'
import {Agent} from 'node:https'

import type {RegistryConnection} from '../config/registry-connection.js'
import {KafkitError} from '../errors.js'
import {registryLibrary} from './library.js'
import {isSerializedDescriptor, protoFileName, serializedDescriptor} from './proto-text.js'
import type {SchemaReference, SchemaType} from './schema-file.js'

// The one link to a Schema Registry, over @confluentinc/schemaregistry's client (loaded only by
// the commands that need it). Every call is bounded by --timeout and every failure becomes one
// KafkitError: unreachable 3, 401/403 4, unknown subject/version/id 5, incompatible 7, invalid 2.
// Never prints.

type ClientModule = typeof import('@confluentinc/schemaregistry/dist/schemaregistry-client.js')
type RestModule = typeof import('@confluentinc/schemaregistry/dist/rest-service.js')
type RestServiceType = import('@confluentinc/schemaregistry/dist/rest-service.js').RestService
type ClientType = import('@confluentinc/schemaregistry/dist/schemaregistry-client.js').SchemaRegistryClient
export type LibrarySchemaInfo = import('@confluentinc/schemaregistry/dist/schemaregistry-client.js').SchemaInfo

export interface RegisteredSchema {
  subject?: string
  version?: number
  id: number
  schemaType: SchemaType
  schema: string
  references: SchemaReference[]
}

export interface CompatibilityResult {
  compatible: boolean
  /** The registry's reasons when it is not (or why the check passed trivially). */
  messages: string[]
}

/** The registry's names for the schema types: AVRO when it says nothing. */
const typeFromRegistry = (name: string | undefined): SchemaType => (name === 'PROTOBUF' ? 'protobuf' : name === 'JSON' ? 'json' : 'avro')
const typeToRegistry = (type: SchemaType) => ({avro: 'AVRO', protobuf: 'PROTOBUF', json: 'JSON'})[type]

/**
 * The client and its REST layer only: the package's index also loads the serdes and every cloud
 * KMS SDK, seconds of start-up that listing subjects should not pay.
 */
function loadLibrary(): ClientModule & RestModule {
  try {
    const library = registryLibrary()
    return {...library.client, ...library.rest}
  } catch (error) {
    throw new KafkitError('environment', `the Schema Registry client library failed to load: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'run: bash scripts/setup.sh',
      cause: error,
    })
  }
}

export class RegistryClient {
  private readonly client: ClientType
  private readonly rest: RestServiceType
  private serdesView?: ClientType

  constructor(readonly connection: RegistryConnection) {
    const {SchemaRegistryClient, RestService} = loadLibrary()
    const tls =
      connection.caFile || connection.certificateFile
        ? new Agent({
            ca: connection.caFile ? readFileSync(connection.caFile) : undefined,
            cert: connection.certificateFile ? readFileSync(connection.certificateFile) : undefined,
            key: connection.keyFile ? readFileSync(connection.keyFile) : undefined,
          })
        : undefined
    const config = {
      baseURLs: connection.urls,
      createAxiosDefaults: {timeout: connection.timeoutMs, ...(tls ? {httpsAgent: tls} : {})},
      basicAuthCredentials: connection.basicAuth
        ? {credentialsSource: 'USER_INFO' as const, userInfo: `${connection.basicAuth.username}:${connection.basicAuth.password}`}
        : undefined,
      bearerAuthCredentials: connection.bearerToken ? {credentialsSource: 'STATIC_TOKEN' as const, token: connection.bearerToken} : undefined,
      // One quick retry at most: --timeout bounds the whole call, and an unreachable registry
      // should say so in seconds, not after the library's backoff of up to 20 s.
      maxRetries: 1,
      retriesWaitMs: 200,
      retriesMaxWaitMs: 1000,
    }
    this.client = new SchemaRegistryClient(config)
    this.rest = new RestService(
      config.baseURLs,
      false,
      config.createAxiosDefaults,
      config.basicAuthCredentials,
      config.bearerAuthCredentials,
      config.maxRetries,
      config.retriesWaitMs,
      config.retriesMaxWaitMs,
    )
  }

  /**
   * The library's own client, for its serdes (record-codecs.ts); call through `run` so failures
   * are translated. Its answers for `format=serialized` are always serialized Protobuf
   * descriptors: a registry that keeps .proto text (Apicurio, or text Java's serializer
   * registered) answers with the text, which proto-text.ts compiles.
   */
  get library(): ClientType {
    return (this.serdesView ??= this.compilingProtoText(this.client))
  }

  private compilingProtoText(client: ClientType): ClientType {
    const fetchReference = async (subject: string, version: number) => client.getSchemaMetadata(subject, version, true)
    // References: the library names a reference's file by the reference's name, whatever this one says.
    const serialized = async <T extends LibrarySchemaInfo>(info: T): Promise<T> =>
      info.schemaType === 'PROTOBUF' && !isSerializedDescriptor(info.schema) ? {...info, schema: await serializedDescriptor(protoFileName(info.schema), info, fetchReference)} : info
    return new Proxy(client, {
      get(target, property, receiver) {
        if (property === 'getBySubjectAndId') {
          return async (subject: string, id: number, format?: string) => {
            const info = await target.getBySubjectAndId(subject, id, format)
            return format === 'serialized' ? serialized(info) : info
          }
        }
        if (property === 'getSchemaMetadata') {
          return async (subject: string, version: number, deleted?: boolean, format?: string) => {
            const info = await target.getSchemaMetadata(subject, version, deleted, format)
            return format === 'serialized' ? serialized(info) : info
          }
        }
        return Reflect.get(target, property, receiver) as unknown
      },
    })
  }

  /** The schema with this id as the library's serdes take it (Protobuf: as a serialized descriptor). */
  async schemaInfoById(id: number, format?: 'serialized'): Promise<LibrarySchemaInfo> {
    return this.call(`schema id ${id}`, () => this.library.getBySubjectAndId('', id, format))
  }

  /** The id a schema already has under a subject (lookup only: nothing is registered). */
  async idOf(subject: string, schema: LibrarySchemaInfo): Promise<number> {
    return this.call(`subject '${subject}'`, () => this.client.getId(subject, schema, false))
  }

  /** Fails (exit 3, naming the URL) when the registry does not answer; any HTTP answer will do. */
  async ensureReachable(): Promise<void> {
    try {
      await this.call('the registry', () => this.rest.handleRequest('/schemas/types', 'GET'))
    } catch (error) {
      if (error instanceof KafkitError && (error.kind === 'connection' || error.kind === 'auth')) throw error
    }
  }

  /** Runs a library call (a serde building its codec, which may fetch references), bounded and translated. */
  async run<T>(what: string, call: () => Promise<T>): Promise<T> {
    return this.call(what, call)
  }

  async subjects(options: {deleted?: boolean} = {}): Promise<string[]> {
    if (!options.deleted) return (await this.call('subjects', () => this.client.getAllSubjects())).sort()
    const response = await this.call('subjects', () => this.rest.handleRequest<string[]>('/subjects?deleted=true', 'GET'))
    return response.data.sort()
  }

  async versions(subject: string): Promise<number[]> {
    return this.call(`subject '${subject}'`, () => this.client.getAllVersions(subject))
  }

  async schema(subject: string, version: number | 'latest'): Promise<RegisteredSchema> {
    const what = `subject '${subject}' version ${version}`
    const meta = await this.call(what, () => (version === 'latest' ? this.client.getLatestSchemaMetadata(subject) : this.client.getSchemaMetadata(subject, version, true)))
    return {
      subject,
      version: meta.version,
      id: meta.id!,
      schemaType: typeFromRegistry(meta.schemaType),
      schema: meta.schema ?? '',
      references: (meta.references ?? []).map((r) => ({name: r.name, subject: r.subject, version: r.version})),
    }
  }

  async schemaById(id: number): Promise<RegisteredSchema> {
    const info = await this.call(`schema id ${id}`, () => this.client.getBySubjectAndId('', id))
    return {
      id,
      schemaType: typeFromRegistry(info.schemaType),
      schema: info.schema,
      references: (info.references ?? []).map((r) => ({name: r.name, subject: r.subject, version: r.version})),
    }
  }

  /** Registers a schema under a subject (or finds it registered); its id and version there. */
  async register(subject: string, schema: {schemaType: SchemaType; schema: string; references: SchemaReference[]}): Promise<{id: number; version: number}> {
    const info = {schemaType: typeToRegistry(schema.schemaType), schema: schema.schema, references: schema.references}
    const id = await this.call(`subject '${subject}'`, () => this.client.register(subject, info, false))
    const version = await this.call(`subject '${subject}'`, () => this.client.getVersion(subject, info, false, false))
    return {id, version}
  }

  /** Whether a schema is compatible with a version of a subject, with the registry's reasons. */
  async check(subject: string, schema: {schemaType: SchemaType; schema: string; references: SchemaReference[]}, version: number | 'latest'): Promise<CompatibilityResult> {
    const body = {schemaType: typeToRegistry(schema.schemaType), schema: schema.schema, references: schema.references}
    const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions/${version}?verbose=true`
    try {
      const response = await this.call(`subject '${subject}'`, () =>
        this.rest.handleRequest<{is_compatible: boolean; messages?: string[]; reason?: string}>(path, 'POST', body),
      )
      const {is_compatible: compatible, messages, reason} = response.data
      // Confluent's server gives `messages`; Apicurio gives one `reason`.
      return {compatible, messages: compatible ? [] : [...(messages ?? []), ...(reason ? [reason] : [])]}
    } catch (error) {
      // A subject with no versions yet accepts any first schema.
      if (error instanceof KafkitError && error.kind === 'not_found' && version === 'latest' && /subject/i.test(error.message)) {
        return {compatible: true, messages: [`subject '${subject}' has no versions yet: any schema is compatible`]}
      }
      throw error
    }
  }

  /** Deletes a subject (every version) or one version; permanent deletes soft-delete first, as the registry requires. */
  async delete(subject: string, options: {version?: number; permanent?: boolean}): Promise<number[]> {
    const what = `subject '${subject}'${options.version === undefined ? '' : ` version ${options.version}`}`
    if (options.version !== undefined) {
      const version = options.version
      // Soft first, as the registry requires; a version deleted softly before is fine.
      if (options.permanent) await this.call(what, () => this.client.deleteSubjectVersion(subject, version, false)).catch(() => {})
      return [await this.call(what, () => this.client.deleteSubjectVersion(subject, version, options.permanent ?? false))]
    }
    if (!options.permanent) return this.call(what, () => this.client.deleteSubject(subject, false))
    const soft = await this.call(what, () => this.client.deleteSubject(subject, false)).catch((error: unknown) => {
      // Already soft-deleted (Confluent: 404; Apicurio: 400 "from DISABLED to DISABLED"): the
      // permanent delete below still applies, and reports what is really wrong.
      if (error instanceof KafkitError && (error.kind === 'not_found' || error.kind === 'failure')) return undefined
      throw error
    })
    const hard = await this.call(what, () => this.client.deleteSubject(subject, true))
    return soft ?? hard
  }

  /** The compatibility level of a subject (falling back to the global one), or the global one. */
  async compatibility(subject?: string): Promise<{level: string; source: 'subject' | 'global'}> {
    if (subject !== undefined) {
      try {
        const level = await this.call(`subject '${subject}'`, () => this.client.getCompatibility(subject))
        return {level: String(level), source: 'subject'}
      } catch (error) {
        if (!(error instanceof KafkitError && error.kind === 'not_found')) throw error
      }
    }
    return {level: String(await this.call('the global config', () => this.client.getDefaultCompatibility())), source: 'global'}
  }

  async setCompatibility(level: string, subject?: string): Promise<string> {
    const value = level as never
    const result = await this.call(subject === undefined ? 'the global config' : `subject '${subject}'`, () =>
      subject === undefined ? this.client.updateDefaultCompatibility(value) : this.client.updateCompatibility(subject, value),
    )
    return String(result)
  }

  /** Runs one request, bounded by --timeout, its failure translated. */
  private async call<T>(subject: string, run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'})), this.connection.timeoutMs + 2000)
    })
    try {
      return await Promise.race([run(), deadline])
    } catch (error) {
      throw this.translate(error, subject)
    } finally {
      clearTimeout(timer)
    }
  }

  private translate(error: unknown, subject: string): KafkitError {
    if (error instanceof KafkitError) return error
    const where = this.connection.urls.join(', ')
    const status = (error as {status?: number}).status
    const errorCode = (error as {errorCode?: number}).errorCode
    const message = String((error as Error).message ?? error)
    if (typeof status === 'number' && status > 0) {
      // The client appends the registry's error code to its message; the kind says it already.
      const said = message.replace(/^Unknown error: /, '').replace(/;? ?Error code: -?\d+$/, '')
      if (status === 401 || status === 403) {
        return new KafkitError('auth', `the Schema Registry at ${where} refused the request (HTTP ${status}): ${said}`, {
          hint: 'check the registry credentials (user:password in the URL, or the profile\'s schema-registry section)',
        })
      }
      if (status === 404) {
        const thing = errorCode === 40401 ? 'subject not found' : errorCode === 40402 ? 'version not found' : errorCode === 40403 ? 'schema not found' : 'not found'
        return new KafkitError('not_found', `${subject}: ${thing} (${said})`, {hint: 'list subjects with: kafkit schemas subjects'})
      }
      if (status === 409) return new KafkitError('conflict', `${subject}: the schema is incompatible: ${said}`, {hint: 'see why with: kafkit schemas check SUBJECT --file FILE'})
      if (status === 422) return new KafkitError('usage', `${subject}: the registry refused the schema as invalid: ${said}`)
      return new KafkitError('failure', `${subject}: the Schema Registry answered HTTP ${status}: ${said}`)
    }
    const code = (error as {code?: string}).code ?? ''
    const network = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNABORTED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_NETWORK']
    if (network.includes(code) || /timeout|socket hang up|certificate|self.signed|SSL/i.test(message)) {
      const why = code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? `no answer within ${Math.round(this.connection.timeoutMs / 100) / 10}s` : message
      return new KafkitError(/certificate|self.signed|SSL/i.test(message) ? 'auth' : 'connection', `cannot reach the Schema Registry at ${where}: ${why}`, {
        hint: 'is it running there? Pass --schema-registry URL, or start one with: kafkit local start --schema-registry',
      })
    }
    return new KafkitError('failure', `${subject}: ${message}`, {cause: error})
  }
}
