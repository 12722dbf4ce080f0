using System.Threading.Tasks;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

public class EXEC001SmokeTests
{
    [Fact]
    public async Task IncrementFieldInDoneCallback_Reports()
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
            VerifyCS.Diagnostic().WithLocation(0).WithArguments("Future<int>.AddDoneCallback", "increments", "field 'Counter._count'"));
    }
}
