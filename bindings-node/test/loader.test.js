'use strict'
// native.js finds the addon: a .node beside it (a development checkout), else the platform
// package from the released package's optionalDependencies; without either, the error names what
// to install. Each case is a copy of the loader in a directory of its own, required in a child
// process (require's cache would otherwise answer).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const pkgDir = path.resolve(__dirname, '..')
const { fileName, packageName } = require('../binding-name.js')

function layout(optionalDependencies) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'finauth-loader-'))
  const dir = path.join(root, 'node_modules', 'finauth')
  fs.mkdirSync(dir, { recursive: true })
  for (const f of ['native.js', 'binding-name.js']) fs.copyFileSync(path.join(pkgDir, f), path.join(dir, f))
  const pkg = { name: 'finauth', version: '9.8.7' }
  if (optionalDependencies) pkg.optionalDependencies = optionalDependencies
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg))
  return { root, dir }
}

function load(root) {
  try {
    return { out: execFileSync(process.execPath, ['-e', "const a = require('finauth/native.js'); console.log(typeof a.version)"], { cwd: root, env: { ...process.env, FINAUTH_NODE_ADDON: '' }, stdio: 'pipe' }).toString() }
  } catch (e) {
    return { err: e.stderr.toString() }
  }
}

test('a development checkout without a build says how to build', () => {
  const { root } = layout()
  const { err } = load(root)
  assert.match(err, /no native addon for /)
  assert.match(err, /npm run build/)
  fs.rmSync(root, { recursive: true, force: true })
})

test('a released package without its platform package names the package and the npm command', () => {
  const { root } = layout({ [packageName]: '9.8.7', 'finauth-other-platform': '9.8.7' })
  const { err } = load(root)
  assert.ok(err.includes(`npm install ${packageName}@9.8.7`), err)
  assert.match(err, /--omit=optional/)
  fs.rmSync(root, { recursive: true, force: true })
})

test('a platform no package is built for lists the platforms there are', () => {
  const { root } = layout({ 'finauth-plan9-mips': '9.8.7' })
  const { err } = load(root)
  assert.match(err, /ships native addons for plan9-mips only/)
  fs.rmSync(root, { recursive: true, force: true })
})

test('the platform package is loaded from node_modules', { skip: !fs.existsSync(path.join(pkgDir, fileName)) && 'no addon built' }, () => {
  const { root } = layout({ [packageName]: '9.8.7' })
  const platform = path.join(root, 'node_modules', packageName)
  fs.mkdirSync(platform)
  fs.copyFileSync(path.join(pkgDir, fileName), path.join(platform, fileName))
  fs.writeFileSync(path.join(platform, 'package.json'), JSON.stringify({ name: packageName, version: '9.8.7', main: fileName }))
  const { out, err } = load(root)
  assert.equal(out, 'function\n', err)
  fs.rmSync(root, { recursive: true, force: true })
})

test('a .node beside the loader wins (a development checkout)', { skip: !fs.existsSync(path.join(pkgDir, fileName)) && 'no addon built' }, () => {
  const { root, dir } = layout({ [packageName]: '9.8.7' })
  fs.copyFileSync(path.join(pkgDir, fileName), path.join(dir, fileName))
  const { out, err } = load(root)
  assert.equal(out, 'function\n', err)
  fs.rmSync(root, { recursive: true, force: true })
})
