export { runWithHardTimeout } from './run'
export { HardTimeoutError, ThreadInterruptError, type HardTimeoutKind } from './errors'
export { formatValue, type HardTimeoutOptions, type StuckPlan } from './options'
export type { ThreadDiagnosis, UnblockResult } from './diagnosis'
export { describeDiagnosis } from './diagnosis'
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
} from './threads'
export { stuckLog, type StuckLog } from './stuck-log'
export { nativeStatus } from './native'
