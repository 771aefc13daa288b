// @hardtimeout/core, loaded with require: Vite's module runner never transforms it (it is
// CommonJS), and no ES-module wrapper has to be built around it in each worker.
import { createRequire } from 'node:module'
import type * as Core from '@hardtimeout/core'

export const core = createRequire(import.meta.url)('@hardtimeout/core') as typeof Core
export type { Core }
