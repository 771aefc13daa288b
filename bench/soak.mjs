// `pnpm bench:soak [--seed=N] [--tests=N] [--only=vitest|jest] [--out=path]`: thousands of generated
// tests across Vitest's pools and Jest's modes, hang kinds drawn at random between healthy tests
// (some of which busy-wait to 70–90% of their limit), each run's results compared with what
// hardtimeout documents. Counts runs that did not finish, results lost, false stops, missed stops,
// crashes, orphaned processes and temporary files left: all must be 0 (exit 1 otherwise). Writes
// bench/results/soak.json. A program, not a CI test: see BENCHMARKS.md, "Soak".
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runGroup, withTempRoot } from './group.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const repo = resolve(here, '..')
const bin = {
  vitest: join(here, 'node_modules/vitest/vitest.mjs'),
  jest: join(here, 'node_modules/jest/bin/jest.js'),
}
const versionOf = (name) => JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8')).version
const MARKER_VAR = 'HT_SOAK_MARKER'

// ---------- options ----------

class UsageError extends Error {}
const USAGE = 'usage: pnpm bench:soak [--seed=N] [--tests=N] [--only=vitest|jest] [--out=path]'

function parseArgs(argv) {
  const opts = { seed: Math.floor(Math.random() * 2 ** 31), tests: 2000, only: undefined, out: join(here, 'results/soak.json') }
  for (const arg of argv) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg)
    if (!m) throw new UsageError(`unknown argument ${arg} (${USAGE})`)
    const [, key, value] = m
    const whole = (min) => {
      if (value === undefined || !/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
        throw new UsageError(`--${key}=${value ?? ''}: expected a whole number ≥ ${min}`)
      }
      return Number(value)
    }
    if (key === 'seed') opts.seed = whole(0)
    else if (key === 'tests') opts.tests = whole(10)
    else if (key === 'only') {
      if (value !== 'vitest' && value !== 'jest') throw new UsageError(`--only=${value ?? ''}: expected vitest or jest`)
      opts.only = value
    } else if (key === 'out') {
      if (!value) throw new UsageError('--out=: expected a file path')
      opts.out = resolve(value)
    } else if (key === 'help' && value === undefined) {
      console.log(USAGE)
      process.exit(0)
    } else throw new UsageError(`unknown option --${key} (${USAGE})`)
  }
  return opts
}

// mulberry32: small, seedable, good enough to draw kinds and limits.
function prng(seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) }
}

// ---------- what a test does ----------

// (module, function returning void) with `loop br 0 end`: a WebAssembly loop with no call out.
const WASM = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
  0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b]

// hang: the test must fail with a HardTimeoutError. endsWorker: what a worker cannot survive
// (native code that cannot be unblocked; a loop in a timer callback, where no stop can be caught).
const KINDS = {
  quick: { weight: 50, body: () => '() => { let s = 0; for (let i = 0; i < 1000; i++) s += i; expect(s).toBe(499500) }' },
  async: { weight: 8, body: () => 'async () => { await new Promise((r) => setTimeout(r, 5)); expect(1).toBe(1) }' },
  // Busy until 70–90% of the limit: finishing just before the deadline must not be stopped.
  nearDeadline: { weight: 14, body: (t) => `() => { const end = Date.now() + ${Math.round(t.limit * t.frac)}; while (Date.now() < end) {} }` },
  sleepNear: { weight: 4, body: (t) => `async () => { await new Promise((r) => setTimeout(r, ${Math.round(t.limit * t.frac)})) }` },
  loop: { weight: 3, hang: true, body: () => '() => { for (;;) {} }' },
  regex: { weight: 3, hang: true, body: () => "() => { expect(/^(\\w+)+$/.test('a'.repeat(40) + '!')).toBe(false) }" },
  atomics: { weight: 3, hang: true, body: () => '() => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0) }' },
  awaitLoop: { weight: 3, hang: true, body: () => 'async () => { await null; for (;;) {} }' },
  wasm: { weight: 3, hang: true, body: () => '() => { wasmLoop() }' },
  // The FIFO lives in the project, not in TMPDIR: only what the frameworks leave there is counted.
  fifo: { weight: 3, hang: true, body: (t) => `() => { const p = ${JSON.stringify(t.fifo)}; execFileSync('mkfifo', [p]); fs.readSync(fs.openSync(p, fs.constants.O_RDWR), Buffer.alloc(1)) }` },
  exec: { weight: 3, hang: true, body: () => "() => { execSync('sleep 1000') }" },
  timer: { weight: 1, hang: true, endsWorker: true, body: () => '() => new Promise(() => { setTimeout(() => { for (;;) {} }, 10) })' },
  pbkdf2: { weight: 1, hang: true, endsWorker: true, body: () => "() => { pbkdf2Sync('x', 'y', 2e9, 64, 'sha512') }" },
}

