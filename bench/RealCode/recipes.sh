#!/usr/bin/env bash
# Re-run the EXEC001 real-code measurement (see RESULTS.md) against any Executor analyzer checkout.
#
#   EXECUTOR_ROOT=/path/to/executor-checkout OUT_ROOT=/tmp/realcode-out ./recipes.sh            # all libraries
#   EXECUTOR_ROOT=... OUT_ROOT=... ./recipes.sh redis nlog rabbitmq                            # some of them
#   ./recipes.sh --list                                                                        # names only
#
# Environment:
#   EXECUTOR_ROOT  (required) the Executor checkout whose analyzers are measured (its src/Executor.CodeFixes is built)
#   OUT_ROOT       (required) results go to $OUT_ROOT/<name>/ (build.log, diagnostics.tsv, summary.txt from
#                  analyze-repo.sh, plus diagnostics.unique.tsv and exec-time.txt written here, see postprocess)
#   SRC_ROOT       checkouts of the libraries (default $TMPDIR/realcode-src); a missing one is extracted from the
#                  mirror at the pinned commit
#   MIRROR_ROOT    bare git snapshots from the search tool's `fetch` (default /work/.mirror)
#   ANALYZE_REPO   the driver script (default /work/shared/tools/analyze-repo.sh)
# Builds run one at a time (2-core shared machine). Each needs only the .NET 10 SDK and NuGet.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SRC_ROOT=${SRC_ROOT:-${TMPDIR:-/tmp}/realcode-src}
MIRROR_ROOT=${MIRROR_ROOT:-/work/.mirror}
ANALYZE_REPO=${ANALYZE_REPO:-$(cd "$here/../../.." && pwd)/shared/tools/analyze-repo.sh}

# name | mirror dir (owner+repo) | commit | project (relative to the checkout) | extra dotnet build arguments
LIBS=(
  "redis|StackExchange+StackExchange.Redis|90bbf1fcba1c9cc464c94b96d16c2706f590383f|src/StackExchange.Redis/StackExchange.Redis.csproj|-f net10.0"
  "nlog|NLog+NLog|01a20bc9b61c0d6296e5b6e62a0518a443b944b5|src/NLog/NLog.csproj|-p:TargetFrameworks=netstandard2.1"
  "reactive|dotnet+reactive|56b3e1e9bf3605a4e2bfe08b68c11291896363ab|Rx.NET/Source/src/System.Reactive/System.Reactive.csproj|-p:TargetFrameworks=net8.0 -p:NBGV_GitEngine=Disabled -p:LangVersion=latest"
  "npgsql|npgsql+npgsql|3cb5804b769b000a1fc88ad8e5e764667f0df4a1|src/Npgsql/Npgsql.csproj|"
  "rabbitmq|rabbitmq+rabbitmq-dotnet-client|9579b3d5acb77457ddbd8ad8df655c39ddf00eaf|projects/RabbitMQ.Client/RabbitMQ.Client.csproj|-f net8.0"
  "nats|nats-io+nats.net.v1|e804e7f6ca53a55eaafd1c1b36348a21d6dbb093|src/NATS.Client/NATS.Client.csproj|"
  # zero-report controls (callback-using libraries where the analyzer reported nothing)
  "mqttnet|dotnet+MQTTnet|14463d1ef9f1f119514185c1832905b91bff827d|Source/MQTTnet.AspnetCore/MQTTnet.AspNetCore.csproj|-f net10.0"
  "polly|App-vNext+Polly|173d6d1d2e28a4697f1ac1d22da68f77ff19a0c9|src/Polly/Polly.csproj|-f net6.0"
  "quartz|quartznet+quartznet|d97e7822f25987ad7944249c37ca5573835f171e|src/Quartz/Quartz.csproj|"
  "serilog-file|serilog+serilog-sinks-file|53280f51d74deaa3e1bcde686a1653737832422d|src/Serilog.Sinks.File/Serilog.Sinks.File.csproj|-f net8.0"
  # skipped: HangfireIO/Hangfire c236dd0f930f831ec151e436e138ddc429a02a72 - Hangfire.Core needs LibLog,
  #   MoreLinq.Source.MoreEnumerable.Pairwise, StackTraceFormatter.Source, StackTraceParser.Source (not served here)
)

