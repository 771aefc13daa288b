// A build of the addon with AddressSanitizer and UndefinedBehaviorSanitizer, in build/Release
// (node-gyp-build prefers it to the prebuilds unless PREBUILDS_ONLY=1), and the command that runs
// test files against it:
//   node native/scripts/sanitize.mjs                  # build
//   node native/scripts/sanitize.mjs run <files...>    # run node --test with the runtimes preloaded
//   node native/scripts/sanitize.mjs clean             # remove build/ again
// Node itself is not instrumented: the runtimes are preloaded (LD_PRELOAD), and leak checking is
// off (Node keeps much of its memory until exit on purpose).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

const here = resolve(dirname(new URL(import.meta.url).pathname), '..')
const [command = 'build', ...files] = process.argv.slice(2)
const flags = '-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1'

if (command === 'clean') {
  rmSync(join(here, 'build'), { recursive: true, force: true })
} else if (command === 'build') {
  const prefix = resolve(dirname(process.execPath), '..')
  const env = { ...process.env, CXXFLAGS: flags, LDFLAGS: flags }
  if (existsSync(join(prefix, 'include/node/node_api.h'))) env.npm_config_nodedir = prefix
  const require = createRequire(import.meta.url)
  const gyp = join(dirname(require.resolve('node-gyp/package.json')), 'bin/node-gyp.js')
  execFileSync(process.execPath, [gyp, 'rebuild'], { cwd: here, env, stdio: 'inherit' })
} else if (command === 'run') {
  const lib = (name) => execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim()
  const env = {
    ...process.env,
    LD_PRELOAD: `${lib('libasan.so')}:${lib('libubsan.so')}`,
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:print_summary=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  }
  delete env.PREBUILDS_ONLY
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { env, stdio: 'inherit' })
  process.exit(r.status ?? 1)
} else {
  throw new Error(`sanitize.mjs: unknown command ${command} (build, run, clean)`)
}
