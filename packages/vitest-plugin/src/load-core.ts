// Vitest's main process: requires core before any module that uses it runs (index.ts imports this
// first).
import { createRequire } from 'node:module'
import { provideCore, type Core } from './core.js'

provideCore(createRequire(import.meta.url)('@hardtimeout/core/internal') as typeof Core)
