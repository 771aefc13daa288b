// `pnpm bench:suite <dir> [options] [-- framework args]`: runs a project's own Vitest or Jest suite
// without hardtimeout ("off": the project exactly as it is) and with it ("on": the same run with the
// plugin or environment added from outside, no file of the project edited), in alternating pairs.
// Prints the CPU time of each run's whole process tree and its wall time, the on/off ratios with
// their spread, and every test whose state (passed, failed, skipped…) differs between an off run
// and an on run. Writes bench/results/suite-<name>.json. See BENCHMARKS.md, "Measure it on your suite".
//
// Exit: 0 states identical; 1 states differ (or a run left no report); 2 cannot run (bad option,
// no framework, …), with one line saying why.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runGroup, withTempRoot } from './group.mjs'

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)))
export const TMP_PREFIX = 'hardtimeout-suite-'

class UsageError extends Error {}
const fail = (message) => { throw new UsageError(message) }

const USAGE = 'usage: pnpm bench:suite <dir> [--framework=vitest|jest] [--pairs=N] [--quick] [--name=label] [--limit=seconds] [-- framework args]'

function parseArgs(argv) {
  const sep = argv.indexOf('--')
  const own = sep === -1 ? argv : argv.slice(0, sep)
  const extra = sep === -1 ? [] : argv.slice(sep + 1)
  const opts = { dir: undefined, framework: undefined, pairs: 10, quick: false, name: undefined, limit: 1800, extra }
  for (const arg of own) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (!m) {
      if (arg.startsWith('-')) fail(`unknown option ${arg} (${USAGE})`)
      if (opts.dir !== undefined) fail(`one project directory only: got ${opts.dir} and ${arg} (framework arguments go after --)`)
      opts.dir = arg
      continue
    }
    const [, key, value] = m
    const count = (what, min) => {
      if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) fail(`--${key}=${value ?? ''}: ${what} must be a whole number ≥ ${min}`)
      return Number(value)
    }
    if (key === 'pairs') opts.pairs = count('the number of off/on pairs', 1)
    else if (key === 'limit') opts.limit = count('the limit per run in seconds', 1)
    else if (key === 'quick' && value === undefined) opts.quick = true
    else if (key === 'framework') {
      if (value !== 'vitest' && value !== 'jest') fail(`--framework=${value ?? ''}: expected vitest or jest`)
      opts.framework = value
    } else if (key === 'name') {
      if (!value || !/^[\w.-]+$/.test(value)) fail(`--name=${value ?? ''}: expected letters, digits, '.', '_' or '-'`)
      opts.name = value
    } else if (key === 'help') {
      console.log(USAGE)
      process.exit(0)
    } else fail(`unknown option ${arg} (${USAGE})`)
  }
  if (opts.quick) opts.pairs = 2
  if (opts.dir === undefined) fail(`no project directory given (${USAGE})`)
  return opts
}

// ---------- the project ----------

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

function resolveFrom(dir, request) {
  try {
    return createRequire(join(dir, 'package.json')).resolve(request)
  } catch {
    return undefined
  }
}

