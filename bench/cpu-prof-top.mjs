// Helper for bench/pipe.sh --cpu-prof: the hottest functions of V8 CPU profiles (node --cpu-prof).
// Prints, per profile, the functions with the most self time (and their share of the sampled
// time), then the same grouped by file, so a slow pipe shows where its JavaScript time goes.
//   node bench/cpu-prof-top.mjs FILE.cpuprofile... [--top N]
import {readFileSync} from 'node:fs'

const args = process.argv.slice(2)
const topAt = args.indexOf('--top')
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 20
// The bundle is minified with esbuild's keepNames: a function declared as `Gn` is followed by
// `s(Gn,"encodePayload")` (its real name); find that name to print beside the short one.
const sources = new Map()
const realName = (name, url) => {
  if (!url.endsWith('.cjs') || name.length > 3 || !/^[\w$]+$/.test(name)) return ''
  const path = url.replace(/^file:\/\//, '')
  if (!sources.has(path)) sources.set(path, readFileSync(path, 'utf8'))
  const found = sources.get(path).match(new RegExp(`\\bs\\(${name.replace('$', '\\$')},"([^"]+)"\\)`))
  return found ? ` (${found[1]})` : ''
}
const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`.padStart(6)
const ms = (us) => `${(us / 1000).toFixed(0)} ms`.padStart(9)

for (const file of args) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  // Self time per node: each sample's node gets the interval to the next sample.
  const self = new Map()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)))
  const byFunction = new Map()
  const byFile = new Map()
  let total = 0
  for (const [id, us] of self) {
    const {functionName, url, lineNumber, columnNumber} = nodes.get(id).callFrame
    // Line and column: the bundle (dist/kafkit.cjs) is minified onto few lines, names kept.
    const where = url ? `${url.replace(/^file:\/\//, '')}:${lineNumber + 1}:${columnNumber + 1}` : ''
    const fn = `${functionName || '(anonymous)'}${realName(functionName, url)} ${where}`.trim()
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
    const place = url ? url.replace(/^file:\/\//, '') : functionName
    byFile.set(place, (byFile.get(place) ?? 0) + us)
    total += us
  }
  const rows = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top)
  console.log(`${file}: ${ms(total).trim()} sampled`)
  console.log('  self time by function:')
  for (const [fn, us] of rows(byFunction)) console.log(`  ${ms(us)} ${pct(us, total)}  ${fn}`)
  console.log('  self time by file:')
  for (const [place, us] of rows(byFile).slice(0, 10)) console.log(`  ${ms(us)} ${pct(us, total)}  ${place}`)
}
