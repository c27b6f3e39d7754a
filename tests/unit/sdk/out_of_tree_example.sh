#!/usr/bin/env bash
# The sample out-of-tree plugin sdk/examples/paged-rest, as a third party builds and runs it:
#  1. install the build tree's "sdk" component into a temp prefix and build a copy of the
#     example against it with find_package(ConnectorHostSDK);
#  2. run its own tests (FakeHost unit tests + the installed conformance runner);
#  3. check-config with the real host: a good config passes, a bad page_size is refused at
#     file:line:col of the key;
#  4. authorize (OAuth client credentials) and sync against a tiny local API on a free
#     loopback port, twice, the second time after the API expired the token: the host hands the
#     plugin a new one after the 401 and nothing is read twice.
#  5. the plugin needs nothing beyond libc/libstdc++ (and libgcc_s, libm) at run time: no
#     libboost_json NEEDED (the installed package uses Boost.JSON header-only);
#  6. the installed conformance runner's failure lines name the installed plugin_api.h and SDK
#     README, not the runner's build-tree sources (run on a plugin that breaks the rules).
#   out_of_tree_example.sh <connector-host build dir> <sdk/examples/paged-rest> <server.py>
#     <connector-host binary> <a nonconforming plugin .so>
set -euo pipefail
build_dir=$1
example_dir=$2
server_py=$3
host_bin=$4
nonconforming=$5

work=$(mktemp -d "${TMPDIR:-/tmp}/chp-sdk-example.XXXXXX")
server_pid=
cleanup() {
  # The server's own pid: a python3 launcher (e.g. a pyenv shim) may not exec it.
  if [[ -s "$work/port.pid" ]]; then kill "$(cat "$work/port.pid")" 2>/dev/null || true; fi
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# CHP_KEEP_EXAMPLE_LOGS=DIR keeps the logs for a look after the run.
[[ -n "${CHP_KEEP_EXAMPLE_LOGS:-}" ]] && trap 'cp "$work"/*.log "$CHP_KEEP_EXAMPLE_LOGS"/ || true; cleanup' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- 1. build against the installed package ---
cmake --install "$build_dir" --prefix "$work/prefix" --component sdk >/dev/null
cp -r "$example_dir" "$work/example"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$work"
fi
cmake -S "$work/example" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >"$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" -j2 >"$work/build.log" || { cat "$work/build.log"; exit 1; }
[[ -f "$work/build/paged_rest.so" ]] || fail "no paged_rest.so"

# --- 5. run-time dependencies: the C/C++ runtime only ---
needed=$(readelf -d "$work/build/paged_rest.so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
echo "paged_rest.so NEEDED: $needed"
for lib in $needed; do
  case "$lib" in
    libc.so.*|libstdc++.so.*|libgcc_s.so.*|libm.so.*|ld-linux*) ;;
    *) fail "paged_rest.so needs $lib at run time (only libc/libstdc++ expected)" ;;
  esac
done
if ldd "$work/build/paged_rest.so" | grep -q "not found"; then
  ldd "$work/build/paged_rest.so"; fail "ldd: a library of paged_rest.so is not found"
fi

# --- 6. conformance failures name the installed files ---
set +e
"$work/prefix/bin/chp-conformance" --plugin "$nonconforming" \
  --config "$work/example/conformance/config.json" >"$work/nonconforming.log" 2>&1
rc=$?
set -e
[[ $rc -ne 0 ]] || { cat "$work/nonconforming.log"; fail "conformance passed a nonconforming plugin"; }
grep -q "^$work/prefix/include/connector_host/plugin_api.h: Failure (the rule: chp_plugin.disable" \
  "$work/nonconforming.log" ||
  { cat "$work/nonconforming.log"; fail "no failure line naming the installed plugin_api.h"; }
[[ -f "$work/prefix/share/doc/ConnectorHostSDK/README.md" ]] || fail "the SDK README is not installed"
if grep -q "conformance_tests.cpp" "$work/nonconforming.log"; then
  cat "$work/nonconforming.log"; fail "a failure line names the runner's build-tree source"
fi

# --- 2. its own tests: unit tests and conformance.paged-rest ---
ctest --test-dir "$work/build" --output-on-failure >"$work/ctest.log" ||
  { cat "$work/ctest.log"; exit 1; }
grep -q "conformance.paged-rest" "$work/ctest.log" || fail "conformance did not run"
grep -q "paged_rest.PagedRestTest" "$work/ctest.log" || fail "unit tests did not run"

