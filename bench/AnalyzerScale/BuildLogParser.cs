using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;

namespace AnalyzerScale;

/// <summary>
/// Reads a <c>dotnet build -v:d -p:ReportAnalyzer=true -clp:PerformanceSummary</c> log: the compiler's
/// "Total analyzer execution time" table, the Csc task time, and the warnings.
/// </summary>
internal sealed class BuildLogParser
{
    private static readonly Regex TotalAnalyzer = new(@"Total analyzer execution time:\s*([\d.,]+)\s*seconds", RegexOptions.Compiled);
    private static readonly Regex AssemblyRow = new(@"^\s*(<?[\d.,]+)\s+(<?\d+)\s+([^\s(]+), Version=", RegexOptions.Compiled);
    private static readonly Regex AnalyzerRow = new(@"^\s*(<?[\d.,]+)\s+(<?\d+)\s+(\S+)(?: \((.*)\))?\s*$", RegexOptions.Compiled);
    private static readonly Regex CscTask = new(@"^\s*(\d+)\s+ms\s+Csc\s+(\d+)\s+calls", RegexOptions.Compiled);
    private static readonly Regex Elapsed = new(@"Time Elapsed (\d+):(\d+):(\d+(?:[.,]\d+)?)", RegexOptions.Compiled);
    private static readonly Regex Warning = new(@"([^\s>]+\.cs\(\d+,\d+\)): warning ([A-Z]+\d+):", RegexOptions.Compiled);

    public double TotalAnalyzerSeconds { get; private set; }

    public Dictionary<string, double> AssemblySeconds { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, double> AnalyzerSeconds { get; } = new(StringComparer.Ordinal);

    public double CscSeconds { get; private set; } = double.NaN;

    public double WallSeconds { get; private set; } = double.NaN;

    public Dictionary<string, int> WarningsById { get; } = new(StringComparer.Ordinal);

    public double OursSeconds => Sum(name => name.StartsWith("Executor.Analyzers", StringComparison.Ordinal));

    public double VsThreadingSeconds => Sum(name => name.StartsWith("Microsoft.VisualStudio.Threading.Analyzers", StringComparison.Ordinal));

    public static BuildLogParser Parse(string path)
    {
        var parser = new BuildLogParser();
        var seenWarnings = new HashSet<string>(StringComparer.Ordinal);
        bool inAnalyzerTable = false;
        string? currentAssembly = null;
        foreach (var line in File.ReadLines(path))
        {
            var match = TotalAnalyzer.Match(line);
            if (match.Success)
            {
                parser.TotalAnalyzerSeconds = ParseSeconds(match.Groups[1].Value);
                inAnalyzerTable = true;
                currentAssembly = null;
                continue;
            }

            if (inAnalyzerTable)
            {
                if (line.Contains("generator execution time", StringComparison.OrdinalIgnoreCase) || line.Contains("Done executing task", StringComparison.Ordinal))
                {
                    inAnalyzerTable = false;
                }
                else if ((match = AssemblyRow.Match(line)).Success)
                {
                    currentAssembly = match.Groups[3].Value;
                    parser.AssemblySeconds[currentAssembly] = parser.AssemblySeconds.GetValueOrDefault(currentAssembly) + ParseSeconds(match.Groups[1].Value);
                    continue;
                }
                else if (currentAssembly is not null && (match = AnalyzerRow.Match(line)).Success)
                {
                    string name = match.Groups[3].Value;
                    parser.AnalyzerSeconds[name] = parser.AnalyzerSeconds.GetValueOrDefault(name) + ParseSeconds(match.Groups[1].Value);
                    continue;
                }
            }

            if ((match = CscTask.Match(line)).Success)
            {
                parser.CscSeconds = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) / 1000.0;
                continue;
            }

            if ((match = Elapsed.Match(line)).Success)
            {
                parser.WallSeconds = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * 3600
                    + int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) * 60
                    + ParseSeconds(match.Groups[3].Value);
                continue;
            }

            if ((match = Warning.Match(line)).Success && seenWarnings.Add(line.Substring(match.Index)))
            {
                string id = match.Groups[2].Value;
                parser.WarningsById[id] = parser.WarningsById.GetValueOrDefault(id) + 1;
            }
        }

        return parser;
    }

    /// <summary>Counts a warning ID once per distinct location and message (MSBuild repeats warnings in its summary).</summary>
    public int Warnings(string prefix)
    {
        int total = 0;
        foreach (var (id, count) in WarningsById)
        {
            if (id.StartsWith(prefix, StringComparison.Ordinal))
            {
                total += count;
            }
        }

        return total;
    }

    private double Sum(Func<string, bool> predicate)
    {
        double total = 0;
        foreach (var (name, seconds) in AssemblySeconds)
        {
            if (predicate(name))
            {
                total += seconds;
            }
        }

        return total;
    }

    private static double ParseSeconds(string text)
    {
        // "<0.001" is reported for analyzers below the resolution; count it as zero.
        if (text.StartsWith('<'))
        {
            return 0;
        }

        return double.Parse(text.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
