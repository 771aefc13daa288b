// Vitest and Jest figures, from real runs of generated suites:
// - overhead: a healthy suite (≥ 5,000 tests in ≥ 50 files) without and with hardtimeout,
//   alternating runs, medians;
// - recovery: from a deadline to the next test starting (stopped in place), and to the next file
//   starting (worker killed for a native hang);
// - anchors: one hanging suite without hardtimeout (an outer timeout has to kill the run, and
//   every result is lost) and with it.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runGroup } from './group.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
export const work = join(here, '.work')
export const bin = {
  vitest: join(here, 'node_modules/vitest/vitest.mjs'),
  jest: join(here, 'node_modules/jest/bin/jest.js'),
}

// Whether `perf stat` can count this user's instructions here (hardware counters exposed to the VM,
// perf_event_paranoid ≤ 2). Instructions retired are what the work costs, whatever the host does
// to the VM meanwhile: they vary by ~1% between identical runs where CPU time varies by ~20%.
const PERF = (() => {
  try {
    const r = spawnSync('perf', ['stat', '-x,', '-e', 'instructions:u', '--', 'true'], { encoding: 'utf8' })
    return r.status === 0 && /^\d+,/m.test(r.stderr)
  } catch {
    return false
  }
})()
let perfFiles = 0

// Runs node with args in its own process group. Returns the wall time and, through bash's `times`
// (what the shell's waited-for children used), the CPU time of the whole process tree: on a shared
// VM, wall time also counts the moments the host took the CPUs away; CPU time does not. Where perf
// can count them, also the user-space instructions of the whole process tree (`instructions`).
// Each run gets a temporary folder of its own (TMPDIR), removed afterwards: a run killed by the
// outer timeout (the anchors) cannot remove what it keeps there (Vitest's copies of transformed
// modules; a killed Vitest leaves them in /tmp otherwise).
export async function exec(args, cwd, limitMs) {
  const tmp = mkdtempSync(join(tmpdir(), 'hardtimeout-bench-'))
  const perfOut = PERF ? join(work, `perf-${process.pid}-${perfFiles++}.csv`) : null
  const run = perfOut ? `perf stat -x, -e instructions:u -o ${JSON.stringify(perfOut)} -- "$@"` : '"$@"'
  const script = `${run}; s=$?; times >&2; exit $s`
  const { code, signal, killed, seconds, out } = await runGroup('bash', ['-c', script, 'bash', process.execPath, ...args], { cwd, env: { ...process.env, TMPDIR: tmp }, limitMs })
  rmSync(tmp, { recursive: true, force: true })
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(out)
  const cpu = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : null
  let instructions = null
  if (perfOut) {
    try {
      const counted = /^(\d+),[^\n]*instructions/m.exec(readFileSync(perfOut, 'utf8'))
      if (counted) instructions = Number(counted[1])
    } catch {
      // killed before perf wrote its count
    }
    rmSync(perfOut, { force: true })
  }
  return { code, signal, killed, seconds, cpu, instructions, out }
}

export const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]

export function write(path, text) {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
}

// ---------- suites ----------

export function healthySuite(dir, files, perFile, flavour) {
  rmSync(dir, { recursive: true, force: true })
  const header = flavour === 'vitest' ? "import { describe, test, expect } from 'vitest'\n" : ''
  for (let f = 0; f < files; f++) {
    let body = header + `describe('file ${f}', () => {\n`
    for (let t = 0; t < perFile; t++) {
      body += `  test('case ${t}', () => { let s = 0; for (let i = 0; i < 200; i++) s += i; expect(s).toBe(19900) })\n`
    }
    write(join(dir, `f${f}.test.js`), body + '})\n')
  }
}

export function vitestConfig(dir, on, extra = '', preamble = '') {
  write(join(dir, on ? 'vitest.on.config.mjs' : 'vitest.off.config.mjs'), preamble +
    (on ? "import { hardTimeout } from '@hardtimeout/vitest'\n" : '') +
    `export default { ${on ? 'plugins: [hardTimeout()], ' : ''}test: { include: ['**/*.test.js'], ${extra} } }\n`)
}

