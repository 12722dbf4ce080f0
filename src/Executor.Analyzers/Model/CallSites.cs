using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>One call of a method (or use of a property accessor) found in source.</summary>
internal readonly struct CallSite
{
    public CallSite(IOperation operation, SyntaxNode member, bool throughThis, bool inFunction)
    {
        Operation = operation;
        Member = member;
        ThroughThis = throughThis;
        InFunction = inFunction;
    }

    /// <summary>The invocation, or the property reference.</summary>
    public IOperation Operation { get; }

    /// <summary>The member declaration that contains the call.</summary>
    public SyntaxNode Member { get; }

    /// <summary>Whether the call is on the caller's own object (<c>this</c>, <c>base</c> or implicit), or static.</summary>
    public bool ThroughThis { get; }

    /// <summary>Whether the call is inside a lambda or local function (it runs when that runs, not when the member does).</summary>
    public bool InFunction { get; }
}

/// <summary>
/// Every call of a method whose callers are all visible in source: a private method (or accessor of a private
/// property), a protected method (called in its type and the types derived from it), and an override of a protected
/// method (called through the base types and the derived ones). Used to carry facts one call
/// up: a lock every caller holds ("caller must lock" helpers), and an access that every caller makes before it
/// registers a callback. Null when a caller may be hidden: other accessibility, use as a method group, or no caller.
/// </summary>
internal sealed class CallSites
{
    private const int MaxCompilationWideUses = 64;

    private readonly SharedStateFacts _facts;
    private readonly ConcurrentDictionary<IMethodSymbol, List<CallSite>?> _cache = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, byte> _uncalled = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _convertedAway = new(SymbolEqualityComparer.Default);
    private List<INamedTypeSymbol>? _classesWithBase;

    public CallSites(SharedStateFacts facts) => _facts = facts;

    /// <summary>The method (or accessor) that contains <paramref name="node"/>, declared by <paramref name="member"/>.</summary>
    public IMethodSymbol? MethodAt(SyntaxNode node, SyntaxNode member, CancellationToken cancellationToken)
    {
        var model = _facts.ModelFor(member.SyntaxTree);
        switch (member)
        {
            case MethodDeclarationSyntax method:
                return model.GetDeclaredSymbol(method, cancellationToken);
            case PropertyDeclarationSyntax property when model.GetDeclaredSymbol(property, cancellationToken) is { } symbol:
                var accessor = node.FirstAncestorOrSelf<AccessorDeclarationSyntax>();
                if (accessor is null)
                {
                    return property.ExpressionBody is not null ? symbol.GetMethod : null;
                }

                return model.GetDeclaredSymbol(accessor, cancellationToken);
            default:
                return null;
        }
    }

    /// <summary>The calls of <paramref name="method"/>, or null when not all of them can be seen.</summary>
    public List<CallSite>? Of(IMethodSymbol method, CancellationToken cancellationToken)
        => _cache.GetOrAdd(method.OriginalDefinition, m => Collect(m, cancellationToken));

