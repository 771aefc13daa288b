// `pnpm bench:model [--quick] [--modes=vitest-forks,jest-in-band]`: what hardtimeout costs, as a
// model a noisy machine can measure. A whole suite's CPU ratio cannot resolve 1 % here (identical
// runs spread by more), so each part is measured where it is large compared to the noise:
//
// - per test and per hook: inside the process that runs the tests. Two files of T tests each, one
//   plain and one with a beforeEach and an afterEach, time themselves with process.cpuUsage() from
//   their first line (so that collection, where the plugins do part of their work, counts) to
//   their afterAll; per test = (on − off) / T, per hook = (hooks file's difference − plain file's
//   difference) / 2T. In Vitest's threads pool process.cpuUsage() is the whole process's, the main
//   thread's share of the run included.
// - fixed, and per test file: whole-tree CPU of runs of FA and FB one-test files; per file =
//   (difference at FB − difference at FA) / (FB − FA), fixed = difference at FA − FA × per file.
//   With Vitest's default isolation each file gets a worker of its own: "per file" is per worker.
//
// Every configuration runs off and on in alternating pairs (the order flips every pair); each
// figure comes from each pair's own difference, and the median and the range over the pairs are
// shown. The model then predicts the 5,000-test suite of `pnpm bench` (50 files × 100 tests), whose
// ratio is measured over the same number of pairs: the two ranges must overlap.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bin, exec, healthySuite, jestArgs, jestEnv, median, vitestConfig, work, write } from './frameworks.mjs'

const MODES = {
  'vitest-forks': { framework: 'vitest', config: "pool: 'forks'" },
  'vitest-threads': { framework: 'vitest', config: "pool: 'threads'" },
  'jest-in-band': { framework: 'jest', args: ['--runInBand'] },
  // Jest runs up to 20 fast files in band whatever --maxWorkers says: the per-test project gets 20
  // one-test files beside its two timed ones, the others have more than 20 files.
  'jest-workers': { framework: 'jest', args: ['--maxWorkers=2'], fillers: 20 },
}

for (const a of process.argv.slice(2)) {
  if (a !== '--quick' && !a.startsWith('--modes=') && !a.startsWith('--pairs=')) {
    console.error(`bench:model: unknown option "${a}" (--quick, --modes=<mode,…>, --pairs=<n>)`)
    process.exit(2)
  }
}
const quick = process.argv.includes('--quick')
const modesArg = process.argv.find((a) => a.startsWith('--modes='))
const modes = modesArg ? modesArg.slice('--modes='.length).split(',') : Object.keys(MODES)
for (const m of modes) {
  if (!MODES[m]) {
    console.error(`bench:model: --modes: unknown mode "${m}" (one of ${Object.keys(MODES).join(', ')})`)
    process.exit(2)
  }
}
const pairsArg = process.argv.find((a) => a.startsWith('--pairs='))
const PAIRS = pairsArg ? Number(pairsArg.slice('--pairs='.length)) : quick ? 1 : 10
if (!Number.isInteger(PAIRS) || PAIRS < 1) {
  console.error(`bench:model: --pairs must be a whole number ≥ 1, not "${pairsArg.slice('--pairs='.length)}"`)
  process.exit(2)
}
const FA = quick ? 22 : 24
const FB = quick ? 30 : 72
const T = quick ? 200 : 2000
const SUITE = quick ? { files: 10, perFile: 20 } : { files: 50, perFile: 100 }
const spans = join(work, 'model-spans')
process.env.HARDTIMEOUT_MODEL_OUT = spans

const range = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), values: xs })

// A file that times its own collection and run (µs of CPU), written where the model reads it.
function timedFile(framework, name, tests, hooks) {
  const head = framework === 'vitest'
    ? "import { test, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest'\nimport { writeFileSync } from 'node:fs'\n"
    : "const { writeFileSync } = require('node:fs')\n"
  let body = `${head}const t0 = process.cpuUsage()
let n = 0
afterAll(() => { const d = process.cpuUsage(t0); writeFileSync(process.env.HARDTIMEOUT_MODEL_OUT + '/${name}.json', String(d.user + d.system)) })
`
  if (hooks) body += 'beforeEach(() => { n++ })\nafterEach(() => { n-- })\n'
  for (let t = 0; t < tests; t++) {
    body += `test('case ${t}', () => { let s = 0; for (let i = 0; i < 200; i++) s += i; expect(s).toBe(19900) })\n`
  }
  return body
}

function project(name, mode, files, fillers = 0) {
  const dir = join(work, `model-${mode}-${name}`)
  rmSync(dir, { recursive: true, force: true })
  for (const [file, text] of Object.entries(files)) write(join(dir, file), text)
  for (let i = 0; i < fillers; i++) write(join(dir, `filler${i}.test.js`), fillerText(MODES[mode].framework))
  return dir
}

async function run(mode, dir, on) {
  const m = MODES[mode]
  let args
  if (m.framework === 'vitest') {
    vitestConfig(dir, on, m.config)
    args = [bin.vitest, 'run', '--config', `vitest.${on ? 'on' : 'off'}.config.mjs`, '--reporter=dot']
  } else {
    args = [...jestArgs(dir, jestEnv(dir, on ? 'on' : 'off')), `--cacheDirectory=${join(dir, '.jest-cache')}`, ...m.args]
  }
  rmSync(spans, { recursive: true, force: true })
  mkdirSync(spans, { recursive: true })
  const r = await exec(args, dir, 600_000)
  if (r.code !== 0) throw new Error(`${mode} in ${dir} (${on ? 'on' : 'off'}) failed:\n${r.out.slice(-2000)}`)
  const spanOf = Object.fromEntries(readdirSync(spans).map((f) => [f.replace(/\.json$/, ''), Number(readFileSync(join(spans, f), 'utf8'))]))
  return { cpu: r.cpu, spans: spanOf }
}

