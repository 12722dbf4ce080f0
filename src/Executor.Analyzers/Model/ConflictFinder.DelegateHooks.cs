using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Executor.Analyzers;

/// <summary>
/// A delegate hook raised through one copy: the .NET "raise through a copy" pattern, benign by design. A delegate is
/// immutable and the runtime publishes a new object's constructor writes with its reference, so a reader that reads
/// the field once and invokes what it read (<c>_log?.Invoke(m)</c>, <c>var h = _log; h?.Invoke(m)</c>) calls the old
/// or the new delegate, each complete, against a writer that only replaces it (<c>_log = log</c>). A lock would order
/// the two but could not make either outcome more correct. A check-then-invoke that reads twice (<c>if (_log != null)
/// _log(m);</c>, which can throw), a combining store (<c>_log += h</c>, which loses a subscriber), a store that reads
/// the field first, and fields that are not delegates are not of this kind.
/// </summary>
internal sealed partial class ConflictFinder
{
    /// <summary>Whether the pair (the finding's access, another access) is a delegate hook raised through one copy against a lone store replacing it.</summary>
    private bool IsDelegateHookPair(SyntaxNode findingAccess, bool findingWrites, SyntaxNode otherAccess, bool otherWrites, ISymbol symbol, CancellationToken cancellationToken)
    {
        if (symbol is not IFieldSymbol { Type.TypeKind: TypeKind.Delegate } || findingWrites == otherWrites)
        {
            return false;
        }

        var (store, raise) = findingWrites ? (findingAccess, otherAccess) : (otherAccess, findingAccess);
        return IsRaisedThroughOneCopy(raise, symbol, cancellationToken) && IsLoneReplacingStore(store, symbol, cancellationToken);
    }

    /// <summary>A plain store <c>f = v</c> in a function that reads <c>f</c> nowhere else (also not in <c>v</c>): no <c>+=</c>, no <c>Delegate.Combine(f, h)</c>.</summary>
    private bool IsLoneReplacingStore(SyntaxNode access, ISymbol symbol, CancellationToken cancellationToken)
    {
        var store = StoreAt(access);
        return store is not null && store.IsKind(SyntaxKind.SimpleAssignmentExpression) && IsLoneStoreAt(store, symbol, cancellationToken);
    }

    /// <summary>
    /// A read whose value is invoked through the one read: <c>f?.Invoke(…)</c>, or a local copy that is never
    /// reassigned and is only invoked or compared with null (<c>var h = f; if (h != null) h(…);</c>).
    /// </summary>
    private bool IsRaisedThroughOneCopy(SyntaxNode access, ISymbol symbol, CancellationToken cancellationToken)
    {
        if (access is not (IdentifierNameSyntax or MemberAccessExpressionSyntax))
        {
            return false;
        }

        var read = access.Parent is MemberAccessExpressionSyntax qualified && qualified.Name == access ? qualified : access;
        switch (read.Parent)
        {
            case ConditionalAccessExpressionSyntax { WhenNotNull: InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax { Name.Identifier.ValueText: "Invoke" } } } conditional:
                return conditional.Expression == read;
            case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent.Parent: LocalDeclarationStatementSyntax } declarator } initializer when initializer.Value == read:
                var model = Facts.ModelFor(declarator.SyntaxTree);
                return model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol local
                    && !IsReassigned(local, declarator)
                    && OnlyInvokedOrNullTested(local, declarator, model, cancellationToken);
            default:
                return false;
        }
    }

    /// <summary>Every use of the local copy is an invocation (<c>h(…)</c>, <c>h.Invoke(…)</c>, <c>h?.Invoke(…)</c>) or a null test.</summary>
    private static bool OnlyInvokedOrNullTested(ILocalSymbol local, VariableDeclaratorSyntax declarator, SemanticModel model, CancellationToken cancellationToken)
    {
        if (declarator.FirstAncestorOrSelf<BlockSyntax>() is not { } scope)
        {
            return false;
        }

        foreach (var use in scope.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (use.Identifier.ValueText != local.Name || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(use, cancellationToken).Symbol, local))
            {
                continue;
            }

            bool invokedOrTested = use.Parent switch
            {
                InvocationExpressionSyntax invocation => invocation.Expression == use,
                MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Invoke", Parent: InvocationExpressionSyntax } member => member.Expression == use,
                ConditionalAccessExpressionSyntax { WhenNotNull: InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax { Name.Identifier.ValueText: "Invoke" } } } conditional => conditional.Expression == use,
                BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.EqualsExpression) || binary.IsKind(SyntaxKind.NotEqualsExpression)
                    => (binary.Left == use ? binary.Right : binary.Left).IsKind(SyntaxKind.NullLiteralExpression),
                IsPatternExpressionSyntax { Pattern: ConstantPatternSyntax { Expression: LiteralExpressionSyntax nullLiteral } } => nullLiteral.IsKind(SyntaxKind.NullLiteralExpression),
                IsPatternExpressionSyntax { Pattern: UnaryPatternSyntax { Pattern: ConstantPatternSyntax { Expression: LiteralExpressionSyntax notNull } } } => notNull.IsKind(SyntaxKind.NullLiteralExpression),
                _ => false,
            };

            if (!invokedOrTested)
            {
                return false;
            }
        }

        return true;
    }
}
