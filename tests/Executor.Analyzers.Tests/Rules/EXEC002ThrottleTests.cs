using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify002 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// A time-based throttle in front of fire-and-forget work: two runs that pass the check together start the work twice,
/// which the design allows already (a run started on the previous pass may still be going). Anything else after the
/// store is still reported.
/// </summary>
public class EXEC002ThrottleTests
{
    private static string Source(string throttle) => $$"""
        using System;
        using System.Collections.Concurrent;
        using System.Threading;
        using System.Threading.Tasks;

        public sealed class Cache
        {
            private readonly ConcurrentDictionary<string, int> _items = new();
            private DateTime _lastMaintenance;
            private int _runs;

            public async Task SetAllAsync(string[] keys)
            {
                await Parallel.ForEachAsync(keys, async (key, token) =>
                {
                    _items[key] = key.Length;
                    await StartMaintenanceAsync();
                });
            }

            private async Task StartMaintenanceAsync()
            {
                await Task.Yield();
                var utcNow = DateTime.UtcNow;
                {{throttle}}
            }

            private Task MaintainAsync()
            {
                foreach (var key in _items.Keys)
                {
                    _items.TryRemove(key, out _);
                }

                return Task.CompletedTask;
            }
        }
        """;

    private static DiagnosticResult Reported()
        => Verify002.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null);

    [Fact]
    public async Task ThrottleBeforeFireAndForgetWork_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Source("""
                if (TimeSpan.FromMilliseconds(250) < utcNow - _lastMaintenance)
                {
                    _lastMaintenance = utcNow;
                    _ = Task.Run(MaintainAsync);
                }
            """));

    [Fact]
    public async Task ThrottleOnATimeProviderInstant_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Source("""
                if (TimeSpan.FromMilliseconds(250) < _clock.GetUtcNow().UtcDateTime - _lastMaintenance)
                {
                    _lastMaintenance = now;
                    _ = Task.Run(MaintainAsync);
                }
            """).Replace("var utcNow = DateTime.UtcNow;", "var now = _clock.GetUtcNow().UtcDateTime;").Replace("private int _runs;", "private int _runs;\n    private readonly TimeProvider _clock = TimeProvider.System;"));

    [Fact]
    public async Task ThrottleStoringADayOfTheInstant_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source("""
                if (TimeSpan.FromMilliseconds(250) < utcNow - _lastMaintenance)
                {
                    _lastMaintenance = utcNow.Date;
                    _ = Task.Run(MaintainAsync);
                }
            """).Replace("await StartMaintenanceAsync();", "await {|#0:StartMaintenanceAsync()|};"),
            Reported());

    [Fact]
    public async Task EarlyExitThrottleBeforeQueuedWork_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Source("""
                if (utcNow - _lastMaintenance < TimeSpan.FromSeconds(1))
                {
                    return;
                }

                _lastMaintenance = DateTime.UtcNow;
                ThreadPool.QueueUserWorkItem(_ => MaintainAsync());
            """));

    [Fact]
    public async Task ThrottleBeforeInlineWork_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source("""
                if (TimeSpan.FromMilliseconds(250) < utcNow - _lastMaintenance)
                {
                    {|#0:_lastMaintenance = utcNow|};
                    await MaintainAsync();
                }
            """).Replace("await StartMaintenanceAsync();", "await {|#0:StartMaintenanceAsync()|};").Replace("{|#0:_lastMaintenance = utcNow|}", "_lastMaintenance = utcNow"),
            Reported());

    [Fact]
    public async Task ThrottleThatAlsoChangesState_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source("""
                if (TimeSpan.FromMilliseconds(250) < utcNow - _lastMaintenance)
                {
                    _lastMaintenance = utcNow;
                    _runs = _runs + 1;
                    _ = Task.Run(MaintainAsync);
                }
            """).Replace("await StartMaintenanceAsync();", "await {|#0:StartMaintenanceAsync()|};"),
            Verify002.Diagnostic().WithLocation(0).WithArguments("Parallel.ForEachAsync", "calls 'Cache.StartMaintenanceAsync', which writes", "field 'Cache._lastMaintenance'", "without a lock", "another run of the same work can do the same ('Parallel.ForEachAsync' runs it on several threads at once)"));

    [Fact]
    public async Task ThrottleStoringAComputedTime_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source("""
                if (TimeSpan.FromMilliseconds(250) < utcNow - _lastMaintenance)
                {
                    _lastMaintenance = _lastMaintenance.AddMilliseconds(250);
                    _ = Task.Run(MaintainAsync);
                }
            """).Replace("await StartMaintenanceAsync();", "await {|#0:StartMaintenanceAsync()|};"),
            Reported());
}
