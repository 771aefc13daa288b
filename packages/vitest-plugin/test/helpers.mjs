// Test helpers: build a throwaway project from a fixture for a Vitest line (3 = 3.2.x on Node 22,
// 4 = 4.1.x on Node 24, 5 = 5.1.x on Node 26), run real Vitest in it, and read its JSON report.
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { nodeBin } from '../../../scripts/node-bin.mjs'

export const PKG = fileURLToPath(new URL('..', import.meta.url))

// Core's outcome vocabulary, as the records and the summary use it. ACTION.stopped and the like:
// a misspelt action is undefined, and fails the test that uses it.
const { ACTIONS, ENTRIES, OUTCOME_WORDS, describeOutcome } = createRequire(import.meta.url)('@hardtimeout/core')
export const ACTION = Object.fromEntries(ACTIONS.map((a) => [a, a]))
export const ENTRY = Object.fromEntries(ENTRIES.map((e) => [e, e]))
export const WORDS = OUTCOME_WORDS
export { describeOutcome }
export const REPO = path.resolve(PKG, '../..')
export const FIXTURES = path.join(PKG, 'test/fixtures')
export const CACHE = path.join(REPO, '.cache')

export const LINES = {
  3: { vitest: '3.2.4', node: 22 },
  4: { vitest: '4.1.12', node: 24 },
  5: { vitest: '5.1.1', node: 26 },
}

/** The node_modules directory holding the given Vitest line. */
export function vitestModules(line) {
  if (line === 4) {
    // The package's own devDependency (pnpm): its real directory holds vitest and its deps.
    return path.dirname(fs.realpathSync(path.join(PKG, 'node_modules/vitest')))
  }
  return installVitest(LINES[line].vitest)
}

/** The node_modules directory of a Vitest release installed (once) under .cache/. */
export function installVitest(vitest) {
  const dir = path.join(CACHE, `vitest-${vitest}`)
  const modules = path.join(dir, 'node_modules')
  if (!fs.existsSync(path.join(modules, 'vitest/package.json'))) {
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'cache', private: true }))
    // The machine's npm installs it (the Node binaries from npm come without npm); engines only warn.
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `vitest@${vitest}`], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] })
  }
  return modules
}

/** The Node binary for a line; HARDTIMEOUT_TEST_NODE (a major) runs every line on that one instead. */
export function nodeFor(line) {
  return nodeBin(process.env.HARDTIMEOUT_TEST_NODE || LINES[line].node)
}

/**
 * A temporary project: the fixture's files, node_modules/vitest from the given line (or the
 * given node_modules directory), and this package (dist copied, so that its `vitest` import resolves to that line) with core linked.
 */
export function makeProject(fixture, line, modules = vitestModules(line)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ht-vitest${line}-${fixture}-`))
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true })
  const nm = path.join(dir, 'node_modules')
  fs.mkdirSync(path.join(nm, '@hardtimeout/vitest'), { recursive: true })
  for (const name of ['vitest', 'vite']) {
    const target = path.join(modules, name)
    if (fs.existsSync(target)) fs.symlinkSync(target, path.join(nm, name))
  }
  fs.cpSync(path.join(PKG, 'dist'), path.join(nm, '@hardtimeout/vitest/dist'), { recursive: true })
  fs.cpSync(path.join(PKG, 'types'), path.join(nm, '@hardtimeout/vitest/types'), { recursive: true })
  fs.copyFileSync(path.join(PKG, 'package.json'), path.join(nm, '@hardtimeout/vitest/package.json'))
  fs.symlinkSync(path.join(REPO, 'packages/core'), path.join(nm, '@hardtimeout/core'))
  return dir
}

export function removeProject(dir) {
  fs.rmSync(dir, { recursive: true, force: true })
}

/**
 * The project's folder for a run's temporary files (its TMPDIR): Vitest's module copies, the
 * plugin's state folder, the fixtures' FIFOs stay in the project and are removed with it (a run
 * killed in a hang cannot remove them).
 */
export function projectTmp(dir) {
  const tmp = path.join(dir, 'tmp')
  fs.mkdirSync(tmp, { recursive: true })
  return tmp
}

/**
 * Runs `vitest run` in dir with the JSON reporter (and the default one), in its own process group.
 * Kills the group after `limitMs`. Resolves with exit code, signal, output, wall time and the report.
 */
export function runVitest(dir, line, { args = [], limitMs = 120_000, env = {}, reporters = true } = {}) {
  const node = nodeFor(line)
  const vitestBin = path.join(dir, 'node_modules/vitest/vitest.mjs')
  const out = path.join(dir, 'report.json')
  const argv = [vitestBin, 'run', ...(reporters ? ['--reporter=default', '--reporter=json', `--outputFile.json=${out}`] : []), ...args]
  const tmp = projectTmp(dir)
  const start = Date.now()
  return new Promise((resolve) => {
    const child = spawn(node, argv, {
      cwd: dir,
      detached: true,
      env: { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0', TMPDIR: tmp, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
    }, limitMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      let json
      try { json = JSON.parse(fs.readFileSync(out, 'utf8')) } catch {}
      resolve({ code, signal, stdout, stderr, ms: Date.now() - start, timedOut, json, pid: child.pid })
    })
  })
}

/** Per-test states from Vitest's JSON report: { 'file > full name': status }. */
export function states(json) {
  const out = {}
  for (const file of json?.testResults ?? []) {
    const base = path.basename(file.name)
    for (const t of file.assertionResults) out[`${base} > ${t.fullName}`] = t.status
  }
  return out
}

export function failure(json, fullName) {
  for (const file of json?.testResults ?? []) {
    for (const t of file.assertionResults) if (t.fullName === fullName) return t.failureMessages.join('\n')
  }
  return undefined
}

/** Processes still alive whose working directory is inside dir (workers, their children). */
export function leftovers(dir) {
  const real = fs.realpathSync(dir)
  const found = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`)
      if (cwd === real || cwd.startsWith(real + '/')) {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
        if (/\) Z /.test(stat)) continue
        found.push({ pid: Number(entry), cmd: fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim() })
      }
    } catch {
      // gone, or not ours
    }
  }
  return found
}

export function killLeftovers(dir) {
  for (const p of leftovers(dir)) {
    try { process.kill(p.pid, 'SIGKILL') } catch {}
  }
}

/** The line number of the `// HANG:<tag>` marker in a fixture file. */
export function markerLine(fixture, file, tag) {
  const lines = fs.readFileSync(path.join(FIXTURES, fixture, file), 'utf8').split('\n')
  const i = lines.findIndex((l) => l.includes(`// HANG:${tag}`))
  if (i < 0) throw new Error(`no // HANG:${tag} in ${fixture}/${file}`)
  return i + 1
}
