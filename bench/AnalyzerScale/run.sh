#!/usr/bin/env bash
# Analyzer cost at scale: EXEC001 against Microsoft.VisualStudio.Threading.Analyzers.
#
# Generates projects of SIZES lines (and one-big-file projects of BIG_SIZES lines) OUTSIDE the repository, builds
# each RUNS times with `dotnet build -c Release --no-incremental -p:ReportAnalyzer=true -v:d -clp:PerformanceSummary`,
# reads the compiler's "Total analyzer execution time" table and the Csc task time, and prints the medians, the
# ratios and the targets. Then measures the IDE path (single-document analysis) on the largest projects.
#
# Knobs (environment variables):
#   SIZES="50000 100000 200000"  RUNS=2        multi-file projects and builds per size
#   BIG_SIZES="1000 2000 4000 8000"  BIG_RUNS=2  one-big-file projects (vs-threading issue #701 pattern)
#   BASELINE=1     one extra build per size with -p:RunAnalyzers=false (the compiler alone)
#   IDE=1          run the IDE-path harness on the largest multi-file and big-file projects
#   VS_THREADING=18.12.1   package version to compare against
#   WORK=DIR       where to put the generated projects and logs (default: a new mktemp -d folder)
#   ANALYZER_DLL=PATH      analyzer to measure (default: src/Executor.Analyzers built in Release)
#
# Usage: bench/AnalyzerScale/run.sh            (about 15 minutes on a quiet 2-core machine; more on a busy one)
#        SIZES=20000 RUNS=1 BIG_SIZES=2000 BIG_RUNS=1 IDE=0 BASELINE=0 bench/AnalyzerScale/run.sh   (smoke test)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIZES=${SIZES:-"50000 100000 200000"}
RUNS=${RUNS:-2}
BIG_SIZES=${BIG_SIZES:-"1000 2000 4000 8000"}
BIG_RUNS=${BIG_RUNS:-2}
BASELINE=${BASELINE:-1}
IDE=${IDE:-1}
VS_THREADING=${VS_THREADING:-18.12.1}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/analyzer-scale.XXXXXX")}
mkdir -p "$WORK"
RESULTS=$WORK/results.tsv
rm -f "$RESULTS"
START=$(date +%s)

log() { printf '[%4ds] %s\n' "$(( $(date +%s) - START ))" "$*"; }

cd "$REPO"
log "work folder: $WORK"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "dotnet SDK: $(dotnet --version)"
  echo "vs-threading analyzers: $VS_THREADING"
  echo "sizes: $SIZES x $RUNS runs; big file: $BIG_SIZES x $BIG_RUNS runs; baseline: $BASELINE; ide: $IDE"
} > "$WORK/environment.txt"

log "building the analyzer, the runtime and the harness (Release)"
dotnet build src/Executor.Analyzers -c Release -nologo -v:q > "$WORK/build-tools.log" 2>&1
dotnet build src/Executor.Runtime -c Release -nologo -v:q >> "$WORK/build-tools.log" 2>&1
dotnet build bench/AnalyzerScale -c Release -nologo -v:q >> "$WORK/build-tools.log" 2>&1
APP=$REPO/bench/AnalyzerScale/bin/Release/net10.0/AnalyzerScale
ANALYZER_DLL=${ANALYZER_DLL:-$REPO/src/Executor.Analyzers/bin/Release/netstandard2.0/Executor.Analyzers.dll}
RUNTIME_DLL=$REPO/src/Executor.Runtime/bin/Release/net8.0/Executor.Runtime.dll
COMMON=(--runtime-dll "$RUNTIME_DLL" --analyzer-dll "$ANALYZER_DLL" --vs-threading "$VS_THREADING")

