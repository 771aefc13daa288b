// Every project of a run guarded by the plugin in the root config alone.
//
// Vitest calls a plugin's configureVitest only for the projects whose own Vite config holds that
// plugin. A project of `test.projects` gets the root config's plugins only when it extends the
// root config: inline projects on Vitest 5 (unless `extends: false`), `extends: true` on Vitest
// 3/4. Project config files (a path, a directory or a glob) never do. Two things reach the rest:
// - the root plugin adds a carrier (a plugin with the same hooks, and the root's options) to the
//   inline projects that would not inherit it;
// - whichever project's configureVitest runs first guards every project of the run: by then
//   Vitest has resolved them all (`vitest.projects`), and it reads each project's `test.runner`
//   only when it serializes the config for a worker, at run time.
// Projects that nothing reaches (project config files only, none of them loading the plugin) are
// named in an error at startup: the run must not go on unguarded.
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import type { ResolvedOptions } from './options.js'

/** Set on every plugin object the package makes: the options it carries. */
export const OPTIONS = Symbol.for('hardtimeout.vitest.options')
/** Set on the carriers the root plugin adds to inline projects. */
export const CARRIER = Symbol.for('hardtimeout.vitest.carrier')

export interface OurPlugin {
  name: string
  [OPTIONS]: ResolvedOptions
  [CARRIER]?: boolean
}

export interface ProjectLike {
  name?: string
  config: { runner?: string; root: string; name?: string; pool?: unknown }
  vite?: { config?: { plugins?: readonly unknown[]; configFile?: string } }
}

export const isOurs = (p: unknown): p is OurPlugin =>
  typeof p === 'object' && p !== null && OPTIONS in p

/** The Vitest major version running, from its package.json next to this package. */
function vitestMajor(): number | undefined {
  try {
    const file = createRequire(import.meta.url).resolve('vitest/package.json')
    const version = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version
    const major = Number(version?.split('.')[0])
    return Number.isInteger(major) ? major : undefined
  } catch {
    return undefined
  }
}

/** Whether an inline project with this `extends` gets the root config's plugins by itself. */
function inheritsRootPlugins(extendsValue: unknown, major: number | undefined): boolean {
  if (extendsValue === true) return true
  // Vitest 5: an inline project extends the config that declares it unless told otherwise. Adding
  // a plugin there would also cost it the root's shared Vite server.
  if (extendsValue === undefined) return major !== undefined && major >= 5
  return false
}

type Definition = unknown

function withCarrier(entry: Definition, carrier: object, major: number | undefined): Definition {
  if (typeof entry === 'string' || entry === null) return entry
  if (typeof entry === 'function') {
    const fn = entry as (...args: unknown[]) => unknown
    return function (this: unknown, ...args: unknown[]) {
      const out = fn.apply(this, args)
      return out instanceof Promise ? out.then((c) => withCarrier(c, carrier, major)) : withCarrier(out, carrier, major)
    }
  }
  if (entry instanceof Promise) return entry.then((c: unknown) => withCarrier(c, carrier, major))
  if (typeof entry !== 'object') return entry
  const project = entry as { extends?: unknown; plugins?: unknown[] }
  if (inheritsRootPlugins(project.extends, major)) return entry
  const plugins = Array.isArray(project.plugins) ? project.plugins : project.plugins === undefined ? [] : [project.plugins]
  // The project's own hardTimeout(), if it has one, already reaches it (and sets its options).
  if (plugins.flat(Infinity as 1).some(isOurs)) return entry
  return { ...project, plugins: [...plugins, carrier] }
}

/**
 * Adds the carrier to the inline entries of a `test.projects` list that would not get the root
 * plugin. Returns whether some entry is now sure to reach the plugin (one that is not a path).
 */
export function addCarriers(test: { projects?: unknown; workspace?: unknown } | undefined, carrier: object): boolean {
  const major = vitestMajor()
  // Vitest 3 also reads projects from `test.workspace` (an array, or a workspace file's path) and
  // from a vitest.workspace file: Vitest imports those itself, the carrier cannot be added there.
  const key = Array.isArray(test?.projects) ? 'projects' : Array.isArray(test?.workspace) ? 'workspace' : undefined
  if (key === undefined) return !(major !== undefined && major < 4)
  const list = test![key] as unknown[]
  test![key] = list.map((entry) => withCarrier(entry, carrier, major))
  return list.some((entry) => typeof entry !== 'string')
}

