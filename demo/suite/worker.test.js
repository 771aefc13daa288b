import { execSync } from 'node:child_process'
import { expect, test } from 'vitest'

let ready = false
setTimeout(() => { ready = true }, 10) // never runs while the test below spins

test('waits for the cache to warm up (busy-wait on a flag)', () => {
  while (!ready) {} // the timer that sets the flag can never fire
  expect(ready).toBe(true)
})

test('sleeps synchronously before retrying', () => {
  const retryAfterMs = Infinity // a config value that went wrong
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, retryAfterMs)
})

test('waits for the server log to say "ready"', () => {
  // The server never started, so the line never comes and the pipeline never exits.
  const line = execSync('tail -f /dev/null | grep -m1 ready').toString()
  expect(line).toContain('ready')
})

test('adds numbers', () => {
  expect(1 + 2).toBe(3)
})
