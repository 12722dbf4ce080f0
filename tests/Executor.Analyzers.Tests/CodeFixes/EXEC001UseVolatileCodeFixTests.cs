using System.Threading.Tasks;
using Executor.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer, Executor.CodeFixes.EXEC001UnsynchronizedCallbackAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>
/// The Volatile fix: a race between plain stores and plain reads of a flag or a published reference gets
/// Volatile.Write/Volatile.Read on every side; never a check-then-act, a read-modify-write, or a type Volatile lacks.
/// </summary>
public class EXEC001UseVolatileCodeFixTests
{
    private const string Key = EXEC001UnsynchronizedCallbackAccessCodeFix.UseVolatileKey;

    [Fact]
    public async Task PublishedReference_StoreInCallback_ReadInMember_BothSides()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Feed
            {
                private string? _latest;

                public string? Latest => _latest;

                public void Poll(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => "news").AddDoneCallback(f => [|_latest = f.Result()|]);
                }
            }
            """, """
            using Executor;

            class Feed
            {
                private volatile string? _latest;

                public string? Latest => _latest;

                public void Poll(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => "news").AddDoneCallback(f => _latest = f.Result());
                }
            }
            """, Key);
    }

    [Fact]
    public async Task StopFlag_ReadInTimerCallback_WrittenByMember_BothSides()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading;

            class Poller
            {
                private bool _paused;
                private Timer? _timer;

                public void Start() => _timer = new Timer(_ => { if (![|_paused|]) Console.WriteLine("tick"); }, null, 0, 100);

                public void Pause(bool paused) => _paused = paused;
            }
            """, """
            using System;
            using System.Threading;

            class Poller
            {
                private volatile bool _paused;
                private Timer? _timer;

                public void Start() => _timer = new Timer(_ => { if (!_paused) Console.WriteLine("tick"); }, null, 0, 100);

                public void Pause(bool paused) => _paused = paused;
            }
            """, Key);
    }

    [Fact]
    public async Task CheckThenAct_InCallback_NoVolatileFix_LockStillOffered()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Cache
            {
                private readonly object _gate = new();
                private string? _first;

                public string? First { get { lock (_gate) { return _first; } } }

                public void Load(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        pool.Submit(() => "v").AddDoneCallback(f =>
                        {
                            if (_first == null)
                            {
                                [|_first = f.Result()|];
                            }
                        });
                    }
                }
            }
            """, """
            using Executor;

            class Cache
            {
                private readonly object _gate = new();
                private string? _first;

                public string? First { get { lock (_gate) { return _first; } } }

                public void Load(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        pool.Submit(() => "v").AddDoneCallback(f =>
                        {
                            if (_first == null)
                            {
                                lock (_gate)
                                {
                                    _first = f.Result();
                                }
                            }
                        });
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task EnumField_VolatileHasNoOverload_NotOffered()
    {
        const string Source = """
                using System;
                using System.Threading;

                enum State { Idle, Busy }

                class Machine
                {
                    private State _state;
                    private Timer? _timer;

                    public void Start() => _timer = new Timer(_ => Console.WriteLine([|_state|]), null, 0, 100);

                    public void Set(State state) => _state = state;
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task DefaultOrder_VolatileBeforeLock_ForAPlainStore()
    {
        var test = new VerifyCS.Test
        {
            TestCode = """
                using Executor;

                class Feed
                {
                    private string? _latest;

                    public string? Latest => _latest;

                    public void Poll(ThreadPoolExecutor pool) => pool.Submit(() => "x").AddDoneCallback(f => [|_latest = f.Result()|]);
                }
                """,
            FixedCode = """
                using Executor;

                class Feed
                {
                    private volatile string? _latest;

                    public string? Latest => _latest;

                    public void Poll(ThreadPoolExecutor pool) => pool.Submit(() => "x").AddDoneCallback(f => _latest = f.Result());
                }
                """,
            CodeActionIndex = 0,
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task ValueDependsOnItself_NotOffered()
    {
        const string Source = """
                using Executor;

                class Toggle
                {
                    private bool _on;

                    public bool On => _on;

                    public void Flip(ThreadPoolExecutor pool, int n)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            pool.Submit(() => 1).AddDoneCallback(f => [|_on = !_on|]);
                        }
                    }
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task ReadThenClearInTheCallback_NotOffered()
    {
        // The callback reads the flag and clears it: a store from another thread between the two is lost, with or
        // without Volatile (Interlocked.Exchange or the lock fix it).
        const string Source = """
                using System;
                using System.Threading;

                class Link
                {
                    private bool _seen;
                    private Timer? _timer;

                    public void Start() => _timer ??= new Timer(Check, null, 100, 100);

                    public void OnFrame() => _seen = true;

                    private void Check(object? state)
                    {
                        if ([|_seen|])
                        {
                            _seen = false;
                            Console.WriteLine("alive");
                        }
                    }
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task FieldAlsoPassedByRef_CannotBeVolatile_VolatileReadWriteOnEverySide()
    {
        // 'ref _latest' to Interlocked would warn CS0420 on a volatile field: the accesses get Volatile.Read/Write.
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading;
            using Executor;

            class Feed
            {
                private string? _latest;

                public string? Latest => _latest;

                public string? Take() => Interlocked.Exchange(ref _latest, null);

                public void Poll(ThreadPoolExecutor pool) => pool.Submit(() => "x").AddDoneCallback(f => [|_latest = f.Result()|]);
            }
            """, """
            using System.Threading;
            using Executor;

            class Feed
            {
                private string? _latest;

                public string? Latest => Volatile.Read(ref _latest);

                public string? Take() => Interlocked.Exchange(ref _latest, null);

                public void Poll(ThreadPoolExecutor pool) => pool.Submit(() => "x").AddDoneCallback(f => Volatile.Write(ref _latest, f.Result()));
            }
            """, Key);
    }

    [Fact]
    public async Task VolatileField_EveryAccessCovered_NotOnlyTheNamedOnes()
    {
        // One modifier covers every access of the field, named by the diagnostic or not.
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Feed
            {
                // the latest value
                private string? _latest;

                public string? Latest => _latest;

                public string Describe() => "latest: " + _latest;

                public void Poll(ThreadPoolExecutor pool) => pool.Submit(() => "x").AddDoneCallback(f => [|_latest = f.Result()|]);
            }
            """, """
            using Executor;

            class Feed
            {
                // the latest value
                private volatile string? _latest;

                public string? Latest => _latest;

                public string Describe() => "latest: " + _latest;

                public void Poll(ThreadPoolExecutor pool) => pool.Submit(() => "x").AddDoneCallback(f => _latest = f.Result());
            }
            """, Key);
    }

    [Fact]
    public async Task ReadThroughVolatileReadThenStore_NotOffered()
    {
        // A read through Volatile.Read is still a read: the store in the same function is a check-then-act.
        const string Source = """
                using System;
                using System.Threading;

                class Link
                {
                    private long _seen;
                    private Timer? _timer;

                    public void Start() => _timer ??= new Timer(Check, null, 100, 100);

                    public void Mark() => _seen = DateTime.UtcNow.Ticks;

                    private void Check(object? state)
                    {
                        if (Volatile.Read(ref _seen) != 0)
                        {
                            Console.WriteLine("alive");
                        }

                        [|_seen = 0|];
                    }
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task StopFlagThenDrain_NotOffered()
    {
        // Stop sets the flag, then waits for the ticks under way: a tick that read 'true' just before, and has not yet
        // counted itself, is missed by the wait. 'volatile' makes the read fresh but does not close that window.
        const string Source = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                class Scheduler
                {
                    private bool _enabled = true;
                    private int _running;
                    private Timer? _timer;

                    public void Start() => _timer = new Timer(Tick, null, 0, 1000);

                    private void Tick(object? state)
                    {
                        if ([|_enabled|])
                        {
                            Interlocked.Increment(ref _running);
                            Console.WriteLine("tick");
                            Interlocked.Decrement(ref _running);
                        }
                    }

                    public async Task StopAsync()
                    {
                        _enabled = false;
                        while (Volatile.Read(ref _running) > 0)
                        {
                            await Task.Delay(50);
                        }
                    }
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task StopFlagWithoutADrain_StillOffered()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading;

            class Scheduler
            {
                private bool _enabled = true;
                private Timer? _timer;

                public void Start() => _timer = new Timer(Tick, null, 0, 1000);

                private void Tick(object? state)
                {
                    if ([|_enabled|])
                    {
                        Console.WriteLine("tick");
                    }
                }

                public void Stop()
                {
                    _enabled = false;
                    Console.WriteLine("stopping");
                }
            }
            """, """
            using System;
            using System.Threading;

            class Scheduler
            {
                private volatile bool _enabled = true;
                private Timer? _timer;

                public void Start() => _timer = new Timer(Tick, null, 0, 1000);

                private void Tick(object? state)
                {
                    if (_enabled)
                    {
                        Console.WriteLine("tick");
                    }
                }

                public void Stop()
                {
                    _enabled = false;
                    Console.WriteLine("stopping");
                }
            }
            """, Key);
    }
}
