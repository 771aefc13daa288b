// Concurrent tests (describe.concurrent, test.concurrent, sequence.concurrent): a test that loops
// after an await is stopped in place, with the stack at its loop; the tests beside it, whose timers
// came due while the loop held the thread (past their own hard limit), run once it is stopped and
// pass; the run goes on.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failure, killLeftovers, leftovers, makeProject, markerLine, removeProject, runVitest, states } from './helpers.mjs'

const stopped = (name, file, tag) =>
  new RegExp(`^HardTimeoutError: test "${name}" was stopped after \\d+ ms: it ran past its hard timeout of 1000 ms\\n\\s+at .*${file.replace('.', '\\.')}:${markerLine('concurrent', file, tag)}:`)

for (const line of [3, 4, 5]) {
  for (const pool of ['forks', 'threads']) {
    test(`vitest ${line}, pool ${pool}: describe.concurrent and test.concurrent: the loop is stopped, the tests beside it pass`, async () => {
      const dir = makeProject('concurrent', line)
      try {
        const r = await runVitest(dir, line, { args: [`--pool=${pool}`], limitMs: 60_000 })
        const output = r.stdout + r.stderr
        assert.equal(r.timedOut, false, `the run hung:\n${output.slice(-2000)}`)
        assert.equal(r.code, 1, output)
        assert.deepEqual(states(r.json), {
          'describe.test.js > after an await waits 50 ms': 'passed',
          'describe.test.js > after an await loops': 'failed',
          'describe.test.js > after an await waits 50 ms too': 'passed',
          'describe.test.js > sequential test after the group': 'passed',
          'sync.test.js > in its synchronous part waits 50 ms': 'passed',
          'sync.test.js > in its synchronous part loops': 'failed',
          'sync.test.js > sequential test after the group': 'passed',
          'test-concurrent.test.js > loops after an await': 'failed',
          'test-concurrent.test.js > waits 50 ms': 'passed',
          'test-concurrent.test.js > sequential test after': 'passed',
        }, output.slice(-3000))
        assert.match(failure(r.json, 'after an await loops'), stopped('after an await > loops', 'describe.test.js', 'describe'))
        assert.match(failure(r.json, 'in its synchronous part loops'), stopped('in its synchronous part > loops', 'sync.test.js', 'sync'))
        assert.match(failure(r.json, 'loops after an await'), stopped('loops after an await', 'test-concurrent.test.js', 'test'))
        assert.match(r.stdout, /Hard timeouts \(3\)/)
        assert.doesNotMatch(output, /Unhandled|Errors\s+\d+ error|Test timed out/)
        assert.deepEqual(leftovers(dir), [])
      } finally {
        killLeftovers(dir)
        removeProject(dir)
      }
    })
  }

  test(`vitest ${line}: sequence.concurrent: the loop is stopped, the test beside it passes`, async () => {
    const dir = makeProject('concurrent', line)
    try {
      const r = await runVitest(dir, line, { limitMs: 60_000, env: { FIXTURE_SEQUENCE: '1' } })
      const output = r.stdout + r.stderr
      assert.equal(r.timedOut, false, `the run hung:\n${output.slice(-2000)}`)
      assert.equal(r.code, 1, output)
      assert.deepEqual(states(r.json), {
        'sequence.js > waits 50 ms': 'passed',
        'sequence.js > loops after an await': 'failed',
      }, output.slice(-3000))
      assert.match(failure(r.json, 'loops after an await'), stopped('loops after an await', 'sequence.js', 'sequence'))
      assert.doesNotMatch(output, /Unhandled|Errors\s+\d+ error|Test timed out/)
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}
