using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>The facts EXEC001 hands to code fixes through <see cref="Diagnostic.Properties"/>.</summary>
public class EXEC001PropertiesTests
{
    internal static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source)
    {
        var compilation = CSharpCompilation.Create(
            "PropertiesTest",
            new[] { CSharpSyntaxTree.ParseText(source, path: "Test0.cs") },
            Executor.Analyzers.Tests.Verifiers.TestReferences.FrameworkAndRuntime,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostics = await compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new EXEC001UnsynchronizedCallbackAccessAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    [Fact]
    public async Task FieldGuardedElsewhere_CarriesGuardingLockAndKinds()
    {
        var diagnostics = await AnalyzeAsync("""
            using Executor;

            class Counter
            {
                private readonly object _sync = new object();
                private readonly object _other = new object();
                private int _count;

                public void Reset() { lock (_sync) { _count = 0; } }
                public int Read() { lock (_sync) { return _count; } }
                public void Touch() { lock (_other) { _count = 1; } }

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _count++);
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("EXEC001", diagnostic.Id);
        Assert.Equal(AccessKinds.Increment, diagnostic.Properties[CallbackDiagnosticProperties.AccessKind]);
        Assert.Equal("_count", diagnostic.Properties[CallbackDiagnosticProperties.SymbolName]);
        Assert.Equal("Field", diagnostic.Properties[CallbackDiagnosticProperties.SymbolKind]);
        Assert.Equal("false", diagnostic.Properties[CallbackDiagnosticProperties.IsStatic]);
        Assert.Equal("Int32", diagnostic.Properties[CallbackDiagnosticProperties.ValueType]);
        Assert.Equal("_sync", diagnostic.Properties[CallbackDiagnosticProperties.GuardingLock]);
    }

    [Fact]
    public async Task UnguardedStatic_HasNoGuardingLock_AndIsStatic()
    {
        var diagnostics = await AnalyzeAsync("""
            using Executor;

            static class Totals
            {
                private static long s_total;

                public static void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => s_total += f.Result());
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(AccessKinds.CompoundAssignment, diagnostic.Properties[CallbackDiagnosticProperties.AccessKind]);
        Assert.Equal("true", diagnostic.Properties[CallbackDiagnosticProperties.IsStatic]);
        Assert.Equal("Int64", diagnostic.Properties[CallbackDiagnosticProperties.ValueType]);
        Assert.False(diagnostic.Properties.ContainsKey(CallbackDiagnosticProperties.GuardingLock));
    }

    [Fact]
    public async Task CapturedLocalGuardedInEnclosingMethod_CarriesLocalLock()
    {
        var diagnostics = await AnalyzeAsync("""
            using Executor;

            class Runner
            {
                int Run(ThreadPoolExecutor pool)
                {
                    var gate = new object();
                    int total = 0;
                    pool.Submit(() => 1).AddDoneCallback(f => total += f.Result());
                    lock (gate) { return total; }
                }
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("Local", diagnostic.Properties[CallbackDiagnosticProperties.SymbolKind]);
        Assert.Equal("gate", diagnostic.Properties[CallbackDiagnosticProperties.GuardingLock]);
    }

    [Fact]
    public async Task InterproceduralReport_IsACallWithTheCalleeSymbol()
    {
        var diagnostics = await AnalyzeAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Bump());

                private void Bump() => _count++;
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(AccessKinds.Call, diagnostic.Properties[CallbackDiagnosticProperties.AccessKind]);
        Assert.Equal("_count", diagnostic.Properties[CallbackDiagnosticProperties.SymbolName]);
    }

    [Fact]
    public async Task InterproceduralReport_CarriesTheLockThatGuardsTheCalleeField()
    {
        // The guarding lock is looked up when a finding is reported, also for findings that come from a callee.
        var diagnostics = await AnalyzeAsync("""
            using Executor;

            class Counter
            {
                private readonly object _gate = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Bump());

                private void Bump() => _count++;

                public int Read()
                {
                    lock (_gate)
                    {
                        return _count;
                    }
                }
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(AccessKinds.Call, diagnostic.Properties[CallbackDiagnosticProperties.AccessKind]);
        Assert.Equal("_gate", diagnostic.Properties[CallbackDiagnosticProperties.GuardingLock]);
    }

    [Fact]
    public async Task MethodGroupOfAnotherType_CarriesTheLockOfThatType()
    {
        var diagnostics = await AnalyzeAsync("""
            using Executor;

            class Handler
            {
                private readonly object _sync = new object();
                private int _count;

                public void OnDone(Future<int> future) => _count++;

                public void Reset()
                {
                    lock (_sync)
                    {
                        _count = 0;
                    }
                }
            }

            class Runner
            {
                private readonly Handler _handler = new Handler();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(_handler.OnDone);
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(AccessKinds.Call, diagnostic.Properties[CallbackDiagnosticProperties.AccessKind]);
        Assert.Equal("_sync", diagnostic.Properties[CallbackDiagnosticProperties.GuardingLock]);
    }

    [Fact]
    public async Task GuardingLock_FoundThroughEnterScope_NotFooledByTheWordLockInNamesCommentsAndStrings()
    {
        // The lock sites are found by searching the type's text: "lock" inside names, comments and strings must not
        // count, and a using (x.EnterScope()) block counts as a lock.
        var diagnostics = await AnalyzeAsync("""
            using System;
            using Executor;

            class Scope
            {
                public IDisposable EnterScope() => throw new NotSupportedException();
            }

            class Counter
            {
                private readonly Scope _gate = new Scope();
                private readonly object _blockedLock = new object();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _count++);

                // lock (_blockedLock) { _count = 0; } is only a comment
                public string Describe() => "lock (_blockedLock) { _count++; }";

                public void Reset()
                {
                    using (_gate.EnterScope())
                    {
                        _count = 0;
                    }
                }
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("_gate", diagnostic.Properties[CallbackDiagnosticProperties.GuardingLock]);
    }

    [Fact]
    public async Task GuardingLock_IsTheMostFrequentLock_FirstInSourceOrderOnATie()
    {
        var diagnostics = await AnalyzeAsync("""
            using Executor;

            class Counter
            {
                private readonly object _a = new object();
                private readonly object _b = new object();
                private int _x;
                private int _y;

                void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f => _x++);
                    pool.Submit(() => 1).AddDoneCallback(f => _y++);
                }

                void One() { lock (_a) { _x = 1; } }

                void Two() { lock (_b) { _x = 2; } }

                void Three() { lock (_b) { _x = 3; } }

                void Four() { lock (_a) { _y = 1; } }

                void Five() { lock (_b) { _y = 2; } }
            }
            """);

        // _x: _b guards it twice, _a once. _y: one each, and _a comes first.
        Assert.Equal(2, diagnostics.Length);
        Assert.Equal("_x", diagnostics[0].Properties[CallbackDiagnosticProperties.SymbolName]);
        Assert.Equal("_b", diagnostics[0].Properties[CallbackDiagnosticProperties.GuardingLock]);
        Assert.Equal("_y", diagnostics[1].Properties[CallbackDiagnosticProperties.SymbolName]);
        Assert.Equal("_a", diagnostics[1].Properties[CallbackDiagnosticProperties.GuardingLock]);
    }

    [Fact]
    public async Task GuardingLock_IgnoresSameNamedLocalsNestedTypeFieldsAndOtherObjectsMembers()
    {
        // Each of the first three locks mentions a different "_count" than the field, and comes first in source
        // order: a name-only match would pick one of them. Only "_gate" guards the field itself.
        var diagnostics = await AnalyzeAsync("""
            using Executor;

            class Stats
            {
                public int _count;
            }

            class Counter
            {
                private readonly object _shadow = new object();
                private readonly object _peer = new object();
                private readonly object _gate = new object();
                private readonly Stats _stats = new Stats();
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _count++);

                void Local()
                {
                    lock (_shadow)
                    {
                        int _count = 0;
                        _count++;
                        System.Console.WriteLine(_count);
                    }
                }

                void Other()
                {
                    lock (_peer)
                    {
                        _stats._count = 1;
                    }
                }

                class Inner
                {
                    private readonly object _innerGate = new object();
                    private int _count;

                    void Touch()
                    {
                        lock (_innerGate)
                        {
                            _count++;
                        }
                    }
                }

                void Reset()
                {
                    lock (_gate)
                    {
                        _count = 0;
                    }
                }
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("_gate", diagnostic.Properties[CallbackDiagnosticProperties.GuardingLock]);
    }
}
