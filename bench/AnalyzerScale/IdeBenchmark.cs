using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AnalyzerScale;

/// <summary>
/// The IDE path: load a generated project as one <see cref="CSharpCompilation"/>, then analyze single documents the
/// way the IDE's diagnostic service does, with
/// <see cref="CompilationWithAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(SemanticModel, TextSpan?, CancellationToken)"/>
/// on that document's semantic model. The compiler's own binding of the document is done first and timed apart
/// (<c>bind ms</c>), so <c>analyze ms</c> is what the analyzers add (including building the IOperation trees they ask
/// for, and whatever other files they make the compiler bind).
/// </summary>
internal static class IdeBenchmark
{
    public sealed class Options
    {
        public string ProjectDirectory { get; set; } = "";

        public int Documents { get; set; } = 20;

        public int Rounds { get; set; } = 2;

        public string? AnalyzerDll { get; set; }

        public string? VsThreadingDirectory { get; set; }

        public string? OutputFile { get; set; }

        /// <summary>
        /// Which analyzer sets to measure, comma-separated: "ours", "vs-threading", "noop" (an analyzer that registers
        /// the same operation actions as ours and does nothing: the driver's and compiler's cost of running any
        /// operation analyzer); "both" means "ours,vs-threading".
        /// </summary>
        public string Sets { get; set; } = "both";

        /// <summary>Analyze the whole compilation at once (like a build) instead of single documents; for profiling.</summary>
        public bool WholeCompilation { get; set; }
    }

    private sealed record Sample(string Set, int Round, string Document, int Lines, double BindMs, double AnalyzeMs, int Diagnostics);

    public static async Task<int> RunAsync(Options options)
    {
        string root = Path.GetFullPath(options.ProjectDirectory);
        var files = Directory.GetFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var stopwatch = Stopwatch.StartNew();
        var trees = files
            .AsParallel()
            .AsOrdered()
            .Select(f => CSharpSyntaxTree.ParseText(SourceText.From(File.ReadAllText(f), Encoding.UTF8), parseOptions, f))
            .ToArray();
        double parseMs = stopwatch.Elapsed.TotalMilliseconds;

        var references = FrameworkReferences();
        references.Add(MetadataReference.CreateFromFile(Path.Combine(root, "deps", "Executor.Runtime.dll")));
        var compilation = CSharpCompilation.Create(
            "Generated",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: true));

        // Declaration pass (symbol tables) once, outside any measurement: the IDE keeps these warm between edits.
        stopwatch.Restart();
        var declarationErrors = compilation.GetDeclarationDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
        double declareMs = stopwatch.Elapsed.TotalMilliseconds;
        int totalLines = trees.Sum(t => t.GetText().Lines.Count);
        Console.WriteLine($"project: {root}");
        Console.WriteLine($"files: {trees.Length}, lines: {totalLines}, parse: {parseMs:F0} ms, declarations: {declareMs:F0} ms, declaration errors: {declarationErrors}");

        var loader = new AnalyzerLoader();
        var sets = new List<(string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers, ImmutableArray<AdditionalText> AdditionalFiles)>();
        string oursPath = Path.GetFullPath(options.AnalyzerDll ?? Path.Combine(root, "deps", "Executor.Analyzers.dll"));
        var ours = new AnalyzerFileReference(oursPath, loader).GetAnalyzers(LanguageNames.CSharp);
        sets.Add(("EXEC001 (ours)", ours, ImmutableArray<AdditionalText>.Empty));
        Console.WriteLine($"ours: {oursPath}: {ours.Length} analyzer(s)");

