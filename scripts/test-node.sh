#!/usr/bin/env bash
# The Node binding: npm ci (pinned devDependencies, package-lock.json), build the addon once
# with the one workspace build (debug, target/debug, shared with every other script) and copy it to the
# platform file name (`napi build` would pass `--target` and build every dependency once more in
# target/<triple>/), then `node --test` (the sandbox and oidc-provider run as real processes), and
# `tsc --strict --noEmit` on examples/node/quickstart.ts. The OpenAPI Generator clients
# (scripts/openapi-clients.sh: Java, Maven and Python besides Node) are compiled to JS for
# test/openapi.test.js, and test/types/openapi.ts is type-checked against their sources.
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

step "OpenAPI Generator clients: generate (scripts/openapi-clients.sh), compile typescript-axios and typescript-fetch to JS"
bash scripts/openapi-clients.sh
# test/openapi.test.js runs the compiled clients against the sandbox (FINAUTH_REQUIRE_OPENAPI=1:
# a missing one fails the test). Each resolves axios from interop/openapi/node_modules.
OPENAPI_OUT="$CARGO_TARGET_DIR/openapi"
OPENAPI_TOOLS="$ROOT/interop/openapi/node_modules"
for client in typescript-axios typescript-fetch; do
  js="$OPENAPI_OUT/$client-js"
  key="$(cat "$OPENAPI_OUT/$client/.finauth-stamp" "$OPENAPI_TOOLS/typescript/package.json" | sha256sum | cut -c1-64)"
  if [ -f "$js/.finauth-stamp" ] && [ "$(cat "$js/.finauth-stamp")" = "$key" ]; then
    echo "unchanged: $js"
  else
    rm -rf "$js"
    ln -sfn "$OPENAPI_TOOLS" "$OPENAPI_OUT/$client/node_modules"
    "$OPENAPI_TOOLS/.bin/tsc" -p "$OPENAPI_OUT/$client" --outDir "$js" --module commonjs --target es2020 --declaration false
    ln -sfn "$OPENAPI_TOOLS" "$js/node_modules"
    echo "$key" >"$js/.finauth-stamp"
    echo "compiled: $js"
  fi
done

step "require and import from outside the package"
(cd / && node -e "const f = require('$ROOT/bindings-node'); console.log('finauth', f.version, typeof f.PartnerAuth)")
(cd / && node --input-type=module -e "import { PartnerAuth } from '$ROOT/bindings-node/index.mjs'; console.log('esm', typeof PartnerAuth)")
(cd / && node -e "const o = require('$ROOT/bindings-node/openapi.js'); console.log('finauth/openapi', typeof o.attachAxios, typeof o.fetchMiddleware)")
(cd / && node --input-type=module -e "import { attachAxios, fetchMiddleware } from '$ROOT/bindings-node/openapi.mjs'; console.log('esm finauth/openapi', typeof attachAxios, typeof fetchMiddleware)")

step "node --test (the sandbox, and oidc-provider as an independent server)"
(cd bindings-node && FINAUTH_REQUIRE_INTEROP=1 FINAUTH_REQUIRE_OPENAPI=1 node --test --test-concurrency=1 test/*.test.js)

step "tsc --strict --noEmit (examples/node/quickstart.ts)"
bindings-node/node_modules/.bin/tsc --strict --noEmit -p examples/node/tsconfig.json

step "tsc --strict --noEmit (bindings-node/test/types/openapi.ts against the generated TypeScript clients)"
# The project lives next to the generated clients (their paths depend on CARGO_TARGET_DIR); axios
# resolves to one copy for finauth's declarations and the generated code alike.
mkdir -p "$OPENAPI_OUT/finauth-types"
cat >"$OPENAPI_OUT/finauth-types/tsconfig.json" <<EOF
{
  "compilerOptions": {
    "strict": true, "noEmit": true, "target": "ES2022", "module": "commonjs", "moduleResolution": "node",
    "lib": ["ES2022", "DOM"], "types": ["node"], "typeRoots": ["$ROOT/bindings-node/node_modules/@types"],
    "esModuleInterop": true,
    "paths": {
      "finauth": ["$ROOT/bindings-node/index.d.ts"],
      "finauth/openapi": ["$ROOT/bindings-node/openapi.d.ts"],
      "axios": ["$ROOT/bindings-node/node_modules/axios"],
      "generated-typescript-axios": ["$OPENAPI_OUT/typescript-axios/index.ts"],
      "generated-typescript-fetch": ["$OPENAPI_OUT/typescript-fetch/src/index.ts"]
    }
  },
  "files": ["$ROOT/bindings-node/test/types/openapi.ts"]
}
EOF
bindings-node/node_modules/.bin/tsc -p "$OPENAPI_OUT/finauth-types"

echo
echo "node binding: all tests passed"
