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
}
