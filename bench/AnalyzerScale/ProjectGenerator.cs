using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace AnalyzerScale;

/// <summary>Settings shared by the project generators.</summary>
internal sealed class GeneratorSettings
{
    public string OutputDirectory { get; set; } = "";

    public int Lines { get; set; } = 200_000;

    /// <summary>Number of service files; 0 means one per <see cref="LinesPerFile"/> lines.</summary>
    public int Files { get; set; }

    public int LinesPerFile { get; set; } = 200;

    public int FilesPerModule { get; set; } = 25;

    /// <summary>Fraction of callbacks that are unsafe (each produces exactly one EXEC001).</summary>
    public double UnsafeFraction { get; set; } = 0.05;

    /// <summary>Fraction of generated members that register callbacks.</summary>
    public double CallbackShare { get; set; } = 0.35;

    public int Seed { get; set; } = 20_240_601;

    public string? RuntimeDll { get; set; }

    public string? AnalyzerDll { get; set; }

    /// <summary>Version of Microsoft.VisualStudio.Threading.Analyzers to reference, or null for none.</summary>
    public string? VsThreadingVersion { get; set; } = "18.12.1";

    public bool IncludeOurs { get; set; } = true;

    /// <summary>Whether the SDK's own code analyzers (CAxxxx) run too. Off by default: the compile time then holds only the compiler and the two analyzer packages.</summary>
    public bool NetAnalyzers { get; set; }
}

/// <summary>What a generator wrote, for the manifest and for checking the analyzer's findings.</summary>
internal sealed class GenerationResult
{
    public int Files { get; set; }

    public int Lines { get; set; }

    public int Callbacks { get; set; }

    public int UnsafeCallbacks { get; set; }

    public int ExpectedDiagnostics { get; set; }

    public int Lambdas { get; set; }

    public Dictionary<string, int> TemplateCounts { get; } = new(StringComparer.Ordinal);

    public void Count(Template template)
    {
        TemplateCounts[template.Name] = TemplateCounts.TryGetValue(template.Name, out int n) ? n + 1 : 1;
        Callbacks += template.Callbacks;
        UnsafeCallbacks += template.ExpectedDiagnostics;
        ExpectedDiagnostics += template.ExpectedDiagnostics;
    }
}

/// <summary>Generates a multi-file project: modules of service classes, each file about <see cref="GeneratorSettings.LinesPerFile"/> lines.</summary>
internal static class ProjectGenerator
{
    public const string Usings = """
        using System;
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Executor;
        """;

    public static GenerationResult Generate(GeneratorSettings settings)
    {
        var result = new GenerationResult();
        string src = PrepareDirectory(settings);

        int files = settings.Files > 0 ? settings.Files : Math.Max(1, settings.Lines / settings.LinesPerFile);
        int modules = (files + settings.FilesPerModule - 1) / settings.FilesPerModule;

        result.Lines += WriteFile(Path.Combine(src, "Common.cs"), CommonSource());
        result.Files++;
        for (int m = 0; m < modules; m++)
        {
            result.Lines += WriteFile(Path.Combine(src, ModuleName(m), "ModuleStats.cs"), ModuleStatsSource(m));
            result.Files++;
        }

        // Whatever the common files took is subtracted from the service files' budget so the total lands near Lines.
        int budget = Math.Max(files * 40, settings.Lines - result.Lines);
        long callbackIndex = 0;
        for (int i = 0; i < files; i++)
        {
            int target = (int)((long)budget * (i + 1) / files - (long)budget * i / files);
            var random = new Random(unchecked(settings.Seed + i * 7919));
            string source = ServiceSource(i / settings.FilesPerModule, i, target, random, settings, result, ref callbackIndex);
            result.Lines += WriteFile(Path.Combine(src, ModuleName(i / settings.FilesPerModule), $"Service{i:D5}.cs"), source);
            result.Files++;
        }

        WriteManifest(settings, result, "multi-file");
        return result;
    }

