// A loop after an await runs inside a microtask. Stopping it there is safe only if Node's
// async-id stack is rebalanced afterwards: the stopped microtask ran its async hook "before" but
// never its "after", and Node aborts the process at the next callback boundary when it notices.
// - Node 20/22: promise hooks are common (AsyncLocalStorage uses them); we rebalance the stack
//   with the async_wrap binding right after the stop.
// - Node 24+: AsyncLocalStorage no longer uses hooks and the binding is gone, so we stop
//   microtasks only while no AsyncHook is enabled; otherwise the hang is reported stuck instead.
import { createHook, executionAsyncId } from 'node:async_hooks'
import type { NativeBinding } from './native'

interface AsyncWrapBinding {
  clearAsyncIdStack(): void
}

function asyncWrapBinding(): AsyncWrapBinding | undefined {
  // process.binding('async_wrap') exists up to Node 22; its deprecation warning is not the
  // user's business, so it is muted while we take it.
  const legacy = (process as unknown as { binding?: (name: string) => unknown }).binding
  if (typeof legacy !== 'function') return undefined
  const emitWarning = process.emitWarning
  process.emitWarning = () => {}
  try {
    const b = legacy.call(process, 'async_wrap') as Partial<AsyncWrapBinding>
    return typeof b.clearAsyncIdStack === 'function' ? (b as AsyncWrapBinding) : undefined
  } catch {
    return undefined
  } finally {
    process.emitWarning = emitWarning
  }
}

export function configureMicrotaskStops(n: NativeBinding, onIdleFire: (token: number) => void): void {
  const binding = asyncWrapBinding()
  if (binding) {
    n.configure(true, () => {
      // At the end of a microtask checkpoint nothing may be left on the stack.
      if (executionAsyncId() !== 0) binding.clearAsyncIdStack()
    }, onIdleFire)
    return
  }
  let enabled = 0
  const update = (): void => n.configure(enabled === 0, undefined, onIdleFire)
  // Every AsyncHook shares this prototype, whoever created it and however it was imported.
  const proto = Object.getPrototypeOf(createHook({})) as {
    enable(this: object): unknown
    disable(this: object): unknown
  }
  const on = new WeakSet<object>()
  const { enable, disable } = proto
  proto.enable = function (this: object) {
    if (!on.has(this)) {
      on.add(this)
      enabled++
      update()
    }
    return enable.call(this)
  }
  proto.disable = function (this: object) {
    if (on.delete(this)) {
      enabled--
      update()
    }
    return disable.call(this)
  }
  // Hooks enabled before we were loaded: a promise reaction then runs under an async id of its own.
  Promise.resolve().then(() => {
    if (executionAsyncId() !== 0) {
      enabled++
      update()
    }
  })
  update()
}
