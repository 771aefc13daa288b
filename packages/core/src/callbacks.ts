// Callbacks a guarded call schedules (timers, immediates, process.nextTick, event listeners, and
// through listeners the I/O callbacks of streams, sockets and child processes) run inside a guard
// frame of their own, armed with the time their owner has left.
//
// Why: a termination can only be caught where a guard frame is on the stack (or at the end of a
// microtask checkpoint). A timer or I/O callback runs straight from Node's event loop; a
// termination that escapes into Node's callback scope exits the process with code 0 or aborts it,
// so without a frame the watchdog must treat such a loop as native code and kill the thread.
//
// Which guarded call owns what is scheduled now: the one whose synchronous part (or guarded
// callback) is running; else, in a promise continuation, the one async call pending on this
// thread. With several pending (concurrent tests) a continuation's callbacks have no owner and are
// passed through: no callback is ever charged to a call it may not belong to. A callback
// scheduled outside every guarded call (the test runner's own timers) is passed through
// untouched; one that runs after its owner settled runs unguarded, so it is never charged to a
// test that ended. (An AsyncLocalStorage would follow every continuation, but costs each guarded
// call about a microsecond, and on Node 20/22 it enables promise hooks, doubling what every
// promise of the process costs.)
import { EventEmitter } from 'node:events'
import { syncBuiltinESMExports } from 'node:module'
import { now } from './clock'
import type { NativeBinding, StopInfo } from './native'

export interface OwnerPlan {
  timeout: number
  label: string | undefined
  stuckAfter: number
  report: string | undefined
  killProcess: boolean
  exec: string | undefined
  defaults: boolean
}

// One state per thread, whichever copy of core (or realm) loaded it: the owner is set by one
// copy's guard and read by another copy's timer wrapper.
interface OwnerState {
  /** The call whose synchronous part or guarded callback is running. */
  current: Owner | undefined
  /** Async calls waiting for their verdict, in the order they started. */
  readonly pending: Set<Owner>
}
const STATE = Symbol.for('hardtimeout.callbackOwners')
const holder = globalThis as unknown as Record<symbol, OwnerState | undefined>
export const ownerState: OwnerState = (holder[STATE] ??= { current: undefined, pending: new Set() })

function ownerNow(): Owner | undefined {
  const s = ownerState
  if (s.current !== undefined) return s.current
  if (s.pending.size !== 1) return undefined
  for (const o of s.pending) return o
  return undefined
}

const LATE_GRACE_MS = 50

/**
 * One guarded call whose callbacks are guarded too. A class (not an object of closures): one is
 * made per guarded call, and most calls schedule nothing.
 */
export class Owner {
  readonly deadline: number
  /** The owner settled: its callbacks run unguarded from now on. */
  done = false
  /** The error of a callback stopped at the deadline: the owner's own failure. */
  error: Error | undefined = undefined
  /** Called with NOOP once `error` is set (the owner's async part, once it waits for a verdict). */
  onError: ((settle: (info: StopInfo | undefined) => void) => void) | undefined = undefined

  constructor(
    readonly n: NativeBinding,
    readonly plan: OwnerPlan,
    readonly start: number,
    /** Builds the owner's error from a stopped callback's StopInfo. */
    readonly errorFor: (info: StopInfo, plan: OwnerPlan) => Error,
  ) {
    this.deadline = start + plan.timeout
  }

  /** Runs `cb` in a guard frame with the owner's remaining time. */
  run(cb: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
    // Stopped at its deadline: what it left scheduled is dropped, as a killed thread's would be
    // (an interval or a stream's listener that looped would loop again, unguarded).
    if (this.error !== undefined) return undefined
    if (this.done) return Reflect.apply(cb, thisArg, args)
    const { n, plan } = this
    // A callback that runs at or past its owner's deadline was usually held back by another
    // guard's loop on this thread (the owner's timer was due long ago): it gets its chance, and
    // a loop in it is still stopped, a little later.
    const left = Math.max(LATE_GRACE_MS, this.deadline - now())
    const call = (): unknown => Reflect.apply(cb, thisArg, args)
    const state = ownerState
    const outer = state.current
    state.current = this
    let result: unknown
    try {
      result = plan.defaults
        ? n.run(call, undefined, left, plan.label)
        : n.run(call, undefined, left, plan.label, plan.stuckAfter, plan.report, plan.killProcess, plan.exec)
    } finally {
      state.current = outer
    }
    if (result === n.STOPPED) {
      const info = n.takeStop()!
      // The limit and the time are the owner's, not this frame's share of them.
      info.timeoutMs = plan.timeout
      info.elapsedMs = now() - this.start
      if (this.error === undefined) {
        this.error = this.errorFor(info, plan)
        this.onError?.(NOOP)
      }
      return undefined
    }
    // An async callback: its async part is its owner's (a loop after one of its awaits is
    // stopped by the owner's own arm, in the microtask checkpoint).
    const token = n.asyncToken()
    if (token !== 0) n.settle(token, true)
    return result
  }
}

