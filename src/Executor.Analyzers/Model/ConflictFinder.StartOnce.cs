using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>Registrations made once per object behind an atomic state change that nothing undoes.</summary>
internal sealed partial class ConflictFinder
{
    /// <summary>
    /// Whether the registration runs only in the branch that won <c>Interlocked.CompareExchange(ref _state, next, initial)
    /// == initial</c> (or after <c>if (Interlocked.CompareExchange(ref _state, next, initial) != initial) return;</c>, or
    /// the same with <c>Interlocked.Exchange(ref _state, next)</c>), and no code outside construction stores
    /// <c>initial</c> into the instance field again: one thread, once per object, gets to register.
    /// </summary>
    private bool IsStartedOnceByExchange(Registration registration, CancellationToken cancellationToken)
    {
        var registrationSyntax = registration.Operation.Syntax;
        var model = Facts.ModelFor(registrationSyntax.SyntaxTree);
        for (SyntaxNode? child = registrationSyntax, parent = registrationSyntax.Parent; parent is not null && parent is not MemberDeclarationSyntax; child = parent, parent = parent.Parent)
        {
            if (parent is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return false;
            }

            if (parent is IfStatementSyntax test && child == test.Statement
                && WonExchange(test.Condition, won: true, model, cancellationToken) is { } winning
                && !StoresAgain(winning.Field, winning.Initial, cancellationToken))
            {
                return true;
            }

            if (parent is BlockSyntax block && child is StatementSyntax statement)
            {
                foreach (var before in block.Statements)
                {
                    if (before == statement)
                    {
                        break;
                    }

                    if (before is IfStatementSyntax { Else: null } exit && AlwaysExits(exit.Statement)
                        && WonExchange(exit.Condition, won: false, model, cancellationToken) is { } lost
                        && !StoresAgain(lost.Field, lost.Initial, cancellationToken))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a later call of the registering member can skip the registration because an earlier call started it,
    /// so a write its caller made before calling it goes to work (or a callback) already running: the work's task kept
    /// in a field tested first or assigned with <c>??=</c> (<see cref="IsStartedOnce"/>), or a guard on state the
    /// member itself changes, tested before the registration: an <c>Interlocked</c> exchange the caller must win
    /// (<c>if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;</c>) or a flag it sets
    /// (<c>if (_started) return; _started = true;</c>, <c>if (!_started) { _started = true; … }</c>). Unlike
    /// <see cref="IsStartedOnceByExchange"/>, a reset elsewhere does not matter: a call made while the work runs skips
    /// the registration all the same.
    /// </summary>
    private bool IsBehindStartGuard(Registration registration, CancellationToken cancellationToken)
        => _startGuarded.GetOrAdd(registration.Operation.Syntax, _ =>
            registration.Work is not null && IsStartedOnce(registration, cancellationToken)
                || IsBehindStartGuardUncached(registration, cancellationToken));

    private bool IsBehindStartGuardUncached(Registration registration, CancellationToken cancellationToken)
    {
        if (registration.Member is not { } member)
        {
            return false;
        }

        var registrationSyntax = registration.Operation.Syntax;
        var model = Facts.ModelFor(registrationSyntax.SyntaxTree);
        for (SyntaxNode? child = registrationSyntax, parent = registrationSyntax.Parent; parent is not null && parent != member; child = parent, parent = parent.Parent)
        {
            if (parent is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return false;
            }

            if (parent is IfStatementSyntax { Else: null } test && child == test.Statement
                && (WonExchange(test.Condition, won: true, model, cancellationToken) is not null
                    || TestedFlag(test.Condition, whenSet: false, model, cancellationToken) is { } cleared && SetsFlag(member, cleared, model, cancellationToken)))
            {
                return true;
            }

            if (parent is BlockSyntax block && child is StatementSyntax statement)
            {
                foreach (var before in block.Statements)
                {
                    if (before == statement)
                    {
                        break;
                    }

                    if (before is IfStatementSyntax { Else: null } exit && AlwaysExits(exit.Statement)
                        && (WonExchange(exit.Condition, won: false, model, cancellationToken) is not null
                            || TestedFlag(exit.Condition, whenSet: true, model, cancellationToken) is { } set && SetsFlag(member, set, model, cancellationToken)))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The <c>bool</c> field of this object (or a static) that <paramref name="condition"/> is: <c>_started</c> when
    /// <paramref name="whenSet"/>, <c>!_started</c> otherwise. Null for any other condition.
    /// </summary>
    private static IFieldSymbol? TestedFlag(ExpressionSyntax condition, bool whenSet, SemanticModel model, CancellationToken cancellationToken)
    {
        var tested = model.GetOperation(condition, cancellationToken) is { } operation ? Strip(operation) : null;
        if (!whenSet)
        {
            tested = tested is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not ? Strip(not.Operand) : null;
        }

        return tested is IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation, Field: { Type.SpecialType: SpecialType.System_Boolean } field }
            ? field.OriginalDefinition
            : null;
    }

    /// <summary>Whether <paramref name="member"/> stores <c>true</c> into <paramref name="flag"/> (outside lambdas and local functions).</summary>
    private static bool SetsFlag(SyntaxNode member, IFieldSymbol flag, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var assignment in member.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<AssignmentExpressionSyntax>())
        {
            if (assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && assignment.Right.IsKind(SyntaxKind.TrueLiteralExpression)
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol?.OriginalDefinition, flag))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The field and its initial value when <paramref name="condition"/> is true exactly for the thread that changed it
    /// (<paramref name="won"/>) or exactly for the others: <c>Interlocked.CompareExchange(ref f, next, initial) ==/!=
    /// initial</c>, <c>Interlocked.Exchange(ref f, next) ==/!= initial</c>, next and initial different constants.
    /// </summary>
    private (IFieldSymbol Field, object? Initial)? WonExchange(ExpressionSyntax condition, bool won, SemanticModel model, CancellationToken cancellationToken)
    {
        while (condition is ParenthesizedExpressionSyntax parenthesized)
        {
            condition = parenthesized.Expression;
        }

        if (model.GetOperation(condition, cancellationToken) is not IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary
            || binary.OperatorKind == BinaryOperatorKind.Equals != won)
        {
            return null;
        }

        var call = Strip(binary.LeftOperand) as IInvocationOperation ?? Strip(binary.RightOperand) as IInvocationOperation;
        var compared = call == Strip(binary.LeftOperand) ? binary.RightOperand : binary.LeftOperand;
        if (call is null || !Types.Interlocked.Matches(call.TargetMethod.ContainingType)
            || !compared.ConstantValue.HasValue
            || call.Arguments.Length < 2
            || Strip(call.Arguments[0].Value) is not IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation, Field: { } field }
            || !call.Arguments[1].Value.ConstantValue.HasValue)
        {
            return null;
        }

        var next = call.Arguments[1].Value.ConstantValue.Value;
        var initial = compared.ConstantValue.Value;
        switch (call.TargetMethod.Name)
        {
            case "CompareExchange" when call.Arguments.Length == 3 && call.Arguments[2].Value.ConstantValue is { HasValue: true } expected && Equals(expected.Value, initial):
            case "Exchange" when call.Arguments.Length == 2:
                return Equals(next, initial) ? null : (field.OriginalDefinition, initial);
            default:
                return null;
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(IFieldSymbol Field, object? Initial), bool> _storesAgain = new();

    /// <summary>Whether code outside constructors and initializers of the field's type stores <paramref name="initial"/> into it (a plain store or an <c>Interlocked</c> call); one scan of the type per field and value.</summary>
    private bool StoresAgain(IFieldSymbol field, object? initial, CancellationToken cancellationToken)
        => _storesAgain.GetOrAdd((field, initial), key => ScanStoresAgain(key.Field, key.Initial, cancellationToken));

    private bool ScanStoresAgain(IFieldSymbol field, object? initial, CancellationToken cancellationToken)
    {
        foreach (var reference in field.ContainingType.DeclaringSyntaxReferences)
        {
            var type = reference.GetSyntax(cancellationToken);
            var model = Facts.ModelFor(type.SyntaxTree);
            foreach (var name in type.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (name.Identifier.ValueText != field.Name || name.FirstAncestorOrSelf<MemberDeclarationSyntax>() is ConstructorDeclarationSyntax or FieldDeclarationSyntax)
                {
                    continue;
                }

                SyntaxNode target = name.Parent is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } member && member.Name == name ? member : name;
                object? stored = null;
                bool store = false;
                if (target.Parent is AssignmentExpressionSyntax assignment && assignment.Left == target)
                {
                    store = true;
                    var constant = model.GetConstantValue(assignment.Right, cancellationToken);
                    stored = constant.HasValue ? constant.Value : null;
                    if (!constant.HasValue || !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression))
                    {
                        return true;
                    }
                }
                else if (target.Parent is ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword } argument
                    && argument.Parent?.Parent is InvocationExpressionSyntax invocation
                    && model.GetOperation(invocation, cancellationToken) is IInvocationOperation { Arguments.Length: >= 2 } call)
                {
                    if (!Types.Interlocked.Matches(call.TargetMethod.ContainingType) || !call.Arguments[1].Value.ConstantValue.HasValue)
                    {
                        // Passed by reference elsewhere, or an update that is not a constant store: may store anything.
                        return true;
                    }

                    store = true;
                    stored = call.Arguments[1].Value.ConstantValue.Value;
                }

                if (store && Equals(stored, initial))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
