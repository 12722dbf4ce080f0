using System.Threading.Tasks;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer, Executor.CodeFixes.EXEC001UnsynchronizedCallbackAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>
/// One Fix All (one dotnet format run) clears a document whose races need different fixes: dotnet format passes one
/// equivalence key for every diagnostic of an id, and each diagnostic the key does not fit gets its own first fix.
/// </summary>
public class EXEC001FixAllOneRunCodeFixTests
{
    [Fact]
    public async Task CounterAndList_OneFixAll_InterlockedAndLock()
    {
        // The default test runs the fixes one by one and then Fix All with the first diagnostic's first key
        // (Use Interlocked) in one iteration: both must end in the same code.
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using Executor;

            class Stats
            {
                private readonly List<string> _names = new();
                private int _hits;

                public int Hits => _hits;

                public void Watch(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        pool.Submit(() => "x").AddDoneCallback(f => [|_hits++|]);
                        pool.Submit(() => "y").AddDoneCallback(f => [|_names.Add(f.Result())|]);
                    }
                }

                public string First() => _names[0];
            }
            """, """
            using System.Collections.Generic;
            using System.Threading;
            using Executor;

            class Stats
            {
                private readonly object _gate = new object();
                private readonly List<string> _names = new();
                private int _hits;

                public int Hits => _hits;

                public void Watch(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        pool.Submit(() => "x").AddDoneCallback(f => Interlocked.Increment(ref _hits));
                        pool.Submit(() => "y").AddDoneCallback(f =>
                        {
                            lock (_gate)
                            {
                                _names.Add(f.Result());
                            }
                        });
                    }
                }

                public string First()
                {
                    lock (_gate)
                    {
                        return _names[0];
                    }
                }
            }
            """);
    }
}
