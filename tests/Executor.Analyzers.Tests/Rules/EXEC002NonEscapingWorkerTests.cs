using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify001 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;
using Verify002 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// A member of a private nested type that implements an interface is reachable through that interface only if an
/// instance of the type is converted to it (or to a base type) somewhere in the type around it. When none is, its
/// callers are the visible calls, so the member is not another side of its own work (EXEC002) or callback (EXEC001).
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
                _thread = new Thread(_ => {|#0:_worker.Run()|}) { IsBackground = true };
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
                        _tick++;
                    }
                }
                {{worker}}
            }
        }
        """;

    private static string Unmarked(string source) => source.Replace("{|#0:_worker.Run()|}", "_worker.Run()");

    private static DiagnosticResult Reported()
        => Verify002.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null);

    [Fact]
    public async Task WorkerWithoutInterface_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Unmarked(Timer(baseList: "")));

    [Fact]
    public async Task WorkerImplementingAnInterfaceNeverConvertedToIt_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Unmarked(Timer()));

    [Fact]
    public async Task WorkerComparedWithNullAndKeptInAListOfItsOwnType_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Unmarked(Timer(outer: """
            private readonly List<Worker> _workers = new();
            public bool HasWorker => _worker != null && _workers.Count == 0;
            private void Keep() => _workers.Add(_worker);
            private int Live() { int n = 0; foreach (var w in _workers) if (w is not null && w != _worker) n++; return n; }
            """)));

    [Fact]
    public async Task WorkerAssignedToAnInterfaceVariable_Reports()
        => await Verify002.VerifyAnalyzerAsync(Timer(outer: "public IRunnable Runnable { get { IRunnable r = _worker; return r; } }"), Reported());

    [Fact]
    public async Task WorkerPassedAsAnInterfaceArgument_Reports()
        => await Verify002.VerifyAnalyzerAsync(Timer(outer: "public void Schedule(Action<IRunnable> sink) => sink(_worker);"), Reported());

    [Fact]
    public async Task WorkerPassingItselfOutAsTheInterface_Reports()
        => await Verify002.VerifyAnalyzerAsync(Timer(worker: "public void Register(List<IRunnable> all) => all.Add(this);"), Reported());

    [Fact]
    public async Task WorkerStoredInAListOfTheInterface_Reports()
        => await Verify002.VerifyAnalyzerAsync(Timer(outer: """
            private readonly List<IRunnable> _all = new();
            public IReadOnlyList<IRunnable> All { get { if (_all.Count == 0) _all.Add(_worker); return _all; } }
            """), Reported());

    [Fact]
    public async Task WorkerReturnedAsObject_Reports()
        => await Verify002.VerifyAnalyzerAsync(Timer(outer: "public object Current => _worker;"), Reported());

    [Fact]
    public async Task WorkerPassedToASourceGenericConstrainedToTheInterface_Reports()
        => await Verify002.VerifyAnalyzerAsync(Timer(outer: """
            public void RunAll() => RunIt(_worker);
            private static void RunIt<T>(T item) where T : IRunnable => item.Run();
            """), Reported());

    [Fact]
    public async Task WorkerMatchedAsTheInterfaceByAPattern_Reports()
        => await Verify002.VerifyAnalyzerAsync(Timer(outer: """
            private readonly List<IRunnable> _all = new();
            public void Keep() { if (_worker is IRunnable r) _all.Add(r); }
            public void RunAll() { foreach (var r in _all) r.Run(); }
            """), Reported());

    [Fact]
    public async Task WorkersEnumeratedAsTheInterface_Reports()
        => await Verify002.VerifyAnalyzerAsync(Timer(outer: """
            private readonly List<Worker> _workers = new();
            public void RunAll() { foreach (IRunnable r in _workers) r.Run(); }
            """), Reported());

    [Fact]
    public async Task WorkerNamedByTypeofInAnAttribute_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Timer(outer: "[Job(typeof(Worker))] public void Schedule() { }") + "\n[AttributeUsage(AttributeTargets.All)] public sealed class JobAttribute(Type type) : Attribute { public Type Type { get; } = type; }",
            Reported());

    [Fact]
    public async Task WorkerAlsoRunFromAPublicMethod_Reports()
        => await Verify002.VerifyAnalyzerAsync(Timer(outer: "public void RunInline() => _worker.Run();"), Reported());

    [Fact]
    public async Task InternalNestedWorker_Reports()
        => await Verify002.VerifyAnalyzerAsync(Timer(access: "internal"), Reported());

    private static string Callback(string baseList = " : IRunnable", string outer = "") => $$"""
        using System;
        using System.Threading.Tasks;

        public interface IRunnable { void Run(); }

        public sealed class Poller
        {
            private readonly Worker _worker = new();

            public Poller(Task ready) => ready.ContinueWith(_ => {|#0:_worker.Run()|});
            {{outer}}

            private sealed class Worker{{baseList}}
            {
                private int _runs;

                public void Run()
                {
                    Console.WriteLine(_runs);
                    _runs++;
                }
            }
        }
        """;

    [Fact]
    public async Task CallbackRunsWorkerWithoutInterface_NoReport()
        => await Verify001.VerifyAnalyzerAsync(Callback(baseList: "").Replace("{|#0:_worker.Run()|}", "_worker.Run()"));

    [Fact]
    public async Task CallbackRunsWorkerImplementingAnInterfaceNeverConvertedToIt_NoReport()
        => await Verify001.VerifyAnalyzerAsync(Callback().Replace("{|#0:_worker.Run()|}", "_worker.Run()"));

    [Fact]
    public async Task CallbackRunsWorkerThatIsHandedOutAsTheInterface_Reports()
        => await Verify001.VerifyAnalyzerAsync(Callback(outer: "public IRunnable Runnable => _worker;"),
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));
}
