// pnpm's strict node_modules: a package sees only its declared dependencies and peers, nothing
// hoisted, and pnpm 10 runs no install scripts it was not told to (the addon's is then skipped:
// its prebuilt binary is found at run time all the same). The packed packages installed that way
// beside Vitest 3.2 (tinypool's pools), Vitest 4.1 and Jest 30.5 must stop each kind of hang as in
// an npm install, including a worker ended for native code that cannot be unblocked.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, test } from 'node:test'
import { pack } from '../pack.mjs'

let work
let tarballs

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ht-pnpm-layout-'))
  tarballs = pack(path.join(work, 'tarballs'))
}, { timeout: 300_000 })

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

// The limit is generous: this runs beside other suites on a loaded machine; states are judged,
// not times.
const LIMIT = 1000
const HANGS = (head, timeout) => `${head}
test('healthy before', () => {})
test('loop', () => { for (;;) {} }${timeout})
test('loop after an await', async () => { await null; for (;;) {} }${timeout})
test('execSync of a child that never exits', () => { cp.execSync('sleep 1000') }${timeout})
test('healthy after', () => {})
`
const STUCK = (head, timeout) => `${head}
test('pbkdf2Sync with 2e9 rounds', () => { crypto.pbkdf2Sync('p', 's', 2e9, 64, 'sha512') }${timeout})
`
const EXPECTED = {
  'hangs.test.js > healthy before': 'passed',
  'hangs.test.js > loop': 'failed',
  'hangs.test.js > loop after an await': 'failed',
  'hangs.test.js > execSync of a child that never exits': 'failed',
  'hangs.test.js > healthy after': 'passed',
  'stuck.test.js > pbkdf2Sync with 2e9 rounds': 'failed',
}

function project(name, framework, files, extra = {}) {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  const plugin = framework.startsWith('jest') ? '@hardtimeout/jest-env' : '@hardtimeout/vitest'
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name, private: true, ...extra,
    devDependencies: { [framework.split('@')[0]]: framework.split('@')[1], [plugin]: `file:${tarballs[plugin]}` },
    pnpm: { overrides: { '@hardtimeout/core': `file:${tarballs['@hardtimeout/core']}`, '@hardtimeout/native': `file:${tarballs['@hardtimeout/native']}` } },
  }, null, 2))
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text)
  const r = spawnSync('npx', ['-y', 'pnpm@10', 'install', '--config.node-linker=isolated'], { cwd: dir, encoding: 'utf8', timeout: 300_000 })
  assert.equal(r.status, 0, `pnpm install: ${r.stdout}${r.stderr}`)
  // strict: only what the project declared is at the top of node_modules
  assert.deepEqual(fs.readdirSync(path.join(dir, 'node_modules')).filter((n) => !n.startsWith('.')).sort(), ['@hardtimeout', framework.split('@')[0]])
  return dir
}

function statesOf(json, key) {
  const out = {}
  for (const file of json.testResults) for (const t of file.assertionResults) out[`${path.basename(file.name)} > ${t[key]}`] = t.status
  return out
}

for (const [vitest, pool] of [['3.2.4', 'forks'], ['4.1.12', 'threads']]) {
  test(`pnpm's strict layout, Vitest ${vitest} (pool ${pool}): every kind of hang is stopped, the stuck worker ended`, { timeout: 400_000 }, () => {
    const head = "import { test } from 'vitest'\nimport cp from 'node:child_process'\nimport crypto from 'node:crypto'"
    const dir = project(`vitest-${vitest}`, `vitest@${vitest}`, {
      'vitest.config.js': `import { defineConfig } from 'vitest/config'\nimport { hardTimeout } from '@hardtimeout/vitest'\nexport default defineConfig({ plugins: [hardTimeout()], test: { testTimeout: ${LIMIT} } })\n`,
      'hangs.test.js': HANGS(head, ''),
      'stuck.test.js': STUCK(head, ''),
    }, { type: 'module' })
    const r = spawnSync(path.join(dir, 'node_modules/.bin/vitest'), ['run', `--pool=${pool}`, '--reporter=json', '--outputFile=report.json'],
      { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: '1', TMPDIR: dir } })
    assert.equal(r.status, 1, `${r.stdout}${r.stderr}`)
    assert.deepEqual(statesOf(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')), 'fullName'), EXPECTED)
  })
}

test("pnpm's strict layout, Jest 30.5 (child-process workers): every kind of hang is stopped, the stuck worker killed", { timeout: 400_000 }, () => {
  const head = "const cp = require('node:child_process')\nconst crypto = require('node:crypto')"
  const dir = project('jest', 'jest@30.5.2', {
    'hangs.test.js': HANGS(head, `, ${LIMIT}`),
    'stuck.test.js': STUCK(head, `, ${LIMIT}`),
  }, { jest: { testEnvironment: '@hardtimeout/jest-env', reporters: ['default', '@hardtimeout/jest-env/reporter'] } })
  const r = spawnSync(path.join(dir, 'node_modules/.bin/jest'), ['--maxWorkers=2', '--json', '--outputFile=report.json'],
    { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: '1', TMPDIR: dir } })
  assert.equal(r.status, 1, `${r.stdout}${r.stderr}`)
  assert.deepEqual(statesOf(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')), 'title'), EXPECTED)
  assert.match(r.stderr, /Hard timeouts: 4\b/)
})
