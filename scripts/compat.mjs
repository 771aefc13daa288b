// `node scripts/compat.mjs [--write] [--only=vitest|jest] [--vitest=3.2.4,...] [--no-arm64]`: the compatibility table of
// the README, from real runs. Packs the four packages, installs them with each framework version
// into a fresh project (no workspace links), and runs one hanging suite under Node 20, 22, 24 and
// 26 with every pool / worker mode on linux-x64, and under qemu-user with the official arm64 Nodes
// 22, 24 and 26 in each framework's default mode on linux-arm64 (scripts/qemu-node.mjs; the
// prebuilds/linux-arm64/ binary must be built), checking each test's state in the framework's own
// JSON report. With --write, replaces the table between the COMPAT markers in README.md (with
// --only, the other framework's rows are kept).
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { nodeBin } from './node-bin.mjs'
import { pack } from './pack.mjs'
import { qemuNode } from './qemu-node.mjs'

const root = resolve(new URL('..', import.meta.url).pathname)
const work = mkdtempSync(join(tmpdir(), 'ht-compat-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))

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

// arm64: npm installs the arm64 builds of the frameworks' own native dependencies (rolldown,
// lightningcss, unrs-resolver), as on an arm64 machine.
function project(name, deps, tarballs, arch) {
  const dir = join(work, `${name}-${arch}`)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true }))
  const flags = arch === 'arm64' ? ['--cpu=arm64', '--os=linux', '--libc=glibc'] : []
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...flags, ...tarballs, ...deps], { cwd: dir, stdio: 'ignore' })
  return dir
}

// The arm64 cells run in the framework's default mode, on these majors (qemu is slow), with a
// limit that leaves emulated JavaScript the time a test's own code needs before it hangs.
const PLATFORMS = process.argv.includes('--no-arm64') ? ['x64'] : ['x64', 'arm64']
const node = (major, arch) => (arch === 'arm64' ? qemuNode(major) : nodeBin(major))
const limitMs = (arch) => (arch === 'arm64' ? 3000 : 500)
const majorsFor = (arch, minMajor = 20) => (arch === 'arm64' ? ['22', '24', '26'] : ['20', '22', '24', '26']).filter((m) => Number(m) >= minMajor)

