// Thread handles: interruptThread (async-exception injection), unblockThread, diagnoseThread,
// killThread, onThreadStuck; every misuse refused with a message that says why.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRequire } from 'node:module'
import { fixture, run } from './helpers.mjs'

const { hangLine } = createRequire(import.meta.url)('./fixtures/hangs.cjs')

const threads = (name) => run([fixture('threads.cjs'), name])
const find = (r, key) => r.lines.find((l) => key in l)?.[key]

test('interruptThread throws the given error at the worker\'s guard, with the stack of its loop', async () => {
  const r = await threads('interrupt')
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(find(r, 'call'), { ok: true })
  const res = r.lines.find((l) => l.result)
  assert.equal(res.result, 'threw')
  assert.equal(res.name, 'RangeError')
  assert.equal(res.message, 'stop now')
  assert.ok(res.stack.split('\n')[1].includes(`at loop (${hangLine('loop')}:`), res.stack)
  assert.ok(res.latency < 1000, `latency ${res.latency}`)
  assert.match(find(r, 'stale').message, /has exited: the handle is stale/)
})

test('interruptThread reaches a worker that waits, idle, inside an async guard', async () => {
  const r = await threads('interruptIdle')
  assert.equal(r.code, 0, r.stderr)
  const res = r.lines.find((l) => l.result)
  assert.deepEqual({ result: res.result, name: res.name, message: res.message },
    { result: 'rejected', name: 'ThreadInterruptError', message: 'give up waiting' })
  assert.ok(res.latency < 1000, `delivered after ${res.latency} ms, not at the 60 s deadline`)
})

test('misused handles are refused with the reason', async () => {
  const r = await threads('handles')
  assert.equal(r.code, 0, r.stderr)
  assert.match(find(r, 'noguard').message, /is not inside runWithHardTimeout\(\), so there is nowhere to deliver the error/)
  assert.match(find(r, 'foreign').message, /belongs to process \d+, not to this process/)
  assert.match(find(r, 'forged').message, /no thread with generation \d+ was ever registered/)
  assert.match(find(r, 'mismatch').message, /does not match generation/)
  assert.equal(find(r, 'notAHandle').name, 'TypeError')
  assert.match(find(r, 'notAHandle').message, /expected a thread handle from currentThread\(\).*got \{"tid":"x"\}/)
  assert.match(find(r, 'badError').message, /error must be an Error or a string, got number/)
  assert.match(find(r, 'killMain').message, /refusing to kill the main thread/)
  assert.match(find(r, 'killIdle').message, /is idle in its event loop, not stuck: use worker.terminate\(\)/)
  assert.match(find(r, 'afterExit').message, /has exited: the handle is stale/)
  assert.match(find(r, 'unblockAfterExit').message, /has exited: the handle is stale/)
  assert.match(find(r, 'dieWithParentInWorker').message, /^dieWithParent: call it from the main thread, not worker thread \d+: the kernel ties/)
})

test('killThread refuses a thread running JS and kills one stuck in native code; the process goes on', async () => {
  const r = await threads('kill')
  assert.equal(r.code, 0, r.stderr)
  assert.match(find(r, 'killRunningJs').message, /is running JavaScript: use interruptThread\(\)/)
  assert.equal(find(r, 'diagnosis').running, true)
  assert.deepEqual(find(r, 'kill'), { ok: true })
  assert.equal(find(r, 'taskGone'), true)
  assert.match(find(r, 'again').message, /was killed by killThread\(\): the handle is stale/)
  assert.equal(find(r, 'mainOk'), 2)
  assert.equal(find(r, 'mainStop').name, 'HardTimeoutError')
})

test('diagnoseThread names the syscall and the fd; unblockThread makes readSync fail with EINTR', async () => {
  const r = await threads('unblock')
  assert.equal(r.code, 0, r.stderr)
  const d = find(r, 'diagnosis')
  assert.equal(d.syscall.name, 'read')
  assert.match(d.fd.target, /ht-fifo-.*\/fifo$/)
  assert.equal(d.wchan, 'anon_pipe_read')
  assert.equal(find(r, 'unblock').signalled, true)
  assert.equal(r.lines.at(-1).code, 'EINTR')
})

test('a worker stuck in native code is reported to onThreadStuck listeners on other threads', async () => {
  const r = await threads('stuckListener')
  assert.equal(r.code, 0, r.stderr)
  const report = find(r, 'report')
  assert.ok(report, r.stdout)
  assert.equal(report.label, 'guardedPbkdf2')
  assert.equal(report.timeoutMs, 200)
  assert.ok(report.elapsedMs >= 490, `reported after ${report.elapsedMs} ms, before deadline + stuckAfter`)
  assert.equal(report.diagnosis.running, true)
  assert.equal(report.action, 'report')
  assert.deepEqual(find(r, 'kill'), { ok: true })
})

test('a worker that stopped a function exits; the next worker still works (the addon stays loaded)', async () => {
  const r = await threads('workerExit')
  assert.equal(r.signal, null, r.stderr)
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(r.lines, [{ stopped: 'HardTimeoutError' }, { stopped: 'HardTimeoutError' }, { done: true }])
})
