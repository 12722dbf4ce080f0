using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC003CapturedVariableChangedAfterHandOffAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>EXEC003: a delegate handed to another thread reads a captured variable that the handing-off code changes afterwards.</summary>
public class EXEC003CapturedVariableChangedAfterHandOffTests
{
    private const string LaterValue = "the work may see a later value";
    private const string FlagNeverSeen = "the work may never see the change (a captured local cannot be volatile: use Volatile.Read and Volatile.Write, or a CancellationToken)";

    private static DiagnosticResult Diag(int marker, string api, string variable, string phrase, string write, string consequence = LaterValue)
        => VerifyCS.Diagnostic().WithLocation(marker).WithArguments(api, variable, phrase, write, consequence).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    private static Task VerifyWithConfigAsync(string source, string editorconfig, params DiagnosticResult[] expected)
    {
        var test = new VerifyCS.Test { TestCode = source };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorconfig + "\n"));
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    // ---- The for loop variable -------------------------------------------------------------------------------------

    [Fact]
    public async Task ForVariable_Submit_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Squares
            {
                static int Square(int x) => x * x;

                void Run(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++) pool.Submit(() => Square({|#0:i|}));
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "i", "the loop changes", "i++"));
    }

    [Fact]
    public async Task ForVariable_TaskRunInBlock_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i += 2)
                    {
                        Console.WriteLine("start");
                        Task.Run(() => Console.WriteLine({|#0:i|}));
                    }
                }
            }
            """,
            Diag(0, "Task.Run", "i", "the loop changes", "i += 2"));
    }

    [Fact]
    public async Task ForVariable_StartNew_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++) Task.Factory.StartNew(() => Console.WriteLine({|#0:i|}));
                }
            }
            """,
            Diag(0, "TaskFactory.StartNew", "i", "the loop changes", "i++"));
    }

    [Fact]
    public async Task ForVariable_NewThreadStarted_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        var thread = new Thread(() => Console.WriteLine({|#0:i|}));
                        thread.Start();
                    }
                }
            }
            """,
            Diag(0, "new Thread", "i", "the loop changes", "i++"));
    }

    [Fact]
    public async Task ForVariable_QueueUserWorkItem_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++) ThreadPool.QueueUserWorkItem(_ => Console.WriteLine({|#0:i|}));
                }
            }
            """,
            Diag(0, "ThreadPool.QueueUserWorkItem", "i", "the loop changes", "i++"));
    }

    [Fact]
    public async Task ForVariable_DoneCallback_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Work
            {
                void Run(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine({|#0:i|}));
                    }
                }
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "i", "the loop changes", "i++"));
    }

    [Fact]
    public async Task ForVariable_ContinueWith_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(Task start, int n)
                {
                    for (int i = 0; i < n; i++) start.ContinueWith(t => Console.WriteLine({|#0:i|}));
                }
            }
            """,
            Diag(0, "Task.ContinueWith", "i", "the loop changes", "i++"));
    }

    [Fact]
    public async Task ForVariable_ParallelForInside_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        Parallel.For(0, 10, j => Console.WriteLine(i + j));
                        Parallel.ForEach(new[] { 1, 2 }, v => Console.WriteLine(i + v));
                        Parallel.Invoke(() => Console.WriteLine(i), () => Console.WriteLine(-i));
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task ForEachVariable_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Executor;

            class Work
            {
                void Run(ThreadPoolExecutor pool, List<int> items)
                {
                    foreach (var item in items) pool.Submit(() => Console.WriteLine(item));
                    foreach (var (a, b) in new[] { (1, 2) }) Task.Run(() => Console.WriteLine(a + b));
                }
            }
            """);
    }

    [Fact]
    public async Task CopyInsideTheLoop_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Squares
            {
                static int Square(int x) => x * x;

                void Run(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        int copy = i;
                        pool.Submit(() => Square(copy));
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task ForVariable_JoinedInTheIteration_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Work
            {
                async Task RunAsync(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        var future = pool.Submit(() => i * 2);
                        Console.WriteLine(future.Result());
                    }

                    for (int i = 0; i < n; i++) await Task.Run(() => Console.WriteLine(i));
                    for (int i = 0; i < n; i++) pool.Submit(() => i).Result();
                    for (int i = 0; i < n; i++) Task.Run(() => Console.WriteLine(i)).Wait();
                    for (int i = 0; i < n; i++)
                    {
                        var thread = new Thread(() => Console.WriteLine(i));
                        thread.Start();
                        thread.Join();
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task ForVariable_JoinedAfterTheLoop_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            class Work
            {
                int Run(ThreadPoolExecutor pool, int n)
                {
                    var futures = new List<Future<int>>();
                    for (int i = 0; i < n; i++) futures.Add(pool.Submit(() => {|#0:i|} * 2));
                    int sum = 0;
                    foreach (var f in futures) sum += f.Result();
                    return sum;
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "i", "the loop changes", "i++"));
    }

    // ---- Reassignment after the hand-off ----------------------------------------------------------------------------

    [Fact]
    public async Task ReassignedAfterTaskRun_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                static void Use(int v) => Console.WriteLine(v);

                void Run()
                {
                    var x = 1;
                    Task.Run(() => Use({|#0:x|}));
                    x = 2;
                }
            }
            """,
            Diag(0, "Task.Run", "x", "is changed", "x = 2"));
    }

    [Fact]
    public async Task ReassignedAfterSubmit_JoinAfterTheWrite_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Work
            {
                void Run(ThreadPoolExecutor pool)
                {
                    string name = "a";
                    var future = pool.Submit(() => {|#0:name|}.Length);
                    name += "b";
                    Console.WriteLine(future.Result());
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "name", "is changed", "name += \"b\""));
    }

    [Fact]
    public async Task ParameterReassignedInABranch_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int count, bool twice)
                {
                    Task.Run(() => Console.WriteLine({|#0:count|}));
                    if (twice)
                    {
                        count++;
                    }
                }
            }
            """,
            Diag(0, "Task.Run", "count", "is changed", "count++"));
    }

    [Fact]
    public async Task ChangedByTheNextIteration_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                static int Next() => Environment.TickCount;

                void Run(int n)
                {
                    int x = 0;
                    while (n-- > 0)
                    {
                        x = Next();
                        Task.Run(() => Console.WriteLine({|#0:x|}));
                    }
                }
            }
            """,
            Diag(0, "Task.Run", "x", "the next iteration changes", "x = Next()"));
    }

    [Fact]
    public async Task DeclaredInTheLoopBody_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                static int Next() => Environment.TickCount;

                void Run(int n)
                {
                    while (n-- > 0)
                    {
                        int x;
                        x = Next();
                        Task.Run(() => Console.WriteLine(x));
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task WrittenOnlyBeforeTheHandOff_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    var x = 1;
                    x = 2;
                    x++;
                    Task.Run(() => Console.WriteLine(x));
                }
            }
            """);
    }

    [Fact]
    public async Task NeverWrittenAfterCapture_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Executor;

            class Work
            {
                void Run(ThreadPoolExecutor pool, int n)
                {
                    var x = n * 2;
                    Task.Run(() => Console.WriteLine(x + n));
                    pool.Submit(() => x);
                    Console.WriteLine(x);
                }
            }
            """);
    }

    [Fact]
    public async Task WrittenAfterButNotReadByTheDelegate_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    int x = 0, y = 0;
                    Task.Run(() => { x = 5; Console.WriteLine(y); });
                    x = 2;
                }
            }
            """);
    }

    [Fact]
    public async Task WrittenInAnotherBranch_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(bool now)
                {
                    int x = 1;
                    if (now)
                    {
                        Task.Run(() => Console.WriteLine(x));
                    }
                    else
                    {
                        x = 2;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task WrittenAfterTheJoin_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Work
            {
                async Task RunAsync(ThreadPoolExecutor pool)
                {
                    int a = 1, b = 1, c = 1, d = 1, e = 1, f = 1, g = 1;
                    var future = pool.Submit(() => a);
                    future.Result();
                    a = 2;

                    var task = Task.Run(() => Console.WriteLine(b));
                    task.Wait();
                    b = 2;

                    var awaited = Task.Run(() => Console.WriteLine(c));
                    await awaited;
                    c = 2;

                    var t1 = Task.Run(() => Console.WriteLine(d));
                    Task.WaitAll(t1);
                    d = 2;

                    var thread = new Thread(() => Console.WriteLine(e));
                    thread.Start();
                    thread.Join();
                    e = 2;

                    pool.Submit(() => f);
                    pool.Shutdown(wait: true);
                    f = 2;

                    var awaitedFuture = pool.Submit(() => g);
                    await awaitedFuture;
                    g = 2;
                }
            }
            """);
    }

    [Fact]
    public async Task WrittenAfterUsingOfTheExecutor_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Work
            {
                void Run()
                {
                    int x = 1;
                    using (var pool = new ThreadPoolExecutor(2))
                    {
                        pool.Submit(() => Console.WriteLine(x));
                    }

                    x = 2;
                }
            }
            """);
    }

    [Fact]
    public async Task ShutdownWithoutWaiting_IsNotAJoin_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Work
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int x = 1;
                    pool.Submit(() => Console.WriteLine({|#0:x|}));
                    pool.Shutdown(wait: false);
                    x = 2;
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "x", "is changed", "x = 2"));
    }

    [Fact]
    public async Task FutureResultDoesNotJoinADoneCallback_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Work
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int x = 1;
                    var future = pool.Submit(() => 1);
                    future.AddDoneCallback(f => Console.WriteLine({|#0:x|}));
                    future.Result();
                    x = 2;
                }
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "x", "is changed", "x = 2"));
    }

    [Fact]
    public async Task WriteBetweenThreadConstructorAndStart_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Work
            {
                void Run()
                {
                    int x = 1;
                    var thread = new Thread(() => Console.WriteLine(x));
                    x = 2;
                    thread.Start();
                }
            }
            """);
    }

    [Fact]
    public async Task WriteAfterThreadStart_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Work
            {
                void Run()
                {
                    int x = 1;
                    var thread = new Thread(() => Console.WriteLine({|#0:x|}));
                    x = 2;
                    thread.Start();
                    x = 3;
                }
            }
            """,
            Diag(0, "new Thread", "x", "is changed", "x = 3"));
    }

    [Fact]
    public async Task ThreadNeverStarted_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Work
            {
                Thread Make()
                {
                    int x = 1;
                    var thread = new Thread(() => Console.WriteLine(x));
                    x = 2;
                    return thread;
                }
            }
            """);
    }

    [Fact]
    public async Task WrittenInsideAnotherLambda_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    int x = 1;
                    Task.Run(() => Console.WriteLine(x));
                    Action later = () => x = 2;
                    GC.KeepAlive(later);
                }
            }
            """);
    }

    [Fact]
    public async Task SynchronousDelegates_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using System.Linq;

            class Work
            {
                void Run(List<int> items)
                {
                    int factor = 2;
                    var doubled = items.Select(v => v * factor).ToList();
                    items.ForEach(v => Console.WriteLine(v * factor));
                    factor = 3;
                    Func<int> read = () => factor;
                    factor = 4;
                    Console.WriteLine(read());
                }
            }
            """);
    }

    [Fact]
    public async Task Plinq_JoinsOnEnumeration_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Linq;

            class Work
            {
                void Run(int[] items)
                {
                    int factor = 2;
                    var sums = items.AsParallel().Select(v => v * factor).ToArray();
                    factor = 3;
                    Console.WriteLine(sums.Length + factor);
                }
            }
            """);
    }

    [Fact]
    public async Task MethodGroup_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                int _x;

                void Print() => Console.WriteLine(_x);

                void Run()
                {
                    Task.Run(Print);
                    _x = 2;
                }
            }
            """);
    }

    [Fact]
    public async Task HandOffInsideALambda_UsesItsOwnFlow_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Work
            {
                Action Make(ThreadPoolExecutor pool, int n) => () =>
                {
                    for (int i = 0; i < n; i++) pool.Submit(() => Console.WriteLine({|#0:i|}));
                };
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "i", "the loop changes", "i++"));
    }

    [Fact]
    public async Task HandOffInsideALocalFunction_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    Start();

                    void Start()
                    {
                        var message = "a";
                        Task.Run(() => Console.WriteLine({|#0:message|}));
                        message = "b";
                    }
                }
            }
            """,
            Diag(0, "Task.Run", "message", "is changed", "message = \"b\""));
    }

    [Fact]
    public async Task TwoVariablesOneDelegate_ReportsEach()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    int a = 1, b = 2;
                    Task.Run(() => Console.WriteLine({|#0:a|} + {|#1:b|} + a));
                    (a, b) = (b, a);
                }
            }
            """,
            Diag(0, "Task.Run", "a", "is changed", "(a, b) = (b, a)"),
            Diag(1, "Task.Run", "b", "is changed", "(a, b) = (b, a)"));
    }

    // ---- Other callback sources -------------------------------------------------------------------------------------

    [Fact]
    public async Task CancellationRegister_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Work
            {
                void Run(CancellationToken token)
                {
                    string reason = "none";
                    token.Register(() => Console.WriteLine({|#0:reason|}));
                    reason = "timeout";
                }
            }
            """,
            Diag(0, "CancellationToken.Register", "reason", "is changed", "reason = \"timeout\""));
    }

    [Fact]
    public async Task TimerCallbackAndElapsedHandler_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;

            class Work
            {
                void Run(System.Timers.Timer periodic)
                {
                    int level = 1;
                    var timer = new System.Threading.Timer(_ => Console.WriteLine({|#0:level|}), null, 0, 100);
                    periodic.Elapsed += (s, e) => Console.WriteLine({|#1:level|});
                    level = 2;
                    GC.KeepAlive(timer);
                }
            }
            """,
            Diag(0, "new Timer", "level", "is changed", "level = 2"),
            Diag(1, "Timer.Elapsed", "level", "is changed", "level = 2"));
    }

    [Fact]
    public async Task ConcurrentCallbackAndConcurrentWorkParameters_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Bus
            {
                public void Subscribe([ConcurrentCallback] Action handler) { }
                public void Spawn([ConcurrentWork] Action work) { }
            }

            class Work
            {
                void Run(Bus bus)
                {
                    int x = 1;
                    bus.Subscribe(() => Console.WriteLine({|#0:x|}));
                    bus.Spawn(() => Console.WriteLine({|#1:x|}));
                    x = 2;
                }
            }
            """,
            Diag(0, "Bus.Subscribe", "x", "is changed", "x = 2"),
            Diag(1, "Bus.Spawn", "x", "is changed", "x = 2"));
    }

    [Fact]
    public async Task CallbackApisAndWorkApisOptions_Report()
    {
        await VerifyWithConfigAsync("""
            using System;

            class Bus
            {
                public void Subscribe(Action handler) { }
                public void Spawn(Action work) { }
                public void Call(Action now) => now();
            }

            class Work
            {
                void Run(Bus bus)
                {
                    int x = 1;
                    bus.Subscribe(() => Console.WriteLine({|#0:x|}));
                    bus.Spawn(() => Console.WriteLine({|#1:x|}));
                    bus.Call(() => Console.WriteLine(x));
                    x = 2;
                }
            }
            """,
            "dotnet_code_quality.EXEC001.callback_apis = M:Bus.Subscribe\ndotnet_code_quality.EXEC002.work_apis = M:Bus.Spawn",
            Diag(0, "Bus.Subscribe", "x", "is changed", "x = 2"),
            Diag(1, "Bus.Spawn", "x", "is changed", "x = 2"));
    }

    [Fact]
    public async Task DotNetCallbacksTurnedOff_NotReported()
    {
        await VerifyWithConfigAsync("""
            using System;
            using System.Threading;

            class Work
            {
                void Run(CancellationToken token)
                {
                    int x = 1;
                    token.Register(() => Console.WriteLine(x));
                    x = 2;
                }
            }
            """,
            "dotnet_code_quality.EXEC001.include_dotnet_callback_apis = false");
    }

    [Fact]
    public async Task MapAndForEachAsync_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Executor;

            class Work
            {
                async Task RunAsync(ThreadPoolExecutor pool, int[] items)
                {
                    int factor = 2;
                    var results = pool.Map(v => v * {|#0:factor|}, items);
                    var loop = Parallel.ForEachAsync(items, async (v, ct) => { await Task.Yield(); Console.WriteLine(v * {|#1:factor|}); });
                    factor = 3;
                    await loop;
                    foreach (var r in results) Console.WriteLine(r);
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Map", "factor", "is changed", "factor = 3"),
            Diag(1, "Parallel.ForEachAsync", "factor", "is changed", "factor = 3"));
    }

    [Fact]
    public async Task TaskResultAndFuturesWait_AreJoins_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Executor;

            class Work
            {
                void Run(ThreadPoolExecutor pool)
                {
                    int x = 1, y = 1, z = 1;
                    var task = Task.Run(() => x + 1);
                    Console.WriteLine(task.Result);
                    x = 2;

                    var future = pool.Submit(() => y);
                    Futures.Wait(new[] { future });
                    y = 2;

                    var other = pool.Submit(() => z);
                    other.Exception();
                    z = 2;
                }
            }
            """);
    }

    [Fact]
    public async Task ContinuationAwaited_NotReported_ButTaskWaitDoesNotJoinIt_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                async Task RunAsync(Task start)
                {
                    int x = 1;
                    var continuation = start.ContinueWith(t => Console.WriteLine(x));
                    await continuation;
                    x = 2;

                    int y = 1;
                    start.ContinueWith(t => Console.WriteLine({|#0:y|}));
                    y = 2;
                }
            }
            """,
            Diag(0, "Task.ContinueWith", "y", "is changed", "y = 2"));
    }

    [Fact]
    public async Task WriteThroughOutArgument_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(string text)
                {
                    int value = 0;
                    Task.Run(() => Console.WriteLine({|#0:value|}));
                    int.TryParse(text, out value);
                }
            }
            """,
            Diag(0, "Task.Run", "value", "is changed", "int.TryParse(text, out value)"));
    }

    [Fact]
    public async Task ThreadStartedDirectly_WriteAfter_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            class Work
            {
                void Run()
                {
                    var text = "a";
                    new Thread(() => Console.WriteLine({|#0:text|})).Start();
                    text = "b";
                }
            }
            """,
            Diag(0, "new Thread", "text", "is changed", "text = \"b\""));
    }

    [Fact]
    public async Task FirstLaterWriteIsOrdered_ALaterOneIsNot_ReportsTheLaterOne()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(bool wait, bool now)
                {
                    int x = 1;
                    if (now)
                    {
                        var task = Task.Run(() => Console.WriteLine({|#0:x|}));
                        if (wait)
                        {
                            task.Wait();
                            x = 2;
                        }
                    }
                    else
                    {
                        x = 3;
                    }

                    x = 4;
                }
            }
            """,
            Diag(0, "Task.Run", "x", "is changed", "x = 4"));
    }

    // ---- Collections ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task ListFilledAfterTheHandOff_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;

            class Work
            {
                int Run()
                {
                    var items = new List<int> { 1, 2 };
                    var sum = Task.Run(() => {|#0:items|}.Sum());
                    items.Add(3);
                    return sum.Result;
                }
            }
            """,
            Diag(0, "Task.Run", "items", "is modified", "items.Add(3)", "the work may read the List<int> while it changes (it is not thread-safe)"));
    }

    [Fact]
    public async Task DictionaryIndexerSetInALoopAfterTheHandOff_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using Executor;

            class Work
            {
                void Run(ThreadPoolExecutor pool, string[] keys)
                {
                    var counts = new Dictionary<string, int>();
                    pool.Submit(() => Console.WriteLine({|#0:counts|}.Count));
                    foreach (var key in keys)
                    {
                        counts[key] = key.Length;
                    }
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "counts", "is modified", "counts[key] = key.Length", "the work may read the Dictionary<string, int> while it changes (it is not thread-safe)"));
    }

    [Fact]
    public async Task CollectionOnlyReadAfterOrFilledBefore_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    var items = new List<int>();
                    items.Add(1);
                    var bag = new ConcurrentBag<int>();
                    Task.Run(() => Console.WriteLine(items.Sum() + bag.Count));
                    Console.WriteLine(items.Count + items[0]);
                    bag.Add(2);
                }
            }
            """);
    }

    // ---- Stop flags --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task StopFlagSetLater_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    bool stop = false;
                    var worker = Task.Run(() =>
                    {
                        while (!{|#0:stop|})
                        {
                            Thread.SpinWait(10);
                        }
                    });
                    Thread.Sleep(100);
                    stop = true;
                    worker.Wait();
                }
            }
            """,
            Diag(0, "Task.Run", "stop", "is changed", "stop = true", FlagNeverSeen));
    }

    [Fact]
    public async Task StopFlagWithVolatileOrInterlocked_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    bool stop = false;
                    int state = 0;
                    var worker = Task.Run(() =>
                    {
                        while (!Volatile.Read(ref stop) && Volatile.Read(ref state) == 0)
                        {
                            Thread.SpinWait(10);
                        }
                    });
                    Volatile.Write(ref stop, true);
                    Interlocked.Exchange(ref state, 1);
                    worker.Wait();
                }
            }
            """);
    }

    // ---- Scope -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task GeneratedCode_NotReported()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            // <auto-generated/>
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++) Task.Run(() => Console.WriteLine(i));
                }
            }
            """);
    }

    [Fact]
    public async Task TopLevelStatements_Reports()
    {
        var test = new VerifyCS.Test
        {
            TestCode = """
                using System;
                using System.Threading.Tasks;

                for (int i = 0; i < 3; i++) Task.Run(() => Console.WriteLine({|#0:i|}));
                """,
        };
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        test.ExpectedDiagnostics.Add(Diag(0, "Task.Run", "i", "the loop changes", "i++"));
        await test.RunAsync();
    }

    [Fact]
    public async Task WriteAfterAwaitWithConfigureAwait_IsJoined_NoReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                async Task Run()
                {
                    int x = 1;
                    var u = Task.Run(() => Console.WriteLine(x));
                    await u.ConfigureAwait(false);
                    x = 2;
                    Console.WriteLine(x);
                }
            }
            """);
    }
}
