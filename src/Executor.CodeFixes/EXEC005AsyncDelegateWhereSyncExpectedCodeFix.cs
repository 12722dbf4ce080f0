using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Executor.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Executor.CodeFixes;

/// <summary>
/// Fixes EXEC005 where the rewrite is exactly what the code meant, as the analyzer says through
/// <see cref="EXEC005AsyncDelegateWhereSyncExpectedAnalyzer.FixProperty"/>:
/// <list type="bullet">
/// <item><c>t.ContinueWith(async …)</c> whose value is awaited as a statement, waited with <c>Wait(…)</c> or given to
/// a <c>Task</c> becomes <c>t.ContinueWith(async …).Unwrap()</c> (adding <c>using System.Threading.Tasks;</c> when
/// <c>Unwrap</c> is not in scope);</item>
/// <item><c>await pool.Submit(async () => …);</c> becomes <c>await Task.Run(async () => …);</c>.</item>
/// </list>
/// Nothing else is rewritten: <c>async void</c> callbacks need a decision only the author can make.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(EXEC005AsyncDelegateWhereSyncExpectedCodeFix)), Shared]
public sealed class EXEC005AsyncDelegateWhereSyncExpectedCodeFix : CodeFixProvider
{
    /// <summary>The equivalence key of the <c>.Unwrap()</c> fix.</summary>
    public const string AddUnwrapKey = "EXEC005.AddUnwrap";

    /// <summary>The equivalence key of the <c>Task.Run</c> fix.</summary>
    public const string UseTaskRunKey = "EXEC005.UseTaskRun";