const NOOP = (): void => {}

const clearRepeat = (require('node:timers') as typeof import('node:timers')).clearInterval

/** `cb`, bound to run guarded by the current owner; `cb` itself when there is none. */
function bound<F>(cb: F, repeat = false): F {
  if (typeof cb !== 'function') return cb
  const owner = ownerNow()
  if (owner === undefined || owner.done) return cb
  const guarded = repeat
    ? function (this: unknown, ...args: unknown[]): unknown {
      if (owner.error !== undefined) return clearRepeat(this as Parameters<typeof clearRepeat>[0])
      return owner.run(cb, this, args)
    }
    : function (this: unknown, ...args: unknown[]): unknown {
      return owner.run(cb, this, args)
    }
  return guarded as F
}

const ORIGINAL = Symbol('hardtimeout.original')
type Wrapped = Function & { [ORIGINAL]?: Function }

/** A scheduling function whose first argument is the callback: same name, length, properties. */
function wrapScheduler(original: Function, repeat = false): Function {
  const wrapper = function (this: unknown): unknown {
    // eslint-disable-next-line prefer-rest-params
    const args = arguments
    if (typeof args[0] === 'function' && ownerNow() !== undefined) args[0] = bound(args[0], repeat)
    return Reflect.apply(original, this, args)
  }
  copyShape(wrapper, original)
  ;(wrapper as Wrapped)[ORIGINAL] = original
  return wrapper
}

function copyShape(wrapper: Function, original: Function): void {
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'prototype' || key === 'arguments' || key === 'caller') continue
    const d = Object.getOwnPropertyDescriptor(original, key)
    if (d) Object.defineProperty(wrapper, key, d)
  }
}

const SCHEDULERS = ['setTimeout', 'setInterval', 'setImmediate'] as const

function patchSchedulers(target: Record<string, unknown>): void {
  for (const name of SCHEDULERS) {
    const f = target[name] as Wrapped | undefined
    if (typeof f !== 'function' || f[ORIGINAL] !== undefined) continue
    const d = Object.getOwnPropertyDescriptor(target, name)
    if (d && !d.writable && !d.set && !d.configurable) continue
    const wrapper = wrapScheduler(f, name === 'setInterval')
    if (d && 'value' in d) Object.defineProperty(target, name, { ...d, value: wrapper })
    else target[name] = wrapper
    if (target === globalThis) {
      found[name] = f
      ours[name] = wrapper
    }
  }
}

// A listener registered under an owner is replaced by a guarded function that names it as
// `.listener` (Node's own convention for once() wrappers), so removeListener(type, listener),
// listeners() and 'removeListener' events see the listener the user passed.
const INNER = Symbol('hardtimeout.listener')
type GuardedListener = Function & { listener?: Function; [INNER]?: Function }

function guardListener(listener: unknown): unknown {
  if (typeof listener !== 'function' || ownerNow() === undefined) return listener
  const g = bound(listener) as GuardedListener
  if (g === listener) return listener
  g.listener = listener
  g[INNER] = listener
  return g
}

function patchEmitters(): void {
  const proto = EventEmitter.prototype as unknown as Record<string, Wrapped>
  if (proto.on![ORIGINAL] !== undefined) return
  for (const name of ['on', 'addListener', 'prependListener']) {
    const original = proto[name]!
    const wrapper = function (this: unknown, type: unknown, listener: unknown): unknown {
      return Reflect.apply(original, this, [type, guardListener(listener)])
    }
    copyShape(wrapper, original)
    ;(wrapper as Wrapped)[ORIGINAL] = original
    proto[name] = wrapper
  }
  // once(type, fn) registers Node's once-wrapper (whose .listener is fn) through on(): the guarded
  // function's .listener is then that wrapper, so the once-wrapper still finds itself to remove
  // it. removeListener(type, fn) then misses; it is looked up here.
  const remove = proto.removeListener!
  const removeWrapper = function (this: EventEmitter, type: string | symbol, listener: unknown): unknown {
    const before = this.listenerCount(type)
    const result = Reflect.apply(remove, this, [type, listener])
    if (typeof listener === 'function' && this.listenerCount(type) === before) {
      const raw = this.rawListeners(type) as GuardedListener[]
      for (let i = raw.length - 1; i >= 0; i--) {
        const inner = raw[i]![INNER] as GuardedListener | undefined
        if (inner !== undefined && inner !== listener && inner.listener === listener) {
          return Reflect.apply(remove, this, [type, raw[i]])
        }
      }
    }
    return result
  }
  copyShape(removeWrapper, remove)
  ;(removeWrapper as Wrapped)[ORIGINAL] = remove
  const off = proto.off
  proto.removeListener = removeWrapper
  if (off === remove) proto.off = removeWrapper
}

