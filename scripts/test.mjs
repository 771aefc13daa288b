// The whole test suite: `pnpm test` (after `pnpm build`).
//
// Legs, each a `node --test` run of one suite on one Node, all with the prebuilt binaries
// (PREBUILDS_ONLY=1: never a local build/):
//   native checks; core on Node 20, 22, 24 and 26; the Vitest suite (Vitest 3.2 on Node 22, 4.1 on
//   Node 24, 5.1 on Node 26); the Jest suite on Node 26 (29.7 and 30.5); the bench in quick mode; and
//   the linux-arm64 legs: the core suite and real Vitest and Jest runs under qemu-user with the
//   official arm64 Nodes 22 and 24 (scripts/qemu-node.mjs).
//
// Two lanes run side by side: the x64 legs whose tests have wall-clock bounds, one after another
// (they start workers of their own, so two at once would compete for this machine's two cores),
// and beside them the legs that judge no time or only generous ones: the emulated arm64 legs, the
// bench in quick mode, the platform installs. Each leg's output is printed whole when it ends,
// then its result line; a summary of every leg closes the run.
//
// HARDTIMEOUT_TEST_NODES=22,26 limits the core legs to those majors; HARDTIMEOUT_TEST_ARM64=0
// leaves out the arm64 legs (a machine without apt), =24 runs them on that major only;
// HARDTIMEOUT_TEST_ONLY=<regex> runs the legs whose title matches.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { nodeBin } from './node-bin.mjs'
import { ensureArm64Tools, qemuNode } from './qemu-node.mjs'

const root = resolve(new URL('..', import.meta.url).pathname)
const list = (value, fallback) => (value ?? fallback).split(',').map((s) => s.trim()).filter(Boolean)
const majors = list(process.env.HARDTIMEOUT_TEST_NODES, '20,22,24,26')
const armMajors = process.env.HARDTIMEOUT_TEST_ARM64 === '0' ? [] : list(process.env.HARDTIMEOUT_TEST_ARM64, '22,24')
const only = process.env.HARDTIMEOUT_TEST_ONLY ? new RegExp(process.env.HARDTIMEOUT_TEST_ONLY) : undefined
const logs = join(root, '.cache/test-logs')

// The suites see the environment of a plain shell: pnpm's npm_* variables make every npm the
// tests start warn `Unknown env config "verify-deps-before-run"` (and others).
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)))
baseEnv.PREBUILDS_ONLY = '1'

const testFiles = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(dir, f)) : [])
const legs = []
function leg(lane, title, node, files, env = {}, skip = []) {
  if (only && !only.test(title)) return
  legs.push({ lane, title, node, files, env, skip })
}

// Fetch every binary and build the arm64 prebuild before any leg starts: legs running side by side
// must not download into the same folder at once.
const setup = []
const skipped = []
try {
  for (const major of new Set([...majors, '20', '24', '26'])) nodeBin(major)
} catch (error) {
  setup.push(`fetching the Node binaries failed: ${error.message}`)
}
const armCoreTitle = (major) => `arm64 (qemu): core on Node ${major}`
const armFrameworksTitle = `arm64 (qemu): packed install, real Vitest and Jest runs on Node ${armMajors.join(', ')}`
const wantArm = armMajors.length > 0 && (!only || [...armMajors.map(armCoreTitle), armFrameworksTitle].some((t) => only.test(t)))
let armError
if (wantArm) {
  try {
    armError = ensureArm64Tools()
    if (!armError) {
      console.log('=== building prebuilds/linux-arm64/ (g++-aarch64-linux-gnu)')
      try {
        execFileSync(process.execPath, [join(root, 'native/scripts/build.mjs'), '--arch', 'arm64'], { cwd: join(root, 'native'), stdio: 'pipe', env: baseEnv })
      } catch (error) {
        throw new Error(`the arm64 build failed:\n${error.stdout}${error.stderr}`)
      }
      for (const major of armMajors) qemuNode(major)
    }
  } catch (error) {
    armError = error.message
  }
  // A machine that cannot install the tools (not root, no apt: a developer's) skips the arm64
  // legs, saying so in the summary; where apt was tried (CI) and failed, they fail.
  if (armError && armError.startsWith('needs ')) skipped.push(`the arm64 legs: ${armError}`)
  else if (armError) setup.push(`the arm64 legs cannot run: ${armError} (HARDTIMEOUT_TEST_ARM64=0 leaves them out)`)
}

