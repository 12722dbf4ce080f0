using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Executor.Analyzers;

/// <summary>
/// Modes fixed at construction: a member that refuses (throws) once a readonly field is set cannot run on an object
/// whose callback or work was registered only with that field set.
/// </summary>
internal sealed partial class ConflictFinder
{
    /// <summary>
    /// Whether <paramref name="access"/> sits after a guard <c>if (_f is not null) throw …;</c> at the top of its member
    /// (a disjunct of the condition, <c>_f</c> a readonly field of this object), while the registration runs only where
    /// <c>_f</c> is known to be set: inside <c>if (_f != null …)</c>, after <c>Debug.Assert(_f is not null)</c> or after
    /// <c>if (_f is null) return;</c>. A readonly field never changes after construction, so on an object whose callback
    /// exists the member always throws before it reaches the access (Npgsql's <c>Password</c> setter against its periodic
    /// password refresh).
    /// </summary>
    private bool RefusesOnceRegistered(StateAccess access, Registration registration, CancellationToken cancellationToken)
    {
        if (access.Function is not null || access.Member is null || registration.Member is null)
        {
            return false;
        }

        var body = access.Syntax.FirstAncestorOrSelf<AccessorDeclarationSyntax>()?.Body
            ?? (access.Member as BaseMethodDeclarationSyntax)?.Body;
        if (body is null || !body.Span.Contains(access.Syntax.Span))
        {
            return false;
        }

        var model = Facts.ModelFor(body.SyntaxTree);
        List<IFieldSymbol>? guards = null;
        foreach (var statement in body.Statements)
        {
            if (statement.Span.Contains(access.Syntax.Span))
            {
                break;
            }

            if (statement is IfStatementSyntax { Else: null } guard && AlwaysThrows(guard.Statement))
            {
                foreach (var disjunct in Split(guard.Condition, SyntaxKind.LogicalOrExpression))
                {
                    if (TestedField(disjunct, notNull: true, model, cancellationToken) is { IsReadOnly: true, IsStatic: false } field)
                    {
                        (guards ??= new List<IFieldSymbol>()).Add(field);
                    }
                }
            }
        }

        if (guards is null || registration.Operation.Syntax is not { } registrationSyntax
            || model.GetDeclaredSymbol(access.Member, cancellationToken) is not { } member
            || !SymbolEqualityComparer.Default.Equals(member.ContainingType, guards[0].ContainingType))
        {
            return false;
        }

        var registrationModel = Facts.ModelFor(registrationSyntax.SyntaxTree);
        foreach (var field in guards)
        {
            if (KnownSetAt(registrationSyntax, registration.Member, field, registrationModel, cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="field"/> is known not to be null where <paramref name="node"/> runs, from the statements of its member that enclose or precede it.</summary>
    private static bool KnownSetAt(SyntaxNode node, SyntaxNode member, IFieldSymbol field, SemanticModel model, CancellationToken cancellationToken)
    {
        for (SyntaxNode? child = node, parent = node.Parent; parent is not null && child != member; child = parent, parent = parent.Parent)
        {
            if (parent is IfStatementSyntax test && child == test.Statement)
            {
                foreach (var conjunct in Split(test.Condition, SyntaxKind.LogicalAndExpression))
                {
                    if (Same(TestedField(conjunct, notNull: true, model, cancellationToken), field))
                    {
                        return true;
                    }
                }
            }
            else if (parent is BlockSyntax block && child is StatementSyntax statement)
            {
                foreach (var before in block.Statements)
                {
                    if (before == statement)
                    {
                        break;
                    }

                    if (AssertsSet(before, field, model, cancellationToken) || ExitsWhenUnset(before, field, model, cancellationToken))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary><c>Debug.Assert(_f is not null …)</c>.</summary>
    private static bool AssertsSet(StatementSyntax statement, IFieldSymbol field, SemanticModel model, CancellationToken cancellationToken)
    {
        if (statement is not ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { ArgumentList.Arguments: { Count: > 0 } arguments } call }
            || call.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Assert" }
            || model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol { ContainingType: { Name: "Debug" or "Trace", ContainingNamespace: { Name: "Diagnostics", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } })
        {
            return false;
        }

        foreach (var conjunct in Split(arguments[0].Expression, SyntaxKind.LogicalAndExpression))
        {
            if (Same(TestedField(conjunct, notNull: true, model, cancellationToken), field))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>if (_f is null …) return;</c> (or throw): a disjunct of the condition tests the field for null.</summary>
    private static bool ExitsWhenUnset(StatementSyntax statement, IFieldSymbol field, SemanticModel model, CancellationToken cancellationToken)
    {
        if (statement is not IfStatementSyntax { Else: null } test || !AlwaysExits(test.Statement))
        {
            return false;
        }

        foreach (var disjunct in Split(test.Condition, SyntaxKind.LogicalOrExpression))
        {
            if (Same(TestedField(disjunct, notNull: false, model, cancellationToken), field))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Same(IFieldSymbol? a, IFieldSymbol b) => a is not null && SymbolEqualityComparer.Default.Equals(a, b);

    private static bool AlwaysThrows(StatementSyntax statement) => statement switch
    {
        ThrowStatementSyntax => true,
        ExpressionStatementSyntax { Expression: ThrowExpressionSyntax } => true,
        BlockSyntax { Statements: { Count: > 0 } statements } => AlwaysThrows(statements[statements.Count - 1]),
        _ => false,
    };

    private static bool AlwaysExits(StatementSyntax statement) => statement switch
    {
        ThrowStatementSyntax or ReturnStatementSyntax => true,
        BlockSyntax { Statements: { Count: > 0 } statements } => AlwaysExits(statements[statements.Count - 1]),
        _ => false,
    };

    /// <summary>The operands of a chain of <paramref name="kind"/> (<c>||</c> or <c>&amp;&amp;</c>), parentheses removed.</summary>
    private static IEnumerable<ExpressionSyntax> Split(ExpressionSyntax expression, SyntaxKind kind)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        if (expression is BinaryExpressionSyntax binary && binary.IsKind(kind))
        {
            foreach (var left in Split(binary.Left, kind))
            {
                yield return left;
            }

            foreach (var right in Split(binary.Right, kind))
            {
                yield return right;
            }
        }
        else
        {
            yield return expression;
        }
    }

    /// <summary>
    /// The field of this object that <paramref name="test"/> compares with null: <c>_f is not null</c>, <c>_f != null</c>,
    /// <c>!(_f is null)</c> when <paramref name="notNull"/>; <c>_f is null</c>, <c>_f == null</c> otherwise.
    /// </summary>
    private static IFieldSymbol? TestedField(ExpressionSyntax test, bool notNull, SemanticModel model, CancellationToken cancellationToken)
    {
        while (test is ParenthesizedExpressionSyntax parenthesized)
        {
            test = parenthesized.Expression;
        }

        ExpressionSyntax? operand = null;
        switch (test)
        {
            case PrefixUnaryExpressionSyntax not when not.IsKind(SyntaxKind.LogicalNotExpression):
                return TestedField(not.Operand, !notNull, model, cancellationToken);
            case IsPatternExpressionSyntax { Pattern: UnaryPatternSyntax { Pattern: ConstantPatternSyntax { Expression: LiteralExpressionSyntax nullLiteral } } negated }
                when notNull && negated.IsKind(SyntaxKind.NotPattern) && nullLiteral.IsKind(SyntaxKind.NullLiteralExpression):
                operand = ((IsPatternExpressionSyntax)test).Expression;
                break;
            case IsPatternExpressionSyntax { Pattern: ConstantPatternSyntax { Expression: LiteralExpressionSyntax nullLiteral } } pattern
                when !notNull && nullLiteral.IsKind(SyntaxKind.NullLiteralExpression):
                operand = pattern.Expression;
                break;
            case BinaryExpressionSyntax binary when binary.IsKind(notNull ? SyntaxKind.NotEqualsExpression : SyntaxKind.EqualsExpression):
                operand = binary.Right.IsKind(SyntaxKind.NullLiteralExpression) ? binary.Left
                    : binary.Left.IsKind(SyntaxKind.NullLiteralExpression) ? binary.Right
                    : null;
                break;
        }

        if (operand is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } member)
        {
            operand = member.Name;
        }

        return operand is IdentifierNameSyntax name && model.GetSymbolInfo(name, cancellationToken).Symbol is IFieldSymbol field ? field : null;
    }
}
