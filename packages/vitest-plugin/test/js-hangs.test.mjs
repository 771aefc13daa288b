// Tests and hooks stuck in JavaScript are stopped in place, on every Vitest line, in process pools.
import { test } from 'node:test'
import { checkJsHangs } from './js-hangs.shared.mjs'

for (const line of [3, 4, 5]) {
  for (const pool of ['forks', 'vmForks']) {
    test(`vitest ${line}, pool ${pool}: JS hangs in tests and hooks are stopped in place`, (t) => checkJsHangs(t, line, pool))
  }
}
