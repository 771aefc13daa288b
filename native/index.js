'use strict'
// Loads the addon: a prebuilt binary from prebuilds/ when one matches, else build/Release.
module.exports = require('node-gyp-build')(__dirname)
