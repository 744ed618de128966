'use strict'
// The file name of the native addon for this platform, as `napi build --platform` names it:
// `finauth.<platform>-<arch>[-abi].node` (e.g. `finauth.linux-x64-gnu.node`).

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

module.exports = `finauth.${platformSuffix()}.node`
