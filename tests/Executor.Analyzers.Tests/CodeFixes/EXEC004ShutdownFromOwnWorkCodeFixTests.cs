using System.Threading.Tasks;
using Executor.CodeFixes;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC004ShutdownFromOwnWorkAnalyzer, Executor.CodeFixes.EXEC004ShutdownFromOwnWorkCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>The EXEC004 fix: stop the executor without waiting for the worker the code runs on.</summary>
public class EXEC004ShutdownFromOwnWorkCodeFixTests
{
    [Fact]
    public async Task ShutdownAndDispose_BecomeShutdownWithoutWaiting()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                private readonly ThreadPoolExecutor _pool = new(maxWorkers: 2);

                public void Start()
                {
                    _pool.Submit(() => [|_pool.Shutdown()|]);
                    _pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        [|_pool.Dispose()|];
                    });
                    _pool.Submit(async () =>
                    {
                        await Task.Yield();
                        await [|_pool.DisposeAsync()|];
                    });
                }
            }
            """, """
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                private readonly ThreadPoolExecutor _pool = new(maxWorkers: 2);

                public void Start()
                {
                    _pool.Submit(() => _pool.Shutdown(wait: false));
                    _pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        _pool.Shutdown(wait: false);
                    });
                    _pool.Submit(async () =>
                    {
                        await Task.Yield();
                        _pool.Shutdown(wait: false);
                    });
                }
            }
            """);
    }

    [Fact]
    public async Task ThroughAMethod_NoFixAtTheCall()
    {
        const string Source = """
            using Executor;

            class Jobs
            {
                private readonly ThreadPoolExecutor _pool = new(maxWorkers: 2);

                public void Start() => _pool.Submit(() => [|Stop()|]);

                private void Stop() => _pool.Shutdown();
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source };
        await test.RunAsync();
    }
}
