// Prints the path of a Node binary of the given major (20, 22, 24, 26) and architecture (x64, the
// default, or arm64), fetching the official build from the npm registry (package
// node-linux-<arch>@<major>) into .cache/nodes/ on first use. The machine's own node is used when
// it already has that major and architecture. `nodeDir` is the unpacked package (bin/, include/node).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'

const cache = resolve(new URL('..', import.meta.url).pathname, '.cache/nodes')

export function nodeDir(major, arch = 'x64') {
  const root = join(cache, arch === 'x64' ? String(major) : `${major}-${arch}`)
  const dir = join(root, 'package')
  if (existsSync(join(dir, 'bin/node'))) return dir
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const pkg = `node-linux-${arch}@${major}`
  execFileSync(npm, ['pack', pkg, '--silent', '--loglevel=error'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  const tgz = readdirSync(root).find((f) => f.endsWith('.tgz'))
  if (!tgz) throw new Error(`npm pack ${pkg} produced no tarball`)
  execFileSync('tar', ['xzf', tgz], { cwd: root })
  rmSync(join(root, tgz))
  if (!existsSync(join(dir, 'bin/node'))) throw new Error(`no node binary in ${pkg}`)
  return dir
}

export function nodeBin(major, arch = 'x64') {
  if (process.versions.node.split('.')[0] === String(major) && process.arch === arch) return process.execPath
  return join(nodeDir(major, arch), 'bin/node')
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(nodeBin(process.argv[2] ?? '22', process.argv[3] ?? 'x64'))
