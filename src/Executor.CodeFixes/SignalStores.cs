using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Executor.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Executor.CodeFixes;

/// <summary>
/// A signal store repeated by a loop: a lone store of a constant (<c>_heartbeatDetected = true;</c>, in a function
/// that reads the field nowhere else) made on every iteration of a loop, directly or in a method of the type that a
/// loop calls (two calls deep). The lock fix is not offered there: it would take a lock on every iteration (a receive
/// loop's per-frame path) to guard a one-word store whose only exposure is to be overwritten by the other side's
/// read-then-clear (a lost signal). The fix that fits is <c>Interlocked.Exchange</c> at the reader, offered where the
/// framework has it for the type (.NET 9 for <c>bool</c>); elsewhere no fix is offered (RabbitMQ.Client's heartbeat
/// flag, whose per-frame lock was rejected).
/// </summary>
internal static class SignalStores
{
    private const int MaxCallerDepth = 2;

    /// <summary>Whether the statement (or expression body) <paramref name="node"/> is a lone constant store that a loop repeats.</summary>
    public static bool IsRepeatedSignalStore(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        var expression = node is ExpressionStatementSyntax statement ? statement.Expression : node as ExpressionSyntax;
        if (expression is not AssignmentExpressionSyntax assignment || !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
            || !model.GetConstantValue(assignment.Right, cancellationToken).HasValue
            || model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is not IFieldSymbol field
            || SharedStateFacts.EnclosingFunction(assignment) is not { } function
            || !IsLoneIn(function, assignment, field, model, cancellationToken))
        {
            return false;
        }

        return RunsPerIteration(assignment, function, model.Compilation, 0, new HashSet<SyntaxNode>(), cancellationToken);
    }

    /// <summary>Whether the function mentions the field only in the store's target.</summary>
    private static bool IsLoneIn(SyntaxNode function, AssignmentExpressionSyntax store, IFieldSymbol field, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var identifier in function.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText == field.Name && !store.Left.Span.Contains(identifier.Span)
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol?.OriginalDefinition, field.OriginalDefinition))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="node"/> sits in a loop of its function, or its function is a method of the type called from such a place.</summary>
    private static bool RunsPerIteration(SyntaxNode node, SyntaxNode function, Compilation compilation, int depth, HashSet<SyntaxNode> seen, CancellationToken cancellationToken)
    {
        if (node.Ancestors().TakeWhile(n => n != function).Any(n => n is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or ForEachStatementSyntax))
        {
            return true;
        }

        if (depth >= MaxCallerDepth || function is not MethodDeclarationSyntax method || !seen.Add(method)
            || compilation.GetSemanticModel(method.SyntaxTree).GetDeclaredSymbol(method, cancellationToken) is not { } callee)
        {
            return false;
        }

        foreach (var reference in callee.ContainingType.DeclaringSyntaxReferences)
        {
            SemanticModel? callerModel = null;
            foreach (var invocation in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                string? name = invocation.Expression switch
                {
                    IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                    MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                    _ => null,
                };
                if (name != callee.Name)
                {
                    continue;
                }

                callerModel ??= compilation.GetSemanticModel(invocation.SyntaxTree);
                if (SymbolEqualityComparer.Default.Equals(callerModel.GetSymbolInfo(invocation, cancellationToken).Symbol?.OriginalDefinition, callee.OriginalDefinition)
                    && SharedStateFacts.EnclosingFunction(invocation) is { } caller
                    && RunsPerIteration(invocation, caller, compilation, depth + 1, seen, cancellationToken))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
