using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// A delegate hook raised through one copy (<c>_log?.Invoke(m)</c>, <c>var h = _log; h?.Invoke(m)</c>) against lone
/// reference stores that replace it (<c>_log = log</c>): the reader invokes the old or the new delegate, both complete
/// objects, so the pair is not reported (StackExchange.Redis's debug <c>_log</c>, BENIGN). A check-then-invoke that reads
/// twice, a combining store (<c>+=</c>), a store that reads first and a hook that is not a delegate stay reported.
/// </summary>
public class EXEC001DelegateHookTests
{
    /// <summary>A debug log hook: SET replaces it, each message is raised on the thread pool by RAISE.</summary>
    private const string Hook = """
        using System;
        using System.Threading;

        public class Writer
        {
            private Action<string>? _log;

            public void SetLog(Action<string> log)
            {
                SET;
            }

            protected void OnLog(string message)
            {
                ThreadPool.QueueUserWorkItem(_ => RAISE);
            }
        }
        """;

    private static string Source(string set, string raise) => Hook.Replace("SET", set).Replace("RAISE", raise);

    private static DiagnosticResult Reported(int marker)
        => VerifyCS.Diagnostic().WithLocation(marker).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null);

    [Fact]
    public Task RaisedThroughConditionalInvoke_AgainstALoneStore_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Source("_log = log", "_log?.Invoke(message)"));

    [Fact]
    public Task RaisedThroughThisQualifiedConditionalInvoke_AgainstALoneStore_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Source("this._log = log", "this._log?.Invoke(message)"));

    [Fact]
    public Task RaisedThroughALocalCopy_AgainstALoneStore_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Hook
            .Replace("SET", "_log = log")
            .Replace("ThreadPool.QueueUserWorkItem(_ => RAISE);", """
                ThreadPool.QueueUserWorkItem(_ =>
                        {
                            var handler = _log;
                            if (handler != null)
                            {
                                handler(message);
                            }
                        });
                """));

    /// <summary>A timer callback replaces the hook with a fallback while TOUCH raises it.</summary>
    private const string Replaced = """
        using System;
        using System.Threading;

        public sealed class Notifier : IDisposable
        {
            private readonly Timer _timer;
            private Action? _changed;

            public Notifier(Action changed)
            {
                _changed = changed;
                _timer = new Timer(_ => {|#0:_changed = Fallback|}, null, 1000, Timeout.Infinite);
            }

            public void Touch() { TOUCH; }

            private static void Fallback() { }

            public void Dispose() => _timer.Dispose();
        }
        """;

    [Fact]
    public Task CallbackReplacesTheHook_AgainstAMemberRaisingItThroughOneRead_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Replaced.Replace("{|#0:_changed = Fallback|}", "_changed = Fallback").Replace("TOUCH", "_changed?.Invoke()"));

    [Fact]
    public Task CallbackReplacesTheHook_AgainstAMemberThatChecksThenInvokes_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Replaced.Replace("TOUCH", "if (_changed != null) _changed()"), Reported(0));

    [Fact]
    public Task CheckThenInvokeThatReadsTwice_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Hook
            .Replace("SET", "_log = log")
            .Replace("ThreadPool.QueueUserWorkItem(_ => RAISE);", """
                ThreadPool.QueueUserWorkItem(_ =>
                        {
                            if ({|#0:_log|} != null)
                            {
                                _log(message);
                            }
                        });
                """),
            Reported(0));

    [Fact]
    public Task CombiningStore_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Source("_log += log", "{|#0:_log|}?.Invoke(message)"), Reported(0));

    [Fact]
    public Task StoreThatReadsTheHookFirst_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Source("_log = _log is null ? log : (Action<string>)Delegate.Combine(_log, log)", "{|#0:_log|}?.Invoke(message)"), Reported(0));

    [Fact]
    public Task LocalCopyThatIsReassigned_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Hook
            .Replace("SET", "_log = log")
            .Replace("ThreadPool.QueueUserWorkItem(_ => RAISE);", """
                ThreadPool.QueueUserWorkItem(_ =>
                        {
                            var handler = {|#0:_log|};
                            handler?.Invoke(message);
                            handler = {|#1:_log|};
                            handler?.Invoke(message);
                        });
                """),
            Reported(0),
            Reported(1));

    [Fact]
    public Task MutableObjectInsteadOfADelegate_Reports()
        => VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using System.Threading;

            public class Writer
            {
                private List<string>? _log;

                public void SetLog(List<string> log)
                {
                    _log = log;
                }

                protected void OnLog(string message)
                {
                    ThreadPool.QueueUserWorkItem(_ => {|#0:_log?.Add(message)|});
                }
            }
            """,
            Reported(0));
}
