#!/usr/bin/env bash
# End-to-end check of the Executor package as users consume it: pack with a fresh version into a local feed, create a
# console project outside the repo that references the package through a nuget.config, and check what users see:
# build warnings, .editorconfig severity and options, dotnet format fixes. Exits non-zero on the first failed check.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "package-e2e: FAIL: $*" >&2; exit 1; }
# A fresh version every run: a same-version repack would be served from the restore cache.
version="0.1.0-e2e.$(date +%s).$$"
feed="$work/feed"
consumer="$work/consumer"
export NUGET_PACKAGES="$work/packages"   # an isolated cache, so nothing stale is reused

echo "== pack Executor $version =="
dotnet pack "$repo/src/Executor.Runtime/Executor.Runtime.csproj" -c Release -o "$feed" -p:Version="$version" -nologo > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; fail "pack failed"; }
nupkg="$feed/Executor.$version.nupkg"
[ -f "$nupkg" ] || fail "no package at $nupkg"
contents=$(unzip -l "$nupkg")
for entry in lib/net8.0/Executor.Runtime.dll lib/net8.0/Executor.Runtime.xml analyzers/dotnet/cs/Executor.Analyzers.dll analyzers/dotnet/cs/Executor.CodeFixes.dll README.md; do
  echo "$contents" | grep -q " $entry\$" || fail "package lacks $entry"
done
if unzip -p "$nupkg" Executor.nuspec | grep -qi 'Microsoft.CodeAnalysis'; then fail "the package leaks a Roslyn dependency"; fi

mkdir -p "$consumer"
cat > "$consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
# Stop MSBuild from picking up anything of the repo or of parent folders.
echo '<Project />' > "$consumer/Directory.Build.props"
echo '<Project />' > "$consumer/Directory.Build.targets"
echo '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>' > "$consumer/Directory.Packages.props"
cat > "$consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Executor" Version="$version" />
  </ItemGroup>
</Project>
XML
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
echo "package-e2e: OK"
