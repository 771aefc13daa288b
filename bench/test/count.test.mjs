// `bench/count.mjs` (pnpm bench:count) in quick mode: CI checks that Jest in band is counted, that
// count.json has every figure as a number and the counts as whole numbers of instructions, that
// hardtimeout adds instructions per test (a count that cannot see our guard is broken), and that
// it leaves no project behind; not the figures themselves. Without valgrind it must say so.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('../count.mjs', import.meta.url))
const MODES = ['jest-in-band']
const hasValgrind = spawnSync('valgrind', ['--version']).status === 0

test('pnpm bench:count --quick counts Jest in band and writes count.json', { timeout: 900_000, skip: hasValgrind ? false : 'valgrind is not installed' }, () => {
  const r = spawnSync(process.execPath, [script, '--quick'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  for (const mode of MODES) assert.match(r.stdout, new RegExp(`^  ${mode} `, 'm'))
  const json = JSON.parse(readFileSync(new URL('../results/count.json', import.meta.url), 'utf8'))
  assert.equal(json.quick, true)
  assert.deepEqual(Object.keys(json.modes), MODES)
  for (const mode of MODES) {
    const m = json.modes[mode]
    for (const key of ['per_test_off', 'per_test_on', 'per_test_added', 'per_test_ratio', 'fixed_added']) {
      assert.ok(Number.isFinite(m[key]), `${mode} ${key}: ${m[key]}`)
    }
    assert.equal(m.counts.length, 4)
    for (const c of m.counts) assert.ok(Number.isInteger(c.count) && c.count > 1e8, `${mode}: ${JSON.stringify(c)}`)
    assert.ok(m.per_test_added > 0, `${mode}: hardtimeout adds ${m.per_test_added} instructions per test`)
  }
  const work = new URL('../.work/', import.meta.url)
  const left = existsSync(work) ? readdirSync(work).filter((f) => f.startsWith('count-')) : []
  assert.deepEqual(left, [], 'projects left in bench/.work')
})

test('pnpm bench:count names a bad option', () => {
  const unknown = spawnSync(process.execPath, [script, '--quik'], { encoding: 'utf8' })
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /unknown option "--quik" \(--quick\)/)
})
