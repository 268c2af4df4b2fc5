#!/usr/bin/env bash
# For measuring what the TCP analysis costs (docs/benchmarks.md, "What the TCP analysis costs"), never for
# use: builds into DIR a copy of the command and SDK (dist/ and build/) whose tracker.wasm has the
# per-packet call into the analysis engine compiled out (asc --use BENCH_NO_ANALYSIS=1; see
# assembly/tracker/analysis-hooks.ts). Blocks are still reset and read, so records carry zero
# counts. Run `npm run build` first; then compare
#   node dist/cli/bin.cjs --threads 1 --format ndjson CAPTURE
#   node DIR/dist/cli/bin.cjs --threads 1 --format ndjson CAPTURE
# or the tracker stage alone: node dist/bench/stages.js CAPTURE against DIR/dist/bench/stages.js.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/build-without-analysis.sh DIR}
[ -f dist/cli/bin.cjs ] || { echo "build-without-analysis: run npm run build first" >&2; exit 1; }
rm -rf "$dir/dist" "$dir/build"
mkdir -p "$dir/build"
cp -r dist "$dir/dist"
cp build/decoder.wasm "$dir/build/"
# The same flags and steps as package.json's build:wasm for the tracker, plus the constant.
npx asc assembly/tracker/index.ts --target release --runtime minimal --importMemory --sharedMemory \
  --enable threads --memoryBase 67108864 --initialMemory 1200 --maximumMemory 65536 \
  --use BENCH_NO_ANALYSIS=1 --outFile "$dir/build/tracker.wasm" --textFile "$dir/build/tracker.wat"
node scripts/reoptimize-wasm.mjs "$dir/build/tracker"
# dist/sdk imports its dependencies at run time.
ln -sfn "$PWD/node_modules" "$dir/node_modules"
echo "built $dir/dist/cli/bin.cjs (analysis engine call compiled out)"
