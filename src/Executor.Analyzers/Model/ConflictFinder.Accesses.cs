using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>The other accesses to the same storage: collected once per symbol and scope, each classified (read, write, atomic) with its locks and position.</summary>
internal sealed partial class ConflictFinder
{
    /// <summary>
    /// The accesses to the finding's storage outside the callback: for a field or property, in the declarations of
    /// its type and of the callback's type; for a captured variable (or an object reached through one), in its member.
    /// </summary>
    private List<AccessCandidate> AccessesOf(CallbackFinding finding, Registration registration, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        var symbol = finding.Symbol;
        var result = new List<AccessCandidate>();
        if (symbol is ILocalSymbol or IParameterSymbol)
        {
            if (symbol.DeclaringSyntaxReferences.Length == 1 && SharedStateFacts.EnclosingMember(symbol.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken)) is { } member)
            {
                result.AddRange(_accesses.GetOrCompute((Symbol: symbol, Scope: member), key => Collect(key.Symbol, key.Scope, null, cancellationToken), cancellationToken));
            }

            return result;
        }

        if (finding.ReceiverRoot is ILocalSymbol root)
        {
            // An object held in a local: only code that reaches it through the same local can touch the same object.
            if (root.DeclaringSyntaxReferences.Length == 1 && SharedStateFacts.EnclosingMember(root.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken)) is { } member)
            {
                result.AddRange(_accessesThroughLocal.GetOrCompute((Symbol: symbol, Scope: member, Root: root), key => Collect(key.Symbol, key.Scope, key.Root, cancellationToken), cancellationToken));
            }

