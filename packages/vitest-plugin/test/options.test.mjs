// Invalid plugin options and meta.hardTimeout values fail fast, naming the value and its origin.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hardTimeout } from '../dist/index.js'
import { failure, killLeftovers, makeProject, removeProject, runVitest, states } from './helpers.mjs'

test('hardTimeout() accepts no options and valid ones', () => {
  assert.equal(hardTimeout().name, 'hardtimeout')
  assert.equal(hardTimeout({ timeout: 500, hookTimeout: 1000, collectTimeout: 2000, stuckAfter: 300, onNativeHang: 'report', report: 'h.json' }).name, 'hardtimeout')
})

test('hardTimeout() rejects invalid options with the option and the value', () => {
  const cases = [
    [{ timeout: 0 }, /hardTimeout\(\{ timeout \}\) must be a positive number of milliseconds \(at most 2147483647\), got 0$/],
    [{ timeout: '5s' }, /hardTimeout\(\{ timeout \}\) must be .* got "5s"$/],
    [{ hookTimeout: Infinity }, /hardTimeout\(\{ hookTimeout \}\) must be .* got Infinity$/],
    [{ collectTimeout: -1 }, /hardTimeout\(\{ collectTimeout \}\) must be .* got -1$/],
    [{ stuckAfter: NaN }, /hardTimeout\(\{ stuckAfter \}\) must be .* got NaN$/],
    [{ onNativeHang: 'explode' }, /hardTimeout\(\{ onNativeHang \}\) must be 'kill' or 'report', got "explode"$/],
    [{ report: 42 }, /hardTimeout\(\{ report \}\) must be a file path like 'hard-timeouts.json', got 42$/],
    [{ timout: 500 }, /unknown option "timout" \(value 500\); known options: timeout, hookTimeout/],
    [5000, /options must be an object like \{ timeout: 5000 \}, got 5000$/],
  ]
  for (const [options, message] of cases) {
    assert.throws(() => hardTimeout(options), (e) => e instanceof TypeError && message.test(e.message), JSON.stringify(options))
  }
})

for (const line of [4, 5]) {
  test(`vitest ${line}: invalid meta.hardTimeout fails its test with the value and where it was set`, async () => {
    const dir = makeProject('invalid-meta', line)
    try {
      const r = await runVitest(dir, line, { limitMs: 60_000 })
      assert.equal(r.code, 1, r.stdout + r.stderr)
      assert.deepEqual(states(r.json), {
        'meta.test.js > string limit': 'failed',
        'meta.test.js > negative limit': 'failed',
        'meta.test.js > describe with a zero limit inherits it': 'failed',
        'meta.test.js > valid limit': 'passed',
      })
      assert.match(failure(r.json, 'string limit'), /^TypeError: \[hardtimeout\] meta\.hardTimeout of test "string limit" \(meta\.test\.js\) must be a positive number of milliseconds \(at most 2147483647\), got "soon"/)
      assert.match(failure(r.json, 'negative limit'), /meta\.hardTimeout of test "negative limit" \(meta\.test\.js\) must be .*, got -5/)
      assert.match(failure(r.json, 'describe with a zero limit inherits it'), /meta\.hardTimeout of describe "describe with a zero limit" \(meta\.test\.js\), inherited by test "describe with a zero limit > inherits it" must be .*, got 0/)
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}

test('vitest 4: an invalid option stops the run before any test, naming the value', async () => {
  const dir = makeProject('invalid-meta', 4)
  try {
    const r = await runVitest(dir, 4, { limitMs: 60_000, env: { HT_OPTIONS: '{"timeout":"5s"}' } })
    assert.notEqual(r.code, 0)
    assert.match(r.stdout + r.stderr, /\[hardtimeout\] hardTimeout\(\{ timeout \}\) must be a positive number of milliseconds \(at most 2147483647\), got "5s"/)
    assert.equal(r.json, undefined)
  } finally {
    killLeftovers(dir)
    removeProject(dir)
  }
})

for (const line of [4, 5]) {
  test(`vitest ${line}: a near-miss meta key is warned about once, naming the file and the test`, async () => {
    const dir = makeProject('near-miss', line)
    try {
      const r = await runVitest(dir, line, { limitMs: 60_000 })
      const output = r.stdout + r.stderr
      assert.equal(r.code, 0, output)
      assert.deepEqual(Object.values(states(r.json)), ['passed', 'passed', 'passed', 'passed', 'passed', 'passed'])
      const warnings = output.match(/\[hardtimeout\] meta\.\S+ of .*/g) ?? []
      assert.deepEqual(warnings.sort(), [
        '[hardtimeout] meta.hardTimout of test "typo" (near.test.js) is not read by the plugin: did you mean meta.hardTimeout?',
        '[hardtimeout] meta.hard_timeout of describe "group" (near.test.js) is not read by the plugin: did you mean meta.hardTimeout?',
        '[hardtimeout] meta.hardtimeout of test "lower case" (near.test.js) is not read by the plugin: did you mean meta.hardTimeout?',
      ])
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}
