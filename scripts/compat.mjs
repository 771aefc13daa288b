// `node scripts/compat.mjs [--write]`: the compatibility table of the README, from real runs.
// Packs the four packages, installs them with each framework version into a fresh project (no
// workspace links), and runs one hanging suite (--only=vitest or --only=jest: one framework) under Node 20, 22 and 24 with every pool / worker
// mode, checking each test's state in the framework's own JSON report. With --write, replaces the
// table between the COMPAT markers in README.md (with --only, the other framework's rows are kept).
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { nodeBin } from './node-bin.mjs'

const root = resolve(new URL('..', import.meta.url).pathname)
const work = mkdtempSync(join(tmpdir(), 'ht-compat-'))

// head: the imports of the framework's module style; dir: how a test file names its folder.
const SUITE = {
  'a.test.js': (head, dir) => `${head}
test('passes first', () => {})
test('loop', () => { for (;;) {} })
test('regex', () => { /^(a+)+$/.test('a'.repeat(40) + 'b') })
test('readSync on a pipe', () => {
  const fifo = ${dir} + '/fifo-' + process.pid
  cp.execSync('mkfifo ' + fifo)
  fs.readSync(fs.openSync(fifo, fs.constants.O_RDWR), Buffer.alloc(8))
})
test('after await', async () => { await null; for (;;) {} })
test('passes after', () => {})
`,
  'b.test.js': (head) => `${head}\ntest('other file passes', () => {})\n`,
}
const VITEST_HEAD = "import { test } from 'vitest'\nimport fs from 'node:fs'\nimport cp from 'node:child_process'"
const JEST_HEAD = "const fs = require('node:fs')\nconst cp = require('node:child_process')"
const EXPECTED = {
  'passes first': 'passed', loop: 'failed', regex: 'failed', 'readSync on a pipe': 'failed',
  'after await': 'failed', 'passes after': 'passed', 'other file passes': 'passed',
}

function pack() {
  const dir = join(work, 'tarballs')
  mkdirSync(dir)
  for (const pkg of ['native', 'packages/core', 'packages/vitest-plugin', 'packages/jest-env']) {
    execFileSync('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', dir], { cwd: join(root, pkg), stdio: 'ignore' })
  }
  return readdirSync(dir).map((f) => join(dir, f))
}

function project(name, deps, tarballs) {
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true }))
  execFileSync('npm', ['install', '--no-audit', '--no-fund', ...tarballs, ...deps], { cwd: dir, stdio: 'ignore' })
  return dir
}

function run(node, args, cwd, limitMs = 60_000) {
  return new Promise((res) => {
    const t0 = performance.now()
    const child = spawn(node, args, { cwd, stdio: 'ignore', detached: true })
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL') } catch {} }, limitMs)
    child.on('close', (code, signal) => { clearTimeout(timer); res({ code, signal, s: (performance.now() - t0) / 1000 }) })
  })
}