// The testEnvironment of each Jest configuration ('listener' is written by listenerEnv()).
export const jestEnv = (dir, mode) => ({ off: 'node', on: '@hardtimeout/jest-env', listener: join(dir, 'listener-env.js') })[mode]

export function jestArgs(dir, env, extra = {}) {
  const config = { rootDir: dir, testEnvironment: env, ...extra }
  return [bin.jest, '--config', JSON.stringify(config), '--ci']
}

// Jest only: an environment whose handleTestEvent does nothing. Any environment that listens to
// jest-circus's events pays for it (each of a test's ~8 events then awaits one more handler): this
// separates Jest's own price for listening from what hardtimeout adds.
function listenerEnv(dir) {
  const require = createRequire(bin.jest)
  const base = require.resolve('jest-environment-node', { paths: [require.resolve('jest')] })
  write(jestEnv(dir, 'listener'), `const { TestEnvironment } = require(${JSON.stringify(base)})
module.exports = class ListenerEnvironment extends TestEnvironment { handleTestEvent() {} }
`)
}

async function overhead(name, quick) {
  const files = quick ? 10 : 50
  const perFile = quick ? 20 : 100
  const dir = join(work, `${name}-healthy`)
  healthySuite(dir, files, perFile, name)
  const modes = name === 'jest' ? ['off', 'on', 'listener'] : ['off', 'on']
  const runs = Object.fromEntries(modes.map((m) => [m, []]))
  const cpu = Object.fromEntries(modes.map((m) => [m, []]))
  const ins = Object.fromEntries(modes.map((m) => [m, []]))
  const rounds = quick ? 2 : 5
  if (name === 'vitest') {
    vitestConfig(dir, false)
    vitestConfig(dir, true)
  } else {
    listenerEnv(dir)
  }
  const once = async (mode) => {
    const args = name === 'vitest'
      ? [bin.vitest, 'run', '--config', `vitest.${mode}.config.mjs`, '--reporter=dot']
      : [...jestArgs(dir, jestEnv(dir, mode)), `--cacheDirectory=${join(dir, '.jest-cache')}`]
    const r = await exec(args, dir, 300_000)
    if (r.code !== 0) throw new Error(`${name} healthy suite (${mode}) failed:\n${r.out.slice(-2000)}`)
    return r
  }
  // One untimed run of each first: Jest's transform cache and the timings it uses to choose
  // between in band and workers are per configuration; a cold first run would decide the ratio.
  for (const mode of modes) await once(mode)
  for (let i = 0; i < rounds; i++) {
    // The order rotates, so that no configuration always runs right after the same other one.
    const order = modes.map((_, j) => modes[(i + j) % modes.length])
    for (const mode of i % 2 === 0 ? order : order.reverse()) {
      const r = await once(mode)
      runs[mode].push(r.seconds)
      cpu[mode].push(r.cpu)
      if (r.instructions !== null) ins[mode].push(r.instructions)
    }
  }
  const result = {
    tests: files * perFile,
    files,
    off_s: median(runs.off),
    on_s: median(runs.on),
    ratio: median(runs.on) / median(runs.off),
    cpu_off_s: median(cpu.off),
    cpu_on_s: median(cpu.on),
    cpu_ratio: median(cpu.on) / median(cpu.off),
    instructions_off: null,
    instructions_on: null,
    instructions_ratio: null,
    runs,
    cpu_runs: cpu,
    instruction_runs: ins,
  }
  const counted = (mode) => ins[mode].length === rounds
  if (counted('off') && counted('on')) {
    result.instructions_off = median(ins.off)
    result.instructions_on = median(ins.on)
    result.instructions_ratio = median(ins.on) / median(ins.off)
  }
  if (runs.listener) {
    result.listener_s = median(runs.listener)
    result.listener_ratio = median(runs.listener) / median(runs.off)
    result.cpu_listener_s = median(cpu.listener)
    result.cpu_listener_ratio = median(cpu.listener) / median(cpu.off)
    result.instructions_listener_ratio = counted('off') && counted('listener') ? median(ins.listener) / median(ins.off) : null
  }
  return result
}

