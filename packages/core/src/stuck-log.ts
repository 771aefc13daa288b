// A thread's stuck log: text kept in memory that the native watchdog appends to a file only if a
// guarded call of this thread is reported stuck, just before it writes the stuck report.
//
// Why: a supervisor that kills a stuck worker wants to know what the worker was doing (which test,
// which results it had not sent yet). Written to a file as it happens, that is a system call per
// test for text read only after a kill. Here a line costs a copy into an ArrayBuffer the watchdog
// can read.
//
// The watchdog may copy while this thread appends (a call reported stuck just as it returned): the
// length is published with Atomics.store after the text, and the watchdog copies only what it
// covers; text below it is never written again (a cleared or grown log is a new buffer).
import { formatValue } from './options'
import { requireNative, type NativeBinding } from './native'

const HEADER = 8 // int32 length of the text, then padding
const INITIAL = 16 * 1024
const MAX = 2 ** 30

let current: StuckLog | undefined

export class StuckLog {
  private readonly native: NativeBinding
  private text!: Buffer
  private length!: Int32Array
  private used = 0

  /** @internal use stuckLog() */
  constructor(readonly path: string) {
    this.native = requireNative('stuckLog()')
    current = this
    this.swap(INITIAL, false)
  }

  /** Adds text (whole lines, usually). Copied into memory; nothing is written unless stuck. */
  append(text: string): void {
    if (typeof text !== 'string') throw new TypeError(`stuckLog: append(text) needs a string, got ${formatValue(text)}`)
    // (UTF-8 takes at most 3 bytes per UTF-16 unit)
    if (this.used + text.length * 3 > this.text.length) this.swap(this.used + text.length * 3, true)
    this.used += this.text.write(text, this.used)
    Atomics.store(this.length, 0, this.used)
  }

  /** Forgets the text not yet written (what was written stays in the file). */
  clear(): void {
    // Nothing appended since the last start: nothing to forget (the Vitest journal clears at every
    // file's collection, its first use included; a new buffer each time would be made for nothing).
    if (this.used === 0) return
    this.used = 0
    this.swap(INITIAL, false)
  }

  /** Stops keeping a log for this thread. */
  close(): void {
    if (current !== this) return
    current = undefined
    this.native.setStuckLog(null, '', false)
  }

  private swap(bytes: number, grown: boolean): void {
    if (bytes > MAX) {
      throw new RangeError(`stuckLog: ${this.path} would exceed ${MAX} bytes in memory; clear() it (a new file, test or task) from time to time`)
    }
    const buffer = new ArrayBuffer(HEADER + Math.max(INITIAL, bytes, grown ? 2 * this.text.length : 0))
    const text = Buffer.from(buffer, HEADER)
    if (grown) this.text.copy(text, 0, 0, this.used)
    this.length = new Int32Array(buffer, 0, 1)
    Atomics.store(this.length, 0, this.used)
    this.text = text
    // (a log replaced by a newer one, or closed, keeps working but is no longer watched)
    if (current === this) this.native.setStuckLog(buffer, this.path, grown)
  }
}

/**
 * Starts this thread's stuck log, kept in memory and appended to `path` by the native watchdog
 * when a guarded call of this thread is reported stuck (before the report: whoever the report
 * wakes finds the log complete). One per thread: a new one replaces the previous one.
 */
export function stuckLog(path: string): StuckLog {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`stuckLog: path must be a file path, got ${formatValue(path)}`)
  }
  return new StuckLog(path)
}
