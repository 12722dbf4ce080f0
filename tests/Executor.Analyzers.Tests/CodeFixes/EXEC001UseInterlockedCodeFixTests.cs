using System.Threading.Tasks;
using Executor.CodeFixes;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer, Executor.CodeFixes.EXEC001UnsynchronizedCallbackAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>The second EXEC001 fix: Interlocked, offered only where it is exactly equivalent.</summary>
public class EXEC001UseInterlockedCodeFixTests
{
    private const string Key = EXEC001UnsynchronizedCallbackAccessCodeFix.UseInterlockedKey;

    [Fact]
    public async Task AllForms_OnIntAndLongFields_AndCapturedLocal()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Counter
            {
                private int _a;
                private long _b;
                private int _c;
                private int _d;

                void Run(ThreadPoolExecutor pool, int n)
                {
                    long total = 0;
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        [|_a++|];
                        [|_b--|];
                        [|++_c|];
                        [|--_d|];
                        [|_a += n|];
                        [|_b -= 2L|];
                        [|total += 5L|];
                    });
                    System.Console.WriteLine(total);
                }
            }
            """, """
            using System.Threading;
            using Executor;

            class Counter
            {
                private int _a;
                private long _b;
                private int _c;
                private int _d;

                void Run(ThreadPoolExecutor pool, int n)
                {
                    long total = 0;
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        Interlocked.Increment(ref _a);
                        Interlocked.Decrement(ref _b);
                        Interlocked.Increment(ref _c);
                        Interlocked.Decrement(ref _d);
                        Interlocked.Add(ref _a, n);
                        Interlocked.Add(ref _b, -2L);
                        Interlocked.Add(ref total, 5L);
                    });
                    System.Console.WriteLine(total);
                }
            }
            """, Key);
    }

    [Fact]
    public async Task ExpressionLambdaAndUsedValues_KeepTheirValue()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading.Tasks;
            using Executor;

            class Counter
            {
                private int _a;
                private int _seq;

                void Run(ThreadPoolExecutor pool, Task<int> task)
                {
                    pool.Submit(() => 1).AddDoneCallback(f => [|_a++|]);
                    pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine([|_seq++|]));
                    task.ContinueWith(t => [|++_a|]);
                }
            }
            """, """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Counter
            {
                private int _a;
                private int _seq;

                void Run(ThreadPoolExecutor pool, Task<int> task)
                {
                    pool.Submit(() => 1).AddDoneCallback(f => Interlocked.Increment(ref _a));
                    pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine((Interlocked.Increment(ref _seq) - 1)));
                    task.ContinueWith(t => Interlocked.Increment(ref _a));
                }
            }
            """, Key);
    }

    [Fact]
    public async Task ArrayElementIncrement_UsesInterlocked()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Histogram
            {
                private readonly int[] _buckets = new int[10];

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 3).AddDoneCallback(f => [|_buckets[f.Result()]++|]);
            }
            """, """
            using System.Threading;
            using Executor;

            class Histogram
            {
                private readonly int[] _buckets = new int[10];

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 3).AddDoneCallback(f => Interlocked.Increment(ref _buckets[f.Result()]));
            }
            """, Key);
    }

    [Theory]
    [InlineData("private double _x;", "[|_x++|]")]
    [InlineData("public int X { get; set; }", "[|X++|]")]
    [InlineData("private byte _x;", "[|_x++|]")]
    [InlineData("private uint _x;", "[|_x -= 1u|]")]
    [InlineData("private int _x;", "[|_x *= 2|]")]
    [InlineData("private int _x;", "[|_x = f.Result()|]")]
    public async Task NotOffered_WhereNotExactlyEquivalent(string member, string access)
    {
        var source = $$"""
            using Executor;

            class Counter
            {
                {{member}}

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        {{access}};
                    });
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task OtherSideIncrements_IsRewrittenToo_PlainReadsAndStoresStay()
    {
        // Interlocked on one side only would leave the other side's read-modify-write racing: both become atomic.
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                public void Hit() => _count += 2;

                public void Reset() => _count = 0;

                public int Read() => _count;

                public Counter(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => [|_count++|]);
            }
            """, """
            using System.Threading;
            using Executor;

            class Counter
            {
                private int _count;

                public void Hit() => Interlocked.Add(ref _count, 2);

                public void Reset() => _count = 0;

                public int Read() => _count;

                public Counter(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Interlocked.Increment(ref _count));
            }
            """, Key);
    }

    [Fact]
    public async Task OtherSideMultiplies_NoInterlockedFix()
    {
        const string Source = """
                using Executor;

                class Counter
                {
                    private int _count;

                    public void Double() => _count *= 2;

                    public Counter(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => [|_count++|]);
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    private const string PreferenceSource = """
        using Executor;

        class Counter
        {
            private int _count;

            void Run(ThreadPoolExecutor pool)
            {
                for (int i = 0; i < 2; i++) pool.Submit(() => 1).AddDoneCallback(f => [|_count++|]);
            }
        }
        """;

    [Fact]
    public async Task FirstAction_IsInterlocked_ByDefault()
    {
        // dotnet format applies the first action.
        var test = new VerifyCS.Test
        {
            TestCode = PreferenceSource,
            FixedCode = """
                using System.Threading;
                using Executor;

                class Counter
                {
                    private int _count;

                    void Run(ThreadPoolExecutor pool)
                    {
                        for (int i = 0; i < 2; i++) pool.Submit(() => 1).AddDoneCallback(f => Interlocked.Increment(ref _count));
                    }
                }
                """,
            CodeActionIndex = 0,
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task FirstAction_IsTheLock_WhenPreferredFixIsLock()
    {
        var test = new VerifyCS.Test
        {
            TestCode = PreferenceSource,
            FixedCode = """
                using Executor;

                class Counter
                {
                    private readonly object _gate = new object();
                    private int _count;

                    void Run(ThreadPoolExecutor pool)
                    {
                        for (int i = 0; i < 2; i++) pool.Submit(() => 1).AddDoneCallback(f =>
                        {
                            lock (_gate)
                            {
                                _count++;
                            }
                        });
                    }
                }
                """,
            CodeActionIndex = 0,
        };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\n" + EXEC001UnsynchronizedCallbackAccessCodeFix.PreferredFixKey + " = lock\n"));
        await test.RunAsync();
    }

    [Fact]
    public async Task TimerNameStaysUnambiguous_InterlockedStaysQualified()
    {
        // 'using System.Threading;' would make 'Timer' ambiguous with System.Timers.Timer (CS0104): no using is added.
        var test = new VerifyCS.Test
        {
            TestCode = """
                using System.Timers;

                class Poller
                {
                    private readonly Timer _timer = new Timer(100);
                    private int _ticks;

                    public Poller() => _timer.Elapsed += (s, e) => [|_ticks++|];
                }
                """,
            FixedCode = """
                using System.Timers;

                class Poller
                {
                    private readonly Timer _timer = new Timer(100);
                    private int _ticks;

                    public Poller() => _timer.Elapsed += (s, e) => System.Threading.Interlocked.Increment(ref _ticks);
                }
                """,
            CodeActionEquivalenceKey = Key,
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task NoConflictingName_UsingIsAdded()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Timers;

            class Poller
            {
                private readonly System.Timers.Timer _timer = new System.Timers.Timer(100);
                private int _ticks;

                public Poller() => _timer.Elapsed += (s, e) => [|_ticks++|];
            }
            """, """
            using System.Threading;
            using System.Timers;

            class Poller
            {
                private readonly System.Timers.Timer _timer = new System.Timers.Timer(100);
                private int _ticks;

                public Poller() => _timer.Elapsed += (s, e) => Interlocked.Increment(ref _ticks);
            }
            """);
    }
}
