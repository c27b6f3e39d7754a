#!/usr/bin/env bash
# Out-of-tree check of the ConnectorHostSDK package, as a third party would use it:
# install the build tree's "sdk" component into a temp prefix, configure a copy of
# sdk/template with find_package(ConnectorHostSDK), build it with Ninja, and run the
# installed conformance runner (plus the template's own FakeHost tests) on the result.
#   out_of_tree_template.sh <connector-host build dir> <sdk/template source dir>
set -euo pipefail
build_dir=$1
template_dir=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/chp-sdk-oot.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" --component sdk >/dev/null
test -f "$work/prefix/lib/cmake/ConnectorHostSDK/ConnectorHostSDKConfig.cmake"
test -f "$work/prefix/lib/cmake/ConnectorHostSDK/ConnectorHostSDKConfigVersion.cmake"
test -f "$work/prefix/include/connector_host/plugin_api.h"
test -f "$work/prefix/include/connector_host/sdk/sdk.hpp"
test -f "$work/prefix/include/connector_host/testing/fake_host.hpp"
test -x "$work/prefix/bin/chp-conformance"

cp -r "$template_dir" "$work/template"
launcher=()
# The temp paths differ per run; a base dir lets ccache hit across runs anyway.
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$work"
fi
cmake -S "$work/template" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >"$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" -j2 >"$work/build.log" || { cat "$work/build.log"; exit 1; }

# Only the entry point is exported from the out-of-tree module too.
exports=$(nm -D --defined-only "$work/build/json_mirror.so" | awk '{print $NF}')
if [[ "$exports" != "chp_plugin_entry" ]]; then
  echo "unexpected exports: $exports" >&2
  exit 1
fi

"$work/prefix/bin/chp-conformance" --plugin "$work/build/json_mirror.so" \
  --config "$work/template/conformance/config.json" --gtest_brief=1
ctest --test-dir "$work/build" --output-on-failure
echo "out-of-tree template build and conformance: OK"
