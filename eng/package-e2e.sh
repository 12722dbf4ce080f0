#!/usr/bin/env bash
# End-to-end check of the two packages (Executor, Executor.Analyzers) as users get them. It runs the README's
# install block (pack the solution into a folder, nuget.config with that folder as a source, add the package with an
# explicit version), with only the folder and the version replaced, then checks in fresh projects outside the repo:
#   (pkg)  the packages' contents: lib/netstandard2.0 + lib/net8.0, one analyzer copy, the dependency between the two
#          packages, the .snupkg with SourceLink, icon, and absolute links in each package README;
#   (a-e)  a net10.0 console app on Executor: warnings, .editorconfig severity and options (EXEC000 on a malformed
#          entry), dotnet format fixes;
#   (ns-a) a netstandard2.0 library on Executor.Analyzers alone: EXEC001 on a ContinueWith race, fixed by dotnet format,
#          and the analyzers do not flow into the library's own package;
#   (ns-r) a netstandard2.0 library on Executor, run from a net8.0 app: the runtime works across the two assets;
#   (both) a project referencing both packages: one analyzer, each diagnostic once.
# Exits non-zero on the first failed check.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
# KEEP=1 keeps the temp folder for a look after a failure.
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
fail() { echo "package-e2e: FAIL: $*" >&2; exit 1; }
# A fresh version every run (and an isolated package cache below): a same-version repack would be served from the cache.
version="0.1.0-e2e.$(date +%s).$$"
feed="$work/feed"
consumer="$work/consumer"

# The README's install block: the commands between the marker and the end of the next ```sh block, comments dropped.
install_cmds=$(awk '/<!-- package-e2e: install-local/ {m=1; next} m && /^```sh/ {b=1; next} b && /^```/ {exit} b && !/^#/ && NF' "$repo/README.md")
[ "$(echo "$install_cmds" | grep -c .)" -ge 4 ] || fail "README install block not found or too short: $install_cmds"
echo "$install_cmds" | grep -q '^dotnet pack Analyzers.sln ' || fail "README install block does not start with dotnet pack Analyzers.sln"
readme_version=$(echo "$install_cmds" | grep -o 'Version=[^ ]*' | head -1 | cut -d= -f2)
[ -n "$readme_version" ] || fail "README install block names no version"
# Replace only the feed folder and the version; the commands stay as written.
install_cmds=$(echo "$install_cmds" | sed -e "s#~/executor-feed#$feed#g" -e "s#$readme_version#$version#g")
pack_cmd=$(echo "$install_cmds" | grep '^dotnet pack ')
consume_cmds=$(echo "$install_cmds" | grep -v '^dotnet pack ')
echo "$consume_cmds" | grep -q "^dotnet add package Executor --version $version\$" || fail "README install block does not add Executor with an explicit version"

echo "== pack (README step 1): $pack_cmd =="
(cd "$repo" && eval "$pack_cmd") > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; fail "pack failed"; }

# From here on, restores use an isolated cache, as on a fresh machine; nothing stale is reused.
export NUGET_PACKAGES="$work/packages"

echo "== (pkg) package contents =="
nupkg="$feed/Executor.$version.nupkg"
anupkg="$feed/Executor.Analyzers.$version.nupkg"
for f in "$nupkg" "$anupkg" "$feed/Executor.$version.snupkg"; do [ -f "$f" ] || fail "no $(basename "$f") in the feed: $(ls "$feed")"; done
contents=$(unzip -l "$nupkg")
for entry in lib/netstandard2.0/Executor.Runtime.dll lib/netstandard2.0/Executor.Runtime.xml lib/net8.0/Executor.Runtime.dll lib/net8.0/Executor.Runtime.xml README.md icon.png; do
  echo "$contents" | grep -q " $entry\$" || fail "Executor lacks $entry"
