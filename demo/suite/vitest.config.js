import { defineConfig } from 'vitest/config'
import { hardTimeout } from '@hardtimeout/vitest'

export default defineConfig({
  plugins: process.env.DEMO_WITHOUT_PLUGIN ? [] : [hardTimeout()],
  test: { testTimeout: 1000 },
})