function verdict(report) {
  let json
  try { json = JSON.parse(readFileSync(report, 'utf8')) } catch { return 'no report' }
  const states = Object.fromEntries(json.testResults.flatMap((f) => f.assertionResults).map((a) => [a.title, a.status]))
  const wrong = Object.entries(EXPECTED).filter(([t, s]) => states[t] !== s).map(([t]) => `${t}: ${states[t] ?? 'missing'}`)
  return wrong.length === 0 ? 'ok' : wrong.join('; ')
}

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
const rows = []
const tarballs = pack()
// --vitest=3.2.4,3.2.7: only these Vitest releases (with --write, the other rows are kept).
const vitestArg = process.argv.find((a) => a.startsWith('--vitest='))?.slice('--vitest='.length)
for (const vitest of only === 'jest' ? [] : vitestArg ? vitestArg.split(',') : ['3.2.4', '3.2.7', '4.1.12', '5.1.1']) {
  const dir = project(`vitest-${vitest}`, [`vitest@${vitest}`], tarballs)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'vitest-project', private: true, type: 'module' }))
  for (const [f, body] of Object.entries(SUITE)) writeFileSync(join(dir, f), body(VITEST_HEAD, 'import.meta.dirname'))
  for (const pool of ['forks', 'threads', 'vmForks', 'vmThreads']) {
    writeFileSync(join(dir, 'vitest.config.mjs'), `import { hardTimeout } from '@hardtimeout/vitest'
export default { plugins: [hardTimeout()], test: { include: ['*.test.js'], testTimeout: 500, pool: '${pool}' } }\n`)
    for (const major of vitest.startsWith('5') ? ['22', '24'] : ['20', '22', '24']) {
      const report = join(dir, `report-${pool}-${major}.json`)
      const r = await run(nodeBin(major), [join(dir, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', `--outputFile=${report}`], dir)
      rows.push({ framework: `Vitest ${vitest}`, mode: `pool: ${pool}`, node: major, result: r.code === 1 ? verdict(report) : `exit ${r.code ?? r.signal}`, s: r.s })
      console.log(rows.at(-1))
    }
  }
}
for (const jest of only === 'vitest' ? [] : ['29.7.0', '30.5.2']) {
  const dir = project(`jest-${jest}`, [`jest@${jest}`], tarballs)
  for (const [f, body] of Object.entries(SUITE)) writeFileSync(join(dir, f), body(JEST_HEAD, '__dirname'))
  for (const [mode, extra] of [['workers', { maxWorkers: 2 }], ['worker threads', { maxWorkers: 2, workerThreads: true }], ['in band', {}]]) {
    const config = JSON.stringify({ rootDir: dir, testEnvironment: '@hardtimeout/jest-env', testTimeout: 500, ...extra })
    for (const major of ['20', '22', '24']) {
      const report = join(dir, `report-${mode.replace(' ', '-')}-${major}.json`)
      const args = [join(dir, 'node_modules/jest/bin/jest.js'), '--config', config, '--json', `--outputFile=${report}`, ...(mode === 'in band' ? ['--runInBand'] : [])]
      const r = await run(nodeBin(major), args, dir)
      rows.push({ framework: `Jest ${jest}`, mode, node: major, result: r.code === 1 ? verdict(report) : `exit ${r.code ?? r.signal}`, s: r.s })
      console.log(rows.at(-1))
    }
  }
}

// One row per framework and mode, one column per Node major.
const majors = ['20', '22', '24']
const lines = ['| framework | mode | ' + majors.map((m) => `Node ${m}`).join(' | ') + ' |', '| --- | --- |' + majors.map(() => ' --- |').join('')]
const groups = new Map()
for (const r of rows) {
  const key = `${r.framework}|${r.mode}`
  if (!groups.has(key)) groups.set(key, {})
  groups.get(key)[r.node] = r.result === 'ok' ? `✓ (${r.s.toFixed(1)} s)` : `✗ ${r.result}`
}
for (const [key, cells] of groups) {
  const [framework, mode] = key.split('|')
  lines.push(`| ${framework} | ${mode} | ` + majors.map((m) => cells[m] ?? 'n/a (needs Node ≥ 22.12)').join(' | ') + ' |')
}
console.log('\n' + lines.join('\n'))
if (process.argv.includes('--write')) {
  const readme = join(root, 'README.md')
  const text = readFileSync(readme, 'utf8')
  if (only || vitestArg) {
    // keep the rows of the releases this run left out; Vitest first, each framework by version
    const old = (text.match(/<!-- COMPAT:START -->([\s\S]*)<!-- COMPAT:END -->/)?.[1] ?? '').split('\n')
    const ran = new Set(rows.map((r) => r.framework))
    const kept = old.filter((l) => /^\| (Vitest|Jest) /.test(l) && !ran.has(l.split(' | ')[0].slice(2)))
    const order = (l) => { const [name, v] = l.slice(2).split(' | ')[0].split(' '); return [name === 'Vitest' ? 0 : 1, ...v.split('.').map(Number)] }
    const byOrder = (a, b) => { const x = order(a), y = order(b); for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i]; return 0 }
    const fresh = lines.slice(2)
    lines.splice(2, fresh.length, ...[...kept, ...fresh].sort(byOrder))
  }
  const table = lines.join('\n')
  const updated = text.replace(/<!-- COMPAT:START -->[\s\S]*<!-- COMPAT:END -->/,
    `<!-- COMPAT:START -->\n${table}\n\n_Filled by \`node scripts/compat.mjs --write\` on ${new Date().toISOString().slice(0, 10)}: each cell is one run of a suite with a passing test, a loop, a catastrophic regex, a \`readSync\` on a pipe, a loop after an await, and passing tests after them and in another file; ✓ means every test had its expected state in the framework's own JSON report._\n<!-- COMPAT:END -->`)
  writeFileSync(readme, updated)
}