# Checkout directory name = the repo part of the mirror name (as under /work/realcode/src).
checkout_of() { local m=$1; echo "$SRC_ROOT/${m#*+}"; }

prepare() { # mirror commit
  local mirror=$1 commit=$2 dir; dir=$(checkout_of "$mirror")
  if [ ! -d "$dir" ]; then
    [ -d "$MIRROR_ROOT/$mirror/repo" ] || { echo "no checkout $dir and no mirror $MIRROR_ROOT/$mirror/repo (fetch github:${mirror/+//})" >&2; return 1; }
    mkdir -p "$dir"
    python3 "$here/extract.py" "$MIRROR_ROOT/$mirror/repo" "$dir" "$commit" >/dev/null
  fi
  # Pinned SDKs that the installed .NET 10 SDK does not satisfy (8.0.100/9.0.200 with latestFeature): set aside.
  case $mirror in
    rabbitmq+rabbitmq-dotnet-client|serilog+serilog-sinks-file)
      [ -f "$dir/global.json" ] && mv "$dir/global.json" "$dir/global.json.disabled" ;;
  esac
  return 0
}

# analyze-repo.sh output needs two fixes (its own bugs, see RESULTS.md): rows prefixed with MSBuild's "N:M>" node id
# are not deduplicated, and EXEC analyzer rows whose share prints as "<1" (percent) are not listed.
postprocess() { # out checkout
  local out=$1 dir=$2
  sed -E 's/^[0-9]+:[0-9]+>//' "$out/diagnostics.tsv" | sed "s#^$dir/##" | sort -u >"$out/diagnostics.unique.tsv"
  {
    echo "unique EXEC diagnostics: $(wc -l <"$out/diagnostics.unique.tsv")"
    echo "EXEC analyzer time per compilation (s), including <1% rows:"
    grep -E '^\s+[0-9.]+\s+(<1|[0-9]+)\s+Executor\.Analyzers\.EXEC' "$out/build.log" | awk '{print "  " $1}' || true
    echo "Csc task time:"
    grep -E '^\s+[0-9]+ ms\s+Csc\b' "$out/build.log" | sed 's/^ */  /' || true
  } >"$out/exec-time.txt"
  cat "$out/exec-time.txt"
}

run_one() { # entry
  local name mirror commit proj args dir
  IFS='|' read -r name mirror commit proj args <<<"$1"
  dir=$(checkout_of "$mirror")
  prepare "$mirror" "$commit"
  echo "=== $name ($mirror @ ${commit:0:12}): $proj $args"
  # shellcheck disable=SC2086  # args are deliberately word-split
  (cd "$EXECUTOR_ROOT" && EXECUTOR_ROOT="$EXECUTOR_ROOT" OUT_DIR="$OUT_ROOT/$name" "$ANALYZE_REPO" "$dir/$proj" $args) || true
  postprocess "$OUT_ROOT/$name" "$dir"
}

# The minimal patterns of RESULTS.md (a local project, no mirror): `./recipes.sh patterns`.
run_patterns() {
  # The patterns project is a scratch probe kept outside the repo (its cases are unit tests now); skip it when absent.
  [ -f "$here/patterns/Patterns.csproj" ] || { echo "=== patterns: $here/patterns/Patterns.csproj not present, skipped"; return 0; }
  echo "=== patterns ($here/patterns/Patterns.csproj)"
  (cd "$EXECUTOR_ROOT" && EXECUTOR_ROOT="$EXECUTOR_ROOT" OUT_DIR="$OUT_ROOT/patterns" "$ANALYZE_REPO" "$here/patterns/Patterns.csproj") || true
  postprocess "$OUT_ROOT/patterns" "$here/patterns"
}

if [ "${1:-}" = "--list" ]; then for e in "${LIBS[@]}"; do echo "${e%%|*}"; done; echo patterns; exit 0; fi
: "${EXECUTOR_ROOT:?set EXECUTOR_ROOT to the Executor checkout to measure}"
: "${OUT_ROOT:?set OUT_ROOT to the results directory}"
EXECUTOR_ROOT=$(cd "$EXECUTOR_ROOT" && pwd); mkdir -p "$OUT_ROOT"; OUT_ROOT=$(cd "$OUT_ROOT" && pwd)
for e in "${LIBS[@]}"; do
  name=${e%%|*}
  if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx "$name"; then run_one "$e"; fi
done
if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx patterns; then run_patterns; fi
