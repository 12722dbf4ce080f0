using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static Executor.Analyzers.Tests.Rules.EXEC001CallbackSourcesTests;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// EXEC001: a call through <c>?.</c> (<c>_tally?.Add()</c>, <c>this.Helper?.Run()</c>) is followed exactly like the
/// plain call (<c>_tally.Add()</c>): into the callee, on the object the <c>?.</c> tests (shared, or one the callback
/// created), and through the owned-object fact. It is reported at the whole access.
/// </summary>
public class EXEC001ConditionalCallTests
{
    private const string Api = "Future<int>.AddDoneCallback";

    private const string Tally = """
        using Executor;

        class Tally
        {
            private int _n;
            public void Add() => _n++;
        }

        """;

    private static DiagnosticResult Race(int marker, string verb, string target, string other)
        => VerifyCS.Diagnostic().WithLocation(marker).WithArguments("new Timer", verb, target, "without a lock", other).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    // ---- followed into the callee ----------------------------------------------------------------------------------

    [Fact]
    public Task ConditionalCallOnSharedFieldObject_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Tally + """
            class Worker
            {
                private Tally? _tally = new Tally();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:_tally?.Add()|});
            }
            """,
            Diag(0, Api, "calls 'Tally.Add', which increments", "field 'Tally._n'"));

    [Fact]
    public Task ConditionalCallOnThisQualifiedProperty_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Tally + """
            class Worker
            {
                public Tally? Helper { get; } = new Tally();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:this.Helper?.Add()|});
            }
            """,
            Diag(0, Api, "calls 'Tally.Add', which increments", "field 'Tally._n'"));

    [Fact]
    public Task ConditionalCallChain_NamesEveryCall()
        => VerifyCS.VerifyAnalyzerAsync(Tally + """
            class Server
            {
                private readonly Tally? _tally = new Tally();

                public void Receive() => _tally?.Add();
            }

            class Worker
            {
                private Server? _server = new Server();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:_server?.Receive()|});
            }
            """,
            Diag(0, Api, "calls 'Server.Receive', which calls 'Tally.Add', which increments", "field 'Tally._n'"));

    [Fact]
    public Task NestedConditionalCall_RunsOnTheSharedObjectsMember_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Tally + """
            class Server
            {
                public Tally? Stats { get; } = new Tally();
            }

            class Worker
            {
                private Server? _server = new Server();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:_server?.Stats?.Add()|});
            }
            """,
            Diag(0, Api, "calls 'Tally.Add', which increments", "field 'Tally._n'"));

    [Fact]
    public Task ConditionalCollectionCallOnSharedField_Reports()
        => VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            class Worker
            {
                private List<int>? _results = new List<int>();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:_results?.Add(f.Result())|});
            }
            """,
            Diag(0, Api, "calls 'List<int>.Add' on", "field 'Worker._results'"));

    // ---- the same facts that keep the plain call silent -----------------------------------------------------------

    [Fact]
    public Task ConditionalCallUnderTheCommonLock_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Tally
            {
                private readonly object _gate = new object();
                private int _n;
                public void Add() { lock (_gate) { _n++; } }
                public void Reset() { lock (_gate) { _n = 0; } }
            }

            class Worker
            {
                private Tally? _tally = new Tally();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _tally?.Add());
                public void Reset() => _tally?.Reset();
            }
            """);

    [Fact]
    public Task ConditionalCallUnderLockInCallback_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private Counter? _next;
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    lock (_gate) { _next?.Bump(); }
                });

                private void Bump() => _count++;
            }
            """);

    [Fact]
    public Task ConditionalCallOnObjectCreatedInCallback_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Tally + """
            class Worker
            {
                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    Tally? tally = f.Result() > 0 ? new Tally() : null;
                    tally?.Add();
                });
            }
            """);

    [Fact]
    public Task ConditionalCollectionCallUnderTheCommonLock_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            class Worker
            {
                private readonly object _gate = new object();
                private List<int>? _results = new List<int>();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    lock (_gate) { _results?.Add(f.Result()); }
                });

                public int Count { get { lock (_gate) { return _results?.Count ?? 0; } } }
            }
            """);

    // ---- an object owned through a private field (EXEC001OwnershipAndFactoryTests, through '?.') ------------------

    private const string Message = """
        using System;
        using System.Threading;

        public sealed class Message
        {
            public bool Failed { get; private set; }
            public void Clear() => Failed = false;
            public void Parse(byte[] data) { if (data.Length == 0) Failed = true; }
            internal bool IsPending() => !Failed;
        }

        public sealed class Session
        {
            private readonly Message _request = new();
            public void OnReceived(byte[] data) { if (_request.IsPending()) _request.Parse(data); }
        }

        """;

    [Fact]
    public Task OwnedMessage_ClearedThroughConditional_OtherSideOnlyOnOtherOwnersObjects_DoesNotReport()
        => VerifyCS.VerifyAnalyzerAsync(Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request = new();
                private Timer? _timer;
                public void Send() => _timer ??= new Timer(_ => _request?.Clear(), null, 1000, Timeout.Infinite);
                public void Dispose() => _timer?.Dispose();
            }
            """);

    [Fact]
    public Task OwnedMessage_ClearedThroughConditional_OwnerCallsTheOtherSideOnIt_Reports()
        => VerifyCS.VerifyAnalyzerAsync(Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request = new();
                private Timer? _timer;
                public void Send() => _timer ??= new Timer(_ => {|#0:_request?.Clear()|}, null, 1000, Timeout.Infinite);
                public bool Pending => _request?.IsPending() ?? false;
                public void Dispose() => _timer?.Dispose();
            }
            """,
            Race(0, "calls 'Message.Clear', which writes", "property 'Message.Failed'", "'IsPending' reads it without a lock"));
}
