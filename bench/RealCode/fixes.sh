#!/usr/bin/env bash
# Apply the EXEC001/EXEC002 code fixes to copies of the real-code libraries with `dotnet format` and measure the result.
#
#   EXECUTOR_ROOT=/path/to/executor-checkout OUT_ROOT=/tmp/fixes-out SRC_ROOT=/work/realcode/src ./fixes.sh nlog rabbitmq
#   EXECUTOR_ROOT=... OUT_ROOT=... ./fixes.sh              # every library of recipes.sh's table
#   ./fixes.sh --list                                      # names only
#
# Environment (as recipes.sh, whose library table - name, checkout, commit, project, build arguments - is read from it):
#   EXECUTOR_ROOT  (required) the Executor checkout whose analyzers and code fixes are measured; its
#                  src/Executor.CodeFixes is built in Release (the output folder holds both Executor.Analyzers.dll and
#                  Executor.CodeFixes.dll, copied to $OUT_ROOT/_analyzers so the run keeps what it measured)
#   OUT_ROOT       (required) results go to $OUT_ROOT/<name>/
#   SRC_ROOT       checkouts of the libraries (default $TMPDIR/realcode-src); never modified. A missing one is extracted
#                  from MIRROR_ROOT (default /work/.mirror) at the pinned commit, as recipes.sh does.
#
# Per library, one at a time (2-core shared machine):
#   1. copy the checkout (tar, without bin/ and obj/ directories) to $OUT_ROOT/<name>/copy and commit it to a throw-away git repository
#      there (attributes `* -text`, so line endings are compared byte for byte);
#   2. inject the analyzers without adding or editing any file of the copy: the environment variables
#      CustomAfterMicrosoftCommonTargets and CustomAfterMicrosoftCommonCrossTargetingTargets (MSBuild reads environment
#      variables as properties, also inside dotnet format's project loader, which takes no -p: arguments) point at
#      $OUT_ROOT/<name>/inject.targets. That file adds both DLLs as Analyzer items and applies the recipe's build
#      arguments that dotnet format cannot take: `-f X` and `-p:TargetFrameworks=X` become TargetFrameworks=X for the
#      recipe's project and every project that lists X, any other `-p:K=V` becomes K=V (set after the project body,
#      so it wins over the project's own value);
#   3. build before the fix (restores too; recipe arguments, warnings not errors) -> before.log, before.tsv;
#   4. dotnet format analyzers <project> --diagnostics EXEC001 EXEC002 --severity warn -v diag --no-restore
#      -> format1.log; `git diff` of the copy -> fixes.diff. dotnet format skips referenced projects, so it runs on the
#      recipe's project and then on the nearest project of each file reported in step 3 (format-projects.txt);
#   5. rebuild (--no-incremental) -> after.log, after.tsv (diagnostics left), errors;
#   6. commit the fixed state, run format again -> format2.log, second-run.diff (empty = idempotent);
#   7. fixes-summary.txt: counts, exit codes, line-ending check of every changed file.
# Then review every hunk of fixes.diff by reading the library code (see fixes-run.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SRC_ROOT=${SRC_ROOT:-${TMPDIR:-/tmp}/realcode-src}
MIRROR_ROOT=${MIRROR_ROOT:-/work/.mirror}

