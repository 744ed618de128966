#!/usr/bin/env bash
# Node quickstart: install the package's dependencies, build the addon (debug, as
# scripts/test-node.sh does: a plain cargo build copied to the platform file name), start the
# local sandbox, run examples/node/quickstart.js against it.
source "$(dirname "$0")/common.sh"

need node "install Node.js >= 20.17"
need npm "install npm (it comes with Node.js)"

step "npm ci and build the addon (debug, target/debug)"
(cd bindings-node && npm ci --no-audit --no-fund --loglevel=error)
build_workspace
node bindings-node/scripts/install-addon.js debug

# `require('finauth')` from the example resolves as for a user who ran `npm install finauth`:
# a node_modules/finauth link to the package (and its axios, for the axios part).
MODULES="$CARGO_TARGET_DIR/node-quickstart/node_modules"
mkdir -p "$MODULES"
ln -sfn "$ROOT/bindings-node" "$MODULES/finauth"
ln -sfn "$ROOT/bindings-node/node_modules/axios" "$MODULES/axios"
export NODE_PATH="$MODULES:$ROOT/bindings-node/node_modules"

step "start the sandbox"
start_sandbox
URL="$SANDBOX_URL"

step "examples/node/quickstart.js"
FINICITY_PARTNER_ID=finauth-demo-partner FINICITY_PARTNER_SECRET=DemoSecret2026 \
FINICITY_APP_KEY=demo-app-key FINICITY_BASE_URL="$URL" FINAUTH_ALLOW_INSECURE_LOOPBACK=1 \
  node examples/node/quickstart.js
