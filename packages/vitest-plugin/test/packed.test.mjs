// The done-criterion run: a project that installs the packed packages (no workspace links) and
// Vitest from the registry, with hangs of every kind next to healthy tests, finishes in bounded
// time with exactly the expected per-test states, on both Vitest lines and all four pools; and
// meta.hardTimeout type-checks there (TypeScript 5.9 and the current major, bundler and nodenext
// resolution, whatever the order of the program's files, with or without vitest.config.ts).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, test } from 'node:test'
import { ACTION, FIXTURES, LINES, PKG, REPO, killLeftovers, leftovers, runVitest, states } from './helpers.mjs'

const EXPECTED = {
  'js.test.js > healthy before': 'passed',
  'js.test.js > infinite loop': 'failed',
  'js.test.js > catastrophic regex': 'failed',
  'js.test.js > Atomics.wait': 'failed',
  'js.test.js > loop after an await': 'failed',
  'js.test.js > a beforeEach that hangs once its first test fails': 'failed',
  'js.test.js > a beforeEach that hangs once its second test passes': 'passed',
  'js.test.js > healthy after': 'passed',
  'native.test.js > readSync on a pipe': 'failed',
  'native.test.js > execSync of a child that never exits': 'failed',
  'native.test.js > healthy after the syscalls': 'passed',
  'stuck.test.js > healthy before the native hang': 'passed',
  'stuck.test.js > pbkdf2Sync with 2e9 rounds': 'failed',
  'stuck.test.js > never runs': 'skipped',
  'healthy.test.js > a healthy file': 'passed',
  'healthy.test.js > slow but within its limit': 'passed',
}

/** The TypeScript versions the types are checked with: 5.9 and the current major. */
const TYPESCRIPT = { ts59: '5.9.3', ts7: '7.0.2' }

let work
const projects = {}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ht-vitest-packed-'))
  const tarballs = {}
  for (const [name, dir] of [['native', path.join(REPO, 'native')], ['core', path.join(REPO, 'packages/core')], ['vitest', PKG]]) {
    const out = execFileSync('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', work], { cwd: dir, encoding: 'utf8' })
    tarballs[name] = out.trim().split('\n').pop().trim()
    assert.ok(fs.existsSync(tarballs[name]), `pnpm pack ${name}: ${out}`)
  }
  for (const line of [3, 4, 5]) {
    const dir = path.join(work, `v${line}`)
    fs.cpSync(path.join(FIXTURES, 'packed'), dir, { recursive: true })
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
      name: `packed-fixture-v${line}`,
      private: true,
      type: 'module',
      devDependencies: {
        vitest: LINES[line].vitest,
        '@hardtimeout/vitest': `file:${tarballs.vitest}`,
        ...Object.fromEntries(Object.entries(TYPESCRIPT).map(([name, version]) => [name, `npm:typescript@${version}`])),
      },
      overrides: { '@hardtimeout/core': `file:${tarballs.core}`, '@hardtimeout/native': `file:${tarballs.native}` },
    }, null, 2))
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] })
    // Really installed, not linked.
    for (const name of ['vitest', 'core', 'native']) {
      const p = path.join(dir, 'node_modules/@hardtimeout', name)
      assert.ok(fs.lstatSync(p).isDirectory() && !fs.lstatSync(p).isSymbolicLink(), `${p} is not an installed copy`)
    }
    projects[line] = dir
  }
}, { timeout: 300_000 })

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