const PREAMBLE = {
  vitest: `import { test, expect } from 'vitest'
import { execSync, execFileSync } from 'node:child_process'
import { pbkdf2Sync } from 'node:crypto'
import * as fs from 'node:fs'
`,
  jest: `const { execSync, execFileSync } = require('node:child_process')
const { pbkdf2Sync } = require('node:crypto')
const fs = require('node:fs')
`,
}
const WASM_HELPER = `const wasmLoop = () => new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${JSON.stringify(WASM)}))).exports.run()\n`

// framework × pool or mode. runEnds: a worker-ending kind ends the whole run (Jest in band and in
// worker threads, where the stuck thread is Jest's: packages/jest-env/README.md).
const CONFIGS = [
  { framework: 'vitest', mode: 'forks' },
  { framework: 'vitest', mode: 'threads' },
  { framework: 'vitest', mode: 'vmForks' },
  { framework: 'jest', mode: 'runInBand', args: ['--runInBand'], runEnds: true },
  { framework: 'jest', mode: 'workers', args: ['--maxWorkers=2'] },
  { framework: 'jest', mode: 'workerThreads', args: ['--workerThreads', '--maxWorkers=2'], runEnds: true },
]

function drawKind(rng, allowed) {
  const names = Object.keys(KINDS).filter(allowed)
  const total = names.reduce((s, n) => s + KINDS[n].weight, 0)
  let x = rng.next() * total
  for (const n of names) if ((x -= KINDS[n].weight) < 0) return n
  return names.at(-1)
}

// A file's tests and the state each must end in: 'passed', 'failed' (stopped), 'notRun' (after a
// worker-ending hang of the same file), 'optional:<state>' (in a run Jest ends, a file that may
// not have started).
function makeFile(rng, cfg, fileIndex, { endAt } = {}) {
  const count = rng.int(10, 20)
  const tests = []
  let ended = false
  let enders = 0
  for (let i = 0; i < count; i++) {
    const name = `t${String(i).padStart(2, '0')}`
    const limit = rng.int(300, 500)
    let kind
    if (endAt !== undefined && i === endAt) kind = rng.next() < 0.5 ? 'timer' : 'pbkdf2'
    else kind = drawKind(rng, (n) => !KINDS[n].endsWorker || (!cfg.runEnds && cfg.allowEnders(enders)))
    if (KINDS[kind].endsWorker) enders++
    const t = { name: `${name} ${kind}`, kind, limit, frac: 0.7 + rng.next() * 0.2 }
    t.expect = ended ? 'notRun' : KINDS[kind].hang ? 'failed' : 'passed'
    if (KINDS[kind].endsWorker) ended = true
    tests.push(t)
  }
  return { name: `f${String(fileIndex).padStart(2, '0')}.test.js`, tests, enders }
}

function fileSource(framework, file) {
  let src = PREAMBLE[framework] + WASM_HELPER
  for (const t of file.tests) src += `test(${JSON.stringify(t.name)}, ${KINDS[t.kind].body(t)}, ${t.limit})\n`
  return src
}