            return result;
        }

        var scopes = new List<SyntaxNode>();
        AddTypeScopes(scopes, symbol.ContainingType, cancellationToken);
        if (callbackRoot.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } callbackType && !scopes.Exists(s => s.Span.Contains(callbackType.Span) && s.SyntaxTree == callbackType.SyntaxTree))
        {
            scopes.Add(callbackType);
        }

        foreach (var scope in scopes)
        {
            result.AddRange(_accesses.GetOrCompute((Symbol: symbol.OriginalDefinition, Scope: scope), key => Collect(key.Symbol, key.Scope, null, cancellationToken), cancellationToken));
        }

        return result;
    }

    private void AddTypeScopes(List<SyntaxNode> scopes, INamedTypeSymbol? type, CancellationToken cancellationToken)
    {
        if (type is null)
        {
            return;
        }

        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax(cancellationToken);
            if (Facts.IsInCompilation(syntax.SyntaxTree))
            {
                scopes.Add(syntax);
            }
        }
    }

    /// <summary>
    /// The places in <paramref name="scope"/> that name <paramref name="symbol"/>, found in the text. Each is bound and
    /// classified only when a finding needs it (<see cref="AccessCandidate.Access"/>): binding a node binds its whole
    /// member, and an access that a <c>lock</c> around it already orders with the finding needs no binding.
    /// </summary>
    private List<AccessCandidate> Collect(ISymbol symbol, SyntaxNode scope, ILocalSymbol? throughLocal, CancellationToken cancellationToken)
    {
        var result = new List<AccessCandidate>();
        string text = Facts.TextOf(scope.SyntaxTree, cancellationToken);
        foreach (var token in TextSearch.TokensNamed(scope, text, symbol.Name))
        {
            if (token.Parent is not IdentifierNameSyntax name)
            {
                continue;
            }

            SyntaxNode node = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access
                : name.Parent is MemberBindingExpressionSyntax binding ? binding
                : name;
            result.Add(new AccessCandidate(node, LockNamesAround(node), token => Classify(node, scope, symbol, throughLocal, token)));
        }

        return result;
    }

    /// <summary>The access a candidate makes, or null when it is not one (another symbol of the same name, <c>nameof</c>, an initializer's member, another local's object).</summary>
    private StateAccess? Classify(SyntaxNode node, SyntaxNode scope, ISymbol symbol, ILocalSymbol? throughLocal, CancellationToken cancellationToken)
    {
        var operation = Facts.ModelFor(scope.SyntaxTree).GetOperation(node, cancellationToken);
        if (operation is null || !SymbolEqualityComparer.Default.Equals(ReferencedSymbol(operation)?.OriginalDefinition, symbol.OriginalDefinition))
        {
            return null;
        }

        if (IsInNameOf(operation))
        {
            // 'nameof(_count)' names the field; it does not read it.
            return null;
        }

        if (IsLockedObject(operation))
        {
            // 'lock (_items) { … }' takes the object's monitor; it does not read or change the collection.
            return null;
        }

        if (InstanceOf(operation) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver })
        {
            // A member set by an object initializer or 'with' expression: a fresh object, not the shared one.
            return null;
        }

        if (throughLocal is not null && !SymbolEqualityComparer.Default.Equals(CallbackWalker.RootVariable(InstanceOf(operation)), throughLocal))
        {
            return null;
        }

        return Describe(operation, node, scope, symbol, cancellationToken);
    }

    /// <summary>
    /// The lock objects named by the <c>lock (name)</c> and <c>lock (this.name)</c> statements whose body holds
    /// <paramref name="node"/>, up to the lambda, local function or query around it (a lock outside a function is not
    /// held when it runs; <see cref="LockRegions.GetHeldLocks"/> stops there too).
    /// </summary>
    private static List<IdentifierNameSyntax>? LockNamesAround(SyntaxNode node)
    {
        List<IdentifierNameSyntax>? names = null;
        var child = node;
        for (var parent = node.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            if (parent is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or QueryExpressionSyntax or MemberDeclarationSyntax)
            {
                break;
            }

            if (parent is LockStatementSyntax lockStatement && child == lockStatement.Statement)
            {
                var name = lockStatement.Expression switch
                {
                    IdentifierNameSyntax simple => simple,
                    MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax member } => member,
                    _ => null,
                };
                if (name is not null)
                {
                    (names ??= new List<IdentifierNameSyntax>()).Add(name);
                }
            }
        }

        return names;
    }

    /// <summary>
    /// Whether the syntax alone shows that a candidate holds a lock the finding holds: a <c>lock</c> statement around it
    /// on the same field or property (<see cref="SharedStateFacts.IsUnambiguousReference"/>). Its access, bound, would
    /// hold that lock (<see cref="LockRegions.KeyOf"/>: a member of this object, full coverage), so
    /// <see cref="ShareLock"/> would skip it: it is skipped without binding its member.
    /// </summary>
    private bool HoldsFindingLock(AccessCandidate candidate, List<HeldLock> ours)
    {
        if (candidate.LockNames is null)
        {
            return false;
        }

        foreach (var name in candidate.LockNames)
        {
            foreach (var mine in ours)
            {
                if (mine.Kind == LockKind.Member && mine.Symbol is IFieldSymbol or IPropertySymbol
                    && mine.Symbol.Name == name.Identifier.ValueText
                    && Facts.IsUnambiguousReference(name, mine.Symbol))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static ISymbol? ReferencedSymbol(IOperation operation) => operation switch
    {
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        _ => null,
    };

    private static bool IsLockedObject(IOperation operation)
    {
        while (operation.Parent is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion;
        }

        return operation.Parent is ILockOperation lockOperation && lockOperation.LockedValue == operation;
    }

    private static bool IsInNameOf(IOperation operation)
    {
        for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is INameOfOperation)
            {
                return true;
            }
        }

        return false;
    }

    private static IOperation? InstanceOf(IOperation operation) => (operation as IMemberReferenceOperation)?.Instance;

    private StateAccess Describe(IOperation reference, SyntaxNode node, SyntaxNode scope, ISymbol symbol, CancellationToken cancellationToken)
    {
        var (mode, at, verb, constant, hasConstant) = Classify(reference, cancellationToken);
        var member = SharedStateFacts.EnclosingMember(node);
        SyntaxNode? function = null;
        for (var current = node.Parent; current is not null && current != member; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                function = current;
                break;
            }
        }

        var locks = new List<HeldLock>();
        foreach (var held in LockRegions.GetHeldLocks(at, null, Types, _analysis.LockHelpers))
        {
            locks.Add(held);
        }

        if (function is null && member is not null)
        {
            foreach (var held in CallerLocks(node, member, depth: 0, cancellationToken))
            {
                if (!locks.Exists(l => l.SameAs(held)))
                {
                    locks.Add(held);
                }
            }
        }

        bool construction = function is null && IsConstruction(member, symbol);
        return new StateAccess(node, at.Syntax.GetLocation(), mode, locks, member, function, construction, constant, hasConstant, verb)
        {
            ReadModifyWrite = mode == AccessMode.Atomic && at is IInvocationOperation update && CallbackWalker.AtomicReadModifyWriteTarget(update, Types) is not null,
        };
    }

    private static bool IsConstruction(SyntaxNode? member, ISymbol symbol) => member switch
    {
        ConstructorDeclarationSyntax constructor => constructor.Modifiers.Any(SyntaxKind.StaticKeyword) == symbol.IsStatic,
        FieldDeclarationSyntax => true,
        PropertyDeclarationSyntax { Initializer: not null } => true,
        _ => false,
    };

    /// <summary>What an access outside the callback does, and the operation that stands for it.</summary>
    private (AccessMode Mode, IOperation At, string Verb, object? Constant, bool HasConstant) Classify(IOperation reference, CancellationToken cancellationToken)
    {
        var parent = reference.Parent;
        while (parent is IConversionOperation { IsImplicit: true } conversion)
        {
            reference = conversion;
            parent = conversion.Parent;
        }

        switch (parent)
        {
            case ISimpleAssignmentOperation assignment when assignment.Target == reference:
                var value = assignment.Value.ConstantValue;
                return (AccessMode.Write, assignment, "writes", value.HasValue ? value.Value : null, value.HasValue);
            case ICompoundAssignmentOperation or ICoalesceAssignmentOperation:
                return (AccessMode.Write, parent, "updates", null, false);
            case IIncrementOrDecrementOperation increment:
                return (AccessMode.Write, parent, increment.Kind == OperationKind.Increment ? "increments" : "decrements", null, false);
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref, Parent: IInvocationOperation update } argument
                when CallbackWalker.AtomicReadModifyWriteTarget(update, Types) is not null:
                // 'Volatile.Write(ref x, Volatile.Read(ref x) + n)': atomic halves, so it does not race with a plain
                // read, but a store that lands between them is lost (StateAccess.ReadModifyWrite).
                return (AccessMode.Atomic, update, "updates (a read, then " + update.TargetMethod.ContainingType.Name + "." + update.TargetMethod.Name + ")", null, false);
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument:
                return _analysis.IsAtomicRefArgument(argument, cancellationToken)
                    ? (AccessMode.Atomic, argument.Parent!, AtomicVerb(argument), null, false)
                    : (AccessMode.Write, argument, "passes by reference", null, false);
            case IArgumentOperation { Parent: IInvocationOperation { Instance: null, TargetMethod.IsExtensionMethod: true } extension } thisArgument
                when extension.Arguments[0] == thisArgument && Facts.MutatesThisArgument(extension.TargetMethod, cancellationToken):
                return (AccessMode.Write, extension, "calls '" + extension.TargetMethod.Name + "' on", null, false);
            case IInvocationOperation invocation when invocation.Instance == reference:
                return Facts.IsNonThreadSafeCollectionMember(invocation.TargetMethod.ContainingType, reference, cancellationToken) && CallbackWalker.IsMutatingName(invocation.TargetMethod.Name)
                    ? (AccessMode.Write, invocation, "calls '" + invocation.TargetMethod.Name + "' on", null, false)
                    : (AccessMode.Read, invocation, "reads", null, false);
            case IPropertyReferenceOperation property when property.Instance == reference:
                return property.Parent is ISimpleAssignmentOperation propertyAssignment && propertyAssignment.Target == property
                    && Facts.IsNonThreadSafeCollectionMember(property.Property.ContainingType, reference, cancellationToken)
                    ? (AccessMode.Write, propertyAssignment, "writes an element of", null, false)
                    : (AccessMode.Read, property, "reads", null, false);
            case IForEachLoopOperation:
                return (AccessMode.Read, reference, "enumerates", null, false);
            case ITupleOperation { Parent: IDeconstructionAssignmentOperation deconstruction } tuple when deconstruction.Target == tuple:
                return (AccessMode.Write, deconstruction, "writes", null, false);
            default:
                return (AccessMode.Read, reference, "reads", null, false);
        }
    }

    /// <summary>How an atomic <c>ref</c> use reads in a message: "writes (with Volatile)", "updates (with Interlocked)", "updates (with ImmutableInterlocked)".</summary>
    private static string AtomicVerb(IArgumentOperation argument)
        => argument.Parent is IInvocationOperation { TargetMethod: { ContainingType.Name: var type, Name: var name } }
            ? type switch
            {
                "Volatile" => name == "Write" ? "writes (with Volatile)" : "reads (with Volatile)",
                "Interlocked" or "ImmutableInterlocked" or "LazyInitializer" => "updates (with " + type + ")",
                _ => "updates (atomically, through '" + name + "')",
            }
            : "updates (atomically)";
}
