// The verdicts of guarded async calls come from one timer per thread (src/deadlines.ts): each call
// still gets its own verdict at its own deadline, and the timer keeps a process alive only while a
// call is pending.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { run } from './helpers.mjs'

const CORE = JSON.stringify(fileURLToPath(new URL('..', import.meta.url)))
const script = (body) => ['-e', `const { runWithHardTimeout } = require(${CORE}); const t0 = Date.now(); ${body}`]

test('a process with nothing left but a pending guarded call stays alive for its verdict', async () => {
  const r = await run(script(`
    runWithHardTimeout(() => new Promise(() => {}), { timeout: 300 })
      .catch((e) => console.log(JSON.stringify({ name: e.name, pending: e.pending, ms: Date.now() - t0 })))`))
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.lines.length, 1, `no verdict: ${r.stdout}${r.stderr}`)
  assert.equal(r.lines[0].name, 'HardTimeoutError')
  assert.equal(r.lines[0].pending, true)
  assert.ok(r.lines[0].ms >= 299 && r.lines[0].ms < 3000, `verdict after ${r.lines[0].ms} ms`)
})

test('a guarded call that settled does not keep the process alive until its deadline', async () => {
  const r = await run(script(`
    (async () => {
      console.log(JSON.stringify({ v: await runWithHardTimeout(async () => 1, { timeout: 20000 }) }))
      // and one that settles after the other's deadline has moved the timer
      await runWithHardTimeout(() => new Promise((resolve) => setTimeout(resolve, 50)), { timeout: 25000 })
      console.log(JSON.stringify({ ms: Date.now() - t0 }))
    })()`))
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(r.lines[0], { v: 1 })
  assert.ok(r.wall < 10_000, `the process lived ${Math.round(r.wall)} ms: a settled call's deadline kept it alive`)
})

test('a call settled after another one\'s deadline passed still keeps the process alive for the next verdict', async () => {
  // The first call's deadline (300 ms) is the timer's; once it settled the timer is unref'ed. The
  // next call's deadline is later: the same timer must be ref'ed again, or the process ends here.
  const r = await run(script(`
    (async () => {
      await runWithHardTimeout(async () => 1, { timeout: 300 })
      await runWithHardTimeout(() => new Promise(() => {}), { timeout: 600 })
        .catch((e) => console.log(JSON.stringify({ pending: e.pending, ms: Date.now() - t0 })))
    })()`))
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.lines.length, 1, `no verdict: ${r.stdout}${r.stderr}`)
  assert.equal(r.lines[0].pending, true)
  assert.ok(r.lines[0].ms >= 599 && r.lines[0].ms < 3000, `verdict after ${r.lines[0].ms} ms`)
})

test('each call gets its verdict at its own deadline, also one that starts after a later deadline was set', async () => {
  // B's loop after an await is stopped inside a microtask: its promise can never settle, and its
  // verdict comes from the timer, which A (started first, a later deadline) had set for 4 s.
  const r = await run(script(`
    const log = (e) => console.log(JSON.stringify({ label: e.label, kind: e.kind, pending: e.pending === true, ms: Date.now() - t0 }))
    runWithHardTimeout(() => new Promise(() => {}), { timeout: 4000, label: 'A' }).catch(log)
    runWithHardTimeout(async () => { await null; for (;;) {} }, { timeout: 300, label: 'B' }).catch(log)`))
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(r.lines.map((l) => l.label), ['B', 'A'], r.stdout + r.stderr)
  const [b, a] = r.lines
  assert.equal(b.kind, 'js')
  assert.equal(b.pending, false)
  assert.ok(b.ms >= 299 && b.ms < 2500, `B's verdict after ${b.ms} ms`)
  assert.equal(a.pending, true)
  assert.ok(a.ms >= 3999 && a.ms < 6000, `A's verdict after ${a.ms} ms`)
})
