// The demo: realistic hangs, each stopped at its deadline, with where it was stuck.
// `pnpm demo` (after `pnpm build`).
import { createRequire } from 'node:module'
import { execSync } from 'node:child_process'

const require = createRequire(import.meta.url)
const { runWithHardTimeout, HardTimeoutError } = require('../packages/core/dist/index.js')

const cases = {
  'validates an email (catastrophic regex)': () => /^([a-z0-9]+\.?)+@example\.com$/.test('a'.repeat(40) + '!'),
  'waits for a flag nobody sets (busy-wait)': () => { const ready = false; while (!ready) {} },
  'sleeps synchronously (Atomics.wait)': () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0),
  'runs a command that never exits (execSync)': () => execSync('sleep 1000'),
  'loops after an await': async () => { await Promise.resolve(); for (;;) {} },
  'parses quickly (healthy)': () => JSON.parse('{"ok":true}').ok,
}

console.log('hardtimeout demo: each case gets a 300 ms hard timeout\n')
const t0 = performance.now()
for (const [name, fn] of Object.entries(cases)) {
  try {
    const value = await runWithHardTimeout(fn, { timeout: 300, label: name })
    console.log(`  ✓ ${name} → ${value}`)
  } catch (error) {
    if (!(error instanceof HardTimeoutError)) throw error
    const where = error.stack.split('\n').find((l) => l.includes('demo/run.mjs'))?.trim()
    console.log(`  ✗ ${name}\n      ${error.message}\n      ${where ?? ''}`)
  }
}
console.log(`\nall ${Object.keys(cases).length} cases done in ${Math.round(performance.now() - t0)} ms; without hardtimeout the first one would still be running.`)