// Alternating pairs of one configuration; untimed first runs warm Jest's transform cache and its
// timings (which decide in band or workers) for both.
async function pairs(mode, dir) {
  if (!quick) for (const on of [false, true]) await run(mode, dir, on)
  const out = []
  for (let i = 0; i < PAIRS; i++) {
    const order = i % 2 === 0 ? [false, true] : [true, false]
    const got = {}
    for (const on of order) got[on ? 'on' : 'off'] = await run(mode, dir, on)
    out.push(got)
  }
  return out
}

const fillerText = (framework) => (framework === 'vitest' ? "import { test } from 'vitest'\n" : '') + "test('filler', () => {})\n"
const oneTestFiles = (framework, count) => {
  const files = {}
  for (let f = 0; f < count; f++) files[`f${f}.test.js`] = fillerText(framework)
  return files
}

async function model(mode) {
  const { framework } = MODES[mode]
  console.log(`\n${mode}: measuring (${PAIRS} pair${PAIRS > 1 ? 's' : ''} per configuration)`)
  const tests = await pairs(mode, project('tests', mode, {
    'plain.test.js': timedFile(framework, 'plain', T, false),
    'hooks.test.js': timedFile(framework, 'hooks', T, true),
  }, MODES[mode].fillers))
  const perTest = tests.map((p) => (p.on.spans.plain - p.off.spans.plain) / T)
  const perHook = tests.map((p) => ((p.on.spans.hooks - p.off.spans.hooks) - (p.on.spans.plain - p.off.spans.plain)) / (2 * T))
  const a = await pairs(mode, project('files-a', mode, oneTestFiles(framework, FA)))
  const b = await pairs(mode, project('files-b', mode, oneTestFiles(framework, FB)))
  const perFile = a.map((p, i) => ((b[i].on.cpu - b[i].off.cpu) - (p.on.cpu - p.off.cpu)) / (FB - FA) * 1e6)
  const fixed = a.map((p, i) => (p.on.cpu - p.off.cpu) * 1e6 - FA * perFile[i])
  const suiteDir = join(work, `model-${mode}-suite`)
  healthySuite(suiteDir, SUITE.files, SUITE.perFile, framework)
  const suite = await pairs(mode, suiteDir)
  const tests5k = SUITE.files * SUITE.perFile
  const offMedian = median(suite.map((p) => p.off.cpu)) * 1e6
  // The prediction of pair i uses pair i's own figures; a one-test file's cost holds one test.
  const predicted = perFile.map((pf, i) => 1 + (fixed[i] + SUITE.files * (pf - perTest[i]) + tests5k * perTest[i]) / offMedian)
  const measured = suite.map((p) => p.on.cpu / p.off.cpu)
  const result = {
    framework,
    tests_per_file: T,
    files: [FA, FB],
    per_test_us: range(perTest),
    per_hook_us: range(perHook),
    per_file_us: range(perFile),
    fixed_us: range(fixed),
    suite: { files: SUITE.files, tests: tests5k, cpu_off_s: offMedian / 1e6, predicted_ratio: range(predicted), measured_ratio: range(measured) },
  }
  result.suite.agree = result.suite.predicted_ratio.min <= result.suite.measured_ratio.max && result.suite.measured_ratio.min <= result.suite.predicted_ratio.max
  return result
}

const results = {}
for (const mode of modes) results[mode] = await model(mode)

const f = (r, digits = 1) => `${r.median.toFixed(digits)} (${r.min.toFixed(digits)} – ${r.max.toFixed(digits)})`
console.log(`\ncost model: CPU added by hardtimeout, median (min – max) over ${PAIRS} pair${PAIRS > 1 ? 's' : ''}`)
const rows = [['mode', 'per test (µs)', 'per hook (µs)', 'per file (ms)', 'fixed (ms)', `${SUITE.files * SUITE.perFile} tests: predicted`, 'measured', 'agree']]
for (const [mode, r] of Object.entries(results)) {
  const ms = (x) => ({ ...x, median: x.median / 1000, min: x.min / 1000, max: x.max / 1000 })
  rows.push([mode, f(r.per_test_us), f(r.per_hook_us), f(ms(r.per_file_us)), f(ms(r.fixed_us)), f(r.suite.predicted_ratio, 3), f(r.suite.measured_ratio, 3), r.suite.agree ? 'yes' : 'no'])
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
for (const row of rows) console.log('  ' + row.map((cell, c) => cell.padEnd(widths[c])).join('  '))

const out = new URL('./results/', import.meta.url)
mkdirSync(out, { recursive: true })
writeFileSync(new URL('model.json', out), JSON.stringify({ node: process.version, quick, pairs: PAIRS, date: new Date().toISOString(), modes: results }, null, 2) + '\n')
rmSync(spans, { recursive: true, force: true })
for (const mode of modes) for (const name of ['tests', 'files-a', 'files-b', 'suite']) rmSync(join(work, `model-${mode}-${name}`), { recursive: true, force: true })
console.log(`\nwrote ${new URL('model.json', out).pathname}`)
