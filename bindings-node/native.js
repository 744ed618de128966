'use strict'
// Loads the native addon built for this platform: `finauth.<platform>-<arch>[-abi].node` next to
// this file (see binding-name.js), or `finauth.node`. FINAUTH_NODE_ADDON names another file
// (benchmarks use it to load a release build).
const { join } = require('node:path')
const { existsSync } = require('node:fs')
const fileName = require('./binding-name.js')

function load() {
  const candidates = [process.env.FINAUTH_NODE_ADDON, join(__dirname, fileName), join(__dirname, 'finauth.node')].filter(Boolean)
  for (const file of candidates) {
    if (existsSync(file)) return require(file)
  }
  throw new Error(
    `finauth: no native addon for ${process.platform}-${process.arch} (looked for ${candidates.join(', ')}); ` +
      'build it with `npm run build` in the finauth package',
  )
}

module.exports = load()
