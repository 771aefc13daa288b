// meta.hardTimeout, typed. TaskMeta is declared in @vitest/runner (vitest re-exports it):
// augmenting it there is seen whatever order the program loads vitest and this package in. A
// declaration file outside src/, shipped as it is: this package does not depend on
// @vitest/runner, so its own build cannot resolve that module (index.ts also augments 'vitest',
// for installs where @vitest/runner cannot be resolved from here).
export {}

declare module '@vitest/runner' {
  interface TaskMeta {
    /** Hard limit for this test (or, on a describe, its tests and hooks), in ms. */
    hardTimeout?: number
  }
}
