'use strict'
// Loads the addon with node-gyp-build: build/Release when it was compiled here, else the prebuilt
// binary that matches this platform.
//
// One shortcut first: with no compiled addon in build/ (an install from the registry), the
// prebuild this package ships is required by its exact path. Loading node-gyp-build and letting
// it scan the folders costs ~5 ms per process, and a test runner starts one process per test file
// (Vitest's forks pool with isolation), each of which loads the addon. Anything unusual (a local
// build, a binary that does not load here) goes through node-gyp-build as before.
const fs = require('fs')
const path = require('path')

function shipped() {
  for (const dir of ['Release', 'Debug']) {
    if (fs.existsSync(path.join(__dirname, 'build', dir, 'hardtimeout.node'))) return undefined
  }
  const file = path.join(__dirname, 'prebuilds', `${process.platform}-${process.arch}`, '@hardtimeout+native.node')
  try {
    return require(file)
  } catch {
    return undefined
  }
}

module.exports = shipped() || require('node-gyp-build')(__dirname)
