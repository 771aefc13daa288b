// The plugin composes with a user's own runner (TypeScript), setup files and reporters (their own,
// JUnit, JSON), and meta.hardTimeout type-checks.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { FIXTURES, REPO, WORDS, failure, killLeftovers, makeProject, markerLine, removeProject, runVitest, states } from './helpers.mjs'

for (const line of [3, 4, 5]) {
  test(`vitest ${line}: composes with the user's runner, setup file and reporters`, async () => {
    const dir = makeProject('compose', line)
    // Vitest 3's runner API has other names: the same runner, written for it.
    if (line === 3) fs.copyFileSync(path.join(FIXTURES, 'compose-v3/my-runner.ts'), path.join(dir, 'my-runner.ts'))
    try {
      const r = await runVitest(dir, line, { limitMs: 60_000, reporters: false })
      assert.equal(r.code, 1, r.stdout + r.stderr)
      const expected = {
        'composed.test.ts > user runner and setup file are active': 'passed',
        'composed.test.ts > still stopped at the plugin limit': 'failed',
        'composed.test.ts > typed meta': 'passed',
      }
      assert.deepEqual(states(r.json), expected)
      assert.match(failure(r.json, 'still stopped at the plugin limit'), new RegExp(`^HardTimeoutError: test "still stopped at the plugin limit" was stopped after \\d+ ms: it ran past its hard timeout of 400 ms\\n\\s+at .*composed\\.test\\.ts:${markerLine('compose', 'composed.test.ts', 'compose')}:`))
      // The user's own reporter saw the same.
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'my-reporter.json'), 'utf8')), {
        'user runner and setup file are active': 'passed',
        'still stopped at the plugin limit': 'failed',
        'typed meta': 'passed',
      })
      const junit = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8')
      assert.match(junit, /<testsuites name="vitest tests" tests="3" failures="1"/)
      assert.match(junit, /<testcase classname="composed.test.ts" name="still stopped at the plugin limit"[^>]*>\s*<failure message="test &quot;still stopped at the plugin limit&quot; was stopped after \d+ ms: it ran past its hard timeout of 400 ms" type="HardTimeoutError">/)
      // The default reporter is still there, followed by the plugin's summary.
      assert.match(r.stdout, new RegExp(String.raw`Tests {2}1 failed \| 2 passed \(3\)[\s\S]*Hard timeouts \(1\)\n {3}still stopped at the plugin limit {2}composed\.test\.ts:10 {2}limit 400 ms {2}${WORDS.action.stopped}`))

      // meta.hardTimeout and the options type-check against this Vitest line's types. (Vitest 3.2's
      // types declare no `meta` in a test's options at all: README.)
      if (line === 3) return
      fs.mkdirSync(path.join(dir, 'node_modules/@types'), { recursive: true })
      fs.symlinkSync(path.join(REPO, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'))
      execFileSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, stdio: 'pipe' })
      // …and the check can fail: without the @ts-expect-error lines it must.
      const src = path.join(dir, 'types-check.ts')
      fs.writeFileSync(src, fs.readFileSync(src, 'utf8').replaceAll('// @ts-expect-error', '//'))
      assert.throws(
        () => execFileSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, stdio: 'pipe' }),
        (e) => /types-check\.ts\(8,\d+\): error TS2769/.test(String(e.stdout)) && /types-check\.ts\(13,\d+\): error/.test(String(e.stdout)),
      )
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}
