using System.Threading.Tasks;
using Executor.CodeFixes;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer, Executor.CodeFixes.EXEC001UnsynchronizedCallbackAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>Code fixes v2: the wrap locks every side of the race with one lock, or is not offered.</summary>
public class EXEC001LockEverySideCodeFixTests
{
    private const string Key = EXEC001UnsynchronizedCallbackAccessCodeFix.WrapInLockKey;

    [Fact]
    public async Task OtherMember_IsWrappedInTheSameNewLock()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly List<string> _names = new();

                public Registry(ThreadPoolExecutor pool) => pool.Submit(() => "a").AddDoneCallback(f => [|_names.Add(f.Result())|]);

                public void Dump()
                {
                    foreach (var name in _names) Console.WriteLine(name);
                }
            }
            """, """
            using System;
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly object _gate = new object();
                private readonly List<string> _names = new();

                public Registry(ThreadPoolExecutor pool) => pool.Submit(() => "a").AddDoneCallback(f =>
                {
                    lock (_gate)
                    {
                        _names.Add(f.Result());
                    }
                });

                public void Dump()
                {
                    lock (_gate)
                    {
                        foreach (var name in _names) Console.WriteLine(name);
                    }
                }
            }
            """, Key);
    }

    [Fact]
    public async Task OtherSideAlreadyLocked_CallbackTakesThatLock()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Cell
            {
                private readonly object _a = new();
                private int _value;

                public Cell(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => [|_value = f.Result()|]);

                public void Set(int v) { lock (_a) { _value = v; } }
            }
            """, """
            using Executor;

            class Cell
            {
                private readonly object _a = new();
                private int _value;

                public Cell(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    lock (_a)
                    {
                        _value = f.Result();
                    }
                });

                public void Set(int v) { lock (_a) { _value = v; } }
            }
            """, Key);
    }

    [Fact]
    public async Task StatementThatCompletesATaskCompletionSource_IsNotWrapped()
    {
        const string Source = """
                using System.Threading.Tasks;
                using Executor;

                class Waiter
                {
                    private int _count;
                    private readonly TaskCompletionSource<int> _tcs = new();

                    void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _tcs.TrySetResult([|_count++|]));
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task InstanceStateFromStaticMethod_NoStaticLockIsOffered()
    {
        const string Source = """
                using Executor;

                class Stats { public int Hits; }

                static class Tracker
                {
                    public static void Track(ThreadPoolExecutor pool, Stats stats) => pool.Submit(() => 1).AddDoneCallback(f => [|stats.Hits++|]);
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task TimerNameStaysUnambiguous_NoUsingIsAdded()
    {
        // Adding 'using System.Threading;' would make 'Timer' ambiguous with System.Timers.Timer.
        var test = new VerifyCS.Test
        {
            TestCode = """
                using System.Timers;

                class Poller
                {
                    private readonly Timer _timer = new Timer(100);
                    private int _ticks;

                    public Poller() => _timer.Elapsed += (s, e) => [|_ticks++|];
                }
                """,
            FixedCode = """
                using System.Timers;

                class Poller
                {
                    private readonly System.Threading.Lock _gate = new System.Threading.Lock();
                    private readonly Timer _timer = new Timer(100);
                    private int _ticks;

                    public Poller() => _timer.Elapsed += (s, e) =>
                    {
                        lock (_gate)
                        {
                            _ticks++;
                        }
                    };
                }
                """,
            CodeActionEquivalenceKey = Key,
            ReferenceAssemblies = Verifiers.TestReferences.Net90,
        };
        test.SolutionTransforms.Add((solution, projectId) =>
            solution.WithProjectParseOptions(projectId, ((Microsoft.CodeAnalysis.CSharp.CSharpParseOptions)solution.GetProject(projectId)!.ParseOptions!).WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Preview)));
        await test.RunAsync();
    }

    [Fact]
    public async Task FieldReadPassedAsArgument_IsWrapped()
    {
        // A field read used as a call argument is not a method group: the statement is wrapped like any other.
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using Executor;

            class Meter
            {
                private int _count;

                public void Hit() => _count++;

                public Meter(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine([|_count|]));
            }
            """, """
            using System;
            using Executor;

            class Meter
            {
                private readonly object _gate = new object();
                private int _count;

                public void Hit()
                {
                    lock (_gate)
                    {
                        _count++;
                    }
                }

                public Meter(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    lock (_gate)
                    {
                        Console.WriteLine(_count);
                    }
                });
            }
            """, Key);
    }

    [Fact]
    public async Task CallbackAlreadyUnderALock_OtherSideTakesIt_NoNestedLock()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Cell
            {
                private readonly object _a = new();
                private int _value;

                public Cell(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (_a) { [|_value++|]; } });

                public void Reset() { _value = 0; }
            }
            """, """
            using Executor;

            class Cell
            {
                private readonly object _a = new();
                private int _value;

                public Cell(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (_a) { _value++; } });

                public void Reset()
                {
                    lock (_a)
                    {
                        _value = 0;
                    }
                }
            }
            """, Key);
    }

    [Fact]
    public async Task SideThatOnlyTriesTheLock_IsNotMadeToBlock()
    {
        // Flush takes the lock with a timeout on purpose; a blocking lock around its other access would defeat it.
        const string Source = """
                using System.Threading;
                using Executor;

                class Buffer
                {
                    private readonly object _a = new();
                    private int _pending;

                    public Buffer(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { lock (_a) { [|_pending++|]; } });

                    public void Flush()
                    {
                        if (Monitor.TryEnter(_a, 50))
                        {
                            try { _pending = 0; } finally { Monitor.Exit(_a); }
                        }
                        else
                        {
                            _pending = -1;
                        }
                    }
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task NewLinesFollowTheFilesLineEndings()
    {
        string source = "using Executor;\n\nclass Counter\n{\n    private int _count;\n\n    void Run(ThreadPoolExecutor pool)\n    {\n        for (int i = 0; i < 2; i++) pool.Submit(() => 1).AddDoneCallback(f => [|_count++|]);\n    }\n}\n";
        var test = new VerifyCS.Test { TestCode = source, CodeActionEquivalenceKey = Key };
        test.FixedState.MarkupHandling = Microsoft.CodeAnalysis.Testing.MarkupMode.Allow;
        test.FixedCode = "using Executor;\n\nclass Counter\n{\n    private readonly object _gate = new object();\n    private int _count;\n\n    void Run(ThreadPoolExecutor pool)\n    {\n        for (int i = 0; i < 2; i++) pool.Submit(() => 1).AddDoneCallback(f =>\n        {\n            lock (_gate)\n            {\n                _count++;\n            }\n        });\n    }\n}\n";
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\nend_of_line = crlf\n"));
        await test.RunAsync();
    }

    [Fact]
    public async Task StatementCallingAnAsyncMethod_IsNotWrapped()
    {
        // The lock would cover only the synchronous start of RefreshAsync; its write after the await would run unlocked.
        const string Source = """
                using System.Threading;
                using System.Threading.Tasks;

                class Secrets
                {
                    private string _password = "";
                    private Timer? _timer;

                    public void Start() => _timer = new Timer(_ => _ = [|RefreshAsync()|], null, 1000, 1000);

                    public string Password { set { _password = value; } }

                    private async Task RefreshAsync() { await Task.Yield(); _password = "x" + Timeout.Infinite; }
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        test.ExpectedDiagnostics.Clear();
        test.TestState.MarkupHandling = Microsoft.CodeAnalysis.Testing.MarkupMode.Allow;
        await test.RunAsync();
    }

    [Fact]
    public async Task OtherSideWaitsInsideTheLockItHolds_NoFix()
    {
        // Reusing _l would make the callback wait for Stop, which holds _l while it waits for the callback.
        const string Source = """
                using System.Threading;

                class Flusher
                {
                    private readonly object _l = new();
                    private Timer? _timer;

                    public void Start() => _timer = new Timer(Tick, null, 100, 100);

                    public void Stop()
                    {
                        lock (_l)
                        {
                            var done = new ManualResetEvent(false);
                            _timer?.Dispose(done);
                            _timer = null;
                            done.WaitOne(1000);
                        }
                    }

                    private void Tick(object? state)
                    {
                        if ([|_timer|] is null) return;
                    }
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task CallbackStatementRaisingAnEventThroughAHelper_IsNotWrapped()
    {
        const string Source = """
                using System;
                using System.Threading;

                class Watch
                {
                    private int _misses;
                    private Timer? _timer;

                    public event EventHandler? Alarm;

                    public void Start() => _timer = new Timer(Tick, null, 100, 100);

                    public void Reset() => _misses = 0;

                    private void Tick(object? state)
                    {
                        if ([|_misses++|] > 3) OnAlarm();
                    }

                    private void OnAlarm() => Alarm?.Invoke(this, EventArgs.Empty);
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task CallbackAlreadyLockedAndCancels_OtherSideStillGetsTheLock()
    {
        // The callback's statement is not wrapped (it already holds _l), so its Cancel() does not block the fix.
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading;

            class Runner
            {
                private readonly object _l = new();
                private readonly CancellationTokenSource _cts = new();
                private object? _current;
                private Timer? _timer;

                public void Start() => _timer = new Timer(Tick, null, 100, 100);

                public void Close()
                {
                    _current = null;
                }

                private void Tick(object? state)
                {
                    lock (_l)
                    {
                        if (state == [|_current|]) { [|_current = state|]; _cts.Cancel(); }
                    }
                }
            }
            """, """
            using System.Threading;

            class Runner
            {
                private readonly object _l = new();
                private readonly CancellationTokenSource _cts = new();
                private object? _current;
                private Timer? _timer;

                public void Start() => _timer = new Timer(Tick, null, 100, 100);

                public void Close()
                {
                    lock (_l)
                    {
                        _current = null;
                    }
                }

                private void Tick(object? state)
                {
                    lock (_l)
                    {
                        if (state == _current) { _current = state; _cts.Cancel(); }
                    }
                }
            }
            """, Key);
    }

    [Fact]
    public async Task StatementPassingALogger_IsNotWrapped()
    {
        // A method taking an ILogger-like parameter from Microsoft.Extensions.Logging runs the logging pipeline.
        const string Source = """
                using System.Threading;

                namespace Microsoft.Extensions.Logging
                {
                    public interface ILogger { void Log(string message); }
                }

                static partial class LogMessages
                {
                    // Like a [LoggerMessage] method: the body the compiler sees is not in this file's reach.
                    public static partial void Tick(Microsoft.Extensions.Logging.ILogger logger, int n);
                }

                static partial class LogMessages
                {
                    public static partial void Tick(Microsoft.Extensions.Logging.ILogger logger, int n) { }
                }

                class Session
                {
                    private int _ticks;
                    private Microsoft.Extensions.Logging.ILogger? _logger;
                    private Timer? _timer;

                    public void Start(Microsoft.Extensions.Logging.ILogger logger) { _logger = logger; _timer = new Timer(Tick, null, 100, 100); }

                    public void Reset() => _ticks = 0;

                    private void Tick(object? state) => LogMessages.Tick(_logger!, [|_ticks++|]);
                }
                """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task SidesAlreadyUnderTheBaseClassLockFourCallsUp_AreLeftAlone()
    {
        // The write path runs under the base class's SyncRoot (four calls up, through a protected virtual call); only
        // CloseTarget, reached from Dispose without the lock, gets the lock the callback already takes.
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using System.Threading;

            public abstract class Target
            {
                protected object SyncRoot { get; } = new();

                public void WriteEvent(string e) => WriteThreadSafe(e);

                public void Close() { lock (SyncRoot) { CloseTarget(); } }

                public void Dispose() => CloseTarget();

                protected virtual void CloseTarget() { }

                protected virtual void WriteThreadSafe(string e) { lock (SyncRoot) { Write(e, 1); } }

                protected virtual void Write(string e, int count) => Write(e);

                protected virtual void Write(string e) { }
            }

            public class FileTarget : Target
            {
                private readonly Dictionary<string, int> _open = new();
                private Timer? _monitor;

                public void Start() { lock (SyncRoot) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

                protected override void Write(string e) => WriteBytes(e);

                protected override void CloseTarget()
                {
                    _open.Clear();
                }

                private void WriteBytes(string e) => OpenFile(e);

                private void OpenFile(string e) => _open[e] = 1;

                private void OnTick(object? _) { lock (SyncRoot) { foreach (var f in [|_open|]) { } } }
            }
            """, """
            using System.Collections.Generic;
            using System.Threading;

            public abstract class Target
            {
                protected object SyncRoot { get; } = new();

                public void WriteEvent(string e) => WriteThreadSafe(e);

                public void Close() { lock (SyncRoot) { CloseTarget(); } }

                public void Dispose() => CloseTarget();

                protected virtual void CloseTarget() { }

                protected virtual void WriteThreadSafe(string e) { lock (SyncRoot) { Write(e, 1); } }

                protected virtual void Write(string e, int count) => Write(e);

                protected virtual void Write(string e) { }
            }

            public class FileTarget : Target
            {
                private readonly Dictionary<string, int> _open = new();
                private Timer? _monitor;

                public void Start() { lock (SyncRoot) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

                protected override void Write(string e) => WriteBytes(e);

                protected override void CloseTarget()
                {
                    lock (SyncRoot)
                    {
                        _open.Clear();
                    }
                }

                private void WriteBytes(string e) => OpenFile(e);

                private void OpenFile(string e) => _open[e] = 1;

                private void OnTick(object? _) { lock (SyncRoot) { foreach (var f in _open) { } } }
            }
            """, Key);
    }

    [Fact]
    public async Task NextStatementsTouchingTheSameState_JoinTheLock_OthersStayOutside()
    {
        // '_open.Remove(name); if (_open.Count == 0) …': a lock that stops after Remove would leave the Count read of the
        // same dictionary outside. The statement after it touches nothing of the race and stays outside (I/O).
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using System.Threading;

            class Cache
            {
                private readonly object _gate = new();
                private readonly Dictionary<string, int> _open = new();
                private Timer? _monitor;
                private int _closed;

                public void Start() { lock (_gate) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

                public void Close(string name)
                {
                    _open.Remove(name);
                    if (_open.Count == 0)
                    {
                        _closed++;
                    }
                    System.Console.WriteLine(name);
                }

                private void OnTick(object? _) { lock (_gate) { foreach (var f in [|_open|]) { } } }
            }
            """, """
            using System.Collections.Generic;
            using System.Threading;

            class Cache
            {
                private readonly object _gate = new();
                private readonly Dictionary<string, int> _open = new();
                private Timer? _monitor;
                private int _closed;

                public void Start() { lock (_gate) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

                public void Close(string name)
                {
                    lock (_gate)
                    {
                        _open.Remove(name);
                        if (_open.Count == 0)
                        {
                            _closed++;
                        }
                    }
                    System.Console.WriteLine(name);
                }

                private void OnTick(object? _) { lock (_gate) { foreach (var f in _open) { } } }
            }
            """, Key);
    }

    [Fact]
    public async Task NextStatementTouchingTheStateButRaisingAnEvent_StaysOutsideTheLock()
    {
        // Raising an event under the lock would run subscribers' code while holding it: the run is not extended.
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using System.Threading;

            class Cache
            {
                private readonly object _gate = new();
                private readonly Dictionary<string, int> _open = new();
                private Timer? _monitor;
                public event System.Action? Closed;

                public void Start() { lock (_gate) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

                public void Close(string name)
                {
                    _open.Remove(name);
                    if (_open.Count == 0)
                    {
                        Closed?.Invoke();
                    }
                }

                private void OnTick(object? _) { lock (_gate) { foreach (var f in [|_open|]) { } } }
            }
            """, """
            using System.Collections.Generic;
            using System.Threading;

            class Cache
            {
                private readonly object _gate = new();
                private readonly Dictionary<string, int> _open = new();
                private Timer? _monitor;
                public event System.Action? Closed;

                public void Start() { lock (_gate) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

                public void Close(string name)
                {
                    lock (_gate)
                    {
                        _open.Remove(name);
                    }
                    if (_open.Count == 0)
                    {
                        Closed?.Invoke();
                    }
                }

                private void OnTick(object? _) { lock (_gate) { foreach (var f in _open) { } } }
            }
            """, Key);
    }

    [Fact]
    public async Task ReadThenClearWithACheckBetween_IsOneLockRegion()
    {
        // 'var e = _last; if (e == null) return; _last = null;': two locks would let the callback store between the
        // read and the clear (a lost exception); one region keeps the take atomic. The throw stays after the lock.
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading.Tasks;

            class Channel
            {
                private Exception? _last;

                public void Write(Task write) => write.ContinueWith(t => { [|_last = t.Exception|]; });

                public void Check()
                {
                    Exception? e = _last;
                    if (e == null)
                    {
                        return;
                    }

                    _last = null;
                    throw e;
                }
            }
            """, """
            using System;
            using System.Threading.Tasks;

            class Channel
            {
                private readonly object _gate = new object();
                private Exception? _last;

                public void Write(Task write) => write.ContinueWith(t => {
                    lock (_gate)
                    {
                        _last = t.Exception;
                    }
                });

                public void Check()
                {
                    Exception? e;
                    lock (_gate)
                    {
                        e = _last;
                        if (e == null)
                        {
                            return;
                        }

                        _last = null;
                    }
                    throw e;
                }
            }
            """, Key);
    }

    [Fact]
    public async Task CallbackAccessInsideACalleeStatementThatIsLockedAsASide_CallSiteIsNotWrappedAgain()
    {
        // The continuation's write is Record's own statement, which OnError also reaches: that statement gets the lock,
        // so the call in the continuation needs none (a second lock would only nest around the whole call).
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading.Tasks;

            class Channel
            {
                private Exception? _last;

                public void Write(Task write) => write.ContinueWith(t => [|Record(t.Exception!)|]);

                public void OnError(Exception error) => Record(error);

                public Exception? Take()
                {
                    Exception? e = _last;
                    _last = null;
                    return e;
                }

                private void Record(Exception error)
                {
                    if (_last == null)
                    {
                        _last = error;
                    }
                }
            }
            """, """
            using System;
            using System.Threading.Tasks;

            class Channel
            {
                private readonly object _gate = new object();
                private Exception? _last;

                public void Write(Task write) => write.ContinueWith(t => Record(t.Exception!));

                public void OnError(Exception error) => Record(error);

                public Exception? Take()
                {
                    Exception? e;
                    lock (_gate)
                    {
                        e = _last;
                        _last = null;
                    }
                    return e;
                }

                private void Record(Exception error)
                {
                    lock (_gate)
                    {
                        if (_last == null)
                        {
                            _last = error;
                        }
                    }
                }
            }
            """, Key);
    }

    [Fact]
    public async Task TypeThatQualifiesItsFieldsWithThis_GetsThisGate()
    {
        // The type writes 'this.names' everywhere (SA1101 style): the new lock field is written 'this.gate' too.
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly List<string> names = new();

                public Registry(ThreadPoolExecutor pool) => pool.Submit(() => "a").AddDoneCallback(f => [|this.names.Add(f.Result())|]);

                public int Count() => this.names.Count;
            }
            """, """
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly object gate = new object();
                private readonly List<string> names = new();

                public Registry(ThreadPoolExecutor pool) => pool.Submit(() => "a").AddDoneCallback(f =>
                {
                    lock (this.gate)
                    {
                        this.names.Add(f.Result());
                    }
                });

                public int Count()
                {
                    lock (this.gate)
                    {
                        return this.names.Count;
                    }
                }
            }
            """, Key);
    }

    [Fact]
    public async Task LocalFunctionAfterTheWrappedStatement_StopsTheExtension()
    {
        // Moving the local function into the lock block would take it out of scope for the statement after the block
        // (the verifier compiles the result): the lock stops before it.
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using System.Threading;

            class Cache
            {
                private readonly object _gate = new();
                private readonly Dictionary<string, int> _open = new();
                private Timer? _monitor;
                private int _closed;

                public void Start() { lock (_gate) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

                public void Close(string name)
                {
                    _open.Remove(name);
                    int Half(int n) => n / 2;
                    if (_open.Count == 0)
                    {
                        _closed = Half(2);
                    }
                    _closed += Half(4);
                }

                private void OnTick(object? _) { lock (_gate) { foreach (var f in [|_open|]) { } } }
            }
            """, """
            using System.Collections.Generic;
            using System.Threading;

            class Cache
            {
                private readonly object _gate = new();
                private readonly Dictionary<string, int> _open = new();
                private Timer? _monitor;
                private int _closed;

                public void Start() { lock (_gate) { _monitor = new Timer(OnTick, null, 1000, 1000); } }

                public void Close(string name)
                {
                    lock (_gate)
                    {
                        _open.Remove(name);
                    }
                    int Half(int n) => n / 2;
                    if (_open.Count == 0)
                    {
                        _closed = Half(2);
                    }
                    _closed += Half(4);
                }

                private void OnTick(object? _) { lock (_gate) { foreach (var f in _open) { } } }
            }
            """, Key);
    }

    [Fact]
    public async Task ParametersNamedLikeTheField_DoNotCountAsBareFieldUses()
    {
        // 'names' the parameter is not the field: the type writes its field as 'this.names' everywhere, so 'this.gate'.
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private List<string> names = new();

                public Registry(ThreadPoolExecutor pool) => pool.Submit(() => "a").AddDoneCallback(f => [|this.names.Add(f.Result())|]);

                public void Replace(List<string> names)
                {
                    System.Console.WriteLine(names.Count);
                    System.Console.WriteLine(names.Capacity);
                }

                public void Merge(List<string> names)
                {
                    System.Console.WriteLine(names.Count);
                    System.Console.WriteLine(names.Capacity);
                }

                public int Count() => this.names.Count;
            }
            """, """
            using System.Collections.Generic;
            using Executor;

            class Registry
            {
                private readonly object gate = new object();
                private List<string> names = new();

                public Registry(ThreadPoolExecutor pool) => pool.Submit(() => "a").AddDoneCallback(f =>
                {
                    lock (this.gate)
                    {
                        this.names.Add(f.Result());
                    }
                });

                public void Replace(List<string> names)
                {
                    System.Console.WriteLine(names.Count);
                    System.Console.WriteLine(names.Capacity);
                }

                public void Merge(List<string> names)
                {
                    System.Console.WriteLine(names.Count);
                    System.Console.WriteLine(names.Capacity);
                }

                public int Count()
                {
                    lock (this.gate)
                    {
                        return this.names.Count;
                    }
                }
            }
            """, Key);
    }
}