// A file whose first test hangs, then a test that records when it started.
const STAMP = (file) => `appendFileSync(${JSON.stringify(file)}, JSON.stringify({ name: expect.getState().currentTestName, t: Date.now() }) + '\\n')`
const STAMP_IMPORTS = "import { test, expect } from 'vitest'\nimport { appendFileSync } from 'node:fs'\n"

async function recovery(quick) {
  const dir = join(work, 'vitest-recovery')
  rmSync(dir, { recursive: true, force: true })
  const stamps = join(dir, 'stamps.jsonl')
  const limit = 300
  const samples = []
  write(join(dir, 'a.test.js'), `${STAMP_IMPORTS}
test('hangs', { meta: { hardTimeout: ${limit} } }, () => { ${STAMP(stamps)}; for (;;) {} })
test('next', () => { ${STAMP(stamps)} })
`)
  write(join(dir, 'native.test.js'), `${STAMP_IMPORTS}
import { pbkdf2Sync } from 'node:crypto'
test('hangs in native code', { meta: { hardTimeout: ${limit} } }, () => { ${STAMP(stamps)}; pbkdf2Sync('x', 'y', 2e9, 64, 'sha512') })
`)
  write(join(dir, 'z.test.js'), `${STAMP_IMPORTS}
test('next file', () => { ${STAMP(stamps)} })
`)
  // One fork worker, files in name order: a (stopped in place), native (worker killed), z.
  vitestConfig(dir, true, "pool: 'forks', maxWorkers: 1, fileParallelism: false, sequence: { sequencer: ByName }",
    "import { BaseSequencer } from 'vitest/node'\nclass ByName extends BaseSequencer { async sort(files) { return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId)) } }\n")
  const rounds = quick ? 1 : 3
  for (let i = 0; i < rounds; i++) {
    rmSync(stamps, { force: true })
    const r = await exec([bin.vitest, 'run', '--config', 'vitest.on.config.mjs', '--reporter=dot'], dir, 120_000)
    const lines = existsSync(stamps) ? readFileSync(stamps, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []
    const at = (name) => lines.find((l) => l.name === name)?.t
    samples.push({
      in_place_ms: at('next') - (at('hangs') + limit),
      worker_kill_ms: at('next file') - (at('hangs in native code') + limit),
      code: r.code,
    })
  }
  return {
    in_place_ms: median(samples.map((s) => s.in_place_ms)),
    worker_kill_ms: median(samples.map((s) => s.worker_kill_ms)),
    samples,
  }
}

async function anchors(name, quick) {
  const dir = join(work, `${name}-anchor`)
  rmSync(dir, { recursive: true, force: true })
  const imp = name === 'vitest' ? "import { test } from 'vitest'\n" : ''
  write(join(dir, 'a.test.js'), `${imp}test('passes first', () => {})
test('hangs', () => { for (;;) {} }, 500)
test('passes after', () => {})
`)
  write(join(dir, 'b.test.js'), `${imp}test('other file passes', () => {})\n`)
  const outer = quick ? 15_000 : 30_000
  const result = {}
  for (const mode of ['off', 'on']) {
    let args
    const report = join(dir, `${mode}.json`)
    if (name === 'vitest') {
      vitestConfig(dir, mode === 'on', 'testTimeout: 500')
      args = [bin.vitest, 'run', '--config', `vitest.${mode}.config.mjs`, '--reporter=json', `--outputFile=${report}`]
    } else {
      args = [...jestArgs(dir, jestEnv(dir, mode), { testTimeout: 500 }), '--json', `--outputFile=${report}`]
    }
    const r = await exec(args, dir, outer)
    let results = 0
    try { results = JSON.parse(readFileSync(report, 'utf8')).testResults.flatMap((f) => f.assertionResults).length } catch {}
    result[mode] = { seconds: r.seconds, killed_by_outer_timeout: r.killed, results_reported: results, of: 4 }
  }
  result.outer_timeout_s = outer / 1000
  return result
}

export async function frameworks(quick, table, fmt) {
  mkdirSync(work, { recursive: true })
  const vitest = await overhead('vitest', quick)
  const jest = await overhead('jest', quick)
  table(`overhead: healthy suites, medians of alternating runs (wall time; CPU time of the process tree)`, [
    [`vitest: ${vitest.tests} tests in ${vitest.files} files, off (s)`, `${fmt(vitest.off_s)} / ${fmt(vitest.cpu_off_s)} CPU`],
    ['vitest: with hardtimeout (s)', `${fmt(vitest.on_s)} / ${fmt(vitest.cpu_on_s)} CPU`],
    ['vitest: ratio (wall / CPU)', `${fmt(vitest.ratio, 3)} / ${fmt(vitest.cpu_ratio, 3)}`, 'target ≤ 1.02'],
    [`jest: ${jest.tests} tests in ${jest.files} files, off (s)`, `${fmt(jest.off_s)} / ${fmt(jest.cpu_off_s)} CPU`],
    ['jest: empty handleTestEvent (s)', `${fmt(jest.listener_s)} / ${fmt(jest.cpu_listener_s)} CPU`],
    ['jest: with hardtimeout (s)', `${fmt(jest.on_s)} / ${fmt(jest.cpu_on_s)} CPU`],
    ['jest: ratio, empty handleTestEvent', `${fmt(jest.listener_ratio, 3)} / ${fmt(jest.cpu_listener_ratio, 3)}`, "(Jest's own price for listening)"],
    ['jest: ratio (wall / CPU)', `${fmt(jest.ratio, 3)} / ${fmt(jest.cpu_ratio, 3)}`, 'target ≤ 1.02'],
  ])
  table('overhead in instructions (perf stat, user space, whole process tree; medians): the steady figure', [
    ['vitest: with / without', fmt(vitest.instructions_ratio, 3), 'target ≤ 1.02'],
    ['jest: empty handleTestEvent / without', fmt(jest.instructions_listener_ratio, 3), "(Jest's own price for listening)"],
    ['jest: with / without', fmt(jest.instructions_ratio, 3), 'target ≤ 1.02'],
  ])
  const rec = await recovery(quick)
  table('recovery (Vitest, forks pool): deadline → next test starts (ms)', [
    ['stopped in place → next test of the file', fmt(rec.in_place_ms, 0), 'target ≤ 10'],
    ['worker killed → next file', fmt(rec.worker_kill_ms, 0)],
  ])
  const av = await anchors('vitest', quick)
  const aj = await anchors('jest', quick)
  table('anchors: a file with a 500 ms test stuck in a loop, and a healthy file', [
    ['vitest without hardtimeout', `${fmt(av.off.seconds, 1)} s, ${av.off.killed_by_outer_timeout ? 'killed by the outer timeout' : 'ended'}, ${av.off.results_reported}/4 results`],
    ['vitest with hardtimeout', `${fmt(av.on.seconds, 1)} s, ${av.on.killed_by_outer_timeout ? 'killed by the outer timeout' : 'ended'}, ${av.on.results_reported}/4 results`],
    ['jest without hardtimeout', `${fmt(aj.off.seconds, 1)} s, ${aj.off.killed_by_outer_timeout ? 'killed by the outer timeout' : 'ended'}, ${aj.off.results_reported}/4 results`],
    ['jest with hardtimeout', `${fmt(aj.on.seconds, 1)} s, ${aj.on.killed_by_outer_timeout ? 'killed by the outer timeout' : 'ended'}, ${aj.on.results_reported}/4 results`],
  ])
  return {
    recovery: { in_place_ms: rec.in_place_ms, worker_kill_ms: rec.worker_kill_ms },
    overhead: {
      vitest,
      jest,
    },
    anchors: { vitest: av, jest: aj },
  }
}
