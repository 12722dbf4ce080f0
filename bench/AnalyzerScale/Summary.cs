using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace AnalyzerScale;

/// <summary>One measured build, as a row of results.tsv.</summary>
internal sealed record BuildRow(
    string Case,
    string Kind,
    int Lines,
    int Run,
    double WallSeconds,
    double CscSeconds,
    double AnalyzersSeconds,
    double OursSeconds,
    double VsThreadingSeconds,
    int Exec001,
    int Expected,
    int VsThreadingWarnings,
    double Vsthrd010Seconds)
{
    public const string Header = "case\tkind\tlines\trun\twall_s\tcsc_s\tanalyzers_s\tours_s\tvsthrd_s\texec001\texpected\tvsthrd_warnings\tvsthrd010_s";

    public string ToTsv() => string.Join('\t', new[]
    {
        Case, Kind, I(Lines), I(Run), F(WallSeconds), F(CscSeconds), F(AnalyzersSeconds), F(OursSeconds), F(VsThreadingSeconds), I(Exec001), I(Expected), I(VsThreadingWarnings), F(Vsthrd010Seconds),
    });

    public static BuildRow Parse(string line)
    {
        var p = line.Split('\t');
        return new BuildRow(p[0], p[1], int.Parse(p[2], CultureInfo.InvariantCulture), int.Parse(p[3], CultureInfo.InvariantCulture), D(p[4]), D(p[5]), D(p[6]), D(p[7]), D(p[8]),
            int.Parse(p[9], CultureInfo.InvariantCulture), int.Parse(p[10], CultureInfo.InvariantCulture), int.Parse(p[11], CultureInfo.InvariantCulture), D(p[12]));
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    private static double D(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>Turns results.tsv into the Markdown tables of the README: medians per case, ratios and the targets.</summary>
internal static class Summary
{
    public const double CompileShareTarget = 0.03;
    public const double VsThreadingRatioTarget = 0.5;
    public const double GrowthTarget = 2.2;

    public static string Render(IReadOnlyList<BuildRow> rows)
    {
        var text = new StringBuilder();
        var multi = Medians(rows.Where(r => r.Kind == "multi-file"));
        var big = Medians(rows.Where(r => r.Kind == "big-file"));
        var baseline = Medians(rows.Where(r => r.Kind == "baseline")).ToDictionary(m => m.Case, m => m.Csc, StringComparer.Ordinal);

        if (multi.Count > 0)
        {
            text.AppendLine("Multi-file projects (medians of the runs; analyzer times are the compiler's /reportanalyzer sums, compile = Csc task):");
            text.AppendLine();
            AppendTable(text, multi);
            text.AppendLine();
            if (baseline.Count > 0)
            {
                text.AppendLine("Against the compiler alone (a build of the same project with -p:RunAnalyzers=false, one run):");
                text.AppendLine();
                text.AppendLine("| case | compile without analyzers s | ours s | ours / compile without analyzers | vs-threading / compile without analyzers |");
                text.AppendLine("|---|---|---|---|---|");
                foreach (var m in multi)
                {
                    if (baseline.TryGetValue(m.Case, out double plain))
                    {
                        text.AppendLine(CultureInfo.InvariantCulture, $"| {m.Case} | {plain:F2} | {m.Ours:F3} | {m.Ours / plain:P2} | {m.VsThreading / plain:P1} |");
                    }
                }

                text.AppendLine();
            }

            text.AppendLine("Scaling (time ratio when the code doubles):");
            text.AppendLine();
            AppendScaling(text, multi);
            text.AppendLine();
        }

        if (big.Count > 0)
        {
            text.AppendLine("One big file (thousands of lambdas in one class, half of them in one method):");
            text.AppendLine();
            AppendTable(text, big);
            text.AppendLine();
            AppendScaling(text, big);
            text.AppendLine();
        }

        text.AppendLine("Targets:");
        text.AppendLine();
        text.AppendLine("| target | measured | verdict |");
        text.AppendLine("|---|---|---|");
        foreach (var m in multi)
        {
            double share = m.Ours / m.Csc;
            double versus = m.Ours / m.VsThreading;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {m.Case}: ours <= {CompileShareTarget:P0} of compile | {share:P2} | {Verdict(share <= CompileShareTarget)} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| {m.Case}: ours <= {VsThreadingRatioTarget:F1}x vs-threading | {versus:F2}x | {Verdict(versus <= VsThreadingRatioTarget)} |");
        }

        foreach (var (from, to) in Pairs(multi))
        {
            double growth = to.Ours / from.Ours;
            double codeGrowth = (double)to.Lines / from.Lines;
            text.AppendLine(CultureInfo.InvariantCulture, $"| ours {from.Case} -> {to.Case} (x{codeGrowth:F2} code) grows <= {GrowthTarget:F1}x per 2x | x{growth:F2} (x{PerDoubling(growth, codeGrowth):F2} per 2x) | {Verdict(PerDoubling(growth, codeGrowth) <= GrowthTarget)} |");
        }

        foreach (var (from, to) in Pairs(big))
        {
            double growth = to.Ours / from.Ours;
            double codeGrowth = (double)to.Lines / from.Lines;
            text.AppendLine(CultureInfo.InvariantCulture, $"| one big file {from.Case} -> {to.Case}: no blow-up (<= {GrowthTarget:F1}x per 2x) | x{growth:F2} (x{PerDoubling(growth, codeGrowth):F2} per 2x) | {Verdict(PerDoubling(growth, codeGrowth) <= GrowthTarget)} |");
        }

        if (big.Count > 0)
        {
            var largest = big[^1];
            text.AppendLine(CultureInfo.InvariantCulture, $"| one big file {largest.Case}: ours <= {CompileShareTarget:P0} of compile | {largest.Ours / largest.Csc:P2} | {Verdict(largest.Ours / largest.Csc <= CompileShareTarget)} |");
        }

        return text.ToString();
    }

    private static string Verdict(bool ok) => ok ? "met" : "**missed**";

    private static double PerDoubling(double growth, double codeGrowth) => Math.Pow(growth, Math.Log(2) / Math.Log(codeGrowth));

    private static IEnumerable<(CaseMedian From, CaseMedian To)> Pairs(List<CaseMedian> cases)
    {
        for (int i = 1; i < cases.Count; i++)
        {
            yield return (cases[i - 1], cases[i]);
        }
    }

    private static void AppendTable(StringBuilder text, List<CaseMedian> cases)
    {
        text.AppendLine("| case | lines | runs | build wall s | compile (Csc) s | all analyzers s | ours (EXEC001) s | vs-threading s | of which VSTHRD010 s | ours / compile | ours / vs-threading | ours / vs-threading without VSTHRD010 | EXEC001 found / expected |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var m in cases)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Case} | {m.Lines:N0} | {m.Runs} | {m.Wall:F1} | {m.Csc:F2} | {m.Analyzers:F2} | {m.Ours:F3} | {m.VsThreading:F3} | {m.Vsthrd010:F3} | {m.Ours / m.Csc:P2} | {m.Ours / m.VsThreading:F2}x | {m.Ours / (m.VsThreading - m.Vsthrd010):F2}x | {m.Exec001} / {m.Expected} |");
        }
    }

    private static void AppendScaling(StringBuilder text, List<CaseMedian> cases)
    {
        text.AppendLine("| from -> to | code | compile (Csc) | ours | vs-threading |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var (from, to) in Pairs(cases))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {from.Case} -> {to.Case} | x{(double)to.Lines / from.Lines:F2} | x{to.Csc / from.Csc:F2} | x{to.Ours / from.Ours:F2} | x{to.VsThreading / from.VsThreading:F2} |");
        }
    }

    private static List<CaseMedian> Medians(IEnumerable<BuildRow> rows)
        => rows
            .GroupBy(r => r.Case)
            .Select(g => new CaseMedian(
                g.Key,
                (int)Median(g.Select(r => (double)r.Lines)),
                g.Count(),
                Median(g.Select(r => r.WallSeconds)),
                Median(g.Select(r => r.CscSeconds)),
                Median(g.Select(r => r.AnalyzersSeconds)),
                Median(g.Select(r => r.OursSeconds)),
                Median(g.Select(r => r.VsThreadingSeconds)),
                Median(g.Select(r => r.Vsthrd010Seconds)),
                string.Join(",", g.Select(r => r.Exec001).Distinct()),
                g.First().Expected))
            .OrderBy(m => m.Lines)
            .ToList();

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static List<BuildRow> Read(string path)
        => File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(BuildRow.Parse).ToList();

    private sealed record CaseMedian(string Case, int Lines, int Runs, double Wall, double Csc, double Analyzers, double Ours, double VsThreading, double Vsthrd010, string Exec001, int Expected);
}
