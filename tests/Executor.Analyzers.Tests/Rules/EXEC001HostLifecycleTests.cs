using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// The generic host's lifecycle order (Coravel's scheduler host, FALSE): a callback that <c>IHostedService.StartAsync</c>
/// registers on <c>IHostApplicationLifetime.ApplicationStarted</c> runs inside the host's start, before the host calls
/// the service's <c>StopAsync</c> or disposes it. Registrations made elsewhere, other tokens, other members and types
/// that are not hosted services are still reported.
/// </summary>
public class EXEC001HostLifecycleTests
{
    /// <summary>The two hosting abstractions the fact needs (the test references do not include the package).</summary>
    private const string Hosting = """

        namespace Microsoft.Extensions.Hosting
        {
            public interface IHostedService
            {
                System.Threading.Tasks.Task StartAsync(System.Threading.CancellationToken cancellationToken);

                System.Threading.Tasks.Task StopAsync(System.Threading.CancellationToken cancellationToken);
            }

            public interface IHostApplicationLifetime
            {
                System.Threading.CancellationToken ApplicationStarted { get; }

                System.Threading.CancellationToken ApplicationStopping { get; }
            }
        }
        """;

    /// <summary>Coravel's shape: START registers TOKEN's callback, which creates the timer that StopAsync and Dispose use.</summary>
    private const string SchedulerHost = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Hosting;

        internal class SchedulerHost : HOSTED IDisposable
        {
            private readonly IHostApplicationLifetime _lifetime;
            private Timer? _timer;

            public SchedulerHost(IHostApplicationLifetime lifetime) => _lifetime = lifetime;

            public Task START(CancellationToken cancellationToken)
            {
                _lifetime.TOKEN.Register(InitializeAfterAppStarted);
                return Task.CompletedTask;
            }

            private void InitializeAfterAppStarted()
            {
                {|#0:_timer = new Timer(_ => Console.WriteLine("tick"), null, TimeSpan.Zero, TimeSpan.FromSeconds(1))|};
            }

            public Task StopAsync(CancellationToken cancellationToken)
            {
                _timer?.Change(Timeout.Infinite, 0);
                return Task.CompletedTask;
            }

            OTHER

            public void Dispose() => _timer?.Dispose();
        }
        """;

    private static string Source(string hosted = "IHostedService,", string start = "StartAsync", string token = "ApplicationStarted", string other = "")
        => SchedulerHost.Replace("HOSTED", hosted).Replace("START", start).Replace("TOKEN", token).Replace("OTHER", other) + Hosting;

    private static DiagnosticResult Reported(string other)
        => VerifyCS.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations)
            .WithArguments("CancellationToken.Register", "writes", "field 'SchedulerHost._timer'", "without a lock", other);

    [Fact]
    public Task ApplicationStartedCallbackRegisteredInStartAsync_AgainstStopAsyncAndDispose_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Source().Replace("{|#0:", string.Empty).Replace("(1))|};", "(1));"));

    [Fact]
    public Task RegisteredInAnotherMethod_Reports()
        => VerifyCS.VerifyAnalyzerAsync(
            Source(start: "BeginAsync").Replace("public Task StopAsync", "public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;\n\n    public Task StopAsync"),
            Reported("'StopAsync' reads it without a lock"));

    [Fact]
    public Task RegisteredInAPublicMethodThatCanRunAgain_ReportsAnotherRun()
        => VerifyCS.VerifyAnalyzerAsync(
            Source(start: "BeginAsync")
                .Replace("_timer?.Change(Timeout.Infinite, 0);", string.Empty)
                .Replace("public void Dispose() => _timer?.Dispose();", "public void Dispose() { }")
                .Replace("public Task StopAsync", "public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;\n\n    public Task StopAsync"),
            Reported("another run of the same callback can do the same ('BeginAsync' registers it each time it runs)"));

    [Fact]
    public Task RegisteredOnApplicationStopping_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Source(token: "ApplicationStopping"), Reported("'StopAsync' reads it without a lock"));

    [Fact]
    public Task NotAHostedService_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Source(hosted: string.Empty), Reported("'StopAsync' reads it without a lock"));

    [Fact]
    public Task AnotherMemberOfTheHostedService_Reports()
        => VerifyCS.VerifyAnalyzerAsync(
            Source(other: "public void Pause() => _timer?.Change(Timeout.Infinite, 0);"),
            Reported("'Pause' reads it without a lock"));
}
