// What this process runs on, and what the warning says when the addon is not there: a user on a
// platform without a prebuilt addon must learn, once, which guarantees are gone.
import * as fs from 'node:fs'
import * as path from 'node:path'

/** 'musl' or 'glibc' on Linux (from the C library mapped into this process), else undefined. */
function linuxLibc(): 'musl' | 'glibc' | undefined {
  try {
    const maps = fs.readFileSync('/proc/self/maps', 'utf8')
    if (/ld-musl|libc\.musl/.test(maps)) return 'musl'
    if (/libc\.so\.6|libc-2\./.test(maps)) return 'glibc'
  } catch {
    // no /proc: say nothing about the C library
  }
  return undefined
}

/** "linux-x64 (glibc)", "linux-arm64 (musl)", "darwin-arm64", "win32-x64". */
export function platformName(): string {
  const name = `${process.platform}-${process.arch}`
  const libc = process.platform === 'linux' ? linuxLibc() : undefined
  return libc ? `${name} (${libc})` : name
}

/** The platforms @hardtimeout/native ships a prebuilt addon for (its prebuilds/ folders). */
function prebuiltPlatforms(): string[] {
  try {
    const dir = path.join(path.dirname(require.resolve('@hardtimeout/native/package.json')), 'prebuilds')
    return fs.readdirSync(dir).filter((d) => /^[a-z0-9]+-[a-z0-9]+$/.test(d)).sort()
  } catch {
    return []
  }
}

/** The one warning core gives when it runs without the addon: why, where, and what is lost. */
export function fallbackWarning(reason: string): string {
  const prebuilt = prebuiltPlatforms()
  return (
    `@hardtimeout/core runs without its native addon on ${platformName()}: ${reason}. ` +
    "Falling back to Node's vm timeout: a synchronous JavaScript hang (a loop, a regex) is still " +
    'stopped at its limit, but without the line it was stuck on. Lost: hangs after an await and ' +
    'hangs in native code (readSync, execSync) are not stopped; nothing is diagnosed or unblocked; ' +
    'onStuck plans and stuck reports never happen (a test runner cannot name or kill a stuck worker); ' +
    'the thread functions (currentThread, interruptThread, unblockThread, diagnoseThread, killThread, ' +
    'onThreadStuck) throw.' +
    (prebuilt.length > 0 ? ` The addon is prebuilt for ${prebuilt.join(', ')} (glibc); elsewhere it needs a C++ compiler at install.` : '')
  )
}
