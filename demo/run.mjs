// `pnpm demo`: the suite in demo/suite, a few realistic hangs next to healthy tests, run twice:
// without hardtimeout (an outer timeout has to kill it, as CI would) and with the plugin.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const suite = fileURLToPath(new URL('./suite/', import.meta.url))
const vitest = fileURLToPath(new URL('./node_modules/vitest/vitest.mjs', import.meta.url))
const OUTER_S = 15

// Each run gets a temporary folder of its own (TMPDIR), removed afterwards: the run killed by the
// outer timeout cannot remove what Vitest keeps there, and would leave it in /tmp.
function run(env, limitS) {
  return new Promise((resolve) => {
    const tmp = mkdtempSync(join(tmpdir(), 'hardtimeout-demo-'))
    const t0 = performance.now()
    const child = spawn(process.execPath, [vitest, 'run'], {
      cwd: suite,
      env: { ...process.env, ...env, TMPDIR: tmp },
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    })
    let killed = false
    const timer = limitS && setTimeout(() => {
      killed = true
      process.kill(-child.pid, 'SIGKILL') // the worker and its children too
    }, limitS * 1000)
    child.on('close', (code) => {
      clearTimeout(timer)
      rmSync(tmp, { recursive: true, force: true })
      resolve({ code, killed, s: (performance.now() - t0) / 1000 })
    })
  })
}

const rule = (title) => console.log(`\n━━━ ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}\n`)

rule(`1/2 Without hardtimeout (killed after ${OUTER_S} s, as a CI job timeout would)`)
const off = await run({ DEMO_WITHOUT_PLUGIN: '1' }, OUTER_S)
console.log(off.killed
  ? `\n→ Still running after ${OUTER_S} s: the first stuck test blocks its worker, so Vitest's 1000 ms\n  testTimeout never fires. Killed with no result and no word of which test hung.`
  : `\n→ exited with code ${off.code} after ${off.s.toFixed(1)} s`)

rule('2/2 With hardtimeout: plugins: [hardTimeout()]')
const on = await run({}, 120)
console.log(`\n→ Finished in ${on.s.toFixed(1)} s with exit code ${on.code}: every stuck test was stopped at its\n  1000 ms timeout, reported where it was stuck, and the other tests ran.`)
process.exit(0)
