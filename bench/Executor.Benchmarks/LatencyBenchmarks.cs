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
    private V1.ThreadPoolExecutor? _executorV1;
    private Action<V1.Future>? _onV1FutureDone;
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

    [GlobalSetup(Target = nameof(ExecutorV1Latency))]
    public void SetupExecutorV1()
    {
        _executorV1 = new V1.ThreadPoolExecutor(ThroughputBenchmarks.Workers);
        _onV1FutureDone = _ => _signal.Set();
    }

    [GlobalCleanup(Target = nameof(ExecutorV1Latency))]
    public void CleanupExecutorV1() => _executorV1?.Shutdown(wait: true);

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
    /// <summary>The same on the v1 runtime (main at b38a2e0), for the v2-vs-v1 ratio in one run.</summary>
    [Benchmark(Description = "Executor v1 (b38a2e0) submit->callback latency")]
    public void ExecutorV1Latency()
    {
        _signal.Reset();
        _executorV1!.Submit(s_work).AddDoneCallback(_onV1FutureDone!);
        _signal.Wait();
    }

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