// The main realm's functions as we found them, and what we put there (reassertCallbackGuards()).
const found: Record<string, Function | undefined> = {}
const ours: Record<string, Function | undefined> = {}

function patchNextTick(proc: { nextTick?: unknown }): void {
  const f = proc.nextTick as Wrapped | undefined
  if (typeof f !== 'function' || f[ORIGINAL] !== undefined) return
  const wrapper = wrapScheduler(f)
  proc.nextTick = wrapper
  if (proc === process) {
    found.nextTick = f
    ours.nextTick = wrapper
  }
}

/**
 * Puts our functions back where the code that swapped them out restored the originals instead
 * (Vitest runs its RPC calls with its saved timers in place and puts process.nextTick back a
 * tick later, with the function it saw before). Fake timers are left alone: only an original
 * we wrapped is replaced.
 */
export function reassertCallbackGuards(): void {
  // Named reads: this runs at every guarded call.
  if (process.nextTick === found.nextTick) process.nextTick = ours.nextTick as typeof process.nextTick
  const g = globalThis as unknown as Record<string, unknown>
  if (g.setTimeout === found.setTimeout) g.setTimeout = ours.setTimeout
  if (g.setImmediate === found.setImmediate) g.setImmediate = ours.setImmediate
  if (g.setInterval === found.setInterval) g.setInterval = ours.setInterval
}

// Modules whose asynchronous functions take their callback last. Node calls it from the event
// loop (an fs request completing, a DNS answer, a thread-pool job), outside any JavaScript frame.
const CALLBACK_MODULES = ['node:fs', 'node:dns', 'node:crypto', 'node:zlib'] as const

function wrapLastCallback(original: Function): Function {
  const wrapper = function (this: unknown): unknown {
    // eslint-disable-next-line prefer-rest-params
    const args = arguments
    const last = args.length - 1
    if (last >= 0 && typeof args[last] === 'function' && ownerNow() !== undefined) {
      args[last] = bound(args[last])
    }
    return Reflect.apply(original, this, args)
  }
  copyShape(wrapper, original)
  ;(wrapper as Wrapped)[ORIGINAL] = original
  return wrapper
}

function patchCallbackModule(mod: Record<string, unknown>): void {
  for (const name of Object.keys(mod)) {
    // Not the synchronous twins, classes (capitalised), factories of streams and watchers (their
    // listeners are guarded as listeners), nor fs.promises.
    if (name.endsWith('Sync') || !/^[a-z]/.test(name) || /^(create|watch|unwatch)/.test(name)) continue
    const d = Object.getOwnPropertyDescriptor(mod, name)
    if (!d || !('value' in d) || typeof d.value !== 'function' || !d.writable) continue
    if ((d.value as Wrapped)[ORIGINAL] !== undefined) continue
    Object.defineProperty(mod, name, { ...d, value: wrapLastCallback(d.value as Function) })
  }
}

const patched = new WeakSet<object>()
let processWide = false

/**
 * Guards the callbacks that guarded calls schedule: this realm's (or the given global object's)
 * setTimeout, setInterval, setImmediate and process.nextTick, node:timers, EventEmitter
 * registration and the callbacks of node:fs, node:dns, node:crypto and node:zlib (modules and
 * prototypes shared by every realm of the thread). Idempotent; costs a callback scheduled
 * outside any guarded call two property reads.
 *
 * For a vm context (Jest's environment, Vitest's vm pools) pass its global object before test
 * code runs: fake timers installed afterwards replace these functions and restore them.
 */
export function guardCallbacks(global: object = globalThis): void {
  if (!processWide) {
    processWide = true
    patchSchedulers(globalThis as unknown as Record<string, unknown>)
    // The module object itself (an ES namespace or a bundler's copy of it would not do).
    patchSchedulers(require('node:timers') as Record<string, unknown>)
    patchNextTick(process)
    patchEmitters()
    for (const id of CALLBACK_MODULES) patchCallbackModule(require(id) as Record<string, unknown>)
    // ES-module imports of node:timers see the wrapped functions too.
    syncBuiltinESMExports()
    patched.add(globalThis)
  }
  if (patched.has(global)) return
  patched.add(global)
  patchSchedulers(global as Record<string, unknown>)
  const proc = (global as { process?: { nextTick?: unknown } }).process
  if (proc && typeof proc === 'object') patchNextTick(proc)
}