function detect(dir, forced) {
  const pkg = readJson(join(dir, 'package.json')) ?? {}
  const listed = (name) => [pkg.dependencies, pkg.devDependencies, pkg.optionalDependencies].some((deps) => deps && name in deps)
  const installed = (name) => resolveFrom(dir, `${name}/package.json`)
  let framework = forced
  if (!framework) {
    const inPkg = ['vitest', 'jest'].filter(listed)
    const found = inPkg.length > 0 ? inPkg : ['vitest', 'jest'].filter(installed)
    if (found.length === 2) fail(`${dir} has both vitest and jest${inPkg.length ? ' in package.json' : ' installed'}: choose one with --framework=vitest or --framework=jest`)
    if (found.length === 0) fail(`no vitest or jest found in ${dir} (neither in package.json nor in node_modules): install the project's dependencies first, or pass --framework=vitest|jest`)
    framework = found[0]
  }
  const pkgFile = installed(framework)
  if (!pkgFile) fail(`${framework} is not installed in ${dir} (no node_modules/${framework}): run the project's install (npm install, pnpm install…) first`)
  const version = readJson(pkgFile)?.version
  // The CLI file itself (package exports do not list it).
  const bin = join(dirname(pkgFile), framework === 'vitest' ? 'vitest.mjs' : 'bin/jest.js')
  if (!existsSync(bin)) fail(`${framework} ${version} in ${dir} has no ${framework === 'vitest' ? 'vitest.mjs' : 'bin/jest.js'}: not a version bench:suite knows`)
  // The peerDependencies of @hardtimeout/vitest and @hardtimeout/jest-env: another version would
  // fail every file of the "on" runs, which is no measurement.
  const [major, minor] = String(version).split('.').map(Number)
  const supported = framework === 'vitest'
    ? (major === 3 && minor >= 2) || (major === 4 && minor >= 1) || major === 5
    : (major === 29 && minor >= 6) || major === 30
  if (!supported) fail(`${framework} ${version} in ${dir}: hardtimeout supports ${framework === 'vitest' ? 'Vitest 3.2.x, 4.1 or later 4.x, and 5.x' : 'Jest 29.6 to 30.x'}; upgrade the project's ${framework} to measure it`)
  return { framework, version, bin, pkgName: pkg.name }
}

// Where the hardtimeout package comes from: the project's own install when it has one (what it
// would use), else this repository's build.
function hardtimeoutPackage(dir, name, workspaceDir) {
  const own = resolveFrom(dir, `${name}/package.json`)
  if (own) return { dir: dirname(own), from: 'the project' }
  const ws = join(repo, workspaceDir)
  if (!existsSync(join(ws, 'dist'))) fail(`${join(ws, 'dist')} is missing: run \`npx -y pnpm@10 build\` in ${repo} first`)
  return { dir: ws, from: `this repository (${workspaceDir})` }
}

// Vitest: a config file in the temporary folder that loads the project's config and adds the
// plugin. Its bare imports resolve through a node_modules of its own there: `vitest` is the
// project's; `@hardtimeout/vitest` is the project's, or a copy of this repository's dist, so that
// the plugin's worker-side `import 'vitest'` also reaches the project's Vitest, whatever its version.
const VITEST_CONFIGS = ['vitest.config', 'vite.config'].flatMap((n) => ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].map((e) => n + e))

function takeConfigArg(extra) {
  const rest = []
  let config
  for (let i = 0; i < extra.length; i++) {
    const a = extra[i]
    if (a === '--config' || a === '-c') config = extra[++i]
    else if (a.startsWith('--config=')) config = a.slice('--config='.length)
    else rest.push(a)
  }
  return { config, rest }
}

function vitestOn(dir, info, tmp, extra) {
  const { config: given, rest } = takeConfigArg(extra)
  let userConfig
  if (given !== undefined) {
    userConfig = resolve(dir, given)
    if (!existsSync(userConfig)) fail(`--config ${given}: no such file in ${dir}`)
  } else {
    userConfig = VITEST_CONFIGS.map((n) => join(dir, n)).find((f) => existsSync(f))
  }
  const ht = hardtimeoutPackage(dir, '@hardtimeout/vitest', 'packages/vitest-plugin')
  const nm = join(tmp, 'node_modules')
  mkdirSync(join(nm, '@hardtimeout'), { recursive: true })
  symlinkSync(realpathSync(dirname(info.bin)), join(nm, 'vitest'))
  if (ht.from === 'the project') {
    symlinkSync(realpathSync(ht.dir), join(nm, '@hardtimeout/vitest'))
  } else {
    const copy = join(nm, '@hardtimeout/vitest')
    mkdirSync(copy)
    cpSync(join(ht.dir, 'dist'), join(copy, 'dist'), { recursive: true })
    cpSync(join(ht.dir, 'package.json'), join(copy, 'package.json'))
    symlinkSync(join(repo, 'packages/core'), join(nm, '@hardtimeout/core'))
  }
  const file = join(tmp, 'vitest.hardtimeout.config.mjs')
  // The project's config may be an object, a promise or a function of Vite's config env.
  writeFileSync(file, `import { mergeConfig } from 'vitest/config'
import { hardTimeout } from '@hardtimeout/vitest'
${userConfig ? `import user from ${JSON.stringify(userConfig)}` : 'const user = {}'}
export default async (env) => {
  let config = await user
  if (typeof config === 'function') config = await config(env)
  return mergeConfig(config ?? {}, { plugins: [hardTimeout()] })
}
`)
  return {
    offExtra: extra,
    onExtra: ['--config', file, ...rest],
    how: `a temporary config that imports ${userConfig ? relative(dir, userConfig) : '(no config file: an empty config)'} and adds hardTimeout() with mergeConfig`,
    hardtimeout: { package: '@hardtimeout/vitest', from: ht.from, dir: ht.dir },
  }
}

