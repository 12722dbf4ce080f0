using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC005AsyncDelegateWhereSyncExpectedAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>EXEC005: an async delegate passed where the API does not await it.</summary>
public class EXEC005AsyncDelegateWhereSyncExpectedTests
{
    private const string Submit = "the future completes at its first await, before the work ends";
    private const string Map = "each result is yielded at its first await, before the work ends";
    private const string ContinueWith = "the Task<Task> it returns completes at its first await, before the work ends; add '.Unwrap()'";
    private const string AsyncVoid = "it runs as 'async void': nothing waits for the work after its first await, and an exception thrown there crashes the process";

    private static DiagnosticResult Diag(int marker, string api, string what, string consequence)
        => VerifyCS.Diagnostic().WithLocation(marker).WithArguments(api, what, consequence).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    // ---- ThreadPoolExecutor.Submit / Map ----

    [Fact]
    public async Task Submit_AsyncLambda_ReportsAtTheLambdaHead_WithTheCallAsAdditionalLocation()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool)
                {
                    {|#1:pool.Submit({|#0:async () =>|} { await Task.Delay(10); })|};
                }
            }
            """,
            VerifyCS.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("ThreadPoolExecutor.Submit", "async lambda", Submit));
    }

    [Fact]
    public async Task Submit_AsyncLambdaWithResult_AndAnonymousMethod_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool)
                {
                    Future<Task<int>> f = pool.Submit({|#0:async () =>|} { await Task.Delay(10); return 42; });
                    pool.Submit({|#1:async delegate|} { await Task.Yield(); });
                    pool.Submit({|#2:async delegate ()|} { await Task.Yield(); return "x"; });
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "async lambda", Submit),
            Diag(1, "ThreadPoolExecutor.Submit", "async anonymous method", Submit),
            Diag(2, "ThreadPoolExecutor.Submit", "async anonymous method", Submit));
    }

    [Fact]
    public async Task Submit_MethodGroupsOfAsyncMethods_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit({|#0:FetchAsync|});
                    pool.Submit({|#1:LocalAsync|});

                    async Task LocalAsync() => await Task.Delay(1);
                }

                private async Task<string> FetchAsync()
                {
                    await Task.Delay(10);
                    return "page";
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "async method 'FetchAsync'", Submit),
            Diag(1, "ThreadPoolExecutor.Submit", "async method 'LocalAsync'", Submit));
    }

    [Fact]
    public async Task Submit_StateAndTokenOverloads_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool, CancellationToken token)
                {
                    pool.Submit({|#0:async url =>|} { await Task.Delay(1); return url.Length; }, "http://x");
                    pool.Submit({|#1:async ct =>|} await Task.Delay(1000, ct), token);
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "async lambda", Submit),
            Diag(1, "ThreadPoolExecutor.Submit", "async lambda", Submit));
    }

    [Fact]
    public async Task Submit_AsyncLambdaCastToAction_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit((Action)({|#0:async () =>|} await Task.Delay(1)));
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "async lambda", Submit));
    }

    [Fact]
    public async Task Submit_SyncDelegates_TaskReturningNonAsyncLambda_AndAsyncWithoutAwait_DoNotReport()
    {
        // A non-async lambda returning a task is left alone (spec); an async lambda without await runs to its end
        // synchronously and the compiler already warns (CS1998).
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 42);
                    pool.Submit(() => { Work(); });
                    pool.Submit(() => Task.Delay(10));
                    pool.Submit(NotAsync);
                    #pragma warning disable CS1998
                    pool.Submit(async () => 42);
                    pool.Submit(async () => { Work(); });
                    #pragma warning restore CS1998
                }

                private static void Work() { }

                private static Task NotAsync() => Task.CompletedTask;
            }
            """);
    }

    [Fact]
    public async Task Submit_AwaitOnlyInANestedLambda_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool)
                {
                    #pragma warning disable CS1998
                    pool.Submit(async () => { Func<Task> inner = async () => await Task.Delay(1); return inner; });
                    #pragma warning restore CS1998
                }
            }
            """);
    }

    [Fact]
    public async Task Map_AsyncLambda_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool, string[] urls)
                {
                    foreach (var task in pool.Map({|#0:async url =>|} { await Task.Delay(1); return url.Length; }, urls))
                    {
                    }
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Map", "async lambda", Map));
    }

    [Fact]
    public async Task Map_SyncLambda_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Linq;
            using Executor;

            class Jobs
            {
                int Run(ThreadPoolExecutor pool, string[] urls) => pool.Map(url => url.Length, urls).Sum();
            }
            """);
    }

    // ---- [ConcurrentCallback] void-returning callbacks ----

    [Fact]
    public async Task AddDoneCallback_AsyncLambdas_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool, ThreadPoolExecutor callbacks)
                {
                    var future = pool.Submit(() => 42);
                    future.AddDoneCallback({|#0:async f =>|} await SaveAsync(f.Result()));
                    future.AddDoneCallback({|#1:async f =>|} { await SaveAsync(f.Result()); }, callbacks);
                    Future plain = pool.Submit(() => { });
                    plain.AddDoneCallback({|#2:async delegate (Future f)|} { await Task.Yield(); });
                }

                private static Task SaveAsync(int value) => Task.CompletedTask;
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "async lambda", AsyncVoid),
            Diag(1, "Future<int>.AddDoneCallback", "async lambda", AsyncVoid),
            Diag(2, "Future.AddDoneCallback", "async anonymous method", AsyncVoid));
    }

    [Fact]
    public async Task AddDoneCallback_AsyncVoidMethodGroup_Reports_EvenWithACatchAll()
    {
        // The executor waits for its callbacks (Shutdown(wait: true)) and reports their failures: an async void
        // callback escapes both, so a try/catch does not make it right here.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 42).AddDoneCallback({|#0:OnDone|});
                }

                private async void OnDone(Future<int> f)
                {
                    try { await Task.Delay(1); } catch (Exception) { }
                }
            }
            """,
            Diag(0, "Future<int>.AddDoneCallback", "async method 'OnDone'", AsyncVoid));
    }

    [Fact]
    public async Task AddDoneCallback_SyncCallbacks_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;
            using Executor;

            class Jobs
            {
                void Run(ThreadPoolExecutor pool)
                {
                    var future = pool.Submit(() => 42);
                    future.AddDoneCallback(f => System.Console.WriteLine(f.Result()));
                    future.AddDoneCallback(f => _ = Task.Run(async () => await Task.Delay(f.Result())));
                    future.AddDoneCallback(OnDone);
                }

                private void OnDone(Future<int> f) { }
            }
            """);
    }

    [Fact]
    public async Task UserApiMarkedConcurrentCallback_ActionParameter_Reports_AlsoThroughOverridesAndConstructors()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Executor;

            class Bus
            {
                public virtual void Subscribe([ConcurrentCallback] Action<string> handler) { }
            }

            class FastBus : Bus
            {
                public FastBus([ConcurrentCallback] Action onIdle) { }

                public override void Subscribe(Action<string> handler) { }
            }

            class Use
            {
                void Run(FastBus bus)
                {
                    bus.Subscribe({|#0:async message =>|} await Task.Delay(message.Length));
                    _ = new FastBus({|#1:async () =>|} await Task.Yield());
                }
            }
            """,
            Diag(0, "FastBus.Subscribe", "async lambda", AsyncVoid),
            Diag(1, "new FastBus", "async lambda", AsyncVoid));
    }

    [Fact]
    public async Task UserApiMarkedConcurrentCallback_FuncTaskParameter_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Executor;

            class Bus
            {
                public void Subscribe([ConcurrentCallback] Func<string, Task> handler) { }

                public void Subscribe2([ConcurrentCallback] Func<string, ValueTask> handler) { }
            }

            class Use
            {
                void Run(Bus bus)
                {
                    bus.Subscribe(async message => await Task.Delay(message.Length));
                    bus.Subscribe2(async message => await Task.Delay(message.Length));
                }
            }
            """);
    }

    [Fact]
    public async Task UnmarkedUserApis_DoNotReport()
    {
        // Only the listed APIs and [ConcurrentCallback] parameters: an unmarked Action parameter is the author's business.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Retry
            {
                public static Task RunAsync(Func<Task> body) => body();

                public static void OnEvent(Action handler) { }
            }

            class Use
            {
                async Task Run()
                {
                    await Retry.RunAsync(async () => await Task.Delay(1));
                    Retry.OnEvent(async () => await Task.Delay(1));
                    await Task.Run(async () => await Task.Delay(1));
                    await Task.Run(async () => { await Task.Delay(1); return 1; });
                }
            }
            """);
    }

    // ---- ThreadPool.QueueUserWorkItem ----

    [Fact]
    public async Task QueueUserWorkItem_AsyncLambdas_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;

            class Jobs
            {
                void Run()
                {
                    ThreadPool.QueueUserWorkItem({|#0:async _ =>|} await Task.Delay(1));
                    ThreadPool.QueueUserWorkItem({|#1:async state =>|} { await Task.Delay((int)state); }, 5);
                    ThreadPool.QueueUserWorkItem({|#2:async n =>|} await Task.Delay(n), 5, preferLocal: false);
                    ThreadPool.UnsafeQueueUserWorkItem({|#3:async _ =>|} await Task.Yield(), null);
                }
            }
            """,
            Diag(0, "ThreadPool.QueueUserWorkItem", "async lambda", AsyncVoid),
            Diag(1, "ThreadPool.QueueUserWorkItem", "async lambda", AsyncVoid),
            Diag(2, "ThreadPool.QueueUserWorkItem", "async lambda", AsyncVoid),
            Diag(3, "ThreadPool.UnsafeQueueUserWorkItem", "async lambda", AsyncVoid));
    }

    [Fact]
    public async Task QueueUserWorkItem_WholeBodyInCatchAll_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Jobs
            {
                void Run()
                {
                    ThreadPool.QueueUserWorkItem(async _ =>
                    {
                        try { await Task.Delay(1); }
                        catch (Exception ex) { Console.WriteLine(ex); }
                    });
                    ThreadPool.QueueUserWorkItem(async _ =>
                    {
                        try { await Task.Delay(1); }
                        catch { }
                        finally { Console.WriteLine("done"); }
                    });
                    ThreadPool.QueueUserWorkItem(Tick);
                }

                private static async void Tick(object state)
                {
                    try { await Task.Delay(1); } catch (System.Exception) { }
                }
            }
            """);
    }

    [Fact]
    public async Task QueueUserWorkItem_CatchThatRethrowsFiltersOrIsNarrow_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Jobs
            {
                void Run()
                {
                    ThreadPool.QueueUserWorkItem({|#0:async _ =>|}
                    {
                        try { await Task.Delay(1); }
                        catch (Exception) { throw; }
                    });
                    ThreadPool.QueueUserWorkItem({|#1:async _ =>|}
                    {
                        try { await Task.Delay(1); }
                        catch (Exception ex) when (ex is TimeoutException) { }
                    });
                    ThreadPool.QueueUserWorkItem({|#2:async _ =>|}
                    {
                        try { await Task.Delay(1); }
                        catch (InvalidOperationException) { }
                    });
                    ThreadPool.QueueUserWorkItem({|#3:async _ =>|}
                    {
                        await Task.Delay(1);
                        try { await Task.Delay(1); } catch { }
                    });
                }
            }
            """,
            Diag(0, "ThreadPool.QueueUserWorkItem", "async lambda", AsyncVoid),
            Diag(1, "ThreadPool.QueueUserWorkItem", "async lambda", AsyncVoid),
            Diag(2, "ThreadPool.QueueUserWorkItem", "async lambda", AsyncVoid),
            Diag(3, "ThreadPool.QueueUserWorkItem", "async lambda", AsyncVoid));
    }

    [Fact]
    public async Task QueueUserWorkItem_SyncCallback_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;

            class Jobs
            {
                void Run()
                {
                    ThreadPool.QueueUserWorkItem(_ => System.Console.WriteLine());
                    ThreadPool.QueueUserWorkItem(_ => Task.Delay(1).Wait());
                }
            }
            """);
    }

    // ---- Timers ----

    [Fact]
    public async Task ThreadingTimer_AsyncCallback_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading;
            using System.Threading.Tasks;

            class Poller
            {
                private Timer _timer;
                private Timer _other;

                void Start()
                {
                    _timer = new Timer({|#0:async _ =>|} await PollAsync(), null, 0, 1000);
                    _other = new Timer(new TimerCallback({|#1:OnTick|}), null, 0, 1000);
                }

                private async void OnTick(object state) => await PollAsync();

                private static Task PollAsync() => Task.CompletedTask;
            }
            """,
            Diag(0, "new Timer", "async lambda", AsyncVoid),
            Diag(1, "new Timer", "async method 'OnTick'", AsyncVoid));
    }

    [Fact]
    public async Task ThreadingTimer_SyncCallback_OrCatchAll_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Poller
            {
                private Timer _timer;
                private Timer _other;

                void Start()
                {
                    _timer = new Timer(_ => Poll(), null, 0, 1000);
                    _other = new Timer(async _ =>
                    {
                        try { await Task.Delay(1); }
                        catch (Exception e) { Console.WriteLine(e); }
                    }, null, 0, 1000);
                }

                private static void Poll() { }
            }
            """);
    }

    [Fact]
    public async Task TimersTimerElapsed_AsyncHandler_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Poller
            {
                private readonly System.Timers.Timer _timer = new(1000);

                void Start()
                {
                    _timer.Elapsed += {|#0:async (s, e) =>|} await Task.Delay(1);
                    _timer.Elapsed += {|#1:OnElapsed|};
                }

                private async void OnElapsed(object sender, System.Timers.ElapsedEventArgs e) => await Task.Delay(1);
            }
            """,
            Diag(0, "Timer.Elapsed", "async lambda", AsyncVoid),
            Diag(1, "Timer.Elapsed", "async method 'OnElapsed'", AsyncVoid));
    }

    [Fact]
    public async Task TimersTimerElapsed_SyncHandler_Removal_OrCatchAll_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Poller
            {
                private readonly System.Timers.Timer _timer = new(1000);

                void Start()
                {
                    _timer.Elapsed += (s, e) => Console.WriteLine(e.SignalTime);
                    _timer.Elapsed -= OnElapsed;
                    _timer.Elapsed += async (s, e) =>
                    {
                        try { await Task.Delay(1); }
                        catch (Exception ex) { Console.WriteLine(ex); }
                    };
                }

                private async void OnElapsed(object sender, System.Timers.ElapsedEventArgs e) => await Task.Delay(1);
            }
            """);
    }

    // ---- CancellationToken.Register ----

    [Fact]
    public async Task CancellationTokenRegister_AsyncCallbacks_Report_EvenWithACatchAll()
    {
        // Cancel() runs the callbacks and waits for them; disposing the registration waits for a running one.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Connection
            {
                void Open(CancellationToken token)
                {
                    token.Register({|#0:async () =>|} await CloseAsync());
                    token.Register({|#1:async state =>|} await CloseAsync(), this);
                    token.UnsafeRegister({|#2:async (state, ct) =>|} await CloseAsync(), null);
                    token.Register({|#3:async () =>|}
                    {
                        try { await CloseAsync(); } catch (Exception) { }
                    });
                }

                private static Task CloseAsync() => Task.CompletedTask;
            }
            """,
            Diag(0, "CancellationToken.Register", "async lambda", AsyncVoid),
            Diag(1, "CancellationToken.Register", "async lambda", AsyncVoid),
            Diag(2, "CancellationToken.UnsafeRegister", "async lambda", AsyncVoid),
            Diag(3, "CancellationToken.Register", "async lambda", AsyncVoid));
    }

    [Fact]
    public async Task CancellationTokenRegister_SyncCallback_AndUserFuncTaskOverload_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            static class TokenExtensions
            {
                public static IDisposable Register(this CancellationToken token, Func<object, Task> callback, object state) => null;

                public static IDisposable RegisterAsync(this CancellationToken token, Func<Task> callback) => null;
            }

            class Connection
            {
                void Open(CancellationToken token)
                {
                    token.Register(() => Console.WriteLine("cancelled"));
                    // An instance Register(Action<object>, object) would win over the extension in 'token.Register(...)'.
                    TokenExtensions.Register(token, async state => await Task.Delay(1), this);
                    token.RegisterAsync(async () => await Task.Delay(1));
                }
            }
            """);
    }

    // ---- Task.ContinueWith ----

    [Fact]
    public async Task ContinueWith_Awaited_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Jobs
            {
                async Task Run(Task download)
                {
                    await download.ContinueWith({|#0:async t =>|} await Task.Delay(10));
                    await download.ContinueWith({|#1:async t =>|} await Task.Delay(10)).ConfigureAwait(false);
                }
            }
            """,
            Diag(0, "Task.ContinueWith", "async lambda", ContinueWith),
            Diag(1, "Task.ContinueWith", "async lambda", ContinueWith));
    }

    [Fact]
    public async Task ContinueWith_WaitedReturnedStoredOrPassed_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class Jobs
            {
                private Task _pending;
                private readonly List<Task> _all = new();

                Task Run(Task<int> download)
                {
                    download.ContinueWith({|#0:async t =>|} await Task.Delay(t.Result)).Wait();
                    _pending = download.ContinueWith({|#1:async t =>|} await Task.Delay(t.Result));
                    var local = download.ContinueWith({|#2:async t =>|} { await Task.Delay(1); return t.Result; });
                    _all.Add(download.ContinueWith({|#3:async t =>|} await Task.Delay(1)));
                    Task.WaitAll(download.ContinueWith({|#4:async t =>|} await Task.Delay(1)));
                    return download.ContinueWith({|#5:async (t, state) =>|} await Task.Delay(1), null);
                }
            }
            """,
            Diag(0, "Task<int>.ContinueWith", "async lambda", ContinueWith),
            Diag(1, "Task<int>.ContinueWith", "async lambda", ContinueWith),
            Diag(2, "Task<int>.ContinueWith", "async lambda", ContinueWith),
            Diag(3, "Task<int>.ContinueWith", "async lambda", ContinueWith),
            Diag(4, "Task<int>.ContinueWith", "async lambda", ContinueWith),
            Diag(5, "Task<int>.ContinueWith", "async lambda", ContinueWith));
    }

    [Fact]
    public async Task ContinueWith_MethodGroupOfAsyncMethod_Awaited_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Jobs
            {
                async Task Run(Task download) => await download.ContinueWith({|#0:SaveAsync|});

                private static async Task SaveAsync(Task previous) => await Task.Delay(1);
            }
            """,
            Diag(0, "Task.ContinueWith", "async method 'SaveAsync'", ContinueWith));
    }

    [Fact]
    public async Task ContinueWith_Unwrapped_OrAwaitedTwice_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Jobs
            {
                async Task Run(Task download)
                {
                    await download.ContinueWith(async t => await Task.Delay(10)).Unwrap();
                    await TaskExtensions.Unwrap(download.ContinueWith(async t => await Task.Delay(10)));
                    int n = await download.ContinueWith(async t => { await Task.Delay(10); return 1; }).Unwrap();
                    await await download.ContinueWith(async t => await Task.Delay(10));
                }
            }
            """);
    }

    [Fact]
    public async Task ContinueWith_FireAndForget_DoesNotReport()
    {
        // Nobody waits for the result, so the outer task completing early changes nothing the code relies on.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Jobs
            {
                void Run(Task download)
                {
                    download.ContinueWith(async t => await Task.Delay(10));
                    _ = download.ContinueWith(async t => await Task.Delay(10));
                }
            }
            """);
    }

    [Fact]
    public async Task ContinueWith_FireAndForgetThroughConfigureAwait_DoesNotReport()
    {
        // '.ConfigureAwait(false)' on a discarded task changes nothing: the awaitable is discarded too.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Jobs
            {
                void Run(Task download)
                {
                    _ = download.ContinueWith(async t => await Task.Delay(10)).ConfigureAwait(false);
                    download.ContinueWith(async t => await Task.Delay(10)).ConfigureAwait(false);
                }
            }
            """);
    }

    [Fact]
    public async Task ContinueWith_ConfigureAwaitAwaited_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Jobs
            {
                async Task Run(Task download)
                {
                    var pending = download.ContinueWith({|#0:async t =>|} await Task.Delay(10)).ConfigureAwait(false);
                    await pending;
                }
            }
            """,
            Diag(0, "Task.ContinueWith", "async lambda", ContinueWith));
    }

    [Fact]
    public async Task ContinueWith_SyncContinuation_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;

            class Jobs
            {
                async Task<int> Run(Task<int> download)
                {
                    await download.ContinueWith(t => System.Console.WriteLine(t.Result));
                    Task<Task> wrapped = download.ContinueWith(t => Task.Delay(t.Result));
                    await wrapped.Unwrap();
                    return await download.ContinueWith(t => t.Result + 1);
                }
            }
            """);
    }

    [Fact]
    public async Task ContinueWith_AsyncLambdaCastToAction_ReportsAsAsyncVoid()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;

            class Jobs
            {
                void Run(Task download)
                {
                    download.ContinueWith((Action<Task>)({|#0:async t =>|} await Task.Delay(10)));
                }
            }
            """,
            Diag(0, "Task.ContinueWith", "async lambda", AsyncVoid));
    }

    // ---- Generated code and several at once ----

    [Fact]
    public async Task GeneratedCode_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            // <auto-generated/>
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Generated
            {
                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(async () => await Task.Delay(1));
                    ThreadPool.QueueUserWorkItem(async _ => await Task.Delay(1));
                }
            }
            """);
    }

    [Fact]
    public async Task TopLevelStatements_Report()
    {
        var test = new VerifyCS.Test
        {
            TestCode = """
                using System.Threading.Tasks;
                using Executor;

                using var pool = new ThreadPoolExecutor(2);
                var future = pool.Submit({|#0:async () =>|} { await Task.Delay(1); return 1; });
                await await future;
                """,
            ExpectedDiagnostics = { Diag(0, "ThreadPoolExecutor.Submit", "async lambda", Submit) },
        };
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        await test.RunAsync();
    }
}