    private List<CallSite>? Collect(IMethodSymbol method, CancellationToken cancellationToken)
    {
        var property = method.AssociatedSymbol as IPropertySymbol;
        var declared = (ISymbol?)property ?? method;
        if (method.DeclaringSyntaxReferences.Length == 0 || method.MethodKind is not (MethodKind.Ordinary or MethodKind.PropertyGet or MethodKind.PropertySet))
        {
            return null;
        }

        var types = new List<INamedTypeSymbol>();
        List<SyntaxNode>? scopes = null;
        // An accessor's own accessibility counts: 'public TimeSpan Heartbeat { get; private set; }' has only callers in its type.
        if (method.DeclaredAccessibility == Accessibility.Private)
        {
            types.Add(method.ContainingType);
        }
        else if (OuterOfPrivateNestedType(method.ContainingType) is { } outer
            && (!IsReachableThroughDispatch(method) || !IsReachableThroughInterfaces(method, outer, cancellationToken)))
        {
            // A member of a private nested type ('private sealed class Worker { public void Start() … }'): only the
            // type that declares the nested type can call it, so search there, not the whole compilation. An interface
            // it implements does not open it to other callers while no instance is converted to another type there.
            types.Add(outer);
        }
        else if (IsVisibleOnlyInAssembly(method) && !IsReachableThroughDispatch(method))
        {
            // A public or internal member of an internal type (no interface, no override): every caller is in this
            // compilation (friend assemblies, usually tests, are not counted). Searched file by file, once per member.
            scopes = new List<SyntaxNode>();
            foreach (var tree in _facts.SyntaxTrees)
            {
                scopes.Add(tree.GetRoot(cancellationToken));
            }
        }
        else if (property is null && !method.IsOverride && method.ExplicitInterfaceImplementations.IsEmpty
            && method.DeclaredAccessibility is Accessibility.Protected or Accessibility.ProtectedAndInternal)
        {
            // A protected method (virtual or not) is the class hierarchy's own: its callers are the declaring type and
            // the types derived from it. Those in this compilation are searched; a derived class elsewhere is taken to
            // keep the base's calling contract, as for protected overrides below.
            types.Add(method.ContainingType);
            types.AddRange(DerivedTypes(method.ContainingType, cancellationToken));
        }
        else if (property is null && method.IsOverride && RootOf(method).DeclaredAccessibility is Accessibility.Protected or Accessibility.ProtectedAndInternal)
        {
            for (var type = method.ContainingType; type is not null && type.DeclaringSyntaxReferences.Length > 0; type = type.BaseType)
            {
                types.Add(type);
            }

            // A derived class can call it too ('base.Write(e)', or 'Write(e)' when it does not override it again).
            types.AddRange(DerivedTypes(method.ContainingType, cancellationToken));
        }
        else
        {
            return null;
        }

        if (scopes is null)
        {
            scopes = new List<SyntaxNode>();
            foreach (var type in types)
            {
                foreach (var reference in type.DeclaringSyntaxReferences)
                {
                    scopes.Add(reference.GetSyntax(cancellationToken));
                }
            }
        }

        var result = new List<CallSite>();
        int budget = types.Count == 0 ? MaxCompilationWideUses : int.MaxValue;
        {
            foreach (var scope in scopes)
            {
                if (!_facts.IsInCompilation(scope.SyntaxTree))
                {
                    continue;
                }

                string text = _facts.TextOf(scope.SyntaxTree, cancellationToken);
                SemanticModel? model = null;
                foreach (var token in TextSearch.TokensNamed(scope, text, declared.Name))
                {
                    if (token.Parent is not IdentifierNameSyntax name)
                    {
                        continue;
                    }

                    if (--budget < 0)
                    {
                        // A common name used all over the compilation: binding every use costs more than the fact is worth.
                        return null;
                    }

                    SyntaxNode node = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
                    model ??= _facts.ModelFor(scope.SyntaxTree);
                    var operation = model.GetOperation(node, cancellationToken);
                    if (operation is IMethodReferenceOperation methodReference && Calls(methodReference.Method, method))
                    {
                        // Used as a delegate: it can be called from anywhere, any time.
                        return null;
                    }

                    if (node.Parent is InvocationExpressionSyntax invocationSyntax && model.GetOperation(invocationSyntax, cancellationToken) is IInvocationOperation invocation)
                    {
                        if (!Calls(invocation.TargetMethod, method))
                        {
                            continue;
                        }

                        operation = invocation;
                    }
                    else if (operation is IPropertyReferenceOperation propertyReference && property is not null
                        && SymbolEqualityComparer.Default.Equals(propertyReference.Property.OriginalDefinition, property.OriginalDefinition))
                    {
                        if (!UsesAccessor(propertyReference, method.MethodKind))
                        {
                            continue;
                        }
                    }
                    else
                    {
                        continue;
                    }

                    var member = SharedStateFacts.EnclosingMember(node);
                    if (member is null)
                    {
                        return null;
                    }

                    var instance = operation switch
                    {
                        IInvocationOperation i => i.Instance,
                        IPropertyReferenceOperation p => p.Instance,
                        _ => null,
                    };
                    bool throughThis = instance is null or IInstanceReferenceOperation;
                    result.Add(new CallSite(operation, member, throughThis, SharedStateFacts.IsInsideFunction(node, member)));
                }
            }
        }

        if (result.Count == 0)
        {
            // Every place that could name it was searched and nothing calls it or takes it as a delegate.
            _uncalled.TryAdd(method, 0);
        }

        return result.Count > 0 ? result : null;
    }