/** Vitest 3's workspace file next to the root config, if there is one. */
function workspaceFile(test: { workspace?: unknown; root?: string }, configFile: string | undefined): string | undefined {
  if (typeof test.workspace === 'string') return test.workspace
  const dir = configFile ? path.dirname(configFile) : test.root
  if (!dir) return undefined
  for (const name of ['vitest.workspace', 'vitest.projects']) {
    for (const ext of ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json']) {
      if (fs.existsSync(path.join(dir, name + ext))) return path.join(dir, name + ext)
    }
  }
  return undefined
}

/** The options for a project: its own hardTimeout()'s, else the root config's. */
export function projectOptions(project: ProjectLike, root: ResolvedOptions): ResolvedOptions {
  const plugins = (project.vite?.config?.plugins ?? []).filter(isOurs)
  const own = plugins.filter((p) => !p[CARRIER] && p[OPTIONS] !== root)
  return (own.at(-1) ?? plugins.find((p) => !p[CARRIER]))?.[OPTIONS] ?? root
}

/** The run-wide options in a project's options: the supervisor acts on them for every worker. */
export function checkRunWide(project: ProjectLike, options: ResolvedOptions, root: ResolvedOptions): void {
  for (const key of ['onNativeHang', 'report'] as const) {
    if (options[key] !== root[key]) {
      const error = new TypeError(
        `[hardtimeout] project "${project.name ?? project.config.name ?? ''}": hardTimeout({ ${key} }) applies to the whole run; ` +
          `set it in the root config's hardTimeout() (the project has ${JSON.stringify(options[key])}, the root ${JSON.stringify(root[key])})`,
      )
      error.stack = `TypeError: ${error.message}`
      throw error
    }
  }
}

interface ResolvedEntry {
  viteConfig?: { plugins?: readonly unknown[]; configFile?: string }
  projectConfig?: { name?: string }
}

/**
 * Called from the root plugin's configureServer, when every project of the run would have had its
 * configureVitest call (Vitest 3/4), or has its Vite config resolved (Vitest 5). Throws when no
 * project loads the plugin: nothing would guard their tests.
 */
export function checkReached(
  test: { projects?: unknown; workspace?: unknown; resolvedProjects?: unknown; root?: string } | undefined,
  reached: boolean,
  configFile?: string,
): void {
  if (reached || test === undefined) return
  const list = Array.isArray(test.projects) ? test.projects : Array.isArray(test.workspace) ? test.workspace : undefined
  let names: string[]
  let fix = 'Add plugins: [hardTimeout()] to the config file of each of these projects.'
  if (list === undefined || list.length === 0) {
    const file = list === undefined ? workspaceFile(test, configFile) : undefined
    if (file === undefined) return
    const base = configFile ? path.dirname(configFile) : test.root
    const where = base && file.startsWith(base + '/') ? file.slice(base.length + 1) : file
    names = [`the projects of ${where}`]
    fix = `In ${where}, add extends: true to its inline projects (or plugins: [hardTimeout()]), and plugins: [hardTimeout()] to the config files it lists.`
  } else if (Array.isArray(test.resolvedProjects)) {
    const resolved = test.resolvedProjects
    // Vitest 5 resolves every project's config before any configureVitest call.
    const entries = resolved as ResolvedEntry[]
    if (entries.some((e) => (e.viteConfig?.plugins ?? []).some(isOurs))) return
    names = entries.map((e) => {
      const file = e.viteConfig?.configFile
      const where = file && test.root && file.startsWith(test.root + '/') ? file.slice(test.root.length + 1) : file
      return `"${e.projectConfig?.name ?? ''}"${where ? ` (${where})` : ''}`
    })
  } else {
    names = list.map((p) => (typeof p === 'string' ? JSON.stringify(p) : 'an inline project'))
  }
  const error = new Error(
    `[hardtimeout] hardTimeout() is in the root config's plugins, but none of its test.projects loads it, so no test would be guarded: ${names.join(', ')}. ` +
      fix,
  )
  // A configuration mistake: the message says it all, our stack frames would only hide it.
  error.stack = `Error: ${error.message}`
  throw error
}
