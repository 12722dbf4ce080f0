using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// Other objects: an access of the same field or property that can only ever touch another object than the one the
/// callback touches is not the other side of a race. Two facts decide it.
/// <list type="bullet">
/// <item>An owned object. The callback reaches the object through an owning field (<see cref="IsOwningField"/>: private,
/// readonly, filled with a new object, used only as a receiver). Nobody else holds that object, so a member of its type
/// runs on it only when the owner calls it through the field, or when a member already running on it calls it on
/// <c>this</c>. An access anywhere else (another owner's object, a member never called on this one) touches another
/// object.</item>
/// <item>A fresh object. A member reads the field through a local that holds an object it created (<c>var m = new
/// T(); … m._failure</c>) before handing it out. The callback, registered on <c>this</c> of its member, runs on that
/// object only if the registering member was reached on it before the access: from its constructors or from the
/// members called on the local before the access, on <c>this</c>.</item>
/// </list>
/// Both follow the calls made on one object from a set of entry members (<see cref="MembersRunOn"/>); where
/// <c>this</c> escapes from one of them (an argument, a stored or returned value), others may hold the object, and the
/// access counts.
/// </summary>
internal sealed partial class ConflictFinder
{
    private const int MaxRouteVisits = 128;
    private const int MaxMembersRunOn = 256;

    private readonly ConcurrentDictionary<IFieldSymbol, HashSet<IMethodSymbol>?> _runOnOwned = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IFieldSymbol, bool> _ownedObjectFields = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, List<(IMethodSymbol Target, RouteEnd Hop)>> _hops = new(SymbolEqualityComparer.Default);

    /// <summary>What <see cref="TouchesOnlyOtherObjects"/> works out once per finding, on first use.</summary>
    private sealed class OtherObjectsQuery
    {
        public OtherObjectsQuery(bool otherType) => OtherType = otherType;

        /// <summary>Whether the state's type is unrelated to the callback's type (neither is the other or its base).</summary>
        public bool OtherType { get; }

        /// <summary>Whose object the callback's access touches, along each way to it.</summary>
        public List<RouteEnd>? Route { get; set; }
    }

    /// <summary>Where the object a callback's access touches comes from, followed from the callback's body to the access.</summary>
    private readonly struct RouteEnd
    {
        private RouteEnd(bool known, IFieldSymbol? field)
        {
            Known = known;
            Field = field;
        }

        /// <summary>The callback body's own object (<c>this</c>).</summary>
        public static RouteEnd This => new(true, null);

        /// <summary>Any object.</summary>
        public static RouteEnd Unknown => new(false, null);

        /// <summary>False when the object may be any object.</summary>
        public bool Known { get; }

        /// <summary>The owning field whose object it is; null for <c>this</c> (when known).</summary>
        public IFieldSymbol? Field { get; }

        public static RouteEnd Owned(IFieldSymbol field) => new(true, field);
    }

