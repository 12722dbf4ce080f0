using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// EXEC001: an other side that runs only on other objects of the state's type is not a race. Two facts: the callback
/// changes an object its owner holds in a private field nobody else sees (a member of that type is an other side only
/// when something can call it on that very object), and a factory reads a field of the object it has just created
/// (the callback can run on that object only once a registration was reached on it).
/// </summary>
public class EXEC001OwnershipAndFactoryTests
{
    private static DiagnosticResult Race(int marker, string verb, string target, string other)
        => VerifyCS.Diagnostic().WithLocation(marker).WithArguments("new Timer", verb, target, "without a lock", other).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    private const string Message = """
        public sealed class Message
        {
            public bool Failed { get; private set; }
            public void Clear() => Failed = false;
            public void Parse(byte[] data) { if (data.Length == 0) Failed = true; }
            internal bool IsPending() => !Failed;
            internal bool Validate() => IsPending();
        }

        public sealed class Session
        {
            private readonly Message _request = new();
            public void OnReceived(byte[] data) { if (_request.IsPending()) _request.Parse(data); }
        }

        """;

    private const string ClearWritesFailed = "calls 'Message.Clear', which writes";

    // ---- an object owned through a private field ------------------------------------------------------------------

    [Fact]
    public async Task OwnedMessage_OtherSideOnlyOnOtherOwnersObjects_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            """ + Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request = new();
                private Timer? _timer;
                public void Send() => _timer ??= new Timer(_ => _request.Clear(), null, 1000, Timeout.Infinite);
                public void Dispose() => _timer?.Dispose();
            }
            """);
    }

    [Fact]
    public async Task OwnedMessage_ReachedThroughTheOwnersHelpers_DoesNotReport()
    {
        // The callback reaches the Message through the owner's own methods (on 'this'), as in a timeout handler that
        // calls 'OnError' → 'Fail' → '_request.Clear()'; the owner itself only clears it.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            """ + Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request = new Message();
                private Timer? _timer;
                public void Send() => _timer ??= new Timer(OnTimeout, null, 1000, Timeout.Infinite);
                public void Reset() => _request.Clear();
                public void Dispose() => _timer?.Dispose();
                private void OnTimeout(object? state) => OnError("timeout");
                private void OnError(string error) { Console.WriteLine(error); Fail(); }
                private void Fail() => _request.Clear();
            }
            """);
    }

    [Fact]
    public async Task OwnedMessage_OwnerCallsTheOtherSideOnIt_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            """ + Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request = new();
                private Timer? _timer;
                public void Send() => _timer ??= new Timer(_ => {|#0:_request.Clear()|}, null, 1000, Timeout.Infinite);
                public bool Pending => _request.IsPending();
                public void Dispose() => _timer?.Dispose();
            }
            """,
            Race(0, ClearWritesFailed, "property 'Message.Failed'", "'IsPending' reads it without a lock"));
    }

    [Fact]
    public async Task OwnedMessage_OtherSideCalledByAMessageMemberTheOwnerCalls_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            """ + Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request = new();
                private Timer? _timer;
                public void Send() => _timer ??= new Timer(_ => {|#0:_request.Clear()|}, null, 1000, Timeout.Infinite);
                public bool Check() => _request.Validate();
                public void Dispose() => _timer?.Dispose();
            }
            """,
            Race(0, ClearWritesFailed, "property 'Message.Failed'", "'IsPending' reads it without a lock"));
    }

    [Fact]
    public async Task MessageExposedByAProperty_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            """ + Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request = new();
                private Timer? _timer;
                public Message Request => _request;
                public void Send() => _timer ??= new Timer(_ => {|#0:_request.Clear()|}, null, 1000, Timeout.Infinite);
                public void Dispose() => _timer?.Dispose();
            }
            """,
            Race(0, ClearWritesFailed, "property 'Message.Failed'", "'IsPending' reads it without a lock"));
    }

    [Fact]
    public async Task MessagePassedToAMethod_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            """ + Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request = new();
                private Timer? _timer;
                public void Send() { Log(_request); _timer ??= new Timer(_ => {|#0:_request.Clear()|}, null, 1000, Timeout.Infinite); }
                public void Dispose() => _timer?.Dispose();
                private static void Log(Message message) => Console.WriteLine(message);
            }
            """,
            Race(0, ClearWritesFailed, "property 'Message.Failed'", "'IsPending' reads it without a lock"));
    }

    [Fact]
    public async Task MessageStoredInAnotherField_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            """ + Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request = new();
                private Message? _last;
                private Timer? _timer;
                public void Send() { _last = _request; _timer ??= new Timer(_ => {|#0:_request.Clear()|}, null, 1000, Timeout.Infinite); }
                public Message? Last => _last;
                public void Dispose() => _timer?.Dispose();
            }
            """,
            Race(0, ClearWritesFailed, "property 'Message.Failed'", "'IsPending' reads it without a lock"));
    }

    [Fact]
    public async Task MessageFromAConstructorParameter_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            """ + Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request;
                private Timer? _timer;
                public Client(Message request) => _request = request;
                public void Send() => _timer ??= new Timer(_ => {|#0:_request.Clear()|}, null, 1000, Timeout.Infinite);
                public void Dispose() => _timer?.Dispose();
            }
            """,
            Race(0, ClearWritesFailed, "property 'Message.Failed'", "'IsPending' reads it without a lock"));
    }

    [Fact]
    public async Task MessageFieldNotReadonly_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            """ + Message + """
            public sealed class Client : IDisposable
            {
                private Message _request = new();
                private Timer? _timer;
                public void Send() => _timer ??= new Timer(_ => {|#0:_request.Clear()|}, null, 1000, Timeout.Infinite);
                public void Renew() => _request = new Message();
                public void Dispose() => _timer?.Dispose();
            }
            """,
            Race(0, ClearWritesFailed, "property 'Message.Failed'", "'IsPending' reads it without a lock"));
    }

    [Fact]
    public async Task OwnedMessage_OwnerCallsTheOtherSideThroughConditionalAccess_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            """ + Message + """
            public sealed class Client : IDisposable
            {
                private readonly Message _request = new();
                private Timer? _timer;
                public void Send() => _timer ??= new Timer(_ => {|#0:_request.Clear()|}, null, 1000, Timeout.Infinite);
                public bool Pending => _request?.IsPending() ?? false;
                public void Dispose() => _timer?.Dispose();
            }
            """,
            Race(0, ClearWritesFailed, "property 'Message.Failed'", "'IsPending' reads it without a lock"));
    }

    [Fact]
    public async Task OwnedMessageThatHandsItselfOut_Reports()
    {
        // 'Attach' gives the Message to a registry: from there anyone may call 'IsPending' on it.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using System.Threading;

            public sealed class Message
            {
                public bool Failed { get; private set; }
                public void Clear() => Failed = false;
                public void Parse(byte[] data) { if (data.Length == 0) Failed = true; }
                public void Attach(List<Message> registry) => registry.Add(this);
                internal bool IsPending() => !Failed;
            }

            public sealed class Client : IDisposable
            {
                public static readonly List<Message> Registry = new();
                private readonly Message _request = new();
                private Timer? _timer;
                public Client() => _request.Attach(Registry);
                public void Send() => _timer ??= new Timer(_ => {|#0:_request.Clear()|}, null, 1000, Timeout.Infinite);
                public void Dispose() => _timer?.Dispose();
            }

            public static class Monitor
            {
                public static int Pending() { int n = 0; foreach (var m in Client.Registry) if (m.IsPending()) n++; return n; }
            }
            """,
            Race(0, ClearWritesFailed, "property 'Message.Failed'", "'IsPending' reads it without a lock"));
    }

    [Fact]
    public async Task OwnedFieldHoldingADerivedObject_Reports()
    {
        // The field is a Message, the object a SpecialMessage whose 'Clear' override calls 'IsPending' on it.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            public class Message
            {
                public bool Failed { get; private set; }
                public virtual void Clear() => Failed = false;
                public void Parse(byte[] data) { if (data.Length == 0) Failed = true; }
                internal bool IsPending() => !Failed;
            }

            public sealed class SpecialMessage : Message
            {
                public override void Clear() { if (IsPending()) base.Clear(); }
            }

            public sealed class Client : IDisposable
            {
                private readonly Message _request = new SpecialMessage();
                private Timer? _timer;
                public void Send() => _timer ??= new Timer(_ => {|#0:_request.Clear()|}, null, 1000, Timeout.Infinite);
                public void Dispose() => _timer?.Dispose();
            }
            """,
            Race(0, ClearWritesFailed, "property 'Message.Failed'", "'IsPending' reads it without a lock"));
    }

    // ---- a factory reading the object it has just created ---------------------------------------------------------

    [Fact]
    public async Task FactoryReadsFieldOfItsNewObjectBeforeAnyRegistration_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class GMux
            {
                private string? _failure;
                private Timer? _t;
                public static GMux Connect() { var m = new GMux(); if (!m.Reconfigure()) throw new InvalidOperationException(m._failure); return m; }
                private bool Reconfigure() { _failure = Environment.TickCount > 0 ? "failed" : null; return Environment.TickCount > 0; }
                public void OnConnectionFailed() => _t ??= new Timer(_ => Reconfigure(), null, 1000, Timeout.Infinite);
            }
            """);
    }

    [Fact]
    public async Task FactoryRegistersOnItsNewObjectOnlyAfterTheRead_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class GMux
            {
                private string? _failure;
                private Timer? _t;
                public static GMux Connect() { var m = new GMux(); if (!m.Reconfigure()) throw new InvalidOperationException(m._failure); m.OnConnectionFailed(); return m; }
                private bool Reconfigure() { _failure = Environment.TickCount > 0 ? "failed" : null; return Environment.TickCount > 0; }
                public void OnConnectionFailed() => _t ??= new Timer(_ => Reconfigure(), null, 1000, Timeout.Infinite);
            }
            """);
    }

    [Fact]
    public async Task FactoryRegistersInALoopAroundTheRead_Reports()
    {
        // The registration is after the read in the text, but the loop runs the read again once it has registered.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class GMux
            {
                private string? _failure;
                private Timer? _t;
                public static GMux Connect()
                {
                    var m = new GMux();
                    for (int i = 0; i < 3; i++)
                    {
                        if (m.Reconfigure()) return m;
                        Console.WriteLine({|#1:m._failure|});
                        m.OnConnectionFailed();
                    }

                    return m;
                }

                private bool Reconfigure() { _failure = Environment.TickCount > 0 ? "failed" : null; return Environment.TickCount > 0; }
                public void OnConnectionFailed() => _t ??= new Timer(_ => {|#0:Reconfigure()|}, null, 1000, Timeout.Infinite);
            }
            """,
            Race(0, "calls 'GMux.Reconfigure', which writes", "field 'GMux._failure'", "'Connect' reads it without a lock"));
    }

    [Fact]
    public async Task FactoryRegistersOnItsNewObjectBeforeTheRead_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class GMux
            {
                private string? _failure;
                private Timer? _t;
                public static GMux Connect() { var m = new GMux(); m.Start(); if (!m.Reconfigure()) throw new InvalidOperationException({|#1:m._failure|}); return m; }
                private bool Reconfigure() { _failure = Environment.TickCount > 0 ? "failed" : null; return Environment.TickCount > 0; }
                private void Start() => OnConnectionFailed();
                public void OnConnectionFailed() => _t ??= new Timer(_ => {|#0:Reconfigure()|}, null, 1000, Timeout.Infinite);
            }
            """,
            Race(0, "calls 'GMux.Reconfigure', which writes", "field 'GMux._failure'", "'Connect' reads it without a lock"));
    }

    [Fact]
    public async Task FactoryWritesWithAValueFromACallThatRegisters_Reports()
    {
        // 'm.Arm()' runs before the store it feeds, though it comes later in the text.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class GMux
            {
                private string? _failure;
                private Timer? _t;
                public static GMux Connect() { var m = new GMux(); {|#1:m._failure|} = m.Arm(); return m; }
                private string Arm() { OnConnectionFailed(); return "armed"; }
                private void Reconfigure() => _failure = Environment.TickCount > 0 ? "failed" : null;
                public void OnConnectionFailed() => _t ??= new Timer(_ => {|#0:Reconfigure()|}, null, 1000, Timeout.Infinite);
            }
            """,
            Race(0, "calls 'GMux.Reconfigure', which writes", "field 'GMux._failure'", "'Connect' writes it without a lock"));
    }

    [Fact]
    public async Task FactoryConstructorRegisters_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class GMux
            {
                private string? _failure;
                private readonly Timer _t;
                private GMux() => _t = new Timer(_ => {|#0:Reconfigure()|}, null, 1000, Timeout.Infinite);
                public static GMux Connect() { var m = new GMux(); if (!m.Reconfigure()) throw new InvalidOperationException({|#1:m._failure|}); return m; }
                private bool Reconfigure() { _failure = Environment.TickCount > 0 ? "failed" : null; return Environment.TickCount > 0; }
            }
            """,
            Race(0, "calls 'GMux.Reconfigure', which writes", "field 'GMux._failure'", "'Connect' reads it without a lock"));
    }

    [Fact]
    public async Task FactoryHandsOutItsNewObjectBeforeTheRead_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class GMux
            {
                public static GMux? Last;
                private string? _failure;
                private Timer? _t;
                public static GMux Connect() { var m = new GMux(); Last = m; if (!m.Reconfigure()) throw new InvalidOperationException({|#1:m._failure|}); return m; }
                private bool Reconfigure() { _failure = Environment.TickCount > 0 ? "failed" : null; return Environment.TickCount > 0; }
                public void OnConnectionFailed() => _t ??= new Timer(_ => {|#0:Reconfigure()|}, null, 1000, Timeout.Infinite);
            }
            """,
            Race(0, "calls 'GMux.Reconfigure', which writes", "field 'GMux._failure'", "'Connect' reads it without a lock"));
    }

    [Fact]
    public async Task FactoryObjectWhoseConstructorHandsOutThis_Reports()
    {
        // The constructor publishes the object: 'FailAll' can register the timer on it before 'Connect' reads.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Concurrent;
            using System.Threading;

            sealed class GMux
            {
                private static readonly ConcurrentBag<GMux> s_all = new();
                private string? _failure;
                private Timer? _t;
                private GMux() => s_all.Add(this);
                public static GMux Connect() { var m = new GMux(); if (!m.Reconfigure()) throw new InvalidOperationException({|#1:m._failure|}); return m; }
                public static void FailAll() { foreach (var m in s_all) m.OnConnectionFailed(); }
                private bool Reconfigure() { _failure = Environment.TickCount > 0 ? "failed" : null; return Environment.TickCount > 0; }
                public void OnConnectionFailed() => _t ??= new Timer(_ => {|#0:Reconfigure()|}, null, 1000, Timeout.Infinite);
            }
            """,
            Race(0, "calls 'GMux.Reconfigure', which writes", "field 'GMux._failure'", "'Connect' reads it without a lock"));
    }

    [Fact]
    public async Task StaticMethodReadsFieldOfAnObjectItWasGiven_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;

            sealed class GMux
            {
                private string? _failure;
                private Timer? _t;
                public static string? Describe(GMux m) => {|#1:m._failure|};
                private bool Reconfigure() { _failure = Environment.TickCount > 0 ? "failed" : null; return Environment.TickCount > 0; }
                public void OnConnectionFailed() => _t ??= new Timer(_ => {|#0:Reconfigure()|}, null, 1000, Timeout.Infinite);
            }
            """,
            Race(0, "calls 'GMux.Reconfigure', which writes", "field 'GMux._failure'", "'Describe' reads it without a lock"));
    }

    // ---- the same fact for work (EXEC002 shares the model) --------------------------------------------------------

    private const string OwnedStats = """
        using System.Threading;
        using System.Threading.Tasks;

        public sealed class Stats
        {
            private long _received;
            public long Received { get => _received; set => _received = value; }
            internal void OnMessage() => _received = Interlocked.Increment(ref _received);
        }

        public sealed class Server
        {
            private readonly Stats _stats = new();
            EXPOSE
            public void Accept(int clients) { for (int i = 0; i < clients; i++) Task.Run(() => {|#0:Receive()|}); }
            private void Receive() => _stats.OnMessage();
        }
        """;

    private static DiagnosticResult WorkRace(string other)
        => Verifiers.CSharpAnalyzerVerifier<EXEC002UnsynchronizedWorkAccessAnalyzer>.Diagnostic().WithLocation(0)
            .WithArguments("Task.Run", "calls 'Server.Receive', which calls 'Stats.OnMessage', which writes", "field 'Stats._received'", "without a lock", other)
            .WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    [Fact]
    public Task Work_OwnedStatsNobodyElseReaches_NamesOnlyTheWorksOtherRuns()
        => Verifiers.CSharpAnalyzerVerifier<EXEC002UnsynchronizedWorkAccessAnalyzer>.VerifyAnalyzerAsync(
            OwnedStats.Replace("EXPOSE", string.Empty),
            WorkRace("another run of the same work can do the same (it is registered in a loop)"));

    [Fact]
    public Task Work_StatsHandedOut_NamesItsPublicSetter()
        => Verifiers.CSharpAnalyzerVerifier<EXEC002UnsynchronizedWorkAccessAnalyzer>.VerifyAnalyzerAsync(
            OwnedStats.Replace("EXPOSE", "public Stats Statistics => _stats;"),
            WorkRace("'Received' writes it without a lock"));
}