// Jest: --testEnvironment. The project's environment decides which: node → @hardtimeout/jest-env,
// jsdom → @hardtimeout/jest-env/jsdom, anything else → a temporary module that wraps the project's
// environment class with createHardTimeoutEnvironment (packages/jest-env/README.md, "Your own
// environment"). The project's environment is read from `jest --showConfig` with the same arguments.
function jestOn(dir, info, tmp, extra, env) {
  const ht = hardtimeoutPackage(dir, '@hardtimeout/jest-env', 'packages/jest-env')
  const r = spawnSync(process.execPath, [info.bin, '--showConfig', ...extra], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 })
  let shown
  try {
    shown = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')))
  } catch {
    fail(`\`jest --showConfig\` in ${dir} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' ')}`)
  }
  const envs = [...new Set(shown.configs.map((c) => c.testEnvironment))]
  if (envs.length !== 1) fail(`the Jest projects of ${dir} use different test environments (${envs.join(', ')}): bench:suite sets one --testEnvironment for all; run it per project (-- --selectProjects <name>)`)
  const [base] = envs
  const kind = /[\\/]jest-environment-node[\\/]/.test(base) ? 'node' : /[\\/]jest-environment-jsdom[\\/]/.test(base) ? 'jsdom' : 'custom'
  let environment
  let how
  if (/[\\/]@hardtimeout[\\/]jest-env[\\/]|[\\/]packages[\\/]jest-env[\\/]dist[\\/]/.test(base)) {
    fail(`${dir} already runs with @hardtimeout/jest-env (testEnvironment ${base}): there is no "off" to compare with`)
  } else if (kind === 'node') {
    environment = join(ht.dir, 'dist/index.js')
    how = '--testEnvironment=@hardtimeout/jest-env (the project uses the node environment)'
  } else if (kind === 'jsdom') {
    environment = join(ht.dir, 'dist/jsdom.js')
    how = "--testEnvironment=@hardtimeout/jest-env/jsdom (the project uses jsdom; its own jest-environment-jsdom is the base)"
  } else {
    if (!/\.(c?js)$/.test(base)) fail(`the project's testEnvironment ${base} is not a CommonJS .js file: bench:suite cannot wrap it; wrap it yourself with createHardTimeoutEnvironment (packages/jest-env/README.md, "Your own environment") and compare`)
    environment = join(tmp, 'hardtimeout-environment.cjs')
    writeFileSync(environment, `const { createHardTimeoutEnvironment } = require(${JSON.stringify(join(ht.dir, 'dist/index.js'))})
const m = require(${JSON.stringify(base)})
module.exports = createHardTimeoutEnvironment(m.TestEnvironment ?? m.default ?? m)
`)
    how = `--testEnvironment=<a temporary module: createHardTimeoutEnvironment(the project's ${relative(dir, base)})>`
  }
  return {
    offExtra: extra,
    onExtra: [...extra, `--testEnvironment=${environment}`],
    how,
    base: { kind, testEnvironment: base },
    hardtimeout: { package: '@hardtimeout/jest-env', from: ht.from, dir: ht.dir },
  }
}

