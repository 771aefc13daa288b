// Which Vitest the plugin accepts: a version outside the supported range is one clear error at
// startup that names the version and the range, and no test runs unguarded.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { installVitest, killLeftovers, leftovers, makeProject, removeProject, runVitest } from './helpers.mjs'
import { importSource } from './src-module.mjs'

const { vitestLine, SUPPORTED_RANGE } = await importSource('internals/versions.ts')

test('vitestLine: the supported lines, and a clear error for every other version', () => {
  for (const [version, line] of [['3.2.0', 3], ['3.2.7', 3], ['4.1.0', 4], ['4.1.12', 4], ['4.9.0-beta.1', 4], ['5.0.0', 5], ['5.1.1', 5]]) {
    assert.equal(vitestLine(version), line, version)
  }
  for (const version of ['3.1.4', '3.0.0', '2.1.9', '1.6.0', '4.0.18', '6.0.0', '7.2.1']) {
    assert.throws(() => vitestLine(version), (e) => {
      assert.equal(e.message.startsWith(`[hardtimeout] Vitest ${version} is not supported: @hardtimeout/vitest supports Vitest ${SUPPORTED_RANGE}`), true, e.message)
      return true
    }, version)
  }
  assert.throws(() => vitestLine(undefined), /^Error: \[hardtimeout\] could not tell which Vitest is running \(its version is undefined\)/)
})

// 3.1 calls the plugin's configureVitest hook; 2.1 does not (only Vite's config hook).
for (const version of ['3.1.3', '2.1.9']) {
  test(`vitest ${version}: refused at startup with the version and the supported range, no test runs`, async () => {
    const dir = makeProject('unsupported', 4, installVitest(version))
    try {
      const r = await runVitest(dir, 4, { limitMs: 60_000 })
      const output = r.stdout + r.stderr
      assert.equal(r.timedOut, false, `the run hung (the test ran unguarded?):\n${output.slice(-2000)}`)
      assert.notEqual(r.code, 0, output)
      assert.match(output, new RegExp(`\\[hardtimeout\\] Vitest ${version.replace(/\./g, '\\.')} is not supported: @hardtimeout/vitest supports Vitest \\^3\\.2\\.0 \\|\\| >=4\\.1\\.0 <6`))
      // One error, said once; the test file never ran.
      assert.equal(output.split('is not supported').length - 1, 1, output)
      assert.doesNotMatch(output, /would hang unguarded/)
      assert.deepEqual(leftovers(dir), [])
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}
