// `bench/suite.mjs` (pnpm bench:suite) on the two fixture projects, in quick mode: CI checks that it
// runs, prints its table, writes its JSON and finds the states identical; not the figures.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const bench = fileURLToPath(new URL('..', import.meta.url))
const script = join(bench, 'suite.mjs')
const PREFIX = 'hardtimeout-suite-' // suite.mjs's own temporary folders, and the copies below
const ours = () => readdirSync(tmpdir()).filter((f) => f.startsWith(PREFIX)).sort()

let before0
before(() => {
  before0 = ours()
})
after(() => {
  assert.deepEqual(ours(), before0, `temporary folders left in ${tmpdir()}`)
})

// A copy of a fixture with the framework linked from the bench package's own dependencies
// (no node_modules is committed), the way a user's project has it installed.
function project(fixture, framework) {
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}test-${framework}-`))
  cpSync(join(bench, 'test/fixtures', fixture), dir, { recursive: true })
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(realpathSync(join(bench, 'node_modules', framework)), join(dir, 'node_modules', framework))
  return dir
}

const run = (args) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 80_000 })

for (const framework of ['vitest', 'jest']) {
  test(`bench:suite --quick on the ${framework} fixture: table, JSON, identical states`, { timeout: 90_000 }, (t) => {
    const dir = project(`suite-${framework}`, framework)
    const name = `ci-fixture-${framework}`
    const json = join(bench, 'results', `suite-${name}.json`)
    t.after(() => {
      rmSync(dir, { recursive: true, force: true })
      rmSync(json, { force: true })
    })
    const r = run([dir, '--quick', `--name=${name}`])
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /pair +off CPU s +on CPU s +CPU ratio +off wall s +on wall s +wall ratio/)
    assert.match(r.stdout, /^ {2}median /m)
    assert.match(r.stdout, /CPU ratio \(on\/off, whole process tree\): median \d+\.\d+, spread \d+\.\d+–\d+\.\d+ over 2 pairs; ratio of medians \d+\.\d+/)
    assert.match(r.stdout, /states: identical — each of the 8 tests/)
    assert.match(r.stdout, /from this repository/)
    const result = JSON.parse(readFileSync(json, 'utf8'))
    assert.equal(result.framework, framework)
    assert.equal(result.pairs, 2)
    assert.equal(result.tests, 8)
    assert.equal(result.states_identical, true)
    assert.deepEqual(result.differences, [])
    for (const key of ['median_ratio', 'min_ratio', 'max_ratio', 'ratio_of_medians', 'off_median_s', 'on_median_s']) {
      assert.ok(Number.isFinite(result.cpu[key]) && result.cpu[key] > 0, `cpu.${key} is ${result.cpu[key]}`)
      assert.ok(Number.isFinite(result.wall[key]) && result.wall[key] > 0, `wall.${key} is ${result.wall[key]}`)
    }
    assert.equal(result.runs.length, 2)
    assert.deepEqual(result.runs.map((p) => p.first), ['off', 'on'])
    for (const p of result.runs) for (const mode of ['off', 'on']) assert.ok(p[mode].cpu_s > 0 && p[mode].wall_s > 0)
  })
}

test('bench:suite: a missing directory and a bad --pairs exit 2 with one line', () => {
  const missing = join(tmpdir(), `${PREFIX}test-none`)
  assert.equal(existsSync(missing), false)
  for (const [args, message] of [
    [[missing], `bench:suite: no such project directory: ${missing}\n`],
    [[bench, '--pairs=0'], 'bench:suite: --pairs=0: the number of off/on pairs must be a whole number ≥ 1\n'],
    [[bench, '--pairs=ten'], 'bench:suite: --pairs=ten: the number of off/on pairs must be a whole number ≥ 1\n'],
    [[bench, '--framework=mocha'], 'bench:suite: --framework=mocha: expected vitest or jest\n'],
  ]) {
    const r = run(args)
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`)
    assert.equal(r.stderr, message)
    assert.equal(r.stdout, '')
  }
})