done
# One analyzer copy: it lives in Executor.Analyzers only, and Executor depends on it (same version, analyzers not excluded).
if echo "$contents" | grep -q 'analyzers/'; then fail "Executor embeds analyzers (it must depend on Executor.Analyzers instead)"; fi
nuspec=$(unzip -p "$nupkg" Executor.nuspec)
echo "$nuspec" | grep -q "<dependency id=\"Executor.Analyzers\" version=\"$version\"" || fail "Executor does not depend on Executor.Analyzers $version"
if echo "$nuspec" | grep 'id="Executor.Analyzers"' | grep -qi 'exclude='; then fail "Executor's dependency on Executor.Analyzers excludes assets"; fi
if echo "$nuspec" | grep -qi 'Microsoft.CodeAnalysis'; then fail "Executor leaks a Roslyn dependency"; fi
acontents=$(unzip -l "$anupkg")
for entry in analyzers/dotnet/cs/Executor.Analyzers.dll analyzers/dotnet/cs/Executor.CodeFixes.dll README.md icon.png; do
  echo "$acontents" | grep -q " $entry\$" || fail "Executor.Analyzers lacks $entry"
done
if echo "$acontents" | grep -q ' lib/'; then fail "Executor.Analyzers has a lib/ folder"; fi
anuspec=$(unzip -p "$anupkg" Executor.Analyzers.nuspec)
echo "$anuspec" | grep -q '<developmentDependency>true</developmentDependency>' || fail "Executor.Analyzers is not a developmentDependency"
if echo "$anuspec" | grep -q '<dependency '; then fail "Executor.Analyzers has dependencies"; fi
# Symbols with SourceLink to the canonical repository.
snupkg_contents=$(unzip -l "$feed/Executor.$version.snupkg")
for entry in lib/netstandard2.0/Executor.Runtime.pdb lib/net8.0/Executor.Runtime.pdb; do
  echo "$snupkg_contents" | grep -q " $entry\$" || fail "the .snupkg lacks $entry"
done
unzip -p "$feed/Executor.$version.snupkg" lib/net8.0/Executor.Runtime.pdb | grep -aq 'raw.githubusercontent.com/executor-dotnet/executor/' || fail "the PDB has no SourceLink to the repository"
# Package READMEs: every link absolute (relative links break on the package gallery).
for pkg in "$nupkg" "$anupkg"; do
  links=$(unzip -p "$pkg" README.md | grep -oE '\]\([^)]*\)|^\[[^]]+\]: *[^ ]+|(href|src)="[^"]*"' | sed -E 's/^\]\(//; s/\)$//; s/^\[[^]]+\]: *//; s/^(href|src)="//; s/"$//' || true)
  [ -n "$links" ] || fail "$(basename "$pkg"): README has no links (the link check found nothing to check)"
  bad=$(echo "$links" | grep -vE '^https://' || true)
  [ -z "$bad" ] || fail "$(basename "$pkg"): README has links that are not absolute https URLs: $bad"
  echo "$(basename "$pkg"): $(echo "$links" | wc -l) README links, all absolute"
done

# Stop MSBuild from picking up anything of the repo or of parent folders, in every consumer below.
shield() {
  echo '<Project />' > "$1/Directory.Build.props"
  echo '<Project />' > "$1/Directory.Build.targets"
  echo '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>' > "$1/Directory.Packages.props"
}

echo "== README step 2 in a new console project =="
mkdir -p "$consumer"
shield "$consumer"
(cd "$consumer" && dotnet new console -n Consumer -o . --framework net10.0 > "$work/new.log" 2>&1) || { cat "$work/new.log"; fail "dotnet new console failed"; }
while IFS= read -r cmd; do
  echo "\$ $cmd"
  (cd "$consumer" && eval "$cmd") > "$work/step.log" 2>&1 || { cat "$work/step.log"; fail "README step failed: $cmd"; }
done <<< "$consume_cmds"
grep -q "<PackageReference Include=\"Executor\" Version=\"$version\"" "$consumer/Consumer.csproj" || { cat "$consumer/Consumer.csproj"; fail "the README steps did not add Executor $version"; }
cat > "$consumer/Program.cs" <<'CS'
using Executor;

var tally = new Tally();
using (var pool = new ThreadPoolExecutor(4))
{
    for (int i = 0; i < 1000; i++)
    {
        pool.Submit(() => 1).AddDoneCallback(f => tally.Total += f.Result());
    }

    foreach (var task in new[] { Task.Run(() => 1), Task.Run(() => 2) }) task.ContinueWith(t => tally.Continuations++);
}

Console.WriteLine($"total {tally.Total}");

class Tally
{
    public int Continuations;
    public int Total;
}
CS
printf 'root = true\n\n[*.cs]\n' > "$consumer/.editorconfig"
build() { dotnet build "$consumer" --no-incremental -nologo > "$work/build.log" 2>&1; }
check_loads() { if grep -E 'CS9057|CS8032' "$work/build.log"; then fail "the analyzer did not load (CS9057/CS8032)"; fi; }

