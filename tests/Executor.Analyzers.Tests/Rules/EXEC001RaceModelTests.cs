using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static Executor.Analyzers.Tests.Rules.EXEC001CallbackSourcesTests;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// EXEC001 v2: a report names the other side of the race (another run, another member or callback, the registering
/// code after the registration); accesses ordered by registration, construction, joins, serial contexts, same-thread
/// completion or ownership are not races. Each fact has a should-report and a should-not-report case.
/// </summary>
public class EXEC001RaceModelTests
{
    private const string Api = "Future<int>.AddDoneCallback";

    private static DiagnosticResult Race(int marker, string api, string verb, string target, string other, string locks = "without a lock")
        => VerifyCS.Diagnostic().WithLocation(marker).WithArguments(api, verb, target, locks, other);

    // ---- the other side is another member -------------------------------------------------------------------

    [Fact]
    public async Task OtherMember_EnumeratesWhileCallbackAdds_ReportsWithItsLocation()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly List<string> _names = new();

                public Registry(ThreadPoolExecutor pool) => pool.Submit(() => "a").AddDoneCallback(f => {|#0:_names.Add(f.Result())|});

                public void Dump()
                {
                    foreach (var name in {|#1:_names|}) Console.WriteLine(name);
                }
            }
            """,
            Race(0, "Future<string>.AddDoneCallback", "calls 'List<string>.Add' on", "field 'Registry._names'", "'Dump' enumerates it without a lock").WithLocation(1));
    }

    [Fact]
    public async Task DifferentLockOnEachSide_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Cell
            {
                private readonly object _a = new();
                private readonly object _b = new();
                private int _value;

                public Cell(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (_b) { {|#0:_value = f.Result()|}; } });

                public void Set(int v) { lock (_a) { {|#1:_value = v|}; } }
            }
            """,
            Race(0, Api, "writes", "field 'Cell._value'", "'Set' writes it under lock '_a'", "under lock '_b'").WithLocation(1));
    }

    [Fact]
    public async Task SameLockOnEachSide_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Cell
            {
                private readonly object _gate = new();
                private int _value;

                public void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (_gate) { _value = f.Result(); } });

