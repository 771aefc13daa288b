// Fake timers (@sinonjs/fake-timers, the version Jest 30 and Vitest 4 build their fake timers on)
// installed on the globals, with the clock moved back or forward, before or while a guarded call
// runs: limits fire on time, never early, never late, and Node prints no warning (src/clock.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, run } from './helpers.mjs'

for (const when of ['before', 'during']) {
  for (const shift of ['-12y', '+12y', '0']) {
    test(`fake timers installed ${when} the calls, clock ${shift}: limits on time, no warning`, async () => {
      const r = await run([fixture('fake-clock.cjs'), when, shift], { limitMs: 20_000 })
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stderr, '', 'nothing on stderr (no TimeoutOverflowWarning)')
      const by = Object.fromEntries(r.lines.map((l) => [l.name, l]))
      for (const name of ['sync loop', 'loop after await', 'pending']) {
        const l = by[name]
        assert.ok(l, `${name}: no result in ${r.stdout}`)
        assert.equal(l.ok, false, name)
        assert.equal(l.error, 'HardTimeoutError', name)
        assert.equal(l.pending, name === 'pending', name)
        // On time by the real clock: not early (the fake clock jumped minutes ahead), not late.
        assert.ok(l.wall >= 295 && l.wall < 2500, `${name} stopped after ${l.wall} ms (limit 300)`)
        assert.ok(l.elapsed >= 295 && l.elapsed < 2500, `${name}: error.elapsed ${l.elapsed} ms is real time`)
      }
      for (const name of ['just under (async)', 'just under (sync)']) {
        assert.deepEqual({ ok: by[name]?.ok, value: by[name]?.value }, { ok: true, value: 'done' }, `${name}: ${JSON.stringify(by[name])}`)
      }
    })
  }
}
