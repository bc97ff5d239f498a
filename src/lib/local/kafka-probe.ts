import {connect} from 'node:net'

// A readiness check that needs no Kafka client: one ApiVersions request (api key 18, version 0)
// in Kafka's wire format. A listener that only accepts TCP does not pass; a broker must answer.

const API_VERSIONS_KEY = 18
const UNSUPPORTED_VERSION = 35

function apiVersionsRequest(correlationId: number, clientId: string): Buffer {
  const client = Buffer.from(clientId, 'utf8')
  // Request header v1: api_key int16, api_version int16, correlation_id int32, client_id string (int16 length).
  const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length)
  body.writeInt16BE(API_VERSIONS_KEY, 0)
  body.writeInt16BE(0, 2)
  body.writeInt32BE(correlationId, 4)
  body.writeInt16BE(client.length, 8)
  client.copy(body, 10)
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length, 0)
  return Buffer.concat([size, body])
}

/** True when a Kafka broker on host:port answers ApiVersions within the timeout. */
export function kafkaAnswers(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  const correlationId = Math.floor(Math.random() * 0x7fff_ffff)
  return new Promise((resolve) => {
    let received = Buffer.alloc(0)
    const socket = connect({host, port})
    const finish = (answered: boolean) => {
      socket.destroy()
      resolve(answered)
    }
    socket.setTimeout(timeoutMs, () => finish(false))
    socket.once('error', () => finish(false))
    socket.once('close', () => finish(false))
    socket.on('connect', () => socket.write(apiVersionsRequest(correlationId, 'kafkit-local')))
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk])
      // Response: size int32, correlation_id int32, error_code int16, ... (the rest is not needed).
      if (received.length < 10) return
      const errorCode = received.readInt16BE(8)
      // UNSUPPORTED_VERSION still comes from a live broker that parsed the request.
      finish(received.readInt32BE(4) === correlationId && (errorCode === 0 || errorCode === UNSUPPORTED_VERSION))
    })
  })
}
