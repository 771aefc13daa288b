// What every bench program does with the framework runs it starts: each in a process group of its
// own (its workers and their children with it), its output kept, the whole group SIGKILLed at a
// limit; and on Ctrl-C, SIGTERM or SIGHUP the running group killed and the program's temporary
// folder removed, so that an interrupted measurement leaves nothing behind.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

let current // the running group's leader, for the signal handlers

/**
 * Runs `command args` detached, in `cwd` with `env`. Resolves, once it has closed, with
 * { code, signal, killed (at limitMs), seconds (wall), out (stdout and stderr, the last
 * `keepChars` of them), pid (the group's id) }.
 */
export function runGroup(command, args, { cwd, env, limitMs, keepChars = Infinity }) {
  return new Promise((done) => {
    const t0 = performance.now()
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    current = child
    let out = ''
    const keep = (d) => {
      out += d
      if (out.length > 2 * keepChars) out = out.slice(-keepChars)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    let killed = false
    const timer = setTimeout(() => {
      killed = true
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
    }, limitMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (current === child) current = undefined
      done({ code, signal, killed, seconds: (performance.now() - t0) / 1000, out, pid: child.pid })
    })
  })
}

/**
 * Calls fn(root) with a fresh temporary folder named `prefix…`, removed when fn settles or when a
 * signal ends the program; `program` names it in the line a signal prints.
 */
export async function withTempRoot(prefix, program, fn) {
  const root = mkdtempSync(join(tmpdir(), prefix))
  const cleanup = () => rmSync(root, { recursive: true, force: true })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (current) try { process.kill(-current.pid, 'SIGKILL') } catch {}
      cleanup()
      console.error(`\n${program}: stopped by ${sig}; temporary files removed`)
      process.exit(130)
    })
  }
  try {
    return await fn(root)
  } finally {
    cleanup()
  }
}
