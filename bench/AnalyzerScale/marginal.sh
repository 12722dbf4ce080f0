#!/usr/bin/env bash
# What EXEC001 ALONE adds to a build: the same generated project built with only our analyzer (no vs-threading, no
# SDK analyzers) and with -p:RunAnalyzers=false, RUNS times each, interleaved; compares the Csc task times.
#
#   ANALYZERS="current=src/Executor.Analyzers/bin/Release/netstandard2.0/Executor.Analyzers.dll patched=/tmp/x/Executor.Analyzers.dll"
#   SIZE=200000 RUNS=3 WORK=DIR bench/AnalyzerScale/marginal.sh
#
# Needs run.sh's Release builds (the analyzer, the runtime and this app) to exist.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
APP=$REPO/bench/AnalyzerScale/bin/Release/net10.0/AnalyzerScale
RUNTIME_DLL=$REPO/src/Executor.Runtime/bin/Release/net8.0/Executor.Runtime.dll
ANALYZERS=${ANALYZERS:-"current=$REPO/src/Executor.Analyzers/bin/Release/netstandard2.0/Executor.Analyzers.dll"}
SIZE=${SIZE:-200000}
RUNS=${RUNS:-3}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/analyzer-marginal.XXXXXX")}
RESULTS=$WORK/results.tsv
rm -f "$RESULTS"

build() { # DIR LOG [msbuild args...]
  local dir=$1 out=$2; shift 2
  (cd "$dir" && dotnet build -c Release --no-restore --no-incremental -nodeReuse:false -p:UseSharedCompilation=false \
      -p:ReportAnalyzer=true -v:d -clp:PerformanceSummary "$@" > "$out" 2>&1)
}

first=
for entry in $ANALYZERS; do
  name=${entry%%=*}; dll=${entry#*=}
  "$APP" generate --out "$WORK/$name" --lines "$SIZE" --runtime-dll "$RUNTIME_DLL" --analyzer-dll "$dll" --vs-threading none
  (cd "$WORK/$name" && dotnet restore -nologo -v:q > restore.log 2>&1)
  first=${first:-$name}
done

for run in $(seq 1 "$RUNS"); do
  for entry in $ANALYZERS; do
    name=${entry%%=*}
    build "$WORK/$name" "$WORK/$name/build-$run.log"
    "$APP" parse-log --log "$WORK/$name/build-$run.log" --results "$RESULTS" --case "ours-only-$name" --kind multi-file \
      --run "$run" --manifest "$WORK/$name/manifest.txt" | head -1
  done
  build "$WORK/$first" "$WORK/$first/none-$run.log" -p:RunAnalyzers=false
  "$APP" parse-log --log "$WORK/$first/none-$run.log" --results "$RESULTS" --case none --kind baseline --run "$run" \
    --manifest "$WORK/$first/manifest.txt" | head -1
done
echo "results: $RESULTS"
