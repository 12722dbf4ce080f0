using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Executor.Benchmarks;

/// <summary>
/// (d) Latency with idle workers: one operation submits ONE trivial task, attaches a done callback that sets an
/// event, and waits for the event. Nothing else is queued, so each operation measures submit -> wake an idle
/// worker -> run -> callback -> wake the waiting thread.
/// </summary>
/// <remarks>
/// Pools are created once per benchmark in <c>[GlobalSetup]</c> (as in <see cref="ThroughputBenchmarks"/>).
/// Operations follow each other without a pause, so an "idle" worker may still be spinning in its wait rather than
/// parked in the kernel: this is the latency of a warm, idle pool. The waiting thread uses
/// <see cref="ManualResetEventSlim"/>, which also spins briefly before blocking.
/// </remarks>
[MemoryDiagnoser]
public class LatencyBenchmarks
{
    private static readonly Action s_work = static () => { };

    private readonly ManualResetEventSlim _signal = new(false);
    private readonly Action<Future> _onFutureDone;
    private readonly Action<Task> _onTaskDone;
    private ThreadPoolExecutor? _executor;
    private BlockingCollection<TaskCompletionSource>? _queue;
    private Thread[]? _threads;

    public LatencyBenchmarks()
    {
        _onFutureDone = _ => _signal.Set();
        _onTaskDone = _ => _signal.Set();
    }

    [GlobalSetup(Target = nameof(ExecutorLatency))]
    public void SetupExecutor() => _executor = new ThreadPoolExecutor(ThroughputBenchmarks.Workers);

    [GlobalCleanup(Target = nameof(ExecutorLatency))]
    public void CleanupExecutor() => _executor?.Shutdown(wait: true);

    [GlobalSetup(Target = nameof(TcsDedicatedThreadsLatency))]
    public void SetupDedicatedThreads() => (_queue, _threads) = DedicatedThreads.Start(ThroughputBenchmarks.Workers);

    [GlobalCleanup(Target = nameof(TcsDedicatedThreadsLatency))]
    public void CleanupDedicatedThreads() => DedicatedThreads.Stop(_queue!, _threads!);

    /// <summary>(d) ThreadPoolExecutor(4): submit one task, wait until its done callback signals.</summary>
    [Benchmark(Description = "Executor(4) submit->callback latency")]
    public void ExecutorLatency()
    {
        _signal.Reset();
        _executor!.Submit(s_work).AddDoneCallback(_onFutureDone);
        _signal.Wait();
    }

    /// <summary>Same, with Task.Run + ContinueWith(ExecuteSynchronously).</summary>
    [Benchmark(Baseline = true, Description = "Task.Run->ContinueWith latency")]
    public void TaskRunLatency()
    {
        _signal.Reset();
        Task.Run(s_work).ContinueWith(_onTaskDone, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _signal.Wait();
    }

    /// <summary>Same, with a TaskCompletionSource completed by one of 4 dedicated threads.</summary>
    [Benchmark(Description = "TCS+4 dedicated threads latency")]
    public void TcsDedicatedThreadsLatency()
    {
        _signal.Reset();
        var source = new TaskCompletionSource(s_work);
        _queue!.Add(source);
        source.Task.ContinueWith(_onTaskDone, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _signal.Wait();
    }
}
