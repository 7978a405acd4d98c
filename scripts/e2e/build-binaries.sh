#!/usr/bin/env bash
# Builds the two programs that tracehop's end-to-end tests run, from source:
#
#   - Jaeger v2 (cmd/jaeger of the Jaeger module, pinned by JAEGER_VERSION),
#   - an OpenTelemetry Collector made by the official builder from
#     otelcol-builder.yaml at the repository root.
#
# Output contract: the script writes "$CACHE/bin.env", a file of two lines
#
#   JAEGER_BIN=/absolute/path/to/jaeger
#   OTELCOL_BIN=/absolute/path/to/otelcol-tracehop
#
# that test/e2e/support/binaries.ts reads; it also prints that file at the end.
#
# CACHE is ${TRACEHOP_CACHE_DIR:-$HOME/.cache/tracehop}, outside the
# repository, with one folder per pinned version:
#
#   jaeger-<JAEGER_VERSION>/jaeger
#   builder-<OTELCOL_BUILDER_VERSION>/builder
#   otelcol-<OTELCOL_BUILDER_VERSION>-<manifest hash>/otelcol-tracehop
#     (next to the generated sources, manifest.yaml and build.log)
#   bin.env
#
# Each step is skipped when its binary already exists, so a second run takes
# a second or two. A fresh build takes several minutes per binary; they are
# built one after the other because the machines have two cores. Delete a
# folder to force its rebuild.
#
# Needs Go (from PATH, else /usr/local/go/bin/go) and the Go module proxy.
set -euo pipefail

JAEGER_VERSION=v1.76.0           # the Jaeger v2.13 release (v1.x tag of the module)
OTELCOL_BUILDER_VERSION=v0.140.0 # the collector release Jaeger $JAEGER_VERSION is built on

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MANIFEST="$REPO_ROOT/otelcol-builder.yaml"
CACHE=${TRACEHOP_CACHE_DIR:-$HOME/.cache/tracehop}