    public static string ModuleName(int module) => "M" + module.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>Creates the output folder with its project file and props files, and returns the source folder.</summary>
    public static string PrepareDirectory(GeneratorSettings settings)
    {
        string root = Path.GetFullPath(settings.OutputDirectory);
        string src = Path.Combine(root, "src");
        if (Directory.Exists(src))
        {
            Directory.Delete(src, recursive: true);
        }

        Directory.CreateDirectory(src);
        string deps = Path.Combine(root, "deps");
        Directory.CreateDirectory(deps);
        string runtimeDll = Path.Combine(deps, "Executor.Runtime.dll");
        string analyzerDll = Path.Combine(deps, "Executor.Analyzers.dll");
        if (settings.RuntimeDll is not null)
        {
            File.Copy(settings.RuntimeDll, runtimeDll, overwrite: true);
        }

        if (settings.IncludeOurs && settings.AnalyzerDll is not null)
        {
            File.Copy(settings.AnalyzerDll, analyzerDll, overwrite: true);
        }

        // Stop MSBuild from importing any Directory.*.props above the output folder (central package management,
        // warnings as errors) and keep the generated project self-contained.
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), """
            <Project>
              <PropertyGroup>
                <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
                <MSBuildTreatWarningsAsErrors>false</MSBuildTreatWarningsAsErrors>
              </PropertyGroup>
            </Project>

            """);
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), """
            <Project>
              <PropertyGroup>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
            </Project>

            """);

        var project = new StringBuilder();
        project.Append("""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Library</OutputType>
                <AssemblyName>Generated</AssemblyName>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <GenerateDocumentationFile>false</GenerateDocumentationFile>
                <NoWarn>$(NoWarn);CS0169;CS0414;CS0649;CS1998</NoWarn>
                <NuGetAudit>false</NuGetAudit>

            """);
        project.Append("    <EnableNETAnalyzers>").Append(settings.NetAnalyzers ? "true" : "false").Append("</EnableNETAnalyzers>\n");
        project.Append("""
              </PropertyGroup>
              <ItemGroup>
                <Compile Remove="deps/**" />
                <Reference Include="Executor.Runtime">
                  <HintPath>deps/Executor.Runtime.dll</HintPath>
                </Reference>

            """);
        if (settings.IncludeOurs)
        {
            project.Append("    <Analyzer Include=\"deps/Executor.Analyzers.dll\" />\n");
        }

        if (settings.VsThreadingVersion is { } version)
        {
            project.Append("    <PackageReference Include=\"Microsoft.VisualStudio.Threading.Analyzers\" Version=\"")
                .Append(version)
                .Append("\" PrivateAssets=\"all\" />\n");
        }

        project.Append("  </ItemGroup>\n</Project>\n");
        File.WriteAllText(Path.Combine(root, "Generated.csproj"), project.ToString());
        return src;
    }

    public static int WriteFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        int lines = 0;
        foreach (char c in text)
        {
            if (c == '\n')
            {
                lines++;
            }
        }

        return lines;
    }

    public static void WriteManifest(GeneratorSettings settings, GenerationResult result, string kind)
    {
        var manifest = new StringBuilder();
        manifest.Append("kind=").Append(kind).Append('\n');
        manifest.Append("seed=").Append(settings.Seed).Append('\n');
        manifest.Append("files=").Append(result.Files).Append('\n');
        manifest.Append("lines=").Append(result.Lines).Append('\n');
        manifest.Append("callbacks=").Append(result.Callbacks).Append('\n');
        manifest.Append("unsafe_callbacks=").Append(result.UnsafeCallbacks).Append('\n');
        manifest.Append("expected_exec001=").Append(result.ExpectedDiagnostics).Append('\n');
        manifest.Append("lambdas_in_big_file=").Append(result.Lambdas).Append('\n');
        manifest.Append("vs_threading=").Append(settings.VsThreadingVersion ?? "none").Append('\n');
        manifest.Append("ours=").Append(settings.IncludeOurs ? "yes" : "no").Append('\n');
        var names = new List<string>(result.TemplateCounts.Keys);
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            manifest.Append("template.").Append(name).Append('=').Append(result.TemplateCounts[name]).Append('\n');
        }

        File.WriteAllText(Path.Combine(Path.GetFullPath(settings.OutputDirectory), "manifest.txt"), manifest.ToString());
    }

    /// <summary>Picks the next callback template; every 1/UnsafeFraction-th callback (exactly, spread evenly) is unsafe.</summary>
    public static Template PickCallback(Random random, GeneratorSettings settings, ref long callbackIndex)
    {
        long index = callbackIndex++;
        bool isUnsafe = Math.Floor((index + 1) * settings.UnsafeFraction) > Math.Floor(index * settings.UnsafeFraction);
        var pool = isUnsafe ? Templates.UnsafeCallbacks : Templates.SafeCallbacks;
        return pool[random.Next(pool.Length)];
    }

    private static string CommonSource() => """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        namespace Gen;

        /// <summary>An order line.</summary>
        public sealed record Order(string Customer, int Quantity, decimal Price);

        /// <summary>Helpers shared by the generated services.</summary>
        public static class Util
        {
            public static async Task<int> ComputeAsync(int value, CancellationToken cancellationToken)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                return value * 31 % 1009;
            }

            public static int Hash(string text)
            {
                int hash = 17;
                foreach (char c in text)
                {
                    hash = unchecked(hash * 31 + c);
                }

                return hash;
            }
        }

        """;

    private static string ModuleStatsSource(int module) => $$"""
        {{Usings}}

        namespace Gen.{{ModuleName(module)}};

        /// <summary>Statistics shared by the services of one module.</summary>
        public sealed class ModuleStats
        {
            private readonly object _gate = new object();
            private long _sum;
            private int _hits;

            public void RecordLocked(long value)
            {
                lock (_gate)
                {
                    _sum += value;
                    _hits++;
                }
            }

            public void Bump()
            {
                _hits++;
            }

            public void OnDone(Future<int> future)
            {
                Interlocked.Add(ref _sum, future.Result());
            }

            public long Snapshot()
            {
                lock (_gate)
                {
                    return _sum + _hits;
                }
            }
        }

        """;

    private static string ServiceSource(int module, int index, int targetLines, Random random, GeneratorSettings settings, GenerationResult result, ref long callbackIndex)
    {
        const int FooterLines = 21;
        string name = $"Service{index:D5}";
        var w = new CodeWriter();
        w.Block(Usings);
        w.Line();
        w.Line($"namespace Gen.{ModuleName(module)};");
        w.Line();
        w.Line($"/// <summary>Generated service {index}.</summary>");
        w.Open($"public sealed class {name}");
        w.Block($$"""
            private readonly object _gate = new object();
            private readonly ThreadPoolExecutor _pool;
            private readonly ModuleStats _stats;
            private readonly List<string> _items = new List<string>();
            private readonly Dictionary<string, int> _cache = new Dictionary<string, int>(StringComparer.Ordinal);
            private readonly ConcurrentQueue<int> _queue = new ConcurrentQueue<int>();
            private readonly int[] _thresholds = new int[4];
            private int _count;
            private long _total;
            private int _last;
            private int _ticks;

            public {{name}}(ThreadPoolExecutor pool, ModuleStats stats)
            {
                _pool = pool;
                _stats = stats;
            }

            public int Count
            {
                get
                {
                    lock (_gate)
                    {
                        return _count;
                    }
                }
            }
            """);

        int id = 0;
        while (w.Lines + FooterLines < targetLines)
        {
            w.Line();
            Template template;
            if (random.NextDouble() < settings.CallbackShare)
            {
                template = PickCallback(random, settings, ref callbackIndex);
            }
            else
            {
                template = Templates.Plain[random.Next(Templates.Plain.Length)];
            }

            result.Count(template);
            w.Block(template.Render(id++, random.Next(1, 100)));
        }

        w.Line();
        w.Block("""
            private static int Compute(int x) => unchecked((x * 31) ^ (x >> 3));

            private void RecordSafe(long value)
            {
                lock (_gate)
                {
                    _total += value;
                    _count++;
                }
            }

            private void RecordUnsafe(long value)
            {
                _total += value;
            }

            public override string ToString() => $"{nameof(_count)}={Count}";
            """);
        w.Close();
        return w.ToString();
    }
}
