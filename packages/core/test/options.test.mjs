// Bad input gets a TypeError or RangeError naming the option and the value; never a crash.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

const { runWithHardTimeout } = createRequire(import.meta.url)('../dist/index.js')
const { stuckLog } = createRequire(import.meta.url)('../dist/internal.js')
const noop = () => 1

test('timeout must be a positive, finite number of ms', () => {
  for (const [timeout, type, shown] of [
    [0, RangeError, '0'], [-5, RangeError, '-5'], [NaN, RangeError, 'NaN'], [Infinity, RangeError, 'Infinity'],
    [2 ** 31, RangeError, '2147483648'], ['100', TypeError, '"100"'], [undefined, TypeError, 'undefined'], [10n, TypeError, '10n'],
  ]) {
    assert.throws(() => runWithHardTimeout(noop, { timeout }), (e) => {
      assert.ok(e instanceof type, `${shown}: ${e}`)
      assert.ok(e.message.includes('options.timeout'), e.message)
      assert.ok(e.message.endsWith(`got ${shown}`), e.message)
      return true
    })
  }
})

test('other options and fn are checked too', () => {
  assert.throws(() => runWithHardTimeout('nope', { timeout: 10 }), /fn must be a function, got string/)
  assert.throws(() => runWithHardTimeout(noop), /options must be an object like \{ timeout: 1000 \}, got undefined/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, timout: 5 }), /unknown option "timout" \(value 5\)/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, label: 3 }), /options.label must be a string, got 3/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, stuckAfter: -1 }), /options.stuckAfter must be a positive.*got -1/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, onStuck: { kill: 'all' } }), /options.onStuck.kill must be 'process' or 'none', got "all"/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, onStuck: { report: '' } }), /options.onStuck.report must be a file path, got ""/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, onStuck: { reprot: 'x' } }), /unknown option "onStuck.reprot" \(value "x"\); known: report, kill, exec/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, onStuck: { exec: 'node report.js' } }), /options.onStuck.exec must be a non-empty array of strings like \[process.execPath, 'report-stuck.js'\], got "node report.js"/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, onStuck: { exec: [] } }), /options.onStuck.exec must be a non-empty array of strings .*, got \[\]/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, onStuck: { exec: [''] } }), /options.onStuck.exec\[0\] must be a program \(a path or a name in PATH\), got ""/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, onStuck: { exec: ['node', 3] } }), /options.onStuck.exec\[1\] must be a string without NUL characters, got 3/)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, onStuck: { exec: ['node', 'a\0b'] } }), /options.onStuck.exec\[1\] must be a string without NUL characters, got "a\\u0000b"/)
  assert.equal(runWithHardTimeout(() => 5, { timeout: 10, onStuck: { exec: ['node', 'x.js'], kill: 'none' } }), 5)
  // A plan object is read at every call unless frozen (then it cannot change, and is read once)
  const plan = { kill: 'none' }
  assert.equal(runWithHardTimeout(noop, { timeout: 10, onStuck: plan }), 1)
  plan.kill = 'all'
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, onStuck: plan }), /options.onStuck.kill must be 'process' or 'none', got "all"/)
  const frozen = Object.freeze({ kill: 'none', exec: Object.freeze(['node', 'x.js']) })
  assert.equal(runWithHardTimeout(noop, { timeout: 10, onStuck: frozen }), 1)
  assert.equal(runWithHardTimeout(noop, { timeout: 10, onStuck: frozen }), 1)
  assert.throws(() => runWithHardTimeout(noop, { timeout: 10, onStuck: Object.freeze({ kill: 'all' }) }), /got "all"/)
})

test('stuckLog checks its path and what is appended', () => {
  assert.throws(() => stuckLog(''), /stuckLog: path must be a file path, got ""/)
  assert.throws(() => stuckLog(3), /stuckLog: path must be a file path, got 3/)
  const log = stuckLog(join(tmpdir(), `ht-unused-${process.pid}.log`))
  assert.throws(() => log.append({ a: 1 }), /stuckLog: append\(text\) needs a string, got \{"a":1\}/)
  log.append('fine\n')
  log.close()
})

test('values, exceptions and this pass through untouched', async () => {
  assert.equal(runWithHardTimeout(() => 42, { timeout: 100 }), 42)
  const boom = new Error('boom')
  assert.throws(() => runWithHardTimeout(() => { throw boom }, { timeout: 100 }), (e) => e === boom)
  assert.equal(await runWithHardTimeout(async () => 'later', { timeout: 100 }), 'later')
  await assert.rejects(runWithHardTimeout(async () => { throw boom }, { timeout: 100 }), (e) => e === boom)
})
