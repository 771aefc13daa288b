// The linux-arm64 done-criterion, run under qemu-user by scripts/test.mjs (node: the wrapper of
// scripts/qemu-node.mjs, so this file and every process it starts are arm64 Node processes): the
// four packages packed (with prebuilds/linux-arm64/), installed into fresh projects with the arm64
// builds of the frameworks' own native dependencies, and one real Vitest run and one real Jest run
// of a suite that hangs in a loop, a catastrophic regex and an execSync. Each hang is stopped at
// the line it hung on, the other tests pass, nothing is left running.
//
// Under emulation JavaScript runs many times slower than on hardware: the limits are 3 s, not the
// tens of ms of the x64 suites, and no latency is asserted. /proc shows the host's x86-64 syscall
// numbers under qemu; the addon notices and names them from that table (native/README.md), so the
// names asserted here are the ones arm64 hardware shows too.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import { pack } from '../pack.mjs'
import { qemuNode } from '../qemu-node.mjs'

const LIMIT_MS = 3000
// One install, the runs on each of these arm64 majors (scripts/test.mjs sets them).
const MAJORS = (process.env.HARDTIMEOUT_ARM64_NODES || process.versions.node.split('.')[0]).split(',')
const marker = randomUUID()
let work
const projects = {}

const HANGS = (head) => `${head}
test('passes first', () => {})
test('runs on arm64', () => {
  if (process.arch !== 'arm64') throw new Error('this worker runs on ' + process.arch)
})
test('loop', () => {
  for (;;) {} // HANG loop
})
test('regex', () => {
  /^(a+)+$/.test('a'.repeat(40) + 'b') // HANG regex
})
test('execSync', () => {
  execSync('sleep 1000') // HANG execSync
})
test('readSync on a pipe', () => {
  const fifo = process.env.TMPDIR + '/fifo-' + process.pid
  execSync('mkfifo ' + fifo)
  readSync(openSync(fifo, constants.O_RDWR), Buffer.alloc(8)) // HANG readSync
})
test('passes after', () => {})
`
const OTHER = (head) => `${head}\ntest('other file passes', () => {})\n`
const EXPECTED = { 'passes first': 'passed', 'runs on arm64': 'passed', loop: 'failed', regex: 'failed', execSync: 'failed', 'readSync on a pipe': 'failed', 'passes after': 'passed', 'other file passes': 'passed' }

// npm and pnpm run on the host's Node (the qemu wrapper's folder leaves PATH): `--cpu=arm64` makes it
// install the arm64 builds of rolldown, lightningcss, unrs-resolver as an arm64 machine would.
function hostEnv() {
  const dir = path.dirname(process.execPath)
  const PATH = process.env.PATH.split(':').filter((p) => p !== dir).join(':')
  const env = { ...process.env, PATH }
  for (const k of ['NODE_OPTIONS', 'HARDTIMEOUT_QEMU', 'HARDTIMEOUT_QEMU_NODE']) delete env[k]
  return env
}

function project(name, pkg, files, tarballs, deps) {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, ...pkg }))
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text)
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--cpu=arm64', '--os=linux', '--libc=glibc', ...tarballs, ...deps], {
    cwd: dir, env: hostEnv(), stdio: ['ignore', 'ignore', 'inherit'],
  })
  const addon = path.join(dir, 'node_modules/@hardtimeout/native/prebuilds/linux-arm64/@hardtimeout+native.node')
  assert.ok(fs.existsSync(addon), 'the packed addon has no linux-arm64 prebuild')
  assert.ok(!fs.lstatSync(path.join(dir, 'node_modules/@hardtimeout/core')).isSymbolicLink(), 'core is linked, not installed')
  return dir
}

before(async () => {
  assert.equal(process.arch, 'arm64', 'run this file with the arm64 Node of scripts/qemu-node.mjs')
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ht-arm64-'))
  const tarballs = Object.values(pack(path.join(work, 'tarballs'), { env: hostEnv() }))
  const vitestHead = "import { test } from 'vitest'\nimport { execSync } from 'node:child_process'\nimport { constants, openSync, readSync } from 'node:fs'"
  const jestHead = "const { execSync } = require('node:child_process')\nconst { constants, openSync, readSync } = require('node:fs')"
  projects.vitest = project('vitest', { type: 'module' }, {
    'hang.test.js': HANGS(vitestHead),
    'other.test.js': OTHER(vitestHead),
    'vitest.config.mjs': `import { hardTimeout } from '@hardtimeout/vitest'\nexport default { plugins: [hardTimeout()], test: { include: ['*.test.js'], testTimeout: ${LIMIT_MS} } }\n`,
  }, tarballs, ['vitest@4.1.12'])
  projects.jest = project('jest', {}, {
    'hang.test.js': HANGS(jestHead),
    'other.test.js': OTHER(jestHead),
    'jest.config.js': `module.exports = { testEnvironment: '@hardtimeout/jest-env', testTimeout: ${LIMIT_MS} }\n`,
  }, tarballs, ['jest@30.5.2'])
}, { timeout: 600_000 })

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

