// `pnpm bench:count [--quick]`: what hardtimeout costs per test, in instructions, counted by valgrind instead of hardware counters (this VM has none, and
// CPU time cannot resolve a few µs per test here). Deterministic where CPU time is not:
//
// - valgrind's cachegrind (`--cache-sim=no`: it only counts) runs Jest in band on one file of T
//   empty tests, without and with hardtimeout, and every process of the run is counted;
// - Node runs with `--single-threaded --predictable`: V8's compiler and GC then work on the main
//   thread at fixed points, and three runs of one build agree within 0.1 % (without them one
//   run's count moves by up to ±0.7 G);
// - per test = the slope between T1 and T2 tests, so that loading and compiling, paid once, fall
//   out; fixed = what is left at T1.
//
// Between two builds GC and tiering decisions still move the slope by ~±10 k instructions per test:
// a change smaller than that is not resolved. Not Vitest: its worker sends task updates to the main
// process in batches made by time, so how much both do depends on how slow the run is, and
// valgrind slows it ~50× (two counts of one Vitest build differed by more than our cost). Each configuration runs once untimed first (Jest
// transforms the environment's modules on its first run, ~1.9 G, cached afterwards).
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bin, work, write } from './frameworks.mjs'

const MODES = {
  'jest-in-band': 'jest',
}
const V8_FLAGS = ['--single-threaded', '--predictable']

for (const a of process.argv.slice(2)) {
  if (a !== '--quick') {
    console.error(`bench:count: unknown option "${a}" (--quick)`)
    process.exit(2)
  }
}
const quick = process.argv.includes('--quick')
const modes = Object.keys(MODES)
if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('bench:count: needs valgrind (Debian: apt-get install valgrind); nothing was counted')
  process.exit(2)
}
const [T1, T2] = quick ? [200, 600] : [2000, 6000]

function project(mode, tests, on) {
  const dir = join(work, `count-${mode}-${tests}-${on ? 'on' : 'off'}`)
  rmSync(dir, { recursive: true, force: true })
  write(join(dir, 'a.test.js'), `for (let i = 0; i < ${tests}; i++) test('t' + i, () => {})\n`)
  return dir
}

function command(mode, dir, on) {
  const config = { rootDir: dir, testEnvironment: on ? '@hardtimeout/jest-env' : 'node', cacheDirectory: join(dir, '.jest-cache') }
  return [bin.jest, '--config', JSON.stringify(config), '--ci', '--runInBand']
}

// One run; under valgrind, the instructions of every process of it (summed).
function run(mode, dir, on, counted) {
  const tmp = mkdtempSync(join(tmpdir(), 'hardtimeout-count-'))
  const args = [...V8_FLAGS, ...command(mode, dir, on)]
  const [file, argv] = counted
    ? ['valgrind', ['--tool=cachegrind', '--cache-sim=no', '--trace-children=yes', '--cachegrind-out-file=/dev/null', process.execPath, ...args]]
    : [process.execPath, args]
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd: dir, env: { ...process.env, TMPDIR: tmp, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('close', (code) => {
      rmSync(tmp, { recursive: true, force: true })
      if (code !== 0) return reject(new Error(`${mode} ${on ? 'on' : 'off'} exited ${code}:\n${out.slice(-3000)}`))
      const refs = [...out.matchAll(/==\d+== I\s+refs:\s+([\d,]+)/g)].map((m) => Number(m[1].replace(/,/g, '')))
      if (counted && refs.length === 0) return reject(new Error(`${mode}: valgrind printed no count:\n${out.slice(-3000)}`))
      resolve(refs.reduce((a, b) => a + b, 0))
    })
  })
}

const results = {}
for (const mode of modes) {
  const configs = [T1, T2].flatMap((tests) => [false, true].map((on) => ({ tests, on, dir: project(mode, tests, on) })))
  for (const c of configs) await run(mode, c.dir, c.on, false)
  // Counts do not depend on the load: two at a time (this machine's two cores), one at a time in
  // quick mode, which CI runs beside suites that judge time. (Quick mode's 200 → 600 slope still
  // has the compiling of our code in it: a check that the count runs, not a figure to read.)
  const step = quick ? 1 : 2
  for (let i = 0; i < configs.length; i += step) {
    const pair = configs.slice(i, i + step)
    const counts = await Promise.all(pair.map((c) => run(mode, c.dir, c.on, true)))
    pair.forEach((c, k) => (c.count = counts[k]))
  }
  const at = (tests, on) => configs.find((c) => c.tests === tests && c.on === on).count
  const perTest = (on) => (at(T2, on) - at(T1, on)) / (T2 - T1)
  const off = perTest(false)
  const on = perTest(true)
  results[mode] = {
    per_test_off: Math.round(off),
    per_test_on: Math.round(on),
    per_test_added: Math.round(on - off),
    per_test_ratio: on / off,
    fixed_added: Math.round(at(T1, true) - at(T1, false) - T1 * (on - off)),
    counts: configs.map(({ tests, on, count }) => ({ tests, on, count })),
  }
  for (const c of configs) rmSync(c.dir, { recursive: true, force: true })
}

const fmt = (n) => n.toLocaleString('en-US')
console.log(`\ninstructions per test (slope ${T1} → ${T2} tests), valgrind, Node ${process.versions.node}`)
console.log('  mode            off / test   on / test   added / test   ratio    fixed added')
for (const [mode, r] of Object.entries(results)) {
  console.log(`  ${mode.padEnd(15)} ${fmt(r.per_test_off).padStart(10)} ${fmt(r.per_test_on).padStart(11)} ${fmt(r.per_test_added).padStart(14)}   ${r.per_test_ratio.toFixed(3)}  ${(r.fixed_added / 1e6).toFixed(1).padStart(8)} M`)
}
write(join(work, '..', 'results', 'count.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.versions.node, quick, tests: [T1, T2], modes: results }, null, 2)}\n`)
