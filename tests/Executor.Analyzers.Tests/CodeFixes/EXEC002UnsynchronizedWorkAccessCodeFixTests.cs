using System.Threading.Tasks;
using Executor.CodeFixes;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer, Executor.CodeFixes.EXEC002UnsynchronizedWorkAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>EXEC002's fixes: the race model's Interlocked and lock fixes, applied to work.</summary>
public class EXEC002UnsynchronizedWorkAccessCodeFixTests
{
    [Fact]
    public async Task ParallelFor_FieldAccumulation_UsesInterlocked()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                private int _total;

                void Run() => Parallel.For(0, 100, i => [|_total += i|]);
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                private int _total;

                void Run() => Parallel.For(0, 100, i => Interlocked.Add(ref _total, i));
            }
            """, EXEC002UnsynchronizedWorkAccessCodeFix.UseInterlockedKey);
    }

    [Fact]
    public async Task ParallelForEach_CapturedSum_UsesInterlocked()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                long Run(long[] items)
                {
                    long sum = 0;
                    Parallel.ForEach(items, x => [|sum += x|]);
                    return sum;
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                long Run(long[] items)
                {
                    long sum = 0;
                    Parallel.ForEach(items, x => Interlocked.Add(ref sum, x));
                    return sum;
                }
            }
            """, EXEC002UnsynchronizedWorkAccessCodeFix.UseInterlockedKey);
    }

    /// <summary>The lambda returns the old value (Submit's Func&lt;int&gt; overload binds), so the fix keeps it.</summary>
    [Fact]
    public async Task SubmitInLoop_Increment_UsesInterlocked_KeepingTheValue()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class C
            {
                private int _hits;

                void Run(ThreadPoolExecutor pool)
                {
                    for (int i = 0; i < 10; i++)
                    {
                        pool.Submit(() => [|_hits++|]);
                    }
                }
            }
            """, """
            using System.Threading;
            using Executor;

            class C
            {
                private int _hits;

                void Run(ThreadPoolExecutor pool)
                {
                    for (int i = 0; i < 10; i++)
                    {
                        pool.Submit(() => (Interlocked.Increment(ref _hits) - 1));
                    }
                }
            }
            """, EXEC002UnsynchronizedWorkAccessCodeFix.UseInterlockedKey);
    }

    [Fact]
    public async Task ParallelForEach_DictionaryField_WrapsInNewLock()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                private readonly Dictionary<int, int> _squares = new();

                void Run(int[] items)
                {
                    Parallel.ForEach(items, x =>
                    {
                        [|_squares[x] = x * x|];
                    });
                }
            }
            """, """
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                private readonly object _gate = new object();
                private readonly Dictionary<int, int> _squares = new();

                void Run(int[] items)
                {
                    Parallel.ForEach(items, x =>
                    {
                        lock (_gate)
                        {
                            _squares[x] = x * x;
                        }
                    });
                }
            }
            """, EXEC002UnsynchronizedWorkAccessCodeFix.WrapInLockKey);
    }

    [Fact]
    public async Task NewThread_StarterSideToo_BothSidesInterlocked()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading;

            class C
            {
                private int _n;

                void Run()
                {
                    var t = new Thread(() => [|_n++|]);
                    t.Start();
                    _n++;
                    t.Join();
                }
            }
            """, """
            using System.Threading;

            class C
            {
                private int _n;

                void Run()
                {
                    var t = new Thread(() => Interlocked.Increment(ref _n));
                    t.Start();
                    Interlocked.Increment(ref _n);
                    t.Join();
                }
            }
            """, EXEC002UnsynchronizedWorkAccessCodeFix.UseInterlockedKey);
    }

    [Fact]
    public async Task PreferredFixLock_FromExec001Option_PutsLockFirst()
    {
        var test = new Verifiers.CSharpCodeFixVerifier<EXEC002UnsynchronizedWorkAccessAnalyzer, EXEC002UnsynchronizedWorkAccessCodeFix>.Test
        {
            TestCode = """
                using System.Threading.Tasks;

                class C
                {
                    private int _total;

                    void Run() => Parallel.For(0, 100, i => [|_total += i|]);
                }
                """,
            FixedCode = """
                using System.Threading.Tasks;

                class C
                {
                    private readonly object _gate = new object();
                    private int _total;

                    void Run() => Parallel.For(0, 100, i =>
                    {
                        lock (_gate)
                        {
                            _total += i;
                        }
                    });
                }
                """,
            CodeActionIndex = 0,
        };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\n" + EXEC001UnsynchronizedCallbackAccessCodeFix.PreferredFixKey + " = lock\n"));
        await test.RunAsync();
    }

    [Fact]
    public async Task FixAll_TwoLoops_OneDocument()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                private int _a;
                private long _b;

                void Run(long[] items)
                {
                    Parallel.For(0, 10, i => [|_a++|]);
                    Parallel.ForEach(items, x => [|_b += x|]);
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                private int _a;
                private long _b;

                void Run(long[] items)
                {
                    Parallel.For(0, 10, i => Interlocked.Increment(ref _a));
                    Parallel.ForEach(items, x => Interlocked.Add(ref _b, x));
                }
            }
            """, EXEC002UnsynchronizedWorkAccessCodeFix.UseInterlockedKey);
    }
}
