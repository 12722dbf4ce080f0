using System;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Executor.Benchmarks;

/// <summary>
/// One operation = submit ONE task that returns an int and <c>await</c> it, on a warm, idle pool: submit -> wake a
/// worker -> run -> complete -> resume the awaiting method on the .NET thread pool (our continuations never run inline
/// on the worker). The baseline is <c>await Task.Run(...)</c>. The benchmark method itself runs without a
/// synchronization context, as in a console app or ASP.NET Core.
/// </summary>
[MemoryDiagnoser]
public class AwaitBenchmarks
{
    private static readonly Func<int> s_work = static () => 1;
    private ThreadPoolExecutor? _executor;

    [GlobalSetup(Target = nameof(AwaitSubmit))]
    public void SetupExecutor() => _executor = new ThreadPoolExecutor(ThroughputBenchmarks.Workers);

    [GlobalCleanup(Target = nameof(AwaitSubmit))]
    public void CleanupExecutor() => _executor?.Shutdown(wait: true);

    [Benchmark(Description = "await Executor(4).Submit(fn)")]
    public async Task<int> AwaitSubmit() => await _executor!.Submit(s_work);

    [Benchmark(Baseline = true, Description = "await Task.Run(fn)")]
    public async Task<int> AwaitTaskRun() => await Task.Run(s_work);
}