// ---------- runs ----------

// The CPU time (user + system) of this process's waited-for children, from /proc/self/stat fields
// 16 and 17 (cutime, cstime). A child's time, and that of every descendant it waited for, is added
// when the child is reaped: this process runs one framework run at a time and starts nothing else,
// so the difference around a run is the CPU time of that run's whole process tree (see
// BENCHMARKS.md for why a process that outlives the run is checked for).
const TICKS = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
  return Number(r.stdout) > 0 ? Number(r.stdout) : 100
})()
function childrenCpu() {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // field 3 onwards
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / TICKS
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

async function runOnce(args, cwd, env, limitMs) {
  const cpu0 = childrenCpu()
  const r = await runGroup(process.execPath, args, { cwd, env, limitMs, keepChars: 100_000 })
  // A process of the run still alive after the run ended was not waited for: its CPU time is not
  // in the figure. Give it a moment, then stop it so that it does not run into the next run.
  let outlived = false
  for (let i = 0; i < 20 && groupAlive(r.pid); i++) {
    outlived = true
    await new Promise((done) => setTimeout(done, 50))
  }
  if (groupAlive(r.pid)) try { process.kill(-r.pid, 'SIGKILL') } catch {}
  return { code: r.code, signal: r.signal, killed: r.killed, wall: r.seconds, cpu: childrenCpu() - cpu0, outlived, out: r.out }
}

// Test states from a framework's JSON report (Jest's format; Vitest's json reporter writes the
// same): "file > full name" → status, plus one entry per file for a file that failed to run.
function states(report, dir) {
  const map = new Map()
  for (const file of report.testResults ?? []) {
    const rel = relative(dir, file.name ?? file.testFilePath ?? '?')
    const tests = file.assertionResults ?? []
    if (tests.length === 0 || (file.status === 'failed' && file.message && !tests.some((t) => t.status === 'failed'))) {
      map.set(`${rel} (the file itself)`, file.status)
    }
    for (const t of tests) {
      const name = t.fullName ?? [...(t.ancestorTitles ?? []), t.title].join(' ')
      let key = `${rel} > ${name}`
      for (let n = 2; map.has(key); n++) key = `${rel} > ${name} #${n}`
      map.set(key, t.status)
    }
  }
  return map
}

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

// ---------- main ----------

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const dir = resolve(opts.dir)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(`no such project directory: ${opts.dir}`)
  const info = detect(dir, opts.framework)
  const name = opts.name ?? (info.pkgName ?? basename(dir)).replace(/^@/, '').replace(/[^\w.-]+/g, '-')

  return withTempRoot(TMP_PREFIX, 'bench:suite', (tmp) => measure(opts, dir, info, name, tmp))
}