echo "== (a) build shows EXEC001 at the expected file and line =="
build || { cat "$work/build.log"; fail "consumer did not build"; }
check_loads
grep 'EXEC001' "$work/build.log" | sort -u
grep -q 'Program.cs(8,51): warning EXEC001' "$work/build.log" || fail "no EXEC001 at Program.cs(8,51) (the AddDoneCallback update of tally.Total)"
grep -Eq 'Program.cs\(11,[0-9]+\): warning EXEC001' "$work/build.log" || fail "no EXEC001 at Program.cs line 11 (the ContinueWith increment)"

echo "== (b) severity = error fails the build; none silences it =="
printf 'root = true\n\n[*.cs]\ndotnet_diagnostic.EXEC001.severity = error\n' > "$consumer/.editorconfig"
if build; then fail "severity = error did not fail the build"; fi
grep -q 'error EXEC001' "$work/build.log" || fail "severity = error: no 'error EXEC001'"
printf 'root = true\n\n[*.cs]\ndotnet_diagnostic.EXEC001.severity = none\n' > "$consumer/.editorconfig"
build || { cat "$work/build.log"; fail "severity = none build failed"; }
if grep -q 'EXEC001' "$work/build.log"; then fail "severity = none still reports EXEC001"; fi

echo "== (c) an option key changes what is reported =="
printf 'root = true\n\n[*.cs]\ndotnet_code_quality.EXEC001.include_dotnet_callback_apis = false\n' > "$consumer/.editorconfig"
build || { cat "$work/build.log"; fail "option build failed"; }
grep -q 'Program.cs(8,51): warning EXEC001' "$work/build.log" || fail "the AddDoneCallback report vanished with the option"
if grep -Eq 'Program.cs\(11,[0-9]+\): (warning|error) EXEC001' "$work/build.log"; then fail "include_dotnet_callback_apis = false still reports ContinueWith"; fi
printf 'root = true\n\n[*.cs]\ndotnet_code_quality.EXEC001.thread_safe_types = T:Tally\n' > "$consumer/.editorconfig"
build || { cat "$work/build.log"; fail "option build failed"; }
if grep -q 'EXEC001' "$work/build.log"; then fail "thread_safe_types = T:Tally still reports"; fi
# A malformed entry (no T: prefix) is not ignored silently: EXEC000 names key, entry and the expected form.
printf 'root = true\n\n[*.cs]\ndotnet_code_quality.EXEC001.thread_safe_types = Tally\ndotnet_diagnostic.EXEC000.severity = warning\n' > "$consumer/.editorconfig"
build || { cat "$work/build.log"; fail "option build failed"; }
grep -q "warning EXEC000: 'dotnet_code_quality.EXEC001.thread_safe_types' entry 'Tally' has no documentation ID prefix; expected 'T:Namespace.Type'" "$work/build.log" || { grep EXEC00 "$work/build.log" || true; fail "no EXEC000 for the entry 'Tally' without its T: prefix"; }
printf 'root = true\n\n[*.cs]\n' > "$consumer/.editorconfig"

echo "== (e) dotnet format --verify-no-changes fails before the fix =="
if dotnet format analyzers "$consumer/Consumer.csproj" --diagnostics EXEC001 --severity warn --verify-no-changes > "$work/verify.log" 2>&1; then
  cat "$work/verify.log"; fail "--verify-no-changes exited 0 with EXEC001 pending"
fi

echo "== (d) dotnet format analyzers fixes the file; the rebuild is clean =="
cp "$consumer/Program.cs" "$work/before.cs"
dotnet format analyzers "$consumer/Consumer.csproj" --diagnostics EXEC001 --severity warn
if cmp -s "$work/before.cs" "$consumer/Program.cs"; then fail "dotnet format changed nothing"; fi
diff -u "$work/before.cs" "$consumer/Program.cs" | sed -n '3,$p' || true
build || { cat "$work/build.log"; fail "fixed consumer did not build"; }
check_loads
if grep -q 'EXEC001' "$work/build.log"; then grep EXEC001 "$work/build.log"; fail "EXEC001 remains after dotnet format"; fi

