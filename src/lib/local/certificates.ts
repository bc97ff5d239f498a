import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmod, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {KafkitError} from '../errors.js'

// The throwaway certificates of a secured local Kafka, made with the openssl command: a CA, the
// broker's certificate (valid for 127.0.0.1 and localhost) and one client certificate per user
// (CN=<user>, which the broker maps to the principal User:<user>). All keys are unencrypted
// PKCS#8 PEM, which both Kafka's PEM key stores and librdkafka read.

const VALID_DAYS = 3650
const INSTALL_OPENSSL = 'apt-get install openssl'

/** The files of one certificate: its key, the certificate, and both in one file (a Java PEM key store). */
export interface CertificateFiles {
  key: string
  certificate: string
  /** Key then certificate: `ssl.keystore.type=PEM` for Java, or both librdkafka locations. */
  keystore: string
}

export interface ClientCertificateFiles extends CertificateFiles {
  /** The same key and certificate as PKCS#12 (`ssl.keystore.location` for librdkafka and Java). */
  pkcs12: string
  pkcs12PasswordFile: string
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, {cwd, timeout: 60_000}, (error, _stdout, stderr) => {
      if (!error) return resolve()
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new KafkitError('environment', 'the openssl command is needed to make the certificates of a secured local Kafka', {hint: INSTALL_OPENSSL}))
      }
      reject(new KafkitError('failure', `openssl ${args[0]} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`))
    })
  })
}

/** An openssl config with the one extension section a certificate needs. */
function extensionConfig(extensions: string[]): string {
  return ['[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', '[ext]', ...extensions, ''].join('\n')
}

async function keystoreOf(dir: string, name: string): Promise<CertificateFiles> {
  const files = {key: join(dir, `${name}.key`), certificate: join(dir, `${name}.crt`), keystore: join(dir, `${name}-keystore.pem`)}
  await writeFile(files.keystore, (await readFile(files.key, 'utf8')) + (await readFile(files.certificate, 'utf8')), {mode: 0o600})
  await chmod(files.key, 0o600)
  return files
}

/** A new self-signed CA in `dir` (ca.key, ca.crt). */
export async function makeCertificateAuthority(dir: string): Promise<{key: string; certificate: string}> {
  const config = join(dir, 'ca.cnf')
  await writeFile(config, extensionConfig(['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash']))
  await openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', String(VALID_DAYS), '-subj', '/CN=kafkit local CA', '-config', config, '-extensions', 'ext'],
    dir,
  )
  await chmod(join(dir, 'ca.key'), 0o600)
  return {key: join(dir, 'ca.key'), certificate: join(dir, 'ca.crt')}
}

/** A certificate named `name` in `dir`, signed by the CA in the same folder. */
async function signedCertificate(dir: string, name: string, commonName: string, extensions: string[]): Promise<CertificateFiles> {
  const config = join(dir, `${name}.cnf`)
  await writeFile(config, extensionConfig(['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment', ...extensions]))
  await openssl(
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', String(VALID_DAYS),
      '-subj', `/CN=${commonName}`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-config', config, '-extensions', 'ext',
    ],
    dir,
  )
  return keystoreOf(dir, name)
}

/** The broker's certificate: server authentication for 127.0.0.1 and localhost. */
export function makeBrokerCertificate(dir: string): Promise<CertificateFiles> {
  return signedCertificate(dir, 'broker', 'localhost', ['extendedKeyUsage = serverAuth, clientAuth', 'subjectAltName = IP:127.0.0.1, DNS:localhost'])
}

/** A client certificate for `user` (CN=<user>), with a PKCS#12 copy under a random password. */
export async function makeClientCertificate(dir: string, user: string): Promise<ClientCertificateFiles> {
  const name = `client-${user}`
  const files = await signedCertificate(dir, name, user, ['extendedKeyUsage = clientAuth'])
  const pkcs12PasswordFile = join(dir, `${name}.p12.password`)
  await writeFile(pkcs12PasswordFile, randomBytes(12).toString('hex') + '\n', {mode: 0o600})
  const pkcs12 = join(dir, `${name}.p12`)
  await openssl(['pkcs12', '-export', '-in', files.certificate, '-inkey', files.key, '-out', pkcs12, '-name', user, '-passout', `file:${pkcs12PasswordFile}`], dir)
  await chmod(pkcs12, 0o600)
  return {...files, pkcs12, pkcs12PasswordFile}
}
