using System.Threading.Tasks;
using Executor.Analyzers.Tests.Verifiers;
using Executor.CodeFixes;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer, Executor.CodeFixes.EXEC001UnsynchronizedCallbackAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>
/// A heartbeat flag set on every inbound frame by a receive loop and read-then-cleared by a timer (RabbitMQ.Client's
/// <c>_heartbeatDetected</c>): where the framework has <c>Interlocked.Exchange</c> for the type (.NET 9 for a
/// <c>bool</c>) the timer's read-then-clear becomes one exchange; otherwise no lock is offered, because the lock would
/// be taken on every iteration of the loop (a per-message hot path) to guard a lone constant store. A store that no
/// loop repeats still gets the lock.
/// </summary>
public class EXEC001SignalInALoopCodeFixTests
{
    private const string LockKey = EXEC001UnsynchronizedCallbackAccessCodeFix.WrapInLockKey;
    private const string InterlockedKey = EXEC001UnsynchronizedCallbackAccessCodeFix.UseInterlockedKey;

    /// <summary>The receive loop calls NOTIFY per frame; the timer reads and clears the flag.</summary>
    private const string Connection = """
        using System;
        using System.IO;
        using System.Threading;

        class Connection
        {
            private readonly Stream _stream;
            private bool _heartbeatDetected;
            private volatile bool _closed;
            private Timer? _timer;

            public Connection(Stream stream) => _stream = stream;

            public void Start() => _timer ??= new Timer(HeartbeatReadTimerCallback, null, 300, 300);

            public void ReceiveLoop()
            {
                while (!_closed)
                {
                    int frame = _stream.ReadByte();
                    NOTIFY;
                    Console.WriteLine(frame);
                }
            }

            private void NotifyHeartbeatListener()
            {
                _heartbeatDetected = true;
            }

            private void HeartbeatReadTimerCallback(object? state)
            {
                if ([|_heartbeatDetected|])
                {
                    _heartbeatDetected = false;
                    Console.WriteLine("alive");
                }
                else
                {
                    Console.WriteLine("missed");
                }
            }
        }
        """;

    private static string Source(string notify) => Connection.Replace("NOTIFY", notify);

    [Fact]
    public async Task StoreInAHelperCalledOnEveryIteration_OnNet8_NoLockOffered()
    {
        var source = Source("NotifyHeartbeatListener()");
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source, CodeActionEquivalenceKey = LockKey };
        await test.RunAsync();
    }

    [Fact]
    public async Task StoreDirectlyInTheLoop_OnNet8_NoLockOffered()
    {
        var source = Source("_heartbeatDetected = true");
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source, CodeActionEquivalenceKey = LockKey };
        await test.RunAsync();
    }

    [Fact]
    public async Task StoreInAHelperCalledOnEveryIteration_OnNet9_BecomesExchange_FirstAction()
    {
        var source = Source("NotifyHeartbeatListener()");
        var fixedSource = source
            .Replace("if ([|_heartbeatDetected|])", "if (Interlocked.Exchange(ref _heartbeatDetected, false))")
            .Replace("            _heartbeatDetected = false;\n", string.Empty);
        var test = new VerifyCS.Test
        {
            ReferenceAssemblies = TestReferences.Net90,
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionIndex = 0,
            CodeActionEquivalenceKey = InterlockedKey,
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task StoreThatNoLoopRepeats_OnNet8_GetsTheLockOnBothSides()
    {
        var source = Source("Console.WriteLine()").Replace("private void NotifyHeartbeatListener()", "public void NotifyHeartbeatListener()");
        var test = new VerifyCS.Test { TestCode = source, FixedCode = LockedOnBothSides, CodeActionEquivalenceKey = LockKey };
        await test.RunAsync();
    }

    private const string LockedOnBothSides = """
        using System;
        using System.IO;
        using System.Threading;

        class Connection
        {
            private readonly object _gate = new object();
            private readonly Stream _stream;
            private bool _heartbeatDetected;
            private volatile bool _closed;
            private Timer? _timer;

            public Connection(Stream stream) => _stream = stream;

            public void Start() => _timer ??= new Timer(HeartbeatReadTimerCallback, null, 300, 300);

            public void ReceiveLoop()
            {
                while (!_closed)
                {
                    int frame = _stream.ReadByte();
                    Console.WriteLine();
                    Console.WriteLine(frame);
                }
            }

            public void NotifyHeartbeatListener()
            {
                lock (_gate)
                {
                    _heartbeatDetected = true;
                }
            }

            private void HeartbeatReadTimerCallback(object? state)
            {
                lock (_gate)
                {
                    if (_heartbeatDetected)
                    {
                        _heartbeatDetected = false;
                        Console.WriteLine("alive");
                    }
                    else
                    {
                        Console.WriteLine("missed");
                    }
                }
            }
        }
        """;
}
