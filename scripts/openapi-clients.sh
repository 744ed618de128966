#!/usr/bin/env bash
# Generates API clients from the sandbox's OpenAPI document (sandbox/openapi.json) with OpenAPI
# Generator, the way Mastercard tells integrators to, and checks that each one builds here:
#   python (urllib3, asyncio, httpx)   imported in a venv with their dependencies
#   typescript-axios, typescript-fetch compiled with tsc --strict (interop/openapi: npm ci)
#   java (okhttp-gson, native, feign)  mvn package, the three in one Maven reactor
# The generator's CLI jar comes from Maven Central through interop/openapi/pom.xml (its version is
# pinned there). Everything lands in $CARGO_TARGET_DIR/openapi/: the jar, one directory per client,
# the venv. A step whose inputs (jar, document, options) did not change since its last success is
# skipped; --force redoes every step. Prints each step's cost and a summary; exit 1 if any failed.
# Needs Java 11+, Maven, Python 3.9+, Node.js and npm.
source "$(dirname "$0")/common.sh"

PYTHON="${PYTHON:-python3}"
need java "install a JDK 11+ (Debian: apt-get install default-jdk-headless)"
need mvn "install Maven (Debian: apt-get install maven)"
need "$PYTHON" "install Python >= 3.9"
need node "install Node.js >= 20"
need npm "install npm (it comes with Node.js)"

FORCE=0
case "${1:-}" in
  --force) FORCE=1 ;;
  "") ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

OUT="$CARGO_TARGET_DIR/openapi"
SPEC="$ROOT/sandbox/openapi.json"
POM="$ROOT/interop/openapi/pom.xml"
TS_TOOLS="$ROOT/interop/openapi"
JAR="$OUT/openapi-generator-cli.jar"
VENV="$OUT/venv"
mkdir -p "$OUT/configs"

# The Python clients' dependencies (what their requirements.txt ask for, pinned).
PY_DEPS=('pydantic==2.14.3' 'urllib3==2.8.0' 'python-dateutil==2.9.0.post0'
  'typing-extensions==4.16.0' 'aiohttp==3.14.5' 'aiohttp-retry==2.9.1' 'httpx==0.28.1')

