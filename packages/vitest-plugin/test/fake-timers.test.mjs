// Tests that fake and move the clock with vi.useFakeTimers() (in the forks pool they fake the very
// globals core runs with): hangs are still stopped at their limit by the real clock, a test
// finishing just under its limit is not stopped, and Node prints no timer warning.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failure, killLeftovers, leftovers, makeProject, markerLine, removeProject, runVitest, states } from './helpers.mjs'

const F = 'fake-timers'

for (const [line, pool] of [[3, 'forks'], [4, 'forks'], [4, 'vmThreads'], [5, 'forks']]) {
  test(`vitest ${line}, pool ${pool}: fake timers do not move the hard limits`, async () => {
    const dir = makeProject(F, line)
    try {
      const r = await runVitest(dir, line, { args: [`--pool=${pool}`], limitMs: 60_000 })
      const output = r.stdout + r.stderr
      assert.equal(r.timedOut, false, `vitest did not finish:\n${output.slice(-3000)}`)
      assert.equal(r.code, 1, output.slice(-3000))
      assert.deepEqual(states(r.json), {
        'clock.test.js > passes before': 'passed',
        'clock.test.js > loops with Date faked 12 years back': 'failed',
        'clock.test.js > loops after an await, the fake clock run 10 minutes ahead': 'failed',
        'clock.test.js > finishes just under its limit while ticking the fake clock': 'passed',
        'clock.test.js > waits just under its limit on a real timer, the fake clock set back': 'passed',
        'clock.test.js > passes after': 'passed',
      })
      for (const [name, marker] of [['loops with Date faked 12 years back', 'date'], ['loops after an await, the fake clock run 10 minutes ahead', 'async']]) {
        const message = failure(r.json, name)
        const m = /^HardTimeoutError: test "[^\n]*" was stopped after (\d+) ms: it ran past its hard timeout of 500 ms/.exec(message)
        assert.ok(m, `${name}: ${message}`)
        assert.ok(Number(m[1]) >= 495 && Number(m[1]) < 2500, `${name}: stopped after ${m[1]} ms`)
        assert.ok(message.includes(`clock.test.js:${markerLine(F, 'clock.test.js', marker)}:`), `${name}: not at the loop:\n${message}`)
      }
      assert.doesNotMatch(output, /TimeoutOverflowWarning|Warning:/)
      assert.ok(r.ms < 30_000, `took ${r.ms} ms`)
      assert.deepEqual(leftovers(dir), [])
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}
