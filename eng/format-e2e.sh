#!/usr/bin/env bash
# End-to-end check of the EXEC001 and EXEC002 code fixes as users run them: copy the sample (and the sources it builds from) to a
# temp folder, see the warning at the racy line, clear it with one `dotnet format` command, then rebuild and run;
# the same for EXEC003 at the captured for variable of part 6.
# Exits non-zero with a message on the first check that fails.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "format-e2e: FAIL: $*" >&2; exit 1; }

for item in src samples/DoneCallbackTour Directory.Build.props Directory.Build.targets Directory.Packages.props global.json .editorconfig; do
  mkdir -p "$work/$(dirname "$item")"
  cp -r "$repo/$item" "$work/$item"
done
find "$work" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
sample="$work/samples/DoneCallbackTour"
racy="$sample/RacyCounterDemo.cs"
cp "$racy" "$work/before.cs"
cp "$work/.editorconfig" "$work/editorconfig.orig"

echo "== build: EXEC001 must be reported at the racy line only =="
build_log="$work/build1.log"
dotnet build "$sample" --no-incremental -nologo > "$build_log" 2>&1 || { cat "$build_log"; fail "sample did not build"; }
warnings=$(grep -o 'RacyCounterDemo.cs([0-9]*,[0-9]*): warning EXEC001' "$build_log" | sort -u)
others=$(grep 'warning EXEC001' "$build_log" | grep -v 'RacyCounterDemo.cs' | sort -u || true)
echo "$warnings"
[ "$(echo "$warnings" | grep -c EXEC001)" = "1" ] || fail "expected exactly one EXEC001 in RacyCounterDemo.cs, got: $warnings"
[ -z "$others" ] || fail "EXEC001 outside the racy part: $others"
racy_line=$(grep -n '_racyCount += NextIncrement()' "$racy" | cut -d: -f1)
echo "$warnings" | grep -q "RacyCounterDemo.cs($racy_line," || fail "EXEC001 is not at the racy line $racy_line"

echo "== dotnet format analyzers --diagnostics EXEC001 --severity warn =="
dotnet format analyzers "$sample/DoneCallbackTour.csproj" --diagnostics EXEC001 --severity warn
if cmp -s "$work/before.cs" "$racy"; then fail "dotnet format changed nothing"; fi
echo "--- before/after (diff) ---"
diff -u "$work/before.cs" "$racy" | sed -n '3,$p' || true
# The first action, which dotnet format applies, is Interlocked where it is exactly equivalent (an integer '+=').
grep -q 'Interlocked.Add(ref _racyCount, NextIncrement())' "$racy" || fail "the racy update did not become Interlocked.Add (the default preferred fix)"

echo "== rebuild: zero EXEC001 =="
build_log="$work/build2.log"
dotnet build "$sample" --no-incremental -nologo > "$build_log" 2>&1 || { cat "$build_log"; fail "fixed sample did not build"; }
if grep -q 'EXEC001' "$build_log"; then grep EXEC001 "$build_log"; fail "EXEC001 remains after the fix"; fi

echo "== dotnet format --verify-no-changes (EXEC001) after the fix =="
dotnet format analyzers "$sample/DoneCallbackTour.csproj" --diagnostics EXEC001 --severity warn --verify-no-changes || fail "a second format run would change the file again"

echo "== run the fixed sample =="
run_log="$work/run.log"
dotnet run --project "$sample" --no-build > "$run_log" 2>&1 || { cat "$run_log"; fail "fixed sample did not run"; }
grep 'without a lock' "$run_log"
grep -q 'without a lock: .*lost updates 0 ' "$run_log" || fail "the fixed 'racy' part still loses updates"
echo "== preferred_fix = lock: dotnet format wraps the update in a lock instead =="
cp "$work/before.cs" "$racy"
printf '\n[*.cs]\ndotnet_code_quality.EXEC001.preferred_fix = lock\n' >> "$work/.editorconfig"
dotnet format analyzers "$sample/DoneCallbackTour.csproj" --diagnostics EXEC001 --severity warn
diff -u "$work/before.cs" "$racy" | sed -n '3,$p' || true
grep -B3 '_racyCount += NextIncrement()' "$racy" | grep -q 'lock (_gate)' || fail "with preferred_fix = lock, the racy update is not inside lock (_gate)"
build_log="$work/build3.log"
dotnet build "$sample" --no-incremental -nologo > "$build_log" 2>&1 || { cat "$build_log"; fail "lock-fixed sample did not build"; }
if grep -q 'EXEC001' "$build_log"; then grep EXEC001 "$build_log"; fail "EXEC001 remains after the lock fix"; fi

echo "== EXEC002: exactly one warning, at the parallel loop's racy line =="
# Back to the repository's .editorconfig: EXEC002 falls back to EXEC001's preferred_fix, which the part above set to lock.
cp "$work/editorconfig.orig" "$work/.editorconfig"
work_racy="$sample/WorkRaceDemo.cs"
cp "$work_racy" "$work/work-before.cs"
work_line=$(grep -n '_racyTotal += Weight(i)' "$work_racy" | cut -d: -f1)
build_log="$work/build4.log"
dotnet build "$sample" --no-incremental -nologo > "$build_log" 2>&1 || { cat "$build_log"; fail "sample did not build (EXEC002 part)"; }
exec002=$(grep -o '[A-Za-z]*\.cs([0-9]*,[0-9]*): warning EXEC002' "$build_log" | sort -u)
echo "$exec002"
[ "$(echo "$exec002" | grep -c EXEC002)" = "1" ] || fail "expected exactly one EXEC002, got: $exec002"
echo "$exec002" | grep -q "WorkRaceDemo.cs($work_line," || fail "EXEC002 is not at the racy line $work_line of WorkRaceDemo.cs"

