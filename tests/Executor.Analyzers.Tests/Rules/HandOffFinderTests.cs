using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>The model behind EXEC003: which delegates are handed to another thread, where, and which operations join them.</summary>
public class HandOffFinderTests
{
    private const string Source = """
        using System;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Executor;

        class C
        {
            static void Work() { }

            void Run(ThreadPoolExecutor pool, CancellationToken token, System.Timers.Timer periodic, int[] items)
            {
                int x = 1;
                var future = pool.Submit(() => x);
                future.AddDoneCallback(f => Console.WriteLine(x));
                Task.Run(() => Console.WriteLine(x));
                Task.Run(Work);
                token.Register(() => Console.WriteLine(x));
                var timer = new System.Threading.Timer(_ => Console.WriteLine(x), null, 0, 100);
                periodic.Elapsed += (s, e) => Console.WriteLine(x);
                var thread = new Thread(() => Console.WriteLine(x));
                thread.Start();
                Parallel.For(0, 10, i => Console.WriteLine(x + i));
                var doubled = items.Select(v => v * x).ToArray();
                future.Result();
            }
        }
        """;

    private static (HandOffFinder Finder, List<(IOperation Operation, List<HandOff>? HandOffs)> Results) Run()
    {
        var tree = CSharpSyntaxTree.ParseText(Source);
        var compilation = CSharpCompilation.Create(
            "HandOffFinderTest",
            new[] { tree },
            Executor.Analyzers.Tests.Verifiers.TestReferences.FrameworkAndRuntime,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var provider = new EmptyOptionsProvider();
        var callbacks = new CallbackAnalysis(compilation, KnownTypes.Instance, new CallbackOptionsCache(provider), new SharedStateFacts(compilation));
        var finder = new HandOffFinder(callbacks);
        var model = compilation.GetSemanticModel(tree);
        var method = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single(m => m.Identifier.ValueText == "Run");
        var body = model.GetOperation(method)!;
        var results = body.Descendants()
            .Where(o => o is IInvocationOperation or IObjectCreationOperation or IEventAssignmentOperation)
            .Select(o => (o, finder.Find(o, CancellationToken.None)))
            .ToList();
        return (finder, results);
    }

    private static HandOff Single(List<(IOperation Operation, List<HandOff>? HandOffs)> results, string startsWith)
    {
        var match = results.Where(r => r.Operation.Syntax.ToString().StartsWith(startsWith, System.StringComparison.Ordinal)).ToList();
        Assert.True(match.Count == 1, $"{match.Count} operations start with '{startsWith}'");
        return Assert.Single(match[0].HandOffs ?? new List<HandOff>());
    }

    [Fact]
    public void Finds_WorkAndCallbackSources_WithTheirKinds()
    {
        var (_, results) = Run();
        var submit = Single(results, "pool.Submit(");
        Assert.True(submit.IsWork);
        Assert.False(submit.IsPeriodic);
        Assert.Same(submit.Operation, submit.Point);

        var done = Single(results, "future.AddDoneCallback(");
        Assert.False(done.IsWork);
        Assert.True(Single(results, "Task.Run(() =>").IsWork);
        Assert.False(Single(results, "token.Register(").IsWork);
        Assert.True(Single(results, "new System.Threading.Timer(").IsPeriodic);
        Assert.True(Single(results, "periodic.Elapsed +=").IsPeriodic);
    }

    [Fact]
    public void NewThread_IsHandedOffAtStart()
    {
        var (_, results) = Run();
        var thread = Single(results, "new Thread(");
        Assert.Equal("thread.Start()", thread.Point.Syntax.ToString());
        Assert.NotSame(thread.Operation, thread.Point);
    }

    [Fact]
    public void JoiningAndSynchronousApisAndMethodGroups_AreNotHandOffs()
    {
        var (_, results) = Run();
        foreach (var prefix in new[] { "Parallel.For(", "items.Select(", "Task.Run(Work)", "future.Result()" })
        {
            var matches = results.Where(r => r.Operation.Syntax.ToString().StartsWith(prefix, System.StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(matches);
            Assert.All(matches, match => Assert.True(match.HandOffs is null || match.HandOffs.Count == 0, prefix + " was taken for a hand-off"));
        }
    }

    [Fact]
    public void FutureResult_JoinsWork_ButNotADoneCallback()
    {
        var (finder, results) = Run();
        var result = results.Single(r => r.Operation.Syntax.ToString() == "future.Result()").Operation;
        var submit = Single(results, "pool.Submit(");
        var done = Single(results, "future.AddDoneCallback(");
        Assert.True(finder.IsJoin(result, submit, new Registration(submit.Api, submit.Operation)));
        Assert.False(finder.IsJoin(result, done, new Registration(done.Api, done.Operation)));
    }

    private sealed class EmptyOptionsProvider : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new EmptyOptions();

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;

        private sealed class EmptyOptions : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
            {
                value = null;
                return false;
            }
        }
    }
}
