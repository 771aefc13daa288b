// Runs a fixture in a real child process and collects its JSON lines.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { after } from 'node:test'
import { fileURLToPath } from 'node:url'

/** The fixed words of core's error messages (src/errors.ts), pinned in outcome.test.mjs. */
export const { MESSAGE_WORDS } = createRequire(import.meta.url)('../dist/internal.js')
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The whole message of a call stopped with no more to say: `"label" was stopped after … ms: …`. */
export function stoppedMessage(label, timeout) {
  const W = MESSAGE_WORDS
  return new RegExp(`^"${escape(label)}" ${escape(W.stopped)} \\d+(\\.\\d)? ms: ${escape(W.pastTimeout)} ${timeout} ms$`)
}

const temps = []
after(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A temporary folder, removed when the test file's tests are done. */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}

export const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

// The fixtures' own temporary files (FIFOs, reports) go to a folder of this test file's: a fixture
// killed in the middle of a hang cannot remove them.
let runTmp

export function run(args, { env = {}, limitMs = 30_000, execArgv = [], wrapper = [] } = {}) {
  runTmp ??= tempDir('ht-run-')
  return new Promise((resolve) => {
    const t0 = performance.now()
    // A process group of its own: at the limit the whole group is killed, so that a grandchild
    // (the 'fork' scenario's worker) holding our pipes cannot keep the test waiting forever.
    // wrapper: a command that runs node (taskset, nice).
    const argv = [...wrapper, process.execPath, ...execArgv, ...args]
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, TMPDIR: runTmp, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }, limitMs)
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      const lines = stdout.split('\n').filter(Boolean).map((l) => {
        try {
          return JSON.parse(l)
        } catch {
          return { raw: l }
        }
      })
      resolve({ code, signal, lines, stdout, stderr, wall: performance.now() - t0, pid: child.pid })
    })
  })
}

export const scenario = (where, name, args = [], opts) => run([fixture('scenario.cjs'), where, name, ...args], opts)

/** true while a process with that pid exists (and is not a zombie). */
export function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** The first stack frame outside Node's own modules. */
export function firstUserFrame(stack) {
  return stack.split('\n').find((l) => /^\s+at /.test(l) && !/\(node:|\(<anonymous>\)|at node:/.test(l))
}