    /// <summary>The source classes that derive from <paramref name="type"/>, directly or not.</summary>
    private List<INamedTypeSymbol> DerivedTypes(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var derived = new List<INamedTypeSymbol>();
        if (type.IsSealed || type.TypeKind != TypeKind.Class)
        {
            return derived;
        }

        foreach (var candidate in SourceClassesWithBase(cancellationToken))
        {
            for (var current = candidate.BaseType; current is not null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, type.OriginalDefinition))
                {
                    derived.Add(candidate);
                    break;
                }
            }
        }

        return derived;
    }

    /// <summary>Every class of the compilation declared with a base list (found once: namespaces and types only, no bodies).</summary>
    private List<INamedTypeSymbol> SourceClassesWithBase(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _classesWithBase) is { } known)
        {
            return known;
        }

        var found = new List<INamedTypeSymbol>();
        var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var tree in _facts.SyntaxTrees)
        {
            var root = tree.GetRoot(cancellationToken);
            SemanticModel? model = null;
            foreach (var node in root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
            {
                if (node is ClassDeclarationSyntax { BaseList: not null } declaration)
                {
                    model ??= _facts.ModelFor(tree);
                    if (model.GetDeclaredSymbol(declaration, cancellationToken) is { } symbol && seen.Add(symbol))
                    {
                        found.Add(symbol);
                    }
                }
            }
        }

        return Interlocked.CompareExchange(ref _classesWithBase, found, null) ?? found;
    }

    /// <summary>
    /// Whether a method is dead code: private (members only this assembly sees may have friend-assembly callers), not an explicit interface
    /// implementation, without attributes (reflection, serialization callbacks), and nothing in the compilation calls it
    /// or takes it as a delegate. Its accesses never run, so they are nobody's other side.
    /// </summary>
    public bool IsNeverCalled(IMethodSymbol method, CancellationToken cancellationToken)
    {
        method = method.OriginalDefinition;
        bool accessor = method.MethodKind is MethodKind.PropertyGet or MethodKind.PropertySet;
        if (accessor && (method.AssociatedSymbol is not IPropertySymbol { IsIndexer: false } property || !property.GetAttributes().IsEmpty || !property.ExplicitInterfaceImplementations.IsEmpty))
        {
            return false;
        }

        // A private member, or an accessor restricted below its property ('public long Received { get; internal set; }')
        // when no friend assembly sees this one's internals: only this assembly can call it. (Other internal members
        // are not taken as dead: code being written, or an application's own types, may call them later.)
        bool hidden = method.DeclaredAccessibility == Accessibility.Private
            || accessor && method.DeclaredAccessibility is Accessibility.Internal or Accessibility.ProtectedAndInternal
                && method.AssociatedSymbol?.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal
                && !_facts.SharesInternals && !IsReachableThroughDispatch(method);
        if (!hidden || method.MethodKind != MethodKind.Ordinary && !accessor || !method.ExplicitInterfaceImplementations.IsEmpty || method.IsPartialDefinition
            || method.PartialImplementationPart is not null || method.PartialDefinitionPart is not null || !method.GetAttributes().IsEmpty
            || method.IsOverride || method.IsVirtual || method.IsAbstract || method.Name == "Main")
        {
            return false;
        }

        return Of(method, cancellationToken) is null && _uncalled.ContainsKey(method);
    }

    /// <summary>The type that declares the outermost private nested type around <paramref name="type"/> (its callers' whole domain), or null.</summary>
    private static INamedTypeSymbol? OuterOfPrivateNestedType(INamedTypeSymbol? type)
    {
        INamedTypeSymbol? outer = null;
        for (var current = type; current?.ContainingType is { } containing; current = containing)
        {
            if (current.DeclaredAccessibility == Accessibility.Private)
            {
                outer = containing;
            }
        }

        return outer;
    }

    /// <summary>Whether no code outside this assembly can name the member: it, or a type around it, is internal or private.</summary>
    private static bool IsVisibleOnlyInAssembly(IMethodSymbol method)
    {
        if (method.DeclaredAccessibility is Accessibility.Internal or Accessibility.Private or Accessibility.ProtectedAndInternal)
        {
            return !method.IsVirtual && !method.IsAbstract && !method.IsOverride;
        }

        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.DeclaredAccessibility is Accessibility.Internal or Accessibility.Private or Accessibility.ProtectedAndInternal)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the member can be called without naming it: virtual dispatch, or an interface it implements.</summary>
    private static bool IsReachableThroughDispatch(IMethodSymbol method)
        => method.IsVirtual || method.IsAbstract || method.IsOverride || method.ExplicitInterfaceImplementations.Length > 0
            || ImplementedInterfaces(method).Count > 0;

    /// <summary>The interfaces with a member that <paramref name="method"/> implements implicitly.</summary>
    private static List<INamedTypeSymbol> ImplementedInterfaces(IMethodSymbol method)
    {
        var found = new List<INamedTypeSymbol>();
        var type = method.ContainingType;
        foreach (var @interface in type.AllInterfaces)
        {
            foreach (var member in @interface.GetMembers())
            {
                if (member is IMethodSymbol candidate && candidate.Name == method.Name
                    && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(candidate), method)
                    || member is IPropertySymbol property && method.AssociatedSymbol is IPropertySymbol own && property.Name == own.Name
                    && (property.GetMethod is { } getter && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(getter), method)
                        || property.SetMethod is { } setter && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(setter), method)))
                {
                    found.Add(@interface);
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Whether a member of a private nested class that implements interface members (not virtual, not an override, not
    /// an explicit implementation) can be reached through them. Not when the interfaces are all declared in source
    /// (a library interface can be called by the language or the framework: 'using', 'foreach', comparers) and no
    /// instance of the class is ever converted to another type in the type around it, the only code that can name it:
    /// then nothing holds it as the interface, and its callers are the calls that name it.
    /// </summary>
    private bool IsReachableThroughInterfaces(IMethodSymbol method, INamedTypeSymbol outer, CancellationToken cancellationToken)
    {
        if (method.IsVirtual || method.IsAbstract || method.IsOverride || method.ExplicitInterfaceImplementations.Length > 0
            || method.ContainingType is not { TypeKind: TypeKind.Class } type)
        {
            return true;
        }

        foreach (var @interface in ImplementedInterfaces(method))
        {
            if (@interface.DeclaringSyntaxReferences.Length == 0)
            {
                return true;
            }
        }

        return _convertedAway.GetOrAdd(type.OriginalDefinition, t => IsConvertedAway(t, outer, cancellationToken));
    }

    /// <summary>
    /// Whether code in <paramref name="outer"/> may hand an instance of <paramref name="nested"/> (or of a class derived
    /// from it) out as another type: a conversion (implicit or explicit: an argument, a return, a collection element,
    /// 'this' passed out) from a type that holds it (itself, an array or generic type over it) to a different type, a
    /// pattern or 'foreach' variable of another type over it ('_worker is IRunnable r'), a generic method or type
    /// declared in source that takes it as a type argument (its constraints may be the interface), or 'typeof' (also in
    /// an attribute). A reference comparison ('_worker != null') converts to object without handing anything out.
    /// </summary>
    private bool IsConvertedAway(INamedTypeSymbol nested, INamedTypeSymbol outer, CancellationToken cancellationToken)
    {
        foreach (var reference in outer.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax(cancellationToken);
            if (!_facts.IsInCompilation(declaration.SyntaxTree))
            {
                return true;
            }

            var model = _facts.ModelFor(declaration.SyntaxTree);
            foreach (var node in declaration.DescendantNodes(n => n is not (BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax)))
            {
                // An attribute can hand the type to reflection ('[Job(typeof(Worker))]').
                if (node is TypeOfExpressionSyntax typeOfInAttribute && typeOfInAttribute.FirstAncestorOrSelf<AttributeSyntax>() is not null
                    && Holds(model.GetTypeInfo(typeOfInAttribute.Type, cancellationToken).Type, nested))
                {
                    return true;
                }
            }

            foreach (var node in declaration.DescendantNodesAndSelf(n => n == declaration || !IsOperationRoot(n)))
            {
                if (node is PrimaryConstructorBaseTypeSyntax)
                {
                    return true;
                }

                if (!IsOperationRoot(node) || model.GetOperation(node, cancellationToken) is not { } root)
                {
                    continue;
                }

                foreach (var operation in root.DescendantsAndSelf())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    switch (operation)
                    {
                        case IConversionOperation conversion when Holds(conversion.Operand.Type, nested)
                            && !SymbolEqualityComparer.Default.Equals(conversion.Type, conversion.Operand.Type)
                            && conversion.Parent is not IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals, OperatorMethod: null }:
                        case IInvocationOperation invocation when TakesAsTypeArgument(invocation.TargetMethod, nested):
                        case IMethodReferenceOperation methodReference when TakesAsTypeArgument(methodReference.Method, nested):
                        case IObjectCreationOperation { Constructor: { } constructor } when TakesAsTypeArgument(constructor, nested):
                        case ITypeOfOperation typeOf when Holds(typeOf.TypeOperand, nested):
                        case IPatternOperation pattern when Holds(pattern.InputType, nested)
                            && !SymbolEqualityComparer.Default.Equals(pattern.NarrowedType, pattern.InputType):
                        case IForEachLoopOperation loop when Holds(WithoutConversions(loop.Collection).Type, nested)
                            && (loop.LoopControlVariable is not IVariableDeclaratorOperation { Symbol.Type: var element } || !Holds(element, nested)):
                            return true;
                    }
                }
            }
        }

        return false;
    }

    private static IOperation WithoutConversions(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    /// <summary>A declaration whose operation tree is walked whole: a method, constructor, accessor, expression-bodied property or field initializer.</summary>
    private static bool IsOperationRoot(SyntaxNode node)
        => node is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax
            || node is ArrowExpressionClauseSyntax { Parent: BasePropertyDeclarationSyntax }
            || node is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent.Parent: BaseFieldDeclarationSyntax } or PropertyDeclarationSyntax };

    /// <summary>Whether a value of <paramref name="type"/> is, or holds, an instance of <paramref name="nested"/>.</summary>
    private static bool Holds(ITypeSymbol? type, INamedTypeSymbol nested)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return Holds(array.ElementType, nested);
            case INamedTypeSymbol named:
                for (INamedTypeSymbol? current = named; current is not null; current = current.BaseType)
                {
                    if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, nested))
                    {
                        return true;
                    }
                }

                foreach (var argument in named.TypeArguments)
                {
                    if (Holds(argument, nested))
                    {
                        return true;
                    }
                }

                if (named.IsAnonymousType)
                {
                    foreach (var member in named.GetMembers())
                    {
                        if (member is IPropertySymbol property && Holds(property.Type, nested))
                        {
                            return true;
                        }
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>Whether a method or type declared in source is instantiated over <paramref name="nested"/>.</summary>
    private static bool TakesAsTypeArgument(IMethodSymbol method, INamedTypeSymbol nested)
    {
        if (method.OriginalDefinition.DeclaringSyntaxReferences.Length > 0)
        {
            foreach (var argument in method.TypeArguments)
            {
                if (Holds(argument, nested))
                {
                    return true;
                }
            }
        }

        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.OriginalDefinition.DeclaringSyntaxReferences.Length > 0)
            {
                foreach (var argument in type.TypeArguments)
                {
                    if (Holds(argument, nested))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static IMethodSymbol RootOf(IMethodSymbol method)
    {
        while (method.OverriddenMethod is { } overridden)
        {
            method = overridden;
        }

        return method;
    }

    /// <summary>Whether a call to <paramref name="target"/> can run <paramref name="method"/> (itself, or a method it overrides).</summary>
    private static bool Calls(IMethodSymbol target, IMethodSymbol method)
    {
        for (IMethodSymbol? current = method; current is not null; current = current.OverriddenMethod)
        {
            if (SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, current.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    private static bool UsesAccessor(IPropertyReferenceOperation reference, MethodKind kind)
    {
        IOperation current = reference;
        var parent = current.Parent;
        bool isTarget = parent switch
        {
            IAssignmentOperation assignment => assignment.Target == current,
            IIncrementOrDecrementOperation => true,
            _ => false,
        };
        bool alsoReads = parent is ICompoundAssignmentOperation or ICoalesceAssignmentOperation or IIncrementOrDecrementOperation;
        return kind == MethodKind.PropertySet ? isTarget : !isTarget || alsoReads;
    }

}