const armBuilt = wantArm && !armError
leg('x64', 'native', process.execPath, testFiles(join(root, 'native/test')), armBuilt ? { HARDTIMEOUT_EXPECT_PREBUILDS: 'linux-x64,linux-arm64' } : {})
majors.forEach((major, i) => {
  // The packed-tarball test (pack, install without a compiler) runs once, on the first major.
  leg('x64', `core on Node ${major}`, nodeBin(major), testFiles(join(root, 'packages/core/test')), i === 0 ? { HARDTIMEOUT_PACKED_TEST: '1' } : {})
})
// One Node per framework line keeps this lane under 20 minutes; every line on every Node (20 to
// 26, all pools and worker modes) is the compatibility matrix, scripts/compat.mjs. Node 20 is out
// of support: only core still runs on it here.
leg('x64', 'vitest-plugin (Vitest 3.2 on Node 22, 4.1 on Node 24, 5.1 on Node 26)', process.execPath, testFiles(join(root, 'packages/vitest-plugin/test')))
leg('x64', 'jest-env on Node 26', nodeBin(26), testFiles(join(root, 'packages/jest-env/test')))
// These two judge no time (the bench checks that every figure is there, not its value): beside.
leg('side', "packed installs: npm on linux, macOS and Windows; pnpm's strict layout", process.execPath, [join(root, 'scripts/test/other-platforms.test.mjs'), join(root, 'scripts/test/pnpm-layout.test.mjs')])
leg('side', 'bench (quick mode)', process.execPath, testFiles(join(root, 'bench/test')))
// The core tests left out under emulation: they assert that a thread answers within the
// watchdog's 50 ms windows (an idle thread's event loop, a worker's exit, a busy thread's
// interrupt), or that a worker is in its blocking call 100-200 ms after it started (execSync's
// own JavaScript first, a worker's start), which hold on hardware and not when every instruction is translated by qemu on a
// machine that also runs the x64 lane; and RSS, which under qemu is mostly qemu's code cache.
// Unblocking under qemu is still tested: execSync and readSync in real Vitest and Jest runs with
// 3 s limits (scripts/test/arm64.test.mjs).
const QEMU_SKIP = [
  'blocking syscalls are unblocked, then stopped',
  // JavaScript that computes 15 ms past its deadline and then blocks in a read, 35 ms before the
  // watchdog's next look: windows emulation does not keep (under qemu on Node 22 it once blocked
  // after that look and hung to the 20 s limit; it passed on 24 in the same run)
  'JavaScript past its deadline that then blocks in a read',
  // a thread starved by a hog on its CPU must still run our interrupt within the 50 ms window once
  // it gets CPU time again: under emulation that CPU time goes to translating code first (the loop
  // was not stopped within the 15 s limit once on Node 22; it passed on 24 in the same run)
  'a thread that gets no CPU around its deadline',
  'in a child process started with fork()',
  'an idle guard whose deadline passes',
  'overlapping guards on one thread',
  'a promise that never settles',
  'a loop after an await, with',
  'rawTimer',
  'interruptThread throws the given error at the worker',
  'killThread refuses a thread running JS',
  'diagnoseThread names the syscall',
  '1,000 kills leave memory steady',
  // a 200 ms loop stopped within 1 s while another thread is stuck: took 1,054 ms under qemu
  'while a stuck thread',
  // the vm fallback, the same on every platform: a 150 ms limit on a call that returns at once
  'the pure-JS fallback stops a sync loop',
  'the fallback warning names the platform',
]
for (const major of armBuilt ? armMajors : []) {
  leg('side', armCoreTitle(major), qemuNode(major), testFiles(join(root, 'packages/core/test')), {}, QEMU_SKIP)
}
if (armBuilt) {
  leg('side', armFrameworksTitle, qemuNode(armMajors.at(-1)),
    [join(root, 'scripts/test/arm64.test.mjs')], { HARDTIMEOUT_ARM64_NODES: armMajors.join(',') })
}

