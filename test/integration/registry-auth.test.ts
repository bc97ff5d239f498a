import {mkdtempSync, writeFileSync} from 'node:fs'
import {createServer, request, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {runKafkit, uniqueName} from './cli.js'

// A Schema Registry that asks for credentials: the suite's registry behind a small HTTP proxy
// that checks Basic authentication (as a registry with basic auth, or a gateway in front of it,
// does): no or wrong credentials get 401, a known user without rights 403, alice is let through.
// Apicurio itself only authenticates through an OpenID server, which is not available here.

const bootstrap = inject('bootstrap')
const registry = new URL(inject('schemaRegistryUrl'))
const PASSWORD = 's3cret-registry-pw'
let proxy: Server
let base = ''

beforeAll(async () => {
  proxy = createServer((req, res) => {
    const auth = req.headers.authorization ?? ''
    const [user, password] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':')
    if (!auth.startsWith('Basic ') || !((user === 'alice' && password === PASSWORD) || (user === 'bob' && password === 'bob-pw'))) {
      res.writeHead(401, {'content-type': 'application/json', 'www-authenticate': 'Basic realm="registry"'})
      return res.end(JSON.stringify({error_code: 401, message: 'Unauthorized'}))
    }
    if (user === 'bob') {
      res.writeHead(403, {'content-type': 'application/json'})
      return res.end(JSON.stringify({error_code: 40301, message: 'User is denied operation on this server.'}))
    }
    const upstream = request({host: registry.hostname, port: registry.port, path: req.url, method: req.method, headers: {...req.headers, host: registry.host}}, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  base = `127.0.0.1:${(proxy.address() as AddressInfo).port}${registry.pathname}`
})
afterAll(() => new Promise<void>((resolve) => proxy?.close(() => resolve())))

const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m)

describe('a Schema Registry that asks for credentials', () => {
  it('without credentials: exit 4, one line naming the registry and HTTP 401; wrong ones likewise, and the password is never shown', async () => {
    const none = await runKafkit(['schemas', 'subjects', '-r', `http://${base}`])
    expect(none.exitCode).toBe(4)
    expect(none.stderr.split('\n')[0]).toMatch(new RegExp(`^error: the Schema Registry at http://${base.replaceAll('.', '\\.')} refused the request \\(HTTP 401\\)`))
    noStackTrace(none.stderr)
    const wrong = await runKafkit(['schemas', 'subjects', '-r', `http://alice:not-the-${PASSWORD}@${base}`])
    expect(wrong.exitCode).toBe(4)
    expect(wrong.stderr + wrong.stdout).not.toContain(`not-the-${PASSWORD}`)
  })

  it('a user without rights: exit 4 with HTTP 403', async () => {
    const result = await runKafkit(['schemas', 'subjects', '-r', `http://bob:bob-pw@${base}`, '--json'])
    expect(result.exitCode).toBe(4)
    expect(JSON.parse(result.stderr)).toMatchObject({error: {code: 'auth', exitCode: 4}})
    expect(result.stderr).toContain('HTTP 403')
  })

  it('credentials in the URL or in the profile: schemas, produce and consume work through it', async () => {
    const topic = uniqueName('registry-auth')
    await createTopics(bootstrap, [topic])
    const listed = await runKafkit(['schemas', 'subjects', '-r', `http://alice:${PASSWORD}@${base}`])
    expect(listed.exitCode).toBe(0)

    const dir = mkdtempSync(join(tmpdir(), 'kafkit-registry-auth-'))
    const schema = join(dir, 'v.avsc')
    writeFileSync(schema, JSON.stringify({type: 'record', name: 'V', fields: [{name: 'n', type: 'int'}]}))
    const config = join(dir, 'config.yaml')
    writeFileSync(config, `profiles:\n  guarded:\n    bootstrap-servers: ${bootstrap}\n    schema-registry:\n      url: http://${base}\n      username: alice\n      password: \${REGISTRY_PASSWORD}\n`)
    const env = {KAFKIT_CONFIG: config, REGISTRY_PASSWORD: PASSWORD}
    const produced = await runKafkit(['produce', topic, '--profile', 'guarded', '--value-format', 'avro', '--value-schema-file', schema], {env, input: '{"n":1}\n{"n":2}\n'})
    expect(produced.stderr).not.toMatch(/error/)
    expect(produced.exitCode).toBe(0)
    const read = await runKafkit(['consume', topic, '--profile', 'guarded', '-e', '--value-format', 'avro'], {env})
    expect(read.exitCode).toBe(0)
    expect(read.stdout).toBe('{"n":1}\n{"n":2}\n')

    // The same consume with the profile's password wrong stops at the first schema fetch: exit 4.
    const refused = await runKafkit(['consume', topic, '--profile', 'guarded', '-e', '--value-format', 'avro'], {env: {...env, REGISTRY_PASSWORD: 'wrong'}})
    expect(refused.exitCode).toBe(4)
    expect(refused.stdout).toBe('')
    noStackTrace(refused.stderr)
  })
})