function writeProject(root, runId, cfg, files) {
  const dir = join(root, `run-${runId}`)
  mkdirSync(join(dir, 'fifos'), { recursive: true })
  for (const f of files) writeFileSync(join(dir, f.name), fileSource(cfg.framework, f))
  if (cfg.framework === 'vitest') {
    // The plugin resolves `vitest` from its own folder: the same Vitest 4.1.12 as bench's.
    mkdirSync(join(dir, 'node_modules/@hardtimeout'), { recursive: true })
    symlinkSync(dirname(bin.vitest), join(dir, 'node_modules/vitest'))
    symlinkSync(join(repo, 'packages/vitest-plugin'), join(dir, 'node_modules/@hardtimeout/vitest'))
    writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n')
    writeFileSync(join(dir, 'vitest.config.mjs'), `import { defineConfig } from 'vitest/config'
import { hardTimeout } from '@hardtimeout/vitest'
export default defineConfig({ plugins: [hardTimeout()], test: { include: ['*.test.js'], pool: '${cfg.mode}', maxWorkers: 2 } })
`)
  } else {
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n')
    writeFileSync(join(dir, 'jest.config.js'), `module.exports = ${JSON.stringify({
      rootDir: dir,
      testMatch: ['<rootDir>/*.test.js'],
      testEnvironment: join(repo, 'packages/jest-env/dist/index.js'),
      reporters: ['default', join(repo, 'packages/jest-env/dist/reporter.js')],
      transform: {},
      // Fresh per run: with no recorded timings Jest does not decide to run a few files in band.
      cacheDirectory: join(dir, '.jest-cache'),
    }, null, 2)}\n`)
  }
  return dir
}

// ---------- runs ----------

function processesWithMarker(marker) {
  const found = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`${MARKER_VAR}=${marker}`)) {
        found.push({ pid: Number(entry), cmd: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() })
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return found
}

function execRun(args, cwd, tmp, marker, limitMs) {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))), TMPDIR: tmp, [MARKER_VAR]: marker, CI: '1', FORCE_COLOR: '0' }
  return runGroup(process.execPath, args, { cwd, env, limitMs })
}

const CRASH_TEXT = /\bAborted\b|core dumped|FATAL ERROR|Segmentation fault|SIGSEGV|SIGABRT|SIGBUS/

