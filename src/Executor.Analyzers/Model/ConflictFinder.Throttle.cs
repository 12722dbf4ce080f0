using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>A time-based throttle in front of work that already runs concurrently with itself.</summary>
internal sealed partial class ConflictFinder
{
    /// <summary>
    /// <c>if (interval &lt; now - _last) { _last = now; _ = Task.Run(Maintain); }</c> (or the early-exit form
    /// <c>if (now - _last &lt; interval) return; _last = now; _ = Task.Run(Maintain);</c>): a store of the current time
    /// whose only other uses in its function are the comparison that guards it, followed only by fire-and-forget starts
    /// of work. Two callers that pass the check together start the work twice, which the design allows already: a run
    /// started on the previous pass may still be going. A throttle that does anything else after the store (changes
    /// state, awaits or runs the action inline) is still reported.
    /// </summary>
    private bool IsThrottleOfConcurrentWork(SyntaxNode access, ISymbol symbol, CancellationToken cancellationToken)
    {
        var store = StoreAt(access);
        if (store is null || !store.IsKind(SyntaxKind.SimpleAssignmentExpression)
            || store.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax block } statement
            || SharedStateFacts.EnclosingFunction(store) is not { } function)
        {
            return false;
        }

        var model = Facts.ModelFor(store.SyntaxTree);
        var value = StoredValue(store, cancellationToken);
        if (!IsCurrentTime(value))
        {
            return false;
        }

        // The guard: the enclosing 'if' (store in its true branch) or an early exit before the store in the same block.
        ExpressionSyntax? guard = null;
        int index = block.Statements.IndexOf(statement);
        if (block.Parent is IfStatementSyntax { Else: null } enclosing && enclosing.Statement == block)
        {
            guard = enclosing.Condition;
        }
        else
        {
            for (int i = index - 1; i >= 0 && guard is null; i--)
            {
                if (block.Statements[i] is IfStatementSyntax { Else: null } exit && AlwaysExits(exit.Statement))
                {
                    guard = exit.Condition;
                }
            }
        }

        if (guard is null || !IsTimeComparison(guard, symbol, model, cancellationToken))
        {
            return false;
        }

        // After the store: only fire-and-forget starts of work.
        bool started = false;
        for (int i = index + 1; i < block.Statements.Count; i++)
        {
            if (!IsFireAndForgetStart(block.Statements[i], model, cancellationToken))
            {
                return false;
            }

            started = true;
        }

        if (!started)
        {
            return false;
        }

        // No other use of the field in the function than the guard and the store.
        foreach (var name in function.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText == symbol.Name && !guard.Span.Contains(name.Span) && !store.Left.Span.Contains(name.Span)
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, symbol.OriginalDefinition))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A relational comparison that reads the field: <c>d &lt; now - _last</c>, <c>now - _last &gt;= d</c>, <c>_last.AddSeconds(1) &gt; now</c>.</summary>
    private static bool IsTimeComparison(ExpressionSyntax guard, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        while (guard is ParenthesizedExpressionSyntax parenthesized)
        {
            guard = parenthesized.Expression;
        }

        return guard is BinaryExpressionSyntax binary
            && binary.Kind() is SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression or SyntaxKind.GreaterThanExpression or SyntaxKind.GreaterThanOrEqualExpression
            && binary.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == symbol.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, cancellationToken).Symbol?.OriginalDefinition, symbol.OriginalDefinition));
    }

    /// <summary><c>_ = Task.Run(…);</c>, <c>Task.Run(…);</c>, <c>ThreadPool.QueueUserWorkItem(…);</c>, <c>_ = Task.Factory.StartNew(…);</c>.</summary>
    private bool IsFireAndForgetStart(StatementSyntax statement, SemanticModel model, CancellationToken cancellationToken)
    {
        if (statement is not ExpressionStatementSyntax { Expression: var expression })
        {
            return false;
        }

        if (expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" }, Right: var right })
        {
            expression = right;
        }

        if (expression is not InvocationExpressionSyntax invocation || model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return false;
        }

        return method.Name switch
        {
            "Run" => Types.Task.Matches(method.ContainingType),
            "StartNew" => method.ContainingType is { Name: "TaskFactory" },
            "QueueUserWorkItem" or "UnsafeQueueUserWorkItem" => method.ContainingType is { Name: "ThreadPool" },
            _ => false,
        };
    }
}