                public int Get() { lock (_gate) { return _value; } }
            }
            """);
    }

    [Fact]
    public async Task FieldLockLookAlikes_AreBoundAndCompared_Report()
    {
        // Another access is skipped from syntax alone only when a 'lock (_sync)' around it, in its own function, is
        // the field the callback locks. A local named like the field, and a field lock around a lambda's creation (not
        // held when the lambda runs), are bound and compared like any other access.
        const string source = """
            using Executor;

            sealed class Meter
            {
                private int _reading;
                private readonly object _sync = new object();

                public void Start(ThreadPoolExecutor pool)
                    => pool.Submit(() => 1).AddDoneCallback(f => { lock (_sync) { {|#0:_reading = f.Result()|}; } });

                public void Reset(int start)
                {
                    var _sync = new object();
                    lock (_sync) { {|#1:_reading = start|}; }
                }

                public void Restart(ThreadPoolExecutor pool)
                {
                    lock (_sync) { pool.Submit(() => 2).AddDoneCallback(f => {|#2:_reading = f.Result()|}); }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(
            source,
            Race(0, Api, "writes", "field 'Meter._reading'", "'Reset' writes it under lock '_sync'", "under lock '_sync'").WithLocation(1).WithLocation(2),
            Race(2, Api, "writes", "field 'Meter._reading'", "a callback in 'Start' writes it under lock '_sync'").WithLocation(0).WithLocation(1));
    }

    [Fact]
    public async Task LockObjectCreatedInsideCallback_ProtectsNothing_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    var gate = new object();
                    lock (gate) { {|#0:_count++|}; }
                });
            }
            """,
            Diag(0, Api, "increments", "field 'Counter._count'"));
    }

    // ---- self-overlap ------------------------------------------------------------------------------------------

    [Fact]
    public async Task OnlyTheCallbackTouchesField_RegisteredInConstructor_DoesNotReport()
    {
        // One registration per object, nothing else touches the field: the callback cannot race with anything.
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Probe
            {
                private int _count;

                public Probe(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _count++);
            }
            """);
    }

    [Fact]
    public async Task RegisteredByPrivateMethodCalledOnlyFromConstructor_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Probe
            {
                private int _count;

                public Probe(ThreadPoolExecutor pool) { Start(pool); }

                private void Start(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _count++);
            }
            """);
    }

    [Fact]
    public async Task PeriodicTimerInConstructor_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Poller
            {
                private readonly Timer _timer;
                private int _ticks;

                public Poller() => _timer = new Timer(_ => {|#0:_ticks++|}, null, 0, 100);
            }
            """,
            Race(0, "new Timer", "increments", "field 'Poller._ticks'", "another run of the same callback can do the same (the timer is periodic)"));
    }

    [Fact]
    public async Task OneShotTimer_RearmedAtTheEnd_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Poller
            {
                private Timer? _timer;
                private int _misses;

                public void Start() => _timer = new Timer(OnTick, null, 1000, Timeout.Infinite);

                private void OnTick(object? state)
                {
                    _misses++;
                    _timer?.Change(1000, Timeout.Infinite);
                }
            }
            """);
    }

    [Fact]
    public async Task TimersTimerWithAutoResetFalse_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Timers;

            class Poller
            {
                private readonly Timer _timer = new Timer(100) { AutoReset = false };
                private int _ticks;

                public Poller() => _timer.Elapsed += (s, e) => { _ticks++; _timer.Start(); };
            }
            """);
    }

    [Fact]
    public async Task StableFieldLockAcrossRuns_DoesNotReport_ButLocalLockPerCallDoes()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private readonly object _gate = new();
                private int _a;
                private int _b;

                void Run(ThreadPoolExecutor pool)
                {
                    var perCall = new object();
                    pool.Submit(() => 1).AddDoneCallback(f => { lock (_gate) { _a++; } });
                    pool.Submit(() => 1).AddDoneCallback(f => { lock (perCall) { {|#0:_b++|}; } });
                }
            }
            """,
            Diag(0, Api, "increments", "field 'Counter._b'", locks: "under lock 'perCall'"));
    }

    // ---- captured variables: registration, loops, joins --------------------------------------------------------

    [Fact]
    public async Task CapturedLocal_ReadAfterShutdownWait_DoesNotReport()
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
                    pool.Submit(() => 1).AddDoneCallback(f => total += f.Result());
                    pool.Shutdown(wait: true);
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task CapturedLocal_ReadAfterFutureResult_Reports()
    {
        // Result() returns before the done callbacks run: it is not a join.
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
                    future.Result();
                    Console.WriteLine({|#1:total|});
                }
            }
            """,
            Race(0, Api, "updates", "captured local 'total'", "'Run' reads it without a lock after registering the callback, with no join in between").WithLocation(1));
    }

    [Fact]
    public async Task CapturedLocal_ReadAfterWaitingOnSignal_DoesNotReport()
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
                    using var done = new ManualResetEventSlim();
                    pool.Submit(() => 1).AddDoneCallback(f => { total += f.Result(); done.Set(); });
                    done.Wait();
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task CapturedLocal_ReadAfterAwaitingContinuation_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Runner
            {
                async Task Run(Task<int> work)
                {
                    int total = 0;
                    var next = work.ContinueWith(t => total += t.Result);
                    await next;
                    Console.WriteLine(total);
                }
            }
            """);
    }

    [Fact]
    public async Task CapturedLocal_WrittenBeforeRegistration_DoesNotReport()
    {
        // The registration publishes earlier writes, even those after the delegate was created.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int limit = 1;
                    Action<Future<int>> callback = f => Console.WriteLine(limit);
                    limit = 2;
                    pool.Submit(() => 1).AddDoneCallback(callback);
                }
            }
            """);
    }

    [Fact]
    public async Task ForLoopVariable_IncrementRunsAfterRegistration_Reports()
    {
        // 'i++' comes before the lambda in the text but runs after each registration (the control flow graph says so).
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Runner
            {
                void Run()
                {
                    for (int i = 0; i < 10; {|#1:i++|})
                    {
                        ThreadPool.QueueUserWorkItem(_ => Console.WriteLine({|#0:i|}));
                    }
                }
            }
            """,
            Race(0, "ThreadPool.QueueUserWorkItem", "reads", "captured local 'i'", "'Run' increments it without a lock after registering the callback, with no join in between").WithLocation(1));
    }

    [Fact]
    public async Task VariableDeclaredInLoopBody_IsNewInEachIteration()
    {
        // 'copy' is a new variable in each iteration: the next iteration's write does not race with this callback,
        // but the write after the registration in the same iteration does.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Runner
            {
                void Run(int[] items)
                {
                    foreach (var item in items)
                    {
                        int copy = item;
                        ThreadPool.QueueUserWorkItem(_ => Console.WriteLine({|#0:copy|}));
                        {|#1:copy = 0|};
                    }
                }

                void Quiet(int[] items)
                {
                    foreach (var item in items)
                    {
                        int copy = item;
                        copy++;
                        ThreadPool.QueueUserWorkItem(_ => Console.WriteLine(copy));
                    }
                }
            }
            """,
            Race(0, "ThreadPool.QueueUserWorkItem", "reads", "captured local 'copy'", "'Run' writes it without a lock after registering the callback, with no join in between").WithLocation(1));
    }

    [Fact]
    public async Task ObjectCreatedPerCall_TouchedOnlyByItsCallback_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Attempt { public int Tries; }

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    var attempt = new Attempt();
                    pool.Submit(() => 1).AddDoneCallback(f => attempt.Tries++);
                }
            }
            """);
    }

    // ---- same-thread completion and serial contexts ---------------------------------------------------------

    [Fact]
    public async Task LocalFutureCompletedHere_RunsCallbacksOnThisThread_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                private int _count;

                void Run()
                {
                    var future = new Future<int>();
                    future.AddDoneCallback(f => _count++);
                    future.AddDoneCallback(f => _count += 2);
                    future.SetResult(1);
                    Console.WriteLine(_count);
                }
            }
            """);
    }

    [Fact]
    public async Task LocalFutureHandedToOtherCode_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                private int _count;

                void Run(Action<Future<int>> handOff)
                {
                    var future = new Future<int>();
                    future.AddDoneCallback(f => {|#0:_count++|});
                    handOff(future);
                }
            }
            """,
            Diag(0, Api, "increments", "field 'Runner._count'"));
    }

    [Fact]
    public async Task ContinuationsOnSerialSchedulers_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;

            class View
            {
                private readonly ConcurrentExclusiveSchedulerPair _pair = new();
                private int _a;
                private int _b;
                private int _c;

                void Run(Task task, CancellationToken token)
                {
                    task.ContinueWith(t => _a++, TaskScheduler.FromCurrentSynchronizationContext());
                    task.ContinueWith(t => _b++, CancellationToken.None, TaskContinuationOptions.None, _pair.ExclusiveScheduler);
                    token.Register(() => _c++, useSynchronizationContext: true);
                }
            }
            """);
    }

    [Fact]
    public async Task ContinuationOnDefaultScheduler_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class View
            {
                private int _a;

                void Run(Task task) => task.ContinueWith(t => {|#0:_a++|}, TaskScheduler.Default);
            }
            """,
            Diag(0, "Task.ContinueWith", "increments", "field 'View._a'"));
    }

    // ---- locks and lock-free code ---------------------------------------------------------------------------

    [Fact]
    public async Task MonitorTryEnter_OnlyTheTakenBranchIsLocked()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Sink
            {
                private readonly object _gate = new();
                private int _written;
                private int _dropped;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    if (Monitor.TryEnter(_gate))
                    {
                        try { _written++; }
                        finally { Monitor.Exit(_gate); }
                    }
                    else
                    {
                        {|#0:_dropped++|};
                    }
                });
            }
            """,
            Diag(0, Api, "increments", "field 'Sink._dropped'"));
    }

    [Fact]
    public async Task MonitorTryEnterWithFlag_GuardedRegionIsLocked()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Sink
            {
                private readonly object _gate = new();
                private int _written;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    bool taken = false;
                    try
                    {
                        Monitor.TryEnter(_gate, ref taken);
                        if (taken)
                        {
                            _written++;
                        }
                    }
                    finally
                    {
                        if (taken) Monitor.Exit(_gate);
                    }
                });
            }
            """);
    }

    [Fact]
    public async Task MonitorTryEnterResultStoredInAFlag_TakenBranchIsLocked_OtherBranchIsNot()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Sink
            {
                private readonly object _gate = new();
                private int _written;
                private int _dropped;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    bool lockTaken = false;
                    try
                    {
                        lockTaken = Monitor.TryEnter(_gate, 50);
                        if (lockTaken)
                        {
                            _written++;
                        }
                        else
                        {
                            {|#0:_dropped++|};
                        }
                    }
                    finally
                    {
                        if (lockTaken) Monitor.Exit(_gate);
                    }
                });

                void Poll()
                {
                    var taken = Monitor.TryEnter(_gate, 10);
                    if (!taken) return;
                    try { _written = 0; } finally { Monitor.Exit(_gate); }
                }
            }
            """,
            Diag(0, Api, "increments", "field 'Sink._dropped'"));
    }

    [Fact]
    public async Task WithLockHelper_RunsTheDelegateUnderItsLock_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Counter
            {
                private readonly object _gate = new();
                private int _count;

                private void WithLock(Action action) { lock (_gate) { action(); } }

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => WithLock(() => _count++));

                public void Reset() => WithLock(() => _count = 0);
            }
            """);
    }

    [Fact]
    public async Task HelperThatRunsTheDelegateWithoutALock_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Counter
            {
                private int _count;

                private static void Run(Action action) => action();

                void Start(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Run(() => {|#0:_count++|}));
            }
            """,
            Race(0, Api, "increments", "field 'Counter._count'", "another run of the same callback can do the same ('Start' registers it each time it runs)"));
    }

    [Fact]
    public async Task ReleaserHelper_UsingItsResultHoldsTheLock_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            sealed class Gate
            {
                private readonly object _o = new();

                public Releaser Enter() { Monitor.Enter(_o); return new Releaser(_o); }

                public readonly struct Releaser : IDisposable
                {
                    private readonly object _o;
                    public Releaser(object o) => _o = o;
                    public void Dispose() => Monitor.Exit(_o);
                }
            }

            class Counter
            {
                private readonly Gate _gate = new();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    using (_gate.Enter()) { _count++; }
                });

                public void Reset()
                {
                    using var held = _gate.Enter();
                    _count = 0;
                }
            }
            """);
    }

    [Fact]
    public async Task ReleaserHelpersOnDifferentObjects_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            sealed class Gate
            {
                private readonly object _o = new();

                public Releaser Enter() { Monitor.Enter(_o); return new Releaser(_o); }

                public readonly struct Releaser : IDisposable
                {
                    private readonly object _o;
                    public Releaser(object o) => _o = o;
                    public void Dispose() => Monitor.Exit(_o);
                }
            }

            class Counter
            {
                private readonly Gate _a = new();
                private readonly Gate _b = new();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    using (_a.Enter()) { {|#0:_count++|}; }
                });

                public void Reset()
                {
                    using (_b.Enter()) { {|#1:_count = 0|}; }
                }
            }
            """,
            Race(0, Api, "increments", "field 'Counter._count'", "'Reset' writes it under lock '_b'", "under lock '_a'").WithLocation(1));
    }

    [Fact]
    public async Task CompareExchangeTryLock_GuardsItsRegion()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Flusher
            {
                private int _busy;
                private int _flushes;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    if (Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
                    {
                        try { _flushes++; }
                        finally { Volatile.Write(ref _busy, 0); }
                    }
                });
            }
            """);
    }

    // ---- locks held by every caller, and accesses every caller makes before registering ---------------------

    [Fact]
    public async Task HelperWhoseEveryCallerHoldsTheLock_DoesNotReport()
    {
        // "Caller must lock": SetStatus takes no lock itself, but every call of it is under _mu (the constructor's
        // call runs before the object is shared).
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Conn
            {
                private readonly object _mu = new();
                private int _status;
                private Timer? _ping;

                public Conn() => SetStatus(0);

                public void Start() { lock (_mu) { SetStatus(1); _ping ??= new Timer(Ping, null, 1000, 1000); } }

                public void Stop() { lock (_mu) { SetStatus(0); } }

                private void SetStatus(int s) => _status = s;

                private void Ping(object? _) { lock (_mu) { if (_status != 1) return; _status = 2; } }
            }
            """);
    }

    [Fact]
    public async Task HelperWithOneUnlockedCaller_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Conn
            {
                private readonly object _mu = new();
                private int _status;
                private Timer? _ping;

                public void Start() { lock (_mu) { SetStatus(1); _ping ??= new Timer(Ping, null, 1000, 1000); } }

                public void Reset() => SetStatus(0);

                private void SetStatus(int s) => {|#1:_status = s|};

                private void Ping(object? _) { lock (_mu) { {|#0:_status++|}; } }
            }
            """,
            Race(0, "new Timer", "increments", "field 'Conn._status'", "'SetStatus' writes it without a lock", "under lock '_mu'").WithLocation(1));
    }

    [Fact]
    public async Task ProtectedOverrideCalledOnlyUnderTheBaseLock_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            abstract class Target
            {
                protected object SyncRoot { get; } = new();

                public void Close() { lock (SyncRoot) { CloseTarget(); } }

                protected virtual void CloseTarget() { }
            }

            class FileTarget : Target
            {
                private Timer? _monitor;

                public void Open() { lock (SyncRoot) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

                protected override void CloseTarget() => _monitor = null;

                private void OnTick(object? _)
                {
                    lock (SyncRoot) { _monitor?.Change(1000, 1000); }
                }
            }
            """);
    }

    [Fact]
    public async Task PrivateHelperFourCallsBelowTheBaseLock_DoesNotReport()
    {
        // The base class takes the lock and calls a virtual Write; the override reaches the store through two
        // private helpers: the store runs under SyncRoot four calls up, like the timer's enumeration.
        await VerifyCS.VerifyAnalyzerAsync(DeepCallerLockSource("lock (SyncRoot) { Write(e, 1); }", closeWithoutLock: false));
    }

    [Fact]
    public async Task PrivateHelperFourCallsBelowAnUnlockedBaseCall_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync(
            DeepCallerLockSource("Write(e, 1);", closeWithoutLock: false),
            Race(0, "new Timer", "enumerates", "field 'FileTarget._open'", "'OpenFile' writes an element of it without a lock", "under lock 'SyncRoot'").WithLocation(1));
    }

    [Fact]
    public async Task DeepLockedWritePath_AndAnUnlockedClose_NamesOnlyTheClose()
    {
        // Dispose reaches CloseTarget without the lock: that side races; the write path four calls below the base
        // lock does not, so it is not among the other sides (the fix would lock it for nothing).
        await VerifyCS.VerifyAnalyzerAsync(
            DeepCallerLockSource("lock (SyncRoot) { Write(e, 1); }", closeWithoutLock: true),
            Race(0, "new Timer", "enumerates", "field 'FileTarget._open'", "'CloseTarget' calls 'Clear' on it without a lock", "under lock 'SyncRoot'").WithLocation(2));
    }

    [Fact]
    public async Task ProtectedMethodADerivedClassCallsWithoutTheLock_Reports()
    {
        // Write(string, int) is protected: its callers are the hierarchy's, and one of them, in a derived class of
        // this compilation, calls it without the lock.
        await VerifyCS.VerifyAnalyzerAsync(
            DeepCallerLockSource("lock (SyncRoot) { Write(e, 1); }", closeWithoutLock: false).Replace(
                "protected override void Write(string e) => WriteBytes(e);",
                "protected override void Write(string e) => WriteBytes(e);\n\n    public void WriteNow(string e) => Write(e, 2);"),
            Race(0, "new Timer", "enumerates", "field 'FileTarget._open'", "'OpenFile' writes an element of it without a lock", "under lock 'SyncRoot'").WithLocation(1));
    }

    [Fact]
    public async Task ProtectedOverrideADerivedClassCallsThroughBaseWithoutTheLock_Reports()
    {
        // The override's callers include the classes derived from its type: RollingTarget calls it through 'base.'.
        await VerifyCS.VerifyAnalyzerAsync(
            DeepCallerLockSource("lock (SyncRoot) { Write(e, 1); }", closeWithoutLock: false)
                + "\npublic class RollingTarget : FileTarget\n{\n    public void Roll(string e) => base.Write(e);\n}\n",
            Race(0, "new Timer", "enumerates", "field 'FileTarget._open'", "'OpenFile' writes an element of it without a lock", "under lock 'SyncRoot'").WithLocation(1));
    }

    [Fact]
    public async Task ProtectedMethodASiblingClassCallsWithoutTheLock_DoesNotReport()
    {
        // ConsoleTarget calls Write(string, int) on its own object, never on a FileTarget: it is not a caller that
        // can reach FileTarget's store.
        await VerifyCS.VerifyAnalyzerAsync(
            DeepCallerLockSource("lock (SyncRoot) { Write(e, 1); }", closeWithoutLock: false)
                + "\npublic class ConsoleTarget : Target\n{\n    public void Flush(string e) => Write(e, 3);\n}\n");
    }

    [Fact]
    public async Task BaseLockSixCallsAboveAHelperThroughTwoVirtualPaths_OnlyTheUnlockedCloseIsNamed()
    {
        // The store in OpenFile runs under SyncRoot on every path: WriteThreadSafe(IList) -> Write(IList) (override)
        // -> WriteMany -> WriteBytes -> Roll -> OpenFile, and WriteThreadSafe(string) -> Write(string, int) ->
        // Write(string) (override) -> WriteBytes -> Roll -> OpenFile. Only Dispose's CloseTarget runs without it.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using System.Threading;

            public abstract class Target
            {
                protected object SyncRoot { get; } = new();

                public void WriteEvent(string e) => WriteThreadSafe(e);

                public void WriteEvents(IList<string> e) => WriteThreadSafe(e);

                public void Close() { lock (SyncRoot) { CloseTarget(); } }

                public void Dispose() => CloseTarget();

                protected virtual void CloseTarget() { }

                protected virtual void WriteThreadSafe(string e) { lock (SyncRoot) { Write(e, 1); } }

                protected virtual void WriteThreadSafe(IList<string> e) { lock (SyncRoot) { Write(e); } }

                protected virtual void Write(IList<string> events)
                {
                    for (int i = 0; i < events.Count; i++) Write(events[i], 1);
                }

                protected virtual void Write(string e, int count)
                {
                    try { Write(e); } catch (Exception) { throw; }
                }

                protected virtual void Write(string e) { }
            }

            public class FileTarget : Target
            {
                private readonly Dictionary<string, int> _open = new();
                private Timer? _monitor;

                public void Start() { lock (SyncRoot) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

                protected override void Write(string e) => WriteBytes(e);

                protected override void Write(IList<string> events)
                {
                    foreach (var e in events) WriteMany(e);
                }

                private void WriteMany(string e) => WriteBytes(e);

                protected override void CloseTarget()
                {
                    {|#1:_open.Clear()|};
                }

                private void WriteBytes(string e)
                {
                    if (!_open.TryGetValue(e, out var n)) n = OpenFile(e);
                    if (n > 3) n = Roll(e);
                }

                private int Roll(string e) { _open.Remove(e); return OpenFile(e); }

                private int OpenFile(string e) { _open[e] = 1; return 1; }

                private void OnTick(object? _) { lock (SyncRoot) { foreach (var f in {|#0:_open|}) { } } }
            }
            """,
            Race(0, "new Timer", "enumerates", "field 'FileTarget._open'", "'CloseTarget' calls 'Clear' on it without a lock", "under lock 'SyncRoot'").WithLocation(1));
    }

    private static string DeepCallerLockSource(string writeThreadSafeBody, bool closeWithoutLock)
    {
        string dispose = closeWithoutLock ? "public void Dispose() => CloseTarget();" : "";
        return $$"""
        using System.Collections.Generic;
        using System.Threading;

        public abstract class Target
        {
            protected object SyncRoot { get; } = new();

            public void WriteEvent(string e) => WriteThreadSafe(e);

            public void Close() { lock (SyncRoot) { CloseTarget(); } }

            {{dispose}}

            protected virtual void CloseTarget() { }

            protected virtual void WriteThreadSafe(string e) { {{writeThreadSafeBody}} }

            protected virtual void Write(string e, int count) => Write(e);

            protected virtual void Write(string e) { }
        }

        public class FileTarget : Target
        {
            private readonly Dictionary<string, int> _open = new();
            private Timer? _monitor;

            public void Start() { lock (SyncRoot) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

            protected override void Write(string e) => WriteBytes(e);

            protected override void CloseTarget() => {|#2:_open.Clear()|};

            private void WriteBytes(string e) => OpenFile(e);

            private void OpenFile(string e) => {|#1:_open[e] = 1|};

            private void OnTick(object? _) { lock (SyncRoot) { foreach (var f in {|#0:_open|}) { } } }
        }
        """;
    }

    [Fact]
    public async Task PublicHelper_CallersUnknown_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            public class Conn
            {
                private readonly object _mu = new();
                private int _status;
                private Timer? _ping;

                public void Start() { lock (_mu) { SetStatus(1); _ping ??= new Timer(Ping, null, 1000, 1000); } }

                public void SetStatus(int s) => {|#1:_status = s|};

                private void Ping(object? _) { lock (_mu) { {|#0:_status++|}; } }
            }
            """,
            Race(0, "new Timer", "increments", "field 'Conn._status'", "'SetStatus' writes it without a lock", "under lock '_mu'").WithLocation(1));
    }

    [Fact]
    public async Task WrittenInAPrivateSetterBeforeEveryRegistration_DoesNotReport()
    {
        // Open sets the heartbeat, then starts the timer: the registration publishes the write.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Conn
            {
                private TimeSpan _heartbeat;
                private Timer? _timer;

                private TimeSpan Heartbeat { get => _heartbeat; set => _heartbeat = value; }

                public void Open(TimeSpan heartbeat) { Heartbeat = heartbeat; StartTimers(); }

                private void StartTimers() => _timer ??= new Timer(Tick, null, 300, Timeout.Infinite);

                private void Tick(object? _) { Console.WriteLine(_heartbeat); _timer!.Change(300, Timeout.Infinite); }
            }
            """);
    }

    [Fact]
    public async Task WrittenDirectlyBeforeCallingThePrivateRegisteringMember_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Conn
            {
                private TimeSpan _heartbeat;
                private TimeSpan _interval;
                private Timer? _timer;

                public TimeSpan Interval { get => _interval; private set => _interval = value; }

                public async Task TuneAsync(TimeSpan heartbeat)
                {
                    _heartbeat = heartbeat;
                    Interval = heartbeat / 2;
                    await Task.Yield();
                    StartTimers();
                }

                private void StartTimers() => _timer ??= new Timer(Tick, null, 300, Timeout.Infinite);

                private void Tick(object? _) { Console.WriteLine(_heartbeat + _interval); _timer!.Change(300, Timeout.Infinite); }
            }
            """);
    }

    [Fact]
    public async Task PublicSetterOfAnInternalType_AllCallersBeforeTheRegistration_DoesNotReport()
    {
        // Every caller of a public member of an internal class is in this compilation: they can all be seen.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            internal sealed class Conn
            {
                private TimeSpan _heartbeat;
                private Timer? _timer;

                public TimeSpan Heartbeat { get => _heartbeat; set => _heartbeat = value; }

                public void Open(TimeSpan heartbeat) => Tune(heartbeat);

                private void Tune(TimeSpan heartbeat) { Heartbeat = heartbeat; StartTimers(); }

                private void StartTimers() => _timer ??= new Timer(Tick, null, 300, Timeout.Infinite);

                private void Tick(object? _) { Console.WriteLine(_heartbeat); _timer!.Change(300, Timeout.Infinite); }
            }
            """);
    }

    [Fact]
    public async Task PublicSetterOfAnInternalType_CalledFromAnotherType_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            internal sealed class Conn
            {
                private TimeSpan _heartbeat;
                private Timer? _timer;

                public TimeSpan Heartbeat { get => _heartbeat; set => {|#1:_heartbeat = value|}; }

                public void Open(TimeSpan heartbeat) { Heartbeat = heartbeat; StartTimers(); }

                private void StartTimers() => _timer ??= new Timer(Tick, null, 300, Timeout.Infinite);

                private void Tick(object? _) { Console.WriteLine({|#0:_heartbeat|}); _timer!.Change(300, Timeout.Infinite); }
            }

            internal static class Tuner
            {
                public static void Retune(Conn conn) => conn.Heartbeat = TimeSpan.FromSeconds(5);
            }
            """,
            Race(0, "new Timer", "reads", "field 'Conn._heartbeat'", "'Heartbeat' writes it without a lock").WithLocation(1));
    }

    [Fact]
    public async Task WrittenDirectlyButTheRegisteringMemberHasAnotherCaller_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Conn
            {
                private TimeSpan _heartbeat;
                private Timer? _timer;

                public void Tune(TimeSpan heartbeat) { {|#1:_heartbeat = heartbeat|}; StartTimers(); }

                public void Resume() => StartTimers();

                private void StartTimers() => _timer ??= new Timer(Tick, null, 300, Timeout.Infinite);

                private void Tick(object? _) { Console.WriteLine({|#0:_heartbeat|}); _timer!.Change(300, Timeout.Infinite); }
            }
            """,
            Race(0, "new Timer", "reads", "field 'Conn._heartbeat'", "'Tune' writes it without a lock").WithLocation(1));
    }

    [Fact]
    public async Task WrittenInAPrivateSetterAfterTheRegistration_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Conn
            {
                private TimeSpan _heartbeat;
                private Timer? _timer;

                private TimeSpan Heartbeat { get => _heartbeat; set => {|#1:_heartbeat = value|}; }

                public void Open(TimeSpan heartbeat) { StartTimers(); Heartbeat = heartbeat; }

                private void StartTimers() => _timer ??= new Timer(Tick, null, 300, Timeout.Infinite);

                private void Tick(object? _) { Console.WriteLine({|#0:_heartbeat|}); _timer!.Change(300, Timeout.Infinite); }
            }
            """,
            Race(0, "new Timer", "reads", "field 'Conn._heartbeat'", "'Heartbeat' writes it without a lock").WithLocation(1));
    }

    [Fact]
    public async Task WrittenBeforeOneRegistrationButAnotherMemberAlsoRegisters_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Conn
            {
                private TimeSpan _heartbeat;
                private Timer? _timer;

                private void SetHeartbeat(TimeSpan value) => {|#1:_heartbeat = value|};

                public void Open(TimeSpan heartbeat) { SetHeartbeat(heartbeat); StartTimers(); }

                public void Resume() => StartTimers();

                private void StartTimers() => _timer ??= new Timer(Tick, null, 300, Timeout.Infinite);

                private void Tick(object? _) { Console.WriteLine({|#0:_heartbeat|}); _timer!.Change(300, Timeout.Infinite); }
            }
            """,
            Race(0, "new Timer", "reads", "field 'Conn._heartbeat'", "'SetHeartbeat' writes it without a lock").WithLocation(1));
    }

    [Fact]
    public async Task RefToHelperThatOnlyUsesInterlocked_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            static class Half
            {
                public static void Complete(ref int wip, ref Exception? error)
                {
                    if (Interlocked.CompareExchange(ref error, new Exception("done"), null) == null) Bump(ref wip);
                }

                private static void Bump([System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(wip))] ref int wip)
                {
                    _ = nameof(wip);
                    Interlocked.Increment(ref wip);
                }
            }

            class Sink
            {
                private int _wip;
                private Exception? _error;

                public void Run(CancellationToken ct) => ct.Register(OnCompleted);

                public void OnNext(int x) { if (Interlocked.CompareExchange(ref _wip, 1, 0) == 0) Interlocked.Decrement(ref _wip); }

                public void OnCompleted() => Half.Complete(ref _wip, ref _error);
            }
            """);
    }

    [Fact]
    public async Task LoneStoreRacingOnlyWithInterlocked_DoesNotReport()
    {
        // The store lands before or after the exchange, never inside it: nothing is lost, nothing to lock.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Inbox
            {
                private string? _latest;

                public Inbox(ThreadPoolExecutor pool) => pool.Submit(() => "m").AddDoneCallback(f => _latest = f.Result());

                public string? Take() => Interlocked.Exchange(ref _latest, null);
            }
            """);
    }

    [Fact]
    public async Task ReadThenStoreRacingWithInterlocked_Reports()
    {
        // Read, then reset: the increments made in between are lost.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            class Meter
            {
                private int _hits;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(_ => { int n = _hits; {|#0:_hits = 0|}; Console.WriteLine(n); }, null, 0, 1000);

                public void Hit(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(_ => {|#1:Interlocked.Increment(ref _hits)|});
            }
            """,
            VerifyCS.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("new Timer", "writes", "field 'Meter._hits'", "without a lock", "a callback in 'Hit' updates (with Interlocked) it without a lock"));
    }

    [Fact]
    public async Task CheckThenClearAgainstVolatileWrite_Reports_NamingVolatile()
    {
        // The other side's Volatile.Write is atomic, but the callback checks, then stores: a write between is lost.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Link
            {
                private long _seen;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(_ => { if (Volatile.Read(ref _seen) != 0) { {|#0:_seen = 0|}; Console.WriteLine("alive"); } }, null, 0, 1000);

                public void Mark() => {|#1:Volatile.Write(ref _seen, DateTime.UtcNow.Ticks)|};
            }
            """,
            VerifyCS.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("new Timer", "writes", "field 'Link._seen'", "without a lock", "'Mark' writes (with Volatile) it without a lock"));
    }

    [Fact]
    public async Task SnapshotComparedWithTheFieldUnderTheLock_IsBenign_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Worker
            {
                private readonly object _gate = new();
                private Task? _current;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(OnTimeout, null, 1000, 1000);

                public void Close() { lock (_gate) { _current = null; } }

                private void OnTimeout(object? state)
                {
                    var current = _current;
                    lock (_gate)
                    {
                        if (current != null && ReferenceEquals(current, _current))
                        {
                            _current = null;
                        }
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task SnapshotReplacedUnderTheLock_IsBenign_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Monitor2
            {
                private readonly object _gate = new();
                private Timer? _timer;

                public void Start() => _timer = new Timer(Tick, null, 1000, Timeout.Infinite);

                public void Close() { lock (_gate) { _timer = null; } }

                private void Tick(object? state)
                {
                    bool again = _timer is not null;
                    try
                    {
                        lock (_gate)
                        {
                            again = _timer is not null && DateTime.UtcNow.Second > 0;
                        }
                    }
                    finally
                    {
                        if (again) Console.WriteLine("re-arm");
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task SnapshotUsedAsIsAfterTheLock_Reports()
    {
        // The lock reads the field again but the decision uses the unlocked snapshot: not re-checked.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Worker
            {
                private readonly object _gate = new();
                private Task? _current;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(OnTimeout, null, 1000, 1000);

                public void Close() { lock (_gate) { {|#1:_current = null|}; } }

                private void OnTimeout(object? state)
                {
                    var current = {|#0:_current|};
                    lock (_gate)
                    {
                        Console.WriteLine(_current);
                    }

                    current?.Wait();
                }
            }
            """,
            VerifyCS.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("new Timer", "reads", "field 'Worker._current'", "without a lock", "'Close' writes it under lock '_gate'"));
    }

    [Fact]
    public async Task LocalOfAStoredLambda_AssignedBeforeTheRegistrationInside_DoesNotReport()
    {
        // Each run of the handler has its own 'note', written before the continuation is registered.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Protocol
            {
                private Action<Task, bool>? _handler;

                public void Install()
                {
                    _handler = (task, failed) =>
                    {
                        string note;
                        if (failed) note = "a"; else note = "b";
                        task.ContinueWith(_ => Console.WriteLine(note));
                    };
                }
            }
            """);
    }

    [Fact]
    public async Task LocalOfAStoredLambda_AssignedAfterTheRegistrationInside_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Protocol
            {
                private Action<Task, bool>? _handler;

                public void Install()
                {
                    _handler = (task, failed) =>
                    {
                        string note = "start";
                        task.ContinueWith(_ => Console.WriteLine({|#0:note|}));
                        {|#1:note = failed ? "a" : "b"|};
                    };
                }
            }
            """,
            VerifyCS.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Task.ContinueWith", "reads", "captured local 'note'", "without a lock", "a lambda in 'Install' writes it without a lock after registering the callback, with no join in between"));
    }

    [Fact]
    public async Task RefToHelperThatIncrementsPlainly_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            static class Half
            {
                public static void Complete(ref int wip) { Interlocked.Increment(ref wip); wip++; }
            }

            class Sink
            {
                private int _wip;

                public void Run(CancellationToken ct) => ct.Register(OnCompleted);

                public void OnNext(int x) => {|#1:Interlocked.Decrement(ref _wip)|};

                public void OnCompleted() => Half.Complete({|#0:ref _wip|});
            }
            """,
            Race(0, "CancellationToken.Register", "takes a reference to", "field 'Sink._wip'", "'OnNext' updates (with Interlocked) it without a lock").WithLocation(1));
    }

    [Fact]
    public async Task ConstructorWriteBeforeRegistrationInUsing_ImplicitBaseCall_DoesNotReport()
    {
        // The implicit base() call spans the whole constructor; it must not make earlier writes look later.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Conn
            {
                private int _interval;
                private Timer? _timer;

                public Conn(int interval)
                {
                    _interval = interval;
                    using (ExecutionContext.SuppressFlow())
                    {
                        _timer = new Timer(Tick, null, 100, Timeout.Infinite);
                    }
                }

                private void Tick(object? _) { Console.WriteLine(_interval); _timer!.Change(_interval, Timeout.Infinite); }
            }
            """);
    }

    [Fact]
    public async Task ConstructorWriteAfterRegistrationInUsing_ImplicitBaseCall_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Conn
            {
                private int _interval;
                private Timer? _timer;

                public Conn(int interval)
                {
                    using (ExecutionContext.SuppressFlow())
                    {
                        _timer = new Timer(Tick, null, 100, Timeout.Infinite);
                    }

                    {|#1:_interval = interval|};
                }

                private void Tick(object? _) => {|#0:_interval += 10|};
            }
            """,
            Race(0, "new Timer", "updates", "field 'Conn._interval'", "'the constructor' writes it without a lock after registering the callback, with no join in between").WithLocation(1));
    }

    // ---- reach: the shared object passed as the state argument ----------------------------------------------

    [Fact]
    public async Task StaticLambdaReceivingThisAsState_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;

            class Conn
            {
                private int _cancels;
                private int _done;

                public void Watch(CancellationToken ct) => ct.Register(static s => {|#0:((Conn)s!)._cancels++|}, this);

                public void Track(Task task) => task.ContinueWith(static (t, s) => {|#1:((Conn)s!).OnDone()|}, this);

                private void OnDone() => _done++;
            }
            """,
            Race(0, "CancellationToken.Register", "increments", "field 'Conn._cancels'", "another run of the same callback can do the same ('Watch' registers it each time it runs)"),
            Race(1, "Task.ContinueWith", "calls 'Conn.OnDone', which increments", "field 'Conn._done'", "another run of the same callback can do the same ('Track' registers it each time it runs)"));
    }

    [Fact]
    public async Task MethodGroupReceivingThisAsState_ReportsAtTheAccess()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Poller
            {
                private int _ticks;

                public void Start() => ThreadPool.QueueUserWorkItem(OnWork, this);

                private static void OnWork(object? state) => {|#0:((Poller)state!)._ticks++|};
            }
            """,
            Race(0, "ThreadPool.QueueUserWorkItem", "increments", "field 'Poller._ticks'", "another run of the same callback can do the same ('Start' registers it each time it runs)"));
    }

    [Fact]
    public async Task DelegateCachedInAReadonlyField_IsFollowed_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Poller
            {
                private static readonly TimerCallback s_onTick = OnTick;
                private static readonly WaitCallback s_onWork = s => {|#1:((Poller)s!)._work++|};
                private int _ticks;
                private int _work;
                private Timer? _timer;

                public void Start()
                {
                    _timer = new Timer(s_onTick, this, 100, 100);
                    ThreadPool.QueueUserWorkItem(s_onWork, this);
                }

                private static void OnTick(object? state) => {|#0:((Poller)state!)._ticks++|};
            }
            """,
            Race(0, "new Timer", "increments", "field 'Poller._ticks'", "another run of the same callback can do the same (the timer is periodic)"),
            Race(1, "ThreadPool.QueueUserWorkItem", "increments", "field 'Poller._work'", "another run of the same callback can do the same ('Start' registers it each time it runs)"));
    }

    [Fact]
    public async Task StateArgumentCreatedPerRegistration_IsOwned_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Box { public int Value; }

            class Conn
            {
                public void Watch(CancellationToken ct) => ct.Register(static s => ((Box)s!).Value++, new Box());

                public void Queue()
                {
                    var box = new Box();
                    ThreadPool.QueueUserWorkItem(static s => ((Box)s!).Value++, box);
                }
            }
            """);
    }

    [Fact]
    public async Task WithExpressionAndObjectInitializer_WriteTheNewObject_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            record Stats(int Count)
            {
                public int Errors { get; init; }
            }

            class Holder { public int Value; }

            class Tracker
            {
                private Stats _stats = new(0);
                private Holder _holder = new();

                public void Watch(Task task) => task.ContinueWith(t =>
                {
                    var next = _stats with { Count = 1, Errors = 2 };
                    var fresh = new Holder { Value = 3 };
                    System.Console.WriteLine(next.Count + fresh.Value);
                });

                public void Reset() => _holder = new();
            }
            """);
    }

    // ---- callbacks dispatched to an executor --------------------------------------------------------------------

    [Fact]
    public async Task CallbacksDispatchedToAOneWorkerExecutor_DoNotOverlap_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Tally
            {
                private readonly ThreadPoolExecutor _serial = new(maxWorkers: 1);
                private int _count;
                private int _other;

                void Run(ThreadPoolExecutor pool)
                {
                    for (int i = 0; i < 10; i++)
                    {
                        pool.Submit(() => 1).AddDoneCallback(f => _count += f.Result(), _serial);
                        pool.Submit(() => 1).AddDoneCallback(f => _count--, _serial);
                    }

                    var local = new ThreadPoolExecutor(1);
                    for (int i = 0; i < 10; i++) pool.Submit(() => 1).AddDoneCallback(f => _other++, local);
                }
            }
            """);
    }

    [Fact]
    public async Task CallbacksDispatchedToAManyWorkerExecutor_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Tally
            {
                private readonly ThreadPoolExecutor _callbacks = new(maxWorkers: 4);
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    for (int i = 0; i < 10; i++) pool.Submit(() => 1).AddDoneCallback(f => {|#0:_count += f.Result()|}, _callbacks);
                }
            }
            """,
            Race(0, Api, "updates", "field 'Tally._count'", "another run of the same callback can do the same (it is registered in a loop)"));
    }

    [Fact]
    public async Task OneWorkerExecutor_OtherMemberStillRaces_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Tally
            {
                private readonly ThreadPoolExecutor _serial = new(maxWorkers: 1);
                private int _count;

                public void Reset() => {|#1:_count = 0|};

                void Run(ThreadPoolExecutor pool)
                {
                    for (int i = 0; i < 10; i++) pool.Submit(() => 1).AddDoneCallback(f => {|#0:_count++|}, _serial);
                }
            }
            """,
            Race(0, Api, "increments", "field 'Tally._count'", "'Reset' writes it without a lock").WithLocation(1));
    }

    // ---- benign by design -----------------------------------------------------------------------------------

    [Fact]
    public async Task SameConstantAtEveryWriteSite_IsBenign_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Log
            {
                private static bool s_failed;

                public static bool Failed => s_failed;

                public static void Watch(Task a, Task b)
                {
                    a.ContinueWith(t => { if (t.IsFaulted) s_failed = true; });
                    b.ContinueWith(t => { if (t.IsFaulted) s_failed = true; });
                }
            }
            """);
    }

    [Fact]
    public async Task LazyInitializationOfAComputedValue_IsBenign_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            static class Info
            {
                private static string? s_version;
                private static string? s_name;

                public static string Version()
                {
                    if (s_version == null)
                    {
                        var assembly = typeof(Info).Assembly;
                        s_version = assembly.GetName().Version!.ToString();
                    }

                    return s_version;
                }

                public static string Name() => s_name ??= typeof(Info).Assembly.GetName().Name!;

                public static void Start()
                {
                    for (int i = 0; i < 4; i++) ThreadPool.QueueUserWorkItem(_ => System.Console.WriteLine(Version() + Name()));
                }
            }
            """);
    }

    [Fact]
    public async Task LazyInitializationOfANewObject_Reports()
    {
        // Two callbacks can each create a lock object and lock different ones.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Cache
            {
                private object? _gate;

                public void Start()
                {
                    for (int i = 0; i < 4; i++) ThreadPool.QueueUserWorkItem(_ => { {|#0:_gate ??= new object()|}; });
                }
            }
            """,
            Race(0, "ThreadPool.QueueUserWorkItem", "updates", "field 'Cache._gate'", "another run of the same callback can do the same (it is registered in a loop)"));
    }

    [Fact]
    public async Task ConstantStoresRacingOnlyWithConstantStores_IsBenign_DoesNotReport()
    {
        // One store wins, and either value is one a writer meant: no lost update, no torn value.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Log
            {
                private static bool s_failed;

                public static void Reset() => s_failed = false;

                public static void Watch(Task a) => a.ContinueWith(t => { if (t.IsFaulted) s_failed = true; });

                public static void WatchThroughHelper(Task a) => a.ContinueWith(t => Fail());

                private static void Fail() => s_failed = true;
            }
            """);
    }

    [Fact]
    public async Task ConstantStoreRacingWithRead_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Log
            {
                private static bool s_failed;

                public static void Reset() => s_failed = false;

                public static string State() => {|#1:s_failed|} ? "failed" : "ok";

                public static void Watch(Task a) => a.ContinueWith(t => { if (t.IsFaulted) {|#0:s_failed = true|}; });
            }
            """,
            Race(0, "Task.ContinueWith", "writes", "static field 'Log.s_failed'", "'State' reads it without a lock").WithLocation(1));
    }

    [Fact]
    public async Task ConstantStoreRacingWithReadModifyWrite_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Log
            {
                private static int s_errors;

                public static void Count() => {|#1:s_errors++|};

                public static void Watch(Task a) => a.ContinueWith(t => { {|#0:s_errors = 0|}; });
            }
            """,
            Race(0, "Task.ContinueWith", "writes", "static field 'Log.s_errors'", "'Count' increments it without a lock").WithLocation(1));
    }

    // ---- options ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task SerialTypesOption_MakesCallbacksOfThatTypeSerial()
    {
        const string Source = """
            using System;

            namespace Actors
            {
                public class Mailbox
                {
                    public void Post([Executor.ConcurrentCallback] Action action) { }
                }
            }

            class Actor
            {
                private int _state;

                void Run(Actors.Mailbox mailbox) => mailbox.Post(() => {|#0:_state++|});
            }
            """;

        var without = new VerifyCS.Test { TestCode = Source };
        without.ExpectedDiagnostics.Add(Diag(0, "Mailbox.Post", "increments", "field 'Actor._state'"));
        await without.RunAsync();

        var with = new VerifyCS.Test { TestCode = Source.Replace("{|#0:_state++|}", "_state++") };
        with.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*]\ndotnet_code_quality.EXEC001.serial_types = T:Actors.Mailbox\n"));
        await with.RunAsync();
    }

    [Fact]
    public async Task NameOfTheField_InAnotherMember_IsNotARead()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Counter
            {
                private int _count;

                public Counter(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _count = f.Result());

                public override string ToString() => nameof(_count);
            }
            """);
    }

    [Fact]
    public async Task NameOfTheField_InTheCallback_IsNotARead()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Counter
            {
                private int _count;

                public Counter(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine(nameof(_count)));

                public void Set(int value) => _count = value;
            }
            """);
    }

    [Fact]
    public async Task PrivateHelperNothingCalls_IsNobodysOtherSide()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Totals
            {
                private readonly object _gate = new();
                private int _total;

                public Totals(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f => { lock (_gate) { _total += f.Result(); } });
                }

                private void RecordUnsafe(int value) => _total += value;
            }
            """);
    }

    [Fact]
    public async Task PrivateHelperCalledByAPublicMember_IsTheOtherSide()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Totals
            {
                private readonly object _gate = new();
                private int _total;

                public Totals(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f => { lock (_gate) { {|#0:_total += f.Result()|}; } });
                }

                public void Add(int value) => RecordUnsafe(value);

                private void RecordUnsafe(int value) => _total += value;
            }
            """,
            Race(0, "Future<int>.AddDoneCallback", "updates", "field 'Totals._total'", "'RecordUnsafe' updates it without a lock", "under lock '_gate'").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
    }

    // ---- double-checked fast paths ---------------------------------------------------------------------------

    /// <summary>A scheduler whose public method skips on an unlocked fast path and decides again under '_gate'; the timer writes under GATE.</summary>
    private const string DoubleCheckedScheduler = """
        using System;
        using System.Threading;

        sealed class Scheduler : IDisposable
        {
            private readonly object _gate = new();
            private readonly object _other = new();
            private readonly Timer _timer;
            private DateTime _next;

            public Scheduler() => _timer = new Timer(OnTick, null, Timeout.Infinite, Timeout.Infinite);

            public void ScheduleAt(DateTime at)
            {
                if (_next == at)
                {
                    Console.WriteLine("already scheduled for " + _next);
                    return;
                }

                lock (RECHECK)
                {
                    if (CONDITION)
                    {
                        return;
                    }

                    _next = at;
                    _timer.Change(1000, Timeout.Infinite);
                }
            }

            private void OnTick(object? state)
            {
                lock (GATE)
                {
                    {|#0:_next = DateTime.MinValue|};
                }
            }

            public void Dispose() => _timer.Dispose();
        }
        """;

    private static string Scheduler(string recheckLock, string writerLock, string recheck)
        => DoubleCheckedScheduler.Replace("RECHECK", recheckLock).Replace("GATE", writerLock).Replace("CONDITION", recheck);

    [Fact]
    public Task FastPathRecheckedUnderTheWritersLock_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Scheduler("_gate", "_gate", "_next == at").Replace("{|#0:", string.Empty).Replace("|};", ";"));

    [Fact]
    public Task FastPathRecheckedUnderAnotherLock_Reports()
        => VerifyCS.VerifyAnalyzerAsync(
            Scheduler("_other", "_gate", "_next == at"),
            VerifyCS.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public Task FastPathNotRecheckedUnderTheLock_Reports()
        => VerifyCS.VerifyAnalyzerAsync(
            Scheduler("_gate", "_gate", "at == default"),
            Race(0, "new Timer", "writes", "field 'Scheduler._next'", "'ScheduleAt' reads it without a lock", "under lock '_gate'").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

    [Fact]
    public Task FastPathThatChangesStateBeforeLeaving_Reports()
        => VerifyCS.VerifyAnalyzerAsync(
            Scheduler("_gate", "_gate", "_next == at").Replace("""Console.WriteLine("already scheduled for " + _next);""", "_skipped++;").Replace("private DateTime _next;", "private DateTime _next;\n    private int _skipped;"),
            VerifyCS.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    // ---- last-activity timestamps ----------------------------------------------------------------------------

    /// <summary>A watchdog timer that reads a last-activity time which every received message stores (STORE).</summary>
    private const string Watchdog = """
        using System;
        using System.Threading;

        sealed class Heartbeat : IDisposable
        {
            private readonly TimeProvider _clock = TimeProvider.System;
            private DateTimeOffset _lastReceived;
            private Timer? _timer;

            public void Start() => _timer = new Timer(
                _ =>
                {
                    if (DateTimeOffset.UtcNow - {|#0:_lastReceived|} > TimeSpan.FromSeconds(30))
                    {
                        Console.WriteLine("stale");
                    }
                },
                null,
                1000,
                1000);

            public void OnMessage()
            {
                var now = _clock.GetUtcNow();
                STORE;
            }

            public void Dispose() => _timer?.Dispose();
        }
        """;

    [Fact]
    public Task LastActivityTimestamp_StoredAsTheCurrentTime_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Watchdog.Replace("{|#0:_lastReceived|}", "_lastReceived").Replace("STORE", "_lastReceived = now"));

    [Fact]
    public Task LastActivityTimestamp_StoredDirectlyFromDateTimeUtcNow_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Watchdog.Replace("{|#0:_lastReceived|}", "_lastReceived").Replace("STORE", "_lastReceived = DateTimeOffset.UtcNow"));

    [Fact]
    public Task LastActivityTimestamp_StoredByEveryRunOfAPeriodicTimer_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class Poller : IDisposable
            {
                private readonly Timer _timer;
                private DateTime _lastPoll;

                public Poller() => _timer = new Timer(_ => _lastPoll = DateTime.UtcNow, null, 100, 100);

                public TimeSpan SinceLastPoll => DateTime.UtcNow - _lastPoll;

                public void Dispose() => _timer.Dispose();
            }
            """);

    [Fact]
    public Task CounterUpdatedByEveryRunOfAPeriodicTimer_Reports()
        => VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class Poller : IDisposable
            {
                private readonly Timer _timer;
                private long _polls;

                public Poller() => _timer = new Timer(_ => {|#0:_polls = _polls + DateTime.UtcNow.Ticks % 2|}, null, 100, 100);

                public long Polls => _polls;

                public void Dispose() => _timer.Dispose();
            }
            """,
            VerifyCS.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public Task Timestamp_StoredFromAnotherValue_Reports()
        => VerifyCS.VerifyAnalyzerAsync(
            Watchdog.Replace("STORE", "_lastReceived = now.AddSeconds(-1)"),
            Race(0, "new Timer", "reads", "field 'Heartbeat._lastReceived'", "'OnMessage' writes it without a lock").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

    [Fact]
    public Task Timestamp_ThrottleThatComparesBeforeStoring_Reports()
        => VerifyCS.VerifyAnalyzerAsync(
            Watchdog.Replace("STORE", "if (now - _lastReceived < TimeSpan.FromMilliseconds(250)) return;\n        _lastReceived = now"),
            Race(0, "new Timer", "reads", "field 'Heartbeat._lastReceived'", "'OnMessage' writes it without a lock").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

    [Fact]
    public Task Timestamp_CallbackStoresTheCurrentTimeWhileAMemberAddsToIt_Reports()
        => VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class Lease : IDisposable
            {
                private DateTime _expires;
                private Timer? _timer;

                public void Start() => _timer = new Timer(_ => {|#0:_expires = DateTime.UtcNow|}, null, 1000, 1000);

                public void Extend() => _expires = _expires.AddSeconds(30);

                public void Dispose() => _timer?.Dispose();
            }
            """,
            Race(0, "new Timer", "writes", "field 'Lease._expires'", "'Extend' writes it without a lock").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

    // ---- a slot per loop iteration ---------------------------------------------------------------------------

    /// <summary>Callbacks registered in a loop, each updating results[INDEX] (DECLARE declares the slot).</summary>
    private const string SlotPerIteration = """
        using Executor;

        class Runner
        {
            int[] Run(ThreadPoolExecutor pool)
            {
                var results = new int[8];
                OUTSIDE
                for (int i = 0; i < results.Length; i++)
                {
                    DECLARE
                    pool.Submit(() => 1).AddDoneCallback(f => {|#0:results[INDEX] += f.Result()|});
                }

                pool.Shutdown(wait: true);
                return results;
            }
        }
        """;

    private static string Slots(string declare, string index, string outside = "")
        => SlotPerIteration.Replace("DECLARE", declare).Replace("INDEX", index).Replace("OUTSIDE", outside);

    /// <summary>The callback's read of a 'slot' that the loop writes again after the registration.</summary>
    private static readonly DiagnosticResult SlotReadRacesWithTheLoop = VerifyCS.Diagnostic().WithSpan(12, 63, 12, 67).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null);

    private const string InALoop = "another run of the same callback can do the same (it is registered in a loop)";

    [Fact]
    public Task SlotDeclaredPerIterationFromTheLoopVariable_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Slots("int slot = i;", "slot").Replace("{|#0:", string.Empty).Replace("|});", ");"));

    [Fact]
    public Task SlotPerIterationRowMajor_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Slots("int slot = 2 * i + 1;", "slot / 2").Replace("new int[8]", "new int[17]").Replace("{|#0:", string.Empty).Replace("|});", ");").Replace("slot / 2", "slot"));

    [Fact]
    public Task SlotDeclaredOutsideTheLoop_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Slots("slot = i;", "slot", "int slot = 0;"), Race(0, Api, "updates an element of", "captured local 'results'", InALoop), SlotReadRacesWithTheLoop);

    [Fact]
    public Task SlotFromAModulo_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Slots("int slot = i % 4;", "slot"), Race(0, Api, "updates an element of", "captured local 'results'", InALoop));

    [Fact]
    public Task SlotReassignedAfterTheRegistration_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Slots("int slot = i;", "slot").Replace("+= f.Result()|});", "+= f.Result()|});\n            slot = 0;"), Race(0, Api, "updates an element of", "captured local 'results'", InALoop), SlotReadRacesWithTheLoop);

    [Fact]
    public Task SlotPerIterationOfAnInnerLoop_Reports()
        => VerifyCS.VerifyAnalyzerAsync(
            Slots("int slot = i;", "slot", "for (int round = 0; round < 2; round++)").Replace("for (int round = 0; round < 2; round++)\n        for", "for (int round = 0; round < 2; round++)\n        for"),
            Race(0, Api, "updates an element of", "captured local 'results'", InALoop));

    [Fact]
    public Task ArrayLengthInTheLoopCondition_IsNotTheOtherSide()
        => VerifyCS.VerifyAnalyzerAsync(Slots(string.Empty, "0"), Race(0, Api, "updates an element of", "captured local 'results'", InALoop));

    // ---- dispose-or-clear ------------------------------------------------------------------------------------

    /// <summary>A watchdog whose timer callback disposes and clears its own timer; OTHER is one more member.</summary>
    private const string SelfDisposingWatchdog = """
        using System;
        using System.Threading;

        public sealed class Watchdog : IDisposable
        {
            private Timer? _timer;
            private volatile bool _quiet;

            public void Arm() => _timer = new Timer(Check, null, 1000, 1000);

            private void Check(object? state)
            {
                if (!_quiet)
                {
                    return;
                }

                {|#1:_timer|}?.Dispose();
                {|#0:_timer = null|};
            }

            public void Touch() => _quiet = false;

            OTHER
        }
        """;

    [Fact]
    public Task DisposeOrClear_AgainstADisposeThatDisposesWhatItReads_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(SelfDisposingWatchdog.Replace("{|#0:_timer = null|}", "_timer = null").Replace("{|#1:_timer|}", "_timer").Replace("OTHER", "public void Dispose() => _timer?.Dispose();"));

    [Fact]
    public Task DisposeOrClear_AgainstAStoreOfANewObject_Reports()
        => VerifyCS.VerifyAnalyzerAsync(
            SelfDisposingWatchdog.Replace("OTHER", "public void Dispose() => _timer?.Dispose();\n\n    public void Replace(Timer timer) => _timer = timer;"),
            Race(0, "new Timer", "writes", "field 'Watchdog._timer'", "'Replace' writes it without a lock").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations),
            Race(1, "new Timer", "reads", "field 'Watchdog._timer'", "'Replace' writes it without a lock").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

    [Fact]
    public Task DisposeOrClear_AgainstAnotherUseOfTheObject_Reports()
        => VerifyCS.VerifyAnalyzerAsync(
            SelfDisposingWatchdog.Replace("OTHER", "public void Dispose() => _timer?.Dispose();\n\n    public void Pause() => _timer?.Change(Timeout.Infinite, Timeout.Infinite);"),
            Race(0, "new Timer", "writes", "field 'Watchdog._timer'", "'Pause' reads it without a lock").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

    [Fact]
    public Task DisposeOrClear_WhenTheSameRunStoresANewObject_Reports()
        => VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            public sealed class Reloadable : IDisposable
            {
                private CancellationTokenSource? _source;

                public Reloadable(CancellationToken token) => Register(token);

                private void Register(CancellationToken token)
                {
                    _source = CancellationTokenSource.CreateLinkedTokenSource(token);
                    _source.Token.Register(static s => ((Reloadable)s!).Reload(), this);
                }

                private void Reload()
                {
                    _source!.Dispose();
                    _source = null;
                    Register(CancellationToken.None);
                }

                public void Dispose() => _source?.Dispose();
            }
            """,
            VerifyCS.Diagnostic().WithSpan(13, 44, 13, 69).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations | DiagnosticOptions.IgnoreSeverity).WithMessage(null));
}
