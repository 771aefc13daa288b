// A concurrent test stuck in synchronous JavaScript is stopped in place; the other concurrent tests
// and the run go on. (Only the synchronous part of concurrent tests is guarded for now: see README.)
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failure, killLeftovers, makeProject, markerLine, removeProject, runVitest, states } from './helpers.mjs'

for (const line of [3, 4, 5]) {
  test(`vitest ${line}: a hang in a concurrent test is stopped, the others pass`, async () => {
    const dir = makeProject('concurrent', line)
    try {
      const r = await runVitest(dir, line, { limitMs: 60_000 })
      assert.equal(r.timedOut, false, 'the run hung')
      assert.equal(r.code, 1, r.stdout + r.stderr)
      assert.deepEqual(states(r.json), {
        'concurrent.test.js > concurrent waits while another test hangs': 'passed',
        'concurrent.test.js > concurrent hangs': 'failed',
        'concurrent.test.js > concurrent starts after the hang': 'passed',
        'concurrent.test.js > sequential test after the group': 'passed',
      })
      assert.match(failure(r.json, 'concurrent hangs'), new RegExp(`^HardTimeoutError: test "concurrent > hangs" was stopped after \\d+ ms: it ran past its hard timeout of 1000 ms\\n\\s+at .*concurrent\\.test\\.js:${markerLine('concurrent', 'concurrent.test.js', 'concurrent')}:`))
      assert.doesNotMatch(r.stdout + r.stderr, /Unhandled|Errors\s+\d+ error/)
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}