echo "== (e) dotnet format --verify-no-changes passes after the fix =="
dotnet format analyzers "$consumer/Consumer.csproj" --diagnostics EXEC001 --severity warn --verify-no-changes || fail "--verify-no-changes fails after the fix"
dotnet run --project "$consumer" --no-build | tee "$work/run.log"
grep -q '^total 1000$' "$work/run.log" || fail "the fixed consumer lost updates"

# A new project folder with the README's nuget.config (the local folder as a source).
new_project() { mkdir -p "$1"; shield "$1"; cp "$consumer/nuget.config" "$1/nuget.config"; }
add_package() { (cd "$1" && dotnet add package "$2" --version "$version") > "$work/add.log" 2>&1 || { cat "$work/add.log"; fail "dotnet add package $2 failed in $1"; }; }
build_dir() { dotnet build "$1" --no-incremental -nologo > "$work/build.log" 2>&1; }
# The build log up to its summary (which repeats every warning), so each diagnostic is counted once.
before_summary() { sed -E '/^Build (succeeded|FAILED)\.$/q' "$work/build.log"; }

echo "== (ns-a) a netstandard2.0 library with Executor.Analyzers only: EXEC001 on a ContinueWith race, dotnet format fixes it =="
nslib="$work/NsLib"
new_project "$nslib"
cat > "$nslib/NsLib.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <PackageId>NsLib</PackageId>
    <Version>1.0.0</Version>
  </PropertyGroup>
</Project>
XML
cat > "$nslib/Tracker.cs" <<'CS'
using System.Threading.Tasks;

namespace NsLib
{
    public class Tracker
    {
        private int _completed;

        public int Completed => _completed;

        public void TrackAll(Task[] tasks)
        {
            foreach (var task in tasks)
            {
                task.ContinueWith(t => _completed++);
            }
        }
    }
}
CS
add_package "$nslib" Executor.Analyzers
# developmentDependency: dotnet add package marks the reference private, so it does not flow to the library's users.
grep -A3 '<PackageReference Include="Executor.Analyzers"' "$nslib/NsLib.csproj" | grep -q '<PrivateAssets>all</PrivateAssets>' || { cat "$nslib/NsLib.csproj"; fail "Executor.Analyzers was not added with PrivateAssets=all"; }
build_dir "$nslib" || { cat "$work/build.log"; fail "the netstandard2.0 library did not build"; }
check_loads
grep -Eq 'Tracker.cs\(15,40\): warning EXEC001' "$work/build.log" || { grep EXEC001 "$work/build.log" || true; fail "no EXEC001 at Tracker.cs(15,40) (the ContinueWith increment in a loop)"; }
if [ -e "$nslib/bin/Debug/netstandard2.0/Executor.Analyzers.dll" ]; then fail "the analyzer was copied into the library's output"; fi
dotnet format analyzers "$nslib/NsLib.csproj" --diagnostics EXEC001 --severity warn > "$work/format.log" 2>&1 || { cat "$work/format.log"; fail "dotnet format failed on the netstandard2.0 library"; }
grep -Eq 'Interlocked.Increment\(ref _completed\)|lock \(' "$nslib/Tracker.cs" || { cat "$nslib/Tracker.cs"; fail "dotnet format did not fix Tracker.cs"; }
build_dir "$nslib" || { cat "$work/build.log"; fail "the fixed netstandard2.0 library did not build"; }
if grep -q 'EXEC001' "$work/build.log"; then grep EXEC001 "$work/build.log"; fail "EXEC001 remains in the netstandard2.0 library after dotnet format"; fi
(cd "$nslib" && dotnet pack -o "$work/nslib-feed" -nologo) > "$work/nspack.log" 2>&1 || { cat "$work/nspack.log"; fail "the netstandard2.0 library did not pack"; }
if unzip -p "$work/nslib-feed/NsLib.1.0.0.nupkg" NsLib.nuspec | grep -q 'Executor'; then fail "Executor.Analyzers flows into the library's package (developmentDependency broken)"; fi

echo "== (ns-r) a netstandard2.0 library on Executor, run from a net8.0 app =="
rlib="$work/RunLib"
app="$work/App8"
new_project "$rlib"
new_project "$app"
cat > "$rlib/RunLib.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <LangVersion>latest</LangVersion>
  </PropertyGroup>
</Project>
XML
cat > "$rlib/Squares.cs" <<'CS'
using System.Collections.Generic;
using Executor;

