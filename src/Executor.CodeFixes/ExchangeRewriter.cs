using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Executor.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Executor.CodeFixes;

/// <summary>
/// Rewrites a read-then-clear of a flag or a reference into one <c>Interlocked.Exchange</c>: <c>if (_seen) { _seen =
/// false; … }</c> becomes <c>if (Interlocked.Exchange(ref _seen, false)) { … }</c>, and <c>var t = _timer; _timer =
/// null;</c> becomes <c>var t = Interlocked.Exchange(ref _timer, null);</c>. The read and the clear were two steps a
/// store from another thread could fall between (that store is lost, or two threads both take the old value); the
/// exchange is one. Offered only when every side of the race the diagnostic names is such a site, a plain store in a
/// function that does not read the value, a plain read, or already <c>Interlocked</c>/<c>Volatile</c>, and when the
/// type has an <c>Exchange</c> overload on the target framework (<c>bool</c> and enums need .NET 9's unconstrained
/// <c>Exchange&lt;T&gt;</c>).
/// </summary>
internal static class ExchangeRewriter
{
    /// <summary>One edit: replace <see cref="Original"/> with <see cref="Replacement"/>, or remove it when that is null.</summary>
    internal readonly struct Edit
    {
        public Edit(SyntaxNode original, SyntaxNode? replacement)
        {
            Original = original;
            Replacement = replacement;
        }

        public SyntaxNode Original { get; }

        public SyntaxNode? Replacement { get; }
    }

    /// <summary>The edits that make every side atomic, or null when this fix does not apply.</summary>
    public static List<Edit>? Rewrite(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var locations = new List<Location> { diagnostic.Location };
        locations.AddRange(diagnostic.AdditionalLocations);
        ISymbol? symbol = null;
        var sides = new List<ExpressionSyntax>();
        foreach (var location in locations)
        {
            if (location.SourceTree != root.SyntaxTree || !root.FullSpan.Contains(location.SourceSpan))
            {
                return null;
            }

            var node = root.FindNode(location.SourceSpan, getInnermostNodeForTie: true);
            if (node.AncestorsAndSelf().OfType<ExpressionSyntax>().FirstOrDefault(e => e.Span == location.SourceSpan) is not { } expression)
            {
                return null;
            }

            var target = expression is AssignmentExpressionSyntax assignment ? assignment.Left : expression;
            var named = model.GetSymbolInfo(target, cancellationToken).Symbol;
            if (expression is InvocationExpressionSyntax)
            {
                named = null;
            }
            else if (named is null || (symbol is not null && !SymbolEqualityComparer.Default.Equals(symbol, named)))
            {
                return null;
            }

            symbol ??= named;
            sides.Add(expression);
        }

        if (symbol is not (IFieldSymbol { IsReadOnly: false, IsVolatile: false, IsConst: false } or ILocalSymbol { IsRef: false, IsConst: false } or IParameterSymbol { RefKind: RefKind.None })
            || !HasExchange(TypeOf(symbol), model.Compilation))
        {
            return null;
        }

        var edits = new List<Edit>();
        var sites = new HashSet<SyntaxNode>();
        foreach (var side in sides)
        {
            if (side is InvocationExpressionSyntax invocation)
            {
                if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol { ContainingType: { Name: "Interlocked" or "Volatile", ContainingNamespace.Name: "Threading" } })
                {
                    return null;
                }

                continue;
            }

            if (FindSite(side, symbol, model, cancellationToken) is { } site)
            {
                if (sites.Add(site.Read))
                {
                    edits.Add(new Edit(site.Read, site.Exchange));
                    edits.Add(new Edit(site.Clear, null));
                }

                continue;
            }

            if (!IsPlainReadOrLoneStore(side, symbol, model, cancellationToken))
            {
                return null;
            }
        }