    /// <summary>
    /// Whether <paramref name="access"/>, an access of the finding's instance field or property, can only touch another
    /// object than the one the callback touches (see the type's summary). <paramref name="query"/> caches what does
    /// not depend on the access (the callback's side), computed on first use.
    /// </summary>
    private bool TouchesOnlyOtherObjects(CallbackFinding finding, StateAccess access, Registration registration, SyntaxNode callbackRoot, ref OtherObjectsQuery? query, CancellationToken cancellationToken)
    {
        if (finding.Symbol is not (IFieldSymbol { IsStatic: false } or IPropertySymbol { IsStatic: false }) || finding.ReceiverRoot is not null)
        {
            return false;
        }

        // Cheap first. An owned object is of another type than the callback's (state of the callback's own type is
        // reached on 'this'); a fresh object is reached through a local ('m._failure').
        query ??= new OtherObjectsQuery(callbackRoot.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } callbackType
            && Facts.ModelFor(callbackType.SyntaxTree).GetDeclaredSymbol(callbackType, cancellationToken) is INamedTypeSymbol callbackSymbol
            && !InChain(callbackSymbol, finding.Symbol.ContainingType) && !InChain(finding.Symbol.ContainingType, callbackSymbol));
        bool otherType = query.OtherType;
        if (!otherType && access.Syntax is not MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax }
            || Facts.ModelFor(access.Syntax.SyntaxTree).GetOperation(access.Syntax, cancellationToken) is not IMemberReferenceOperation reference)
        {
            return false;
        }

        bool fresh = ReceiverOf(reference) is ILocalReferenceOperation { Local: var local } && MayHoldNewObject(local, cancellationToken);
        if (!otherType && !fresh)
        {
            return false;
        }

        var route = query.Route ??= RouteEnds(finding, cancellationToken) ?? new List<RouteEnd> { RouteEnd.Unknown };
        if (route.Count == 0 || route.Exists(end => !end.Known))
        {
            return false;
        }

        if (otherType && route.TrueForAll(end => end.Field is not null))
        {
            foreach (var end in route)
            {
                if (MayTouchOwnedObject(reference, access, end.Field!, cancellationToken))
                {
                    return false;
                }
            }

            return true;
        }

        return fresh
            && route.TrueForAll(end => end.Field is null)
            && ReadsFreshObjectBeforeRegistration(reference, access, registration, callbackRoot, cancellationToken);
    }

    /// <summary>A local declared with a new object, with null, or with nothing (by syntax: the cheap part of <see cref="ReadsFreshObjectBeforeRegistration"/>).</summary>
    private static bool MayHoldNewObject(ILocalSymbol local, CancellationToken cancellationToken)
        => local.DeclaringSyntaxReferences.Length == 1
            && local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is VariableDeclaratorSyntax declarator
            && declarator.Initializer?.Value is null or ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax
                or LiteralExpressionSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.NullLiteralExpression };

    // ---- the callback's side: which object its access touches ------------------------------------------------------

    /// <summary>
    /// For each way from the callback's body to the finding's access (through the calls it makes, up to
    /// <see cref="CallbackAnalysis.MaxCallDepth"/> deep): whose object the access touches. Null when the access cannot be found.
    /// </summary>
    private List<RouteEnd>? RouteEnds(CallbackFinding finding, CancellationToken cancellationToken)
    {
        if (finding.Access is not { } at)
        {
            return null;
        }

        if (finding.OriginAccess is null)
        {
            // A direct access in the callback: '_request.Count++'.
            return ReferenceTo(at, finding.Symbol) is { } direct ? new List<RouteEnd> { Step(RouteEnd.This, direct.Instance, cancellationToken) } : null;
        }

        if (ReferenceTo(finding.OriginAccess, finding.Symbol) is not { Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } }
            || EnclosingMethod(finding.OriginAccess.Syntax, cancellationToken) is not { } origin)
        {
            // The callee's access is not on its own object ('other._count++'): which object that is is not followed.
            return null;
        }

        var ends = new List<RouteEnd>();
        var visited = new HashSet<(IMethodSymbol, IFieldSymbol?, bool)>();
        int budget = MaxRouteVisits;
        foreach (var (target, instance) in Calls(at))
        {
            Follow(target, Step(RouteEnd.This, instance, cancellationToken), origin.OriginalDefinition, 1, ends, visited, ref budget, cancellationToken);
        }

        return ends;
    }

    private void Follow(IMethodSymbol method, RouteEnd state, IMethodSymbol origin, int depth, List<RouteEnd> ends, HashSet<(IMethodSymbol, IFieldSymbol?, bool)> visited, ref int budget, CancellationToken cancellationToken)
    {
        method = method.OriginalDefinition;
        if (!visited.Add((method, state.Field, state.Known)))
        {
            return;
        }

        if (SymbolEqualityComparer.Default.Equals(method, origin))
        {
            ends.Add(state);
        }

        if (depth > CallbackAnalysis.MaxCallDepth)
        {
            // Deeper than the callback's own walk follows calls: not how it reaches the access.
            return;
        }

        if (--budget < 0)
        {
            // Not followed further: whatever it reaches could be the access.
            ends.Add(RouteEnd.Unknown);
            return;
        }

        foreach (var (target, hop) in HopsIn(method, cancellationToken))
        {
            Follow(target, hop.Known && hop.Field is null ? state : hop, origin, depth + 1, ends, visited, ref budget, cancellationToken);
        }
    }

    /// <summary>
    /// The calls a method makes, each with the object it runs on relative to the method's own (<see cref="RouteEnd.This"/>:
    /// the same object). Computed once per method: every finding that reaches into another type follows them again.
    /// </summary>
    private List<(IMethodSymbol Target, RouteEnd Hop)> HopsIn(IMethodSymbol method, CancellationToken cancellationToken)
        => _hops.GetOrAdd(method, m =>
        {
            var hops = new List<(IMethodSymbol, RouteEnd)>();
            foreach (var body in Bodies(m, cancellationToken))
            {
                foreach (var operation in body.DescendantsAndSelf())
                {
                    foreach (var (target, instance) in CallsAt(operation))
                    {
                        hops.Add((target.OriginalDefinition, Step(RouteEnd.This, instance, cancellationToken)));
                    }
                }
            }

            return hops;
        });

    /// <summary>The object a call or access on <paramref name="instance"/> runs on, from the caller's object <paramref name="state"/>.</summary>
    private RouteEnd Step(RouteEnd state, IOperation? instance, CancellationToken cancellationToken)
    {
        // '_request?.Clear()' runs on '_request', as '_request.Clear()' does.
        if (instance is IConditionalAccessInstanceOperation conditional)
        {
            instance = CallbackWalker.ConditionalReceiver(conditional);
        }

        while (instance is IConversionOperation { IsImplicit: true } conversion)
        {
            instance = conversion.Operand;
        }

        return instance switch
        {
            IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } => state,
            IFieldReferenceOperation { Field: var field, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } }
                when IsOwnedObjectField(field.OriginalDefinition, cancellationToken) => RouteEnd.Owned(field.OriginalDefinition),
            _ => RouteEnd.Unknown,
        };
    }

    /// <summary>The calls in and under <paramref name="root"/>: invocations, property accessors, method groups, constructors (on a new object).</summary>
    private static IEnumerable<(IMethodSymbol Target, IOperation? Instance)> Calls(IOperation root)
    {
        foreach (var operation in root.DescendantsAndSelf())
        {
            foreach (var call in CallsAt(operation))
            {
                yield return call;
            }
        }
    }

    private static IEnumerable<(IMethodSymbol Target, IOperation? Instance)> CallsAt(IOperation operation)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                yield return (invocation.TargetMethod, invocation.Instance);
                break;
            case IPropertyReferenceOperation property:
                if (property.Property.GetMethod is { } getter)
                {
                    yield return (getter, property.Instance);
                }

                if (property.Property.SetMethod is { } setter)
                {
                    yield return (setter, property.Instance);
                }

                break;
            case IMethodReferenceOperation group:
                yield return (group.Method, group.Instance);
                break;
            case IObjectCreationOperation { Constructor: { } constructor }:
                // The constructor runs on the new object: not one the route holds.
                yield return (constructor, null);
                break;
        }
    }

    /// <summary>The object a member reference is made on: through implicit conversions, and for <c>x?.M</c> the <c>x</c>.</summary>
    private static IOperation? ReceiverOf(IMemberReferenceOperation reference)
    {
        var instance = reference.Instance is IConditionalAccessInstanceOperation conditional ? CallbackWalker.ConditionalReceiver(conditional) : reference.Instance;

        while (instance is IConversionOperation { IsImplicit: true } conversion)
        {
            instance = conversion.Operand;
        }

        return instance;
    }

    /// <summary>The reference to <paramref name="symbol"/> in or under <paramref name="operation"/>, or null.</summary>
    private static IMemberReferenceOperation? ReferenceTo(IOperation operation, ISymbol symbol)
    {
        foreach (var node in operation.DescendantsAndSelf())
        {
            if (node is IMemberReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Member.OriginalDefinition, symbol.OriginalDefinition))
            {
                return reference;
            }
        }

        return null;
    }

    /// <summary>The method or accessor whose body holds <paramref name="node"/>, through lambdas and local functions.</summary>
    private IMethodSymbol? EnclosingMethod(SyntaxNode node, CancellationToken cancellationToken)
    {
        if (!Facts.IsInCompilation(node.SyntaxTree))
        {
            return null;
        }

        var symbol = Facts.ModelFor(node.SyntaxTree).GetEnclosingSymbol(node.SpanStart, cancellationToken);
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } inner)
        {
            symbol = inner.ContainingSymbol;
        }

        return symbol as IMethodSymbol;
    }

    /// <summary>The bodies of a method in this compilation (two for a partial method with both parts; none for an auto-accessor).</summary>
    private IEnumerable<IOperation> Bodies(IMethodSymbol method, CancellationToken cancellationToken)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax(cancellationToken);
            if (Facts.IsInCompilation(syntax.SyntaxTree) && Facts.ModelFor(syntax.SyntaxTree).GetOperation(syntax, cancellationToken) is { } body)
            {
                yield return body;
            }
        }
    }

    // ---- an owned object -------------------------------------------------------------------------------------------

    /// <summary>
    /// An owning field (<see cref="IsOwningField"/>) whose objects are all created as exactly its type, so calls on
    /// <c>this</c> inside them dispatch to members of that type and its bases, and whose owner is not of that type.
    /// </summary>
    private bool IsOwnedObjectField(IFieldSymbol field, CancellationToken cancellationToken)
        => !field.IsStatic && field.IsReadOnly && field.DeclaredAccessibility == Accessibility.Private
            && _ownedObjectFields.GetOrAdd(field, f => IsOwnedObjectFieldUncached(f, cancellationToken));

    private bool IsOwnedObjectFieldUncached(IFieldSymbol field, CancellationToken cancellationToken)
    {
        if (field.Type is not INamedTypeSymbol type
            || InChain(type, field.ContainingType) || InChain(field.ContainingType, type)
            || !_owningFields.GetOrAdd(field, f => IsOwningField(f, cancellationToken)))
        {
            return false;
        }

        foreach (var reference in field.ContainingType.DeclaringSyntaxReferences)
        {
            var model = Facts.ModelFor(reference.SyntaxTree);
            foreach (var node in reference.GetSyntax(cancellationToken).DescendantNodes())
            {
                if (node is ObjectCreationExpressionSyntax creation
                    && (creation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator } && declarator.Identifier.ValueText == field.Name
                        || creation.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax assignment && assignment.Right == creation
                            && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol?.OriginalDefinition, field))
                    && !SymbolEqualityComparer.Default.Equals(model.GetTypeInfo(creation, cancellationToken).Type?.OriginalDefinition, type.OriginalDefinition))
                {
                    // 'private readonly Message _m = new SpecialMessage();': its overrides are not followed.
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="candidate"/> is <paramref name="type"/> or one of its base types.</summary>
    private static bool InChain(INamedTypeSymbol type, INamedTypeSymbol? candidate)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, candidate?.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether an access can touch the object of the owning field <paramref name="field"/>: through the field itself,
    /// or on <c>this</c> in a member that runs on that object. Any other object is not it: nobody else holds it.
    /// </summary>
    private bool MayTouchOwnedObject(IMemberReferenceOperation reference, StateAccess access, IFieldSymbol field, CancellationToken cancellationToken)
    {
        if (_runOnOwned.GetOrAdd(field, f => MembersRunOn((INamedTypeSymbol)f.Type, EntriesThrough(f, cancellationToken), cancellationToken)) is not { } runOn)
        {
            // 'this' escapes from a member that runs on it (or an entry cannot be named): others may hold it.
            return true;
        }

        switch (ReceiverOf(reference))
        {
            case IFieldReferenceOperation { Field: var through, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } }
                when SymbolEqualityComparer.Default.Equals(through.OriginalDefinition, field):
                return true;
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                if (EnclosingMethod(access.Syntax, cancellationToken) is not { } method)
                {
                    return true;
                }

                // 'this' of a type outside the field's type and its bases is never an object of exactly the field's type.
                return InChain((INamedTypeSymbol)field.Type, method.ContainingType)
                    && (method.MethodKind == MethodKind.Constructor || runOn.Contains(method.OriginalDefinition));
            default:
                // Another variable, parameter or field: nobody but the owner's field and the object itself holds it.
                return false;
        }
    }

    /// <summary>The members the owner calls on the object of its owning field; null when one cannot be named.</summary>
    private List<IMethodSymbol>? EntriesThrough(IFieldSymbol field, CancellationToken cancellationToken)
    {
        var entries = new List<IMethodSymbol>();
        foreach (var reference in field.ContainingType.DeclaringSyntaxReferences)
        {
            var model = Facts.ModelFor(reference.SyntaxTree);
            foreach (var node in reference.GetSyntax(cancellationToken).DescendantNodes())
            {
                if (node is not IdentifierNameSyntax name || name.Identifier.ValueText != field.Name
                    || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, field))
                {
                    continue;
                }

                if (model.GetOperation(name.Parent is MemberAccessExpressionSyntax qualified && qualified.Name == name ? qualified : name, cancellationToken) is not IFieldReferenceOperation use
                    || !AddReceiverTargets(use, entries))
                {
                    return null;
                }
            }
        }

        return entries;
    }

    /// <summary>
    /// The members called on <paramref name="receiver"/> (a call, property, method group, or the same through
    /// <c>?.</c>), added to <paramref name="targets"/>; false when it is used otherwise than as a receiver, stored into
    /// or read in <c>nameof</c>.
    /// </summary>
    private static bool AddReceiverTargets(IOperation receiver, List<IMethodSymbol> targets)
    {
        var use = receiver;
        while (use.Parent is IConversionOperation { IsImplicit: true } conversion)
        {
            use = conversion;
        }

        if (use.Parent is IConditionalAccessOperation conditional && conditional.Operation == use)
        {
            foreach (var inner in conditional.WhenNotNull.DescendantsAndSelf())
            {
                if (inner is IConditionalAccessInstanceOperation instance && instance.Parent is { } parent && IsReceiverOf(parent, instance))
                {
                    foreach (var (target, _) in CallsAt(parent))
                    {
                        targets.Add(target);
                    }
                }
            }

            return true;
        }

        switch (use.Parent)
        {
            case { } parent when IsReceiverOf(parent, use):
                foreach (var (target, _) in CallsAt(parent))
                {
                    targets.Add(target);
                }

                return true;
            case ISimpleAssignmentOperation assignment when assignment.Target == use:
            case INameOfOperation:
                return true;
            default:
                return false;
        }
    }

    private static bool IsReceiverOf(IOperation parent, IOperation instance) => parent switch
    {
        IInvocationOperation invocation => invocation.Instance == instance,
        IMemberReferenceOperation member => member.Instance == instance,
        _ => false,
    };

    /// <summary>
    /// The methods and accessors that can run on one object of exactly <paramref name="type"/> whose only holders call
    /// <paramref name="entries"/> on it: those, its constructors, and what they call on <c>this</c> (virtual calls
    /// resolved for <paramref name="type"/>), including in their lambdas. Null when an entry is unknown, the set grows
    /// too large, or <c>this</c> escapes from one of them (passed, stored, returned, converted).
    /// </summary>
    private HashSet<IMethodSymbol>? MembersRunOn(INamedTypeSymbol type, List<IMethodSymbol>? entries, CancellationToken cancellationToken)
    {
        if (entries is null)
        {
            return null;
        }

        var result = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<IMethodSymbol>();
        void Add(IMethodSymbol method, bool virtualCall)
        {
            var resolved = (virtualCall ? Resolve(type, method) : method).OriginalDefinition;
            if (result.Add(resolved))
            {
                pending.Push(resolved);
            }
        }

        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            foreach (var constructor in current.InstanceConstructors)
            {
                Add(constructor, virtualCall: false);
            }
        }

        foreach (var entry in entries)
        {
            Add(entry, virtualCall: true);
        }

        while (pending.Count > 0)
        {
            if (result.Count > MaxMembersRunOn)
            {
                return null;
            }

            foreach (var body in Bodies(pending.Pop(), cancellationToken))
            {
                foreach (var operation in body.DescendantsAndSelf())
                {
                    if (operation is not IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } self)
                    {
                        continue;
                    }

                    IOperation used = self;
                    while (used.Parent is IConversionOperation { IsImplicit: true } conversion)
                    {
                        used = conversion;
                    }

                    switch (used.Parent)
                    {
                        case IFieldReferenceOperation field when field.Instance == used:
                        case ILockOperation:
                            break;
                        case IInvocationOperation invocation when invocation.Instance == used:
                            Add(invocation.TargetMethod, invocation.IsVirtual);
                            break;
                        case IMemberReferenceOperation member when member.Instance == used:
                            foreach (var (target, _) in CallsAt(member))
                            {
                                Add(target, virtualCall: true);
                            }

                            if (member is IEventReferenceOperation { Event: var @event })
                            {
                                if (@event.AddMethod is { } add)
                                {
                                    Add(add, virtualCall: true);
                                }

                                if (@event.RemoveMethod is { } remove)
                                {
                                    Add(remove, virtualCall: true);
                                }
                            }

                            break;
                        default:
                            // 'this' handed out: whoever receives it can call anything on the object.
                            return null;
                    }
                }
            }
        }

        return result;
    }

    /// <summary>The implementation of <paramref name="method"/> that runs for an object of exactly <paramref name="type"/>.</summary>
    private static IMethodSymbol Resolve(INamedTypeSymbol type, IMethodSymbol method)
    {
        if (!method.IsVirtual && !method.IsAbstract && !method.IsOverride)
        {
            return method;
        }

        var wanted = method.OriginalDefinition;
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(method.Name))
            {
                for (var candidate = member as IMethodSymbol; candidate is not null; candidate = candidate.OverriddenMethod)
                {
                    if (SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, wanted))
                    {
                        return (IMethodSymbol)member;
                    }
                }
            }
        }

        return method;
    }

    // ---- a fresh object --------------------------------------------------------------------------------------------

    /// <summary>
    /// Whether the access is made through a local holding an object its member created (<c>var m = new T();</c>), not
    /// handed out before the access, on which nothing run before the access reaches the registering member: the
    /// callback, which touches <c>this</c> of the registering member, cannot be running on that object yet.
    /// </summary>
    private bool ReadsFreshObjectBeforeRegistration(IMemberReferenceOperation reference, StateAccess access, Registration registration, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        var instance = ReceiverOf(reference);

        if (access.Function is not null
            || access.Member is not { } member
            || instance is not ILocalReferenceOperation { Local: var local }
            || local.IsRef
            || local.DeclaringSyntaxReferences.Length != 1
            || SharedStateFacts.IsInsideFunction(local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken), member)
            || !CallbackRunsOnRegisteringObject(registration, callbackRoot, cancellationToken)
            || EnclosingMethod(registration.Operation.Syntax, cancellationToken) is not { IsStatic: false } registering
            || Facts.ModelFor(member.SyntaxTree).GetOperation(member, cancellationToken) is not { } body
            || _graphs.GetOrCompute(member, m => CreateGraph(m, cancellationToken), cancellationToken) is not { } graph)
        {
            return false;
        }

        INamedTypeSymbol? created = null;
        var entries = new List<IMethodSymbol>();
        foreach (var operation in body.DescendantsAndSelf())
        {
            IOperation? value = operation switch
            {
                IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local) => declarator.Initializer?.Value,
                ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when SymbolEqualityComparer.Default.Equals(target.Local, local) => assignment.Value,
                _ => null,
            };
            while (value is IConversionOperation { IsImplicit: true } converted)
            {
                value = converted.Operand;
            }

            if (value is IObjectCreationOperation { Type: INamedTypeSymbol type })
            {
                if (created is not null && !SymbolEqualityComparer.Default.Equals(created, type))
                {
                    return false;
                }

                created = type;
            }
            else if (value is not null && !(value.ConstantValue.HasValue && value.ConstantValue.Value is null))
            {
                // Assigned something other than a new object (or null): an object others may hold.
                return false;
            }

            if (operation is not ILocalReferenceOperation use || !SymbolEqualityComparer.Default.Equals(use.Local, local) || use == instance)
            {
                continue;
            }

            if (SharedStateFacts.IsInsideFunction(use.Syntax, member))
            {
                // Captured by a lambda or local function: it runs whenever that does.
                return false;
            }

            // Before: earlier in the text, in the same statement ('m._failure = m.Describe()' calls first), or the
            // access can run after it (a loop around both).
            bool before = use.Syntax.SpanStart < access.Syntax.SpanStart
                || use.Syntax.FirstAncestorOrSelf<StatementSyntax>() == access.Syntax.FirstAncestorOrSelf<StatementSyntax>()
                || ExecutionOrder.RunsAfter(graph, use.Syntax, access.Syntax, null, _ => false, cancellationToken) != false;
            var uses = new List<IMethodSymbol>();
            if (use.Parent is ISimpleAssignmentOperation { Target: var assigned } && assigned == use
                || use.Parent is IIsNullOperation or IIsPatternOperation
                || use.Parent is IBinaryOperation { OperatorMethod: null } comparison && (comparison.LeftOperand.ConstantValue is { HasValue: true, Value: null } || comparison.RightOperand.ConstantValue is { HasValue: true, Value: null }))
            {
                continue;
            }

            if (!AddReceiverTargets(use, uses))
            {
                // Handed out (an argument, a stored or returned value): from then on others may register on it.
                if (before)
                {
                    return false;
                }

                continue;
            }

            if (before)
            {
                entries.AddRange(uses);
            }
        }

        if (created is null
            || created.DeclaringSyntaxReferences.Length == 0
            || !InChain(created, registering.ContainingType)
            || !InChain(created, reference.Member.ContainingType))
        {
            return false;
        }

        // Registered on the new object before the access: from its constructors, or a member called on it first.
        return MembersRunOn(created, entries, cancellationToken) is { } runOn && !runOn.Contains(registering.OriginalDefinition);
    }

    /// <summary>Whether the callback's <c>this</c> is the registering member's: a lambda or local function in it, or a method group on <c>this</c>.</summary>
    private bool CallbackRunsOnRegisteringObject(Registration registration, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        if (registration.Member is { } member && member.SyntaxTree == callbackRoot.SyntaxTree && member.Span.Contains(callbackRoot.Span))
        {
            return true;
        }

        foreach (var operation in registration.Operation.DescendantsAndSelf())
        {
            if (operation is IMethodReferenceOperation { Method: var method } group
                && group.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }
                && method.DeclaringSyntaxReferences.Length > 0)
            {
                foreach (var reference in method.DeclaringSyntaxReferences)
                {
                    var syntax = reference.GetSyntax(cancellationToken);
                    if (syntax.SyntaxTree == callbackRoot.SyntaxTree && syntax.Span.Contains(callbackRoot.Span))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
