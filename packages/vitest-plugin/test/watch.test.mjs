// Watch mode, driven from a pseudo-terminal as a developer runs it: a test stuck in JavaScript is
// stopped, a worker stuck in native code is killed, and after each file is fixed its rerun passes;
// quitting leaves no worker and no state folder behind.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { killLeftovers, leftovers, makeProject, nodeFor, projectTmp, removeProject } from './helpers.mjs'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
// Vitest's output without colours and cursor moves.
const plain = (s) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '')

for (const [line, pool] of [[3, 'forks'], [3, 'threads'], [4, 'forks'], [5, 'forks'], [5, 'threads']]) {
  test(`vitest ${line}, pool ${pool}, watch mode: hangs stopped, fixed files rerun and pass, quitting leaves nothing`, async () => {
    const dir = makeProject('watch', line)
    const tmp = projectTmp(dir)
    try {
      const cmd = [nodeFor(line), path.join(dir, 'node_modules/vitest/vitest.mjs'), '--watch', `--pool=${pool}`].map((a) => `'${a}'`).join(' ')
      // util-linux script(1): the command runs on a pseudo-terminal, its output comes through ours.
      const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: dir, env: { ...process.env, TMPDIR: tmp, CI: '', TERM: 'dumb', NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'], detached: true })
      let out = ''
      child.stdout.on('data', (d) => (out += plain(String(d))))
      child.stderr.on('data', (d) => (out += plain(String(d))))
      const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
      const waitFor = async (re, from, what) => {
        const t0 = Date.now()
        while (Date.now() - t0 < 60_000) {
          if (re.test(out.slice(from))) return out.length
          await sleep(100)
        }
        throw new Error(`timed out waiting for ${what}:\n${out.slice(-3000)}`)
      }
      try {
        // First run: both hangs end, the summary names them, and Vitest waits for changes.
        let at = await waitFor(/Hard timeouts \(2\)[\s\S]*(Waiting|Watching) for file changes/, 0, 'the first run')
        assert.match(out, /loops until fixed {2}loop\.test\.js:4 {2}limit 500 ms {2}stopped in place/)
        assert.match(out, new RegExp(`native until fixed {2}native\\.test\\.js:4 {2}limit 500 ms {2}${pool === 'threads' ? 'its worker thread was left running and abandoned' : 'its worker was killed'}`))
        if (pool === 'threads') {
          // The abandoned thread is ended once the run is over, and says so: nothing of Vitest's
          // process spins on while it waits for changes.
          assert.match(out, /worker thread \d+, stuck in native code, was ended \(killThread\) now that the run is over/)
          const vitest = leftovers(dir).find((p) => p.cmd.includes('vitest.mjs'))
          assert.ok(vitest, 'the Vitest process')
          const cpuMs = () => {
            const f = fs.readFileSync(`/proc/${vitest.pid}/stat`, 'utf8').split(') ')[1].split(' ')
            return ((Number(f[11]) + Number(f[12])) * 1000) / 100
          }
          const before = cpuMs()
          await sleep(1000)
          const spent = cpuMs() - before
          assert.ok(spent < 500, `Vitest used ${spent} ms of CPU in 1 s while waiting for changes`)
        }
        // The stopped test is fixed: its file reruns and passes.
        fs.writeFileSync(path.join(dir, 'loop.test.js'), "import { test } from 'vitest'\n\ntest('loops until fixed', () => {})\n")
        at = await waitFor(/✓ loop\.test\.js \(1 test\)[\s\S]*(Waiting|Watching) for file changes/, at, 'the rerun of loop.test.js')
        // The killed worker's file too.
        fs.writeFileSync(path.join(dir, 'native.test.js'), "import { test } from 'vitest'\n\ntest('native until fixed', () => {})\n")
        at = await waitFor(/✓ native\.test\.js \(1 test\)[\s\S]*(Waiting|Watching) for file changes/, at, 'the rerun of native.test.js')
        assert.doesNotMatch(out, /Unhandled|close timed out/)
        child.stdin.write('q')
        const code = await Promise.race([exited, sleep(15_000).then(() => 'still running')])
        assert.notEqual(code, 'still running', `q did not end watch mode:\n${out.slice(-2000)}`)
        await sleep(300)
        assert.deepEqual(leftovers(dir), [])
        assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.startsWith('hardtimeout-vitest-')), [])
      } finally {
        try { process.kill(-child.pid, 'SIGKILL') } catch {}
      }
    } finally {
      killLeftovers(dir)
      removeProject(dir)
    }
  })
}
