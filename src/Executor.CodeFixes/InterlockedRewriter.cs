using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Executor.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Executor.CodeFixes;

/// <summary>
/// Rewrites <c>x++</c>, <c>x--</c>, <c>++x</c>, <c>--x</c>, <c>x += n</c> and <c>x -= n</c> on an integer field, array
/// element or captured local into the equivalent <c>Interlocked</c> call, keeping the expression's value when it is used;
/// a read-then-clear becomes <c>Interlocked.Exchange</c> (<see cref="ExchangeRewriter"/>).
/// </summary>
internal static class InterlockedRewriter
{
    public static bool CanFix(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken = default)
        => Rewrite(root, model, diagnostic) is not null || ExchangeRewriter.Rewrite(root, model, diagnostic, cancellationToken) is not null;


    public static Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        => FixCleanup.EditAsync(document, (root, model, editor) =>
        {
            var replaced = new HashSet<SyntaxNode>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                if (Rewrite(root, model, diagnostic) is { } rewrites)
                {
                    foreach (var (original, replacement) in rewrites)
                    {
                        // Fix All can name the same other side from several callbacks: rewrite it once.
                        if (replaced.Add(original))
                        {
                            editor.ReplaceNode(original, replacement);
                        }
                    }
                }
                else if (ExchangeRewriter.Rewrite(root, model, diagnostic, cancellationToken) is { } edits)
                {
                    // A read-then-clear: the read becomes Interlocked.Exchange and the clear goes.
                    foreach (var edit in edits)
                    {
                        if (replaced.Add(edit.Original))
                        {
                            if (edit.Replacement is null)
                            {
                                editor.RemoveNode(edit.Original);
                            }
                            else
                            {
                                editor.ReplaceNode(edit.Original, edit.Replacement);
                            }
                        }
                    }
                }
            }
        }, cancellationToken);

    /// <summary>
    /// The rewrites that make every side of the race atomic: the callback's update, and each other side the diagnostic
    /// names that is itself a read-modify-write (<c>x++</c>, <c>x += n</c>). Plain reads, plain stores and existing
    /// <c>Interlocked</c>/<c>Volatile</c> calls are atomic against <c>Interlocked</c> already and stay as written. Null
    /// (no fix) when a side cannot be made atomic this way (<c>x *= 2</c>, a <c>ref</c> escape, another file).
    /// </summary>
    private static List<(ExpressionSyntax Original, ExpressionSyntax Replacement)>? Rewrite(SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        if (RewriteAccess(root, model, diagnostic) is not { } main)
        {
            return null;
        }

        var result = new List<(ExpressionSyntax Original, ExpressionSyntax Replacement)> { main };
        bool unsigned = diagnostic.Properties.TryGetValue(CallbackDiagnosticProperties.ValueType, out var valueType) && valueType is "UInt32" or "UInt64";
        foreach (var location in diagnostic.AdditionalLocations)
        {
            if (location.SourceTree != root.SyntaxTree || !root.FullSpan.Contains(location.SourceSpan))
            {
                return null;
            }

            var node = root.FindNode(location.SourceSpan, getInnermostNodeForTie: true);
            var expression = node.AncestorsAndSelf().OfType<ExpressionSyntax>().FirstOrDefault(e => e.Span == location.SourceSpan);
            switch (expression)
            {
                case PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax:
                case AssignmentExpressionSyntax compound when compound.IsKind(SyntaxKind.AddAssignmentExpression) || compound.IsKind(SyntaxKind.SubtractAssignmentExpression):
                    if (RewriteExpression(expression, model, unsigned) is not { } other)
                    {
                        return null;
                    }

                    result.Add(other);
                    break;
                case AssignmentExpressionSyntax plain when plain.IsKind(SyntaxKind.SimpleAssignmentExpression):
                case IdentifierNameSyntax or MemberAccessExpressionSyntax or ElementAccessExpressionSyntax or MemberBindingExpressionSyntax:
                    break;
                case InvocationExpressionSyntax invocation when model.GetSymbolInfo(invocation).Symbol is IMethodSymbol { ContainingType: { Name: "Interlocked" or "Volatile", ContainingNamespace.Name: "Threading" } }:
                    break;
                default:
                    return null;
            }
        }

        return result;
    }

    private static (ExpressionSyntax Original, ExpressionSyntax Replacement)? RewriteAccess(SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        var properties = diagnostic.Properties;
        if (!properties.TryGetValue(CallbackDiagnosticProperties.AccessKind, out var kind)
            || kind is not (AccessKinds.Increment or AccessKinds.Decrement or AccessKinds.CompoundAssignment)
            || !properties.TryGetValue(CallbackDiagnosticProperties.SymbolKind, out var symbolKind)
            || symbolKind is not ("Field" or "Local" or "Parameter")
            || !properties.TryGetValue(CallbackDiagnosticProperties.ValueType, out var valueType))
        {
            return null;
        }

        bool unsigned = valueType is "UInt32" or "UInt64";
        if (valueType is not ("Int32" or "Int64") && !(unsigned && HasUnsignedOverloads(model.Compilation)))
        {
            return null;
        }

        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        var expression = node.AncestorsAndSelf().OfType<ExpressionSyntax>().FirstOrDefault(e => e.Span == diagnostic.Location.SourceSpan);
        return expression is null ? null : RewriteExpression(expression, model, unsigned);
    }

    private static (ExpressionSyntax Original, ExpressionSyntax Replacement)? RewriteExpression(ExpressionSyntax expression, SemanticModel model, bool unsigned)
    {
        ExpressionSyntax target;
        string method;
        ExpressionSyntax? amount = null;
        int adjust = 0;
        switch (expression)
        {
            case PostfixUnaryExpressionSyntax postfix when postfix.IsKind(SyntaxKind.PostIncrementExpression) || postfix.IsKind(SyntaxKind.PostDecrementExpression):
                target = postfix.Operand;
                method = postfix.IsKind(SyntaxKind.PostIncrementExpression) ? "Increment" : "Decrement";
                adjust = postfix.IsKind(SyntaxKind.PostIncrementExpression) ? -1 : 1;
                break;
            case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression):
                target = prefix.Operand;
                method = prefix.IsKind(SyntaxKind.PreIncrementExpression) ? "Increment" : "Decrement";
                break;
            case AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.AddAssignmentExpression):
                target = assignment.Left;
                method = "Add";
                amount = assignment.Right.WithoutTrivia();
                break;
            case AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.SubtractAssignmentExpression) && !unsigned:
                target = assignment.Left;
                method = "Add";
                var right = assignment.Right.WithoutTrivia();
                amount = PrefixUnaryExpression(
                    SyntaxKind.UnaryMinusExpression,
                    right is IdentifierNameSyntax or LiteralExpressionSyntax or MemberAccessExpressionSyntax ? right : ParenthesizedExpression(right));
                break;
            default:
                return null;
        }

        // The amount must have the target's type exactly, or Interlocked.Add would not bind the same way.
        var targetType = model.GetTypeInfo(target).Type;
        if (amount is not null && expression is AssignmentExpressionSyntax compound)
        {
            var amountType = model.GetTypeInfo(compound.Right).ConvertedType;
            if (targetType is null || amountType is null || !SymbolEqualityComparer.Default.Equals(targetType, amountType))
            {
                return null;
            }
        }

        var interlocked = ParseTypeName("System.Threading.Interlocked").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        var arguments = SeparatedList(amount is null
            ? new[] { Argument(target.WithoutTrivia()).WithRefKindKeyword(Token(SyntaxKind.RefKeyword)) }
            : new[] { Argument(target.WithoutTrivia()).WithRefKindKeyword(Token(SyntaxKind.RefKeyword)), Argument(amount) });
        ExpressionSyntax call = InvocationExpression(
            MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, interlocked, IdentifierName(method)),
            ArgumentList(arguments));

        if (adjust != 0 && IsValueUsed(expression, model))
        {
            // x++ yields the old value: Increment returns the new one.
            call = ParenthesizedExpression(BinaryExpression(
                adjust < 0 ? SyntaxKind.SubtractExpression : SyntaxKind.AddExpression,
                call,
                LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(1))));
        }

        return (expression, call.WithTriviaFrom(expression).WithAdditionalAnnotations(Formatter.Annotation));
    }

    private static bool IsValueUsed(ExpressionSyntax expression, SemanticModel model)
    {
        switch (expression.Parent)
        {
            case ExpressionStatementSyntax:
                return false;
            case ForStatementSyntax forStatement when forStatement.Incrementors.Contains(expression):
                return false;
            case LambdaExpressionSyntax lambda when lambda.ExpressionBody == expression:
                return model.GetSymbolInfo(lambda).Symbol is IMethodSymbol { ReturnsVoid: false };
            case ArrowExpressionClauseSyntax arrow:
                return model.GetEnclosingSymbol(arrow.SpanStart) is IMethodSymbol { ReturnsVoid: false };
            default:
                return true;
        }
    }

    private static bool HasUnsignedOverloads(Compilation compilation)
        => compilation.GetTypeByMetadataName("System.Threading.Interlocked")?.GetMembers("Add").OfType<IMethodSymbol>()
            .Any(m => m.Parameters.Length == 2 && m.Parameters[0].Type.SpecialType == SpecialType.System_UInt32) == true;
}
