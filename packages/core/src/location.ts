// Where a stuck stack points a user: its innermost frame in the user's own code.
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/** A position in a source file; `line` and `column` count from 1, as stack traces do. */
export interface SourceLocation {
  file: string
  line: number
  column?: number
}

// Our packages sit side by side: packages/<name>/dist in this repository, node_modules/@hardtimeout/
// <name>/dist once installed. This file is bundled into core's dist/, so two levels up is their parent.
const ourPackages = path.dirname(path.dirname(__dirname)) + path.sep

function isOurs(file: string): boolean {
  if (!file.startsWith(ourPackages)) return false
  const rest = file.slice(ourPackages.length).split(path.sep)
  return rest.length > 2 && rest[1] === 'dist'
}

/** `    at fn (file:1:2)`, `    at file:1:2`, `    at async fn (file:1:2)`: the file, line and column. */
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/

function parseFrame(line: string): SourceLocation | undefined {
  const m = FRAME.exec(line)
  if (!m) return undefined
  let file = m[1]!
  // An eval'd frame names the code that called eval, not a file of its own.
  if (file.includes('eval at ') || file.includes('<anonymous>')) return undefined
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file)
    } catch {
      return undefined
    }
  }
  return { file, line: Number(m[2]), column: Number(m[3]) }
}

/**
 * The innermost frame of `stack` in the user's code: not Node's own (`node:`), not a dependency
 * (`node_modules`), not hardtimeout's (the packages' `dist/`), not code without a file.
 */
export function userFrame(stack: unknown): SourceLocation | undefined {
  if (typeof stack !== 'string') return undefined
  for (const line of stack.split('\n')) {
    const loc = parseFrame(line)
    if (!loc) continue
    const { file } = loc
    if (file.startsWith('node:') || file.includes(`${path.sep}node_modules${path.sep}`) || isOurs(file)) continue
    return loc
  }
  return undefined
}

/** "file:line:column" (or "file:line"). */
export function formatLocation(loc: SourceLocation): string {
  return loc.column !== undefined ? `${loc.file}:${loc.line}:${loc.column}` : `${loc.file}:${loc.line}`
}
