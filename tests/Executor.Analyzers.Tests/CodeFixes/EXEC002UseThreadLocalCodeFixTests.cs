using System.Threading.Tasks;
using Executor.CodeFixes;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer, Executor.CodeFixes.EXEC002UnsynchronizedWorkAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>EXEC002's "Use the thread-local overload" fix: offered only where the rewrite gives exactly the same total.</summary>
public class EXEC002UseThreadLocalCodeFixTests
{
    private const string Key = EXEC002UnsynchronizedWorkAccessCodeFix.UseThreadLocalKey;

    [Fact]
    public async Task ParallelFor_IntCapturedLocal_ExpressionBody()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                int Run(int n)
                {
                    int total = 0;
                    Parallel.For(0, n, i => [|total += i|]);
                    return total;
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                int Run(int n)
                {
                    int total = 0;
                    Parallel.For(0, n, () => 0, (i, _, subtotal) => { subtotal += i; return subtotal; }, subtotal => Interlocked.Add(ref total, subtotal));
                    return total;
                }
            }
            """, Key);
    }

    [Fact]
    public async Task ParallelFor_LongIndex_FieldOfThis_BlockBody()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                private long _total;

                public long Total => _total;

                void Run(long n)
                {
                    Parallel.For(0L, n, i =>
                    {
                        long square = i * i;
                        [|_total += square|];
                    });
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                private long _total;

                public long Total => _total;

                void Run(long n)
                {
                    Parallel.For(0L, n, () => 0L, (i, _, subtotal) =>
                    {
                        long square = i * i;
                        subtotal += square;
                        return subtotal;
                    }, subtotal => Interlocked.Add(ref _total, subtotal));
                }
            }
            """, Key);
    }

    [Fact]
    public async Task ParallelForEach_CapturedLong_CallInTheAmount()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                static long Weight(string s) => s.Length;

                long Run(string[] items)
                {
                    long total = 0;
                    Parallel.ForEach(items, x => [|total += Weight(x)|]);
                    return total;
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                static long Weight(string s) => s.Length;

                long Run(string[] items)
                {
                    long total = 0;
                    Parallel.ForEach(items, () => 0L, (x, _, subtotal) => { subtotal += Weight(x); return subtotal; }, subtotal => Interlocked.Add(ref total, subtotal));
                    return total;
                }
            }
            """, Key);
    }

    /// <summary>A lambda <c>return;</c> that skips an item must hand the subtotal on: <c>return subtotal;</c>.</summary>
    [Fact]
    public async Task ParallelForEach_IncrementAfterASkippingReturn()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                int CountPositive(int[] items)
                {
                    int count = 0;
                    Parallel.ForEach(items, x =>
                    {
                        if (x <= 0)
                        {
                            return;
                        }

                        [|count++|];
                    });
                    return count;
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                int CountPositive(int[] items)
                {
                    int count = 0;
                    Parallel.ForEach(items, () => 0, (x, _, subtotal) =>
                    {
                        if (x <= 0)
                        {
                            return subtotal;
                        }

                        subtotal++;
                        return subtotal;
                    }, subtotal => Interlocked.Add(ref count, subtotal));
                    return count;
                }
            }
            """, Key);
    }

    [Fact]
    public async Task SubtractAssignment_WithParallelOptions_StaticField()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            static class Budget
            {
                private static long s_left = 1000;

                public static void Spend(long[] costs, ParallelOptions options)
                {
                    Parallel.ForEach(costs, options, cost => [|s_left -= cost|]);
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            static class Budget
            {
                private static long s_left = 1000;

                public static void Spend(long[] costs, ParallelOptions options)
                {
                    Parallel.ForEach(costs, options, () => 0L, (cost, _, subtotal) => { subtotal -= cost; return subtotal; }, subtotal => Interlocked.Add(ref s_left, subtotal));
                }
            }
            """, Key);
    }

    /// <summary>The <c>ParallelLoopState</c> overload keeps its state parameter; a <c>return;</c> after <c>Stop()</c> too.</summary>
    [Fact]
    public async Task ParallelFor_LoopStateOverload_DecrementInBothBranches()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                int Balance(int[] moves)
                {
                    int balance = 0;
                    Parallel.For(0, moves.Length, (i, state) =>
                    {
                        if (moves[i] == 0)
                        {
                            state.Stop();
                            return;
                        }

                        if (moves[i] > 0)
                            [|balance++|];
                        else
                            [|balance--|];
                    });
                    return balance;
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                int Balance(int[] moves)
                {
                    int balance = 0;
                    Parallel.For(0, moves.Length, () => 0, (i, state, subtotal) =>
                    {
                        if (moves[i] == 0)
                        {
                            state.Stop();
                            return subtotal;
                        }

                        if (moves[i] > 0)
                            subtotal++;
                        else
                            subtotal--;
                        return subtotal;
                    }, subtotal => Interlocked.Add(ref balance, subtotal));
                    return balance;
                }
            }
            """, Key);
    }

    /// <summary>Two loops in one document: Fix All rewrites each call once (the testing library runs Fix All on every scope).</summary>
    [Fact]
    public async Task FixAll_TwoLoops_OneDocument()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                private int _hits;

                long Run(long[] items)
                {
                    long sum = 0;
                    Parallel.For(0, 10, i => [|_hits++|]);
                    Parallel.ForEach(items, x => [|sum += x|]);
                    return sum;
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                private int _hits;

                long Run(long[] items)
                {
                    long sum = 0;
                    Parallel.For(0, 10, () => 0, (i, _, subtotal) => { subtotal++; return subtotal; }, subtotal => Interlocked.Add(ref _hits, subtotal));
                    Parallel.ForEach(items, () => 0L, (x, _, subtotal) => { subtotal += x; return subtotal; }, subtotal => Interlocked.Add(ref sum, subtotal));
                    return sum;
                }
            }
            """, Key);
    }

    /// <summary>Two loops one after the other sum into one total: neither runs while the other does, both are rewritten.</summary>
    [Fact]
    public async Task TwoLoopsInSequence_OneTotal()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                long Run(long[] a, long[] b)
                {
                    long total = 0;
                    Parallel.ForEach(a, x => [|total += x|]);
                    Parallel.ForEach(b, x => [|total += x|]);
                    return total;
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                long Run(long[] a, long[] b)
                {
                    long total = 0;
                    Parallel.ForEach(a, () => 0L, (x, _, subtotal) => { subtotal += x; return subtotal; }, subtotal => Interlocked.Add(ref total, subtotal));
                    Parallel.ForEach(b, () => 0L, (x, _, subtotal) => { subtotal += x; return subtotal; }, subtotal => Interlocked.Add(ref total, subtotal));
                    return total;
                }
            }
            """, Key);
    }

    /// <summary>
    /// The first action (the one <c>dotnet format</c> applies): Interlocked by default, where it applies; the rewrite
    /// with <c>preferred_fix = thread_local</c>.
    /// </summary>
    [Theory]
    [InlineData(null, "i => Interlocked.Add(ref _total, i)")]
    [InlineData("thread_local", "() => 0, (i, _, subtotal) => { subtotal += i; return subtotal; }, subtotal => Interlocked.Add(ref _total, subtotal)")]
    public async Task PreferredFix_ChoosesTheFirstAction(string? preferred, string fixedBody)
    {
        var test = new VerifyCS.Test
        {
            TestCode = """
                using System.Threading.Tasks;

                class C
                {
                    private int _total;

                    void Run() => Parallel.For(0, 100, i => [|_total += i|]);
                }
                """,
            FixedCode = $$"""
                using System.Threading;
                using System.Threading.Tasks;

                class C
                {
                    private int _total;

                    void Run() => Parallel.For(0, 100, {{fixedBody}});
                }
                """,
            CodeActionIndex = 0,
        };
        if (preferred is not null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\n" + EXEC002UnsynchronizedWorkAccessCodeFix.PreferredFixKey + " = " + preferred + "\n"));
        }

        await test.RunAsync();
    }

    /// <summary>
    /// A body parameter named <c>_</c> would become a discard next to another <c>_</c>: the state is named
    /// <c>state</c>; arguments on their own lines keep that layout.
    /// </summary>
    [Fact]
    public async Task DiscardNamedItem_ArgumentsOnTheirOwnLines()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class C
            {
                int Count(int[] items)
                {
                    int count = 0;
                    Parallel.ForEach(
                        items,
                        _ => [|count++|]);
                    return count;
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                int Count(int[] items)
                {
                    int count = 0;
                    Parallel.ForEach(
                        items,
                        () => 0,
                        (_, state, subtotal) => { subtotal++; return subtotal; },
                        subtotal => Interlocked.Add(ref count, subtotal));
                    return count;
                }
            }
            """, Key);
    }

    [Theory]
    [InlineData("double", "[|total += i * 0.5|];")]
    [InlineData("decimal", "[|total += i|];")]
    [InlineData("long", "[|total += i|]; Log(total);")]
    [InlineData("long", "if (i == 0) total = 0; else [|total += i|];")]
    [InlineData("long", "[|total += i|]; [|other++|];")]
    [InlineData("long", "[|total += i|]; Log(i);")]
    [InlineData("long", "[|total += i|]; [|total += Weight(i)|];")]
    [InlineData("long", "for (int j = 0; j < i; j++) [|total += j|];")]
    [InlineData("long", "[|total += total|];")]
    [InlineData("long", "Log([|total++|]);")]
    [InlineData("long", "System.Action a = () => [|total++|]; a();")]
    public async Task NotOffered_InTheBody(string type, string body)
    {
        var source = $$"""
            using System.Threading.Tasks;

            class C
            {
                static void Log(long value) { }

                static long Weight(long value) => value;

                {{type}} Run(int n)
                {
                    {{type}} total = 0;
                    long other = 0;
                    Parallel.For(0, n, i =>
                    {
                        {{body}}
                    });
                    Log(other);
                    return total;
                }
            }
            """;
        await NotOfferedAsync(source);
    }

    /// <summary>In a checked context a subtotal can overflow where the original order did not, or the other way round.</summary>
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task NotOffered_CheckedContext(bool checkedBlock, bool checkedProject)
    {
        string call = checkedBlock
            ? "checked { Parallel.For(0, n, i => [|total += i|]); }"
            : "Parallel.For(0, n, i => [|total += i|]);";
        var source = $$"""
            using System.Threading.Tasks;

            class C
            {
                int Run(int n)
                {
                    int total = 0;
                    {{call}}
                    return total;
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source, CodeActionEquivalenceKey = Key };
        if (checkedProject)
        {
            test.SolutionTransforms.Add((solution, projectId) =>
                solution.WithProjectCompilationOptions(projectId, solution.GetProject(projectId)!.CompilationOptions!.WithOverflowChecks(true)));
        }

        await test.RunAsync();
    }

    [Fact]
    public async Task NotOffered_BodyIsAMethodGroup()
    {
        await NotOfferedAsync("""
            using System.Threading.Tasks;

            class C
            {
                private long _total;

                void Add(int i)
                {
                    [|_total += i|];
                }

                void Run(int n) => Parallel.For(0, n, Add);
            }
            """);
    }

    [Fact]
    public async Task NotOffered_TaskRun()
    {
        await NotOfferedAsync("""
            using System.Threading.Tasks;

            class C
            {
                private long _total;

                void Run()
                {
                    for (int i = 0; i < 10; i++)
                    {
                        Task.Run(() => [|_total += 1|]);
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task NotOffered_Plinq()
    {
        await NotOfferedAsync("""
            using System.Linq;

            class C
            {
                long Run(long[] items)
                {
                    long total = 0;
                    items.AsParallel().ForAll(x => [|total += x|]);
                    return total;
                }
            }
            """);
    }

    /// <summary>A method the body calls reads the field: it would see the subtotal-free value during the loop.</summary>
    [Fact]
    public async Task NotOffered_FieldUsedByACalledMethod()
    {
        await NotOfferedAsync("""
            using System.Threading.Tasks;

            class C
            {
                private long _total;

                long Share(int i) => i * 100 / (_total + 1);

                void Run(int n) => Parallel.For(0, n, i => [|_total += Share(i)|]);
            }
            """);
    }

    /// <summary>Another delegate of the member reads the local while the loop runs (a progress report).</summary>
    [Fact]
    public async Task NotOffered_LocalUsedByAnotherLambda()
    {
        await NotOfferedAsync("""
            using System;
            using System.Threading.Tasks;

            class C
            {
                long Run(int n, Action<Func<long>> progress)
                {
                    long done = 0;
                    progress(() => done);
                    Parallel.For(0, n, i => [|done++|]);
                    return done;
                }
            }
            """);
    }

    private static async Task NotOfferedAsync(string source)
    {
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }
}
