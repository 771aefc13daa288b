// @hardtimeout/core/internal: the whole of core, in the one bundle both entry points load (so
// the addon's per-thread state exists once). What the plugins share with core without promising
// it to users is here only; index.ts picks the public API out of it.
export { runWithHardTimeout } from './run'
export { HardTimeoutError, MESSAGE_WORDS, ThreadInterruptError, type HardTimeoutKind } from './errors'
export { formatValue, type HardTimeoutOptions, type StuckPlan } from './options'
export { describeDiagnosis, type ThreadDiagnosis, type UnblockResult } from './diagnosis'
export { formatLocation, userFrame, type SourceLocation } from './location'
export {
  ACTIONS,
  CAUSES,
  ENTRIES,
  OUTCOME_WORDS,
  createRecord,
  describeOutcome,
  formatMs,
  recordFromError,
  recordFromStuckReport,
  type HardTimeoutAction,
  type HardTimeoutCause,
  type HardTimeoutEntry,
  type HardTimeoutOutcome,
  type HardTimeoutRecord,
  type RecordContext,
} from './outcome'
export {
  currentThread,
  interruptThread,
  unblockThread,
  diagnoseThread,
  killThread,
  onThreadStuck,
  killProcessTree,
  dieWithParent,
  type ThreadHandle,
  type StuckReport,
  type JsIn,
} from './threads'
export { stuckLog, type StuckLog } from './stuck-log'
export { nativeStatus } from './native'
export { fallbackWarning, platformName } from './platform'
