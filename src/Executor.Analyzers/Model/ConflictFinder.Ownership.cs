using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// Ownership: an access that every call path reaches either from the run itself or from the registering constructor
/// before the registration, on the same object (through <c>this</c>, or through a field that owns its object).
/// </summary>
internal sealed partial class ConflictFinder
{
    private const int MaxOwnershipDepth = 3;

    private readonly ConcurrentDictionary<IFieldSymbol, bool> _owningFields = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// Whether an access of an instance field of <c>this</c>, in a method, is reached only from the work or callback
    /// body (the same run) or from the constructor that registers it, before the registration (published by it). Each
    /// call on the way must be on the same object: through <c>this</c>, or through a private readonly field that the
    /// caller's constructors fill with a new object and that is used only as a receiver (the helper object is owned:
    /// nobody else holds it). A parser the constructor creates, uses once, then hands only to its worker loop.
    /// </summary>
    private bool ReachedOnlyFromTheRunOrBeforeItStarts(StateAccess access, Registration registration, SyntaxNode callbackRoot, ISymbol symbol, CancellationToken cancellationToken)
    {
        if (registration.Member is not ConstructorDeclarationSyntax
            || symbol is not IFieldSymbol { IsStatic: false }
            || access.Function is not null
            || access.Member is not MethodDeclarationSyntax member
            || !IsOnThis(access.Syntax))
        {
            return false;
        }

        return Reached(member, registration, callbackRoot, symbol, 0, new HashSet<SyntaxNode>(), cancellationToken);
    }

    private bool Reached(SyntaxNode member, Registration registration, SyntaxNode callbackRoot, ISymbol symbol, int depth, HashSet<SyntaxNode> visiting, CancellationToken cancellationToken)
    {
        if (depth > MaxOwnershipDepth
            || !visiting.Add(member)
            || _callSites.MethodAt(member, member, cancellationToken) is not { IsStatic: false } method
            || _callSites.Of(method, cancellationToken) is not { Count: > 0 } calls)
        {
            return false;
        }

        foreach (var call in calls)
        {
            var syntax = call.Operation.Syntax;
            if (syntax.SyntaxTree == callbackRoot.SyntaxTree && callbackRoot.Span.Contains(syntax.Span))
            {
                // Called by the run itself.
                continue;
            }

            if (call.InFunction || !call.ThroughThis && !IsOwnedReceiver(call.Operation, cancellationToken))
            {
                return false;
            }

            if (call.Member == registration.Member)
            {
                if (RunsAfterRegistration(registration, syntax, symbol, cancellationToken))
                {
                    return false;
                }

                continue;
            }

            if (!Reached(call.Member, registration, callbackRoot, symbol, depth + 1, visiting, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the reference is to a member of the current object (implicit or explicit <c>this</c>).</summary>
    private static bool IsOnThis(SyntaxNode reference)
        => reference switch
        {
            IdentifierNameSyntax name => name.Parent is not MemberAccessExpressionSyntax { Name: var right } || right != name
                || ((MemberAccessExpressionSyntax)name.Parent).Expression is ThisExpressionSyntax,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } => true,
            _ => false,
        };

    /// <summary>A call whose receiver is an owning field of the caller's own object.</summary>
    private bool IsOwnedReceiver(IOperation call, CancellationToken cancellationToken)
    {
        var receiver = call switch
        {
            IInvocationOperation invocation => invocation.Instance,
            IPropertyReferenceOperation property => property.Instance,
            _ => null,
        };

        return receiver is IFieldReferenceOperation { Field: var field, Instance: IInstanceReferenceOperation }
            && _owningFields.GetOrAdd(field.OriginalDefinition, f => IsOwningField(f, cancellationToken));
    }

    /// <summary>
    /// A private readonly instance field assigned only a new object (in its initializer or the constructors) and
    /// otherwise used only as a receiver, whose object's type is in source and never hands out <c>this</c>.
    /// </summary>
    private bool IsOwningField(IFieldSymbol field, CancellationToken cancellationToken)
    {
        if (field.IsStatic || !field.IsReadOnly || field.DeclaredAccessibility != Accessibility.Private
            || field.Type is not INamedTypeSymbol { TypeKind: TypeKind.Class } type || type.DeclaringSyntaxReferences.Length == 0 || LeaksThis(type, cancellationToken))
        {
            return false;
        }

        bool created = false;
        foreach (var reference in field.ContainingType.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax(cancellationToken);
            foreach (var node in declaration.DescendantNodes())
            {
                if (node is VariableDeclaratorSyntax declarator && declarator.Identifier.ValueText == field.Name && declarator.Initializer is { } initializer)
                {
                    if (initializer.Value is not (ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax))
                    {
                        return false;
                    }

                    created = true;
                    continue;
                }

                if (node is not IdentifierNameSyntax name || name.Identifier.ValueText != field.Name)
                {
                    continue;
                }

                if (!SymbolEqualityComparer.Default.Equals(Facts.ModelFor(name.SyntaxTree).GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, field))
                {
                    continue;
                }

                ExpressionSyntax use = name.Parent is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } self && self.Name == name ? self : name;
                switch (use.Parent)
                {
                    case MemberAccessExpressionSyntax access when access.Expression == use:
                    case ConditionalAccessExpressionSyntax conditional when conditional.Expression == use:
                        break;
                    case AssignmentExpressionSyntax assignment when assignment.Left == use && assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
                        && assignment.Right is ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax
                        && assignment.Parent is ExpressionStatementSyntax && assignment.Ancestors().OfType<ConstructorDeclarationSyntax>().Any()
                        && !assignment.Ancestors().Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax):
                        created = true;
                        break;
                    case ArgumentSyntax { Parent.Parent: InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } } }:
                        break;
                    default:
                        return false;
                }
            }
        }

        return created;
    }

    /// <summary>Whether the type passes <c>this</c> on (as an argument, a stored or returned value): then others may hold its objects.</summary>
    private static bool LeaksThis(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax(cancellationToken).DescendantNodes())
            {
                if (node is ThisExpressionSyntax self && !(self.Parent is MemberAccessExpressionSyntax access && access.Expression == self))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
