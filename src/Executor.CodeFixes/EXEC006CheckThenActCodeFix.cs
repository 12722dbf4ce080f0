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
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Executor.CodeFixes;

/// <summary>
/// Fixes EXEC006 where the atomic form does exactly what the code does when no other thread interferes (the analyzer
/// decides, and says so in <see cref="EXEC006CheckThenActAnalyzer.FixProperty"/>):
/// <list type="bullet">
/// <item><c>if (!d.ContainsKey(k)) d[k] = v;</c> becomes <c>d.TryAdd(k, v);</c> (key and value without side effects).</item>
/// <item><c>x = x.Add(v);</c> on an immutable collection becomes <c>ImmutableInterlocked.Update(ref x, c =&gt; c.Add(v));</c>
/// (a new value without side effects, so running it again after losing a race changes nothing else).</item>
/// </list>
/// The other patterns have no rewrite that keeps the behaviour (see docs/rules/EXEC006.md).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(EXEC006CheckThenActCodeFix)), Shared]
public sealed class EXEC006CheckThenActCodeFix : CodeFixProvider
{
    /// <summary>
    /// The equivalence key of both fixes ("Use TryAdd", "Use ImmutableInterlocked.Update"). A diagnostic gets at most one
    /// of them, and one key lets one Fix All (and one <c>dotnet format analyzers --diagnostics EXEC006</c> run, which
    /// applies a single key per diagnostic ID) apply both kinds.
    /// </summary>
    public const string UseAtomicOperationKey = "EXEC006.UseAtomicOperation";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.CheckThenAct);

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
            if (!diagnostic.Properties.TryGetValue(EXEC006CheckThenActAnalyzer.FixProperty, out var fix))
            {
                continue;
            }

            if (fix == EXEC006CheckThenActAnalyzer.TryAddFix && PlanTryAdd(root, diagnostic) is { } tryAdd)
            {
                context.RegisterCodeFix(
                    CodeAction.Create("Use TryAdd", ct => ReplaceAsync(context.Document, root, tryAdd.Old, tryAdd.New, ct), UseAtomicOperationKey),
                    diagnostic);
            }
            else if (fix == EXEC006CheckThenActAnalyzer.UpdateFix)
            {
                var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
                if (model is not null && PlanUpdate(root, model, diagnostic, context.CancellationToken) is { } update)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Use ImmutableInterlocked.Update", ct => ReplaceAsync(context.Document, root, update.Old, update.New, ct), UseAtomicOperationKey),
                        diagnostic);
                }
            }
        }
    }

    private static Task<Document> ReplaceAsync(Document document, SyntaxNode root, SyntaxNode old, SyntaxNode @new, CancellationToken cancellationToken)
        => FixCleanup.FinishAsync(document.WithSyntaxRoot(root.ReplaceNode(old, @new)), cancellationToken);

    /// <summary><c>if (!d.ContainsKey(k)) d[k] = v;</c> (the diagnostic is at the assignment, the check is additional location 0) to <c>d.TryAdd(k, v);</c>.</summary>
    private static (SyntaxNode Old, SyntaxNode New)? PlanTryAdd(SyntaxNode root, Diagnostic diagnostic)
    {
        if (diagnostic.AdditionalLocations.Count < 1
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not AssignmentExpressionSyntax
            {
                RawKind: (int)SyntaxKind.SimpleAssignmentExpression,
                Left: ElementAccessExpressionSyntax { ArgumentList.Arguments: { Count: 1 } arguments } access,
            } assignment
            || arguments[0].NameColon is not null
            || !arguments[0].RefKindKeyword.IsKind(SyntaxKind.None)
            || assignment.FirstAncestorOrSelf<IfStatementSyntax>() is not { Else: null } ifStatement
            || !ifStatement.Condition.Span.Contains(diagnostic.AdditionalLocations[0].SourceSpan))
        {
            return null;
        }

        // Comments or directives inside the if (not around it) would be lost: no fix rather than silently dropping them.
        foreach (var trivia in ifStatement.DescendantTrivia(ifStatement.Span))
        {
            if (ifStatement.Span.Contains(trivia.Span) && !trivia.IsKind(SyntaxKind.WhitespaceTrivia) && !trivia.IsKind(SyntaxKind.EndOfLineTrivia))
            {
                return null;
            }
        }

        var call = InvocationExpression(
            MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, access.Expression.WithoutTrivia(), IdentifierName("TryAdd")),
            ArgumentList(SeparatedList(new[] { Argument(arguments[0].Expression.WithoutTrivia()), Argument(assignment.Right.WithoutTrivia()) })));
        var statement = ExpressionStatement(call)
            .WithLeadingTrivia(ifStatement.GetLeadingTrivia())
            .WithTrailingTrivia(ifStatement.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        return (ifStatement, statement);
    }

    /// <summary>
    /// <c>x = x.Add(v);</c> (the diagnostic is at the assignment, the reads of <c>x</c> in the new value are the additional
    /// locations) to <c>ImmutableInterlocked.Update(ref x, c =&gt; c.Add(v));</c>, when the referenced
    /// System.Collections.Immutable has the overload the variable's type needs.
    /// </summary>
    private static (SyntaxNode Old, SyntaxNode New)? PlanUpdate(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not AssignmentExpressionSyntax
            {
                RawKind: (int)SyntaxKind.SimpleAssignmentExpression,
                Parent: ExpressionStatementSyntax,
            } assignment
            || diagnostic.AdditionalLocations.Count == 0
            || model.GetTypeInfo(assignment.Left, cancellationToken).Type is not { } type
            || !HasUpdateOverload(model.Compilation, type))
        {
            return null;
        }

        var spans = new HashSet<Microsoft.CodeAnalysis.Text.TextSpan>(diagnostic.AdditionalLocations.Select(l => l.SourceSpan));
        var reads = new List<ExpressionSyntax>();
        foreach (var node in assignment.Right.DescendantNodesAndSelf())
        {
            if (node is ExpressionSyntax expression && spans.Remove(node.Span))
            {
                reads.Add(expression);
            }
        }

        if (spans.Count != 0)
        {
            // The code changed since the analysis: do not guess.
            return null;
        }

        string name = ParameterName(model, assignment, cancellationToken);
        var value = assignment.Right.ReplaceNodes(reads, (_, current) => IdentifierName(name).WithTriviaFrom(current));
        var update = InvocationExpression(
            MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                ParseName("global::System.Collections.Immutable.ImmutableInterlocked").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation),
                IdentifierName("Update")),
            ArgumentList(SeparatedList(new[]
            {
                Argument(assignment.Left.WithoutTrivia()).WithRefKindKeyword(Token(SyntaxKind.RefKeyword)),
                Argument(SimpleLambdaExpression(Parameter(Identifier(name)), value.WithoutTrivia())),
            })))
            .WithTriviaFrom(assignment)
            .WithAdditionalAnnotations(Formatter.Annotation);
        return (assignment, update);
    }

    /// <summary>Whether <c>ImmutableInterlocked.Update(ref T, Func&lt;T, T&gt;)</c> exists for <paramref name="type"/>: the <c>T : class</c> overload, or the <c>ImmutableArray&lt;T&gt;</c> one (newer versions only).</summary>
    private static bool HasUpdateOverload(Compilation compilation, ITypeSymbol type)
    {
        if (compilation.GetTypeByMetadataName("System.Collections.Immutable.ImmutableInterlocked") is not { } interlocked)
        {
            return false;
        }

        bool array = type is INamedTypeSymbol { IsValueType: true, Name: "ImmutableArray", Arity: 1 };
        if (!array && !type.IsReferenceType)
        {
            return false;
        }

        foreach (var member in interlocked.GetMembers("Update"))
        {
            if (member is IMethodSymbol { Parameters.Length: 2, TypeParameters.Length: 1 } method
                && method.Parameters[0].RefKind == RefKind.Ref
                && method.Parameters[1].Type is INamedTypeSymbol { Name: "Func", Arity: 2 })
            {
                var first = method.Parameters[0].Type;
                bool isArrayOverload = first is INamedTypeSymbol { Name: "ImmutableArray", Arity: 1 };
                bool isClassOverload = first is ITypeParameterSymbol;
                if (array ? isArrayOverload : isClassOverload)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The lambda's parameter: the variable's name without its prefix (<c>_lines</c> → <c>lines</c>), else <c>current</c>, never a name in scope or used in the value.</summary>
    private static string ParameterName(SemanticModel model, AssignmentExpressionSyntax assignment, CancellationToken cancellationToken)
    {
        string? fromTarget = (assignment.Left is MemberAccessExpressionSyntax member ? member.Name : assignment.Left as SimpleNameSyntax)?.Identifier.ValueText;
        if (fromTarget is not null)
        {
            foreach (var prefix in new[] { "s_", "m_", "t_", "_" })
            {
                if (fromTarget.StartsWith(prefix, System.StringComparison.Ordinal))
                {
                    fromTarget = fromTarget.Substring(prefix.Length);
                    break;
                }
            }
        }

        var used = new HashSet<string>(assignment.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText));
        var candidates = new List<string>();
        if (fromTarget is { Length: > 0 })
        {
            fromTarget = char.ToLowerInvariant(fromTarget[0]) + fromTarget.Substring(1);
            if (SyntaxFacts.IsValidIdentifier(fromTarget) && SyntaxFacts.GetKeywordKind(fromTarget) == SyntaxKind.None && SyntaxFacts.GetContextualKeywordKind(fromTarget) == SyntaxKind.None)
            {
                candidates.Add(fromTarget);
            }
        }

        candidates.Add("current");
        for (int i = 2; i < 100; i++)
        {
            candidates.Add("current" + i);
        }

        foreach (var candidate in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!used.Contains(candidate) && model.LookupSymbols(assignment.SpanStart, name: candidate).IsEmpty)
            {
                return candidate;
            }
        }

        return "current100";
    }
}