# --- 3. check-config with the real host ---
mkdir -p "$work/plugins" "$work/run"
cp "$work/build/paged_rest.so" "$work/plugins/"
chmod 0755 "$work/plugins" "$work/run"
python3 "$server_py" "$work/port" example-secret-0123456789 </dev/null >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
[[ -s "$work/port" ]] || fail "the test API did not start"
port=$(cat "$work/port")
export CHP_MASTER_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export EXAMPLE_CLIENT_SECRET=example-secret-0123456789
write_config() {  # $1 file, $2 page_size, $3 base_url (default: the test API)
  cat >"$1" <<YAML
host:
  state:
    path: ./state/host.db
  master_key: \${env:CHP_MASTER_KEY}
  plugin_dirs: [../plugins]
connectors:
  - name: example
    plugin: paged-rest
    config:
      base_url: ${3:-http://127.0.0.1:$port/api}
      token_url: http://127.0.0.1:$port/oauth/token
      client_id: example-app
      client_secret: \${env:EXAMPLE_CLIENT_SECRET}
      page_size: $2
YAML
}
write_config "$work/run/host.yaml" 2
write_config "$work/run/bad.yaml" 0
write_config "$work/run/bad-url.yaml" 2 ftp://127.0.0.1/api
"$host_bin" check-config -c "$work/run/host.yaml" >"$work/check.log" 2>&1 ||
  { cat "$work/check.log"; fail "check-config refused the good config"; }
set +e
"$host_bin" check-config -c "$work/run/bad.yaml" >"$work/bad.log" 2>&1
rc=$?
set -e
[[ $rc -ne 0 ]] || { cat "$work/bad.log"; fail "check-config accepted page_size: 0"; }
line=$(grep -n "page_size:" "$work/run/bad.yaml" | cut -d: -f1)
grep -q "bad.yaml:$line:[0-9]*:.*page_size" "$work/bad.log" ||
  { cat "$work/bad.log"; fail "no bad.yaml:$line:col naming page_size"; }

# The plugin's own check (its validate hook), dry: the key's position, not the block's.
set +e
"$host_bin" check-config -c "$work/run/bad-url.yaml" >"$work/bad-url.log" 2>&1
rc=$?
set -e
[[ $rc -eq 3 ]] || { cat "$work/bad-url.log"; fail "check-config exit $rc for a bad base_url"; }
line=$(grep -n "base_url:" "$work/run/bad-url.yaml" | cut -d: -f1)
grep -q "bad-url.yaml:$line:7: error: connector 'example': config.base_url: must be an http:// or https:// URL" \
  "$work/bad-url.log" || { cat "$work/bad-url.log"; fail "no bad-url.yaml:$line:7 naming base_url"; }

# --- 4. authorize and sync against the test API ---
"$host_bin" authorize example -c "$work/run/host.yaml" >"$work/authorize.log" 2>&1 ||
  { cat "$work/authorize.log"; fail "authorize"; }
"$host_bin" sync example -c "$work/run/host.yaml" >"$work/sync1.log" 2>&1 ||
  { cat "$work/sync1.log"; fail "first sync"; }
curl -sf -X POST "http://127.0.0.1:$port/control/expire" >/dev/null
"$host_bin" sync example -c "$work/run/host.yaml" >"$work/sync2.log" 2>&1 ||
  { cat "$work/sync2.log"; fail "second sync after the token expired"; }
stats=$(curl -sf "http://127.0.0.1:$port/control/stats")
echo "API counters: $stats"
python3 - "$work/run/state/host.db" "$stats" "$EXAMPLE_CLIENT_SECRET" "$work" <<'PY'
import json, pathlib, sqlite3, sys
db, stats, secret, work = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
con = sqlite3.connect(db)
rows = con.execute("SELECT count(*) FROM mirror_example_records").fetchone()[0]
assert rows == 5, "mirrored %d records, want 5" % rows
# first sync: 3 pages of 2; second: the 401, then 1 page (the re-read of the newest record)
assert stats["unauthorized"] == 1, stats
assert stats["record_requests"] == 5, stats
assert stats["token_requests"] == 2, stats  # authorize + the refresh after the 401
for log in pathlib.Path(work).glob("*.log"):
    assert secret not in log.read_text(errors="replace"), "secret in " + str(log)
print("mirrored", rows, "records")
PY
echo "out-of-tree example: build, conformance, check-config, authorize and sync: OK"
