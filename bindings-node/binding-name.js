'use strict'
// Where the native addon for this platform lives, as napi-rs names it: the file
// `finauth.<platform>-<arch>[-abi].node` (e.g. `finauth.linux-x64-gnu.node`) in a development
// checkout, or the platform package `finauth-<platform>-<arch>[-abi]` that npm installs from the
// main package's optionalDependencies.

function abi() {
  if (process.platform !== 'linux') return ''
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
  return report?.header?.glibcVersionRuntime ? '-gnu' : '-musl'
}

function platformSuffix() {
  switch (process.platform) {
    case 'win32':
      return `win32-${process.arch}-msvc`
    case 'darwin':
      return `darwin-${process.arch}`
    default:
      return `${process.platform}-${process.arch}${abi()}`
  }
}

const suffix = platformSuffix()

module.exports = {
  suffix,
  fileName: `finauth.${suffix}.node`,
  packageName: `finauth-${suffix}`,
}
