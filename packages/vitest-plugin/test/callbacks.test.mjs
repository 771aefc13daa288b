// Loops in callbacks a test scheduled (timers, immediates, nextTick, a stream's and a child
// process's listeners, fs callbacks) are stopped in place on both Vitest lines, in every pool
// kind: the test fails with the loop's stack, the rest of the file runs, fake timers still work.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { test } from 'node:test'
import { failure, killLeftovers, leftovers, makeProject, markerLine, projectTmp, removeProject, runVitest, states } from './helpers.mjs'

const F = 'callbacks'
const FILE = 'callbacks.test.js'

// [name, marker of the loop's line] of the tests that must be stopped; the others pass.
const STOPPED = [
  ['loops in a setTimeout callback', 'timeout'],
  ['loops in a setInterval callback', 'interval'],
  ['loops in a setImmediate callback', 'immediate'],
  ['loops in a process.nextTick callback', 'tick'],
  ['loops in a stream data listener', 'stream'],
  ['loops in an fs callback', 'fs'],
  ['loops in a child process exit listener', 'child'],
]
const PASSED = ['passes before', 'passes between', 'fake timers still work', 'a timer callback that ends in time passes', 'passes after']

for (const line of [4, 5]) {
  for (const pool of ['forks', 'threads', 'vmThreads']) {
    test(`vitest ${line}, pool ${pool}: a loop in a callback the test scheduled is stopped in place`, async (t) => {
      const dir = makeProject(F, line)
      try {
        const r = await runVitest(dir, line, { args: [`--pool=${pool}`], limitMs: 90_000 })
        const output = r.stdout + r.stderr
        assert.equal(r.timedOut, false, `vitest did not finish:\n${output.slice(-3000)}`)
        assert.equal(r.signal, null, output.slice(-3000))
        assert.equal(r.code, 1, output.slice(-3000))
        const want = {}
        for (const name of PASSED) want[`${FILE} > ${name}`] = 'passed'
        for (const [name] of STOPPED) want[`${FILE} > ${name}`] = 'failed'
        assert.deepEqual(states(r.json), Object.fromEntries(Object.keys(states(r.json)).map((k) => [k, want[k]])))
        assert.equal(Object.keys(states(r.json)).length, Object.keys(want).length)
        for (const [name, marker] of STOPPED) {
          const message = failure(r.json, name)
          assert.match(message, new RegExp(`^HardTimeoutError: test "${name}" was stopped after \\d+ ms: it ran past its hard timeout of 400 ms\\n`), message)
          const first = message.split('\n').find((l) => /^\s+at /.test(l))
          assert.ok(first.includes(`${FILE}:${markerLine(F, FILE, marker)}:`), `${name}: first frame ${first}`)
        }
        assert.doesNotMatch(output, /Unhandled|native code/, 'stray errors in the output')
        assert.ok(r.ms < 45_000, `took ${r.ms} ms`)
        t.diagnostic(`vitest ${line} ${pool}: ${r.ms} ms`)
        assert.deepEqual(leftovers(dir), [])
        // Vitest's own module copies aside, nothing of ours is left in the run's TMPDIR.
        assert.deepEqual(fs.readdirSync(projectTmp(dir)).filter((n) => /hardtimeout|^ht-/.test(n)), [])
      } finally {
        killLeftovers(dir)
        removeProject(dir)
      }
    })
  }
}
