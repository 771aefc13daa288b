// What a user gets from npm: the packed @hardtimeout/native and @hardtimeout/core tarballs
// installed into a fresh project (no workspace links) with no compiler on PATH, so the addon can
// only come from the prebuilt binary. The hang scenarios then run against that install, and an
// ES module imports the named exports.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { fixture, run, tempDir } from './helpers.mjs'

const root = resolve(new URL('../../..', import.meta.url).pathname)
const enabled = process.env.HARDTIMEOUT_PACKED_TEST === '1'

/** A PATH with everything of /usr/bin but the C/C++ toolchain and make. */
function pathWithoutCompiler(dir) {
  mkdirSync(dir)
  for (const bin of ['/usr/local/bin', '/usr/bin', '/bin']) {
    for (const name of readdirSync(bin)) {
      if (/gcc|g\+\+|c\+\+|^cc$|^cpp|^make$|clang|^ld(\.|$)|^as$/.test(name)) continue
      try {
        symlinkSync(join(bin, name), join(dir, name))
      } catch {
        // first one wins
      }
    }
  }
  return dir
}

test('the packed tarballs work in a fresh project without a compiler', { skip: !enabled && 'set HARDTIMEOUT_PACKED_TEST=1 (scripts/test.mjs does, once)' }, async () => {
  const dir = tempDir('ht-packed-')
  const pnpm = ['-y', 'pnpm@10', 'pack', '--pack-destination', dir]
  execFileSync('npx', pnpm, { cwd: join(root, 'native'), stdio: 'ignore' })
  execFileSync('npx', pnpm, { cwd: join(root, 'packages/core'), stdio: 'ignore' })
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz')).map((f) => join(dir, f))
  assert.equal(tarballs.length, 2)
  const project = join(dir, 'project')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }))
  const PATH = pathWithoutCompiler(join(dir, 'bin'))
  assert.throws(() => execFileSync('g++', ['--version'], { env: { PATH }, stdio: 'ignore' }))
  execFileSync('npm', ['install', '--no-audit', '--no-fund', ...tarballs], { cwd: project, env: { ...process.env, PATH }, stdio: 'ignore' })

  writeFileSync(join(project, 'use.mjs'), `
import { runWithHardTimeout, HardTimeoutError } from '@hardtimeout/core'
import { nativeStatus } from '@hardtimeout/core/internal'
let error
try { runWithHardTimeout(() => { for (;;) {} }, { timeout: 100 }) } catch (e) { error = e }
console.log(JSON.stringify({ status: nativeStatus(), isHardTimeout: error instanceof HardTimeoutError, frame: error.stack.split('\\n')[1] }))
`)
  const esm = await run([join(project, 'use.mjs')], { env: { PATH } })
  assert.deepEqual(esm.lines[0].status, { loaded: true }, esm.stderr)
  assert.equal(esm.lines[0].isHardTimeout, true)
  assert.match(esm.lines[0].frame, /use\.mjs:5:/)

  const core = join(project, 'node_modules/@hardtimeout/core/dist/internal.js')
  const r = await run([fixture('scenario.cjs'), 'main', 'kinds', 'loop', 'regex', 'atomics', 'readSync', 'execSyncTree', 'afterAwait'], {
    env: { PATH, HARDTIMEOUT_CORE: core, PREBUILDS_ONLY: '1' },
  })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(r.lines.map((l) => l.error?.kind ?? l.afterwards?.later), ['js', 'js', 'js', 'native', 'native', 'js', 7])
})
