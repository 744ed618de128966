'use strict'
// Loads the native addon for this platform, first found wins:
//   1. FINAUTH_NODE_ADDON (a file: benchmarks load a release build this way);
//   2. `finauth.<platform>-<arch>[-abi].node` or `finauth.node` next to this file (a development
//      checkout, where scripts/install-addon.js puts the build);
//   3. the platform package (`finauth-linux-x64-gnu`, ...), which npm installs from the
//      optionalDependencies of a released `finauth`.
const { join } = require('node:path')
const { existsSync } = require('node:fs')
const { fileName, packageName, suffix } = require('./binding-name.js')

function platformPackages() {
  try {
    return Object.keys(require('./package.json').optionalDependencies || {})
  } catch {
    return []
  }
}

function load() {
  const files = [process.env.FINAUTH_NODE_ADDON, join(__dirname, fileName), join(__dirname, 'finauth.node')].filter(Boolean)
  for (const file of files) {
    if (existsSync(file)) return require(file)
  }
  try {
    return require(packageName)
  } catch (e) {
    // Only "the platform package is not installed" is explained here; a package that is there
    // but fails to load (a wrong glibc, a corrupt file) reports its own error.
    if (e?.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes(packageName)) throw e
  }
  const built = platformPackages()
  const version = require('./package.json').version
  let hint
  if (built.length === 0) {
    // A development checkout: the main package lists its platform packages only when released.
    hint = 'build it in the checkout with `npm run build` (or `npm run build:debug`)'
  } else if (built.includes(packageName)) {
    hint = `install it: \`npm install ${packageName}@${version}\` (npm leaves optional dependencies out under --omit=optional or --no-optional, and when the lock file was made on another platform)`
  } else {
    hint = `finauth ${version} ships native addons for ${built.map((p) => p.replace('finauth-', '')).join(', ')} only`
  }
  throw new Error(`finauth: no native addon for ${suffix} (looked for ${files.join(', ')} and the package ${packageName}); ${hint}`)
}

module.exports = load()
