// dieWithParent(): when the parent (a test runner's main process) is SIGKILLed, its worker dies,
// and with { descendants: true } so does everything the worker started.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { alive, fixture } from './helpers.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function waitFor(done, ms) {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await sleep(25)
}

async function scenario(descendants, role = 'parent') {
  const parent = spawn(process.execPath, [fixture('orphans.cjs'), role, String(descendants)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const seen = {}
  parent.stdout.on('data', (d) => {
    for (const l of String(d).split('\n').filter(Boolean)) Object.assign(seen, JSON.parse(l))
  })
  const ready = () => seen.sleeper !== undefined && (role === 'parent' || seen.threadGone)
  // Up to a minute: under qemu (the arm64 legs) on a loaded machine three Node processes take
  // more than 10 s to start. Not ready: nothing may be left running (it would keep this file's
  // process, and the test run, waiting forever).
  for (let i = 0; i < 1200 && !ready(); i++) await sleep(50)
  if (!ready()) for (const pid of [parent.pid, seen.child, seen.sleeper]) try { process.kill(pid, 'SIGKILL') } catch {}
  assert.equal(seen.ok, true)
  const before = role === 'parent' ? {} : { workerBeforeKill: alive(seen.child), grandchildBeforeKill: alive(seen.sleeper) }
  parent.kill('SIGKILL')
  // Generous on a loaded machine: the worker's signal handler, the kills and the reaping all need
  // a CPU. Without descendants the grandchild is expected to live on: a short look is enough.
  await waitFor(() => !alive(seen.child), 10_000)
  await waitFor(() => !alive(seen.sleeper), descendants ? 10_000 : 300)
  const out = { ...before, worker: alive(seen.child), grandchild: alive(seen.sleeper) }
  for (const pid of [seen.child, seen.sleeper]) try { process.kill(pid, 'SIGKILL') } catch {}
  return out
}

test('parent SIGKILLed: the worker dies with it', async () => {
  const r = await scenario(false)
  assert.equal(r.worker, false)
  assert.equal(r.grandchild, true, 'without descendants the grandchild is expected to survive: this test checks the difference')
})

test('parent SIGKILLed: with { descendants: true } the worker\'s children die too', async () => {
  assert.deepEqual(await scenario(true), { worker: false, grandchild: false })
})

// The kernel sends the parent-death signal whenever the *thread* that started the process exits
// (the process is then adopted by a sibling thread), and once more per thread of a parent being
// killed. The worker must die with its parent process, not with the thread that spawned it, and
// the several signals must not race each other (a handler acting on each of them can leave a
// stopped grandchild alive).
test('the thread that spawned the worker exits, the parent lives: nothing dies until the parent does', async () => {
  assert.deepEqual(await scenario(true, 'thread-parent'), {
    workerBeforeKill: true, grandchildBeforeKill: true, worker: false, grandchild: false,
  })
})
