// With the plugin in the root config only, every project of `test.projects` is guarded: inline
// projects (threads and forks, with or without `extends`), project config files matched by a glob,
// per-project options; and a run that nothing could guard stops at startup with one clear error.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { killLeftovers, leftovers, makeProject, markerLine, removeProject, runVitest, states } from './helpers.mjs'

const stopped = (name, limit, file, tag) =>
  new RegExp(`^HardTimeoutError: test "${name}" was stopped after \\d+ ms: it ran past its hard timeout of ${limit} ms\\n\\s+at .*${file.replace('.', '\\.')}:${markerLine('projects', file, tag)}:`)

function failureIn(json, fileEnd, fullName) {
  const file = json.testResults.find((f) => f.name.endsWith(fileEnd))
  return file?.assertionResults.find((t) => t.fullName === fullName)?.failureMessages.join('\n')
}

for (const line of [3, 4, 5]) {
  test(`vitest ${line}: two inline projects (threads, forks), the plugin at the root: both guarded, per-project options`, async () => {
    const dir = makeProject('projects', line)
    try {
      const r = await runVitest(dir, line, { limitMs: 60_000 })
      const output = r.stdout + r.stderr
      assert.equal(r.timedOut, false, `the run hung:\n${output.slice(-2000)}`)
      assert.equal(r.code, 1, output)
      assert.deepEqual(states(r.json), {
        'threads.test.js > runs in a worker thread': 'passed',
        'threads.test.js > loops': 'failed',
        'threads.test.js > after the loop': 'passed',
        'forks.test.js > runs in a child process': 'passed',
        'forks.test.js > loops': 'failed',
        'forks.test.js > after the loop': 'passed',
      })
      // threads: the root's plugin, the project's testTimeout; forks: its own hardTimeout({ timeout: 700 }).
      assert.match(failureIn(r.json, 'threads.test.js', 'loops'), stopped('loops', 1000, 'threads/threads.test.js', 'threads'))
      assert.match(failureIn(r.json, 'forks.test.js', 'loops'), stopped('loops', 700, 'forks/forks.test.js', 'forks'))
      assert.match(r.stdout, /Hard timeouts \(2\)/)
      assert.doesNotMatch(output, /Unhandled|Errors\s+\d+ error/)
      assert.deepEqual(leftovers(dir), [])
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })

  test(`vitest ${line}: project config files from a glob (no plugin of their own) and an inline project with extends: true`, async () => {
    const dir = makeProject('projects', line)
    try {
      const r = await runVitest(dir, line, { args: ['--config', 'vitest.mixed.config.js'], limitMs: 60_000 })
      const output = r.stdout + r.stderr
      assert.equal(r.timedOut, false, `the run hung:\n${output.slice(-2000)}`)
      assert.equal(r.code, 1, output)
      const byProject = {}
      for (const file of r.json.testResults) {
        for (const t of file.assertionResults) byProject[`${file.name.slice(dir.length + 1)} > ${t.fullName}`] = t.status
      }
      assert.deepEqual(byProject, {
        'packages/files-a/files.test.js > healthy': 'passed',
        'packages/files-a/files.test.js > loops': 'failed',
        'packages/files-b/files.test.js > healthy': 'passed',
        'packages/files-b/files.test.js > loops': 'failed',
        'threads/threads.test.js > runs in a worker thread': 'passed',
        'threads/threads.test.js > loops': 'failed',
        'threads/threads.test.js > after the loop': 'passed',
      })
      for (const p of ['a', 'b']) {
        assert.match(failureIn(r.json, `files-${p}/files.test.js`, 'loops'), stopped('loops', 1000, `packages/files-${p}/files.test.js`, `files-${p}`))
      }
      assert.match(r.stdout, /Hard timeouts \(3\)/)
      assert.deepEqual(leftovers(dir), [])
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })

  test(`vitest ${line}: projects that nothing can reach: one error at startup naming them, no test runs`, async () => {
    const dir = makeProject('projects', line)
    try {
      const r = await runVitest(dir, line, { args: ['--config', 'vitest.files.config.js'], limitMs: 60_000 })
      const output = r.stdout + r.stderr
      assert.equal(r.timedOut, false, output)
      assert.equal(r.code, 1, output)
      const names = line !== 5 ? '"packages/\\*"' : '"files-a" \\(packages/files-a/vitest\\.config\\.js\\), "files-b" \\(packages/files-b/vitest\\.config\\.js\\)'
      assert.match(output, new RegExp(`\\[hardtimeout\\] hardTimeout\\(\\) is in the root config's plugins, but none of its test\\.projects loads it, so no test would be guarded: ${names}\\. Add plugins: \\[hardTimeout\\(\\)\\] to the config file of each of these projects\\.`))
      assert.doesNotMatch(output, /\n\s+at /, 'no stack trace')
      assert.doesNotMatch(output, /✓|×|Tests\s+\d/, 'no test ran')
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}

for (const line of [3, 4, 5]) {
  test(`vitest ${line}: a project that sets a run-wide option differently: one error at startup naming it`, async () => {
    const dir = makeProject('projects', line)
    try {
      const r = await runVitest(dir, line, { args: ['--config', 'vitest.runwide.config.js'], limitMs: 60_000 })
      const output = r.stdout + r.stderr
      assert.equal(r.timedOut, false, output)
      assert.equal(r.code, 1, output)
      assert.match(output, /\[hardtimeout\] project "reporting": hardTimeout\(\{ onNativeHang \}\) applies to the whole run; set it in the root config's hardTimeout\(\) \(the project has "report", the root "kill"\)/)
      assert.doesNotMatch(output, /✓|×/, 'no test ran')
      assert.doesNotMatch(output, /\n\s+at /, 'no stack trace')
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}

// Vitest 3.2 reads projects from a vitest.workspace file too, which Vitest imports itself: when none
// of them loads the plugin, the run stops at startup, naming the file and what to add.
test('vitest 3: a vitest.workspace file whose projects nothing can reach: one error at startup, no test runs', async () => {
  const dir = makeProject('workspace', 3)
  try {
    const r = await runVitest(dir, 3, { limitMs: 60_000 })
    const output = r.stdout + r.stderr
    assert.equal(r.timedOut, false, output)
    assert.equal(r.code, 1, output)
    assert.match(output, /\[hardtimeout\] hardTimeout\(\) is in the root config's plugins, but none of its test\.projects loads it, so no test would be guarded: the projects of vitest\.workspace\.js\. In vitest\.workspace\.js, add extends: true to its inline projects \(or plugins: \[hardTimeout\(\)\]\), and plugins: \[hardTimeout\(\)\] to the config files it lists\./)
    assert.doesNotMatch(output, /✓|×|Tests\s+\d/, 'no test ran')
  } finally {
    killLeftovers(dir)
    removeProject(dir)
  }
})

test('vitest 3: a vitest.workspace file with an inline project that extends the root config, and a project config file: both guarded', async () => {
  const dir = makeProject('workspace', 3)
  try {
    fs.mkdirSync(path.join(dir, 'pkg'))
    fs.writeFileSync(path.join(dir, 'pkg/vitest.config.js'), "export default { test: { name: 'pkg', testTimeout: 1000 } }\n")
    fs.copyFileSync(path.join(dir, 'loop.test.js'), path.join(dir, 'pkg/loop.test.js'))
    fs.writeFileSync(path.join(dir, 'vitest.workspace.js'), "export default ['pkg', { extends: true, test: { name: 'inline', include: ['loop.test.js'], testTimeout: 1000 } }]\n")
    const r = await runVitest(dir, 3, { limitMs: 60_000 })
    const output = r.stdout + r.stderr
    assert.equal(r.timedOut, false, `the run hung:\n${output.slice(-2000)}`)
    assert.equal(r.code, 1, output)
    assert.ok(r.json, output)
    const failures = r.json.testResults.flatMap((f) => f.assertionResults.map((t) => `${path.relative(dir, f.name)} ${t.status} ${t.failureMessages.join('').split('\n')[0]}`)).sort()
    assert.deepEqual(failures.map((f) => f.replace(/after \d+ ms/, 'after N ms')), [
      'loop.test.js failed HardTimeoutError: test "loops" was stopped after N ms: it ran past its hard timeout of 1000 ms',
      'pkg/loop.test.js failed HardTimeoutError: test "loops" was stopped after N ms: it ran past its hard timeout of 1000 ms',
    ])
    assert.deepEqual(leftovers(dir), [])
  } finally {
    killLeftovers(dir)
    removeProject(dir)
  }
})