    private const string TasksNamespace = "System.Threading.Tasks";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.AsyncDelegateWhereSyncExpected);

    /// <inheritdoc/>
    /// <remarks>
    /// Fix All applies every diagnostic's own fix, whichever of the two actions it was started from. <c>dotnet format</c>
    /// starts Fix All from the first diagnostic's action only; fixing only that action's kind would make what it applies
    /// depend on which call comes first in the file.
    /// </remarks>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(
        static async (fixAllContext, document, diagnostics) =>
            fixAllContext.CodeActionEquivalenceKey is AddUnwrapKey or UseTaskRunKey
                ? await FixAsync(document, diagnostics, fixAllContext.CancellationToken).ConfigureAwait(false)
                : document);

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var kind = KindOf(diagnostic);
            if (kind is null || CallOf(root, diagnostic) is not { } call || !CanFix(kind, call))
            {
                continue;
            }

            bool unwrap = kind == EXEC005AsyncDelegateWhereSyncExpectedAnalyzer.UnwrapFix;
            context.RegisterCodeFix(
                CodeAction.Create(
                    unwrap ? "Add '.Unwrap()'" : "Use 'Task.Run' (it awaits the async delegate)",
                    ct => FixAsync(context.Document, new[] { diagnostic }, ct),
                    unwrap ? AddUnwrapKey : UseTaskRunKey),
                diagnostic);
        }
    }

    private static string? KindOf(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(EXEC005AsyncDelegateWhereSyncExpectedAnalyzer.FixProperty, out var kind) ? kind : null;

    /// <summary>The call the analyzer named as the first additional location.</summary>
    private static InvocationExpressionSyntax? CallOf(SyntaxNode root, Diagnostic diagnostic)
    {
        if (diagnostic.AdditionalLocations.Count == 0 || diagnostic.AdditionalLocations[0] is not { IsInSource: true } location
            || location.SourceTree != root.SyntaxTree || !root.FullSpan.Contains(location.SourceSpan))
        {
            return null;
        }

        return root.FindNode(location.SourceSpan, getInnermostNodeForTie: true) as InvocationExpressionSyntax;
    }

    /// <summary>The syntax checks the rewrite relies on (the analyzer's checks are semantic).</summary>
    private static bool CanFix(string kind, InvocationExpressionSyntax call)
    {
        if (kind == EXEC005AsyncDelegateWhereSyncExpectedAnalyzer.UnwrapFix)
        {
            return call.Expression is MemberAccessExpressionSyntax or MemberBindingExpressionSyntax or IdentifierNameSyntax or GenericNameSyntax;
        }

        // Task.Run's parameter names differ from Submit's, and an explicit type argument would make Task.Run<Task>.
        return kind == EXEC005AsyncDelegateWhereSyncExpectedAnalyzer.TaskRunFix
            && call.Expression is MemberAccessExpressionSyntax { Name: IdentifierNameSyntax }
            && call.ArgumentList.Arguments.Count == 1
            && call.ArgumentList.Arguments[0].NameColon is null;
    }

    private static async Task<Document> FixAsync(Document document, IEnumerable<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var root = editor.OriginalRoot;
        bool changed = false;
        bool needsUsing = false;
        var model = editor.SemanticModel;
        foreach (var diagnostic in diagnostics)
        {
            var kind = KindOf(diagnostic);
            if (kind is null || CallOf(root, diagnostic) is not { } call || !CanFix(kind, call))
            {
                continue;
            }

            changed = true;
            if (kind == EXEC005AsyncDelegateWhereSyncExpectedAnalyzer.UnwrapFix)
            {
                needsUsing |= !UnwrapIsInScope(model, call, cancellationToken);
                editor.ReplaceNode(call, static (current, _) => current is ExpressionSyntax expression
                    ? InvocationExpression(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, expression.WithoutTrailingTrivia(), IdentifierName("Unwrap")))
                        .WithTrailingTrivia(expression.GetTrailingTrivia())
                    : current);
            }
            else
            {
                editor.ReplaceNode(call, static (current, _) => current is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation
                    ? invocation.WithExpression(
                        MemberAccessExpression(
                                SyntaxKind.SimpleMemberAccessExpression,
                                ParseExpression("System.Threading.Tasks.Task").WithAdditionalAnnotations(Simplifier.Annotation),
                                IdentifierName("Run"))
                            .WithTriviaFrom(access))
                    : current);
            }
        }

        if (!changed)
        {
            return document;
        }

        var newRoot = editor.GetChangedRoot();
        if (needsUsing && newRoot is CompilationUnitSyntax unit)
        {
            newRoot = AddTasksUsing(unit);
        }

        return document.WithSyntaxRoot(newRoot);
    }

    /// <summary>Whether <c>.Unwrap()</c> binds at the call: the <c>TaskExtensions</c> namespace is imported there.</summary>
    private static bool UnwrapIsInScope(SemanticModel model, InvocationExpressionSyntax call, CancellationToken cancellationToken)
    {
        if (model.GetTypeInfo(call, cancellationToken).Type is not { } type)
        {
            return true;
        }

        return !model.LookupSymbols(call.SpanStart, type, "Unwrap", includeReducedExtensionMethods: true).IsEmpty;
    }

    private static CompilationUnitSyntax AddTasksUsing(CompilationUnitSyntax unit)
    {
        foreach (var existing in unit.Usings)
        {
            if (existing.Alias is null && existing.StaticKeyword.IsKind(SyntaxKind.None) && existing.Name?.ToString() == TasksNamespace)
            {
                return unit;
            }
        }

        var directive = UsingDirective(ParseName(TasksNamespace)).WithAdditionalAnnotations(Formatter.Annotation);
        int index = 0;
        while (index < unit.Usings.Count
            && unit.Usings[index].Alias is null
            && unit.Usings[index].StaticKeyword.IsKind(SyntaxKind.None)
            && string.CompareOrdinal(unit.Usings[index].Name?.ToString(), TasksNamespace) < 0)
        {
            index++;
        }

        if (unit.Usings.Count == 0)
        {
            return unit.WithUsings(SingletonList(directive.WithTrailingTrivia(ElasticCarriageReturnLineFeed)));
        }

        return unit.WithUsings(unit.Usings.Insert(index, directive));
    }
}