        string? vsDirectory = options.VsThreadingDirectory ?? FindVsThreadingDirectory(root);
        var wanted = new HashSet<string>((options.Sets == "both" ? "ours,vs-threading" : options.Sets).Split(','), StringComparer.Ordinal);
        if (!wanted.Contains("vs-threading"))
        {
            Console.WriteLine("vs-threading: not requested (--sets)");
        }
        else if (vsDirectory is null)
        {
            Console.WriteLine("vs-threading: not found (pass --vs-threading-dir .../analyzers/cs); measuring ours only.");
        }
        else
        {
            try
            {
                var analyzers = ImmutableArray.CreateBuilder<DiagnosticAnalyzer>();
                foreach (var dll in Directory.GetFiles(vsDirectory, "*.dll").OrderBy(f => f, StringComparer.Ordinal))
                {
                    loader.AddDependencyLocation(dll);
                }

                foreach (var dll in Directory.GetFiles(vsDirectory, "*.dll").OrderBy(f => f, StringComparer.Ordinal))
                {
                    var reference = new AnalyzerFileReference(dll, loader);
                    reference.AnalyzerLoadFailed += (_, e) => Console.WriteLine($"vs-threading: {Path.GetFileName(dll)}: load failed: {e.ErrorCode} {e.Message}");
                    analyzers.AddRange(reference.GetAnalyzers(LanguageNames.CSharp));
                }

                // The package's MSBuild props pass these lists as AdditionalFiles; some rules read them at compilation start.
                var additional = ImmutableArray.CreateBuilder<AdditionalText>();
                string additionalDirectory = Path.GetFullPath(Path.Combine(vsDirectory, "..", "..", "buildTransitive", "AdditionalFiles"));
                if (Directory.Exists(additionalDirectory))
                {
                    foreach (var file in Directory.GetFiles(additionalDirectory, "*.txt").OrderBy(f => f, StringComparer.Ordinal))
                    {
                        additional.Add(new FileText(file));
                    }
                }

                Console.WriteLine($"vs-threading: {vsDirectory}: {analyzers.Count} analyzer(s), {additional.Count} additional file(s)");
                if (analyzers.Count > 0)
                {
                    sets.Add(("vs-threading", analyzers.ToImmutable(), additional.ToImmutable()));
                }
            }
            catch (Exception e) when (e is IOException or BadImageFormatException or ReflectionTypeLoadException or TypeLoadException or FileLoadException)
            {
                Console.WriteLine($"vs-threading: loading failed: {e.GetType().Name}: {e.Message}; measuring ours only.");
            }
        }

        if (!wanted.Contains("ours"))
        {
            sets.RemoveAt(0);
        }

        if (wanted.Contains("noop"))
        {
            sets.Insert(0, ("no-op operation analyzer", ImmutableArray.Create<DiagnosticAnalyzer>(new NoOpOperationAnalyzer()), ImmutableArray<AdditionalText>.Empty));
        }

        // Documents: the largest files are the interesting ones in a one-big-file project; otherwise an even spread.
        var candidates = Enumerable.Range(0, trees.Length).Where(i => Path.GetFileName(trees[i].FilePath).StartsWith("Service", StringComparison.Ordinal) || Path.GetFileName(trees[i].FilePath).StartsWith("Big", StringComparison.Ordinal)).ToList();
        // Warm-up on a different document (JIT, compilation-start actions, caches): a service file left out of the
        // sample when there are enough, else the first other file (Common.cs, Small.cs).
        int warmup = candidates.Count > options.Documents
            ? candidates[^1]
            : Enumerable.Range(0, trees.Length).First(i => !candidates.Contains(i));
        candidates.Remove(warmup);
        var sample = new List<int>();
        for (int n = 0; n < Math.Min(options.Documents, candidates.Count); n++)
        {
            sample.Add(candidates[(int)((long)n * candidates.Count / Math.Min(options.Documents, candidates.Count))]);
        }

        Console.WriteLine($"warm-up document: {Relative(root, trees[warmup].FilePath)}; measured documents: {sample.Count}; rounds: {options.Rounds}");

        if (options.WholeCompilation)
        {
            return await AnalyzeWholeCompilationAsync(compilation, sets, options.Rounds).ConfigureAwait(false);
        }