        return edits.Count == 0 ? null : edits;
    }

    private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        IFieldSymbol field => field.Type,
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => null,
    };

    /// <summary>Whether <c>Interlocked.Exchange</c> binds for the type: its own overload, the class-constrained generic for references, or .NET 9's unconstrained generic for primitives and enums.</summary>
    private static bool HasExchange(ITypeSymbol? type, Compilation compilation)
    {
        if (type is null || type is ITypeParameterSymbol || compilation.GetTypeByMetadataName("System.Threading.Interlocked") is not { } interlocked)
        {
            return false;
        }

        var exchanges = interlocked.GetMembers("Exchange").OfType<IMethodSymbol>().Where(m => m.Parameters.Length == 2).ToList();
        if (exchanges.Any(m => !m.IsGenericMethod && SymbolEqualityComparer.Default.Equals(m.Parameters[0].Type, type)))
        {
            return true;
        }

        var generic = exchanges.FirstOrDefault(m => m.IsGenericMethod);
        if (generic is null)
        {
            return false;
        }

        if (type.IsReferenceType)
        {
            return true;
        }

        bool primitiveOrEnum = type.TypeKind == TypeKind.Enum || type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_Double or SpecialType.System_IntPtr or SpecialType.System_UIntPtr;
        return primitiveOrEnum && !generic.TypeParameters[0].HasReferenceTypeConstraint && !generic.TypeParameters[0].HasValueTypeConstraint;
    }

    private readonly struct Site
    {
        public Site(ExpressionSyntax read, ExpressionSyntax exchange, StatementSyntax clear)
        {
            Read = read;
            Exchange = exchange;
            Clear = clear;
        }

        public ExpressionSyntax Read { get; }

        public ExpressionSyntax Exchange { get; }

        public StatementSyntax Clear { get; }
    }

    /// <summary>
    /// The read-then-clear site <paramref name="access"/> belongs to, from its read or its clear: an <c>if</c> testing
    /// the value whose branch taken when the value is not the cleared one starts with the clear, or a local initialized
    /// from the value and directly followed by the clear. Nothing else in the function may touch the value.
    /// </summary>
    private static Site? FindSite(ExpressionSyntax access, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        var candidates = new List<ExpressionSyntax>();
        if (access is AssignmentExpressionSyntax { Parent: ExpressionStatementSyntax clearStatement } && IsClear(clearStatement, symbol, model, cancellationToken) is not null)
        {
            // From the clear, find the read: the preceding declaration, or the condition of the enclosing if.
            if (clearStatement.Parent is BlockSyntax block && block.Statements.IndexOf(clearStatement) is var index and > 0
                && block.Statements[index - 1] is LocalDeclarationStatementSyntax { Declaration.Variables: { Count: 1 } variables }
                && variables[0].Initializer?.Value is { } value)
            {
                candidates.Add(value);
            }

            var branch = clearStatement.Parent is BlockSyntax b ? b.Parent : clearStatement.Parent;
            var ifStatement = branch as IfStatementSyntax ?? (branch as ElseClauseSyntax)?.Parent as IfStatementSyntax;
            if (ifStatement is not null)
            {
                candidates.AddRange(ifStatement.Condition.DescendantNodesAndSelf().OfType<ExpressionSyntax>().Where(e => e is IdentifierNameSyntax or MemberAccessExpressionSyntax));
            }
        }
        else
        {
            candidates.Add(access);
        }

        foreach (var read in candidates)
        {
            if (ReadSite(read, symbol, model, cancellationToken) is { } site && (site.Read.Span.Contains(access.Span) || site.Clear.Span.Contains(access.Span)))
            {
                return site;
            }
        }

        return null;
    }

    private static Site? ReadSite(ExpressionSyntax read, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        if (read.Parent is MemberAccessExpressionSyntax parentAccess && parentAccess.Name == read)
        {
            read = parentAccess;
        }

        if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(read, cancellationToken).Symbol, symbol))
        {
            return null;
        }

        StatementSyntax? clear = null;
        ExpressionSyntax? value = null;
        if (read.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax declaration } } }
            && declaration.Parent is BlockSyntax block && block.Statements.IndexOf(declaration) is var index && index + 1 < block.Statements.Count
            && IsClear(block.Statements[index + 1], symbol, model, cancellationToken) is { } cleared)
        {
            // var t = _x; _x = v;  →  var t = Interlocked.Exchange(ref _x, v);
            clear = block.Statements[index + 1];
            value = cleared;
        }
        else if (IfTest(read, symbol, model, cancellationToken) is { } test)
        {
            clear = test.Clear;
            value = test.Value;
        }

        if (clear is null || value is null || !OnlyAccessesInFunction(read, clear, symbol, model, cancellationToken))
        {
            return null;
        }

        var interlocked = ParseTypeName("System.Threading.Interlocked").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        var exchange = InvocationExpression(
            MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, interlocked, IdentifierName("Exchange")),
            ArgumentList(SeparatedList(new[]
            {
                Argument(read.WithoutTrivia()).WithRefKindKeyword(Token(SyntaxKind.RefKeyword)),
                Argument(value.WithoutTrivia()),
            })));
        return new Site(read, exchange.WithTriviaFrom(read).WithAdditionalAnnotations(Formatter.Annotation), clear);
    }

    /// <summary>
    /// For a read that is the test of an <c>if</c> (<c>x</c>, <c>!x</c>, <c>x != K</c>, <c>x == K</c>, <c>x is null</c>,
    /// <c>x is not null</c>): the clear <c>x = K;</c> that starts the branch taken when the value is not K, with K.
    /// The other branch runs only when the value already was K, where the exchange changes nothing.
    /// </summary>
    private static (StatementSyntax Clear, ExpressionSyntax Value)? IfTest(ExpressionSyntax read, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        var node = (ExpressionSyntax)read;
        bool takenWhenSet;
        ExpressionSyntax? constant = null;
        switch (node.Parent)
        {
            case IfStatementSyntax:
                takenWhenSet = true;
                break;
            case PrefixUnaryExpressionSyntax not when !not.IsKind(SyntaxKind.LogicalNotExpression):
                return null;
            case PrefixUnaryExpressionSyntax not:
                takenWhenSet = false;
                node = not;
                break;
            case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.NotEqualsExpression) || binary.IsKind(SyntaxKind.EqualsExpression):
                constant = binary.Left == node ? binary.Right : binary.Left;
                takenWhenSet = binary.IsKind(SyntaxKind.NotEqualsExpression);
                node = binary;
                break;
            case IsPatternExpressionSyntax { Pattern: ConstantPatternSyntax constantPattern } isPattern:
                constant = constantPattern.Expression;
                takenWhenSet = false;
                node = isPattern;
                break;
            case IsPatternExpressionSyntax { Pattern: UnaryPatternSyntax { Pattern: ConstantPatternSyntax constantPattern } unary } isPattern when unary.OperatorToken.IsKind(SyntaxKind.NotKeyword):
                constant = constantPattern.Expression;
                takenWhenSet = true;
                node = isPattern;
                break;
            default:
                return null;
        }

        if (constant is null && TypeOf(symbol)?.SpecialType != SpecialType.System_Boolean)
        {
            return null;
        }

        if (node.Parent is not IfStatementSyntax ifStatement || ifStatement.Condition != node)
        {
            return null;
        }

        var branch = takenWhenSet ? ifStatement.Statement : ifStatement.Else?.Statement;
        if (branch is not BlockSyntax { Statements.Count: > 1 } body || body.Statements[0] is not { } first || IsClear(first, symbol, model, cancellationToken) is not { } value)
        {
            return null;
        }

        // The clear must store the value the test compares with (false for a bool test).
        var stored = model.GetConstantValue(value, cancellationToken);
        var expected = constant is null ? new Optional<object?>(false) : model.GetConstantValue(constant, cancellationToken);
        if (!stored.HasValue || !expected.HasValue || !Equals(stored.Value, expected.Value))
        {
            return null;
        }

        return (first, value);
    }

    /// <summary>The stored value when <paramref name="statement"/> is <c>x = v;</c> with v a constant, <c>default</c>, a local or a parameter (nothing to evaluate that could observe the order).</summary>
    private static ExpressionSyntax? IsClear(StatementSyntax statement, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        if (statement is not ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment } || !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
            || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol, symbol))
        {
            return null;
        }

        var value = assignment.Right;
        bool simple = model.GetConstantValue(value, cancellationToken).HasValue
            || value is LiteralExpressionSyntax or DefaultExpressionSyntax
            || (value is IdentifierNameSyntax && model.GetSymbolInfo(value, cancellationToken).Symbol is ILocalSymbol or IParameterSymbol);
        return simple ? value : null;
    }

    /// <summary>Whether the site's read and clear are the function's only accesses of the value (besides Interlocked/Volatile calls).</summary>
    private static bool OnlyAccessesInFunction(ExpressionSyntax read, SyntaxNode clear, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        var function = SharedStateFacts.EnclosingFunction(read);
        if (function is null)
        {
            return false;
        }

        foreach (var identifier in function.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText != symbol.Name || read.Span.Contains(identifier.Span) || clear.Span.Contains(identifier.Span))
            {
                continue;
            }

            if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, symbol) && !IsInsideAtomicCall(identifier, model, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A plain read, or a plain store statement in a function that does not otherwise read the value (not a check-then-act).</summary>
    private static bool IsPlainReadOrLoneStore(ExpressionSyntax side, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        if (side is AssignmentExpressionSyntax assignment)
        {
            return assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
                && assignment.Parent is ExpressionStatementSyntax or ArrowExpressionClauseSyntax or LambdaExpressionSyntax
                && !assignment.Right.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(i => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(i, cancellationToken).Symbol, symbol))
                && OnlyAccessesInFunction(assignment.Left, assignment, symbol, model, cancellationToken);
        }

        return side is IdentifierNameSyntax or MemberAccessExpressionSyntax && VolatileRewriter.IsPlainRead(side, symbol, model, cancellationToken);
    }

    private static bool IsInsideAtomicCall(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
        => node.Ancestors().OfType<InvocationExpressionSyntax>().FirstOrDefault() is { } invocation
            && invocation.ArgumentList.Arguments.Any(a => a.Span.Contains(node.Span) && !a.RefKindKeyword.IsKind(SyntaxKind.None))
            && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol { ContainingType: { Name: "Interlocked" or "Volatile", ContainingNamespace.Name: "Threading" } };
}