async function runOne(root, run) {
  const { cfg, files, id } = run
  const dir = writeProject(root, id, cfg, files)
  const tmp = mkdtempSync(join(root, `tmp-${id}-`))
  const report = join(root, `report-${id}.json`)
  const marker = randomUUID()
  const args = cfg.framework === 'vitest'
    ? [bin.vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]
    : [bin.jest, ...cfg.args, '--ci', '--json', `--outputFile=${report}`]
  const tests = files.flatMap((f) => f.tests)
  const hangs = tests.filter((t) => t.expect === 'failed').length
  const limitMs = 120_000 + hangs * 3_000
  // This process only waits meanwhile: how late its timers fire is how long a runnable process
  // waited for a CPU during the run, which decides whether a near-deadline test could finish.
  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  const r = await execRun(args, dir, tmp, marker, limitMs)
  lag.disable()
  const machine = { load1: loadavg()[0], lagP99Ms: lag.percentile(99) / 1e6 - 10, lagMaxMs: lag.max / 1e6 - 10 }

  // Processes still alive a moment after the run were left behind by it.
  let orphans = []
  for (let i = 0; i < 30; i++) {
    orphans = processesWithMarker(marker)
    if (orphans.length === 0) break
    await new Promise((res) => setTimeout(res, 100))
  }
  for (const p of orphans) try { process.kill(p.pid, 'SIGKILL') } catch {}
  const tempLeft = readdirSync(tmp)
  const cores = readdirSync(dir).filter((n) => /^core(\.\d+)?$/.test(n))

  let json
  try { json = JSON.parse(readFileSync(report, 'utf8')) } catch {}
  const actual = new Map()
  for (const file of json?.testResults ?? []) {
    const base = (file.name ?? '').split('/').pop()
    for (const a of file.assertionResults ?? []) {
      actual.set(`${base} > ${a.title}`, { status: a.status, message: (a.failureMessages ?? []).join('\n') })
    }
  }

  const d = { resultsLost: [], falseStops: [], missedStops: [], wrongStates: [], crashes: [], orphans, tempFilesLeft: tempLeft }
  const endsRun = cfg.runEnds && files.some((f) => f.enders > 0)
  // What the report said of each test (passed, failed with a HardTimeoutError, skipped, missing…).
  const seen = {}
  for (const f of files) {
    for (const t of f.tests) {
      const key = `${f.name} > ${t.name}`
      const got = actual.get(key)
      const stopped = got?.status === 'failed' && /HardTimeoutError/.test(got.message)
      const excerpt = got?.message ? got.message.split('\n').slice(0, 3).join(' | ').slice(0, 400) : undefined
      const seenAs = stopped ? 'stopped' : got?.status ?? 'missing'
      seen[seenAs] = (seen[seenAs] ?? 0) + 1
      const entry = { test: key, limit: t.limit, expected: t.expect, got: got?.status ?? 'missing', ...(excerpt ? { message: excerpt } : {}) }
      if (stopped && !KINDS[t.kind].hang) {
        // How much room the test left, and how late past the limit the stop itself came (normally
        // 0–5 ms: more means the whole worker, watchdog included, was waiting for a CPU).
        const after = Number(/stopped after (\d+) ms/.exec(got.message)?.[1])
        if (t.kind === 'nearDeadline' || t.kind === 'sleepNear') entry.bodyMs = Math.round(t.limit * t.frac)
        if (Number.isFinite(after)) entry.stopLateMs = after - t.limit
      }
      let want = t.expect
      if (want.startsWith('optional:')) {
        if (!got) continue
        want = want.slice('optional:'.length)
      }
      if (want === 'notRun') {
        // Vitest marks them skipped; Jest leaves them out (a killed worker) or pending (a run it ended).
        if (got ? ['skipped', 'pending', 'todo'].includes(got.status) : cfg.framework === 'jest') continue
        ;(got ? d.wrongStates : d.resultsLost).push(entry)
      } else if (!got) d.resultsLost.push(entry)
      else if (want === 'passed' && got.status !== 'passed') (stopped ? d.falseStops : d.wrongStates).push(entry)
      else if (want === 'failed' && got.status === 'passed') d.missedStops.push(entry)
      else if (want === 'failed' && !stopped) d.wrongStates.push(entry)
    }
  }
  if (r.killed) d.missedStops.push({ run: id, what: `killed at the outer limit of ${limitMs / 1000} s` })
  const expectedSignal = endsRun ? 'SIGKILL' : null
  if (r.signal !== expectedSignal && !r.killed) d.crashes.push({ what: `ended by ${r.signal ?? `exit ${r.code}`}, expected ${expectedSignal ?? 'an exit code'}` })
  if (r.code === 0 && (hangs > 0 || [...actual.values()].some((a) => a.status === 'failed'))) d.crashes.push({ what: 'exit 0 with a failed or stopped test' })
  if (!r.signal && r.code !== 0 && r.code !== 1) d.crashes.push({ what: `exit ${r.code}` })
  if (r.code === 1 && hangs === 0) d.crashes.push({ what: 'exit 1 in a run without a hang' })
  const crashLine = r.out.split('\n').find((l) => CRASH_TEXT.test(l))
  if (crashLine) d.crashes.push({ what: 'output', line: crashLine.trim().slice(0, 300) })
  for (const c of cores) d.crashes.push({ what: `core dump ${c}` })

  rmSync(tmp, { recursive: true, force: true })
  rmSync(dir, { recursive: true, force: true })
  rmSync(report, { force: true })
  const finished = !r.killed && json !== undefined
  return { id, framework: cfg.framework, mode: cfg.mode, files: files.length, tests: tests.length, hangs, endsRun, exit: r.signal ?? r.code, seconds: r.seconds, finished, seen, machine, details: d, outTail: r.out.split('\n').slice(-30).join('\n') }
}

