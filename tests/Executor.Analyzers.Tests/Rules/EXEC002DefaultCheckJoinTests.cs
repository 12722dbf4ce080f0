using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify002 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// A read that only decides whether to wait for the writer (<c>if (_start == 0) _ready.Task.Wait();</c>), where the
/// work signals that object after its write, is not the other side of the write: a reader that sees the default waits
/// for the value, one that sees another value has it.
/// </summary>
public class EXEC002DefaultCheckJoinTests
{
    private static string Source(string signalField, string signal, string check, string extraWork = "") => $$"""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        public sealed class Wheel
        {
            private long _start;
            private int _state;
            {{signalField}}

            public void Start()
            {
                if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
                {
                    Task.Run(Run);
                }

                {{check}}
            }

            public long Elapsed => Seed() - _start;

            private static long Seed() => DateTime.UtcNow.Ticks % 1000 + 1;

            private void Run()
            {
                {|#0:_start = Seed()|};
                {{signal}}
                {{extraWork}}
            }
        }
        """;

    private const string Tcs = "private readonly TaskCompletionSource _ready = new();";

    private const string Event = "private readonly ManualResetEventSlim _ready = new();";

    private static DiagnosticResult Reported()
        => Verify002.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null);

    [Fact]
    public async Task ReaderWaitsForTheCompletionSourceWhenItSeesZero_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Source(Tcs, "_ready.SetResult();", "if (_start == 0) _ready.Task.Wait();").Replace("public long Elapsed => Seed() - _start;", ""));

    [Fact]
    public async Task ReaderLoopsOnTheEventWhileItSeesZero_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Source(Event, "_ready.Set();", "while (_start == 0) { _ready.Wait(); }").Replace("public long Elapsed => Seed() - _start;", ""));

    [Fact]
    public async Task ReaderAwaitsTheCompletionSourceWhenItSeesDefault_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Source(Tcs, "_ready.TrySetResult();", "if (this._start == default) _ready.Task.Wait();").Replace("public long Elapsed => Seed() - _start;", ""));

    [Fact]
    public async Task SignalBeforeTheWrite_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source(Tcs, "", "if (_start == 0) _ready.Task.Wait();").Replace("{|#0:_start = Seed()|};", "_ready.SetResult(); {|#0:_start = Seed()|};").Replace("public long Elapsed => Seed() - _start;", ""),
            Reported());

    [Fact]
    public async Task WaitsOnSomethingTheWorkNeverSignals_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source(Tcs + " private readonly TaskCompletionSource _other = new();", "_ready.SetResult();", "if (_start == 0) _other.Task.Wait();").Replace("public long Elapsed => Seed() - _start;", ""),
            Reported());

    [Fact]
    public async Task ComparedWithANonDefaultValue_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source(Tcs, "_ready.SetResult();", "if (_start == 5) _ready.Task.Wait();").Replace("public long Elapsed => Seed() - _start;", ""),
            Reported());

    [Fact]
    public async Task CheckedReadButAnotherMemberReadsWithoutWaiting_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source(Tcs, "_ready.SetResult();", "if (_start == 0) _ready.Task.Wait();"),
            Reported());

    [Fact]
    public async Task BranchDoesMoreThanWait_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source(Tcs, "_ready.SetResult();", "if (_start == 0) { _ready.Task.Wait(); Console.WriteLine(_start); } else { Console.WriteLine(_start); }").Replace("public long Elapsed => Seed() - _start;", ""),
            Reported());

    // ---- start once behind an atomic state change ------------------------------------------------------------------

    private static string Starter(string start, string extra = "") => $$"""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        public sealed class Pump
        {
            private const int Idle = 0;
            private const int Running = 1;
            private int _state;
            private long _count;

            public void Start()
            {
                {{start}}
            }

            {{extra}}

            private void Run()
            {
                {|#0:_count = _count + 1|};
            }
        }
        """;

    [Fact]
    public async Task StartedInTheBranchThatWonTheCompareExchange_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Starter("if (Interlocked.CompareExchange(ref _state, Running, Idle) == Idle) { Task.Run(Run); }"));

    [Fact]
    public async Task StartedAfterReturningWhenTheExchangeLost_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Starter("if (Interlocked.Exchange(ref _state, 1) != 0) return; Task.Run(Run);"));

    [Fact]
    public async Task StateResetByStop_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Starter("if (Interlocked.CompareExchange(ref _state, Running, Idle) == Idle) { Task.Run(Run); }", "public void Stop() => _state = Idle;"),
            Verify002.Diagnostic().WithLocation(0).WithArguments("Task.Run", "writes", "field 'Pump._count'", "without a lock", "another run of the same work can do the same ('Start' registers it each time it runs)"));

    [Fact]
    public async Task StateResetByInterlocked_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Starter("if (Interlocked.CompareExchange(ref _state, 1, 0) == 0) { Task.Run(Run); }", "public void Stop() => Interlocked.Exchange(ref _state, 0);"),
            Verify002.Diagnostic().WithLocation(0).WithArguments("Task.Run", "writes", "field 'Pump._count'", "without a lock", "another run of the same work can do the same ('Start' registers it each time it runs)"));

    [Fact]
    public async Task StartedInTheBranchThatLostTheExchange_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Starter("if (Interlocked.CompareExchange(ref _state, Running, Idle) != Idle) { Task.Run(Run); }"),
            Verify002.Diagnostic().WithLocation(0).WithArguments("Task.Run", "writes", "field 'Pump._count'", "without a lock", "another run of the same work can do the same ('Start' registers it each time it runs)"));

    [Fact]
    public async Task AsyncWorkInACalleeSignalsAfterItsWrite_ReaderWaitsWhenItSeesZero_NoReport()
        => await Verify002.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            public sealed class Wheel
            {
                private long _start;
                private volatile int _state;
                private readonly TaskCompletionSource _ready = new();
                private readonly CancellationTokenSource _cts = new();

                public void Schedule() => Start();

                private void Start()
                {
                    var state = _state;
                    if (state == 0)
                    {
                        if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
                        {
                            Task.Run(() => RunAsync(_cts.Token).ConfigureAwait(false));
                        }
                    }
                    else if (state == 2)
                    {
                        throw new InvalidOperationException();
                    }

                    if (_start == 0)
                        _ready.Task.Wait();
                }

                private static long Now() => DateTime.UtcNow.Ticks % 1000;

                private async Task RunAsync(CancellationToken token)
                {
                    _start = Now();
                    if (_start == 0)
                    {
                        _start = 1;
                    }

                    _ready.SetResult();
                    await Task.Delay(10, token);
                }
            }
            """);

    private const string WheelSource = """
            using System;
            using System.Collections.Concurrent;
            using System.Threading;
            using System.Threading.Tasks;

            public abstract class SchedulerBase
            {
                public void ScheduleOnce(TimeSpan delay, Action action) => InternalScheduleOnce(delay, action);

                protected abstract void InternalScheduleOnce(TimeSpan delay, Action action);
            }

            public sealed class Wheel : SchedulerBase
            {
                private const int Init = 0;
                private const int Started = 1;
                private const int Shutdown = 2;
                private long _startTime;
                private long _tick;
                private volatile int _workerState = Init;
                private PeriodicTimer? _timer;
                private readonly TaskCompletionSource _workerInitialized = new();
                private readonly CancellationTokenSource _cts = new();
                private readonly ConcurrentQueue<long> _registrations = new();

                private void Start()
                {
                    var workerStateRead = _workerState;
                    if (workerStateRead == Started)
                    {
                    }
                    else if (workerStateRead == Init)
                    {
                        if (Interlocked.CompareExchange(ref _workerState, Started, Init) == Init)
                        {
                            _timer ??= new PeriodicTimer(TimeSpan.FromMilliseconds(10));
                            Task.Run(() => RunAsync(_cts.Token).ConfigureAwait(false));
                        }
                    }
                    else if (workerStateRead == Shutdown)
                    {
                        throw new InvalidOperationException("cannot enqueue after timer shutdown");
                    }
                    else
                    {
                        throw new InvalidOperationException($"Worker in invalid state: {workerStateRead}");
                    }

                    if(_startTime == 0)
                        _workerInitialized.Task.Wait();
                }

                private static long Now() => DateTime.UtcNow.Ticks;

                private async Task RunAsync(CancellationToken token)
                {
                    if (_timer is null)
                        throw new Exception("Scheduler has not been initialized");

                    _startTime = Now();
                    if (_startTime == 0)
                    {
                        _startTime = 1;
                    }

                    _workerInitialized.SetResult();

                    try
                    {
                        while (await _timer.WaitForNextTickAsync(token))
                        {
                            var deadline = Now() - _startTime;
                            _tick++;
                        }
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                protected override void InternalScheduleOnce(TimeSpan delay, Action action)
                {
                    Start();
                    var deadline = Now() + delay.Ticks - _startTime;
                    _registrations.Enqueue(deadline);
                }
            }
            """;

    [Fact]
    public async Task ScheduleReadsAfterCallingTheStartThatWaits_NoReport()
        => await Verify002.VerifyAnalyzerAsync(WheelSource);

    [Fact]
    public async Task StartDoesNotEndWithTheWait_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            WheelSource.Replace("if(_startTime == 0)\n            _workerInitialized.Task.Wait();\n    }", "if(_startTime == 0)\n            _workerInitialized.Task.Wait();\n        _tick = 0;\n    }")
                .Replace("Task.Run(() => RunAsync(_cts.Token).ConfigureAwait(false));", "Task.Run(() => {|#0:RunAsync(_cts.Token)|}.ConfigureAwait(false));"),
            Reported());
}
