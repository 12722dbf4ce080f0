using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>The model EXEC006 asks which delegates run concurrently (callback sources and work sources), without a rule.</summary>
public class ConcurrentDelegatesTests
{
    private const string Source = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Executor;

        class Jobs
        {
            void Run(ThreadPoolExecutor pool, Future<int> future, List<int> items, CancellationToken token)
            {
                Task.Run(() => A());
                Parallel.Invoke(() => A(), B);
                future.AddDoneCallback(f => A());
                token.Register(B);
                items.ForEach(i => A());
                Console.WriteLine("x");
                pool.Submit(Console.Beep);
            }

            void A() { }
            void B() { }
        }
        """;

    private static (Compilation Compilation, SemanticModel Model, List<IOperation> Calls) Build()
    {
        var tree = CSharpSyntaxTree.ParseText(Source);
        var compilation = CSharpCompilation.Create(
            "ConcurrentDelegatesTest",
            new[] { tree },
            Executor.Analyzers.Tests.Verifiers.TestReferences.FrameworkAndRuntime,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var model = compilation.GetSemanticModel(tree);
        var calls = tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Where(i => i.Parent is ExpressionStatementSyntax)
            .Select(i => model.GetOperation(i)!)
            .ToList();
        return (compilation, model, calls);
    }

    [Fact]
    public void Of_FindsLambdasMethodGroupsAndParamsArrays_OfConcurrentSourcesOnly()
    {
        var (compilation, _, calls) = Build();
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var sources = new ConcurrentDelegates(compilation, EmptyOptions.Instance);

        string[] Bodies(int index) => sources.Of(calls[index], CancellationToken.None)?.Select(d => d.Body.Syntax.ToString()).ToArray() ?? System.Array.Empty<string>();

        Assert.Equal(new[] { "A()" }, Bodies(0));                                   // Task.Run(() => A())
        Assert.Equal(new[] { "A()", "void B() { }" }, Bodies(1));                   // Parallel.Invoke(params Action[]): lambda and method group
        Assert.Equal(new[] { "A()" }, Bodies(2));                                   // AddDoneCallback
        Assert.Equal(new[] { "void B() { }" }, Bodies(3));                          // CancellationToken.Register(method group)
        Assert.Empty(Bodies(4));                                                    // List<T>.ForEach: not concurrent
        Assert.Empty(Bodies(5));                                                    // no delegate
        Assert.Empty(Bodies(6));                                                    // a method group without source in this tree
    }

    [Fact]
    public void Of_DescribesTheSource_AndAMethodGroupByTheMethod()
    {
        var (compilation, _, calls) = Build();
        var sources = new ConcurrentDelegates(compilation, EmptyOptions.Instance);
        var parallel = sources.Of(calls[1], CancellationToken.None)!;
        Assert.Equal("a delegate passed to 'Parallel.Invoke', which runs its actions at the same time", parallel[0].How);
        Assert.StartsWith("method 'Jobs.B', which runs concurrently", parallel[1].How, System.StringComparison.Ordinal);
        Assert.Equal("a delegate passed to 'Task.Run', which runs it on another thread", sources.Of(calls[0], CancellationToken.None)![0].How);
    }

    private sealed class EmptyOptions : AnalyzerConfigOptionsProvider
    {
        public static readonly EmptyOptions Instance = new();

        public override AnalyzerConfigOptions GlobalOptions => Empty.Instance;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty.Instance;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty.Instance;

        private sealed class Empty : AnalyzerConfigOptions
        {
            public static readonly Empty Instance = new();

            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value)
            {
                value = null;
                return false;
            }
        }
    }
}
