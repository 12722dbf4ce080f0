using System.Threading.Tasks;
using Executor.Analyzers.Tests.Verifiers;
using Xunit;
using static Executor.Analyzers.Tests.Rules.EXEC001CallbackSourcesTests;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>What EXEC001 must not report: synchronized, thread-safe and callback-local access.</summary>
public class EXEC001SafePatternsTests
{
    private const string Api = "Future<int>.AddDoneCallback";

    [Fact]
    public async Task InsideLockStatement_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private readonly List<int> _items = new();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    lock (_gate)
                    {
                        _count++;
                        _items.Add(f.Result());
                    }
                });
            }
            """);
    }

    [Fact]
    public async Task LockAroundRegistration_DoesNotProtectCallback()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    lock (_gate)
                    {
                        pool.Submit(() => 1).AddDoneCallback(f => {|#0:_count++|});
                    }
                }
            }
            """,
            Diag(0, Api, "increments", "field 'Counter._count'"));
    }

    [Fact]
    public async Task SystemThreadingLock_LockStatementAndEnterScope_DoNotReport()
    {
        var test = new VerifyCS.Test
        {
            TestCode = """
                using System.Threading;
                using Executor;

                class Counter
                {
                    private readonly Lock _lock = new();
                    private int _count;

                    void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        lock (_lock) { _count++; }
                        using (_lock.EnterScope()) { _count++; }
                        using var scope = _lock.EnterScope();
                        _count--;
                    });
                }
                """,
            ReferenceAssemblies = TestReferences.Net90,
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task MonitorEnterExitInTryFinally_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    bool taken = false;
                    try
                    {
                        Monitor.Enter(_gate, ref taken);
                        _count++;
                    }
                    finally
                    {
                        if (taken) Monitor.Exit(_gate);
                    }

                    if (Monitor.TryEnter(_gate))
                    {
                        try { _count++; }
                        finally { Monitor.Exit(_gate); }
                    }
                });
            }
            """);
    }

    [Fact]
    public async Task AccessAfterMonitorExit_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    Monitor.Enter(_gate);
                    _count++;
                    Monitor.Exit(_gate);
                    {|#0:_count--|};
                });
            }
            """,
            Diag(0, Api, "decrements", "field 'Counter._count'"));
    }

    [Fact]
    public async Task ReaderWriterLockSlim_WriteLockProtectsWrites_ReadLockOnlyReads()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            class Table
            {
                private readonly ReaderWriterLockSlim _rw = new();
                private int _version;

                public void Bump()
                {
                    _rw.EnterWriteLock();
                    try { _version += 2; }
                    finally { _rw.ExitWriteLock(); }
                }

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    _rw.EnterWriteLock();
                    try { _version++; }
                    finally { _rw.ExitWriteLock(); }

                    _rw.EnterReadLock();
                    try
                    {
                        Console.WriteLine(_version);
                        {|#0:_version = 3|};
                    }
                    finally { _rw.ExitReadLock(); }
                });
            }
            """,
            Diag(0, Api, "writes", "field 'Table._version'", "'Bump' updates it under lock '_rw'"));
    }

    [Fact]
    public async Task SpinLock_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Counter
            {
                private SpinLock _spin = new SpinLock(false);
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    bool taken = false;
                    try
                    {
                        _spin.Enter(ref taken);
                        _count++;
                    }
                    finally
                    {
                        if (taken) _spin.Exit();
                    }
                });
            }
            """);
    }

    [Fact]
    public async Task InterlockedAndVolatile_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using Executor;

            class Counter
            {
                private int _count;
                private long _total;
                private bool _done;
                private readonly int[] _buckets = new int[4];

                public void Reset() { _count = 0; _done = false; }

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    Interlocked.Increment(ref _count);
                    Interlocked.Add(ref _total, f.Result());
                    Interlocked.CompareExchange(ref _count, 0, 10);
                    Interlocked.Increment(ref _buckets[f.Result()]);
                    Volatile.Write(ref _done, true);
                    var seen = Volatile.Read(ref _count);
                });
            }
            """);
    }

    [Fact]
    public async Task ThreadStaticAndThreadLocalAndAsyncLocal_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            class PerThread
            {
                [ThreadStatic] private static int t_count;
                private readonly ThreadLocal<int> _local = new ThreadLocal<int>();
                private static readonly AsyncLocal<string?> s_context = new AsyncLocal<string?>();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    t_count++;
                    _local.Value = _local.Value + 1;
                    s_context.Value = "done";
                });
            }
            """);
    }

    [Fact]
    public async Task TypeInUserNamespaceEndingLikeAThreadSafeOne_IsNotTrusted()
    {
        // Only the namespaces System.Collections.Concurrent (and Immutable, Threading.Channels) themselves are trusted.
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            namespace Acme.System.Collections.Concurrent
            {
                public class Tally
                {
                    private int _count;

                    public void Add() => _count++;
                }
            }

            namespace Acme
            {
                class Runner
                {
                    private readonly Acme.System.Collections.Concurrent.Tally _tally = new();

                    void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:_tally.Add()|});
                }
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "calls 'Tally.Add', which increments", "field 'Tally._count'"));
    }

    [Fact]
    public async Task ThreadSafeBclTypes_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Immutable;
            using System.Threading;
            using System.Threading.Channels;
            using System.Threading.Tasks;
            using Executor;

            class Safe
            {
                private readonly ConcurrentDictionary<int, int> _map = new();
                private readonly ConcurrentQueue<int> _queue = new();
                private ImmutableList<int> _snapshot = ImmutableList<int>.Empty;
                private readonly Channel<int> _channel = Channel.CreateUnbounded<int>();
                private readonly TaskCompletionSource<int> _tcs = new();
                private readonly CancellationTokenSource _cts = new();
                private readonly Lazy<string> _lazy = new(() => "x");

                public void Replace(ImmutableList<int> list) => _snapshot = list;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    _map[f.Result()] = 1;
                    _map.AddOrUpdate(1, 1, (k, v) => v + 1);
                    _queue.Enqueue(f.Result());
                    Console.WriteLine(_snapshot.Count);
                    _channel.Writer.TryWrite(f.Result());
                    _tcs.TrySetResult(f.Result());
                    _cts.Cancel();
                    Console.WriteLine(_lazy.Value);
                });
            }
            """);
    }

    [Fact]
    public async Task FutureMembers_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Chain
            {
                private readonly Future<int> _next = new Future<int>();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    _next.SetResult(f.Result());
                    Console.WriteLine(f.IsDone);
                });
            }
            """);
    }

    [Fact]
    public async Task LocalsAndObjectsCreatedInCallback_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using System.Text;
            using Executor;

            class Stats { public int Hits; }

            class Worker
            {
                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    int local = 0;
                    local++;
                    var stats = new Stats();
                    stats.Hits++;
                    var list = new List<int>();
                    list.Add(local);
                    var sb = new StringBuilder();
                    sb.Append(stats.Hits);
                    int[] array = new int[2];
                    array[0]++;
                });
            }
            """);
    }

    [Fact]
    public async Task ConstReadonlyAndGetOnlyProperty_Reads_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Config
            {
                private const int Limit = 3;
                private readonly string _name;
                public string Label { get; }

                public Config(string name) { _name = name; Label = name; }

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine(Limit + _name + Label));
            }
            """);
    }

    [Fact]
    public async Task ConsoleDebugTraceAndLoggingOutput_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Diagnostics;
            using Executor;

            class Reporter
            {
                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    Console.WriteLine($"done {f.Result()}");
                    Console.Error.WriteLine("x");
                    Debug.WriteLine("y");
                    Trace.TraceInformation("z");
                });
            }
            """);
    }

    [Fact]
    public async Task ThreadSafeAttributeOnUserType_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            [ThreadSafe]
            class SafeCounter
            {
                private int _value;
                public void Add(int n) { _value += n; }
                public int Hits;
            }

            class Worker
            {
                private readonly SafeCounter _counter = new SafeCounter();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    _counter.Add(f.Result());
                    _counter.Hits++;
                });
            }
            """);
    }

    [Fact]
    public async Task CallbackParameter_IsNotSharedState()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Worker
            {
                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    f = pool.Submit(() => 2);
                    Console.WriteLine(f.Result());
                });
            }
            """);
    }
}
