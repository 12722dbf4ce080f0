using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// "Registration publishes" one call up ("Tune sets the heartbeat, then calls StartTimers") holds only when the call
/// registers. Behind a start-once guard in the registering member (a flag it sets, an <c>Interlocked</c> exchange it
/// must win) a second call skips the registration, and the write its caller made first races with the callback the
/// first call registered. An unguarded start, a guard about something else, a write in the constructor and a write the
/// guarded member makes after its guard stay published.
/// </summary>
public class EXEC001StartOncePublicationTests
{
    private static string Source(string start, string tune = "{|#1:_heartbeat = heartbeat|}; StartTimers();", string extra = "") => $$"""
        using System;
        using System.Threading;

        public sealed class Conn : IDisposable
        {
            private TimeSpan _heartbeat;
            private Timer? _timer;
            private bool _started;
            private bool _disposed;
            private int _state;

            public void Tune(TimeSpan heartbeat) { {{tune}} }

            private void StartTimers()
            {
                {{start}}
            }

            private void Tick(object? _) { Console.WriteLine({|#0:_heartbeat|}); _timer!.Change(300, Timeout.Infinite); }

            public void Dispose() { _disposed = true; _timer?.Dispose(); }
            {{extra}}
        }
        """;

    private const string Register = "_timer = new Timer(Tick, null, 300, Timeout.Infinite);";

    private static DiagnosticResult RacesWithTune()
        => VerifyCS.Diagnostic().WithLocation(0).WithLocation(1)
            .WithArguments("new Timer", "reads", "field 'Conn._heartbeat'", "without a lock", "'Tune' writes it without a lock");

    // ---- a start-once guard: the second call's write is not published ----------------------------------------------

    [Fact]
    public Task WriteBeforeCallingAFlagGuardedStart_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Source("if (_started) return; _started = true; " + Register), RacesWithTune());

    [Fact]
    public Task WriteBeforeCallingAStartInsideANegatedFlagTest_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Source("if (!_started) { _started = true; " + Register + " }"), RacesWithTune());

    [Fact]
    public Task WriteBeforeCallingAnExchangeGuardedStart_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Source("if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return; " + Register), RacesWithTune());

    [Fact]
    public Task WriteBeforeCallingAStartThatAStopCanReset_StillReports()
        => VerifyCS.VerifyAnalyzerAsync(
            Source("if (Interlocked.Exchange(ref _state, 1) != 0) return; " + Register, extra: "public void Stop() => Interlocked.Exchange(ref _state, 0);"),
            RacesWithTune());

    // ---- the registration publishes --------------------------------------------------------------------------------

    [Fact]
    public Task WriteBeforeCallingAnUnguardedStart_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Source(Register, tune: "_heartbeat = heartbeat; StartTimers();"));

    [Fact]
    public Task WriteBeforeCallingAStartGuardedByAFlagItDoesNotSet_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Source("if (_disposed) return; " + Register, tune: "_heartbeat = heartbeat; StartTimers();"));

    [Fact]
    public Task WriteInTheConstructorBeforeTheGuardedStart_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Source(
            "if (_started) return; _started = true; " + Register,
            tune: "Console.WriteLine(heartbeat);",
            extra: "public Conn(TimeSpan heartbeat) { _heartbeat = heartbeat; StartTimers(); }"));

    [Fact]
    public Task WriteInAHelperTheGuardedStartCallsAfterItsGuard_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Source(
            "if (_started) return; _started = true; Apply(); " + Register,
            tune: "StartTimers();",
            extra: "private void Apply() => _heartbeat = TimeSpan.FromSeconds(30);"));
}
