// `node scripts/pack.mjs <dir>`: packs the four packages into <dir> (created if needed) as npm
// tarballs, and prints the npm command that installs them into another project. Until the
// packages are on the registry this is how a project outside this repository gets them. Run
// `npx -y pnpm@10 build` first: the tarballs hold the built dist/ and the prebuilt addons.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(new URL('..', import.meta.url).pathname)
export const PACKAGES = {
  '@hardtimeout/native': 'native',
  '@hardtimeout/core': 'packages/core',
  '@hardtimeout/vitest': 'packages/vitest-plugin',
  '@hardtimeout/jest-env': 'packages/jest-env',
}

/** Packs every package into dir; returns { name: absolute tarball path }. env: pnpm's environment. */
export function pack(dir, { env = process.env } = {}) {
  const out = resolve(dir)
  const missing = [
    ...['packages/core', 'packages/vitest-plugin', 'packages/jest-env'].filter((p) => !existsSync(join(root, p, 'dist'))),
    ...(existsSync(join(root, 'native/prebuilds')) && readdirSync(join(root, 'native/prebuilds')).length > 0 ? [] : ['native/prebuilds']),
  ]
  if (missing.length > 0) throw new Error(`scripts/pack.mjs: ${missing.join(', ')} not built: run \`npx -y pnpm@10 build\` first`)
  mkdirSync(out, { recursive: true })
  const tarballs = {}
  for (const [name, pkg] of Object.entries(PACKAGES)) {
    const printed = execFileSync('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', out], { cwd: join(root, pkg), env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    const file = printed.trim().split('\n').pop().trim()
    if (!file.endsWith('.tgz') || !existsSync(file)) throw new Error(`scripts/pack.mjs: pnpm pack in ${pkg} printed no tarball:\n${printed}`)
    tarballs[name] = file
  }
  return tarballs
}

/**
 * The npm commands (argument lists) that install one plugin from the tarballs. The addon goes in
 * as an optional dependency, as core lists it: npm refuses a non-optional package whose "os" does
 * not match (EBADPLATFORM on macOS and Windows) and skips an optional one, and core then runs in
 * its fallback. Core's own "@hardtimeout/native" edge is met by that copy, not the registry.
 */
export function installSteps(tarballs, plugin) {
  return [
    ['install', '-O', tarballs['@hardtimeout/native']],
    ['install', '-D', tarballs[plugin], tarballs['@hardtimeout/core']],
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2]
  if (!dir || process.argv.length > 3) {
    console.error('usage: node scripts/pack.mjs <dir>   (packs @hardtimeout/native, core, vitest and jest-env into <dir>)')
    process.exit(2)
  }
  try {
    const tarballs = pack(dir)
    const prebuilds = readdirSync(join(root, 'native/prebuilds')).join(', ')
    console.log(`packed into ${resolve(dir)} (prebuilt addon: ${prebuilds}):`)
    for (const file of Object.values(tarballs)) console.log(`  ${file}`)
    console.log('\nin your project:')
    for (const [plugin, framework] of [['@hardtimeout/vitest', 'Vitest'], ['@hardtimeout/jest-env', 'Jest']]) {
      console.log(`  ${installSteps(tarballs, plugin).map((args) => `npm ${args.join(' ')}`).join(' && ')}     # ${framework}`)
    }
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
}