const LEG_LIMIT_MS = { x64: 15 * 60_000, side: 25 * 60_000 }
// Legs run in process groups of their own (for the kill at the limit), so a Ctrl-C or CI's
// cancel reaches them only through us.
const running = new Set()
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    for (const pid of running) try { process.kill(-pid, 'SIGKILL') } catch {}
    process.exit(130)
  })
}

function runLeg(l) {
  return new Promise((done) => {
    const t0 = performance.now()
    let out = ''
    const skip = l.skip.map((name) => `--test-skip-pattern=${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)
    const child = spawn(l.node, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...skip, ...l.files], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...baseEnv, ...l.env },
      detached: true,
    })
    running.add(child.pid)
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    // A test that leaves a process holding its file's pipes keeps `node --test` waiting forever:
    // at the leg's limit its whole process group is killed and the leg fails, saying so.
    let overdue = false
    const timer = setTimeout(() => {
      overdue = true
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
    }, LEG_LIMIT_MS[l.lane])
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      running.delete(child.pid)
      if (overdue) out += `\n(killed after ${LEG_LIMIT_MS[l.lane] / 60_000} min, the leg's limit)\n`
      const s = (performance.now() - t0) / 1000
      const count = (name) => out.match(new RegExp(`^ℹ ${name} (\\d+)$`, 'm'))?.[1] ?? '?'
      const passed = code === 0 && !overdue && l.files.length > 0
      Object.assign(l, { passed, s, code, signal, counts: { pass: count('pass'), fail: count('fail'), skipped: count('skipped') } })
      const file = join(logs, `${l.title.replace(/[^\w.-]+/g, '-')}.log`)
      writeFileSync(file, out)
      const version = l.node.includes('/qemu/') ? `${l.node}: arm64 under qemu` : l.node === process.execPath ? process.version : l.node
      const left = l.skip.length > 0 ? `\n(left out under emulation: ${l.skip.map((n) => `"${n}…"`).join(', ')})` : ''
      console.log(`\n=== ${l.title} (${version})${left}\n${out.trimEnd()}`)
      console.log(`=== ${passed ? 'passed' : 'FAILED'}: ${l.title} — ${l.counts.pass} passed, ${l.counts.fail} failed, ${l.counts.skipped} skipped, ${s.toFixed(0)} s${l.files.length === 0 ? ' (no test files)' : ''}${code !== 0 ? ` (exit ${code ?? signal})` : ''}`)
      done()
    })
  })
}

async function lane(name) {
  for (const l of legs.filter((x) => x.lane === name)) await runLeg(l)
}

mkdirSync(logs, { recursive: true })
const t0 = performance.now()
await Promise.all([lane('x64'), lane('side')])
const total = (performance.now() - t0) / 1000

console.log('\n=== summary')
for (const l of legs) console.log(`  ${l.passed ? 'passed' : 'FAILED'}  ${l.title.padEnd(72)} ${String(l.counts.pass).padStart(4)} passed ${String(l.counts.fail).padStart(3)} failed  ${l.s.toFixed(0).padStart(4)} s`)
for (const line of setup) console.log(`  FAILED  ${line}`)
for (const line of skipped) console.log(`  SKIPPED ${line}`)
const failed = legs.filter((l) => !l.passed).length + setup.length
console.log(`${failed === 0 ? 'all suites passed' : `${failed} suite(s) failed`} in ${(total / 60).toFixed(1)} min (logs: .cache/test-logs/)`)
process.exit(failed === 0 ? 0 : 1)