log() { printf '[build-binaries] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if command -v go >/dev/null 2>&1; then
  GO=$(command -v go)
elif [ -x /usr/local/go/bin/go ]; then
  GO=/usr/local/go/bin/go
else
  die "go not found on PATH nor at /usr/local/go/bin/go"
fi
# The builder calls `go` by name.
export PATH="$(dirname "$GO"):$PATH"

# Use the installed Go as it is (never download another toolchain), ignore
# any go.work around, and do not stamp VCS data (the sources are not
# checkouts).
export GOTOOLCHAIN=local
export GOWORK=off
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
# Checksum-database lookups through the module proxy answer 404 for some
# collector modules (the builder among them), which would stop `go install`
# and the builder's `go mod tidy`. Modules under this prefix skip that
# lookup; the collector build below seeds its go.sum with Jaeger's verified
# one, so every collector module it uses is still checked against a known
# hash. Other modules go through the checksum database as usual.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}go.opentelemetry.io/collector"

[ -f "$MANIFEST" ] || die "missing $MANIFEST"
mkdir -p "$CACHE"

# Two runs at once (say, two terminals) wait for each other instead of
# building the same thing twice.
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
  log "another build is running; waiting for it"
  flock 9
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tracehop-build.XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Prints the local folder of a module version, downloading it if needed.
module_dir() {
  local dir
  dir=$(cd "$WORK" && "$GO" mod download -json "$1" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [ -n "$dir" ] && [ -d "$dir" ] || die "go mod download $1 gave no module folder"
  printf '%s\n' "$dir"
}

# --- Jaeger -----------------------------------------------------------------
# `go install …/cmd/jaeger@version` refuses the module because its go.mod has
# replace directives, so build inside a writable copy of the module instead
# (the module cache is read-only), which applies them.
JAEGER_BIN="$CACHE/jaeger-$JAEGER_VERSION/jaeger"
if [ -x "$JAEGER_BIN" ]; then
  log "jaeger $JAEGER_VERSION: cached"
else
  log "jaeger $JAEGER_VERSION: building (several minutes)"
  started=$SECONDS
  src=$(module_dir "github.com/jaegertracing/jaeger@$JAEGER_VERSION")
  cp -R "$src" "$WORK/jaeger"
  chmod -R u+w "$WORK/jaeger"
  mkdir -p "$(dirname "$JAEGER_BIN")"
  # Build next to the target, then rename: an interrupted build never leaves
  # a file that a later run would take for a finished one.
  (cd "$WORK/jaeger" && "$GO" build -o "$JAEGER_BIN.partial" ./cmd/jaeger)
  mv -f "$JAEGER_BIN.partial" "$JAEGER_BIN"
  log "jaeger $JAEGER_VERSION: built in $((SECONDS - started))s"
fi

# --- Collector builder ------------------------------------------------------
BUILDER_BIN="$CACHE/builder-$OTELCOL_BUILDER_VERSION/builder"
if [ -x "$BUILDER_BIN" ]; then
  log "builder $OTELCOL_BUILDER_VERSION: cached"
else
  log "builder $OTELCOL_BUILDER_VERSION: installing"
  (cd "$WORK" && GOBIN="$WORK/gobin" "$GO" install \
    "go.opentelemetry.io/collector/cmd/builder@$OTELCOL_BUILDER_VERSION")
  mkdir -p "$(dirname "$BUILDER_BIN")"
  mv -f "$WORK/gobin/builder" "$BUILDER_BIN"
fi

# --- Collector --------------------------------------------------------------
# The folder name carries a hash of the manifest and the builder version, so
# editing otelcol-builder.yaml leads to a new build in a new folder.
manifest_hash=$( { cat "$MANIFEST"; echo "$OTELCOL_BUILDER_VERSION"; } | sha256sum | cut -c1-12)
OTELCOL_DIR="$CACHE/otelcol-$OTELCOL_BUILDER_VERSION-$manifest_hash"
OTELCOL_NAME=$(sed -n 's/^[[:space:]]*name:[[:space:]]*\([A-Za-z0-9._-]*\).*/\1/p' "$MANIFEST" | head -n 1)
[ -n "$OTELCOL_NAME" ] || die "no dist.name in $MANIFEST"
OTELCOL_BIN="$OTELCOL_DIR/$OTELCOL_NAME"
# The builder writes sources and binary into output_path itself, so the
# folder only counts as finished once the marker file written after a
# successful build is there; anything else is wiped and rebuilt.
if [ -x "$OTELCOL_BIN" ] && [ -f "$OTELCOL_DIR/.complete" ]; then
  log "collector ($OTELCOL_DIR): cached"
else
  log "collector: building into $OTELCOL_DIR (several minutes)"
  started=$SECONDS
  rm -rf "$OTELCOL_DIR"
  mkdir -p "$OTELCOL_DIR"
  # Same manifest, except that the sources and binary go to the cache folder.
  grep -q '^[[:space:]]*output_path:' "$MANIFEST" || die "no dist.output_path in $MANIFEST"
  sed "s|^\([[:space:]]*\)output_path:.*|\1output_path: $OTELCOL_DIR|" "$MANIFEST" > "$OTELCOL_DIR/manifest.yaml"
  # Start go.sum with the hashes from Jaeger's go.sum (which came through the
  # checksum database): both builds use the same collector release, so most
  # modules are then verified against a known hash even though the checksum
  # database cannot be asked about them.
  jaeger_src=$(module_dir "github.com/jaegertracing/jaeger@$JAEGER_VERSION")
  cp "$jaeger_src/go.sum" "$OTELCOL_DIR/go.sum"
  chmod u+w "$OTELCOL_DIR/go.sum"
  if ! "$BUILDER_BIN" --config "$OTELCOL_DIR/manifest.yaml" > "$OTELCOL_DIR/build.log" 2>&1; then
    tail -n 40 "$OTELCOL_DIR/build.log" >&2
    die "collector build failed (full log: $OTELCOL_DIR/build.log)"
  fi
  [ -x "$OTELCOL_BIN" ] || die "builder finished but $OTELCOL_BIN is missing"
  touch "$OTELCOL_DIR/.complete"
  log "collector: built in $((SECONDS - started))s"
fi

# A cheap check that both binaries start on this machine.
"$JAEGER_BIN" version >/dev/null 2>&1 || die "$JAEGER_BIN does not run"
"$OTELCOL_BIN" --version >/dev/null 2>&1 || die "$OTELCOL_BIN does not run"

printf 'JAEGER_BIN=%s\nOTELCOL_BIN=%s\n' "$JAEGER_BIN" "$OTELCOL_BIN" > "$CACHE/bin.env.tmp"
mv -f "$CACHE/bin.env.tmp" "$CACHE/bin.env"
cat "$CACHE/bin.env"