echo "== dotnet format analyzers --diagnostics EXEC002 --severity warn =="
dotnet format analyzers "$sample/DoneCallbackTour.csproj" --diagnostics EXEC002 --severity warn
diff -u "$work/work-before.cs" "$work_racy" | sed -n '3,$p' || true
grep -q 'Interlocked.Add(ref _racyTotal, Weight(i))' "$work_racy" || fail "the racy loop update did not become Interlocked.Add"
build_log="$work/build5.log"
dotnet build "$sample" --no-incremental -nologo > "$build_log" 2>&1 || { cat "$build_log"; fail "EXEC002-fixed sample did not build"; }
if grep -q 'warning EXEC002' "$build_log"; then grep EXEC002 "$build_log"; fail "EXEC002 remains after the fix"; fi
run_log="$work/run2.log"
dotnet run --project "$sample" --no-build > "$run_log" 2>&1 || { cat "$run_log"; fail "EXEC002-fixed sample did not run"; }
grep 'work without a lock' "$run_log"
grep -q 'work without a lock: .*lost updates 0 ' "$run_log" || fail "the fixed parallel loop still loses updates"

echo "== EXEC003: reported at the captured for variable only; dotnet format copies it before the hand-off =="
loop="$sample/LoopVariableDemo.cs"
build_log="$work/build6.log"
dotnet build "$sample" --no-incremental -nologo > "$build_log" 2>&1 || { cat "$build_log"; fail "sample did not build (EXEC003 part)"; }
loop_warnings=$(grep -o '[A-Za-z]*\.cs([0-9]*,[0-9]*): warning EXEC003' "$build_log" | sort -u)
echo "$loop_warnings"
loop_line=$(grep -n 'captured.Add(pool.Submit(() => Square(i)))' "$loop" | cut -d: -f1)
[ "$loop_warnings" = "LoopVariableDemo.cs($loop_line,51): warning EXEC003" ] || fail "expected exactly one EXEC003, at LoopVariableDemo.cs($loop_line,51), got: $loop_warnings"
dotnet format analyzers "$sample/DoneCallbackTour.csproj" --diagnostics EXEC003 --severity warn
grep -q 'captured.Add(pool.Submit(() => Square(iCopy)))' "$loop" && grep -q 'int iCopy = i;' "$loop" || { cat "$loop"; fail "the EXEC003 fix did not copy i into iCopy before the hand-off"; }
build_log="$work/build7.log"
dotnet build "$sample" --no-incremental -nologo > "$build_log" 2>&1 || { cat "$build_log"; fail "EXEC003-fixed sample did not build"; }
if grep -q 'EXEC003' "$build_log"; then grep EXEC003 "$build_log"; fail "EXEC003 remains after the fix"; fi

echo "== preferred_fix = concurrent_collection, and a read-then-clear: one dotnet format run =="
extra="$sample/E2eInbox.cs"
cat > "$extra" <<'CS'
namespace DoneCallbackTour;

internal sealed class E2eInbox
{
    private readonly System.Collections.Generic.List<string> _lines = new();
    private string? _pending;

    public E2eInbox(Executor.ThreadPoolExecutor pool) => pool.Submit(() => "first").AddDoneCallback(f => _pending = f.Result());

    public int Count => _lines.Count;

    public void Watch(Executor.ThreadPoolExecutor pool, int n)
    {
        for (int i = 0; i < n; i++)
        {
            pool.Submit(() => "line").AddDoneCallback(f => _lines.Add(f.Result()));
        }
    }

    public string? Take()
    {
        var pending = _pending;
        _pending = null;
        return pending;
    }
}
CS
printf '\n[*.cs]\ndotnet_code_quality.EXEC001.preferred_fix = concurrent_collection\n' >> "$work/.editorconfig"
build_log="$work/build8.log"
dotnet build "$sample" --no-incremental -nologo > "$build_log" 2>&1 || { cat "$build_log"; fail "sample did not build (collection part)"; }
inbox_warnings=$(grep -o 'E2eInbox\.cs([0-9]*,[0-9]*): warning EXEC001' "$build_log" | sort -u)
echo "$inbox_warnings"
[ "$(echo "$inbox_warnings" | grep -c EXEC001)" -ge 2 ] || fail "expected EXEC001 on the list and on the pending value in E2eInbox.cs, got: $inbox_warnings"
dotnet format analyzers "$sample/DoneCallbackTour.csproj" --diagnostics EXEC001 --severity warn
cat "$extra"
grep -q 'ConcurrentQueue<string> _lines' "$extra" && grep -q '_lines.Enqueue(f.Result())' "$extra" || fail "preferred_fix = concurrent_collection did not swap the list for a ConcurrentQueue"
grep -q 'Interlocked.Exchange(ref _pending, null);' "$extra" && ! grep -q '_pending = null;' "$extra" || fail "the read-then-clear did not become Interlocked.Exchange"
build_log="$work/build9.log"
dotnet build "$sample" --no-incremental -nologo > "$build_log" 2>&1 || { cat "$build_log"; fail "collection-fixed sample did not build"; }
if grep -q 'E2eInbox.cs.*EXEC001' "$build_log"; then grep EXEC001 "$build_log"; fail "EXEC001 remains in E2eInbox.cs after the fix"; fi
cp "$work/editorconfig.orig" "$work/.editorconfig"
rm "$extra"

echo "format-e2e: OK"
