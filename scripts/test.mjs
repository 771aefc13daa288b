// The whole test suite: `pnpm test` (after `pnpm build`).
// 1. the addon's own checks; 2. the core suite under Node 20, 22 and 24, all with the same
// prebuilt binary (PREBUILDS_ONLY=1: never a local build/); 3. each framework package's suite.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { nodeBin } from './node-bin.mjs'

const root = resolve(new URL('..', import.meta.url).pathname)
const majors = (process.env.HARDTIMEOUT_TEST_NODES ?? '20,22,24').split(',')
let failed = 0

function suite(title, node, dir, env = {}) {
  if (!existsSync(dir)) return
  const files = readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).map((f) => join(dir, f))
  if (files.length === 0) return
  console.log(`\n=== ${title} (${node === process.execPath ? process.version : node})`)
  const r = spawnSync(node, ['--test', '--test-concurrency=1', ...files], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PREBUILDS_ONLY: '1', ...env },
  })
  if (r.status !== 0) {
    failed++
    console.log(`=== FAILED: ${title}`)
  }
}

suite('native', process.execPath, join(root, 'native/test'))
majors.forEach((major, i) => {
  // The packed-tarball test (pack, install without a compiler) runs once, on the first major.
  const env = i === 0 ? { HARDTIMEOUT_PACKED_TEST: '1' } : {}
  suite(`core on Node ${major}`, nodeBin(major), join(root, 'packages/core/test'), env)
})
for (const pkg of ['vitest-plugin', 'jest-env']) suite(pkg, process.execPath, join(root, 'packages', pkg, 'test'))
suite('bench (quick mode)', process.execPath, join(root, 'bench/test'))
console.log(failed === 0 ? '\nall suites passed' : `\n${failed} suite(s) failed`)
process.exit(failed === 0 ? 0 : 1)
