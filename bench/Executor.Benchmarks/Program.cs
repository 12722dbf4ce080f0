using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Executor.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project bench/Executor.Benchmarks -- --filter '*' --job short</c>.
/// Every BenchmarkDotNet command-line option works (see bench/README.md).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        var config = DefaultConfig.Instance.AddColumn(new TasksPerSecondColumn());
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