function run(node, args, cwd, limitMs = 300_000) {
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
const tarballs = Object.values(pack(join(work, 'tarballs')))
// --vitest=3.2.4,3.2.7: only these Vitest releases (with --write, the other rows are kept). Under
// qemu the Vitest lines the README promises for arm64: 4.1 and 5.1.
const vitestArg = process.argv.find((a) => a.startsWith('--vitest='))?.slice('--vitest='.length)
for (const arch of PLATFORMS) {
  const vitests = vitestArg ? vitestArg.split(',') : arch === 'arm64' ? ['4.1.12', '5.1.1'] : ['3.2.4', '3.2.7', '4.1.12', '5.1.1']
  for (const vitest of only === 'jest' ? [] : vitests) {
    const dir = project(`vitest-${vitest}`, [`vitest@${vitest}`], tarballs, arch)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'vitest-project', private: true, type: 'module' }))
    for (const [f, body] of Object.entries(SUITE)) writeFileSync(join(dir, f), body(VITEST_HEAD, 'import.meta.dirname'))
    for (const pool of arch === 'arm64' ? ['forks'] : ['forks', 'threads', 'vmForks', 'vmThreads']) {
      writeFileSync(join(dir, 'vitest.config.mjs'), `import { hardTimeout } from '@hardtimeout/vitest'
export default { plugins: [hardTimeout()], test: { include: ['*.test.js'], testTimeout: ${limitMs(arch)}, pool: '${pool}' } }\n`)
      for (const major of majorsFor(arch, vitest.startsWith('5') ? 22 : 20)) {
        const report = join(dir, `report-${pool}-${major}.json`)
        const r = await run(node(major, arch), [join(dir, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', `--outputFile=${report}`], dir)
        rows.push({ framework: `Vitest ${vitest}`, mode: `pool: ${pool}`, arch, node: major, result: r.code === 1 ? verdict(report) : `exit ${r.code ?? r.signal}`, s: r.s })
        console.log(rows.at(-1))
      }
    }
  }
  for (const jest of only === 'vitest' ? [] : ['29.7.0', '30.5.2']) {
    const dir = project(`jest-${jest}`, [`jest@${jest}`], tarballs, arch)
    for (const [f, body] of Object.entries(SUITE)) writeFileSync(join(dir, f), body(JEST_HEAD, '__dirname'))
    const modes = [['workers', { maxWorkers: 2 }], ['worker threads', { maxWorkers: 2, workerThreads: true }], ['in band', {}]]
    for (const [mode, extra] of arch === 'arm64' ? modes.slice(0, 1) : modes) {
      const config = JSON.stringify({ rootDir: dir, testEnvironment: '@hardtimeout/jest-env', testTimeout: limitMs(arch), ...extra })
      for (const major of majorsFor(arch)) {
        const report = join(dir, `report-${mode.replace(' ', '-')}-${major}.json`)
        const args = [join(dir, 'node_modules/jest/bin/jest.js'), '--config', config, '--json', `--outputFile=${report}`, ...(mode === 'in band' ? ['--runInBand'] : [])]
        const r = await run(node(major, arch), args, dir)
        rows.push({ framework: `Jest ${jest}`, mode, arch, node: major, result: r.code === 1 ? verdict(report) : `exit ${r.code ?? r.signal}`, s: r.s })
        console.log(rows.at(-1))
      }
    }
  }
}

// One row per framework, mode and platform, one column per Node major.
const majors = ['20', '22', '24', '26']
const lines = ['| framework | mode | platform | ' + majors.map((m) => `Node ${m}`).join(' | ') + ' |', '| --- | --- | --- |' + majors.map(() => ' --- |').join('')]
const groups = new Map()
for (const r of rows) {
  const key = `${r.framework}|${r.mode}|${r.arch}`
  if (!groups.has(key)) groups.set(key, {})
  groups.get(key)[r.node] = r.result === 'ok' ? `✓ (${r.s.toFixed(1)} s)` : `✗ ${r.result}`
}
const missing = (framework, arch, major) =>
  framework.startsWith('Vitest 5') && Number(major) < 22 ? 'n/a (needs Node ≥ 22.12)' : arch === 'arm64' && major === '20' ? 'not run (out of support)' : 'not run'
for (const [key, cells] of groups) {
  const [framework, mode, arch] = key.split('|')
  const platform = arch === 'arm64' ? 'linux-arm64 (qemu)' : 'linux-x64'
  lines.push(`| ${framework} | ${mode} | ${platform} | ` + majors.map((m) => cells[m] ?? missing(framework, arch, m)).join(' | ') + ' |')
}
console.log('\n' + lines.join('\n'))
if (process.argv.includes('--write')) {
  const readme = join(root, 'README.md')
  const text = readFileSync(readme, 'utf8')
  if (only || vitestArg || PLATFORMS.length === 1) {
    // keep the rows (framework release and platform) this run left out; linux-x64 first, then
    // Vitest before Jest, each by version
    const old = (text.match(/<!-- COMPAT:START -->([\s\S]*)<!-- COMPAT:END -->/)?.[1] ?? '').split('\n')
    const key = (l) => { const cols = l.slice(2).split(' | '); return `${cols[0]}|${cols[2]}` }
    const ran = new Set(lines.slice(2).map(key))
    const kept = old.filter((l) => /^\| (Vitest|Jest) .* \| linux-/.test(l) && !ran.has(key(l)))
    const order = (l) => { const cols = l.slice(2).split(' | '); const [name, v] = cols[0].split(' '); return [cols[2].includes('arm64') ? 1 : 0, name === 'Vitest' ? 0 : 1, ...v.split('.').map(Number)] }
    const byOrder = (a, b) => { const x = order(a), y = order(b); for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i]; return 0 }
    const fresh = lines.slice(2)
    lines.splice(2, fresh.length, ...[...kept, ...fresh].sort(byOrder))
  }
  const table = lines.join('\n')
  const updated = text.replace(/<!-- COMPAT:START -->[\s\S]*<!-- COMPAT:END -->/,
    `<!-- COMPAT:START -->\n${table}\n\n_Filled by \`node scripts/compat.mjs --write\` on ${new Date().toISOString().slice(0, 10)}: each cell is one run of a suite with a passing test, a loop, a catastrophic regex, a \`readSync\` on a pipe, a loop after an await, and passing tests after them and in another file (limit 500 ms; 3 s under qemu, where the times are emulation's, not the product's); ✓ means every test had its expected state in the framework's own JSON report._\n<!-- COMPAT:END -->`)
  writeFileSync(readme, updated)
}
