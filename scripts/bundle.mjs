// Bundles a package's entry points, each into one file of dist/ (tsc still checks the types and
// writes the .d.ts files). Why: a test runner loads our worker-side code once per test file (Vitest's
// forks pool starts a process per file), and on Node 20 each extra module file costs ~0.6–1.5 ms of
// CPU to resolve, read and compile there: core and the Vitest runner were 16 files and ~22 ms per
// test file, bundled ~8 (measured in Vitest 4 fork workers; README, Development).
//
// usage: node scripts/bundle.mjs <cjs|esm> <entry.ts>... [<cjs|esm> <entry.ts>...] (from the
// package's directory). A CommonJS file in a package of ES modules is named .cjs.
import { build } from 'esbuild'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, extname, join, resolve } from 'node:path'

const groups = []
for (const arg of process.argv.slice(2)) {
  if (arg === 'cjs' || arg === 'esm') groups.push({ format: arg, entries: [] })
  else if (groups.length > 0) groups.at(-1).entries.push(arg)
  else groups.push({ format: undefined, entries: [arg] })
}
if (groups.length === 0 || groups.some((g) => g.format === undefined || g.entries.length === 0)) {
  console.error('usage: node scripts/bundle.mjs <cjs|esm> <entry.ts>... [<cjs|esm> <entry.ts>...]')
  process.exit(2)
}
const esmPackage = JSON.parse(readFileSync('package.json', 'utf8')).type === 'module'

// dist/ is rebuilt from scratch: a file left from an earlier layout must not be shipped.
rmSync('dist', { recursive: true, force: true })

for (const { format, entries } of groups) {
  const ext = format === 'cjs' && esmPackage ? '.cjs' : '.js'
  await build({
    entryPoints: entries,
    outdir: 'dist',
    entryNames: '[name]',
    outExtension: { '.js': ext },
    bundle: true,
    format,
    platform: 'node',
    target: 'node20',
    // Our other packages and the frameworks stay separate modules: one copy of each per process.
    packages: 'external',
    plugins: [entriesStayModules(entries, ext)],
    // CommonJS has no import.meta; code shared with the ES-module bundles gets the file's path
    // (what createRequire() and fileURLToPath-free uses need).
    define: format === 'cjs' ? { 'import.meta.url': '__filename' } : {},
    // The map of a CommonJS bundle is written beside it but not linked from it: Jest installs
    // source-map-support afresh for every test file, and any stack formatted through our frames
    // (a test's own `toThrow` reads one) then read and parsed core's map again, every file
    // (~175 ms of jest-dom's 5.7 s in band). Stacks into our code are ours to read, with the map.
    sourcemap: format === 'cjs' ? 'external' : false,
    sourcesContent: false,
    logLevel: 'warning',
    banner: { js: `// Bundled from ${entries.map((e) => basename(e)).join(', ')} and the modules they import (scripts/bundle.mjs).` },
  })
  if (format === 'cjs') for (const entry of entries) plainExports(join('dist', `${basename(entry, extname(entry))}${ext}`))
}

/**
 * An entry that another entry imports stays a module of its own, required by the other one: two
 * entries that each bundled it would give a process two copies of its state (core's index.js picks
 * its public API out of internal.js this way).
 */
function entriesStayModules(entries, ext) {
  const byPath = new Map(entries.map((e) => [resolve(e).replace(/\.ts$/, ''), `./${basename(e, extname(e))}${ext}`]))
  return {
    name: 'entries-stay-modules',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind === 'entry-point') return undefined
        const out = byPath.get(resolve(dirname(args.importer), args.path).replace(/\.(ts|js)$/, ''))
        return out !== undefined ? { path: out, external: true } : undefined
      })
    },
  }
}

/**
 * esbuild gives a CommonJS bundle's exports as getters (`__export` + `__toCommonJS`): ~30
 * defineProperty calls when the module loads and two getter calls on every `core.x` access.
 * Measured on core's 14 exports: 0.77 M instructions more per load, and calls through them twice as
 * dear. Every test file's worker loads core once, so the bundle assigns a plain object instead,
 * at the end of the module (where esbuild puts its export-name annotation). Line numbers are kept,
 * so the source map still holds.
 */
function plainExports(file) {
  const text = readFileSync(file, 'utf8')
  const block = /^var (\w+) = \{\};\n__export\(\1, \{\n((?:  [\w$]+: \(\) => [\w$.]+,?\n)*)\}\);\nmodule\.exports = __toCommonJS\(\1\);\n/m.exec(text)
  const note = /^\/\/ Annotate the CommonJS export names for ESM import in node:\n0 && \(module\.exports = \{\n((?:  [\w$]+,?\n)*)\}\);\n/m.exec(text)
  if (!block || !note) throw new Error(`${file}: esbuild's CommonJS export block not found; update plainExports() in scripts/bundle.mjs`)
  const pairs = block[2].trimEnd().split('\n').map((line) => /^  ([\w$]+): \(\) => ([\w$.]+)/.exec(line))
  const names = note[1].trimEnd().split('\n').map((line) => line.trim().replace(/,$/, ''))
  if (pairs.length !== names.length || pairs.some((p, i) => p[1] !== names[i])) throw new Error(`${file}: export lists disagree`)
  const lines = (s) => s.split('\n').length - 1
  // Names re-exported from another entry (`import_internal.x`) are assigned one by one: Node finds
  // the named exports of a CommonJS module for `import { x }` only in `exports.x = …` or in an
  // object literal of plain identifiers.
  const reexports = pairs.some(([, , local]) => local.includes('.'))
  const assigned = reexports ? [
    '// The exports, assigned once the module has run (scripts/bundle.mjs, plainExports).',
    ...pairs.map(([, name, local]) => `exports.${name} = ${local};`),
    '',
    '',
    '',
  ].join('\n') : [
    '// The exports, assigned once the module has run (scripts/bundle.mjs, plainExports).',
    'module.exports = {',
    ...pairs.map(([, name, local], i) => `  ${name}: ${local}${i < pairs.length - 1 ? ',' : ''}`),
    '};',
    '',
  ].join('\n')
  const out = text
    .replace(block[0], '\n'.repeat(lines(block[0])))
    .replace(note[0], assigned)
  if (lines(out) !== lines(text)) throw new Error(`${file}: line count changed`)
  writeFileSync(file, out)
}