namespace RunLib
{
    public static class Squares
    {
        private static int s_callbacks;

        public static string Run(int n)
        {
            using (var pool = new ThreadPoolExecutor(2))
            {
                var futures = new List<Future>();
                for (int i = 1; i <= n; i++)
                {
                    int k = i;
                    futures.Add(pool.Submit(() => k * k));
                }

                DoneAndNotDone result = Futures.Wait(futures);
                IReadOnlySet<Future> done = result.Done;
                DoneAndNotDone swapped = result with { NotDone = result.Done };
                long sum = 0;
                foreach (Future f in done)
                {
                    sum += ((Future<int>)f).Result();
                }

                return $"done {done.Count} notdone {result.NotDone.Count} swapped {swapped.NotDone.Count} sum {sum}";
            }
        }

        public static void CountCallbacks(ThreadPoolExecutor pool)
        {
            for (int i = 0; i < 10; i++)
            {
                pool.Submit(() => 1).AddDoneCallback(f => s_callbacks++);
            }
        }
    }
}
CS
add_package "$rlib" Executor
cat > "$app/App8.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net8.0</TargetFramework>
    <!-- Run on whatever newer runtime the machine has. -->
    <RollForward>Major</RollForward>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="../RunLib/RunLib.csproj" />
  </ItemGroup>
</Project>
XML
cat > "$app/Program.cs" <<'CS'
System.Console.WriteLine(RunLib.Squares.Run(10));
System.Console.WriteLine(typeof(Executor.ThreadPoolExecutor).Assembly.GetName().Name + " " + System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(typeof(Executor.ThreadPoolExecutor).Assembly.Location)));
CS
build_dir "$app" || { cat "$work/build.log"; fail "the net8.0 app on the netstandard2.0 library did not build"; }
check_loads
grep -Eq 'Squares.cs\(38,59\): warning EXEC001' "$work/build.log" || { grep EXEC001 "$work/build.log" || true; fail "no EXEC001 in the netstandard2.0 library at Squares.cs(38,59)"; }
grep -q 'lib/netstandard2.0/Executor.Runtime.dll' "$rlib/obj/project.assets.json" || fail "the library did not resolve Executor's netstandard2.0 asset"
grep -q 'lib/net8.0/Executor.Runtime.dll' "$app/obj/project.assets.json" || fail "the app did not resolve Executor's net8.0 asset"
dotnet run --project "$app" --no-build > "$work/run8.log" 2>&1 || { cat "$work/run8.log"; fail "the net8.0 app failed at run time"; }
cat "$work/run8.log"
grep -q '^done 10 notdone 0 swapped 10 sum 385$' "$work/run8.log" || fail "the netstandard2.0 library gave a wrong result on the net8.0 runtime asset"

echo "== (both) a project referencing both packages: one analyzer, each diagnostic once =="
both="$work/Both"
new_project "$both"
(cd "$both" && dotnet new console -n Both -o . --framework net10.0 > "$work/new.log" 2>&1) || { cat "$work/new.log"; fail "dotnet new console failed"; }
cp "$work/before.cs" "$both/Program.cs"
add_package "$both" Executor
add_package "$both" Executor.Analyzers
build_dir "$both" || { cat "$work/build.log"; fail "the project with both packages did not build"; }
check_loads
before_summary | grep 'warning EXEC001' | sed -E 's/: warning EXEC001.*//' | sort | uniq -c
[ "$(before_summary | grep -c 'Program.cs(8,51): warning EXEC001')" = "1" ] || fail "EXEC001 at Program.cs(8,51) is not reported exactly once"
[ "$(before_summary | grep -Ec 'Program.cs\(11,[0-9]+\): warning EXEC001')" = "1" ] || fail "EXEC001 at Program.cs line 11 is not reported exactly once"
analyzers=$(cd "$both" && dotnet msbuild -nologo -restore:false -t:ResolveLockFileAnalyzers -getItem:Analyzer 2>&1 | grep '"Identity"' | grep -o '[^"/]*/[^"]*Executor.Analyzers.dll' || true)
echo "$analyzers"
[ "$(echo "$analyzers" | grep -c .)" = "1" ] || fail "the project with both packages passes Executor.Analyzers.dll to the compiler $(echo "$analyzers" | grep -c .) times"

echo "package-e2e: OK"
