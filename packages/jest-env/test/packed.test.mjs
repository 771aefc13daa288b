// The Done criterion: a project that installs the packed packages (npm tarballs of
// @hardtimeout/native, core and jest-env, no workspace links) and Jest from the registry, on both
// Jest lines, in every run mode.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, MODES, PKG, describeRun, lineOf, resultOf, runJest, statesOf } from './helpers.mjs';
import { JS_DIR, NATIVE_DIR, checkJsHangsRun, checkNativeWorkersRun } from './expectations.mjs';

const WORKSPACE = path.resolve(PKG, '..', '..');
const JSDOM_DIR = path.join(FIXTURES, 'jsdom');
const PACKAGES = [path.join(WORKSPACE, 'native'), path.join(WORKSPACE, 'packages', 'core'), PKG];
const JEST_LINES = (process.env.HT_JEST_LINES ?? '29.7.0,30.5.2').split(',');

/** Packs the three packages with pnpm (workspace:* becomes a version) into one directory. */
function pack() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ht-pack-'));
  for (const pkg of PACKAGES) {
    execFileSync('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', dir], { cwd: pkg, stdio: 'pipe' });
  }
  const tarballs = fs.readdirSync(dir).filter((f) => f.endsWith('.tgz')).map((f) => path.join(dir, f));
  assert.equal(tarballs.length, 3, `packed: ${tarballs.join(', ')}`);
  return tarballs;
}

/** A project with jest@version and the tarballs installed by npm; reused while the tarballs are the same. */
function project(version, tarballs) {
  const hash = createHash('sha256');
  for (const t of tarballs) hash.update(fs.readFileSync(t));
  // (per checkout: two checkouts' runs at once must not remove each other's projects)
  const prefix = `ht-jest-packed-${version}-${createHash('sha256').update(WORKSPACE).digest('hex').slice(0, 8)}-`;
  const dir = path.join(os.tmpdir(), `${prefix}${hash.digest('hex').slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, '.installed'))) {
    // projects of earlier tarballs are stale: remove them
    for (const old of fs.readdirSync(os.tmpdir())) {
      if (old.startsWith(prefix)) fs.rmSync(path.join(os.tmpdir(), old), { recursive: true, force: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ht-fixture', private: true }));
    const stable = tarballs.map((t) => {
      const copy = path.join(dir, path.basename(t));
      fs.copyFileSync(t, copy);
      return copy;
    });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', `jest@${version}`, `jest-environment-jsdom@${version}`, ...stable], {
      cwd: dir,
      stdio: 'pipe',
      timeout: 300_000,
    });
    fs.writeFileSync(path.join(dir, '.installed'), '');
  }
  for (const fixture of [JS_DIR, NATIVE_DIR, JSDOM_DIR]) {
    const target = path.join(dir, path.basename(fixture));
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(fixture, target, { recursive: true });
  }
  return dir;
}

let tarballs;
before(() => {
  tarballs = pack();
});
// (each project keeps its own copies of the tarballs)
after(() => {
  if (tarballs?.length) fs.rmSync(path.dirname(tarballs[0]), { recursive: true, force: true });
});

for (const version of JEST_LINES) {
  describe(`packed packages + jest@${version} from the registry`, () => {
    let dir;
    let jest;
    before(() => {
      dir = project(version, tarballs);
      jest = path.join(dir, 'node_modules', 'jest', 'bin', 'jest.js');
      const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'jest', 'package.json'), 'utf8')).version;
      assert.equal(installed, version);
      // no workspace links: the environment is the copy npm unpacked from the tarball
      const env = fs.realpathSync(path.join(dir, 'node_modules', '@hardtimeout', 'jest-env'));
      assert.ok(env.startsWith(fs.realpathSync(dir)), env);
    });

    for (const [mode, args] of Object.entries(MODES)) {
      test(`JS hangs, ${mode}`, async () => {
        const r = await runJest({ cwd: path.join(dir, 'js-hangs'), args, jest, env: {} });
        checkJsHangsRun(r);
      });
    }

    test('native hangs, child-process workers', async () => {
      const r = await runJest({ cwd: path.join(dir, 'native-hangs'), args: MODES['child-process workers'], jest, env: {} });
      checkNativeWorkersRun(r);
    });

    test('jsdom environment, child-process workers', async () => {
      const r = await runJest({ cwd: path.join(dir, 'jsdom'), args: ['--maxWorkers=2'], jest, env: {} });
      assert.equal(r.timedOut, false, describeRun(r));
      assert.deepEqual(statesOf(r.json)['dom.test.js'], {
        'has a DOM': 'passed',
        'a hang in a DOM event handler is stopped': 'failed',
        'the DOM still works after': 'passed',
        'on Jest 30 the environment adds no event listener to jest-circus': 'passed',
      });
      const message = resultOf(r.json, 'dom.test.js', 'a hang in a DOM event handler is stopped').failureMessages.join('\n');
      assert.ok(message.includes(`dom.test.js:${lineOf(JSDOM_DIR, 'dom.test.js', 'HANG-LINE')}:`), message);
    });

    test('native code that cannot be unblocked, in band: the run ends with a report', async () => {
      const r = await runJest({ cwd: path.join(dir, 'native-hangs'), args: ['--runInBand', 'stuck'], jest, env: {}, timeoutMs: 60_000 });
      assert.equal(r.timedOut, false, describeRun(r));
      assert.equal(r.signal, 'SIGKILL', describeRun(r));
      assert.match(r.stderr, /test "native › spins in native code that cannot be interrupted" in stuck\.test\.js .*ending the run/s, r.stderr);
      // what finished is replayed with the installed Jest's own helpers: its summary lines, its --json
      assert.match(r.stderr, /Tests: +1 failed, 1 skipped, 1 passed, 3 total/, r.stderr);
      assert.deepEqual(statesOf(r.json)['stuck.test.js'], {
        'passes before the stuck test': 'passed',
        'native spins in native code that cannot be interrupted': 'failed',
        'native never runs: its worker was killed': 'pending',
      });
      assert.deepEqual(r.leftovers, []);
      assert.deepEqual(r.tempLeft, []);
    });
  });
}
