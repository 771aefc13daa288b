// Builds the addon with prebuildify into prebuilds/linux-x64/ (Node-API build, stripped), against
// the headers of the running Node, so that no header download is needed.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

const here = resolve(dirname(new URL(import.meta.url).pathname), '..')
const prefix = resolve(dirname(process.execPath), '..')
const env = { ...process.env }
if (existsSync(join(prefix, 'include/node/node_api.h'))) env.npm_config_nodedir = prefix

const require = createRequire(import.meta.url)
const bin = join(dirname(require.resolve('prebuildify/package.json')), 'bin.js')
execFileSync(process.execPath, [bin, '--napi', '--strip', '--target', process.versions.node], {
  cwd: here,
  env,
  stdio: 'inherit',
})
