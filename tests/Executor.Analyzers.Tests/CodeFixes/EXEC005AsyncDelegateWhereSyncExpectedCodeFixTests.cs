using System.Threading.Tasks;
using Executor.CodeFixes;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC005AsyncDelegateWhereSyncExpectedAnalyzer, Executor.CodeFixes.EXEC005AsyncDelegateWhereSyncExpectedCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>The EXEC005 fixes: <c>.Unwrap()</c> after <c>ContinueWith(async …)</c>, <c>Task.Run</c> for an awaited <c>Submit(async …)</c>.</summary>
public class EXEC005AsyncDelegateWhereSyncExpectedCodeFixTests
{
    [Fact]
    public async Task Unwrap_AwaitedWaitedAndReturned_FixAllInOneGo()
    {
        // Three diagnostics: the testing library also checks Fix All in document, project and solution scope.
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class Jobs
            {
                async Task Run(Task download)
                {
                    await download.ContinueWith([|async t =>|] await Task.Delay(10));
                    download.ContinueWith([|async t =>|] await Task.Delay(10)).Wait();
                }

                Task Later(Task<int> download) => download.ContinueWith([|async t =>|] await Task.Delay(t.Result)); // keep
            }
            """, """
            using System.Threading.Tasks;

            class Jobs
            {
                async Task Run(Task download)
                {
                    await download.ContinueWith(async t => await Task.Delay(10)).Unwrap();
                    download.ContinueWith(async t => await Task.Delay(10)).Unwrap().Wait();
                }

                Task Later(Task<int> download) => download.ContinueWith(async t => await Task.Delay(t.Result)).Unwrap(); // keep
            }
            """, EXEC005AsyncDelegateWhereSyncExpectedCodeFix.AddUnwrapKey);
    }

    [Fact]
    public async Task Unwrap_ConfigureAwaitAndTaskOfResultGivenToATask()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class Jobs
            {
                private Task _pending;

                async Task Run(Task download)
                {
                    await download.ContinueWith([|async t =>|] await Task.Delay(10)).ConfigureAwait(false);
                    _pending = download.ContinueWith([|async t =>|] { await Task.Delay(10); return 5; });
                    Task.WaitAll(download.ContinueWith([|async t =>|] await Task.Delay(1)));
                }
            }
            """, """
            using System.Threading.Tasks;

            class Jobs
            {
                private Task _pending;

                async Task Run(Task download)
                {
                    await download.ContinueWith(async t => await Task.Delay(10)).Unwrap().ConfigureAwait(false);
                    _pending = download.ContinueWith(async t => { await Task.Delay(10); return 5; }).Unwrap();
                    Task.WaitAll(download.ContinueWith(async t => await Task.Delay(1)).Unwrap());
                }
            }
            """, EXEC005AsyncDelegateWhereSyncExpectedCodeFix.AddUnwrapKey);
    }

    [Fact]
    public async Task Unwrap_AddsTheTasksUsingWhenUnwrapIsNotInScope()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;

            class Jobs
            {
                System.Threading.Tasks.Task Later(System.Threading.Tasks.Task download)
                    => download.ContinueWith([|async t =>|] await System.Threading.Tasks.Task.Delay(1));

                System.Threading.Tasks.Task Other(System.Threading.Tasks.Task download)
                    => download.ContinueWith([|async t =>|] await System.Threading.Tasks.Task.Delay(2));
            }
            """, """
            using System;
            using System.Threading.Tasks;

            class Jobs
            {
                System.Threading.Tasks.Task Later(System.Threading.Tasks.Task download)
                    => download.ContinueWith(async t => await System.Threading.Tasks.Task.Delay(1)).Unwrap();

                System.Threading.Tasks.Task Other(System.Threading.Tasks.Task download)
                    => download.ContinueWith(async t => await System.Threading.Tasks.Task.Delay(2)).Unwrap();
            }
            """, EXEC005AsyncDelegateWhereSyncExpectedCodeFix.AddUnwrapKey);
    }

    [Fact]
    public async Task Unwrap_NestedContinuations_BothFixed()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class Jobs
            {
                Task Run(Task a, Task b)
                    => a.ContinueWith([|async x =>|] { await b.ContinueWith([|async y =>|] await Task.Delay(1)); });

                async Task Bodied(Task a) => await a.ContinueWith([|async x =>|] await Task.Delay(1));
            }
            """, """
            using System.Threading.Tasks;

            class Jobs
            {
                Task Run(Task a, Task b)
                    => a.ContinueWith(async x => { await b.ContinueWith(async y => await Task.Delay(1)).Unwrap(); }).Unwrap();

                async Task Bodied(Task a) => await a.ContinueWith(async x => await Task.Delay(1)).Unwrap();
            }
            """, EXEC005AsyncDelegateWhereSyncExpectedCodeFix.AddUnwrapKey);
    }

    [Fact]
    public async Task Unwrap_NotOfferedWhereTheTypeChangeWouldShow()
    {
        // 'var' keeps Task<Task>; the awaited value is used; the method returns Task<Task>; a further ContinueWith
        // sees Task<Task> as its parameter: appending .Unwrap() there would change what the rest of the code binds to.
        const string Source = """
            using System.Threading.Tasks;

            class Jobs
            {
                async Task Run(Task download)
                {
                    var local = download.ContinueWith([|async t =>|] await Task.Delay(10));
                    Task inner = await download.ContinueWith([|async t =>|] await Task.Delay(10));
                    await download.ContinueWith([|async t =>|] await Task.Delay(10)).ContinueWith(outer => outer.Result);
                    await local;
                    await inner;
                }

                Task<Task> Raw(Task download) => download.ContinueWith([|async t =>|] await Task.Delay(10));
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source };
        await test.RunAsync();
    }

    [Fact]
    public async Task TaskRun_AwaitedSubmitStatement_BecomesTaskRun()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                private readonly ThreadPoolExecutor _pool = new(2);

                async Task Run(ThreadPoolExecutor pool)
                {
                    await pool.Submit([|async () =>|] { await Task.Delay(10); });
                    await _pool.Submit([|async () =>|] await Task.Delay(10));
                }
            }
            """, """
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                private readonly ThreadPoolExecutor _pool = new(2);

                async Task Run(ThreadPoolExecutor pool)
                {
                    await Task.Run(async () => { await Task.Delay(10); });
                    await Task.Run(async () => await Task.Delay(10));
                }
            }
            """, EXEC005AsyncDelegateWhereSyncExpectedCodeFix.UseTaskRunKey);
    }

    [Fact]
    public async Task TaskRun_QualifiedWhenTaskIsNotImported()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Jobs
            {
                async System.Threading.Tasks.Task Run(ThreadPoolExecutor pool)
                {
                    await pool.Submit([|Work|]);
                }

                private static async System.Threading.Tasks.Task Work() => await System.Threading.Tasks.Task.Yield();
            }
            """, """
            using Executor;

            class Jobs
            {
                async System.Threading.Tasks.Task Run(ThreadPoolExecutor pool)
                {
                    await System.Threading.Tasks.Task.Run(Work);
                }

                private static async System.Threading.Tasks.Task Work() => await System.Threading.Tasks.Task.Yield();
            }
            """, EXEC005AsyncDelegateWhereSyncExpectedCodeFix.UseTaskRunKey);
    }

    [Fact]
    public async Task TaskRun_NotOfferedWhenTheFutureIsKeptOrTheOverloadHasNoTaskRunTwin()
    {
        const string Source = """
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                private ThreadPoolExecutor Pool { get; } = new(2);

                async Task Run(ThreadPoolExecutor pool, CancellationToken token)
                {
                    var future = pool.Submit([|async () =>|] await Task.Delay(10));
                    pool.Submit([|async () =>|] await Task.Delay(10));
                    await pool.Submit([|async ct =>|] await Task.Delay(10, ct), token);
                    await pool.Submit([|async n =>|] await Task.Delay(n), 10);
                    await Pool.Submit([|async () =>|] await Task.Delay(10));
                    await pool.Submit<Task>([|async () =>|] await Task.Delay(10));
                    Task inner = await pool.Submit([|async () =>|] await Task.Delay(10));
                    await future;
                    await inner;
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source };
        await test.RunAsync();
    }

    [Fact]
    public async Task FixAll_AppliesEachDiagnosticsOwnFix_WhicheverComesFirst()
    {
        // dotnet format starts Fix All from the first diagnostic's action: a Submit first must not leave the
        // ContinueWith unfixed (and the other way round).
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                async Task Run(ThreadPoolExecutor pool, Task download)
                {
                    await pool.Submit([|async () =>|] await Task.Delay(10));
                    await download.ContinueWith([|async t =>|] await Task.Delay(10));
                    await pool.Submit([|async () =>|] await Task.Delay(20));
                }
            }
            """, """
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                async Task Run(ThreadPoolExecutor pool, Task download)
                {
                    await Task.Run(async () => await Task.Delay(10));
                    await download.ContinueWith(async t => await Task.Delay(10)).Unwrap();
                    await Task.Run(async () => await Task.Delay(20));
                }
            }
            """);
    }

    [Fact]
    public async Task AsyncVoidCallbacks_HaveNoFix()
    {
        const string Source = """
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool, CancellationToken token)
                {
                    pool.Submit(() => 1).AddDoneCallback([|async f =>|] await Task.Delay(f.Result()));
                    ThreadPool.QueueUserWorkItem([|async _ =>|] await Task.Delay(1));
                    token.Register([|async () =>|] await Task.Delay(1));
                    foreach (var t in pool.Map([|async n =>|] { await Task.Delay(n); return n; }, new[] { 1, 2 }))
                    {
                    }
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source };
        await test.RunAsync();
    }
}
