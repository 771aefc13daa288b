// A loop in a timer callback a test started: no guard frame or microtask checkpoint can catch a
// stop there, so the worker is ended as for native code; but the test fails with words that say
// it was JavaScript and why it could not be stopped in place, and its error and record point at
// the loop (the stack an interrupt took), not at the test's declaration.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { ACTION, WORDS, failure, killLeftovers, leftovers, makeProject, markerLine, removeProject, runVitest, states } from './helpers.mjs'

const F = 'timer-loop'
const EXPECTED = {
  'other.test.js > another file still runs': 'passed',
  'timer.test.js > passes first': 'passed',
  'timer.test.js > a loop in a timer callback': 'failed',
  'timer.test.js > never runs': 'skipped',
}
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

for (const [line, pool] of [[3, 'forks'], [4, 'forks'], [5, 'threads']]) {
  test(`vitest ${line}, pool ${pool}: a loop in a timer callback fails its test as JavaScript, at the loop`, async () => {
    const threads = pool === 'threads'
    const dir = makeProject(F, line)
    try {
      const r = await runVitest(dir, line, { args: [`--pool=${pool}`], limitMs: 90_000 })
      const output = r.stdout + r.stderr
      assert.equal(r.timedOut, false, output.slice(-3000))
      assert.equal(r.code, 1, output.slice(-3000))
      assert.deepEqual(states(r.json), EXPECTED)
      const loop = markerLine(F, 'timer.test.js', 'timer')
      const message = failure(r.json, 'a loop in a timer callback')
      assert.match(message, new RegExp(`^HardTimeoutError: test "a loop in a timer callback" in \\S*timer\\.test\\.js ran past its hard timeout of 600 ms ${esc(WORDS.cause.jsUnstoppable)} \\(${esc(WORDS.jsIn.callback)}\\), stuck at \\S*timer\\.test\\.js:${loop}:\\d+: `), message)
      assert.doesNotMatch(message, /native code/)
      assert.match(message, new RegExp(`timer\\.test\\.js:${loop}:`))
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'hard-timeouts.json'), 'utf8'))
      assert.deepEqual(
        report.hardTimeouts.map((h) => [h.name, h.location?.line, h.cause, h.jsIn, h.action]),
        [['a loop in a timer callback', loop, 'js', 'callback', threads ? ACTION['thread-abandoned'] : ACTION['worker-killed']]],
      )
      assert.match(r.stdout, /never runs \[not run: the worker was stopped because test "a loop in a timer callback" was stuck in JavaScript that could not be stopped in place\]/)
      assert.deepEqual(leftovers(dir), [])
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}
