using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Executor.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Executor.Analyzers.Tests.Robustness;

/// <summary>
/// Runs the EXEC001 and EXEC002 race fixes (EXEC002's thread-local rewrite too) and the EXEC003, EXEC005 and EXEC006 fixes, one diagnostic at a time and as a document-wide Fix All, over every corpus source: no fix may
/// throw, the result of code that parsed must still parse, and the result of code that compiled must still compile.
/// </summary>
public sealed class CodeFixRobustnessTests
{
    public static TheoryData<string> SourceNames()
    {
        var data = new TheoryData<string>();
        foreach (var source in RobustnessCorpus.All)
        {
            data.Add(source.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SourceNames))]
    public async Task Fixes_NeverThrow_AndProduceCodeThatParsesAndCompiles(string sourceName)
    {
        // The two race rules share their fixes; each runs with its own provider and keys.
        await RunAsync(sourceName, new EXEC001UnsynchronizedCallbackAccessAnalyzer(), new EXEC001UnsynchronizedCallbackAccessCodeFix(), DiagnosticIds.UnsynchronizedCallbackAccess, EXEC001UnsynchronizedCallbackAccessCodeFix.WrapInLockKey, EXEC001UnsynchronizedCallbackAccessCodeFix.UseInterlockedKey, EXEC001UnsynchronizedCallbackAccessCodeFix.UseVolatileKey, EXEC001UnsynchronizedCallbackAccessCodeFix.UseConcurrentCollectionKey);
        await RunAsync(sourceName, new EXEC002UnsynchronizedWorkAccessAnalyzer(), new EXEC002UnsynchronizedWorkAccessCodeFix(), DiagnosticIds.UnsynchronizedWorkAccess, EXEC002UnsynchronizedWorkAccessCodeFix.WrapInLockKey, EXEC002UnsynchronizedWorkAccessCodeFix.UseInterlockedKey, EXEC002UnsynchronizedWorkAccessCodeFix.UseVolatileKey, EXEC002UnsynchronizedWorkAccessCodeFix.UseConcurrentCollectionKey, EXEC002UnsynchronizedWorkAccessCodeFix.UseThreadLocalKey);
    }

    private static async Task RunAsync(string sourceName, DiagnosticAnalyzer analyzer, CodeFixProvider provider, string id, params string[] keys)
    {
        var source = RobustnessCorpus.Get(sourceName);
        var document = CreateDocument(source.Text);
        var original = (await document.Project.GetCompilationAsync())!;
        bool compiled = !original.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        bool parsed = !original.SyntaxTrees.First().GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        var diagnostics = await original
            .WithAnalyzers(ImmutableArray.Create(analyzer))
            .GetAnalyzerDiagnosticsAsync();
        var fixable = diagnostics.Where(d => d.Id == id && d.Location.SourceTree == original.SyntaxTrees.First()).ToImmutableArray();
        if (fixable.IsEmpty)
        {
            return;
        }

        var failures = new List<string>();
        foreach (var key in keys)
        {
            foreach (var diagnostic in fixable)
            {
                var actions = new List<CodeAction>();
                var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
                await provider.RegisterCodeFixesAsync(context);
                foreach (var action in actions.Where(a => a.EquivalenceKey == key))
                {
                    await CheckAsync(action, $"{key} at {diagnostic.Location.GetLineSpan().StartLinePosition}", parsed, compiled, failures);
                }
            }

            var fixAll = provider.GetFixAllProvider()!;
            var fixAllContext = new FixAllContext(document, provider, FixAllScope.Document, key, new[] { id }, new FixedDiagnostics(fixable), CancellationToken.None);
            var fixAllAction = await fixAll.GetFixAsync(fixAllContext);
            if (fixAllAction is not null)
            {
                await CheckAsync(fixAllAction, $"Fix All {key}", parsed, compiled, failures);
            }
        }

        Assert.True(failures.Count == 0, $"{id}, source '{sourceName}':\n{source.Text}\n\n" + string.Join("\n\n", failures));
    }

