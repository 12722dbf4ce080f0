#!/usr/bin/env bash
# Interleaved builds of the same generated projects with two analyzer DLLs (base and new), swapping
# deps/Executor.Analyzers.dll before each build; the order of the two alternates between runs.
# Usage: BASE=base.dll NEW=new.dll RUNS=3 SIZES="50000 100000" WORK=/tmp/cost OUT=results.tsv compare.sh
set -euo pipefail
TOOLS=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-3}; SIZES=${SIZES:-"50000 100000"}; OUT=${OUT:-$WORK/results.tsv}
FIRST=${FIRST_RUN:-1}
for run in $(seq "$FIRST" $((FIRST + RUNS - 1))); do
  if [ $((run % 2)) = 1 ]; then order="base new"; else order="new base"; fi
  for size in $SIZES; do
    dir=$WORK/multi-$size
    for variant in $order; do
      if [ "$variant" = base ]; then dll=$BASE; else dll=$NEW; fi
      cp "$dll" "$dir/deps/Executor.Analyzers.dll"
      log=$WORK/logs/multi-$size-$variant-$run.log; mkdir -p "$WORK/logs" "$WORK/diags"
      (cd "$dir" && dotnet build -c Release --no-restore --no-incremental -nodeReuse:false \
        -p:UseSharedCompilation=false -p:ReportAnalyzer=true -v:d -clp:PerformanceSummary > "$log" 2>&1) || { echo "build failed: $log"; exit 1; }
      python3 "$TOOLS/parse.py" "$log" "multi-$size" "$variant" "$run" "$OUT" "$WORK/diags/multi-$size-$variant-$run.txt"
    done
  done
done