        var samples = new List<Sample>();
        for (int round = 0; round < options.Rounds; round++)
        {
            // Alternate the order of the analyzer sets between rounds, so neither always runs first on a busy machine.
            var order = round % 2 == 0 ? sets : Enumerable.Reverse(sets).ToList();
            foreach (var set in order)
            {
                var cwa = compilation.WithAnalyzers(
                    set.Analyzers,
                    new CompilationWithAnalyzersOptions(
                        new AnalyzerOptions(set.AdditionalFiles),
                        onAnalyzerException: null,
                        concurrentAnalysis: true,
                        logAnalyzerExecutionTime: true,
                        reportSuppressedDiagnostics: false));
                await AnalyzeDocumentAsync(cwa, trees[warmup], set.Name, round, root, record: null).ConfigureAwait(false);
                foreach (int index in sample)
                {
                    await AnalyzeDocumentAsync(cwa, trees[index], set.Name, round, root, samples).ConfigureAwait(false);
                }
            }
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"| analyzers | documents x rounds | median analyze ms/doc | p90 | max | median bind ms/doc (compiler, not counted) | EXEC001/VSTHRD diagnostics per round |");
        report.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var set in sets)
        {
            var mine = samples.Where(s => s.Set == set.Name).ToList();
            var analyze = mine.Select(s => s.AnalyzeMs).OrderBy(x => x).ToList();
            var bind = mine.Select(s => s.BindMs).OrderBy(x => x).ToList();
            int diagnostics = mine.Where(s => s.Round == 0).Sum(s => s.Diagnostics);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {set.Name} | {sample.Count} x {options.Rounds} | {Median(analyze):F1} | {Percentile(analyze, 0.9):F1} | {analyze[^1]:F1} | {Median(bind):F1} | {diagnostics} |");
        }

        if (sets.Count == 2)
        {
            double oursMedian = Median(samples.Where(s => s.Set == sets[0].Name).Select(s => s.AnalyzeMs).OrderBy(x => x).ToList());
            double theirsMedian = Median(samples.Where(s => s.Set == sets[1].Name).Select(s => s.AnalyzeMs).OrderBy(x => x).ToList());
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"ours / vs-threading (median per document): {oursMedian / theirsMedian:F2}x");
        }

        Console.WriteLine();
        Console.Write(report.ToString());
        if (options.OutputFile is { } output)
        {
            var tsv = new StringBuilder("set\tround\tdocument\tlines\tbind_ms\tanalyze_ms\tdiagnostics\n");
            foreach (var s in samples)
            {
                tsv.Append(CultureInfo.InvariantCulture, $"{s.Set}\t{s.Round}\t{s.Document}\t{s.Lines}\t{s.BindMs:F2}\t{s.AnalyzeMs:F2}\t{s.Diagnostics}\n");
            }

            File.WriteAllText(output, tsv.ToString());
            File.WriteAllText(Path.ChangeExtension(output, ".md"), report.ToString());
        }

        return 0;
    }

    private static async Task<int> AnalyzeWholeCompilationAsync(
        CSharpCompilation compilation,
        List<(string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers, ImmutableArray<AdditionalText> AdditionalFiles)> sets,
        int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            foreach (var set in sets)
            {
                var cwa = compilation.WithAnalyzers(
                    set.Analyzers,
                    new CompilationWithAnalyzersOptions(new AnalyzerOptions(set.AdditionalFiles), null, concurrentAnalysis: true, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false));
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var stopwatch = Stopwatch.StartNew();
                var diagnostics = await cwa.GetAnalyzerDiagnosticsAsync(CancellationToken.None).ConfigureAwait(false);
                double wallMs = stopwatch.Elapsed.TotalMilliseconds;
                double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
                double allocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1048576.0;
                double analyzerMs = 0;
                foreach (var analyzer in set.Analyzers)
                {
                    analyzerMs += (await cwa.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None).ConfigureAwait(false)).ExecutionTime.TotalMilliseconds;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: {set.Name}: whole compilation {wallMs:F0} ms wall (binding included), {cpuMs:F0} ms CPU of the process, {allocatedMb:F0} MB allocated, analyzer execution time {analyzerMs:F0} ms, {diagnostics.Length} diagnostics"));
            }
        }

        return 0;
    }

    private static async Task AnalyzeDocumentAsync(CompilationWithAnalyzers cwa, SyntaxTree tree, string set, int round, string root, List<Sample>? record)
    {
        var model = cwa.Compilation.GetSemanticModel(tree);
        var stopwatch = Stopwatch.StartNew();
        model.GetDiagnostics();
        double bindMs = stopwatch.Elapsed.TotalMilliseconds;
        stopwatch.Restart();
        var diagnostics = await cwa.GetAnalyzerSemanticDiagnosticsAsync(model, filterSpan: null, CancellationToken.None).ConfigureAwait(false);
        double analyzeMs = stopwatch.Elapsed.TotalMilliseconds;
        record?.Add(new Sample(set, round, Relative(root, tree.FilePath), tree.GetText().Lines.Count, bindMs, analyzeMs, diagnostics.Length));
    }

    private static List<MetadataReference> FrameworkReferences()
    {
        // The trusted platform assemblies of this (net10.0) process that belong to the shared framework.
        string frameworkDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var list = new List<MetadataReference>();
        foreach (var path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
        {
            if (path.StartsWith(frameworkDirectory, StringComparison.Ordinal) && path.EndsWith(".dll", StringComparison.Ordinal))
            {
                try
                {
                    using var stream = File.OpenRead(path);
                    using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
                    if (!reader.HasMetadata)
                    {
                        continue;
                    }
                }
                catch (BadImageFormatException)
                {
                    continue;
                }

                list.Add(MetadataReference.CreateFromFile(path));
            }
        }

        return list;
    }

    private static string? FindVsThreadingDirectory(string root)
    {
        // The version the generated project references (its csproj), in the NuGet global packages folder.
        string project = File.ReadAllText(Path.Combine(root, "Generated.csproj"));
        const string Marker = "Microsoft.VisualStudio.Threading.Analyzers\" Version=\"";
        int at = project.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        string version = project.Substring(at + Marker.Length, project.IndexOf('"', at + Marker.Length) - at - Marker.Length);
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string directory = Path.Combine(packages, "microsoft.visualstudio.threading.analyzers", version, "analyzers", "cs");
        return Directory.Exists(directory) ? directory : null;
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path);

    private static double Median(List<double> sorted)
        => sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static double Percentile(List<double> sorted, double p)
        => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>Loads analyzer assemblies into the default context, resolving their dependencies from the folders registered.</summary>
    private sealed class AnalyzerLoader : IAnalyzerAssemblyLoader
    {
        private readonly HashSet<string> _directories = new(StringComparer.Ordinal);

        public AnalyzerLoader()
        {
            AssemblyLoadContext.Default.Resolving += (context, name) =>
            {
                foreach (var directory in _directories)
                {
                    string candidate = Path.Combine(directory, name.Name + ".dll");
                    if (File.Exists(candidate))
                    {
                        return context.LoadFromAssemblyPath(candidate);
                    }
                }

                return null;
            };
        }

        public void AddDependencyLocation(string fullPath) => _directories.Add(Path.GetDirectoryName(Path.GetFullPath(fullPath))!);

        public Assembly LoadFromPath(string fullPath)
        {
            AddDependencyLocation(fullPath);
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(fullPath));
        }
    }

    /// <summary>Registers the operation actions EXEC001 registers, and does nothing in them.</summary>
#pragma warning disable RS1001, RS1036, RS1041, RS2008 // Host-side baseline for the benchmark, never loaded by a compiler or shipped.
    private sealed class NoOpOperationAnalyzer : DiagnosticAnalyzer
#pragma warning restore RS1001, RS1036, RS1041, RS2008
    {
#pragma warning disable RS2008 // Not a shipped rule: see above.
        private static readonly DiagnosticDescriptor Rule = new("NOOP001", "No-op", "No-op", "Benchmark", DiagnosticSeverity.Warning, isEnabledByDefault: true);
#pragma warning restore RS2008

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterOperationAction(_ => { }, OperationKind.Invocation, OperationKind.ObjectCreation, OperationKind.EventAssignment, OperationKind.MethodBody);
        }
    }

    private sealed class FileText : AdditionalText
    {
        private readonly SourceText _text;

        public FileText(string path)
        {
            Path = path;
            _text = SourceText.From(File.ReadAllText(path), Encoding.UTF8);
        }

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}
