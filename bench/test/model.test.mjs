// `bench/model.mjs` (pnpm bench:model) in quick mode: CI checks that every mode runs and that
// model.json has each figure as a number, and that it leaves no project behind; not the figures.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const MODES = ['vitest-forks', 'vitest-threads', 'jest-in-band', 'jest-workers']
const FIGURES = ['per_test_us', 'per_hook_us', 'per_file_us', 'fixed_us', 'suite.predicted_ratio', 'suite.measured_ratio']

test('pnpm bench:model --quick measures every mode and writes model.json', { timeout: 600_000 }, () => {
  const script = fileURLToPath(new URL('../model.mjs', import.meta.url))
  const r = spawnSync(process.execPath, [script, '--quick'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  for (const mode of MODES) assert.match(r.stdout, new RegExp(`^  ${mode} `, 'm'))
  const json = JSON.parse(readFileSync(new URL('../results/model.json', import.meta.url), 'utf8'))
  assert.equal(json.quick, true)
  assert.deepEqual(Object.keys(json.modes), MODES)
  for (const mode of MODES) {
    for (const key of FIGURES) {
      const r = key.split('.').reduce((o, k) => o?.[k], json.modes[mode])
      for (const v of [r?.median, r?.min, r?.max]) assert.ok(Number.isFinite(v), `${mode} ${key}: ${JSON.stringify(r)}`)
    }
    assert.equal(typeof json.modes[mode].suite.agree, 'boolean')
  }
  const work = new URL('../.work/', import.meta.url)
  const left = existsSync(work) ? readdirSync(work).filter((f) => f.startsWith('model-')) : []
  assert.deepEqual(left, [], 'projects left in bench/.work')
})

test('pnpm bench:model names a bad option and its value', () => {
  const script = fileURLToPath(new URL('../model.mjs', import.meta.url))
  const modes = spawnSync(process.execPath, [script, '--modes=vitest-forks,mocha'], { encoding: 'utf8' })
  assert.equal(modes.status, 2)
  assert.match(modes.stderr, /--modes: unknown mode "mocha" \(one of vitest-forks, vitest-threads, jest-in-band, jest-workers\)/)
  const unknown = spawnSync(process.execPath, [script, '--quik'], { encoding: 'utf8' })
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /unknown option "--quik"/)
  const pairs = spawnSync(process.execPath, [script, '--pairs=0'], { encoding: 'utf8' })
  assert.equal(pairs.status, 2)
  assert.match(pairs.stderr, /--pairs must be a whole number ≥ 1, not "0"/)
})
