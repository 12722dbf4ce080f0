using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify001 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;
using Verify002 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// A member of a private nested type that implements an interface is reachable through that interface only if an
/// instance of the type is converted to it (or to a base type) somewhere in the type around it. When none is, its
/// callers are the visible calls, so the member is not another side of its own work.
/// </summary>
public class EXEC002NonEscapingWorkerTests
{
    private static string Timer(string baseList = " : IRunnable", string outer = "", string worker = "", string access = "private") => $$"""
        using System;
        using System.Collections.Generic;
        using System.Threading;

        namespace F3;

        public interface IRunnable { void Run(); }

        public sealed class WheelTimer
        {
            private const int Init = 0, Started = 1, Stopped = 2;
            private int _state;
            private readonly Worker _worker;
            private readonly Thread _thread;

            public WheelTimer()
            {
                _worker = new Worker(this);
                _thread = new Thread(_ => _worker.Run()) { IsBackground = true };
            }

            public void Start()
            {
                if (Interlocked.CompareExchange(ref _state, Started, Init) == Init) _thread.Start();
            }

            public void Stop() => Interlocked.Exchange(ref _state, Stopped);
            {{outer}}

            {{access}} sealed class Worker{{baseList}}
            {
                private readonly WheelTimer _owner;
                private long _tick;

                public Worker(WheelTimer owner) => _owner = owner;

                public void Run()
                {
                    while (Volatile.Read(ref _owner._state) == Started)
                    {
                        Console.WriteLine(_tick & 511);
                        Thread.Sleep(1);
                        {|#0:_tick++|};
                    }
                }
                {{worker}}
            }
        }
        """;

    private static string Unmarked(string source) => source.Replace("{|#0:_tick++|}", "_tick++");

    private static DiagnosticResult Reported()
        => Verify002.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null);

    [Fact]
    public async Task WorkerWithoutInterface_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Unmarked(Timer(baseList: "")));

    [Fact]
    public async Task WorkerImplementingAnInterfaceNeverConvertedToIt_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Unmarked(Timer()));
}