// ---------- the plan ----------

function plan(opts) {
  const rng = prng(opts.seed)
  const configs = CONFIGS.filter((c) => !opts.only || c.framework === opts.only).map((c) => ({
    ...c,
    // An abandoned worker thread stays busy until the run ends: one per run, on a 2-core machine.
    allowEnders: (n) => c.mode !== 'threads' || n === 0,
  }))
  const runs = []
  let total = 0
  let endCount = 0
  for (let i = 0; total < opts.tests; i++) {
    const cfg = configs[i % configs.length]
    const runIndex = Math.floor(i / configs.length)
    const files = []
    // Every other run of a mode that ends the run on a worker-ending hang ends that way: its file
    // first in the list, the other file possibly never started (its tests are optional).
    if (cfg.runEnds && runIndex % 2 === 1) {
      const f = makeFile(rng, cfg, 0, { endAt: rng.int(3, 8) })
      files.push(f, makeFile(rng, cfg, 1))
      for (const t of files[1].tests) t.expect = `optional:${t.expect}`
      endCount++
    } else {
      const n = cfg.framework === 'jest' && cfg.mode === 'runInBand' ? 4 : 6
      for (let k = 0; k < n; k++) files.push(makeFile(rng, cfg, k))
    }
    const id = String(runs.length).padStart(3, '0')
    runs.push({ id, cfg, files })
    total += files.reduce((s, f) => s + f.tests.length, 0)
  }
  return { runs, total, endCount }
}

// ---------- main ----------

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  for (const [name, file] of Object.entries(bin)) if (!existsSync(file)) throw new UsageError(`${name} is not installed in bench/node_modules: run \`npx -y pnpm@10 install --frozen-lockfile\` first`)
  for (const d of ['packages/vitest-plugin/dist', 'packages/jest-env/dist', 'packages/core/dist']) if (!existsSync(join(repo, d))) throw new UsageError(`${d} is missing: run \`npx -y pnpm@10 build\` first`)
  return withTempRoot('hardtimeout-soak-', 'bench:soak', (root) => soak(opts, root))
}

