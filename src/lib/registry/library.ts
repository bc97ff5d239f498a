import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

// @confluentinc/schemaregistry (the client, its REST layer, the serdes) and the serdes' own avsc
// and @bufbuild/protobuf, each loaded on first use. The build packs them into one file beside
// the bundle (dist/schemaregistry.cjs, scripts/bundle.mjs), which bin/run.cjs loads through V8's
// code cache: from node_modules they are hundreds of modules (axios, joi ...), whose resolving
// and compiling cost every registry command ~0.15-0.25 s of start-up, ~0.06 s packed and cached.
// Run from the sources (tests), the packages themselves.

export interface RegistryLibrary {
  readonly client: typeof import('@confluentinc/schemaregistry/dist/schemaregistry-client.js')
  readonly rest: typeof import('@confluentinc/schemaregistry/dist/rest-service.js')
  readonly serde: typeof import('@confluentinc/schemaregistry/dist/serde/serde.js')
  readonly avro: typeof import('@confluentinc/schemaregistry/dist/serde/avro.js')
  readonly protobuf: typeof import('@confluentinc/schemaregistry/dist/serde/protobuf.js')
  readonly json: typeof import('@confluentinc/schemaregistry/dist/serde/json.js')
  readonly avsc: typeof import('avsc')
  readonly bufbuild: typeof import('@bufbuild/protobuf')
  /** Its descriptor messages (FileDescriptorProto ...): proto-text.ts writes compiled .proto text with them. */
  readonly bufbuildWkt: typeof import('@bufbuild/protobuf/wkt')
}

let library: RegistryLibrary | undefined

/** The packages from node_modules, each required when first used. */
function fromPackages(): RegistryLibrary {
  const load = createRequire(import.meta.url)
  // avsc and @bufbuild/protobuf are the serdes' own dependencies: found from their folder.
  const serdes = () => createRequire(load.resolve('@confluentinc/schemaregistry/dist/serde/serde.js'))
  return {
    get client() {
      return load('@confluentinc/schemaregistry/dist/schemaregistry-client.js')
    },
    get rest() {
      return load('@confluentinc/schemaregistry/dist/rest-service.js')
    },
    get serde() {
      return load('@confluentinc/schemaregistry/dist/serde/serde.js')
    },
    get avro() {
      return load('@confluentinc/schemaregistry/dist/serde/avro.js')
    },
    get protobuf() {
      return load('@confluentinc/schemaregistry/dist/serde/protobuf.js')
    },
    get json() {
      return load('@confluentinc/schemaregistry/dist/serde/json.js')
    },
    get avsc() {
      return serdes()('avsc')
    },
    get bufbuild() {
      return serdes()('@bufbuild/protobuf')
    },
    get bufbuildWkt() {
      return serdes()('@bufbuild/protobuf/wkt')
    },
  }
}

/** The libraries: packed beside the bundle when built, else the packages. Loading a part may throw. */
export function registryLibrary(): RegistryLibrary {
  if (!library) {
    const requireCached = (globalThis as Record<symbol, unknown>)[Symbol.for('kafkit.requireCached')] as ((file: string) => RegistryLibrary | undefined) | undefined
    const packed = requireCached?.(fileURLToPath(new URL('schemaregistry.cjs', import.meta.url)))
    library = packed ?? fromPackages()
  }
  return library
}
