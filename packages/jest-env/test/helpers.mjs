// Shared by the *.test.mjs files: run a real Jest on a fixture project and look at what it did.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = path.join(PKG, 'test', 'fixtures');
const require = createRequire(path.join(PKG, 'package.json'));

/** Jest 30.5 from the workspace (devDependency). */
export const WORKSPACE_JEST = path.join(path.dirname(require.resolve('jest/package.json')), 'bin', 'jest.js');

/**
 * Jest `version` from the registry, installed by npm once into the repository's `.cache/` (kept
 * between test runs, like the Vitest lines; never in the temporary directory): the bin to run.
 */
export function installedJest(version, { pinned = [] } = {}) {
  const dir = path.join(PKG, '..', '..', '.cache', `jest-${version}${pinned.length ? `-${pinned.join('-')}` : ''}`);
  if (!fs.existsSync(path.join(dir, '.installed'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    // jest's own dependencies are ^ ranges: `pinned` packages are held at `version` too
    const overrides = Object.fromEntries(pinned.map((name) => [name, version]));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ht-jest', private: true, overrides }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', `jest@${version}`], { cwd: dir, stdio: 'pipe', timeout: 300_000 });
    fs.writeFileSync(path.join(dir, '.installed'), '');
  }
  return path.join(dir, 'node_modules', 'jest', 'bin', 'jest.js');
}

/** The Jest lines every real-run test runs on: the workspace's 30.5 and 29.7 from the registry. */
export const JEST_LINES = {
  '29.7': () => installedJest('29.7.0'),
  '30.5': () => WORKSPACE_JEST,
};

/** Points the fixture configs at the built package of the workspace. */
export const WORKSPACE_ENV = {
  HT_JEST_ENV: path.join(PKG, 'dist', 'index.js'),
  HT_JEST_REPORTER: path.join(PKG, 'dist', 'reporter.js'),
};

export const MODES = {
  'in band': ['--runInBand'],
  'child-process workers': ['--maxWorkers=2'],
  'worker threads': ['--workerThreads', '--maxWorkers=2'],
};

/** Every process whose environment carries `marker` (what a run may leave behind). */
export function processesWithMarker(marker) {
  const found = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.includes(`HT_RUN_MARKER=${marker}`)) {
        const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        found.push({ pid: Number(entry), cmd });
      }
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/**
 * Runs Jest in `cwd` with `args`, `--json --outputFile`, a fresh cache and a reporter JSON file.
 * Resolves with { code, signal, ms, stdout, stderr, json, hardTimeouts, leftovers }.
 */
export async function runJest({ cwd, args = [], jest = WORKSPACE_JEST, env = WORKSPACE_ENV, timeoutMs = 120_000, node = process.execPath }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ht-jest-run-'));
  const outputFile = path.join(tmp, 'jest.json');
  const htJson = path.join(tmp, 'hard-timeouts.json');
  const marker = randomUUID();
  const debugLog = path.join(tmp, 'events.log');
  const reports = path.join(tmp, 'reports');
  // Jest's own temporary folder: what the run leaves in it is reported (tempLeft) and removed.
  const tmpdir = path.join(tmp, 'tmpdir');
  fs.mkdirSync(tmpdir);
  // on a timeout: a Node report of the Jest process (what it was waiting for) before it is killed
  const nodeArgs = ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${reports}`];
  const fullArgs = [...nodeArgs, jest, ...args, '--json', `--outputFile=${outputFile}`, `--cacheDirectory=${path.join(tmp, 'cache')}`];
  const start = Date.now();
  const child = spawn(node, fullArgs, {
    cwd,
    env: { ...process.env, ...env, TMPDIR: tmpdir, HT_JEST_JSON: htJson, HT_RUN_MARKER: marker, HARDTIMEOUT_JEST_DEBUG: debugLog, FORCE_COLOR: '0', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      fs.mkdirSync(reports, { recursive: true });
      process.kill(child.pid, 'SIGUSR2');
    } catch {}
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 1500);
  }, timeoutMs);
  const [code, signal] = await new Promise((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  const ms = Date.now() - start;
  // Processes still alive a moment later were left behind by the run.
  let leftovers = [];
  for (let i = 0; i < 20; i++) {
    leftovers = processesWithMarker(marker);
    if (leftovers.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const p of leftovers) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {}
  }
  const read = (f) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : undefined);
  const tempLeft = fs.readdirSync(tmpdir);
  const result = { code, signal, ms, stdout, stderr, timedOut, leftovers, tempLeft, json: read(outputFile), hardTimeouts: read(htJson) };
  if (timedOut) {
    // keep what explains the hang
    const keep = fs.mkdtempSync(path.join(os.tmpdir(), 'ht-jest-hung-'));
    if (fs.existsSync(debugLog)) fs.copyFileSync(debugLog, path.join(keep, 'events.log'));
    if (fs.existsSync(reports)) fs.cpSync(reports, path.join(keep, 'reports'), { recursive: true });
    fs.writeFileSync(path.join(keep, 'output.txt'), `${stdout}\n--- stderr ---\n${stderr}`);
    const tail = fs.existsSync(debugLog) ? fs.readFileSync(debugLog, 'utf8').split('\n').slice(-15).join('\n') : '(no events)';
    result.hangInfo = `kept in ${keep}; last events:\n${tail}`;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return result;
}

/** { 'file.test.js': { 'full name': status } } from `jest --json`. */
export function statesOf(json) {
  const out = {};
  for (const file of json.testResults) {
    const states = {};
    for (const a of file.assertionResults) states[a.fullName] = a.status;
    out[path.basename(file.name)] = states;
  }
  return out;
}

/** The assertion result of `fullName` in `file`. */
export function resultOf(json, file, fullName) {
  const f = json.testResults.find((r) => path.basename(r.name) === file);
  return f?.assertionResults.find((a) => a.fullName === fullName);
}

/** 1-based number of the line of `fixtureDir/file` that contains `marker`. */
export function lineOf(fixtureDir, file, marker) {
  const lines = fs.readFileSync(path.join(fixtureDir, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`no ${marker} in ${file}`);
  return i + 1;
}

export function describeRun(r) {
  return `exit ${r.code} signal ${r.signal} after ${r.ms} ms${r.timedOut ? ` (TIMED OUT, ${r.hangInfo})` : ''}\n--- stderr (tail) ---\n${r.stderr.slice(-4000)}`;
}
