using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Executor.Benchmarks;

/// <summary>
/// Throughput: one operation submits <see cref="TaskCount"/> trivial tasks, attaches one done callback to each, and
/// returns when all callbacks have run. Each callback does one <see cref="Interlocked.Increment(ref int)"/>; the
/// last one sets an event the operation waits on.
/// </summary>
/// <remarks>
/// The pool under test (our executor, or the 4 dedicated threads of the TaskCompletionSource baseline) is created
/// once per benchmark in <c>[GlobalSetup]</c> and shut down in <c>[GlobalCleanup]</c>: warm-up operations start the
/// workers, and measured operations see a warm, long-lived pool, like the process-wide .NET thread pool Task.Run
/// uses. In every variant the callback is attached right after the task is queued, so a callback whose task has
/// already finished runs inline on the submitting thread (the documented contract of all three APIs).
/// </remarks>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    /// <summary>Tasks per benchmark operation.</summary>
    public const int TaskCount = 100_000;

    /// <summary>Workers of the executor and dedicated threads of the TaskCompletionSource baseline.</summary>
    public const int Workers = 4;

    private static readonly Action s_work = static () => { };

    private readonly ManualResetEventSlim _allDone = new(false);
    private readonly Action<Future> _onFutureDone;
    private readonly Action<Task> _onTaskDone;
    private int _completed;
    private ThreadPoolExecutor? _executor;
    private V1.ThreadPoolExecutor? _executorV1;
    private Action<V1.Future>? _onV1FutureDone;
    private BlockingCollection<TaskCompletionSource>? _queue;
    private Thread[]? _threads;

    public ThroughputBenchmarks()
    {
        _onFutureDone = _ => OnDone();
        _onTaskDone = _ => OnDone();
    }

    [GlobalSetup(Target = nameof(Executor))]
    public void SetupExecutor() => _executor = new ThreadPoolExecutor(Workers);

    [GlobalCleanup(Target = nameof(Executor))]
    public void CleanupExecutor() => _executor?.Shutdown(wait: true);

    [GlobalSetup(Target = nameof(ExecutorV1))]
    public void SetupExecutorV1()
    {
        _executorV1 = new V1.ThreadPoolExecutor(Workers);
        _onV1FutureDone = _ => OnDone();
    }

    [GlobalCleanup(Target = nameof(ExecutorV1))]
    public void CleanupExecutorV1() => _executorV1?.Shutdown(wait: true);

    [GlobalSetup(Target = nameof(TcsDedicatedThreads))]
    public void SetupDedicatedThreads() => (_queue, _threads) = DedicatedThreads.Start(Workers);

    [GlobalCleanup(Target = nameof(TcsDedicatedThreads))]
    public void CleanupDedicatedThreads() => DedicatedThreads.Stop(_queue!, _threads!);

    /// <summary>(a) ThreadPoolExecutor(4): <c>Submit(work).AddDoneCallback(callback)</c>.</summary>
    [Benchmark(Description = "Executor(4) Submit+AddDoneCallback")]
    public void Executor()
    {
        Reset();
        var executor = _executor!;
        var callback = _onFutureDone;
        for (int i = 0; i < TaskCount; i++)
        {
            executor.Submit(s_work).AddDoneCallback(callback);
        }

        _allDone.Wait();
    }

    /// <summary>(b) Baseline: <c>Task.Run(work).ContinueWith(callback, ExecuteSynchronously)</c> on the shared .NET thread pool (its size cannot be limited to 4).</summary>
    /// <summary>(a1) The same on the v1 runtime (main at b38a2e0, copied into V1/), for the v2-vs-v1 ratio in one run.</summary>
    [Benchmark(Description = "Executor v1 (b38a2e0) Submit+AddDoneCallback")]
    public void ExecutorV1()
    {
        Reset();
        var executor = _executorV1!;
        var callback = _onV1FutureDone!;
        for (int i = 0; i < TaskCount; i++)
        {
            executor.Submit(s_work).AddDoneCallback(callback);
        }

        _allDone.Wait();
    }

    [Benchmark(Baseline = true, Description = "Task.Run+ContinueWith(ExecSync)")]
    public void TaskRun()
    {
        Reset();
        var callback = _onTaskDone;
        for (int i = 0; i < TaskCount; i++)
        {
            Task.Run(s_work).ContinueWith(callback, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        _allDone.Wait();
    }

    /// <summary>(c) Baseline: a TaskCompletionSource per task, completed by 4 dedicated threads pulling from a BlockingCollection; continuation attached with ExecuteSynchronously.</summary>
    [Benchmark(Description = "TCS+4 dedicated threads+BlockingCollection")]
    public void TcsDedicatedThreads()
    {
        Reset();
        var queue = _queue!;
        var callback = _onTaskDone;
        for (int i = 0; i < TaskCount; i++)
        {
            var source = new TaskCompletionSource(s_work);
            queue.Add(source);
            source.Task.ContinueWith(callback, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        _allDone.Wait();
    }

    private void Reset()
    {
        _completed = 0;
        _allDone.Reset();
    }

    private void OnDone()
    {
        if (Interlocked.Increment(ref _completed) == TaskCount)
        {
            _allDone.Set();
        }
    }
}
