using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// Issue 9 (EXEC001 v2) audit: the should-report or should-not-report side that was missing for a bullet of sections
/// 1-5. The coverage table is docs/notes/exec001-issue9-coverage.md; the other side of each bullet is in the other
/// EXEC001*Tests classes.
/// </summary>
public class EXEC001IssueCoverageTests
{
    private const string Api = "Future<int>.AddDoneCallback";

    private const string InLoop = "another run of the same callback can do the same (it is registered in a loop)";

    private const string Periodic = "another run of the same callback can do the same (the timer is periodic)";

    private const string RunReadsAfter = "'Run' reads it without a lock after registering the callback, with no join in between";

    private static string EachCall(string member) => "another run of the same callback can do the same ('" + member + "' registers it each time it runs)";

    private static DiagnosticResult Race(int marker, string api, string verb, string target, string other, string locks = "without a lock")
        => VerifyCS.Diagnostic().WithLocation(marker).WithArguments(api, verb, target, locks, other);

    // ---- 1. a different lock on each side -----------------------------------------------------------------------

    [Fact]
    public async Task LockObjectCreatedPerIteration_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                public Counter(ThreadPoolExecutor pool)
                {
                    for (int i = 0; i < 4; i++)
                    {
                        var gate = new object();
                        pool.Submit(() => 1).AddDoneCallback(f => { lock (gate) { {|#0:_count++|}; } });
                    }
                }
            }
            """,
            Race(0, Api, "increments", "field 'Counter._count'", InLoop, "under lock 'gate'"));
    }

    [Fact]
    public async Task LockObjectCreatedOnceBeforeTheLoop_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                public Counter(ThreadPoolExecutor pool)
                {
                    var gate = new object();
                    for (int i = 0; i < 4; i++)
                    {
                        pool.Submit(() => 1).AddDoneCallback(f => { lock (gate) { _count++; } });
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task LockThisAgainstLockGate_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Cell
            {
                private readonly object _gate = new();
                private int _value;

                public Cell(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (this) { {|#0:_value = f.Result()|}; } });

                public void Set(int v) { lock (_gate) { {|#1:_value = v|}; } }
            }
            """,
            Race(0, Api, "writes", "field 'Cell._value'", "'Set' writes it under lock '_gate'", "under lock 'this'").WithLocation(1));
    }

    [Fact]
    public async Task LockThisOnBothSides_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Cell
            {
                private int _value;

                public Cell(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (this) { _value = f.Result(); } });

                public void Set(int v) { lock (this) { _value = v; } }
            }
            """);
    }

    [Fact]
    public async Task StaticLockGuardingStaticState_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Meter
            {
                private static int s_total;
                private static readonly object s_gate = new();

                public void Track(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (s_gate) { s_total += f.Result(); } });

                public void Reset() { lock (s_gate) { s_total = 0; } }
            }
            """);
    }

    // ---- 1. self-overlap: one-time initializer ----------------------------------------------------------------

    [Fact]
    public async Task RegisteredInAStaticFieldInitializer_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            static class Shutdown
            {
                private static readonly CancellationTokenSource s_cts = new();
                private static int s_cancels;
                private static readonly CancellationTokenRegistration s_registration = s_cts.Token.Register(() => s_cancels++);
            }
            """);
    }

    [Fact]
    public async Task RegisteredInAStaticMethod_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            static class Shutdown
            {
                private static readonly CancellationTokenSource s_cts = new();
                private static int s_cancels;

                public static void Watch() => s_cts.Token.Register(() => {|#0:s_cancels++|});
            }
            """,
            Race(0, "CancellationToken.Register", "increments", "static field 'Shutdown.s_cancels'", EachCall("Watch")));
    }

    // ---- 2. registration publishes ------------------------------------------------------------------------------

    [Fact]
    public async Task DelegateLocalRegisteredThenItsCaptureWritten_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int limit = 1;
                    Action<Future<int>> callback = f => Console.WriteLine({|#0:limit|});
                    pool.Submit(() => 1).AddDoneCallback(callback);
                    {|#1:limit = 2|};
                }
            }
            """,
            Race(0, Api, "reads", "captured local 'limit'", "'Run' writes it without a lock after registering the callback, with no join in between").WithLocation(1));
    }

    [Fact]
    public async Task WriteAfterTimerStart_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;

            class Runner
            {
                void Run()
                {
                    var timer = new System.Timers.Timer(100) { AutoReset = false };
                    int limit = 0;
                    timer.Elapsed += (s, e) => Console.WriteLine({|#0:limit|});
                    timer.Start();
                    {|#1:limit = 5|};
                }
            }
            """,
            Race(0, "Timer.Elapsed", "reads", "captured local 'limit'", "'Run' writes it without a lock after starting the timer, with no join in between").WithLocation(1));
    }

    // ---- 2. construction ----------------------------------------------------------------------------------------

    [Fact]
    public async Task WrittenInAPrivateMethodReachableOnlyFromTheConstructor_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Status
            {
                private int _limit;

                public Status(int limit) => Init(limit);

                private void Init(int limit) => _limit = limit;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine(_limit));
            }
            """);
    }

    [Fact]
    public async Task WrittenInAPrivateMethodAlsoCalledAfterConstruction_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Status
            {
                private int _limit;

                public Status(int limit) => Init(limit);

                public void Reset() => Init(0);

                private void Init(int limit) => {|#1:_limit = limit|};

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine({|#0:_limit|}));
            }
            """,
            Race(0, Api, "reads", "field 'Status._limit'", "'Init' writes it without a lock").WithLocation(1));
    }

    // ---- 2. joins -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task ShutdownWithoutWaiting_IsNotAJoin_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                void Run()
                {
                    var pool = new ThreadPoolExecutor(4);
                    int total = 0;
                    pool.Submit(() => 1).AddDoneCallback(f => {|#0:total += f.Result()|});
                    pool.Shutdown(wait: false);
                    Console.WriteLine({|#1:total|});
                }
            }
            """,
            Race(0, Api, "updates", "captured local 'total'", RunReadsAfter).WithLocation(1));
    }

    [Fact]
    public async Task ReadAfterTheUsingOfTheExecutorOrItsDispose_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                void Run()
                {
                    int total = 0;
                    using (var pool = new ThreadPoolExecutor(4))
                    {
                        pool.Submit(() => 1).AddDoneCallback(f => total += f.Result());
                    }

                    Console.WriteLine(total);
                }

                void RunAndDispose()
                {
                    int total = 0;
                    var pool = new ThreadPoolExecutor(4);
                    pool.Submit(() => 1).AddDoneCallback(f => total += f.Result());
                    pool.Dispose();
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task ReadInsideTheUsingOfTheExecutor_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                void Run()
                {
                    int total = 0;
                    using (var pool = new ThreadPoolExecutor(4))
                    {
                        pool.Submit(() => 1).AddDoneCallback(f => {|#0:total += f.Result()|});
                        Console.WriteLine({|#1:total|});
                    }
                }
            }
            """,
            Race(0, Api, "updates", "captured local 'total'", RunReadsAfter).WithLocation(1));
    }

    [Fact]
    public async Task ReadAfterWaitingOnManualResetEvent_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new ManualResetEvent(false);
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); done.Set(); });
                    done.WaitOne();
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task ReadAfterCountdownEventWait_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new CountdownEvent(1);
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); done.Signal(); });
                    done.Wait();
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task ReadAfterTaskCompletionSourceTask_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    var done = new TaskCompletionSource<bool>();
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); done.SetResult(true); });
                    done.Task.Wait();
                    Console.WriteLine(total);
                }

                async Task RunAsync(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    var done = new TaskCompletionSource();
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); done.TrySetResult(); });
                    await done.Task;
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task ReadAfterBarrierSignalAndWait_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var barrier = new Barrier(2);
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); barrier.SignalAndWait(); });
                    barrier.SignalAndWait();
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task ReadAfterWaitingOnTheContinuationTask_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Runner
            {
                void Run(Task<int> work)
                {
                    int total = 0;
                    var next = work.ContinueWith(t => total += t.Result);
                    next.Wait();
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task FutureResultThenShutdownWait_DoesNotReport()
    {
        // Result() is not the join; the Shutdown(wait: true) after it is.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                void Run()
                {
                    var pool = new ThreadPoolExecutor(2);
                    int total = 0;
                    var future = pool.Submit(() => 1);
                    future.AddDoneCallback(f => total += f.Result());
                    future.Result();
                    pool.Shutdown(wait: true);
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task ReadAfterFuturesWait_IsNotAJoin_Reports()
    {
        // Futures.Wait returns when the futures are done, before their done callbacks have run.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    var future = pool.Submit(() => 1);
                    future.AddDoneCallback(f => {|#0:total += f.Result()|});
                    Futures.Wait(new Future[] { future });
                    Console.WriteLine({|#1:total|});
                }
            }
            """,
            Race(0, Api, "updates", "captured local 'total'", RunReadsAfter).WithLocation(1));
    }

    [Fact]
    public async Task FuturesWaitThenShutdownWait_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                void Run()
                {
                    var pool = new ThreadPoolExecutor(2);
                    int total = 0;
                    var future = pool.Submit(() => 1);
                    future.AddDoneCallback(f => total += f.Result());
                    Futures.Wait(new Future[] { future });
                    pool.Shutdown(wait: true);
                    Console.WriteLine(total);
                }
            }
            """);
    }

    // ---- 2. same-thread completion --------------------------------------------------------------------------

    [Fact]
    public async Task LocalFutureFailedOrCancelledHere_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                private int _count;

                void Fail()
                {
                    var future = new Future<int>();
                    future.AddDoneCallback(f => _count++);
                    future.AddDoneCallback(f => _count += 2);
                    future.SetException(new InvalidOperationException());
                    Console.WriteLine(_count);
                }

                void Cancel()
                {
                    var future = new Future<int>();
                    future.AddDoneCallback(f => _count++);
                    future.AddDoneCallback(f => _count += 2);
                    future.Cancel();
                    Console.WriteLine(_count);
                }
            }
            """);
    }

    [Fact]
    public async Task LocalCancellationTokenSourceCancelledHere_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Runner
            {
                private int _count;

                void Run()
                {
                    using var cts = new CancellationTokenSource();
                    cts.Token.Register(() => _count++);
                    cts.Token.Register(() => _count += 2);
                    cts.Cancel();
                    Console.WriteLine(_count);
                }
            }
            """);
    }

    [Fact]
    public async Task LocalCancellationTokenSourceWhoseTokenEscapes_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Runner
            {
                private int _count;

                void Run(Action<CancellationToken> handOff)
                {
                    var cts = new CancellationTokenSource();
                    cts.Token.Register(() => {|#0:_count++|});
                    handOff(cts.Token);
                }
            }
            """,
            Race(0, "CancellationToken.Register", "increments", "field 'Runner._count'", EachCall("Run")));
    }

    // ---- 2. serial contexts ----------------------------------------------------------------------------------

    [Fact]
    public async Task ContinuationOnTheConcurrentSchedulerOfThePair_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;

            class View
            {
                private readonly ConcurrentExclusiveSchedulerPair _pair = new();
                private int _a;

                void Run(Task task) => task.ContinueWith(t => {|#0:_a++|}, CancellationToken.None, TaskContinuationOptions.None, _pair.ConcurrentScheduler);
            }
            """,
            Race(0, "Task.ContinueWith", "increments", "field 'View._a'", EachCall("Run")));
    }

    private const string SchedulerSource = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class LimitedScheduler : TaskScheduler
        {
            private readonly Queue<Task> _tasks = new();

            public override int MaximumConcurrencyLevel => LEVEL;

            protected override void QueueTask(Task task) { lock (_tasks) { _tasks.Enqueue(task); } }

            protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

            protected override IEnumerable<Task> GetScheduledTasks() { lock (_tasks) { return _tasks.ToArray(); } }
        }

        class View
        {
            private readonly LimitedScheduler _scheduler = new();
            private int _a;

            void Run(Task task) => task.ContinueWith(t => ACCESS, CancellationToken.None, TaskContinuationOptions.None, _scheduler);
        }
        """;

    [Fact]
    public async Task ContinuationOnASourceSchedulerWithMaximumConcurrencyLevelFour_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync(
            SchedulerSource.Replace("LEVEL", "4").Replace("ACCESS", "{|#0:_a++|}"),
            Race(0, "Task.ContinueWith", "increments", "field 'View._a'", EachCall("Run")));
    }

    [Fact]
    public async Task RegisterWithoutTheSynchronizationContext_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class View
            {
                private int _c;

                void Run(CancellationToken token) => token.Register(() => {|#0:_c++|}, useSynchronizationContext: false);
            }
            """,
            Race(0, "CancellationToken.Register", "increments", "field 'View._c'", EachCall("Run")));
    }

    // ---- 2. ownership ------------------------------------------------------------------------------------------

    [Fact]
    public async Task ObjectCreatedPerIteration_TouchedOnlyByItsCallback_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Attempt { public int Tries; }

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    for (int i = 0; i < 4; i++)
                    {
                        var attempt = new Attempt();
                        pool.Submit(() => 1).AddDoneCallback(f => attempt.Tries++);
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task ObjectCreatedPerCall_TouchedByTwoCallbacks_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Attempt { public int Tries; }

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    var attempt = new Attempt();
                    pool.Submit(() => 1).AddDoneCallback(f => {|#0:attempt.Tries++|});
                    pool.Submit(() => 2).AddDoneCallback(f => {|#1:attempt.Tries++|});
                }
            }
            """,
            Race(0, Api, "increments", "field 'Attempt.Tries'", "a callback in 'Run' increments it without a lock").WithLocation(1),
            Race(1, Api, "increments", "field 'Attempt.Tries'", "a callback in 'Run' increments it without a lock").WithLocation(0));
    }

    [Fact]
    public async Task ArraySlotSharedByEveryCallback_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Runner
            {
                int[] Run(ThreadPoolExecutor pool)
                {
                    var results = new int[8];
                    for (int i = 0; i < 8; i++)
                    {
                        pool.Submit(() => 1).AddDoneCallback(f => {|#0:results[0] += f.Result()|});
                    }

                    pool.Shutdown(wait: true);
                    return results;
                }
            }
            """,
            Race(0, Api, "updates an element of", "captured local 'results'", InLoop));
    }

    // ---- 3. lock-free code ---------------------------------------------------------------------------------------

    [Fact]
    public async Task CompareExchangeTryLock_ReferenceForm_GuardsItsRegion_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Flusher
            {
                private object? _busy;
                private int _flushes;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    if (Interlocked.CompareExchange(ref _busy, this, null) == null)
                    {
                        try { _flushes++; }
                        finally { _busy = null; }
                    }
                });
            }
            """);
    }

    [Fact]
    public async Task CompareExchangeTryLock_AccessOutsideTheRegion_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Flusher
            {
                private int _busy;
                private int _flushes;
                private int _skipped;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    if (Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
                    {
                        try { _flushes++; }
                        finally { Volatile.Write(ref _busy, 0); }
                    }
                    else
                    {
                        {|#0:_skipped++|};
                    }
                });
            }
            """,
            Race(0, Api, "increments", "field 'Flusher._skipped'", EachCall("Run")));
    }

    [Fact]
    public async Task ImmutableInterlockedUpdate_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Immutable;
            using Executor;

            class Registry
            {
                private ImmutableList<int> _items = ImmutableList<int>.Empty;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => ImmutableInterlocked.Update(ref _items, (list, x) => list.Add(x), f.Result()));

                public void Clear() => ImmutableInterlocked.Update(ref _items, list => list.Clear());
            }
            """);
    }

    [Fact]
    public async Task ImmutableListReadModifyWriteWithoutInterlocked_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Immutable;
            using Executor;

            class Registry
            {
                private ImmutableList<int> _items = ImmutableList<int>.Empty;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:_items = _items.Add(f.Result())|});
            }
            """,
            Race(0, Api, "writes", "field 'Registry._items'", EachCall("Run")));
    }

    [Fact]
    public async Task LazyInitializerEnsureInitialized_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using System.Threading;

            class Cache
            {
                private object? _gate;

                public void Start()
                {
                    for (int i = 0; i < 4; i++) ThreadPool.QueueUserWorkItem(_ => LazyInitializer.EnsureInitialized(ref _gate, () => new object()));
                }
            }
            """);
    }

    [Fact]
    public async Task CompareExchangeRetryLoopSeedRead_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            class Peak
            {
                private int _max;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    int seen, next;
                    do
                    {
                        seen = _max;
                        next = Math.Max(seen, f.Result());
                    }
                    while (Interlocked.CompareExchange(ref _max, next, seen) != seen);
                });

                public void Reset() => Interlocked.Exchange(ref _max, 0);
            }
            """);
    }

    [Fact]
    public async Task SeedReadFollowedByAPlainStore_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            class Peak
            {
                private int _max;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    int seen = _max;
                    {|#0:_max = Math.Max(seen, f.Result())|};
                });
            }
            """,
            Race(0, Api, "writes", "field 'Peak._max'", EachCall("Run")));
    }

    // ---- 4. benign by design --------------------------------------------------------------------------------------

    [Fact]
    public async Task ReadOfAReferenceEveryWriterSwapsWithInterlockedExchange_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;
            using System.Threading;

            class Session
            {
                private string? _current;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine(_current));

                public void Switch(string next) => Interlocked.Exchange(ref _current, next);

                public string? Take() => Interlocked.Exchange(ref _current, null);
            }
            """);
    }

    [Fact]
    public async Task ReadOfAReferenceOneWriterAssignsPlainly_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;
            using System.Threading;

            class Session
            {
                private string? _current;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine({|#0:_current|}));

                public void Switch(string next) => Interlocked.Exchange(ref _current, next);

                public void Reset(string next) => {|#1:_current = next|};
            }
            """,
            Race(0, Api, "reads", "field 'Session._current'", "'Reset' writes it without a lock").WithLocation(1));
    }

    // ---- 5. state argument of static lambdas -------------------------------------------------------------------

    [Fact]
    public async Task UnsafeRegisterStaticLambdaWithThisAsState_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Conn
            {
                private int _cancels;

                public void Watch(CancellationToken ct) => ct.UnsafeRegister(static s => {|#0:((Conn)s!)._cancels++|}, this);
            }
            """,
            Race(0, "CancellationToken.UnsafeRegister", "increments", "field 'Conn._cancels'", EachCall("Watch")));
    }

    [Fact]
    public async Task StaticLambdasWithAFreshStateObject_UnsafeRegisterAndContinueWith_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;

            class Box { public int Value; }

            class Conn
            {
                public void Watch(CancellationToken ct) => ct.UnsafeRegister(static s => ((Box)s!).Value++, new Box());

                public void Track(Task task) => task.ContinueWith(static (t, s) => ((Box)s!).Value++, new Box());
            }
            """);
    }

    [Fact]
    public async Task PeriodicTimerStaticLambdaWithThisAsState_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Poller
            {
                private Timer? _timer;
                private int _ticks;

                public Poller() => _timer = new Timer(static s => {|#0:((Poller)s!)._ticks++|}, this, 0, 100);
            }
            """,
            Race(0, "new Timer", "increments", "field 'Poller._ticks'", Periodic));
    }

    [Fact]
    public async Task PeriodicTimerStaticLambdaLockingTheStatesGate_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Poller
            {
                private readonly object _gate = new();
                private Timer? _timer;
                private int _ticks;

                public Poller() => _timer = new Timer(static s =>
                {
                    var self = (Poller)s!;
                    lock (self._gate) { self._ticks++; }
                }, this, 0, 100);
            }
            """);
    }

    [Fact]
    public async Task StateArgumentThatIsAField_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Box { public int Value; }

            class Conn
            {
                private readonly Box _box = new();

                public void Queue() => ThreadPool.QueueUserWorkItem(static s => {|#0:((Box)s!).Value++|}, _box);
            }
            """,
            Race(0, "ThreadPool.QueueUserWorkItem", "increments", "field 'Box.Value'", EachCall("Queue")));
    }

    // ---- 5. cached delegates, [ConcurrentCallback] on interfaces -----------------------------------------------

    [Fact]
    public async Task DelegateCachedInAField_PassedAFreshStateObject_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Box { public int Value; }

            class Poller
            {
                private static readonly WaitCallback s_onWork = s => ((Box)s!).Value++;

                public void Start() => ThreadPool.QueueUserWorkItem(s_onWork, new Box());
            }
            """);
    }

    [Fact]
    public async Task ConcurrentCallbackOnInterfaceMember_HonouredByImplementation_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            interface ISource
            {
                void On([ConcurrentCallback] Action handler);
            }

            sealed class Impl : ISource
            {
                public void On(Action handler) { }
            }

            class Listener
            {
                private int _seen;

                void Run(Impl source) => source.On(() => {|#0:_seen++|});
            }
            """,
            Race(0, "Impl.On", "increments", "field 'Listener._seen'", EachCall("Run")));
    }

    [Fact]
    public async Task InterfaceMemberWithoutConcurrentCallback_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;

            interface ISource
            {
                void On(Action handler);
            }

            sealed class Impl : ISource
            {
                public void On(Action handler) { }
            }

            class Listener
            {
                private int _seen;

                void Run(Impl source) => source.On(() => _seen++);
            }
            """);
    }

    // ---- 5. state paths ------------------------------------------------------------------------------------------

    [Fact]
    public async Task LocalAliasOfAFieldUnderTheLock_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Text;
            using Executor;

            class Reporter
            {
                private readonly StringBuilder _report = new();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    var sb = _report;
                    lock (sb) { sb.Append(f.Result()); }
                });
            }
            """);
    }

    [Fact]
    public async Task InterfaceTypedCollectionFieldHoldingAConcurrentDictionary_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly IDictionary<int, int> _map = new ConcurrentDictionary<int, int>();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _map[f.Result()] = 1);
            }
            """);
    }

    [Fact]
    public async Task ExtensionMethodThatOnlyReadsTheCollection_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using Executor;

            static class ListExtensions
            {
                public static int Total(this List<int> list) { int sum = 0; foreach (var x in list) sum += x; return sum; }
            }

            class Registry
            {
                private readonly List<int> _items = new() { 1, 2 };

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine(_items.Total()));
            }
            """);
    }

    [Fact]
    public async Task CallbackEnumeratesUnderTheLockTheWriterTakes_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly object _gate = new();
                private readonly List<string> _names = new();

                public Registry(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    lock (_gate) { foreach (var name in _names) Console.WriteLine(name); }
                });

                public void Add(string name) { lock (_gate) { _names.Add(name); } }
            }
            """);
    }

    [Fact]
    public async Task RefLocalUpdatedWithInterlocked_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    ref int slot = ref _count;
                    Interlocked.Increment(ref slot);
                });
            }
            """);
    }

    [Fact]
    public async Task ConcurrentDictionaryFactoriesThatMutateSharedState_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Concurrent;
            using Executor;

            class Cache
            {
                private readonly ConcurrentDictionary<int, string> _map = new();
                private int _created;
                private int _updated;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    _map.GetOrAdd(f.Result(), k => { {|#0:_created++|}; return k.ToString(); });
                    _map.AddOrUpdate(f.Result(), k => "a", (k, v) => { {|#1:_updated++|}; return v + "a"; });
                });
            }
            """,
            Race(0, Api, "increments", "field 'Cache._created'", EachCall("Run")),
            Race(1, Api, "increments", "field 'Cache._updated'", EachCall("Run")));
    }

    [Fact]
    public async Task WithExpressionAssignedBackToTheField_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            record Stats(int Count);

            class Tracker
            {
                private Stats _stats = new(0);

                public void Watch(Task task) => task.ContinueWith(t => {|#0:_stats = _stats with { Count = _stats.Count + 1 }|});
            }
            """,
            Race(0, "Task.ContinueWith", "writes", "field 'Tracker._stats'", EachCall("Watch")));
    }

    [Fact]
    public void RuleDescription_SaysWhereEachKindOfCallbackRuns()
    {
        // The old text told timer callbacks they may run "on the thread that registers them".
        var description = new EXEC001UnsynchronizedCallbackAccessAnalyzer().SupportedDiagnostics[0].Description.ToString();
        Assert.Contains("timer and thread-pool callbacks run on pool threads", description);
        Assert.Contains("cancellation callbacks run on the thread that cancels", description);
        Assert.DoesNotContain("timer callbacks run on the thread that registers", description);
    }

    // ---- G2, G6, G7, G8: timer starts, one-shot and AutoReset timers, schedulers of one ----------------------------

    private const string RunWritesAfter = "'Run' writes it without a lock after registering the callback, with no join in between";

    private const string RestartsFirst = "another run of the same callback can do the same (the handler restarts the timer before this access)";

    [Fact]
    public async Task WriteBeforeTimersTimerStart_IsPublished_DoesNotReport()
    {
        // G2: the timer is created stopped; the callback can first run at Start().
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;

            class Runner
            {
                void Run()
                {
                    var timer = new System.Timers.Timer(100) { AutoReset = false };
                    int limit = 0;
                    timer.Elapsed += (s, e) => Console.WriteLine(limit);
                    limit = 5;
                    timer.Start();
                }
            }
            """);
    }

    [Fact]
    public async Task WriteBeforeTimersTimerEnabled_IsPublished_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Timers;

            class Runner
            {
                private Timer? _timer;

                void Run()
                {
                    int limit = 0;
                    _timer = new Timer(100) { AutoReset = false };
                    _timer.Elapsed += (s, e) => Console.WriteLine(limit);
                    limit = 5;
                    _timer.Enabled = true;
                }
            }
            """);
    }

    [Fact]
    public async Task WriteBeforeThreadingTimerChange_IsPublished_DoesNotReport()
    {
        // G2: created with an infinite due time, armed by Change.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Runner
            {
                void Run()
                {
                    int limit = 0;
                    var t = new Timer(_ => Console.WriteLine(limit), null, Timeout.Infinite, Timeout.Infinite);
                    limit = 5;
                    t.Change(100, Timeout.Infinite);
                }
            }
            """);
    }

    [Fact]
    public async Task WriteAfterTimersTimerEnabledOrThreadingTimerChange_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Runner
            {
                void Run()
                {
                    var timer = new System.Timers.Timer(100) { AutoReset = false };
                    int limit = 0;
                    timer.Elapsed += (s, e) => Console.WriteLine({|#0:limit|});
                    timer.Enabled = true;
                    {|#1:limit = 5|};
                }

                void Arm()
                {
                    int limit = 0;
                    var t = new Timer(_ => Console.WriteLine({|#2:limit|}), null, Timeout.Infinite, Timeout.Infinite);
                    t.Change(100, Timeout.Infinite);
                    {|#3:limit = 5|};
                }
            }
            """,
            Race(0, "Timer.Elapsed", "reads", "captured local 'limit'", "'Run' writes it without a lock after starting the timer, with no join in between").WithLocation(1),
            Race(2, "new Timer", "reads", "captured local 'limit'", "'Arm' writes it without a lock after starting the timer, with no join in between").WithLocation(3));
    }

    [Fact]
    public async Task WriteBeforeStartingATimerAlreadyStartedOrDueAtOnce_Reports()
    {
        // A due time of 0 fires at once, and a timer started before the subscription is running: the registration
        // is the point that publishes, not the later Change or Start.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Runner
            {
                void Run()
                {
                    int limit = 0;
                    var t = new Timer(_ => Console.WriteLine({|#0:limit|}), null, 0, Timeout.Infinite);
                    {|#1:limit = 5|};
                    t.Change(100, Timeout.Infinite);
                }

                void Again()
                {
                    var timer = new System.Timers.Timer(100) { AutoReset = false };
                    int limit = 0;
                    timer.Start();
                    timer.Elapsed += (s, e) => Console.WriteLine({|#2:limit|});
                    {|#3:limit = 5|};
                    timer.Start();
                }
            }
            """,
            Race(0, "new Timer", "reads", "captured local 'limit'", RunWritesAfter).WithLocation(1),
            Race(2, "Timer.Elapsed", "reads", "captured local 'limit'", "'Again' writes it without a lock after registering the callback, with no join in between").WithLocation(3));
    }

    [Fact]
    public async Task OneShotTimerChangedToPeriodicElsewhere_Reports()
    {
        // G7: a Change with a finite or computed period makes the one-shot timer periodic.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Poller
            {
                private Timer? _timer;
                private int _misses;

                public void Start() => _timer = new Timer(OnTick, null, 1000, Timeout.Infinite);

                public void Speed() => _timer?.Change(100, 100);

                private void OnTick(object? state) => {|#0:_misses++|};
            }

            class Watcher
            {
                private readonly Timer _timer;
                private int _ticks;

                public Watcher() => _timer = new Timer(_ => {|#1:_ticks++|}, null, Timeout.Infinite, Timeout.Infinite);

                public void Every(TimeSpan interval) => _timer.Change(TimeSpan.Zero, interval);
            }
            """,
            Race(0, "new Timer", "increments", "field 'Poller._misses'", Periodic),
            Race(1, "new Timer", "increments", "field 'Watcher._ticks'", Periodic));
    }

    [Fact]
    public async Task OneShotTimerRearmedOneShot_OtherTimerMadePeriodic_DoesNotReport()
    {
        // G7 guard: only a Change on the variable holding this timer, with a period, makes it periodic.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Poller
            {
                private Timer? _timer;
                private Timer? _other;
                private int _misses;

                public void Start() => _timer = new Timer(OnTick, null, 1000, Timeout.Infinite);

                public void Later() => _timer?.Change(5000, Timeout.Infinite);

                public void Speed() => _other?.Change(100, 100);

                private void OnTick(object? state) => _misses++;
            }
            """);
    }

    [Fact]
    public async Task AutoResetFalseHandlerRestartsBeforeTheAccess_Reports()
    {
        // G8: the restart comes first, so the next run can start while this one is at the access. System.Timers is
        // written out: with 'using System.Timers;', the 'using System.Threading;' that the Interlocked fix adds makes
        // 'Timer' ambiguous (CS0104), and the code-fix robustness test runs every test source through the fixes.
        await VerifyCS.VerifyAnalyzerAsync("""
            class Poller
            {
                private readonly System.Timers.Timer _timer = new(100) { AutoReset = false };
                private int _ticks;

                public Poller() => _timer.Elapsed += (s, e) => { _timer.Start(); {|#0:_ticks++|}; };
            }

            class Pump
            {
                private readonly System.Timers.Timer _timer = new(100) { AutoReset = false };
                private int _runs;

                public Pump() => _timer.Elapsed += OnElapsed;

                private void OnElapsed(object? sender, System.Timers.ElapsedEventArgs e)
                {
                    ((System.Timers.Timer)sender!).Enabled = true;
                    {|#1:_runs++|};
                }
            }
            """,
            Race(0, "Timer.Elapsed", "increments", "field 'Poller._ticks'", RestartsFirst),
            Race(1, "Timer.Elapsed", "increments", "field 'Pump._runs'", RestartsFirst));
    }

    [Fact]
    public async Task AutoResetFalseHandlerRestartsInFinallyOrAtTheEnd_DoesNotReport()
    {
        // G8 guard: a restart after the accesses (a finally, the last statement) keeps the runs one at a time.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Timers;

            class Poller
            {
                private readonly Timer _timer = new Timer(100) { AutoReset = false };
                private readonly Timer _other = new Timer(100) { AutoReset = false };
                private int _ticks;

                public Poller() => _timer.Elapsed += (s, e) =>
                {
                    _other.Start();
                    try
                    {
                        _ticks++;
                    }
                    finally
                    {
                        _timer.Start();
                    }
                };
            }
            """);
    }

    [Fact]
    public async Task ContinuationOnASourceSchedulerWithMaximumConcurrencyLevelOne_DoesNotReport()
    {
        // G6: a scheduler of the compilation that runs one task at a time is serial, like ExclusiveScheduler.
        await VerifyCS.VerifyAnalyzerAsync(SchedulerSource.Replace("LEVEL", "1").Replace("ACCESS", "_a++"));
    }

    [Fact]
    public async Task ContinuationOnASchedulerOfOneHeldAsTaskScheduler_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync(
            SchedulerSource.Replace("public override int MaximumConcurrencyLevel => LEVEL;", "public override int MaximumConcurrencyLevel { get { return 1; } }")
                .Replace("private readonly LimitedScheduler _scheduler = new();", "private readonly TaskScheduler _scheduler = new LimitedScheduler();")
                .Replace("ACCESS", "_a++"));
    }

    [Fact]
    public async Task ContinuationOnASchedulerWhoseLevelIsNotTheConstantOne_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync(
            SchedulerSource.Replace("public override int MaximumConcurrencyLevel => LEVEL;", "public override int MaximumConcurrencyLevel => _level; private readonly int _level = 1;")
                .Replace("ACCESS", "{|#0:_a++|}"),
            Race(0, "Task.ContinueWith", "increments", "field 'View._a'", EachCall("Run")));
    }

    // ---- 2.7-2.12 joins: a wait orders an access only when the callback signals the waited object after it ---------

    private static string ReadsAfter(string member, string locks = "without a lock")
        => "'" + member + "' reads it " + locks + " after registering the callback, with no join in between";

    private static DiagnosticResult Work(int marker, string api, string verb, string target, string other)
        => Verifiers.CSharpAnalyzerVerifier<EXEC002UnsynchronizedWorkAccessAnalyzer>.Diagnostic().WithLocation(marker).WithArguments(api, verb, target, "without a lock", other);

    [Fact]
    public async Task WaitOnWhatTheCallbackSignalsBeforeItsWrite_IsNotAJoin_Reports()
    {
        // G3: the waiter can wake up while the callback is still writing.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Runner
            {
                void Slim(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new ManualResetEventSlim();
                    pool.Submit(() => 1).AddDoneCallback(f => { done.Set(); {|#0:total += f.Result()|}; });
                    done.Wait();
                    Console.WriteLine({|#1:total|});
                }

                void Handle(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new ManualResetEvent(false);
                    pool.Submit(() => 1).AddDoneCallback(f => { done.Set(); {|#2:total += f.Result()|}; });
                    done.WaitOne();
                    Console.WriteLine({|#3:total|});
                }

                void Countdown(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new CountdownEvent(1);
                    pool.Submit(() => 1).AddDoneCallback(f => { done.Signal(); {|#4:total += f.Result()|}; });
                    done.Wait();
                    Console.WriteLine({|#5:total|});
                }

                async Task Source(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    var done = new TaskCompletionSource<bool>();
                    pool.Submit(() => 1).AddDoneCallback(f => { done.SetResult(true); {|#6:total += f.Result()|}; });
                    await done.Task;
                    Console.WriteLine({|#7:total|});
                }

                void Phase(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var barrier = new Barrier(2);
                    pool.Submit(() => 1).AddDoneCallback(f => { barrier.SignalAndWait(); {|#8:total += f.Result()|}; });
                    barrier.SignalAndWait();
                    Console.WriteLine({|#9:total|});
                }
            }
            """,
            Race(0, Api, "updates", "captured local 'total'", ReadsAfter("Slim")).WithLocation(1),
            Race(2, Api, "updates", "captured local 'total'", ReadsAfter("Handle")).WithLocation(3),
            Race(4, Api, "updates", "captured local 'total'", ReadsAfter("Countdown")).WithLocation(5),
            Race(6, Api, "updates", "captured local 'total'", ReadsAfter("Source")).WithLocation(7),
            Race(8, Api, "updates", "captured local 'total'", ReadsAfter("Phase")).WithLocation(9));
    }

    [Fact]
    public async Task WaitOnWhatTheCallbackNeverSignals_IsNotAJoin_Reports()
    {
        // G3: an event, a completion source or a field the callback does not touch; a delay.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Runner
            {
                private readonly ManualResetEventSlim _ready = new();

                void Other(ThreadPoolExecutor pool, ManualResetEventSlim other)
                {
                    int total = 0;
                    pool.Submit(() => 1).AddDoneCallback(f => {|#0:total += f.Result()|});
                    other.Wait();
                    Console.WriteLine({|#1:total|});
                }

                void Field(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    pool.Submit(() => 1).AddDoneCallback(f => {|#2:total += f.Result()|});
                    _ready.Wait();
                    Console.WriteLine({|#3:total|});
                }

                async Task Source(ThreadPoolExecutor pool, TaskCompletionSource<int> source)
                {
                    int total = 0;
                    pool.Submit(() => 1).AddDoneCallback(f => {|#4:total += f.Result()|});
                    await source.Task;
                    Console.WriteLine({|#5:total|});
                }

                async Task Delay(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    pool.Submit(() => 1).AddDoneCallback(f => {|#6:total += f.Result()|});
                    await Task.Delay(10);
                    Console.WriteLine({|#7:total|});
                }

                void Sleep(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    pool.Submit(() => 1).AddDoneCallback(f => {|#8:total += f.Result()|});
                    Thread.Sleep(10);
                    Task.Delay(10).Wait();
                    Console.WriteLine({|#9:total|});
                }
            }
            """,
            Race(0, Api, "updates", "captured local 'total'", ReadsAfter("Other")).WithLocation(1),
            Race(2, Api, "updates", "captured local 'total'", ReadsAfter("Field")).WithLocation(3),
            Race(4, Api, "updates", "captured local 'total'", ReadsAfter("Source")).WithLocation(5),
            Race(6, Api, "updates", "captured local 'total'", ReadsAfter("Delay")).WithLocation(7),
            Race(8, Api, "updates", "captured local 'total'", ReadsAfter("Sleep")).WithLocation(9));
    }

    [Fact]
    public async Task WaitOnWhatTheCallbackSignalsAfterItsWrite_DoesNotReport()
    {
        // G3, the join side: after the write on some path (a finally, the last of a countdown), through a method of
        // the compilation or a local function, as the state argument, through a local holding the completion
        // source's task, or through '?.'.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Runner
            {
                private readonly ManualResetEventSlim _done = new();
                private int _pending;
                private int _total;

                void Finally(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new ManualResetEventSlim();
                    pool.Submit(() => 1).AddDoneCallback(f => { try { total += f.Result(); } finally { done.Set(); } });
                    done.Wait();
                    Console.WriteLine(total);
                }

                void Last(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new ManualResetEventSlim();
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); if (Interlocked.Decrement(ref _pending) == 0) done.Set(); });
                    done.Wait();
                    Console.WriteLine(total);
                }

                public Runner(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(OnDone);
                    _done.Wait();
                    Console.WriteLine(_total);
                }

                private void OnDone(Future<int> f)
                {
                    _total = f.Result();
                    Finish();
                }

                private void Finish() => _done.Set();

                void State()
                {
                    int total = 0;
                    using var done = new ManualResetEventSlim();
                    ThreadPool.QueueUserWorkItem(s => { total = 1; ((ManualResetEventSlim)s!).Set(); }, done);
                    done.Wait();
                    Console.WriteLine(total);
                }

                void Alias(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    var source = new TaskCompletionSource<bool>();
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); source.TrySetResult(true); });
                    var task = source.Task;
                    task.GetAwaiter().GetResult();
                    Console.WriteLine(total);
                }

                void LocalFunction(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new CountdownEvent(1);
                    void Finish() => done.Signal();
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); Finish(); });
                    done.Wait();
                    Console.WriteLine(total);
                }

                async Task Conditional(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    var source = new TaskCompletionSource<bool>();
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); source?.TrySetResult(true); });
                    await source.Task;
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task WaitOnASemaphoreTheCallbackReleasesAfterItsWrite_DoesNotReport()
    {
        // G4: a semaphore the callback releases and the waiter does not is a signal, not a lock.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new SemaphoreSlim(0);
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); done.Release(); });
                    done.Wait();
                    Console.WriteLine(total);
                }

                async Task RunAsync(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new SemaphoreSlim(0);
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); done.Release(); });
                    await done.WaitAsync();
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task WaitOnASemaphoreTheCallbackReleasesBeforeItsWrite_ReportsWithoutALock()
    {
        // G4: not a join, and the wait is not a lock either.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    using var done = new SemaphoreSlim(0);
                    pool.Submit(() => 1).AddDoneCallback(f => { done.Release(); {|#0:total += f.Result()|}; });
                    done.Wait();
                    Console.WriteLine({|#1:total|});
                }
            }
            """,
            Race(0, Api, "updates", "captured local 'total'", RunReadsAfter).WithLocation(1));
    }

    [Fact]
    public async Task SemaphoreSlimLockOnBothSides_DoesNotReport()
    {
        // G4: a semaphore waited on and released around the access on each side is still a lock (in sequence, or in
        // try/finally).
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Counter
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private int _count;

                public void Run(ThreadPoolExecutor pool)
                    => pool.Submit(() => 1).AddDoneCallback(f => { _gate.Wait(); _count += f.Result(); _gate.Release(); });

                public async Task<int> ReadAsync()
                {
                    await _gate.WaitAsync();
                    try
                    {
                        return _count;
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task SemaphoreSlimLockAfterTheRegistration_IsNotAJoin_Reports()
    {
        // G4: awaiting the lock's WaitAsync does not wait for a callback that never takes the lock.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Runner
            {
                async Task Run(ThreadPoolExecutor pool, SemaphoreSlim gate)
                {
                    int total = 0;
                    pool.Submit(() => 1).AddDoneCallback(f => {|#0:total += f.Result()|});
                    await gate.WaitAsync();
                    try
                    {
                        Console.WriteLine({|#1:total|});
                    }
                    finally
                    {
                        gate.Release();
                    }
                }
            }
            """,
            Race(0, Api, "updates", "captured local 'total'", ReadsAfter("Run", "under lock 'gate'")).WithLocation(1));
    }

    [Fact]
    public async Task WaitingOnOrAwaitingTheAntecedent_IsNotAJoin_Reports()
    {
        // G5: the antecedent completes before its continuation runs.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Runner
            {
                async Task Await(Task<int> work)
                {
                    int total = 0;
                    _ = work.ContinueWith(t => {|#0:total += t.Result|});
                    await work;
                    Console.WriteLine({|#1:total|});
                }

                void Wait(Task<int> work)
                {
                    int total = 0;
                    _ = work.ContinueWith(t => {|#2:total += t.Result|});
                    work.Wait();
                    Console.WriteLine({|#3:total|});
                }

                void Result(Task<int> work)
                {
                    int total = 0;
                    _ = work.ContinueWith(t => {|#4:total += t.Result|});
                    Console.WriteLine(work.Result + {|#5:total|});
                }
            }
            """,
            Race(0, "Task<int>.ContinueWith", "updates", "captured local 'total'", ReadsAfter("Await")).WithLocation(1),
            Race(2, "Task<int>.ContinueWith", "updates", "captured local 'total'", ReadsAfter("Wait")).WithLocation(3),
            Race(4, "Task<int>.ContinueWith", "updates", "captured local 'total'", ReadsAfter("Result")).WithLocation(5));
    }

    [Fact]
    public async Task WaitingOnTheContinuationAfterTheAntecedent_DoesNotReport()
    {
        // G5, the join side: the continuation's own task, after the antecedent or directly.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Runner
            {
                async Task Await(Task<int> work)
                {
                    int total = 0;
                    var next = work.ContinueWith(t => total += t.Result);
                    await work;
                    await next.ConfigureAwait(false);
                    Console.WriteLine(total);
                }

                void Wait(Task<int> work)
                {
                    int total = 0;
                    var next = work.ContinueWith(t => total += t.Result);
                    work.Wait();
                    next.GetAwaiter().GetResult();
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task Exec002_WaitOnWhatTheWorkSignalsBeforeItsWrite_Reports()
    {
        // The same joins for work (EXEC002): an event set before the write, a semaphore released before it.
        await Verifiers.CSharpAnalyzerVerifier<EXEC002UnsynchronizedWorkAccessAnalyzer>.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Runner
            {
                void Run()
                {
                    int total = 0;
                    using var done = new ManualResetEventSlim();
                    Task.Run(() => { done.Set(); {|#0:total += 1|}; });
                    done.Wait();
                    Console.WriteLine({|#1:total|});
                }

                void Release()
                {
                    int total = 0;
                    using var done = new SemaphoreSlim(0);
                    Task.Run(() => { done.Release(); {|#2:total += 1|}; });
                    done.Wait();
                    Console.WriteLine({|#3:total|});
                }
            }
            """,
            Work(0, "Task.Run", "updates", "captured local 'total'", "'Run' reads it without a lock after starting the work, with no join in between").WithLocation(1),
            Work(2, "Task.Run", "updates", "captured local 'total'", "'Release' reads it without a lock after starting the work, with no join in between").WithLocation(3));
    }

    [Fact]
    public async Task Exec002_WaitOnWhatTheWorkSignalsAfterItsWrite_DoesNotReport()
    {
        // The join side for work: an event set after the write, a semaphore released after it (not a lock).
        await Verifiers.CSharpAnalyzerVerifier<EXEC002UnsynchronizedWorkAccessAnalyzer>.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Runner
            {
                void Run()
                {
                    int total = 0;
                    using var done = new ManualResetEventSlim();
                    Task.Run(() => { total += 1; done.Set(); });
                    done.Wait();
                    Console.WriteLine(total);
                }

                void Release()
                {
                    int total = 0;
                    using var done = new SemaphoreSlim(0);
                    Task.Run(() => { total += 1; done.Release(); });
                    done.Wait();
                    Console.WriteLine(total);
                }
            }
            """);
    }


    // ---- 5. reach: state paths the walker follows (G11-G16, G1, G10, X2) ------------------------------------------

    [Fact]
    public async Task CallbackEnumeratesWhileAnotherMemberAdds_Reports()
    {
        // G14: the reverse of RM.OtherMember_EnumeratesWhileCallbackAdds_ReportsWithItsLocation.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using Executor;

            class Registry
            {
                private readonly List<string> _names = new();
                private readonly Dictionary<int, string> _byId = new();

                public Registry(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    foreach (var name in {|#0:_names|}) Console.WriteLine(name);
                    Console.WriteLine({|#1:_byId.Values.ToList()|}.Count);
                    Console.WriteLine({|#2:_names.Where(n => n.Length > f.Result())|}.Count());
                });

                public void Add(string name) => {|#3:_names.Add(name)|};

                public void Put(int id, string name) => {|#4:_byId[id] = name|};
            }
            """,
            Race(0, Api, "enumerates", "field 'Registry._names'", "'Add' calls 'Add' on it without a lock").WithLocation(3),
            Race(1, Api, "enumerates", "field 'Registry._byId'", "'Put' writes an element of it without a lock").WithLocation(4),
            Race(2, Api, "enumerates", "field 'Registry._names'", "'Add' calls 'Add' on it without a lock").WithLocation(3));
    }

    [Fact]
    public async Task CallbackEnumeratesAConcurrentCollectionOrACollectionNoOneMutates_DoesNotReport()
    {
        // G14, the other way: a concurrent collection, and a list filled only by the constructor.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Linq;
            using Executor;

            class Registry
            {
                private readonly ConcurrentQueue<string> _names = new();
                private readonly List<int> _fixed = new();

                public Registry(ThreadPoolExecutor pool)
                {
                    _fixed.Add(1);
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        foreach (var name in _names) Console.WriteLine(name);
                        Console.WriteLine(_fixed.Sum() + _names.ToList().Count);
                    });
                }

                public void Add(string name) => _names.Enqueue(name);
            }
            """);
    }

    [Fact]
    public async Task InterfaceTypedCollectionFieldsHoldingNonThreadSafeCollections_Report()
    {
        // G12: every assignment of the field is a List, HashSet or Dictionary.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly IList<int> _items = new List<int>();
                private readonly ICollection<string> _names;
                private IDictionary<int, int> _map = new Dictionary<int, int>();

                public Registry() => _names = new HashSet<string>();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    {|#0:_items.Add(f.Result())|};
                    {|#1:_names.Add(f.Result().ToString())|};
                    {|#2:_map[f.Result()] = f.Result()|};
                });

                public void Reset() => {|#3:_map = null!|};

                public void Drop(int x) => {|#4:_items.Remove(x)|};
            }
            """,
            Race(0, Api, "calls 'ICollection<int>.Add' on", "field 'Registry._items'", "'Drop' calls 'Remove' on it without a lock").WithLocation(4),
            Race(1, Api, "calls 'ICollection<string>.Add' on", "field 'Registry._names'", EachCall("Run")),
            Race(2, Api, "writes an element of", "field 'Registry._map'", "'Reset' writes it without a lock").WithLocation(3));
    }

    [Fact]
    public async Task InterfaceTypedCollectionFieldsWithAConcurrentOrUnknownAssignment_DoNotReport()
    {
        // G12, the other way: one assignment is a concurrent collection, a parameter or a call result.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private IDictionary<int, int> _map = new Dictionary<int, int>();
                private readonly ICollection<int> _given;
                private readonly IList<int> _made = Make();
                private readonly IReadOnlyList<int> _view = new List<int>();

                public Registry(ICollection<int> given) => _given = given;

                public void Swap() => _map = new ConcurrentDictionary<int, int>();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    _map[f.Result()] = 1;
                    _given.Add(f.Result());
                    _made.Add(f.Result() + _view.Count);
                });

                private static IList<int> Make() => new SynchronizedList();
            }

            class SynchronizedList : List<int>, IList<int> { }
            """);
    }

    [Fact]
    public async Task LockOnTheCollectionItself_IsNotAReadOfIt_DoesNotReport()
    {
        // 'lock (_items)' takes the list's monitor: the other side's lock statement does not read the list.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly List<int> _items = new();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (_items) { _items.Add(f.Result()); } });

                public void Add(int x) { lock (_items) { _items.Add(x); } }
            }
            """);
    }

    [Fact]
    public async Task LockOnTheCollectionOnOneSideOnly_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly List<int> _items = new();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (_items) { {|#0:_items.Add(f.Result())|}; } });

                public void Add(int x) => {|#1:_items.Add(x)|};
            }
            """,
            Race(0, Api, "calls 'List<int>.Add' on", "field 'Registry._items'", "'Add' calls 'Add' on it without a lock", "under lock '_items'").WithLocation(1));
    }

    [Fact]
    public async Task LocalAliasesOfFields_Report()
    {
        // G11: a local the callback declares from a field, never reassigned, is the field's storage.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using System.Text;
            using Executor;

            class Reporter
            {
                private readonly StringBuilder _report = new();
                private readonly List<int> _items = new();
                private readonly Dictionary<int, int> _map = new();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    var sb = _report;
                    {|#0:sb.Append(f.Result())|};
                    var items = _items;
                    {|#1:items.Add(f.Result())|};
                    var map = this._map;
                    {|#2:map[f.Result()] = f.Result()|};
                });
            }
            """,
            Race(0, Api, "calls 'StringBuilder.Append' on", "field 'Reporter._report'", EachCall("Run")),
            Race(1, Api, "calls 'List<int>.Add' on", "field 'Reporter._items'", EachCall("Run")),
            Race(2, Api, "writes an element of", "field 'Reporter._map'", EachCall("Run")));
    }

    [Fact]
    public async Task LocalsThatAreNotAliasesOfAField_DoNotReport()
    {
        // G11, the other way: reassigned before the call, a copy, a per-call object, and an alias under the field's lock.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using System.Text;
            using Executor;

            class Reporter
            {
                private readonly StringBuilder _report = new();
                private readonly List<int> _items = new();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    var sb = _report;
                    sb = new StringBuilder();
                    sb.Append(f.Result());
                    var copy = new List<int>(_items);
                    copy.Add(f.Result());
                    var items = _items;
                    lock (_items) { items.Add(f.Result()); }
                });

                public void Add(int x) { lock (_items) { _items.Add(x); } }
            }
            """);
    }

    [Fact]
    public async Task VolatileOrExchangeOfAValueReadFromTheSameField_Reports()
    {
        // G16: each half is atomic; the pair is a read-modify-write.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Counter
            {
                private int _count;
                private long _total;
                private int _last;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    {|#0:Volatile.Write(ref _count, Volatile.Read(ref _count) + f.Result())|};
                    {|#1:Interlocked.Exchange(ref _total, _total + f.Result())|};
                    {|#4:_last = f.Result()|};
                });

                public void Reset() => {|#2:_count = 0|};

                public void Bump() => {|#3:Volatile.Write(ref _last, Volatile.Read(ref {|#5:_last|}) + 1)|};
            }
            """,
            Race(0, Api, "updates (a read, then Volatile.Write)", "field 'Counter._count'", "'Reset' writes it without a lock").WithLocation(2),
            Race(1, Api, "updates (a read, then Interlocked.Exchange)", "field 'Counter._total'", EachCall("Run")),
            VerifyCS.Diagnostic().WithLocation(4).WithLocation(3).WithLocation(5).WithArguments(Api, "writes", "field 'Counter._last'", "without a lock", "'Bump' updates (a read, then Volatile.Write) it without a lock"));
    }

    [Fact]
    public async Task VolatileWriteOfAnotherValueOrInterlockedAdd_DoesNotReport()
    {
        // G16, the other way: the stored value does not read the field, the update is Interlocked.Add, or it is locked.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Counter
            {
                private readonly object _gate = new();
                private int _count;
                private int _latest;
                private int _seen;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    Interlocked.Add(ref _count, f.Result());
                    Volatile.Write(ref _latest, f.Result());
                    Interlocked.Exchange(ref _latest, f.Result() + 1);
                    lock (_gate) { Volatile.Write(ref _seen, Volatile.Read(ref _seen) + 1); }
                });

                public int Read() => Volatile.Read(ref _count) + _latest;

                public void Bump() { lock (_gate) { _seen++; } }
            }
            """);
    }

    [Fact]
    public async Task CompoundUpdatesThroughARefLocal_Report()
    {
        // G15: 'slot' is '_count'.
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;
                private static long s_total;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    ref int slot = ref _count;
                    {|#0:slot++|};
                    ref long total = ref s_total;
                    {|#1:total += f.Result()|};
                });
            }
            """,
            Race(0, Api, "increments", "field 'Counter._count'", EachCall("Run")),
            Race(1, Api, "updates", "static field 'Counter.s_total'", EachCall("Run")));
    }

    [Fact]
    public async Task RefLocalsToOwnedOrLockedStorage_DoNotReport()
    {
        // G15, the other way: a ref to a local of the callback, a ref local under the lock, a ref re-pointed at owned storage.
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private readonly object _gate = new();
                private int _count;
                private int _other;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    int mine = 0;
                    ref int own = ref mine;
                    own++;
                    ref int slot = ref _count;
                    lock (_gate) { slot++; }
                    scoped ref int moved = ref _other;
                    moved = ref mine;
                    moved++;
                });

                public void Reset() { lock (_gate) { _count = 0; } }
            }
            """);
    }

    [Fact]
    public async Task StaticStateUnderAnInstanceLock_Reports()
    {
        // G1: each object has its own '_gate', so it does not order two objects' accesses to the static.
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Meter
            {
                private static int s_total;
                private static int s_hits;
                private readonly object _gate = new();

                public void Track(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    lock (_gate) { {|#0:s_total += f.Result()|}; }
                    lock (this) { {|#2:s_hits++|}; }
                });

                public void Reset() { lock (_gate) { {|#1:s_total = 0|}; } }
            }
            """,
            Race(0, Api, "updates", "static field 'Meter.s_total'", "'Reset' writes it under lock '_gate'", "under lock '_gate'").WithLocation(1),
            Race(2, Api, "increments", "static field 'Meter.s_hits'", EachCall("Track"), "under lock 'this'"));
    }

    [Fact]
    public async Task StaticStateUpdatedByACallbackRegisteredInAConstructor_Reports()
    {
        // X2: the constructor runs once per object; every object's callback updates the same static.
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Gauge
            {
                private static int s_count;

                public Gauge(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:s_count += f.Result()|});
            }
            """,
            Race(0, Api, "updates", "static field 'Gauge.s_count'", "another run of the same callback can do the same (each new object registers it, and the state is static)"));
    }

    [Fact]
    public async Task InstanceStateUnderAnInstanceLockOrStaticStateFromAStaticConstructor_DoesNotReport()
    {
        // G1/X2, the other way: the object's own state under its own lock; a static registered once by the static constructor.
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Meter
            {
                private int _total;
                private readonly object _gate = new();

                public void Track(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (_gate) { _total += f.Result(); } });

                public void Reset() { lock (_gate) { _total = 0; } }
            }

            class Gauge
            {
                private static readonly ThreadPoolExecutor s_pool = new(2);
                private static int s_count;
                private int _mine;

                static Gauge() => s_pool.Submit(() => 1).AddDoneCallback(f => s_count += f.Result());

                public Gauge() => s_pool.Submit(() => 1).AddDoneCallback(f => _mine += f.Result());
            }
            """);
    }

    [Fact]
    public async Task ExtensionMethodThatMutatesTheCollection_Reports()
    {
        // G13: 'AddTwice' adds to the list passed as 'this': the call mutates '_items', in the callback and in 'Fill'.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            static class ListExtensions
            {
                public static void AddTwice(this List<int> list, int v) { list.Add(v); list.Add(v); }

                public static void Put(this Dictionary<int, int> map, int k) => map[k] = k;
            }

            class Registry
            {
                private readonly List<int> _items = new();
                private readonly Dictionary<int, int> _map = new();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    {|#0:_items.AddTwice(f.Result())|};
                    {|#1:_map.Put(f.Result())|};
                });

                public void Fill() => {|#2:_items.AddTwice(3)|};
            }
            """,
            Race(0, Api, "calls 'ListExtensions.AddTwice' on", "field 'Registry._items'", "'Fill' calls 'AddTwice' on it without a lock").WithLocation(2),
            Race(1, Api, "calls 'ListExtensions.Put' on", "field 'Registry._map'", EachCall("Run")));
    }

    [Fact]
    public async Task ExtensionMethodThatMutatesUnderALockOrAnOwnedCollection_DoesNotReport()
    {
        // G13, the other way: the extension locks the list; the callback passes its own list; the call is under the lock.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            static class ListExtensions
            {
                public static void AddLocked(this List<int> list, int v) { lock (list) { list.Add(v); } }

                public static void AddTwice(this List<int> list, int v) { list.Add(v); list.Add(v); }
            }

            class Registry
            {
                private readonly object _gate = new();
                private readonly List<int> _items = new();
                private readonly List<int> _guarded = new();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    _items.AddLocked(f.Result());
                    var mine = new List<int>();
                    mine.AddTwice(f.Result());
                    lock (_gate) { _guarded.AddTwice(f.Result()); }
                });

                public void Fill() { lock (_gate) { _guarded.AddTwice(3); } }
            }
            """);
    }

    [Fact]
    public async Task OneStateObjectPassedToSeveralRegistrations_Reports()
    {
        // G10: 'shared' is one object for every registration of the loop, and for both registrations of 'Twice'.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Box { public int Value; public int Other; }

            class Runner
            {
                void Run()
                {
                    var shared = new Box();
                    for (int i = 0; i < 4; i++)
                    {
                        ThreadPool.QueueUserWorkItem(static s => {|#0:((Box)s!).Value--|}, shared);
                    }
                }

                void Twice()
                {
                    var shared = new Box();
                    ThreadPool.QueueUserWorkItem(static s => {|#1:((Box)s!).Other++|}, shared);
                    ThreadPool.QueueUserWorkItem(static s => {|#2:((Box)s!).Other--|}, shared);
                }
            }
            """,
            Race(0, "ThreadPool.QueueUserWorkItem", "decrements", "field 'Box.Value'", InLoop),
            Race(1, "ThreadPool.QueueUserWorkItem", "increments", "field 'Box.Other'", "a callback in 'Twice' decrements it without a lock").WithLocation(2),
            Race(2, "ThreadPool.QueueUserWorkItem", "decrements", "field 'Box.Other'", "a callback in 'Twice' increments it without a lock").WithLocation(1));
    }

    [Fact]
    public async Task StateObjectCreatedPerIterationOrPassedOnce_DoesNotReport()
    {
        // G10, the other way: a new object in each iteration, and one object for one registration.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Box { public int Value; }

            class Runner
            {
                void Run()
                {
                    for (int i = 0; i < 4; i++)
                    {
                        var mine = new Box();
                        ThreadPool.QueueUserWorkItem(static s => ((Box)s!).Value--, mine);
                    }

                    var once = new Box();
                    ThreadPool.QueueUserWorkItem(static s => ((Box)s!).Value++, once);
                }
            }
            """);
    }
}
