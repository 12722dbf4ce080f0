using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>Which delegates EXEC001 treats as concurrent callbacks, and in which forms.</summary>
public class EXEC001CallbackSourcesTests
{
    /// <summary>The other side named when a method that can run more than once registers the callback.</summary>
    internal const string Periodic = "another run of the same callback can do the same (the timer is periodic)";

    internal const string EveryCall = "another run of the same callback can do the same ('Run' registers it each time it runs)";

    internal static DiagnosticResult Diag(int marker, string api, string verb, string target, string other = EveryCall, string locks = "without a lock")
        => VerifyCS.Diagnostic().WithLocation(marker).WithArguments(api, verb, target, locks, other).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    [Fact]
    public async Task TypedAddDoneCallback_LambdaIncrementsField_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    var future = pool.Submit(() => 42);
                    future.AddDoneCallback(f => {|#0:_count++|});
                }
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "increments", "field 'Counter._count'"));
    }

    [Fact]
    public async Task UntypedAddDoneCallback_AnonymousMethod_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    Future future = pool.Submit(() => { });
                    future.AddDoneCallback(delegate (Future f) { {|#0:_count += 5|}; });
                }
            }
            """,
            Diag(0, "Future.AddDoneCallback", "updates", "field 'Counter._count'"));
    }

    [Fact]
    public async Task UserApiMarkedConcurrentCallback_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Bus
            {
                public void Subscribe([ConcurrentCallback] Action<string> handler) { }
            }

            class Listener
            {
                private int _seen;

                void Run(Bus bus) => bus.Subscribe(message => {|#0:_seen += message.Length|});
            }
            """,
            Diag(0, "Bus.Subscribe", "updates", "field 'Listener._seen'"));
    }

    [Fact]
    public async Task UserApiWithoutAttribute_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;

            class Bus
            {
                public void Subscribe(Action<string> handler) { }
            }

            class Listener
            {
                private int _seen;

                void Run(Bus bus) => bus.Subscribe(message => _seen += message.Length);
            }
            """);
    }

    [Fact]
    public async Task ConcurrentCallbackOnOverriddenParameter_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            abstract class Source
            {
                public abstract void On([ConcurrentCallback] Action handler);
            }

            sealed class Impl : Source
            {
                public override void On(Action handler) { }
            }

            class Listener
            {
                private int _seen;

                void Run(Impl source) => source.On(() => {|#0:_seen++|});
            }
            """,
            Diag(0, "Impl.On", "increments", "field 'Listener._seen'"));
    }

    [Fact]
    public async Task TaskContinueWith_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Worker
            {
                private int _done;

                void Run(Task task, Task<int> typed)
                {
                    task.ContinueWith(t => {|#0:_done++|});
                    typed.ContinueWith(t => {|#1:_done += t.Result|}, TaskContinuationOptions.ExecuteSynchronously);
                }
            }
            """,
            Diag(0, "Task.ContinueWith", "increments", "field 'Worker._done'", "a callback in 'Run' updates it without a lock"),
            Diag(1, "Task<int>.ContinueWith", "updates", "field 'Worker._done'", "a callback in 'Run' increments it without a lock"));
    }

    [Fact]
    public async Task CancellationTokenRegister_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Worker
            {
                private bool _cancelled;

                void Run(CancellationToken token)
                {
                    token.Register(() => {|#0:_cancelled = !_cancelled|});
                    token.UnsafeRegister(state => {|#1:_cancelled = false|}, null);
                }
            }
            """,
            Diag(0, "CancellationToken.Register", "writes", "field 'Worker._cancelled'", "a callback in 'Run' writes it without a lock"),
            Diag(1, "CancellationToken.UnsafeRegister", "writes", "field 'Worker._cancelled'", "a callback in 'Run' writes it without a lock"));
    }

    [Fact]
    public async Task ThreadPoolQueueUserWorkItem_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Worker
            {
                private static int s_jobs;

                void Run()
                {
                    ThreadPool.QueueUserWorkItem(_ => {|#0:s_jobs++|});
                    ThreadPool.UnsafeQueueUserWorkItem(_ => {|#1:s_jobs--|}, null);
                }
            }
            """,
            Diag(0, "ThreadPool.QueueUserWorkItem", "increments", "static field 'Worker.s_jobs'", "a callback in 'Run' decrements it without a lock"),
            Diag(1, "ThreadPool.UnsafeQueueUserWorkItem", "decrements", "static field 'Worker.s_jobs'", "a callback in 'Run' increments it without a lock"));
    }

    [Fact]
    public async Task ThreadingTimerConstructor_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;

            class Poller
            {
                private int _ticks;

                Timer Start() => new Timer(_ => {|#0:_ticks++|}, null, 0, 100);
            }
            """,
            Diag(0, "new Timer", "increments", "field 'Poller._ticks'", Periodic));
    }

    [Fact]
    public async Task TimersTimerElapsed_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            class Poller
            {
                private int _ticks;

                void Start(System.Timers.Timer timer)
                {
                    timer.Elapsed += (sender, e) => {|#0:_ticks++|};
                }
            }
            """,
            Diag(0, "Timer.Elapsed", "increments", "field 'Poller._ticks'", Periodic));
    }

    [Fact]
    public async Task TimersTimerElapsedUnsubscribe_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Timers;

            class Poller
            {
                private int _ticks;

                void Stop(Timer timer, ElapsedEventHandler handler)
                {
                    timer.Elapsed -= handler;
                    _ticks = 0;
                }
            }
            """);
    }

    [Fact]
    public async Task SynchronousLambdas_ListForEachLinqArraySort_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using System.Linq;

            class Totals
            {
                private int _sum;

                void Run(List<int> values, int[] array)
                {
                    values.ForEach(v => _sum += v);
                    var doubled = values.Select(v => { _sum++; return v * 2; }).ToList();
                    Array.Sort(array, (a, b) => { _sum++; return a.CompareTo(b); });
                }
            }
            """);
    }

    [Fact]
    public async Task MethodGroupInSameFile_ReportsAtAccessInMethod()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(OnDone);
                }

                private void OnDone(Future<int> future)
                {
                    {|#0:_count += future.Result()|};
                }
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "updates", "field 'Counter._count'"));
    }

    [Fact]
    public async Task MethodGroupPassedToSourceApiWithConcurrentCallbackParameter_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Mailbox
            {
                public Mailbox([ConcurrentCallback] Action<int> onMessage) { }

                public void Listen([ConcurrentCallback] Action<int> handler) { }
            }

            class Counter
            {
                private int _count;
                private int _other;

                void Run(Mailbox mailbox)
                {
                    for (int i = 0; i < 2; i++) mailbox.Listen(OnMessage);
                    for (int i = 0; i < 2; i++) _ = new Mailbox(OnOther);
                }

                private void OnMessage(int m) => {|#0:_count += m|};

                private void OnOther(int m) => {|#1:_other += m|};
            }
            """,
            Diag(0, "Mailbox.Listen", "updates", "field 'Counter._count'", "another run of the same callback can do the same (it is registered in a loop)"),
            Diag(1, "new Mailbox", "updates", "field 'Counter._other'", "another run of the same callback can do the same (it is registered in a loop)"));
    }

    [Fact]
    public async Task MethodGroupInSameFile_VerbatimThisQualifiedAndSpacedForms_ReportAtAccessInMethod()
    {
        // The method-group scan searches the type's text for the method names: each spelling must still be found.
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _a;
                private int _b;
                private int _c;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(@OnA);
                    pool.Submit(() => 1).AddDoneCallback(this.OnB);
                    pool.Submit(() => 1).AddDoneCallback(
                        OnC
                        );
                }

                private void OnA(Future<int> future) => {|#0:_a++|};

                private void OnB(Future<int> future) => {|#1:_b++|};

                private void OnC(Future<int> future) => {|#2:_c++|};
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "increments", "field 'Counter._a'"),
            Diag(1, "Future<int>.AddDoneCallback", "increments", "field 'Counter._b'"),
            Diag(2, "Future<int>.AddDoneCallback", "increments", "field 'Counter._c'"));
    }

    [Fact]
    public async Task MethodNameOnlyInCommentsStringsCallsAndLongerNames_DoesNotReport()
    {
        // Text hits that are not a method group passed to a callback API: a comment, a string, a call, an
        // identifier that merely contains the name, and nameof.
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    // AddDoneCallback(OnDone) is not used here
                    string text = "AddDoneCallback(OnDone)";
                    pool.Submit(() => 1).AddDoneCallback(f => OnDoneLater(text));
                    pool.Submit(() => 1).AddDoneCallback(f => System.Console.WriteLine(nameof(OnDone)));
                    OnDone(pool.Submit(() => 1));
                }

                private void OnDone(Future<int> future) => _count++;

                private void OnDoneLater(string text) => System.Console.WriteLine(text);
            }
            """);
    }

    [Fact]
    public async Task OwnCopyOfConcurrentCallbackAttribute_WithoutTheRuntime_Reports()
    {
        // A library that does not reference Executor.Runtime declares the attribute itself; it is matched by name.
        var test = new VerifyCS.Test
        {
            TestCode = """
                using System;

                namespace Executor
                {
                    [AttributeUsage(AttributeTargets.Parameter)]
                    internal sealed class ConcurrentCallbackAttribute : Attribute
                    {
                    }
                }

                class Bus
                {
                    public void Subscribe([Executor.ConcurrentCallback] Action handler) { }
                }

                class Counter
                {
                    private int _count;

                    void Run(Bus bus) => bus.Subscribe(() => {|#0:_count++|});
                }
                """,
        };
        test.TestState.AdditionalReferences.Clear();
        test.ExpectedDiagnostics.Add(Diag(0, "Bus.Subscribe", "increments", "field 'Counter._count'"));
        await test.RunAsync();
    }

    [Fact]
    public async Task MethodGroupRegisteredTwice_ReportsOnce()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(OnDone);
                    pool.Submit(() => 2).AddDoneCallback(OnDone);
                }

                private void OnDone(Future<int> future) => {|#0:_count++|};
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "increments", "field 'Counter._count'", "another run of the same callback can do the same (it is registered in more than one place)"));
    }

    [Fact]
    public async Task MethodGroupInPartialDeclarationInOtherFile_ReportsAtAccessInMethod()
    {
        var test = new VerifyCS.Test
        {
            TestState =
            {
                Sources =
                {
                    """
                    using Executor;

                    partial class Counter
                    {
                        void Run(ThreadPoolExecutor pool)
                        {
                            pool.Submit(() => 1).AddDoneCallback(OnDone);
                        }
                    }
                    """,
                    """
                    using Executor;

                    partial class Counter
                    {
                        private int _count;

                        private void OnDone(Future<int> future) => {|#0:_count++|};
                    }
                    """,
                },
            },
        };
        test.ExpectedDiagnostics.Add(Diag(0, "Future<int>.AddDoneCallback", "increments", "field 'Counter._count'"));
        await test.RunAsync();
    }

    [Fact]
    public async Task MethodGroupOfAnotherType_ReportsAtMethodGroup()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Handler
            {
                private int _count;

                public void OnDone(Future<int> future) => _count++;
            }

            class Runner
            {
                private readonly Handler _handler = new Handler();

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback({|#0:_handler.OnDone|});
                }
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "uses 'Handler.OnDone', which increments", "field 'Handler._count'"));
    }

    [Fact]
    public async Task MethodGroupNotPassedToCallbackApi_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;

            class Counter
            {
                private int _count;

                void Run(List<int> values)
                {
                    values.ForEach(Add);
                    Action a = Touch;
                    a();
                }

                private void Add(int v) => _count += v;

                private void Touch() => _count++;
            }
            """);
    }

    [Fact]
    public async Task LocalFunctionAsCallback_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(OnDone);

                    void OnDone(Future<int> future)
                    {
                        {|#0:_count++|};
                    }
                }
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "increments", "field 'Counter._count'"));
    }

    [Fact]
    public async Task DelegateLocalInitializedWithLambda_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    Action<Future<int>> callback = f => {|#0:_count++|};
                    pool.Submit(() => 1).AddDoneCallback(callback);
                }
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "increments", "field 'Counter._count'"));
    }

    [Fact]
    public async Task DelegateLocalNeverPassedToCallbackApi_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;

            class Counter
            {
                private int _count;

                void Run()
                {
                    Action callback = () => _count++;
                    callback();
                }
            }
            """);
    }

    [Fact]
    public async Task CallbackNestedInCallback_ReportsWithInnerApi()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Chain
            {
                private int _count;

                void Run(ThreadPoolExecutor pool, Task task)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        task.ContinueWith(t => {|#0:_count++|});
                    });
                }
            }
            """,
            Diag(0, "Task.ContinueWith", "increments", "field 'Chain._count'", "another run of the same callback can do the same (it is registered by a lambda or local function that can run more than once)"));
    }

    [Fact]
    public async Task LambdaInsideCallbackPassedToLinq_IsPartOfCallback()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using System.Linq;
            using Executor;

            class Totals
            {
                private int _sum;

                void Run(ThreadPoolExecutor pool, List<int> values)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        var n = values.Count(v => { {|#0:_sum++|}; return v > 0; });
                    });
                }
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "increments", "field 'Totals._sum'"));
    }

    [Fact]
    public async Task GeneratedCode_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            // <auto-generated/>
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _count++);
            }
            """);
    }
}
