// Bundles a package's entry points, each into one file of dist/ (tsc still checks the types and
// writes the .d.ts files). Why: a test runner loads our worker-side code once per test file (Vitest's
// forks pool starts a process per file), and on Node 20 each extra module file costs ~0.6–1.5 ms of
// CPU to resolve, read and compile there: core and the Vitest runner were 16 files and ~22 ms per
// test file, bundled ~8 (measured in Vitest 4 fork workers; README, Development).
//
// usage: node scripts/bundle.mjs <cjs|esm> <entry.ts>... (from the package's directory)
import { build } from 'esbuild'
import { rmSync } from 'node:fs'
import { basename } from 'node:path'

const [format, ...entries] = process.argv.slice(2)
if (!['cjs', 'esm'].includes(format) || entries.length === 0) {
  console.error('usage: node scripts/bundle.mjs <cjs|esm> <entry.ts>...')
  process.exit(2)
}

// dist/ is rebuilt from scratch: a file left from an earlier layout must not be shipped.
rmSync('dist', { recursive: true, force: true })

await build({
  entryPoints: entries,
  outdir: 'dist',
  entryNames: '[name]',
  bundle: true,
  format,
  platform: 'node',
  target: 'node20',
  // Our other packages and the frameworks stay separate modules: one copy of each per process.
  packages: 'external',
  sourcemap: format === 'cjs' ? 'linked' : false,
  sourcesContent: false,
  logLevel: 'warning',
  banner: { js: `// Bundled from ${entries.map((e) => basename(e)).join(', ')} and the modules they import (scripts/bundle.mjs).` },
})