async function measure(opts, dir, info, name, tmp) {
  // Each run's TMPDIR is under our folder: what the framework keeps there (Jest's cache, Vitest's
  // module copies) goes with it, and off and on share it, as they share the project.
  const runTmp = join(tmp, 'tmp')
  mkdirSync(runTmp)
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)))
  Object.assign(env, { CI: '1', TMPDIR: runTmp })
  const setup = info.framework === 'vitest' ? vitestOn(dir, info, tmp, opts.extra) : jestOn(dir, info, tmp, opts.extra, env)
  const report = join(tmp, 'report.json')
  const argsFor = (mode) => {
    const extra = mode === 'on' ? setup.onExtra : setup.offExtra
    return info.framework === 'vitest'
      ? [info.bin, 'run', ...extra, '--reporter=json', `--outputFile.json=${report}`]
      : [info.bin, ...extra, '--ci', '--json', `--outputFile=${report}`]
  }

  console.log(`bench:suite: ${name} (${dir})`)
  console.log(`  ${info.framework} ${info.version}, Node ${process.version}; ${opts.pairs} pairs, alternating, after one untimed run of each`.replace('1 pairs', '1 pair'))
  console.log(`  off: the project's own configuration${opts.extra.length ? `, with ${opts.extra.join(' ')}` : ''}`)
  console.log(`  on:  ${setup.how}`)
  console.log(`  ${setup.hardtimeout.package} from ${setup.hardtimeout.from}`)

  const runs = []
  const problems = []
  const one = async (mode, pair) => {
    rmSync(report, { force: true })
    const r = await runOnce(argsFor(mode), dir, env, opts.limit * 1000)
    const json = readJson(report)
    const run = { mode, pair, wall_s: r.wall, cpu_s: r.cpu, exit: r.code ?? r.signal, killed_by_limit: r.killed, outlived: r.outlived, tests: json?.numTotalTests ?? null, states: json ? states(json, dir) : null }
    if (!json) problems.push(`${mode} run${pair === null ? ' (untimed)' : ` of pair ${pair + 1}`} wrote no JSON report (exit ${run.exit}${r.killed ? `, killed at the ${opts.limit} s limit` : ''}); its output ends:\n${r.out.trimEnd().split('\n').slice(-15).map((l) => `    ${l}`).join('\n')}`)
    if (r.outlived && !r.killed) problems.push(`${mode} run${pair === null ? ' (untimed)' : ` of pair ${pair + 1}`}: a process of the run was still alive after it ended (not waited for: its CPU time is missing from the figure)`)
    return run
  }
  // The untimed first runs: a cold cache (Jest's transforms, Vite's dependency optimizer, the OS's
  // file cache) would otherwise be paid by whichever configuration runs first.
  const warm = [await one('off', null), await one('on', null)]
  for (let i = 0; i < opts.pairs; i++) {
    // Which goes first alternates, so that neither always runs right after the other.
    const order = i % 2 === 0 ? ['off', 'on'] : ['on', 'off']
    const pair = {}
    for (const mode of order) {
      pair[mode] = await one(mode, i)
      process.stdout.write(`  pair ${i + 1} ${mode}: ${pair[mode].cpu_s.toFixed(2)} s CPU, ${pair[mode].wall_s.toFixed(2)} s wall\n`)
    }
    runs.push(pair)
  }

  // States: every off run against every on run. A test that also differs among the off runs is flaky
  // on its own, and said so.
  const offs = runs.map((p) => p.off)
  const ons = runs.map((p) => p.on)
  const keys = new Set([...offs, ...ons].flatMap((r) => [...(r.states?.keys() ?? [])]))
  const tally = (rs, key) => {
    const t = {}
    for (const r of rs) {
      const s = r.states ? (r.states.get(key) ?? 'missing') : 'no report'
      t[s] = (t[s] ?? 0) + 1
    }
    return t
  }
  const differences = []
  for (const key of [...keys].sort()) {
    const off = tally(offs, key)
    const on = tally(ons, key)
    const same = Object.keys(off).length === 1 && Object.keys(on).length === 1 && Object.keys(off)[0] === Object.keys(on)[0]
    if (!same) differences.push({ test: key, off, on, flaky_without_hardtimeout: Object.keys(off).length > 1 })
  }
  const reportless = runs.flatMap((p) => [p.off, p.on]).filter((r) => !r.states).length

  const ratios = runs.map((p) => ({ cpu: p.on.cpu_s / p.off.cpu_s, wall: p.on.wall_s / p.off.wall_s }))
  const summary = (key) => {
    const rs = ratios.map((r) => r[key])
    const field = key === 'cpu' ? 'cpu_s' : 'wall_s'
    return {
      off_median_s: median(runs.map((p) => p.off[field])),
      on_median_s: median(runs.map((p) => p.on[field])),
      median_ratio: median(rs),
      min_ratio: Math.min(...rs),
      max_ratio: Math.max(...rs),
      ratio_of_medians: median(runs.map((p) => p.on[field])) / median(runs.map((p) => p.off[field])),
    }
  }
  const cpu = summary('cpu')
  const wall = summary('wall')
  const tests = [...offs, ...ons].find((r) => r.tests !== null)?.tests ?? null

  const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a')
  console.log(`\n${name}: ${tests ?? '?'} tests, ${info.framework} ${info.version}`)
  const rows = [['pair', 'off CPU s', 'on CPU s', 'CPU ratio', 'off wall s', 'on wall s', 'wall ratio']]
  runs.forEach((p, i) => rows.push([String(i + 1), f(p.off.cpu_s), f(p.on.cpu_s), f(ratios[i].cpu, 3), f(p.off.wall_s), f(p.on.wall_s), f(ratios[i].wall, 3)]))
  rows.push(['median', f(cpu.off_median_s), f(cpu.on_median_s), f(cpu.median_ratio, 3), f(wall.off_median_s), f(wall.on_median_s), f(wall.median_ratio, 3)])
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  for (const r of rows) console.log('  ' + r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '))
  console.log(`\n  CPU ratio (on/off, whole process tree): median ${f(cpu.median_ratio, 3)}, spread ${f(cpu.min_ratio, 3)}–${f(cpu.max_ratio, 3)} over ${runs.length} pairs; ratio of medians ${f(cpu.ratio_of_medians, 3)}`)
  console.log(`  wall ratio: median ${f(wall.median_ratio, 3)}, spread ${f(wall.min_ratio, 3)}–${f(wall.max_ratio, 3)}; ratio of medians ${f(wall.ratio_of_medians, 3)}`)

  for (const p of problems) console.log(`\n  ! ${p}`)
  if (differences.length === 0 && reportless === 0) {
    console.log(`\n  states: identical — each of the ${keys.size} tests had the same state in all ${offs.length} off and ${ons.length} on runs`)
  } else {
    console.log(`\n  states: ${differences.length} test(s) differ between off and on runs${reportless ? `; ${reportless} run(s) wrote no report` : ''}`)
    const show = (t) => Object.entries(t).map(([s, n]) => `${s}×${n}`).join(' ')
    // The first 40 here; every one is in the JSON.
    for (const d of differences.slice(0, 40)) console.log(`    ${d.test}: off ${show(d.off)}; on ${show(d.on)}${d.flaky_without_hardtimeout ? ' (also differs among the off runs: flaky without hardtimeout)' : ''}`)
  }

  if (differences.length > 40) console.log(`    … and ${differences.length - 40} more (all of them in the JSON file)`)

  const result = {
    name,
    dir,
    date: new Date().toISOString(),
    node: process.version,
    framework: info.framework,
    framework_version: info.version,
    hardtimeout: setup.hardtimeout,
    on: setup.how,
    ...(setup.base ? { jest_environment: setup.base } : {}),
    extra_args: opts.extra,
    pairs: runs.length,
    tests,
    cpu,
    wall,
    states_identical: differences.length === 0 && reportless === 0,
    differences,
    runs_without_report: reportless,
    problems,
    untimed: warm.map((r) => ({ mode: r.mode, cpu_s: r.cpu_s, wall_s: r.wall_s, exit: r.exit })),
    runs: runs.map((p, i) => ({
      pair: i + 1,
      first: i % 2 === 0 ? 'off' : 'on',
      off: { cpu_s: p.off.cpu_s, wall_s: p.off.wall_s, exit: p.off.exit, tests: p.off.tests },
      on: { cpu_s: p.on.cpu_s, wall_s: p.on.wall_s, exit: p.on.exit, tests: p.on.tests },
      cpu_ratio: ratios[i].cpu,
      wall_ratio: ratios[i].wall,
    })),
  }
  const outDir = join(repo, 'bench/results')
  mkdirSync(outDir, { recursive: true })
  const file = join(outDir, `suite-${name}.json`)
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n')
  console.log(`\nwrote ${file}`)
  return result.states_identical ? 0 : 1
}

try {
  process.exitCode = await main()
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  console.error(`bench:suite: ${error.message}`)
  process.exitCode = 2
}
