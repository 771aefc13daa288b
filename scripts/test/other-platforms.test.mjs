// macOS and Windows get no addon (`"os": ["linux"]`): the packed packages must still install
// there, with the addon left out, and core must then run in its fallback with one warning. npm's
// --os/--cpu make this machine's npm resolve optional packages as it would on those platforms
// (it does not refuse non-optional ones under them, as it does on a real Mac: hence the check of
// core's manifest below); the project is then run here, where a missing addon is what those
// platforms see.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, test } from 'node:test'
import { installSteps, pack } from '../pack.mjs'

let work
let tarballs

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ht-platforms-'))
  tarballs = pack(path.join(work, 'tarballs'))
}, { timeout: 300_000 })

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

const SCRIPT = `
const { runWithHardTimeout, HardTimeoutError } = require('@hardtimeout/core')
try { runWithHardTimeout(() => { for (;;) {} }, { timeout: 200, label: 'loop' }) } catch (e) { console.log(JSON.stringify({ name: e.name, isHard: e instanceof HardTimeoutError, message: e.message, stack: e.stack })) }
try { runWithHardTimeout(() => { for (;;) {} }, { timeout: 200, label: 'again' }) } catch (e) { console.log(JSON.stringify({ name: e.name })) }
`

function install(dir, plugin, npmFlags) {
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: path.basename(dir), private: true }))
  // What scripts/pack.mjs tells a user to run.
  for (const args of installSteps(tarballs, plugin)) {
    const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', ...npmFlags], { cwd: dir, encoding: 'utf8' })
    assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`)
  }
  return fs.readdirSync(path.join(dir, 'node_modules/@hardtimeout')).sort()
}

const run = (dir) => spawnSync(process.execPath, ['-e', SCRIPT], { cwd: dir, encoding: 'utf8', timeout: 30_000 })
const warningsOf = (stderr) => stderr.split('\n').filter((l) => l.includes('HardTimeoutWarning'))

test('linux: the printed install commands give the addon, and a loop is stopped at its line with no warning', { timeout: 300_000 }, () => {
  const dir = path.join(work, 'linux')
  assert.deepEqual(install(dir, '@hardtimeout/vitest', []), ['core', 'native', 'vitest'])
  const r = run(dir)
  assert.equal(r.status, 0, r.stderr)
  const [first] = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
  assert.equal(first.name, 'HardTimeoutError')
  assert.match(first.stack, /\[eval\]:3:/)
  assert.deepEqual(warningsOf(r.stderr), [])
})

for (const [platform, cpu, plugin] of [['darwin', 'arm64', '@hardtimeout/vitest'], ['win32', 'x64', '@hardtimeout/jest-env']]) {
  test(`${platform}-${cpu}: ${plugin} installs without the addon, and core runs in its fallback with one warning`, { timeout: 300_000 }, () => {
    const dir = path.join(work, `${platform}-${cpu}`)
    assert.deepEqual(install(dir, plugin, [`--os=${platform}`, `--cpu=${cpu}`]), ['core', plugin.split('/')[1]])
    const r = run(dir)
    assert.equal(r.status, 0, r.stderr)
    const [first, second] = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
    assert.equal(first.name, 'HardTimeoutError')
    assert.equal(first.isHard, true)
    assert.match(first.message, /"loop" .*hard timeout of 200 ms/)
    assert.equal(second.name, 'HardTimeoutError')
    const warnings = warningsOf(r.stderr)
    assert.equal(warnings.length, 1, r.stderr)
    assert.match(warnings[0], /@hardtimeout\/native/)
    assert.match(warnings[0], /[Ff]alling back/)
  })
}

test('core lists the addon as an optional dependency (npm and pnpm skip it where its "os" does not match)', () => {
  const manifest = JSON.parse(execFileSync('tar', ['xzOf', tarballs['@hardtimeout/core'], 'package/package.json'], { encoding: 'utf8' }))
  assert.equal(manifest.optionalDependencies?.['@hardtimeout/native'], manifest.version)
  assert.equal(manifest.dependencies?.['@hardtimeout/native'], undefined)
  const native = JSON.parse(execFileSync('tar', ['xzOf', tarballs['@hardtimeout/native'], 'package/package.json'], { encoding: 'utf8' }))
  assert.deepEqual(native.os, ['linux'])
})