for (const line of [3, 4, 5]) {
  for (const pool of ['forks', 'threads', 'vmForks', 'vmThreads']) {
    test(`packed packages, vitest ${line}, pool ${pool}: every hang ends, exact states`, async (t) => {
      const dir = projects[line]
      fs.rmSync(path.join(dir, 'hard-timeouts.json'), { force: true })
      try {
        const r = await runVitest(dir, line, { args: [`--pool=${pool}`], limitMs: 90_000 })
        const output = r.stdout + r.stderr
        assert.equal(r.timedOut, false, `did not finish in 90 s:\n${output.slice(-3000)}`)
        assert.equal(r.signal, null, output.slice(-3000))
        assert.equal(r.code, 1, output.slice(-3000))
        const failures = r.json ? r.json.testResults.flatMap((f) => f.assertionResults).filter((a) => a.status !== 'passed').map((a) => `${a.fullName}: ${a.status} ${a.failureMessages.join('').split('\n')[0]}`).join('\n') : ''
        assert.deepEqual(states(r.json), EXPECTED, `${failures}\n${r.stdout.slice(-1500)}`)
        // The worker exit the plugin caused is not reported again as an unhandled error.
        assert.doesNotMatch(output, /Unhandled|Errors\s+\d+ error/)
        const collect = r.json.testResults.find((f) => f.name.endsWith('collect.test.js'))
        assert.equal(collect.status, 'failed')
        assert.match(collect.message, /loading collect\.test\.js was stopped after \d+ ms: it ran past its hard timeout of 1500 ms/)
        const report = JSON.parse(fs.readFileSync(path.join(dir, 'hard-timeouts.json'), 'utf8'))
        const mapped = !(line === 3 && pool.startsWith('vm'))
        const actions = report.hardTimeouts.map((h) => `${h.file}:${h.location.line} ${h.action}`).sort()
        const native = pool.includes('hreads') ? ACTION['thread-abandoned'] : ACTION['worker-killed']
        assert.deepEqual(actions, [
          `collect.test.js:5 ${ACTION.stopped}`,
          `js.test.js:12 ${ACTION.stopped}`,
          `js.test.js:16 ${ACTION.stopped}`,
          `js.test.js:21 ${ACTION.stopped}`,
          `js.test.js:27 ${ACTION.stopped}`,
          `js.test.js:8 ${ACTION.stopped}`,
          // Vitest 3's vm pools do not source-map a stack taken in Node's own code (README, known gaps).
          `native.test.js:${mapped ? 10 : 15} ${ACTION.unblocked}`,
          `native.test.js:${mapped ? 14 : 19} ${ACTION.unblocked}`,
          `stuck.test.js:6 ${native}`,
        ])
        assert.ok(r.ms < 60_000, `took ${r.ms} ms`)
        t.diagnostic(`vitest ${line} ${pool}: ${r.ms} ms`)
        assert.deepEqual(leftovers(dir), [])
      } finally {
        killLeftovers(dir)
      }
    })
  }
}

for (const line of [4, 5]) {
  test(`packed packages, vitest ${line}: meta.hardTimeout type-checks, a near-miss key is a tsc error`, (t) => {
    const dir = path.join(projects[line], 'types')
    const tsc = (ts, include, resolution, types) => {
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: resolution === 'bundler' ? 'esnext' : 'nodenext',
          moduleResolution: resolution,
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types,
        },
        include,
      }))
      try {
        execFileSync(process.execPath, [path.join(projects[line], 'node_modules', ts, 'bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' })
        return ''
      } catch (e) {
        return String(e.stdout) + String(e.stderr) || 'failed'
      }
    }
    for (const ts of Object.keys(TYPESCRIPT)) {
      for (const resolution of ['bundler', 'nodenext']) {
        const at = `${ts} ${resolution}`
        // The test file before or after the config that imports the plugin (the @ts-expect-error
        // lines fail the check if the typo or the string were accepted).
        assert.equal(tsc(ts, ['meta.ts', 'vitest.config.ts'], resolution, []), '', `${at}, meta.ts first`)
        assert.equal(tsc(ts, ['vitest.config.ts', 'meta.ts'], resolution, []), '', `${at}, vitest.config.ts first`)
        // No config file in the program: the types named in tsconfig, as the README says.
        assert.equal(tsc(ts, ['meta.ts'], resolution, ['@hardtimeout/vitest']), '', `${at}, types: ['@hardtimeout/vitest']`)
        // And the check can fail: without the plugin's types, meta.hardTimeout is unknown.
        assert.match(tsc(ts, ['meta.ts'], resolution, []), /meta\.ts\(5,\d+\): error TS2769/, `${at}, no plugin types`)
      }
    }
    t.diagnostic(`checked with ${Object.values(TYPESCRIPT).join(', ')}`)
  })
}
