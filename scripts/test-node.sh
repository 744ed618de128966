#!/usr/bin/env bash
# The Node binding: npm ci (pinned devDependencies, package-lock.json), build the addon once
# with the one workspace build (debug, target/debug, shared with every other script) and copy it to the
# platform file name (`napi build` would pass `--target` and build every dependency once more in
# target/<triple>/), then `node --test` (the sandbox and oidc-provider run as real processes), and
# `tsc --strict --noEmit` on examples/node/quickstart.ts.
# Environment: FINAUTH_NODE_PROFILE=release to test a release addon.
source "$(dirname "$0")/common.sh"

PROFILE="${FINAUTH_NODE_PROFILE:-debug}"
need node "install Node.js >= 20.17"
need npm "install npm (it comes with Node.js)"

step "npm ci (bindings-node, and the independent authorization server in interop/oidc-provider)"
(cd bindings-node && npm ci --no-audit --no-fund --loglevel=error)
(cd interop/oidc-provider && npm ci --no-audit --no-fund --loglevel=error)

step "the workspace (debug; the sandbox and the addon among it)"
build_workspace
export FINAUTH_SANDBOX_BIN="$CARGO_TARGET_DIR/debug/finauth-sandbox"

step "build the addon ($PROFILE)"
if [ "$PROFILE" = release ]; then cargo build -p finauth-node --locked --release; fi
node bindings-node/scripts/install-addon.js "$PROFILE"

step "require and import from outside the package"
(cd / && node -e "const f = require('$ROOT/bindings-node'); console.log('finauth', f.version, typeof f.PartnerAuth)")
(cd / && node --input-type=module -e "import { PartnerAuth } from '$ROOT/bindings-node/index.mjs'; console.log('esm', typeof PartnerAuth)")

step "node --test (the sandbox, and oidc-provider as an independent server)"
(cd bindings-node && FINAUTH_REQUIRE_INTEROP=1 node --test --test-concurrency=1 test/*.test.js)

step "tsc --strict --noEmit (examples/node/quickstart.ts)"
bindings-node/node_modules/.bin/tsc --strict --noEmit -p examples/node/tsconfig.json

echo
echo "node binding: all tests passed"
