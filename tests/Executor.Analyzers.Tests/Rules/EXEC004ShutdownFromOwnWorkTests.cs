using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC004ShutdownFromOwnWorkAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>EXEC004: an executor shut down (waiting for its workers) from work that runs on one of those workers.</summary>
public class EXEC004ShutdownFromOwnWorkTests
{
    private static DiagnosticResult Diag(int marker, string call, string executor, string where)
        => VerifyCS.Diagnostic().WithLocation(marker).WithArguments(call, executor, where);

    [Fact]
    public async Task TaskShutsDownItsOwnExecutor_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                private readonly ThreadPoolExecutor _pool = new(maxWorkers: 2);

                public void Start()
                {
                    _pool.Submit(() => {|#0:_pool.Shutdown()|});
                    _pool.Submit(() => { {|#1:_pool.Dispose()|}; return 1; });
                    var local = new ThreadPoolExecutor(2);
                    local.Submit(() => {|#2:local.Shutdown(wait: true)|});
                }

                public async Task StopAsync() => await Task.Yield();
            }
            """,
            Diag(0, "'_pool.Shutdown()'", "_pool", "a task submitted to it"),
            Diag(1, "'_pool.Dispose()'", "_pool", "a task submitted to it"),
            Diag(2, "'local.Shutdown(wait: true)'", "local", "a task submitted to it"));
    }

    [Fact]
    public async Task DoneCallbackAndDispatchedCallback_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Jobs
            {
                private readonly ThreadPoolExecutor _pool = new(maxWorkers: 2);
                private readonly ThreadPoolExecutor _callbacks = new(maxWorkers: 1);

                public void Start()
                {
                    _pool.Submit(() => 1).AddDoneCallback(f => {|#0:_pool.Shutdown()|});
                    var future = _pool.Submit(() => 2);
                    future.AddDoneCallback(f => {|#1:_pool.Dispose()|});
                    future.AddDoneCallback(f => {|#2:_callbacks.Shutdown()|}, _callbacks);
                }
            }
            """,
            Diag(0, "'_pool.Shutdown()'", "_pool", "a done callback of its future"),
            Diag(1, "'_pool.Dispose()'", "_pool", "a done callback of its future"),
            Diag(2, "'_callbacks.Shutdown()'", "_callbacks", "a callback dispatched to it"));
    }

    [Fact]
    public async Task ThroughAMethodOfTheType_ReportsAtTheCall()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Jobs
            {
                private readonly ThreadPoolExecutor _pool = new(maxWorkers: 2);

                public void Start() => _pool.Submit(Work);

                private void Work()
                {
                    if (System.Environment.TickCount < 0) {|#0:Stop()|};
                }

                private void Stop() => _pool.Shutdown(wait: true);
            }
            """,
            Diag(0, "Calling 'Jobs.Stop', which reaches '_pool.Shutdown(wait: true)',", "_pool", "a task submitted to it"));
    }

    [Fact]
    public async Task ShutdownWithoutWaiting_AnotherExecutor_OrFromTheCaller_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Jobs
            {
                private readonly ThreadPoolExecutor _pool = new(maxWorkers: 2);
                private readonly ThreadPoolExecutor _other = new(maxWorkers: 2);

                public void Start()
                {
                    _pool.Submit(() => _pool.Shutdown(wait: false));
                    _pool.Submit(() => _other.Shutdown());
                    _pool.Submit(() => 1).AddDoneCallback(f => _other.Dispose());
                    _other.Submit(() => 1).AddDoneCallback(f => _pool.Shutdown(), _other);
                    _pool.Submit(() => System.Threading.Tasks.Task.Run(() => _pool.Shutdown()));
                    _pool.Shutdown();
                }
            }
            """);
    }

    private const string Task_ = "a task submitted to it";
    private const string Callback = "a done callback of its future";

    private static DiagnosticResult Any(int marker) => VerifyCS.Diagnostic().WithLocation(marker).WithMessage(null);

    private static Task Verify(string members, params DiagnosticResult[] expected)
        => VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                private readonly ThreadPoolExecutor _pool = new(maxWorkers: 2);
                private readonly ThreadPoolExecutor _other = new(maxWorkers: 2);

            """ + members + """

            }
            """, expected);

    [Fact]
    public Task FieldShutdownInTask_Reports()
        => Verify("""
                public void Run() => _pool.Submit(() => {|#0:_pool.Shutdown()|});
            """,
            Diag(0, "'_pool.Shutdown()'", "_pool", Task_));

    [Fact]
    public Task ExplicitWaitTrueInTask_Reports()
        => Verify("""
                public void Run() => _pool.Submit(() => {|#0:_pool.Shutdown(wait: true)|});
            """,
            Diag(0, "'_pool.Shutdown(wait: true)'", "_pool", Task_));

    [Fact]
    public Task CancelFuturesStillWaits_Reports()
        => Verify("""
                public void Run() => _pool.Submit(() => {|#0:_pool.Shutdown(cancelFutures: true)|});
            """,
            Diag(0, "'_pool.Shutdown(cancelFutures: true)'", "_pool", Task_));

    [Fact]
    public Task DisposeOnLocalInTask_Reports()
        => Verify("""
                public void Run()
                {
                    var pool = new ThreadPoolExecutor(2);
                    pool.Submit(() => {|#0:pool.Dispose()|});
                }
            """,
            Diag(0, "'pool.Dispose()'", "pool", Task_));

    [Fact]
    public Task ShutdownInBranchOfBlockBody_Reports()
        => Verify("""
                public void Run(int limit) => _pool.Submit(() =>
                {
                    if (Environment.TickCount > limit)
                    {
                        {|#0:_pool.Shutdown()|};
                    }
                });
            """,
            Diag(0, "'_pool.Shutdown()'", "_pool", Task_));

    [Fact]
    public Task FuncTaskReturningAfterShutdown_Reports()
        => Verify("""
                public Future<int> Run() => _pool.Submit(() =>
                {
                    {|#0:_pool.Shutdown()|};
                    return 42;
                });
            """,
            Diag(0, "'_pool.Shutdown()'", "_pool", Task_));

    [Fact]
    public Task MethodGroupOfTheTypeShutsDown_Reports()
        => Verify("""
                public void Run() => _pool.Submit(Work);

                private void Work() => {|#0:_pool.Shutdown()|};
            """,
            Any(0));

    [Fact]
    public Task CancellationOverloadTask_Reports()
        => Verify("""
                public void Run(CancellationToken token) => _pool.Submit(ct => {|#0:_pool.Shutdown()|}, token);
            """,
            Diag(0, "'_pool.Shutdown()'", "_pool", Task_));

    [Fact]
    public Task TypedDoneCallback_Reports()
        => Verify("""
                public void Run() => _pool.Submit(() => 1).AddDoneCallback(f => {|#0:_pool.Shutdown()|});
            """,
            Diag(0, "'_pool.Shutdown()'", "_pool", Callback));

    [Fact]
    public Task DoneCallbackOnFutureInLocal_Reports()
        => Verify("""
                public void Run()
                {
                    Future<int> future = _pool.Submit(() => 1);
                    future.AddDoneCallback(f => {|#0:_pool.Dispose()|});
                }
            """,
            Diag(0, "'_pool.Dispose()'", "_pool", Callback));

    [Fact]
    public Task UntypedDoneCallback_Reports()
        => Verify("""
                public void Run()
                {
                    Future future = _pool.Submit(() => { });
                    future.AddDoneCallback(f => {|#0:_pool.Shutdown()|});
                }
            """,
            Diag(0, "'_pool.Shutdown()'", "_pool", Callback));

    [Fact]
    public Task TwoCallsDeep_ReportsAtTheCallInTheTask()
        => Verify("""
                public void Run() => _pool.Submit(() => {|#0:Stop()|});

                private void Stop() => Halt();

                private void Halt() => _pool.Shutdown();
            """,
            Any(0));

    [Fact]
    public Task MapFunctionShutsDown_Reports()
        => Verify("""
                public void Run(int[] items)
                {
                    foreach (var r in _pool.Map(x => { {|#0:_pool.Shutdown()|}; return x; }, items)) { }
                }
            """,
            Any(0));

    [Fact]
    public Task WaitFalse_NoReport()
        => Verify("""
                public void Run() => _pool.Submit(() => _pool.Shutdown(wait: false));
            """);

    [Fact]
    public Task WaitFalsePositional_NoReport()
        => Verify("""
                public void Run() => _pool.Submit(() => _pool.Shutdown(false));
            """);

    [Fact]
    public Task DoneCallbackWaitFalse_NoReport()
        => Verify("""
                public void Run() => _pool.Submit(() => 1).AddDoneCallback(f => _pool.Shutdown(wait: false));
            """);

    [Fact]
    public Task TaskShutsDownAnotherExecutor_NoReport()
        => Verify("""
                public void Run() => _pool.Submit(() => _other.Shutdown());
            """);

    [Fact]
    public Task CallerShutsDownAfterSubmitting_NoReport()
        => Verify("""
                public void Run()
                {
                    _pool.Submit(() => 1);
                    _pool.Shutdown();
                }
            """);

    [Fact]
    public Task UsingAroundTheSubmits_EndsOnTheCaller_NoReport()
        => Verify("""
                public int Run()
                {
                    using (var pool = new ThreadPoolExecutor(2))
                    {
                        return pool.Submit(() => 1).Result();
                    }
                }
            """);

    [Fact]
    public Task NestedTaskRunInsideTheTask_NoReport()
        => Verify("""
                public void Run() => _pool.Submit(() => Task.Run(() => _pool.Shutdown()));
            """);

    [Fact]
    public Task CallbackDispatchedToAnotherExecutor_NoReport()
        => Verify("""
                public void Run() => _pool.Submit(() => 1).AddDoneCallback(f => _pool.Shutdown(), _other);
            """);

    [Fact]
    public Task LambdaStoredButNeverSubmitted_NoReport()
        => Verify("""
                private Action? _stop;

                public void Run() => _stop = () => _pool.Shutdown();
            """);

    [Fact]
    public Task ContinueWithOfATask_NotTheExecutorsWork_NoReport()
        => Verify("""
                public void Run() => Task.Delay(10).ContinueWith(t => _pool.Shutdown());
            """);

    [Fact]
    public Task TimerCallback_NotTheExecutorsWork_NoReport()
        => Verify("""
                private Timer? _timer;

                public void Run() => _timer = new Timer(_ => _pool.Shutdown(), null, 1000, Timeout.Infinite);
            """);

    [Fact]
    public Task OtherExecutorsTaskShutsDownThisOne_NoReport()
        => Verify("""
                public void Run() => _other.Submit(() => 1).AddDoneCallback(f => _other.Shutdown(wait: false));
            """);

    [Fact]
    public Task ShutdownInTaskOfAnotherExecutorThatIsNotThisOne_NoReport()
        => Verify("""
                public void Run() => _other.Submit(() => _pool.Dispose());
            """);
}
