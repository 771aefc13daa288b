// Loads one of the package's TypeScript modules for a unit test: bundled in memory by esbuild
// (what the build uses), so that its own imports resolve as in dist.
import { build } from 'esbuild'
import * as path from 'node:path'
import { PKG } from './helpers.mjs'

export async function importSource(file) {
  const out = await build({ entryPoints: [path.join(PKG, 'src', file)], bundle: true, write: false, format: 'esm', platform: 'node', packages: 'external', logLevel: 'silent' })
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`)
}
