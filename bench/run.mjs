// `pnpm bench [--quick]`: every figure of BENCHMARKS.md, measured side by side in one run.
// Prints tables and writes bench/results/latest.json (and the latency histogram as SVG).
import { mkdirSync, writeFileSync } from 'node:fs'
import { guardCost, latency, memory } from './core.mjs'
import { frameworks } from './frameworks.mjs'
import { stall } from './stall.mjs'
import { histogramSvg } from './svg.mjs'

const quick = process.argv.includes('--quick')
const out = new URL('./results/', import.meta.url)
mkdirSync(out, { recursive: true })

const fmt = (v, digits = 2) => (v === null || v === undefined ? 'n/a' : typeof v === 'number' ? v.toFixed(digits) : String(v))
function table(title, rows) {
  console.log(`\n${title}`)
  const w = Math.max(...rows.map((r) => r[0].length))
  for (const [k, v, target] of rows) console.log(`  ${k.padEnd(w)}  ${String(v).padStart(12)}  ${target ?? ''}`)
}

console.log(`hardtimeout benchmarks${quick ? ' (quick mode: fewer samples)' : ''} on Node ${process.version}`)
const guard = guardCost(quick)
table('guard: runWithHardTimeout around () => 1', [
  ['plain call (ns)', fmt(guard.plain_ns_per_call, 1)],
  ['runWithHardTimeout (ns)', fmt(guard.ns_per_call, 0), 'target ≤ 1000'],
  ['vm timeout (ns)', fmt(guard.vm_timeout_ns_per_call, 0)],
  ['vm timeout / guard', fmt(guard.vm_timeout_ns_per_call / guard.ns_per_call, 0) + '×', 'target ≥ 50×'],
])

const lat = await latency(quick)
table('latency: deadline → HardTimeoutError thrown, other core busy (ms)', [
  [`js (${lat.js.count} stops: loop, regex, Atomics.wait) p50`, fmt(lat.js.p50_ms, 3)],
  ['js p99', fmt(lat.js.p99_ms, 3), 'target ≤ 5'],
  ['js max', fmt(lat.js.max_ms, 3)],
  [`native (${lat.native.count} stops: readSync, execSync) p50`, fmt(lat.native.p50_ms, 1)],
  ['native p99', fmt(lat.native.p99_ms, 1), 'target ≤ 300'],
])
writeFileSync(new URL('latency-js.svg', out), histogramSvg('JS hangs: deadline → error thrown', lat.js.samples))

const st = stall(quick)
table(`stop latency of ${st.threads} threads' loops (${st.timeout_ms} ms limit) while another thread is stuck in pbkdf2Sync (ms)`, [
  [`no stuck thread (pbkdf2Sync unguarded, ${st.baseline.count} stops) p50`, fmt(st.baseline.p50_ms, 3)],
  ['no stuck thread p99', fmt(st.baseline.p99_ms, 3)],
  [`one thread stuck (${st.stuck.count} stops) p50`, fmt(st.stuck.p50_ms, 3)],
  ['one thread stuck p99', fmt(st.stuck.p99_ms, 3)],
  ['p99 difference', fmt(st.p99_delta_ms, 3), 'target ≤ 1'],
])

const mem = await memory(quick)
table('memory: in-place stops in one worker thread', [
  ['stops', mem.kills],
  ['RSS growth (MB)', fmt(mem.rss_growth_mb, 1), 'target ≤ 20'],
])

const fw = await frameworks(quick, table, fmt)

const result = {
  node: process.version,
  quick,
  date: new Date().toISOString(),
  guard: { ns_per_call: guard.ns_per_call, plain_ns_per_call: guard.plain_ns_per_call },
  latency: {
    js: { p50_ms: lat.js.p50_ms, p99_ms: lat.js.p99_ms, max_ms: lat.js.max_ms, count: lat.js.count },
    native: { p50_ms: lat.native.p50_ms, p99_ms: lat.native.p99_ms, count: lat.native.count },
  },
  stall: st,
  recovery: fw.recovery,
  overhead: fw.overhead,
  memory: mem,
  anchors: { vm_timeout_ns_per_call: guard.vm_timeout_ns_per_call, ...fw.anchors },
}
writeFileSync(new URL('latest.json', out), JSON.stringify(result, null, 2) + '\n')
console.log(`\nwrote ${new URL('latest.json', out).pathname}`)
