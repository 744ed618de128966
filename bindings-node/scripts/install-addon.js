'use strict'
// Copy the addon a plain `cargo build -p finauth-node [--release]` made in the workspace's target
// directory to the file name `native.js` loads (binding-name.js). Reuses target/debug (or
// target/release) as every other build of the workspace does, where `napi build` would build
// everything once more for an explicit `--target`. Usage: node scripts/install-addon.js [debug|release]
const fs = require('node:fs')
const path = require('node:path')

const profile = process.argv[2] || 'debug'
const pkg = path.resolve(__dirname, '..')
const targetDir = process.env.CARGO_TARGET_DIR || path.join(pkg, '..', 'target')
const lib = { win32: 'finauth_node.dll', darwin: 'libfinauth_node.dylib' }[process.platform] || 'libfinauth_node.so'
const from = path.join(targetDir, profile, lib)
const to = path.join(pkg, require('../binding-name.js').fileName)
fs.copyFileSync(from, to)
console.log(`${path.relative(process.cwd(), from)} -> ${path.relative(process.cwd(), to)} (${(fs.statSync(to).size / 1048576).toFixed(1)} MiB)`)