# One build, measured: a fresh csc process (no compiler server), so every run pays the same start-up.
measure() { # DIR LOG [extra msbuild args...]
  local dir=$1 out=$2; shift 2
  (cd "$dir" && dotnet build -c Release --no-restore --no-incremental -nodeReuse:false \
      -p:UseSharedCompilation=false -p:ReportAnalyzer=true -v:d -clp:PerformanceSummary "$@" > "$out" 2>&1) \
    || { log "BUILD FAILED: $dir (see $out)"; grep -E ': error ' "$out" | sort -u | head -20; exit 1; }
}

log "generating projects"
for size in $SIZES; do
  "$APP" generate --out "$WORK/multi-$size" --lines "$size" "${COMMON[@]}" | sed 's/^/    /'
  (cd "$WORK/multi-$size" && dotnet restore -nologo -v:q > restore.log 2>&1)
done
for size in $BIG_SIZES; do
  "$APP" big-file --out "$WORK/big-$size" --lines "$size" "${COMMON[@]}" | sed 's/^/    /'
  (cd "$WORK/big-$size" && dotnet restore -nologo -v:q > restore.log 2>&1)
done

# Runs are interleaved (all sizes, then all sizes again) so a noisy minute does not hit one size only.
for run in $(seq 1 "$RUNS"); do
  for size in $SIZES; do
    log "multi-file $size lines, run $run"
    measure "$WORK/multi-$size" "$WORK/multi-$size/build-$run.log"
    "$APP" parse-log --log "$WORK/multi-$size/build-$run.log" --results "$RESULTS" --case "multi-$size" \
      --kind multi-file --run "$run" --manifest "$WORK/multi-$size/manifest.txt" | sed 's/^/    /'
  done
done

if [ "$BASELINE" = 1 ]; then
  for size in $SIZES; do
    log "multi-file $size lines, compiler only (-p:RunAnalyzers=false)"
    measure "$WORK/multi-$size" "$WORK/multi-$size/build-baseline.log" -p:RunAnalyzers=false
    "$APP" parse-log --log "$WORK/multi-$size/build-baseline.log" --results "$RESULTS" --case "multi-$size" \
      --kind baseline --run 1 --manifest "$WORK/multi-$size/manifest.txt" | sed 's/^/    /'
  done
fi

for run in $(seq 1 "$BIG_RUNS"); do
  for size in $BIG_SIZES; do
    log "one big file, $size lines, run $run"
    measure "$WORK/big-$size" "$WORK/big-$size/build-$run.log"
    "$APP" parse-log --log "$WORK/big-$size/build-$run.log" --results "$RESULTS" --case "big-$size" \
      --kind big-file --run "$run" --manifest "$WORK/big-$size/manifest.txt" | sed 's/^/    /'
  done
done

log "summary"
"$APP" summarize --results "$RESULTS" --out "$WORK/summary.md"

if [ "$IDE" = 1 ]; then
  largest=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
  log "IDE path: 20 documents of the $largest-line project"
  "$APP" --ide --project "$WORK/multi-$largest" --docs 20 --rounds 2 --sets noop,ours,vs-threading \
    --analyzer-dll "$ANALYZER_DLL" --out "$WORK/ide-multi-$largest.tsv" | tee "$WORK/ide-multi-$largest.txt"
  biggest=$(echo "$BIG_SIZES" | tr ' ' '\n' | sort -n | tail -1)
  if [ -n "$biggest" ]; then
    log "IDE path: the one big file of $biggest lines"
    "$APP" --ide --project "$WORK/big-$biggest" --docs 1 --rounds 3 --sets noop,ours,vs-threading \
      --analyzer-dll "$ANALYZER_DLL" --out "$WORK/ide-big-$biggest.tsv" | tee "$WORK/ide-big-$biggest.txt"
  fi
fi

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$WORK/environment.txt"
echo "total time: $(( $(date +%s) - START )) s" >> "$WORK/environment.txt"
log "done; results in $WORK (results.tsv, summary.md, environment.txt, ide-*.txt)"
cat "$WORK/environment.txt"