sha() { sha256sum | cut -c1-64; }
# stamp_ok FILE KEY: whether FILE holds KEY (and --force was not given).
stamp_ok() { [ "$FORCE" -eq 0 ] && [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

results=()
failed=0
# run NAME COMMAND...: one step, timed; a failure is recorded and the script goes on. The step
# runs in a subshell with `set -e` of its own: under `cmd || ...`, bash would ignore -e in it.
run() {
  local name="$1"; shift
  step "$name"
  local start=$SECONDS rc=0
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    results+=("PASS  $name ($((SECONDS - start)) s)")
  else
    results+=("FAIL  $name: exit $rc ($((SECONDS - start)) s)")
    failed=1
  fi
  echo "    ($((SECONDS - start)) s)"
  return 0
}

# ---- the generator -----------------------------------------------------------------------------

fetch_generator() {
  local key
  key="$(sha <"$POM")"
  if [ -f "$JAR" ] && stamp_ok "$OUT/.jar.stamp" "$key"; then
    echo "unchanged: $JAR"
  else
    mvn -B -q -Dstyle.color=never -f "$POM" dependency:copy -Dopenapi.out="$OUT"
    echo "$key" >"$OUT/.jar.stamp"
  fi
  java -jar "$JAR" version
}
run "fetch OpenAPI Generator (interop/openapi/pom.xml)" fetch_generator
[ -f "$JAR" ] || { printf '%s\n' "${results[@]}"; exit 1; }
JAR_SHA="$(sha <"$JAR")"
SPEC_SHA="$(sha <"$SPEC")"

validate_spec() {
  local key="$JAR_SHA $SPEC_SHA"
  if stamp_ok "$OUT/.validate.stamp" "$key"; then echo "unchanged: valid"; return 0; fi
  java -jar "$JAR" validate --recommend -i "$SPEC"
  echo "$key" >"$OUT/.validate.stamp"
}
run "validate sandbox/openapi.json" validate_spec

# ---- generation --------------------------------------------------------------------------------

# Smaller and faster: no generated tests or docs (the generator has no switch for the CI files).
GLOBAL='"globalProperties": {"apiTests": "false", "modelTests": "false", "apiDocs": "false", "modelDocs": "false"}'

# config NAME GENERATOR LIBRARY EXTRA_JSON: writes configs/NAME.json, a batch config.
config() {
  local name="$1" generator="$2" library="$3" extra="$4"
  local lib=""
  [ -n "$library" ] && lib="\"library\": \"$library\","
  cat >"$OUT/configs/$name.json" <<EOF
{
  "generatorName": "$generator", $lib
  "inputSpec": "$SPEC",
  "outputDir": "$OUT/$name",
  $GLOBAL,
  $extra
}
EOF
}

python_props() {
  echo "\"additionalProperties\": {\"packageName\": \"$1\", \"projectName\": \"${1//_/-}\", \"packageVersion\": \"1.0.0\"}"
}
config python python "" "$(python_props finicity_client)"
config python-asyncio python asyncio "$(python_props finicity_client_asyncio)"
config python-httpx python httpx "$(python_props finicity_client_httpx)"

# typescript-axios declares every model in api.ts, which also imports its own `Configuration`
# class: a schema named Configuration (as in Finicity's document) does not compile (TS2440)
# unless it is renamed. typescript-fetch and java rename it to ModelConfiguration by themselves.
config typescript-axios typescript-axios "" '"modelNameMappings": {"Configuration": "ModelConfiguration"},
  "additionalProperties": {"npmName": "@finauth-generated/finicity-axios", "npmVersion": "1.0.0", "supportsES6": true}'
config typescript-fetch typescript-fetch "" '"additionalProperties": {"npmName": "@finauth-generated/finicity-fetch", "npmVersion": "1.0.0", "supportsES6": true}'

# java PACKAGE LIBRARY: a Maven project, invoker dev.finauth.generated.PACKAGE (`native` is a
# Java keyword, hence `nativehttp`).
java_config() {
  local pkg="$1" library="$2"
  config "java-$library" java "$library" "\"additionalProperties\": {
    \"groupId\": \"dev.finauth.generated\", \"artifactId\": \"finicity-client-$library\", \"artifactVersion\": \"1.0.0\",
    \"invokerPackage\": \"dev.finauth.generated.$pkg\", \"apiPackage\": \"dev.finauth.generated.$pkg.api\",
    \"modelPackage\": \"dev.finauth.generated.$pkg.model\", \"hideGenerationTimestamp\": true}"
}
java_config okhttp okhttp-gson
java_config nativehttp native
java_config feign feign

CLIENTS=(python python-asyncio python-httpx typescript-axios typescript-fetch java-okhttp-gson java-native java-feign)

# A client's stamp: the jar, the document and its options.
client_key() { echo "$JAR_SHA $SPEC_SHA $(sha <"$OUT/configs/$1.json")"; }

generate() {
  local name todo=()
  for name in "${CLIENTS[@]}"; do
    if stamp_ok "$OUT/$name/.finauth-stamp" "$(client_key "$name")"; then
      echo "unchanged: $name"
    else
      rm -rf "${OUT:?}/$name"
      todo+=("$OUT/configs/$name.json")
    fi
  done
  [ "${#todo[@]}" -eq 0 ] && return 0
  # One JVM for all of them (a JVM start and warm-up is most of a small generation's cost).
  java -jar "$JAR" batch --fail-fast "${todo[@]}" >"$OUT/generate.log" 2>&1 || {
    grep -vE ' INFO |^#' "$OUT/generate.log" >&2
    return 1
  }
  grep -E '^\[(SUCCESS|FAIL)' "$OUT/generate.log" || true
  for name in "${CLIENTS[@]}"; do
    client_key "$name" >"$OUT/$name/.finauth-stamp"
  done
}
run "generate ${#CLIENTS[@]} clients into $OUT" generate

# ---- Python ------------------------------------------------------------------------------------

check_python() {
  local key
  key="$(printf '%s\n' "${PY_DEPS[@]}" | sha)"
  if [ ! -x "$VENV/bin/python" ]; then "$PYTHON" -m venv "$VENV"; fi
  if ! stamp_ok "$VENV/.finauth-stamp" "$key"; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PY_DEPS[@]}"
    echo "$key" >"$VENV/.finauth-stamp"
  fi
  local pkg dir rc=0
  for dir in python python-asyncio python-httpx; do
    pkg="$(sed -n 's/.*"packageName": "\([a-z_]*\)".*/\1/p' "$OUT/configs/$dir.json")"
    # Importing the package imports every API and model module (lazyImports is off).
    (cd "$OUT/$dir" && "$VENV/bin/python" -c "
import $pkg, $pkg.configuration
from $pkg.api import CustomersApi, AuthenticationApi, SignedApi
shadowed = $pkg.Configuration is not $pkg.configuration.Configuration
print('$pkg: imports; $pkg.Configuration is the', 'model (shadowed)' if shadowed else 'client configuration')
") || rc=1
  done
  return "$rc"
}
run "python: venv ($VENV) and import the 3 clients" check_python

# ---- TypeScript --------------------------------------------------------------------------------

check_typescript() {
  local key rc=0 dir
  key="$(sha <"$TS_TOOLS/package-lock.json")"
  if ! stamp_ok "$TS_TOOLS/node_modules/.finauth-stamp" "$key"; then
    (cd "$TS_TOOLS" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$key" >"$TS_TOOLS/node_modules/.finauth-stamp"
  fi
  key+=" $(cat "$OUT/typescript-axios/.finauth-stamp" "$OUT/typescript-fetch/.finauth-stamp" | sha)"
  if stamp_ok "$OUT/.typescript.stamp" "$key"; then echo "unchanged: compiled"; return 0; fi
  for dir in typescript-axios typescript-fetch; do
    # The generated package resolves axios (and tsc its lib types) from here.
    ln -sfn "$TS_TOOLS/node_modules" "$OUT/$dir/node_modules"
    if "$TS_TOOLS/node_modules/.bin/tsc" -p "$OUT/$dir" --noEmit --strict; then
      echo "$dir: tsc --strict ok"
    else
      rc=1
    fi
  done
  [ "$rc" -eq 0 ] && echo "$key" >"$OUT/.typescript.stamp"
  return "$rc"
}
run "typescript: npm ci (interop/openapi) and tsc the 2 clients" check_typescript

# ---- Java --------------------------------------------------------------------------------------

check_java() {
  local key="" name
  for name in java-okhttp-gson java-native java-feign; do key+="$(cat "$OUT/$name/.finauth-stamp")"; done
  key="$(echo "$key" | sha)"
  if stamp_ok "$OUT/.java.stamp" "$key" && ls "$OUT"/java-*/target/finicity-client-*-1.0.0.jar >/dev/null 2>&1; then
    echo "unchanged: built"
    return 0
  fi
  cat >"$OUT/pom.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/openapi-clients.sh: builds the generated Java clients in one reactor. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.finauth.generated</groupId>
  <artifactId>finicity-clients</artifactId>
  <version>1.0.0</version>
  <packaging>pom</packaging>
  <modules>
    <module>java-okhttp-gson</module>
    <module>java-native</module>
    <module>java-feign</module>
  </modules>
</project>
EOF
  mvn -B -q -Dstyle.color=never -f "$OUT/pom.xml" package -Dmaven.test.skip=true -Dmaven.javadoc.skip=true \
    -Dmaven.source.skip=true
  ls "$OUT"/java-*/target/finicity-client-*-1.0.0.jar
  echo "$key" >"$OUT/.java.stamp"
}
run "java: mvn package the 3 clients" check_java

echo
printf '%s\n' "${results[@]}"
if [ "$failed" -ne 0 ]; then
  echo "openapi clients: some steps failed"
  exit 1
fi
echo "openapi clients: generated and built in $OUT"
