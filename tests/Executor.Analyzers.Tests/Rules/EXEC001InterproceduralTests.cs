using System.Threading.Tasks;
using Xunit;
using static Executor.Analyzers.Tests.Rules.EXEC001CallbackSourcesTests;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>Calls from a callback into methods of the same compilation are reported at the call in the callback.</summary>
public class EXEC001InterproceduralTests
{
    private const string Api = "Future<int>.AddDoneCallback";

    [Fact]
    public async Task CallToMethodThatIncrementsField_ReportsAtCall()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:Bump()|});

                private void Bump() => _count++;
            }
            """,
            Diag(0, Api, "calls 'Counter.Bump', which increments", "field 'Counter._count'"));
    }

    [Fact]
    public async Task CallChainWithinDepth_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:A()|});

                private void A() => B();
                private void B() => C();
                private void C() => _count++;
            }
            """,
            Diag(0, Api, "calls 'Counter.A', which calls 'Counter.B', which calls 'Counter.C', which increments", "field 'Counter._count'"));
    }

    [Fact]
    public async Task CallChainBeyondDepthBound_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => A());

                private void A() => B();
                private void B() => C();
                private void C() => D();
                private void D() => _count = 1;
            }
            """);
    }

    [Fact]
    public async Task CalleeThatLocks_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Bump());

                private void Bump()
                {
                    lock (_gate) { _count++; }
                }
            }
            """);
    }

    [Fact]
    public async Task CallUnderLockInCallback_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    lock (_gate) { Bump(); }
                });

                private void Bump() => _count++;
            }
            """);
    }

    [Fact]
    public async Task RecursiveCallee_TerminatesAndReports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:Step(3)|});

                private void Step(int n)
                {
                    if (n > 0) Step(n - 1);
                    _count++;
                }
            }
            """,
            Diag(0, Api, "calls 'Counter.Step', which increments", "field 'Counter._count'"));
    }

    [Fact]
    public async Task CalleeTouchingOnlyItsOwnLocalsAndParameters_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            class Math2
            {
                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Square(f.Result(), new List<int>()));

                private static int Square(int x, List<int> into)
                {
                    int y = x * x;
                    into.Add(y);
                    return y;
                }
            }
            """);
    }

    [Fact]
    public async Task CallOnObjectCreatedInCallback_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Tally
            {
                private int _n;
                public void Add() => _n++;
            }

            class Worker
            {
                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    var tally = new Tally();
                    tally.Add();
                });
            }
            """);
    }

    [Fact]
    public async Task CallOnSharedFieldObject_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Tally
            {
                private int _n;
                public void Add() => _n++;
            }

            class Worker
            {
                private readonly Tally _tally = new Tally();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:_tally.Add()|});
            }
            """,
            Diag(0, Api, "calls 'Tally.Add', which increments", "field 'Tally._n'"));
    }

    [Fact]
    public async Task StaticMethodWritingStatic_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            static class Metrics
            {
                private static int s_completed;
                public static void Completed() => s_completed++;
            }

            class Worker
            {
                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:Metrics.Completed()|});
            }
            """,
            Diag(0, Api, "calls 'Metrics.Completed', which increments", "static field 'Metrics.s_completed'"));
    }

    [Fact]
    public async Task LocalFunctionCalledFromCallback_ReportsAtAccess()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f => Bump());

                    void Bump() => {|#0:_count++|};
                }
            }
            """,
            Diag(0, Api, "increments", "field 'Counter._count'"));
    }

    [Fact]
    public async Task PropertyWithSetterBody_ReportsAtAssignment()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Gauge
            {
                private int _value;
                public int Value { get => _value; set => _value = value; }

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:Value = f.Result()|});
            }
            """,
            Diag(0, Api, "calls 'Gauge.set_Value', which writes", "field 'Gauge._value'", "'Value' reads it without a lock"));
    }
}
