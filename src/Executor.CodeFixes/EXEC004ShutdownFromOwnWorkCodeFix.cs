using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Executor.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Executor.CodeFixes;

/// <summary>
/// Fixes EXEC004 by stopping the executor without waiting: <c>pool.Shutdown()</c>, <c>pool.Shutdown(wait: true)</c>,
/// <c>pool.Dispose()</c> and <c>await pool.DisposeAsync()</c> become <c>pool.Shutdown(wait: false)</c>. Offered only for
/// the shutdown call itself, used as a statement (its result, if any, is not used to wait).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(EXEC004ShutdownFromOwnWorkCodeFix)), Shared]
public sealed class EXEC004ShutdownFromOwnWorkCodeFix : CodeFixProvider
{
    /// <summary>The equivalence key of the fix.</summary>
    public const string ShutdownWithoutWaitingKey = "EXEC004.ShutdownWithoutWaiting";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ShutdownFromOwnWork);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

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
            if (!diagnostic.Properties.ContainsKey(EXEC004ShutdownFromOwnWorkAnalyzer.DirectProperty)
                || Plan(root, diagnostic) is not { } plan)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Use Shutdown(wait: false)",
                    ct => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(plan.Old, plan.New))),
                    ShutdownWithoutWaitingKey),
                diagnostic);
        }
    }

    private static (ExpressionSyntax Old, ExpressionSyntax New)? Plan(SyntaxNode root, Diagnostic diagnostic)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation)
        {
            return null;
        }

        // The statement form only: a value that is used (a returned task, a Dispose result) is not rewritten.
        ExpressionSyntax old = invocation.Parent is AwaitExpressionSyntax awaited ? awaited : invocation;
        bool statement = old.Parent is ExpressionStatementSyntax
            || old.Parent is LambdaExpressionSyntax lambda && lambda.ExpressionBody == old && access.Name.Identifier.ValueText is "Shutdown" or "Dispose";
        if (!statement)
        {
            return null;
        }

        var call = InvocationExpression(
                MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, access.Expression.WithoutTrivia(), IdentifierName("Shutdown")),
                ArgumentList(SingletonSeparatedList(Argument(LiteralExpression(SyntaxKind.FalseLiteralExpression)).WithNameColon(NameColon(IdentifierName("wait"))))))
            .WithTriviaFrom(old)
            .WithAdditionalAnnotations(Formatter.Annotation);
        return (old, call);
    }
}