async function soak(opts, root) {
  const { runs, total } = plan(opts)
  // The FIFO paths depend on the project folder, known only now.
  for (const run of runs) for (const f of run.files) for (const t of f.tests) t.fifo = join(root, `run-${run.id}`, 'fifos', `${f.name}-${t.name.split(' ')[0]}`)
  const versions = { node: process.version, vitest: versionOf('vitest'), jest: versionOf('jest') }
  console.log(`bench:soak: seed ${opts.seed}, ${total} tests in ${runs.length} runs${opts.only ? ` (${opts.only} only)` : ''}; Node ${versions.node}, Vitest ${versions.vitest}, Jest ${versions.jest}`)
  const t0 = performance.now()
  const results = []
  for (const run of runs) {
    const r = await runOne(root, run)
    results.push(r)
    const bad = Object.entries(r.details).filter(([, v]) => v.length > 0).map(([k, v]) => `${k} ${v.length}`)
    console.log(`  run ${r.id} ${`${r.framework} ${r.mode}`.padEnd(20)} ${String(r.tests).padStart(4)} tests, ${String(r.hangs).padStart(3)} hangs${r.endsRun ? ', ends the run' : ''}: exit ${r.exit}, ${r.seconds.toFixed(1)} s, load ${r.machine.load1.toFixed(1)}, lag max ${r.machine.lagMaxMs.toFixed(0)} ms${bad.length ? `  ✗ ${bad.join(', ')}` : ''}`)
  }
  const seconds = (performance.now() - t0) / 1000

  const sum = (k) => results.reduce((s, r) => s + r.details[k].length, 0)
  const counts = {
    runsUnfinished: results.filter((r) => !r.finished).length,
    resultsLost: sum('resultsLost'),
    falseStops: sum('falseStops'),
    missedStops: sum('missedStops'),
    wrongStates: sum('wrongStates'),
    crashes: sum('crashes'),
    orphans: sum('orphans'),
    tempFilesLeft: sum('tempFilesLeft'),
  }
  const kinds = {}
  for (const run of runs) for (const f of run.files) for (const t of f.tests) kinds[t.kind] = (kinds[t.kind] ?? 0) + 1
  const byConfig = {}
  for (const r of results) {
    const k = `${r.framework} ${r.mode}`
    byConfig[k] ??= { runs: 0, tests: 0, hangs: 0, seconds: 0 }
    byConfig[k].runs++
    byConfig[k].tests += r.tests
    byConfig[k].hangs += r.hangs
    byConfig[k].seconds += r.seconds
  }

  console.log(`\nsoak: ${total} tests, ${runs.length} runs, ${seconds.toFixed(0)} s, seed ${opts.seed}`)
  const w = Math.max(...Object.keys(byConfig).map((k) => k.length))
  for (const [k, v] of Object.entries(byConfig)) console.log(`  ${k.padEnd(w)}  ${String(v.runs).padStart(3)} runs  ${String(v.tests).padStart(5)} tests  ${String(v.hangs).padStart(4)} hangs  ${v.seconds.toFixed(0).padStart(4)} s`)
  const seen = {}
  for (const r of results) for (const [k, n] of Object.entries(r.seen)) seen[k] = (seen[k] ?? 0) + n
  console.log(`  reported: ${Object.entries(seen).map(([k, n]) => `${k} ${n}`).join(', ')}`)
  console.log(`  kinds: ${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`)
  console.log('')
  console.log(`  runs finished    ${String(runs.length - counts.runsUnfinished).padStart(6)} of ${runs.length}`)
  for (const [k, v] of Object.entries(counts)) if (k !== 'runsUnfinished') console.log(`  ${k.padEnd(16)} ${String(v).padStart(6)}${v ? '  ✗' : ''}`)

  const result = {
    date: new Date().toISOString(),
    seed: opts.seed,
    options: { tests: opts.tests, only: opts.only ?? null },
    versions,
    tests: total,
    runs: runs.length,
    runsFinished: runs.length - counts.runsUnfinished,
    ...counts,
    seconds,
    kinds,
    reported: seen,
    byConfig,
    // Every run with a nonzero count: what went wrong, and the end of its output.
    problems: results.filter((r) => !r.finished || Object.values(r.details).some((v) => v.length > 0)).map((r) => ({
      run: r.id, framework: r.framework, mode: r.mode, exit: r.exit, seconds: r.seconds, finished: r.finished, machine: r.machine,
      ...Object.fromEntries(Object.entries(r.details).filter(([, v]) => v.length > 0)),
      outputTail: r.outTail,
    })),
    runDurations: results.map((r) => ({ run: r.id, framework: r.framework, mode: r.mode, tests: r.tests, hangs: r.hangs, endsRun: r.endsRun, exit: r.exit, seconds: r.seconds, reported: r.seen, machine: r.machine })),
  }
  mkdirSync(dirname(opts.out), { recursive: true })
  writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n')
  console.log(`\nwrote ${opts.out}`)
  return Object.values(counts).some((v) => v > 0) ? 1 : 0
}

try {
  process.exitCode = await main()
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  console.error(`bench:soak: ${error.message}`)
  process.exitCode = 2
}
