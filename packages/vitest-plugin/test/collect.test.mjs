// A file that hangs while it is loaded (module top level) fails with a HardTimeoutError; the run goes on.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { killLeftovers, leftovers, makeProject, markerLine, removeProject, runVitest, states, ACTION, ENTRY } from './helpers.mjs'

for (const line of [3, 4, 5]) {
  test(`vitest ${line}: a hang at a file's top level fails that file, the other files run`, async () => {
    const dir = makeProject('collect-hang', line)
    try {
      const r = await runVitest(dir, line, { limitMs: 60_000 })
      assert.equal(r.timedOut, false)
      assert.equal(r.code, 1, r.stdout + r.stderr)
      assert.deepEqual(states(r.json), { 'fine.test.js > another file runs': 'passed' })
      const file = r.json.testResults.find((f) => f.name.endsWith('top-level.test.js'))
      assert.equal(file.status, 'failed')
      assert.match(file.message, /^loading top-level\.test\.js was stopped after \d+ ms: it ran past its hard timeout of 1000 ms/)
      assert.match(r.stderr, new RegExp(`FAIL {2}top-level\\.test\\.js[^\\n]*\\nHardTimeoutError: loading top-level\\.test\\.js was stopped[^\\n]*\\n ❯ top-level\\.test\\.js:${markerLine('collect-hang', 'top-level.test.js', 'collect')}:1`))
      assert.doesNotMatch(r.stdout + r.stderr, /Unhandled/)
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'hard-timeouts.json'), 'utf8'))
      assert.deepEqual(report.hardTimeouts.map((h) => [h.name, h.entry, h.file, h.location.line, h.limitMs, h.action]), [
        ['loading top-level.test.js', ENTRY.collection, 'top-level.test.js', markerLine('collect-hang', 'top-level.test.js', 'collect'), 1000, ACTION.stopped],
      ])
      assert.deepEqual(leftovers(dir), [])
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}