    /// <summary>
    /// The corpus really exercises EXEC002's thread-local rewrite: its source of parallel accumulations compiles, and
    /// the rewrite is offered there for each shape it supports (so the theory above checks its output compiles).
    /// </summary>
    [Fact]
    public async Task ThreadLocalRewrite_IsOfferedOnTheParallelAccumulationsSource()
    {
        var document = CreateDocument(RobustnessCorpus.Get("builtin/parallel-accumulations").Text);
        var compilation = (await document.Project.GetCompilationAsync())!;
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new EXEC002UnsynchronizedWorkAccessAnalyzer())).GetAnalyzerDiagnosticsAsync();
        var offeredAt = new List<string>();
        foreach (var diagnostic in diagnostics.Where(d => d.Id == DiagnosticIds.UnsynchronizedWorkAccess))
        {
            var actions = new List<CodeAction>();
            await new EXEC002UnsynchronizedWorkAccessCodeFix().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
            if (actions.Any(a => a.EquivalenceKey == EXEC002UnsynchronizedWorkAccessCodeFix.UseThreadLocalKey))
            {
                offeredAt.Add(diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
            }
        }

        Assert.Equal(
            new[] { "count += i", "_sum += sq", "_seen++", "s_all += x", "ranges++", "balance++", "balance--", "s_all += i", "inner++", "_hits += i" }.OrderBy(s => s),
            offeredAt.OrderBy(s => s));
    }

    [Theory]
    [MemberData(nameof(SourceNames))]
    public Task Exec005Fixes_NeverThrow_AndProduceCodeThatParsesAndCompiles(string sourceName)
        => RunAsync(sourceName, new EXEC005AsyncDelegateWhereSyncExpectedAnalyzer(), new EXEC005AsyncDelegateWhereSyncExpectedCodeFix(), DiagnosticIds.AsyncDelegateWhereSyncExpected, EXEC005AsyncDelegateWhereSyncExpectedCodeFix.AddUnwrapKey, EXEC005AsyncDelegateWhereSyncExpectedCodeFix.UseTaskRunKey);

    [Theory]
    [MemberData(nameof(SourceNames))]
    public Task EXEC006Fixes_NeverThrow_AndProduceCodeThatParsesAndCompiles(string sourceName)
        => RunAsync(sourceName, new EXEC006CheckThenActAnalyzer(), new EXEC006CheckThenActCodeFix(), DiagnosticIds.CheckThenAct, EXEC006CheckThenActCodeFix.UseAtomicOperationKey);

    [Theory]
    [MemberData(nameof(SourceNames))]
    public Task Exec003Fixes_NeverThrow_AndProduceCodeThatParsesAndCompiles(string sourceName)
        => RunAsync(sourceName, new EXEC003CapturedVariableChangedAfterHandOffAnalyzer(), new EXEC003CapturedVariableChangedAfterHandOffCodeFix(), DiagnosticIds.CapturedVariableChangedAfterHandOff, EXEC003CapturedVariableChangedAfterHandOffCodeFix.CopyBeforeHandOffKey, EXEC003CapturedVariableChangedAfterHandOffCodeFix.UseVolatileKey);

    private static async Task CheckAsync(CodeAction action, string what, bool parsed, bool compiled, List<string> failures)
    {
        try
        {
            var operations = await action.GetOperationsAsync(CancellationToken.None);
            var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
            var project = changed.Projects.Single();
            var tree = (await project.Documents.Single().GetSyntaxTreeAsync())!;
            var text = tree.ToString();
            var parseErrors = tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (parsed && parseErrors.Count > 0)
            {
                failures.Add($"{what}: the result does not parse: {string.Join("; ", parseErrors)}\n{text}");
                return;
            }

            if (compiled)
            {
                var errors = (await project.GetCompilationAsync())!.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                if (errors.Count > 0)
                {
                    failures.Add($"{what}: the result does not compile: {string.Join("; ", errors)}\n{text}");
                }
            }
        }
        catch (Exception ex)
        {
            failures.Add($"{what}: the fix threw {ex}");
        }
    }

    private static Document CreateDocument(string text)
    {
        var workspace = new AdhocWorkspace();
        bool topLevel = CSharpSyntaxTree.ParseText(text).GetRoot().ChildNodes().Any(n => n is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax);
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(
                projectId,
                VersionStamp.Default,
                "Fixes",
                "Fixes",
                LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(topLevel ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                metadataReferences: Executor.Analyzers.Tests.Verifiers.TestReferences.FrameworkAndRuntime))
            .AddDocument(DocumentId.CreateNewId(projectId), "Test0.cs", SourceText.From(text));
        return solution.Projects.Single().Documents.Single();
    }

    private sealed class FixedDiagnostics : FixAllContext.DiagnosticProvider
    {
        private readonly ImmutableArray<Diagnostic> _diagnostics;

        public FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) => _diagnostics = diagnostics;

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(Enumerable.Empty<Diagnostic>());
    }
}
