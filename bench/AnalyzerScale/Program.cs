using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace AnalyzerScale;

/// <summary>
/// Analyzer cost at scale: generates realistic C# projects, reads the compiler's analyzer timings from build logs,
/// summarizes them, and measures the IDE path (single-document analysis). See README.md.
/// </summary>
internal static class Program
{
    private const string Usage = """
        AnalyzerScale: measure the cost of EXEC001 against Microsoft.VisualStudio.Threading.Analyzers.

          generate   --out DIR [--lines 200000] [--lines-per-file 200] [--files N] [--unsafe 0.05] [--callback-share 0.35]
                     [--seed N] [--runtime-dll PATH] [--analyzer-dll PATH] [--vs-threading 18.12.1|none] [--no-ours]
                     [--net-analyzers]
                     Writes a project of about --lines lines in about lines/lines-per-file files, plus manifest.txt.
          big-file   --out DIR [--lines 4000] (same options)
                     Writes a project whose code is ONE file with thousands of lambdas (vs-threading issue #701).
          parse-log  --log FILE --results FILE --case NAME --kind multi-file|big-file|baseline --run N [--manifest FILE]
                     Reads a 'dotnet build -v:d -p:ReportAnalyzer=true -clp:PerformanceSummary' log; appends a row.
          summarize  --results FILE [--out FILE]
                     Medians per case, ratios and targets, as Markdown.
          ide | --ide --project DIR [--docs 20] [--rounds 2] [--analyzer-dll PATH] [--vs-threading-dir DIR] [--out FILE.tsv]
                     [--sets both|ours,vs-threading,noop] [--whole]
                     --whole analyzes the whole compilation in one call (like a build), for profiling.
                     IDE path: per-document GetAnalyzerSemanticDiagnosticsAsync with only our analyzer, then only
                     vs-threading's.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }

        var options = ParseOptions(args.Skip(1));
        try
        {
            switch (args[0])
            {
                case "generate":
                case "big-file":
                    {
                        var settings = Settings(options);
                        var result = args[0] == "generate" ? ProjectGenerator.Generate(settings) : BigFileGenerator.Generate(settings);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{settings.OutputDirectory}: {result.Files} files, {result.Lines} lines, {result.Callbacks} callbacks, {result.UnsafeCallbacks} unsafe (expected EXEC001: {result.ExpectedDiagnostics})"));
                        return 0;
                    }

                case "parse-log":
                    return ParseLog(options);

                case "summarize":
                    {
                        string markdown = Summary.Render(Summary.Read(Required(options, "results")));
                        Console.Write(markdown);
                        if (options.TryGetValue("out", out var output))
                        {
                            File.WriteAllText(output, markdown);
                        }

                        return 0;
                    }

                case "ide":
                case "--ide":
                    return await IdeBenchmark.RunAsync(new IdeBenchmark.Options
                    {
                        ProjectDirectory = Required(options, "project"),
                        Documents = Int(options, "docs", 20),
                        Rounds = Int(options, "rounds", 2),
                        AnalyzerDll = options.GetValueOrDefault("analyzer-dll"),
                        VsThreadingDirectory = options.GetValueOrDefault("vs-threading-dir"),
                        OutputFile = options.GetValueOrDefault("out"),
                        Sets = options.GetValueOrDefault("sets", "both"),
                        WholeCompilation = options.ContainsKey("whole"),
                    }).ConfigureAwait(false);

                default:
                    Console.Error.WriteLine($"unknown command '{args[0]}'");
                    Console.Error.WriteLine(Usage);
                    return 1;
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    private static int ParseLog(Dictionary<string, string> options)
    {
        var log = BuildLogParser.Parse(Required(options, "log"));
        var manifest = options.TryGetValue("manifest", out var manifestPath) ? ReadManifest(manifestPath) : new Dictionary<string, string>();
        var row = new BuildRow(
            Required(options, "case"),
            Required(options, "kind"),
            int.Parse(manifest.GetValueOrDefault("lines", "0"), CultureInfo.InvariantCulture),
            Int(options, "run", 1),
            log.WallSeconds,
            log.CscSeconds,
            log.TotalAnalyzerSeconds,
            log.OursSeconds,
            log.VsThreadingSeconds,
            log.Warnings("EXEC001"),
            int.Parse(manifest.GetValueOrDefault("expected_exec001", "-1"), CultureInfo.InvariantCulture),
            log.Warnings("VSTHRD"),
            log.AnalyzerSeconds.GetValueOrDefault("Microsoft.VisualStudio.Threading.Analyzers.VSTHRD010MainThreadUsageAnalyzer"));
        string results = Required(options, "results");
        if (!File.Exists(results))
        {
            File.WriteAllText(results, BuildRow.Header + "\n");
        }

        File.AppendAllText(results, row.ToTsv() + "\n");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{row.Case} run {row.Run}: wall {row.WallSeconds:F1} s, csc {row.CscSeconds:F2} s, analyzers {row.AnalyzersSeconds:F2} s, ours {row.OursSeconds:F3} s, vs-threading {row.VsThreadingSeconds:F3} s, EXEC001 {row.Exec001}/{row.Expected}, VSTHRD {row.VsThreadingWarnings}"));
        var top = log.AnalyzerSeconds.OrderByDescending(p => p.Value).Take(5).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:F3}s"));
        Console.WriteLine("  top analyzers: " + string.Join("; ", top));
        if (double.IsNaN(log.CscSeconds) || (log.TotalAnalyzerSeconds == 0 && row.Kind != "baseline"))
        {
            Console.Error.WriteLine("  warning: the log has no Csc task time or no analyzer table (was the build run with -v:d -p:ReportAnalyzer=true -clp:PerformanceSummary?)");
            return 2;
        }

        return 0;
    }

    private static Dictionary<string, string> ReadManifest(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[line[..eq]] = line[(eq + 1)..];
            }
        }

        return values;
    }

    private static GeneratorSettings Settings(Dictionary<string, string> options)
    {
        var settings = new GeneratorSettings
        {
            OutputDirectory = Required(options, "out"),
            RuntimeDll = options.GetValueOrDefault("runtime-dll"),
            AnalyzerDll = options.GetValueOrDefault("analyzer-dll"),
            IncludeOurs = !options.ContainsKey("no-ours"),
            NetAnalyzers = options.ContainsKey("net-analyzers"),
        };
        settings.Lines = Int(options, "lines", settings.Lines);
        settings.LinesPerFile = Int(options, "lines-per-file", settings.LinesPerFile);
        settings.Files = Int(options, "files", 0);
        settings.Seed = Int(options, "seed", settings.Seed);
        settings.UnsafeFraction = Double(options, "unsafe", settings.UnsafeFraction);
        settings.CallbackShare = Double(options, "callback-share", settings.CallbackShare);
        if (options.TryGetValue("vs-threading", out var version))
        {
            settings.VsThreadingVersion = version is "none" or "" ? null : version;
        }

        return settings;
    }

    private static Dictionary<string, string> ParseOptions(IEnumerable<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{list[i]}'");
            }

            string key = list[i][2..];
            if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                options[key] = list[++i];
            }
            else
            {
                options[key] = "";
            }
        }

        return options;
    }

    private static string Required(Dictionary<string, string> options, string key)
        => options.TryGetValue(key, out var value) && value.Length > 0 ? value : throw new ArgumentException($"--{key} is required");

    private static int Int(Dictionary<string, string> options, string key, int fallback)
        => options.TryGetValue(key, out var value) ? int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    private static double Double(Dictionary<string, string> options, string key, double fallback)
        => options.TryGetValue(key, out var value) ? double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;
}
