using System.Threading.Tasks;
using Executor.Analyzers.Tests.Verifiers;
using Executor.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer, Executor.CodeFixes.EXEC001UnsynchronizedCallbackAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>The default EXEC001 fix: wrap the access in the right lock.</summary>
public class EXEC001WrapInLockCodeFixTests
{
    private const string Key = EXEC001UnsynchronizedCallbackAccessCodeFix.WrapInLockKey;

    [Fact]
    public async Task ExpressionLambda_NoExistingLock_AddsGateFieldAndBlockBody()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f => [|_count++|]);
                }
            }
            """, """
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        lock (_gate)
                        {
                            _count++;
                        }
                    });
                }
            }
            """, Key);
    }

    [Fact]
    public async Task LockThatGuardsTheFieldElsewhere_IsReused()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Counter
            {
                private readonly object _other = new object();
                private readonly object _sync = new object();
                private int _count;

                public int Read()
                {
                    lock (_sync) { return _count; }
                }

                public void Other()
                {
                    lock (_other) { }
                }

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        [|_count += f.Result()|];
                    });
                }
            }
            """, """
            using Executor;

            class Counter
            {
                private readonly object _other = new object();
                private readonly object _sync = new object();
                private int _count;

                public int Read()
                {
                    lock (_sync) { return _count; }
                }

                public void Other()
                {
                    lock (_other) { }
                }

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        lock (_sync)
                        {
                            _count += f.Result();
                        }
                    });
                }
            }
            """, Key);
    }

    [Fact]
    public async Task TheOnePrivateLockTheTypeUses_IsReused()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using Executor;

            class Collector
            {
                private readonly object _lock = new object();
                private readonly List<int> _items = new();
                private int _other;

                public void Touch()
                {
                    lock (_lock) { _other = 1; }
                }

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        [|_items.Add(f.Result())|];
                    });
                }
            }
            """, """
            using System.Collections.Generic;
            using Executor;

            class Collector
            {
                private readonly object _lock = new object();
                private readonly List<int> _items = new();
                private int _other;

                public void Touch()
                {
                    lock (_lock) { _other = 1; }
                }

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        lock (_lock)
                        {
                            _items.Add(f.Result());
                        }
                    });
                }
            }
            """, Key);
    }

    [Fact]
    public async Task StaticState_GetsStaticLockFollowingStaticPrefix()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            static class Metrics
            {
                private static int s_completed;

                public static void Track(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        [|s_completed++|];
                    });
                }
            }
            """, """
            using Executor;

            static class Metrics
            {
                private static readonly object s_gate = new object();
                private static int s_completed;

                public static void Track(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        lock (s_gate)
                        {
                            s_completed++;
                        }
                    });
                }
            }
            """, Key);
    }

    [Fact]
    public async Task InstanceLockIsNotReusedForStaticState()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Metrics
            {
                private readonly object _lock = new object();
                private static int _completed;

                public void Other() { lock (_lock) { } }

                public void Track(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        [|_completed++|];
                    });
                }
            }
            """, """
            using Executor;

            class Metrics
            {
                private static readonly object _gate = new object();
                private readonly object _lock = new object();
                private static int _completed;

                public void Other() { lock (_lock) { } }

                public void Track(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        lock (_gate)
                        {
                            _completed++;
                        }
                    });
                }
            }
            """, Key);
    }

    [Fact]
    public async Task FieldConventions_MPrefixAndNoPrefix()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class A
            {
                private int m_count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        [|m_count++|];
                    });
                }
            }

            class B
            {
                private int count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        [|count++|];
                    });
                }
            }
            """, """
            using Executor;

            class A
            {
                private readonly object m_gate = new object();
                private int m_count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        lock (m_gate)
                        {
                            m_count++;
                        }
                    });
                }
            }

            class B
            {
                private readonly object gate = new object();
                private int count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        lock (gate)
                        {
                            count++;
                        }
                    });
                }
            }
            """, Key);
    }

    [Fact]
    public async Task CapturedLocal_GetsLocalGate_ReadAfterShutdownIsNotWrapped()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Runner
            {
                int Run(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    for (int i = 0; i < 10; i++)
                    {
                        pool.Submit(() => 1).AddDoneCallback(f =>
                        {
                            [|total += f.Result()|];
                        });
                    }

                    pool.Shutdown();
                    return total;
                }
            }
            """, """
            using Executor;

            class Runner
            {
                int Run(ThreadPoolExecutor pool)
                {
                    var gate = new object();
                    int total = 0;
                    for (int i = 0; i < 10; i++)
                    {
                        pool.Submit(() => 1).AddDoneCallback(f =>
                        {
                            lock (gate)
                            {
                                total += f.Result();
                            }
                        });
                    }

                    pool.Shutdown();
                    return total;
                }
            }
            """, Key);
    }

    [Fact]
    public async Task AdjacentStatements_ShareOneLock_FixAllAddsOneField()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Collections.Generic;
            using Executor;

            class Stats
            {
                private readonly List<int> _values = new();
                private int _count;
                private long _sum;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        var value = f.Result();
                        [|_count++|];
                        [|_sum += value|];
                        [|_values.Add(value)|];
                        Console.WriteLine(value);
                    });
                    pool.Submit(() => 2).AddDoneCallback(f => [|_count--|]);
                }
            }
            """, """
            using System;
            using System.Collections.Generic;
            using Executor;

            class Stats
            {
                private readonly object _gate = new object();
                private readonly List<int> _values = new();
                private int _count;
                private long _sum;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        var value = f.Result();
                        lock (_gate)
                        {
                            _count++;
                            _sum += value;
                            _values.Add(value);
                        }
                        Console.WriteLine(value);
                    });
                    pool.Submit(() => 2).AddDoneCallback(f =>
                    {
                        lock (_gate)
                        {
                            _count--;
                        }
                    });
                }
            }
            """, Key);
    }

    [Fact]
    public async Task ValueReturningExpressionLambda_KeepsItsValue()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class Worker
            {
                private int _done;

                Task<int> Run(Task<int> task) => task.ContinueWith(t => [|_done += t.Result|]);
            }
            """, """
            using System.Threading.Tasks;

            class Worker
            {
                private readonly object _gate = new object();
                private int _done;

                Task<int> Run(Task<int> task) => task.ContinueWith(t =>
                {
                    lock (_gate)
                    {
                        return _done += t.Result;
                    }
                });
            }
            """, Key);
    }

    [Fact]
    public async Task CommentsAndTrivia_ArePreserved()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        // count the completion
                        [|_count++|]; // racy without a lock
                    });
                }
            }
            """, """
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        // count the completion
                        lock (_gate)
                        {
                            _count++; // racy without a lock
                        }
                    });
                }
            }
            """, Key);
    }

    [Fact]
    public async Task AwaitInStatement_NoWrapOffered()
    {
        var source = """
            using System.Threading.Tasks;

            class Worker
            {
                private int _count;

                void Run(Task task)
                {
                    task.ContinueWith(async t => [|_count += await Task.FromResult(1)|]);
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task SystemThreadingLock_UsedWhenAvailableAndLanguageAllows()
    {
        var test = new VerifyCS.Test
        {
            TestCode = """
                using Executor;

                class Counter
                {
                    private int _count;

                    void Run(ThreadPoolExecutor pool)
                    {
                        pool.Submit(() => 1).AddDoneCallback(f =>
                        {
                            [|_count++|];
                        });
                    }
                }
                """,
            FixedCode = """
                using Executor;

                class Counter
                {
                    private readonly System.Threading.Lock _gate = new System.Threading.Lock();
                    private int _count;

                    void Run(ThreadPoolExecutor pool)
                    {
                        pool.Submit(() => 1).AddDoneCallback(f =>
                        {
                            lock (_gate)
                            {
                                _count++;
                            }
                        });
                    }
                }
                """,
            CodeActionEquivalenceKey = Key,
            ReferenceAssemblies = TestReferences.Net90,
        };
        test.SolutionTransforms.Add((solution, projectId) =>
            solution.WithProjectParseOptions(projectId, ((CSharpParseOptions)solution.GetProject(projectId)!.ParseOptions!).WithLanguageVersion(LanguageVersion.Preview)));
        await test.RunAsync();
    }

    [Fact]
    public async Task EmbeddedStatement_IsWrappedInPlace()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        if (f.Result() > 0)
                            [|_count++|];
                    });
                }
            }
            """, """
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        if (f.Result() > 0)
                            lock (_gate)
                            {
                                _count++;
                            }
                    });
                }
            }
            """, Key);
    }

    [Fact]
    public async Task ExpressionBodiedMethodGroupTarget_BecomesBlockBody()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(OnDone);

                private void OnDone(Future<int> f) => [|_count++|];
            }
            """, """
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(OnDone);

                private void OnDone(Future<int> f)
                {
                    lock (_gate)
                    {
                        _count++;
                    }
                }
            }
            """, Key);
    }

    [Fact]
    public async Task MethodGroupOfAnotherType_NoWrapOffered()
    {
        var source = """
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
                    pool.Submit(() => 1).AddDoneCallback([|_handler.OnDone|]);
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task InterproceduralCall_WrapsTheCall()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Counter
            {
                private readonly object _sync = new object();
                private int _count;

                public int Read()
                {
                    lock (_sync) { return _count; }
                }

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        [|Bump()|];
                    });
                }

                private void Bump() => _count++;
            }
            """, """
            using Executor;

            class Counter
            {
                private readonly object _sync = new object();
                private int _count;

                public int Read()
                {
                    lock (_sync) { return _count; }
                }

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        lock (_sync)
                        {
                            Bump();
                        }
                    });
                }

                private void Bump() => _count++;
            }
            """, Key);
    }

    [Fact]
    public async Task TopLevelStatements_GetOneLocalGateAtTheTop()
    {
        // The callbacks are registered in a loop, so their runs overlap; the read after the using block is ordered
        // by the executor's Dispose (a join) and gets no lock.
        var test = new VerifyCS.Test
        {
            TestCode = """
                using Executor;

                var tally = new Tally();
                int done = 0;
                using (var pool = new ThreadPoolExecutor(4))
                {
                    for (int i = 0; i < 3; i++)
                    {
                        pool.Submit(() => 2).AddDoneCallback(f => [|done++|]);
                    }
                }

                System.Console.WriteLine(done);

                class Tally
                {
                    private int _total;

                    public void Add(int n) => _total += n;
                }
                """,
            FixedCode = """
                using Executor;

                var tally = new Tally();
                var gate = new object();
                int done = 0;
                using (var pool = new ThreadPoolExecutor(4))
                {
                    for (int i = 0; i < 3; i++)
                    {
                        pool.Submit(() => 2).AddDoneCallback(f =>
                        {
                            lock (gate)
                            {
                                done++;
                            }
                        });
                    }
                }

                System.Console.WriteLine(done);

                class Tally
                {
                    private int _total;

                    public void Add(int n) => _total += n;
                }
                """,
            CodeActionEquivalenceKey = Key,
        };
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        await test.RunAsync();
    }
}
