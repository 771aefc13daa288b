// Loops in the callbacks a guarded call scheduled (timers, immediates, nextTick, listeners of
// streams, sockets and child processes, fs callbacks) are stopped in place: the call fails with a
// HardTimeoutError whose stack points at the loop, and the thread goes on.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { firstUserFrame, run, scenario, stoppedMessage } from './helpers.mjs'
import { fileURLToPath } from 'node:url'

const KINDS = ['inTimeout', 'inInterval', 'inImmediate', 'inNextTick', 'inTimerAfterAwait', 'inStreamData',
  'inSocketData', 'inFsCallback', 'inChildExit', 'inOnce']

for (const where of ['main', 'worker']) {
  describe(`callbacks in the ${where} thread`, () => {
    test('a loop in a callback is stopped in place, as the guarded call\'s failure', async () => {
      const r = await scenario(where, 'kinds', KINDS)
      assert.equal(r.code, 0, r.stderr)
      for (const kind of KINDS) {
        const line = r.lines.find((l) => l.kind === kind)
        assert.ok(line, `no result for ${kind}: ${r.stdout}${r.stderr}`)
        assert.equal(line.ok, false, `${kind} was not stopped`)
        const e = line.error
        assert.equal(e.name, 'HardTimeoutError', `${kind}: ${JSON.stringify(e)}`)
        assert.equal(e.kind, 'js', `${kind}: ${e.message}`)
        assert.equal(e.timeout, 200)
        assert.equal(e.label, kind)
        assert.match(e.message, stoppedMessage(kind, 200))
        assert.ok(e.elapsed >= 199 && e.elapsed < 1500, `${kind}: elapsed ${e.elapsed}`)
        assert.ok(firstUserFrame(e.stack).includes(line.hangLine), `${kind}: stack does not point at ${line.hangLine}:\n${e.stack}`)
      }
      assert.deepEqual(r.lines.at(-1), { afterwards: { timer: true, micro: true, later: 7 } })
    })
  })
}

const semantics = fileURLToPath(new URL('./fixtures/callbacks.cjs', import.meta.url))

test('guarded callbacks keep their semantics; late ones are not charged to an ended call', async () => {
  const r = await run([semantics])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(r.lines.at(-1), {
    args: ['a', 'b'],
    thisIsTimeout: true,
    removed: true,
    onceRemovedByListener: true,
    onceRanOnce: 1,
    listeners: true,
    lateRan: true,
    lateNotCharged: true,
    dropped: true,
    fakeTimers: 1,
    promisified: true,
  })
})
