using System;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Executor.Benchmarks;

/// <summary>Tasks (submit + done callback) completed per second: tasks per operation / mean time of an operation.</summary>
public sealed class TasksPerSecondColumn : IColumn
{
    public string Id => nameof(TasksPerSecondColumn);

    public string ColumnName => "Tasks/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Tasks (submit + done callback) completed per second: tasks per operation / Mean";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null || statistics.Mean <= 0)
        {
            return "NA";
        }

        int tasks = benchmarkCase.Descriptor.Type == typeof(ThroughputBenchmarks) ? ThroughputBenchmarks.TaskCount : 1;
        double perSecond = tasks / (statistics.Mean / 1e9);
        return perSecond.ToString("N0", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