# The library table of recipes.sh: name | mirror dir | commit | project | extra dotnet build arguments
mapfile -t LIBS < <(sed -n '/^LIBS=(/,/^)/p' "$here/recipes.sh" | grep -E '^[[:space:]]*"' | sed -E 's/^[[:space:]]*"//; s/"[[:space:]]*$//')
[ ${#LIBS[@]} -gt 0 ] || { echo "no library table found in $here/recipes.sh" >&2; exit 1; }

if [ "${1:-}" = "--list" ]; then for e in "${LIBS[@]}"; do echo "${e%%|*}"; done; exit 0; fi
: "${EXECUTOR_ROOT:?set EXECUTOR_ROOT to the Executor checkout to measure}"
: "${OUT_ROOT:?set OUT_ROOT to the results directory}"
EXECUTOR_ROOT=$(cd "$EXECUTOR_ROOT" && pwd); mkdir -p "$OUT_ROOT"; OUT_ROOT=$(cd "$OUT_ROOT" && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Build properties that keep the library's warnings-as-errors settings from failing a build on our warnings, and keep
# the shared compiler server (which caches analyzer assemblies by path) out of it.
BUILD_PROPS=(-p:TreatWarningsAsErrors=false -p:WarningsAsErrors= -p:CodeAnalysisTreatWarningsAsErrors=false
  -p:UseSharedCompilation=false -nodeReuse:false)

checkout_of() { echo "$SRC_ROOT/${1#*+}"; }

prepare() { # mirror commit
  local mirror=$1 commit=$2 dir; dir=$(checkout_of "$mirror")
  if [ ! -d "$dir" ]; then
    [ -d "$MIRROR_ROOT/$mirror/repo" ] || { echo "no checkout $dir and no mirror $MIRROR_ROOT/$mirror/repo" >&2; return 1; }
    mkdir -p "$dir"; python3 "$here/extract.py" "$MIRROR_ROOT/$mirror/repo" "$dir" "$commit" >/dev/null
    case $mirror in # pinned SDKs the installed .NET 10 SDK does not satisfy, as in recipes.sh
      rabbitmq+rabbitmq-dotnet-client|serilog+serilog-sinks-file)
        [ -f "$dir/global.json" ] && mv "$dir/global.json" "$dir/global.json.disabled" ;;
    esac
  fi
}

build_analyzers() {
  local log="$OUT_ROOT/analyzer-build.log" bin
  dotnet build "$EXECUTOR_ROOT/src/Executor.CodeFixes" -c Release -nologo -v:q >"$log" 2>&1 \
    || { echo "building the analyzers failed: see $log" >&2; exit 1; }
  bin="$EXECUTOR_ROOT/src/Executor.CodeFixes/bin/Release/netstandard2.0"
  for dll in Executor.Analyzers.dll Executor.CodeFixes.dll; do
    [ -f "$bin/$dll" ] || { echo "missing $bin/$dll" >&2; exit 1; }
  done
  rm -rf "$OUT_ROOT/_analyzers"; mkdir -p "$OUT_ROOT/_analyzers"
  cp "$bin/Executor.Analyzers.dll" "$bin/Executor.CodeFixes.dll" "$OUT_ROOT/_analyzers/"
  { echo "executor: $EXECUTOR_ROOT"
    echo "commit: $(git -C "$EXECUTOR_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
    echo "dirty files: $(git -C "$EXECUTOR_ROOT" status --porcelain 2>/dev/null | wc -l)"
    sha256sum "$OUT_ROOT"/_analyzers/*.dll; } >"$OUT_ROOT/_analyzers/measured.txt"
}

write_inject() { # file project-full-path args...
  local file=$1 project=$2; shift 2
  local props="" a tfm=""
  while [ $# -gt 0 ]; do
    a=$1; shift
    case $a in
      -f|--framework) tfm=$1; shift ;;
      -p:TargetFrameworks=*) tfm=${a#-p:TargetFrameworks=} ;;
      -p:*=*) a=${a#-p:}; props+="    <${a%%=*}>${a#*=}</${a%%=*}>"$'\n' ;;
      *) echo "warning: build argument '$a' not applied to dotnet format" >&2 ;;
    esac
  done
  {
    echo '<Project>'
    echo '  <!-- Written by bench/RealCode/fixes.sh; imported through CustomAfterMicrosoftCommon(CrossTargeting)Targets. -->'
    [ -n "$props" ] && printf '  <PropertyGroup>\n%s  </PropertyGroup>\n' "$props"
    # The framework: for the recipe's project, and for the projects it references that target it too (a build tool
    # project on netstandard2.0 keeps its own, or its restore and build disagree).
    [ -n "$tfm" ] && printf '  <PropertyGroup Condition="%s">\n    <TargetFrameworks>%s</TargetFrameworks>\n  </PropertyGroup>\n' \
      "'\$(MSBuildProjectFullPath)' == '$project' or \$([System.String]::Copy(';\$(TargetFrameworks);').Replace(' ', '').Contains(';$tfm;'))" "$tfm"
    echo '  <ItemGroup>'
    echo "    <Analyzer Include=\"$OUT_ROOT/_analyzers/Executor.Analyzers.dll\" />"
    echo "    <Analyzer Include=\"$OUT_ROOT/_analyzers/Executor.CodeFixes.dll\" />"
    echo '  </ItemGroup>'
    echo '</Project>'
  } >"$file"
}

# Run a dotnet command with the analyzers injected.
injected() { CustomAfterMicrosoftCommonTargets="$INJECT" CustomAfterMicrosoftCommonCrossTargetingTargets="$INJECT" "$@"; }

# Unique EXEC diagnostics of a build log: file, line, column, id, message (relative paths).
exec_rows() { # log copydir
  grep -E ': (warning|error|info) EXEC00[12]: ' "$1" \
    | sed -E 's/^ *[0-9]+>//; s/^ +//; s/ \[[^]]*\]$//' \
    | sed -E 's/^(.*)\(([0-9]+),([0-9]+)\): (warning|error|info) (EXEC[0-9]{3}): (.*)$/\1\t\2\t\3\t\5\t\6/' \
    | sed "s#^$2/##" | sort -u || true
}
error_rows() { # log copydir
  grep -E ': error [A-Z]+[0-9]+' "$1" | sed -E 's/^ *[0-9]+>//; s/^ +//; s/ \[[^]]*\]$//' | sed "s#$2/##" | sort -u || true
}
count_id() { cut -f4 "$1" | grep -cx "$2" || true; }

# dotnet format fixes only the project it is given ("Skipping referenced project"), while the build reports the
# projects it references too: format the recipe's project and the nearest project of every file reported before.
format_projects() { # proj before.tsv
  { echo "$1"
    cut -f1 "$2" | sort -u | while read -r f; do
      local d; d=$(dirname "$f")
      while [ "$d" != . ] && [ "$d" != / ] && ! ls "$COPY/$d"/*.csproj >/dev/null 2>&1; do d=$(dirname "$d"); done
      [ "$d" != . ] && [ "$d" != / ] && [ "$(ls "$COPY/$d"/*.csproj | wc -l)" -eq 1 ] && ls "$COPY/$d"/*.csproj | sed "s#^$COPY/##"
    done; } | awk '!seen[$0]++'
}
run_format() { # log: one format run over format-projects.txt; exit code = the worst
  local log=$1 rc=0 p
  : >"$log"
  while read -r p; do
    echo "##### dotnet format analyzers $p" >>"$log"
    injected dotnet format analyzers "$COPY/$p" --diagnostics EXEC001 EXEC002 --severity warn -v diag --no-restore \
      >>"$log" 2>&1 || rc=$?
  done <"$out/format-projects.txt"
  return $rc
}

git_copy() { git -C "$COPY" -c user.name=fixes.sh -c user.email=fixes@localhost "$@"; }

run_one() { # entry
  local name mirror commit proj args dir out st
  IFS='|' read -r name mirror commit proj args <<<"$1"
  dir=$(checkout_of "$mirror"); prepare "$mirror" "$commit"
  out="$OUT_ROOT/$name"; COPY="$out/copy"; INJECT="$out/inject.targets"
  echo "=== $name ($mirror @ ${commit:0:12}): $proj $args"
  rm -rf "$out"; mkdir -p "$COPY"
  # shellcheck disable=SC2086
  write_inject "$INJECT" "$COPY/$proj" $args
  tar -C "$dir" --exclude=./.git --exclude=bin --exclude=obj -cf - . | tar -C "$COPY" -xf -
  git_copy init -q; git_copy config core.autocrlf false
  echo '* -text' >"$COPY/.git/info/attributes"
  git_copy add -A -f; git_copy commit -q -m "pristine copy of $dir"

  # 3. build before the fix (also restores)
  set +e
  # shellcheck disable=SC2086
  injected dotnet build "$COPY/$proj" --no-incremental -nologo "${BUILD_PROPS[@]}" $args >"$out/before.log" 2>&1
  local before_rc=$?
  exec_rows "$out/before.log" "$COPY" >"$out/before.tsv"
  # 4. format
  local t0=$SECONDS fmt1_rc
  format_projects "$proj" "$out/before.tsv" >"$out/format-projects.txt"
  run_format "$out/format1.log"; fmt1_rc=$?
  local fmt1_s=$((SECONDS - t0))
  git_copy diff >"$out/fixes.diff"
  # 5. rebuild
  # shellcheck disable=SC2086
  injected dotnet build "$COPY/$proj" --no-incremental -nologo "${BUILD_PROPS[@]}" $args >"$out/after.log" 2>&1
  local after_rc=$?
  exec_rows "$out/after.log" "$COPY" >"$out/after.tsv"
  error_rows "$out/after.log" "$COPY" >"$out/after-errors.txt"
  error_rows "$out/before.log" "$COPY" >"$out/before-errors.txt"
  # 6. second format run on the fixed state
  git_copy commit -q -a -m "after format 1" --allow-empty
  local fmt2_rc
  run_format "$out/format2.log"; fmt2_rc=$?
  git_copy diff >"$out/second-run.diff"
  set -e

  # 7. summary
  {
    echo "library: $name ($mirror @ $commit)"
    echo "project: $proj   recipe arguments: ${args:-(none)}"
    echo "inject: $INJECT (environment CustomAfterMicrosoftCommon[CrossTargeting]Targets; no file of the copy added)"
    sed 's/^/  /' "$OUT_ROOT/_analyzers/measured.txt"
    echo "before: build exit $before_rc, EXEC001 $(count_id "$out/before.tsv" EXEC001), EXEC002 $(count_id "$out/before.tsv" EXEC002), errors $(wc -l <"$out/before-errors.txt")"
    echo "formatted projects: $(tr '\n' ' ' <"$out/format-projects.txt")"
    echo "format 1: exit $fmt1_rc, ${fmt1_s}s, files changed $(git_copy diff HEAD~1 --name-only | wc -l), hunks $(grep -c '^@@' "$out/fixes.diff" || true), lines +$(grep -c '^+[^+]' "$out/fixes.diff" || true) -$(grep -c '^-[^-]' "$out/fixes.diff" || true)"
    echo "after: build exit $after_rc ($([ $after_rc -eq 0 ] && echo builds || echo 'DOES NOT BUILD')), EXEC001 left $(count_id "$out/after.tsv" EXEC001), EXEC002 left $(count_id "$out/after.tsv" EXEC002), errors $(wc -l <"$out/after-errors.txt")"
    sed 's/^/  error: /' "$out/after-errors.txt"
    echo "format 2: exit $fmt2_rc, second run changed anything: $([ -s "$out/second-run.diff" ] && echo "YES ($(grep -c '^@@' "$out/second-run.diff") hunks, see second-run.diff)" || echo no)"
    echo "fixed (reported before, not after - by file/id/message, lines move):"
    comm -23 <(cut -f1,4,5 "$out/before.tsv" | sort -u) <(cut -f1,4,5 "$out/after.tsv" | sort -u) | sed 's/^/  /'
    echo "new after the fix (not reported before):"
    comm -13 <(cut -f1,4,5 "$out/before.tsv" | sort -u) <(cut -f1,4,5 "$out/after.tsv" | sort -u) | sed 's/^/  /'
    echo "line endings of changed files (CRLF lines / all lines, before -> after):"
    git_copy diff HEAD~1 --name-only | while read -r f; do
      local b_cr b_all a_cr a_all
      b_cr=$(git_copy show "HEAD~1:$f" | grep -c $'\r$' || true); b_all=$(git_copy show "HEAD~1:$f" | wc -l)
      a_cr=$(grep -c $'\r$' "$COPY/$f" || true); a_all=$(wc -l <"$COPY/$f")
      local mixed=""; { [ "$a_cr" -gt 0 ] && [ "$a_cr" -lt "$a_all" ] && [ "$b_cr" -eq "$b_all" ]; } && mixed="  MIXED (LF lines added to a CRLF file)"
      { [ "$a_cr" -gt 0 ] && [ "$b_cr" -eq 0 ]; } && mixed="  MIXED (CRLF lines added to an LF file)"
      echo "  $f: $b_cr/$b_all -> $a_cr/$a_all$mixed"
    done
    grep -q 'skipanalyzers+' "$out/before.log" && echo "WARNING: a compilation ran with analyzers off (RunAnalyzers=false)"
    echo "logs: before.log after.log format1.log format2.log; diffs: fixes.diff second-run.diff"
  } >"$out/fixes-summary.txt"
  cat "$out/fixes-summary.txt"
}

build_analyzers
# In the order given on the command line (e.g. the slow redis last), else in the table's order.
[ $# -gt 0 ] || set -- $(for e in "${LIBS[@]}"; do echo "${e%%|*}"; done)
for name in "$@"; do
  found=""
  for e in "${LIBS[@]}"; do [ "${e%%|*}" = "$name" ] && found=$e; done
  [ -n "$found" ] || { echo "unknown library '$name' (see --list)" >&2; exit 2; }
  run_one "$found"
done
