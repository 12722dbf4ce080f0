using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify002 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// A write made before calling the private member that starts the work is published by the start only when that call
/// starts it. Behind a start-once guard (a flag, a won <c>Interlocked</c> exchange, a task field tested for null or
/// assigned with <c>??=</c>) a second call skips the start, and what its caller wrote first goes to the loop the first
/// call started: 'Send' is the other side of the loop's write (EXEC002 reports the work's side of the race).
/// </summary>
public class EXEC002StartOncePublicationTests
{
    private static string Source(string start, string send = "{|#1:_pending.Add(v)|}; EnsureStarted();", string extra = "") => $$"""
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        public sealed class Sender
        {
            private readonly List<long> _pending = new();
            private bool _started;
            private int _state;
            private Task? _loop;

            public void Send(long v) { {{send}} }

            private void EnsureStarted()
            {
                {{start}}
            }

            private void Loop()
            {
                while (true)
                {
                    {|#0:_pending.Clear()|};
                    Thread.Sleep(100);
                }
            }
            {{extra}}
        }
        """;

    private static DiagnosticResult RacesWithSend()
        => Verify002.Diagnostic().WithLocation(0).WithLocation(1)
            .WithArguments("Task.Run", "calls 'List<long>.Clear' on", "field 'Sender._pending'", "without a lock", "'Send' calls 'Add' on it without a lock");

    // ---- a start-once guard: the second call's write is not published ----------------------------------------------

    [Fact]
    public Task WriteBeforeCallingAFlagGuardedStart_Reports()
        => Verify002.VerifyAnalyzerAsync(
            Source("if (_started) return; _started = true; Task.Run(Loop);"),
            RacesWithSend());

    [Fact]
    public Task WriteBeforeCallingAnExchangeGuardedStart_Reports()
        => Verify002.VerifyAnalyzerAsync(
            Source("if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return; Task.Run(Loop);"),
            RacesWithSend());

    [Fact]
    public Task WriteBeforeCallingAStartInTheWinningBranchOfAnExchange_Reports()
        => Verify002.VerifyAnalyzerAsync(
            Source("if (Interlocked.Exchange(ref _state, 1) == 0) { Task.Run(Loop); }"),
            RacesWithSend());

    [Fact]
    public Task WriteBeforeCallingAStartThatKeepsItsTaskOnce_Reports()
        => Verify002.VerifyAnalyzerAsync(
            Source("if (_loop is not null) return; _loop = Task.Run(Loop);"),
            RacesWithSend());

    [Fact]
    public Task WriteBeforeCallingAStartThatAssignsItsTaskWithCoalescing_Reports()
        => Verify002.VerifyAnalyzerAsync(
            Source("_loop ??= Task.Run(Loop);"),
            RacesWithSend());

    // ---- the start publishes: the write comes before the only start ------------------------------------------------

    [Fact]
    public Task WriteInTheConstructorBeforeTheGuardedStart_DoesNotReport()
        => Verify002.VerifyAnalyzerAsync(
            Source(
                "if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return; Task.Run(Loop);",
                send: "Console.WriteLine(v);",
                extra: "public Sender(long v) { _pending.Add(v); EnsureStarted(); }"));

    [Fact]
    public Task WriteInAHelperTheGuardedStartCallsAfterItsGuard_DoesNotReport()
        => Verify002.VerifyAnalyzerAsync(
            Source(
                "if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return; Prime(); Task.Run(Loop);",
                send: "EnsureStarted();",
                extra: "private void Prime() => _pending.Add(0);"));
}
