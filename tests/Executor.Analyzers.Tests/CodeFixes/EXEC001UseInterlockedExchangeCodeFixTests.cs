using System.Threading.Tasks;
using Executor.Analyzers.Tests.Verifiers;
using Executor.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer, Executor.CodeFixes.EXEC001UnsynchronizedCallbackAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>
/// The Interlocked.Exchange fix: a read-then-clear (<c>if (_seen) { _seen = false; … }</c>, <c>var t = _x; _x = null;</c>)
/// racing with plain stores becomes one atomic exchange; never when the function touches the value elsewhere, another
/// side is a check-then-act, or the framework has no Exchange for the type.
/// </summary>
public class EXEC001UseInterlockedExchangeCodeFixTests
{
    private const string Key = EXEC001UnsynchronizedCallbackAccessCodeFix.UseInterlockedKey;

    private const string HeartbeatSource = """
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
                else
                {
                    Console.WriteLine("missed");
                }
            }
        }
        """;

    private const string HeartbeatFixed = """
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
                if (Interlocked.Exchange(ref _seen, false))
                {
                    Console.WriteLine("alive");
                }
                else
                {
                    Console.WriteLine("missed");
                }
            }
        }
        """;

    [Fact]
    public async Task BoolFlagReadThenCleared_OnNet9_BecomesExchange()
    {
        var test = new VerifyCS.Test
        {
            ReferenceAssemblies = TestReferences.Net90,
            TestCode = HeartbeatSource,
            FixedCode = HeartbeatFixed,
            CodeActionEquivalenceKey = Key,
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task BoolFlag_OnNet8_NoExchangeForBool_NotOffered()
    {
        var test = new VerifyCS.Test { TestCode = HeartbeatSource, FixedCode = HeartbeatSource, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task BoolFlag_OnNet9_ExchangeIsTheFirstAction()
    {
        var test = new VerifyCS.Test
        {
            ReferenceAssemblies = TestReferences.Net90,
            TestCode = HeartbeatSource,
            FixedCode = HeartbeatFixed,
            CodeActionIndex = 0,
            CodeActionEquivalenceKey = Key,
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task NegatedTest_ClearInElse_BecomesNegatedExchange()
    {
        var test = new VerifyCS.Test
        {
            ReferenceAssemblies = TestReferences.Net90,
            TestCode = """
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
                        if (![|_seen|])
                        {
                            Console.WriteLine("missed");
                        }
                        else
                        {
                            _seen = false;
                            Console.WriteLine("alive");
                        }
                    }
                }
                """,
            FixedCode = """
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
                        if (!Interlocked.Exchange(ref _seen, false))
                        {
                            Console.WriteLine("missed");
                        }
                        else
                        {
                            Console.WriteLine("alive");
                        }
                    }
                }
                """,
            CodeActionEquivalenceKey = Key,
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task IntFlagComparedWithZero_OnNet8_BecomesExchange()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading;

            class Link
            {
                private int _pending;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(Flush, null, 100, 100);

                public void Mark() => _pending = 1;

                private void Flush(object? state)
                {
                    if ([|_pending|] != 0)
                    {
                        _pending = 0;
                        Console.WriteLine("flush");
                    }
                }
            }
            """, """
            using System;
            using System.Threading;

            class Link
            {
                private int _pending;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(Flush, null, 100, 100);

                public void Mark() => _pending = 1;

                private void Flush(object? state)
                {
                    if (Interlocked.Exchange(ref _pending, 0) != 0)
                    {
                        Console.WriteLine("flush");
                    }
                }
            }
            """, Key);
    }

    [Fact]
    public async Task SnapshotThenClearReference_OnNet8_BecomesExchange()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading;

            class Batch
            {
                private string? _pending;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(Flush, null, 100, 100);

                public void Put(string item) => _pending = item;

                private void Flush(object? state)
                {
                    var item = [|_pending|];
                    [|_pending = null|];
                    Console.WriteLine(item);
                }
            }
            """, """
            using System;
            using System.Threading;

            class Batch
            {
                private string? _pending;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(Flush, null, 100, 100);

                public void Put(string item) => _pending = item;

                private void Flush(object? state)
                {
                    var item = Interlocked.Exchange(ref _pending, null);
                    Console.WriteLine(item);
                }
            }
            """, Key);
    }

    [Fact]
    public async Task ReadThenClearOnTheOtherSide_CallbackStores_BecomesExchange()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using Executor;

            class Inbox
            {
                private string? _latest;

                public Inbox(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => "m").AddDoneCallback(f => [|_latest = f.Result()|]);
                }

                public string? Take()
                {
                    var latest = _latest;
                    _latest = null;
                    return latest;
                }
            }
            """, """
            using System;
            using System.Threading;
            using Executor;

            class Inbox
            {
                private string? _latest;

                public Inbox(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => "m").AddDoneCallback(f => _latest = f.Result());
                }

                public string? Take()
                {
                    var latest = Interlocked.Exchange(ref _latest, null);
                    return latest;
                }
            }
            """, Key);
    }

    [Fact]
    public async Task ValueReadAgainAfterTheClear_NotOffered()
    {
        const string Source = """
            using System;
            using System.Threading;

            class Link
            {
                private int _pending;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(Flush, null, 100, 100);

                public void Mark() => _pending = 1;

                private void Flush(object? state)
                {
                    if ([|_pending|] != 0)
                    {
                        _pending = 0;
                        Console.WriteLine([|_pending|]);
                    }
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task ClearNotFirstInTheBranch_NotOffered()
    {
        const string Source = """
            using System;
            using System.Threading;

            class Link
            {
                private int _pending;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(Flush, null, 100, 100);

                public void Mark() => _pending = 1;

                private void Flush(object? state)
                {
                    if ([|_pending|] != 0)
                    {
                        Console.WriteLine("flush");
                        _pending = 0;
                    }
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task ClearStoresAnotherValueThanTheTest_NotOffered()
    {
        const string Source = """
            using System;
            using System.Threading;

            class Link
            {
                private int _pending;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(Flush, null, 100, 100);

                public void Mark() => _pending = 1;

                private void Flush(object? state)
                {
                    if ([|_pending|] != 0)
                    {
                        _pending = 2;
                        Console.WriteLine("flush");
                    }
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task OtherSideIsACheckThenAct_NotOffered()
    {
        const string Source = """
            using System;
            using System.Threading;

            class Batch
            {
                private string? _pending;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(Flush, null, 100, 100);

                public void Put(string item)
                {
                    if (_pending == null)
                    {
                        _pending = item;
                    }
                }

                private void Flush(object? state)
                {
                    var item = [|_pending|];
                    [|_pending = null|];
                    Console.WriteLine(item);
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task SnapshotNotDirectlyFollowedByTheClear_NotOffered()
    {
        const string Source = """
            using System;
            using System.Threading;

            class Batch
            {
                private string? _pending;
                private Timer? _timer;

                public void Start() => _timer ??= new Timer(Flush, null, 100, 100);

                public void Put(string item) => _pending = item;

                private void Flush(object? state)
                {
                    var item = [|_pending|];
                    Console.WriteLine(item);
                    [|_pending = null|];
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }
}
