// The watchdog serves every thread of the process: one thread stuck in native code (its /proc
// diagnosis, its report, its onStuck program and the wait for that program before the kill) must
// not delay the deadlines of the others.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, run } from './helpers.mjs'

test('while a stuck thread\'s onStuck program runs (3 s) before the kill, another thread\'s loops are still stopped at their deadline', async () => {
  const r = await run([fixture('busy-watchdog.cjs'), '3000'], { limitMs: 30_000 })
  assert.equal(r.signal, 'SIGKILL', `code ${r.code} ${r.stderr}`)
  const stuck = r.lines.find((l) => l.stuck)
  assert.equal(stuck?.stuck, 'pbkdf2', r.stdout + r.stderr)
  const stops = r.lines.filter((l) => 'stopped' in l)
  // ~3 s of 200 ms loops: about a dozen; every one stopped within its normal bound.
  assert.ok(stops.length >= 5, `only ${stops.length} stops before the kill: ${r.stdout}`)
  for (const s of stops) {
    assert.equal(s.stopped, true)
    assert.ok(s.wall < 1000, `a 200 ms loop took ${s.wall} ms to stop`)
  }
  // The kill waited for the program: the last stop is well after the report.
  assert.ok(stops.at(-1).at - stuck.at > 2000, `kill came ${stops.at(-1).at - stuck.at} ms after the report`)
})