function leftovers() {
  const found = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`HT_ARM64_MARKER=${marker}`)) {
        found.push(`${entry}: ${fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`)
      }
    } catch {}
  }
  return found
}

function run(major, cwd, args) {
  return new Promise((resolve) => {
    const tmp = path.join(cwd, 'tmp')
    fs.mkdirSync(tmp, { recursive: true })
    const child = spawn(qemuNode(major), args, {
      cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: '1', NO_COLOR: '1', TMPDIR: tmp, HT_ARM64_MARKER: marker },
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL') } catch {} }, 300_000)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, out })
    })
  })
}

// { title: { status, message } } from the framework's own JSON report (the same shape for both).
function results(file, r) {
  assert.ok(fs.existsSync(file), `no JSON report:\n${r.out}`)
  const json = JSON.parse(fs.readFileSync(file, 'utf8'))
  return Object.fromEntries(json.testResults.flatMap((f) => f.assertionResults).map((a) => [a.title, { status: a.status, message: a.failureMessages.join('\n') }]))
}

function check(r, got, dir) {
  const states = Object.fromEntries(Object.entries(got).map(([t, v]) => [t, v.status]))
  assert.deepEqual(states, EXPECTED, r.out)
  const lines = fs.readFileSync(path.join(dir, 'hang.test.js'), 'utf8').split('\n')
  for (const kind of ['loop', 'regex', 'execSync', 'readSync']) {
    const { message } = got[kind === 'readSync' ? 'readSync on a pipe' : kind]
    assert.match(message, new RegExp(`HardTimeoutError: (test )?"${kind === 'readSync' ? 'readSync on a pipe' : kind}" was stopped after \\d+ ms: it ran past its hard timeout of ${LIMIT_MS} ms`), message)
    // The stack of the hang: the line the test was stuck on, in the test file.
    const line = lines.findIndex((l) => l.includes(`// HANG ${kind}`)) + 1
    assert.ok(message.includes(`hang.test.js:${line}:`), `${kind}: no frame at hang.test.js:${line}\n${message}`)
  }
  // execSync: found blocked waiting for its children, which were killed to unblock it.
  assert.match(got.execSync.message, /while blocked in epoll_pwait\(/)
  assert.match(got.execSync.message, /waiting for `\/bin\/sh -c sleep 1000` \(pid \d+\), `sleep 1000` \(pid \d+\) \(interrupted the syscall and killed 2 child processes to unblock it\)/)
  // readSync: the syscall named, with the FIFO it read, and interrupted.
  assert.match(got['readSync on a pipe'].message, /while blocked in read\(fd \d+ → .*\/fifo-\d+\) \(interrupted the syscall to unblock it\)/)
  assert.deepEqual(leftovers(), [])
}

for (const major of MAJORS) {
  test(`Node ${major}, Vitest 4.1 (forks) on arm64: a loop, a regex and an execSync are stopped with the stack of the hang`, { timeout: 400_000 }, async () => {
    const dir = projects.vitest
    const report = path.join(dir, `report-${major}.json`)
    const r = await run(major, dir, [path.join(dir, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`])
    assert.equal(r.signal, null, r.out)
    assert.equal(r.code, 1, r.out)
    check(r, results(report, r), dir)
  })

  test(`Node ${major}, Jest 30.5 (child-process workers) on arm64: a loop, a regex and an execSync are stopped with the stack of the hang`, { timeout: 400_000 }, async () => {
    const dir = projects.jest
    const report = path.join(dir, `report-${major}.json`)
    const r = await run(major, dir, [path.join(dir, 'node_modules/jest/bin/jest.js'), '--maxWorkers=2', '--json', `--outputFile=${report}`])
    assert.equal(r.signal, null, r.out)
    assert.equal(r.code, 1, r.out)
    check(r, results(report, r), dir)
  })
}

test('node-gyp-build, on arm64, resolves the packed addon to prebuilds/linux-arm64/', () => {
  const dir = projects.jest
  const native = path.join(dir, 'node_modules/@hardtimeout/native')
  const found = execFileSync(process.execPath, ['-p', `require('node-gyp-build').path(${JSON.stringify(native)})`], { cwd: dir, encoding: 'utf8' }).trim()
  assert.equal(found, path.join(native, 'prebuilds/linux-arm64/@hardtimeout+native.node'))
})
