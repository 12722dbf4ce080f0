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
/// Per-compilation facts about shared state that need a look beyond the callback: whether a field is written after
/// construction, and which lock already guards a symbol elsewhere. Each fact is computed once per symbol.
/// </summary>
internal sealed class SharedStateFacts
{
    private readonly Compilation _compilation;
    private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> _models = new();
    private readonly ConcurrentDictionary<ISymbol, bool> _writtenAfterConstruction = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<ISymbol, string> _guardingLocks = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<SyntaxNode, Dictionary<string, List<IdentifierNameSyntax>>> _writesByScope = new();
    private readonly ConcurrentDictionary<SyntaxNode, List<LockSite>> _locksByScope = new();
    private readonly ConcurrentDictionary<SyntaxNode, Dictionary<string, int>> _declaredNames = new();
    private readonly ConcurrentDictionary<ISymbol, bool> _holdsNonThreadSafeCollection = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _mutatesThisArgument = new(SymbolEqualityComparer.Default);

    private readonly ConcurrentDictionary<SyntaxTree, string> _texts = new();
    private readonly ConcurrentDictionary<ISymbol, System.Collections.Immutable.ImmutableArray<SyntaxReference>> _declarations = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<ISymbol, (SyntaxTree? Tree, bool Written)> _capturedWrittenAfter = new(SymbolEqualityComparer.Default);

    private static readonly string[] CollectionInterfaceNames = { "IList`1", "ICollection`1", "IDictionary`2", "ISet`1" };

    private static readonly string[] SystemCollectionsGeneric = { "System", "Collections", "Generic" };

    public SharedStateFacts(Compilation compilation) => _compilation = compilation;

    /// <summary>
    /// The whole text of <paramref name="tree"/> as one string, for <see cref="TextSearch"/> to search nodes' spans in
    /// without copying each span (a copy of the whole type per searched symbol was a visible share of the allocations).
    /// For the usual <c>StringText</c> this is the text's own string, not a copy; a text kept in chunks (a file of more
    /// than 40K characters) is copied once per compilation. A tree's text never changes.
    /// </summary>
    public string TextOf(SyntaxTree tree, CancellationToken cancellationToken = default)
        => _texts.TryGetValue(tree, out var text) ? text : _texts.GetOrAdd(tree, tree.GetText(cancellationToken).ToString());

    /// <summary>Gets a semantic model for a tree of this compilation (cached: the callee analysis reads other files).</summary>
    public SemanticModel ModelFor(SyntaxTree tree)
    {
#pragma warning disable RS1030 // Interprocedural analysis needs bodies in other files; models are created once per tree and cached.
        return _models.GetOrAdd(tree, t => _compilation.GetSemanticModel(t));
#pragma warning restore RS1030
    }

    /// <summary>Whether a tree belongs to this compilation (declarations of metadata types and other projects do not).</summary>
    public bool IsInCompilation(SyntaxTree tree) => _compilation.ContainsSyntaxTree(tree);

    /// <summary>Whether the assembly lets other assemblies see its internals (<c>[InternalsVisibleTo]</c>): then an internal member may have callers elsewhere.</summary>
    public bool SharesInternals => _sharesInternals ??= _compilation.Assembly.GetAttributes().Any(a => a.AttributeClass?.Name == "InternalsVisibleToAttribute");

    private bool? _sharesInternals;

    /// <summary>The syntax trees of the compilation.</summary>
    public IEnumerable<SyntaxTree> SyntaxTrees => _compilation.SyntaxTrees;

    /// <summary>Whether a field or auto-property is assigned anywhere in its type outside constructors and initializers.</summary>
    public bool IsWrittenAfterConstruction(ISymbol member, CancellationToken cancellationToken)
    {
        if (_writtenAfterConstruction.TryGetValue(member, out var known))
        {
            return known;
        }

        bool written = ComputeWrittenAfterConstruction(member, cancellationToken);
        _writtenAfterConstruction.TryAdd(member, written);
        return written;
    }

    /// <summary>
    /// Whether a member of <paramref name="containingType"/> called or read on <paramref name="instance"/> works on a
    /// collection that is not thread-safe: the type is one (<see cref="KnownTypes.IsNonThreadSafeCollection"/>), or it
    /// is a mutable collection interface (<c>IList&lt;T&gt;</c>, <c>ICollection&lt;T&gt;</c>,
    /// <c>IDictionary&lt;TKey, TValue&gt;</c>, <c>ISet&lt;T&gt;</c>) and the instance is a field that only ever holds
    /// such a collection (<see cref="HoldsOnlyNonThreadSafeCollections"/>).
    /// </summary>
    public bool IsNonThreadSafeCollectionMember(ITypeSymbol? containingType, IOperation? instance, CancellationToken cancellationToken)
    {
        if (KnownTypes.Instance.IsNonThreadSafeCollection(containingType?.OriginalDefinition))
        {
            return true;
        }

        if (!IsCollectionInterface(containingType?.OriginalDefinition))
        {
            return false;
        }

        while (instance is IConversionOperation conversion)
        {
            instance = conversion.Operand;
        }

        return instance is IFieldReferenceOperation field && HoldsOnlyNonThreadSafeCollections(field.Field, cancellationToken);
    }

    /// <summary>
    /// Whether a field typed by a mutable collection interface (<c>IList&lt;T&gt;</c>, <c>ICollection&lt;T&gt;</c>,
    /// <c>IDictionary&lt;TKey, TValue&gt;</c>, <c>ISet&lt;T&gt;</c>; not the read-only views) holds only collections that
    /// are not thread-safe: every assignment to it (its initializer, and the writes in its type, which are all its
    /// writes since it is private or readonly) stores a <c>new List&lt;T&gt;()</c>, <c>new Dictionary&lt;,&gt;()</c>,
    /// <c>new HashSet&lt;T&gt;()</c>, ... or null, and at least one stores a collection. A concurrent collection, a call
    /// result, a parameter or a <c>ref</c> use makes it unknown: not treated as such a collection.
    /// </summary>
    public bool HoldsOnlyNonThreadSafeCollections(ISymbol? symbol, CancellationToken cancellationToken)
    {
        if (symbol is not IFieldSymbol field
            || !IsCollectionInterface(field.Type.OriginalDefinition)
            || !field.IsReadOnly && field.DeclaredAccessibility != Accessibility.Private)
        {
            return false;
        }

        field = field.OriginalDefinition;
        if (_holdsNonThreadSafeCollection.TryGetValue(field, out bool known))
        {
            return known;
        }

        bool holds = ComputeHoldsOnlyNonThreadSafeCollections(field, cancellationToken);
        _holdsNonThreadSafeCollection.TryAdd(field, holds);
        return holds;
    }

    /// <summary>
    /// Whether an extension method of this compilation mutates the collection passed as its <c>this</c> argument
    /// without a lock: a mutating call (<c>Add</c>, <c>Remove</c>, ...) or an indexer set on the parameter, or the
    /// parameter passed as <c>this</c> to another such extension method (up to three deep). <c>list.AddTwice(v)</c>
    /// then mutates <c>list</c> at the call site.
    /// </summary>
    public bool MutatesThisArgument(IMethodSymbol method, CancellationToken cancellationToken, int depth = 0)
    {
        method = method.ReducedFrom ?? method;
        method = method.OriginalDefinition;
        if (!method.IsExtensionMethod || method.Parameters.Length == 0 || method.DeclaringSyntaxReferences.Length != 1 || depth > 3)
        {
            return false;
        }

        if (_mutatesThisArgument.TryGetValue(method, out bool known))
        {
            return known;
        }

        bool mutates = ComputeMutatesThisArgument(method, cancellationToken, depth);
        _mutatesThisArgument.TryAdd(method, mutates);
        return mutates;
    }

    private bool ComputeMutatesThisArgument(IMethodSymbol method, CancellationToken cancellationToken, int depth)
    {
        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        if (!IsInCompilation(syntax.SyntaxTree) || ModelFor(syntax.SyntaxTree).GetOperation(syntax, cancellationToken) is not { } body)
        {
            return false;
        }

        var list = method.Parameters[0];
        foreach (var operation in body.Descendants())
        {
            bool mutation = operation switch
            {
                IInvocationOperation { Instance: { } instance } call
                    => IsParameter(instance, list)
                        && CallbackWalker.IsMutatingName(call.TargetMethod.Name)
                        && KnownTypes.Instance.IsNonThreadSafeCollection(call.TargetMethod.ContainingType?.OriginalDefinition),
                IInvocationOperation { Instance: null, TargetMethod.IsExtensionMethod: true, Arguments.Length: > 0 } call
                    => IsParameter(call.Arguments[0].Value, list) && MutatesThisArgument(call.TargetMethod, cancellationToken, depth + 1),
                IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance, Parent: ISimpleAssignmentOperation assignment } indexer
                    => assignment.Target == indexer && IsParameter(instance, list)
                        && KnownTypes.Instance.IsNonThreadSafeCollection(indexer.Property.ContainingType?.OriginalDefinition),
                _ => false,
            };

            if (mutation && LockRegions.GetCoverage(operation, null, KnownTypes.Instance) == LockCoverage.None)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsParameter(IOperation operation, IParameterSymbol parameter)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter.OriginalDefinition, parameter);
    }

    private static bool IsCollectionInterface(ITypeSymbol? type)
        => type is INamedTypeSymbol { TypeKind: TypeKind.Interface, ContainingType: null } named
            && System.Array.IndexOf(CollectionInterfaceNames, named.MetadataName) >= 0
            && KnownType.IsNamespace(named.ContainingNamespace, SystemCollectionsGeneric);

    private bool ComputeHoldsOnlyNonThreadSafeCollections(IFieldSymbol field, CancellationToken cancellationToken)
    {
        bool stored = false;
        foreach (var reference in field.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: { } initial })
            {
                if (!IsNonThreadSafeCollectionOrNull(initial, ref stored, cancellationToken))
                {
                    return false;
                }
            }
        }

        foreach (var reference in field.ContainingType.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax(cancellationToken);
            if (!_writesByScope.GetOrAdd(declaration, IndexWrites).TryGetValue(field.Name, out var writes))
            {
                continue;
            }

            var model = ModelFor(declaration.SyntaxTree);
            foreach (var name in writes)
            {
                if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, field))
                {
                    continue;
                }

                SyntaxNode target = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
                if (target.Parent is not AssignmentExpressionSyntax assignment
                    || !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
                    || assignment.Left != target
                    || !IsNonThreadSafeCollectionOrNull(assignment.Right, ref stored, cancellationToken))
                {
                    return false;
                }
            }
        }

        return stored;
    }

    private bool IsNonThreadSafeCollectionOrNull(ExpressionSyntax value, ref bool stored, CancellationToken cancellationToken)
    {
        while (value is ParenthesizedExpressionSyntax or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression })
        {
            value = value is ParenthesizedExpressionSyntax parenthesized ? parenthesized.Expression : ((PostfixUnaryExpressionSyntax)value).Operand;
        }

        var operation = ModelFor(value.SyntaxTree).GetOperation(value, cancellationToken);
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        if (operation is ILiteralOperation { ConstantValue: { HasValue: true, Value: null } })
        {
            return true;
        }

        if (operation is IObjectCreationOperation creation && KnownTypes.Instance.IsNonThreadSafeCollection(creation.Type?.OriginalDefinition))
        {
            stored = true;
            return true;
        }

        return false;
    }

    /// <summary>
    /// <see cref="ISymbol.DeclaringSyntaxReferences"/>, cached per symbol: for a source parameter or field Roslyn finds
    /// the declaration from the root of its tree and allocates a new array on every call, and the callback walker asks
    /// for every variable it sees. Symbols equal under <see cref="SymbolEqualityComparer.Default"/> have the same
    /// declarations, and a compilation's declarations never change.
    /// </summary>
    public System.Collections.Immutable.ImmutableArray<SyntaxReference> DeclarationsOf(ISymbol symbol)
        => _declarations.GetOrAdd(symbol, static s => s.DeclaringSyntaxReferences);

    /// <summary>
    /// Whether a captured local or parameter is written after its declaration, or inside any lambda or local function
    /// of its member (<see cref="IsWrittenAfter"/> from the end of its first declaration), or null when its member is
    /// not in <paramref name="tree"/>. Cached per variable: everything it reads (the declaration, the member's writes
    /// and their symbols) is fixed for the compilation; only the caller's tree varies, and it is compared on each call.
    /// </summary>
    public bool IsCapturedVariableWrittenAfterDeclaration(ISymbol variable, SyntaxTree tree, CancellationToken cancellationToken)
    {
        if (!_capturedWrittenAfter.TryGetValue(variable, out var known))
        {
            known = (null, false);
            var declarations = DeclarationsOf(variable);
            if (declarations.Length != 0)
            {
                var declaration = declarations[0].GetSyntax(cancellationToken);
                if (EnclosingMember(declaration) is { } scope)
                {
                    known = (scope.SyntaxTree, IsWrittenAfter(variable, scope, declaration.Span.End, ModelFor(scope.SyntaxTree), cancellationToken));
                }
            }

            _capturedWrittenAfter.TryAdd(variable, known);
        }

        return known.Tree == tree && known.Written;
    }

    /// <summary>Whether a captured local or parameter is written after <paramref name="position"/> or inside any lambda or local function of <paramref name="scope"/>.</summary>
    public bool IsWrittenAfter(ISymbol variable, SyntaxNode scope, int position, SemanticModel model, CancellationToken cancellationToken)
    {
        // One scan per member (cached), not one per read of a captured variable: reads in N lambdas of one large
        // method used to rescan the whole method N times (quadratic; see bench/AnalyzerScale/README.md).
        var writes = _writesByScope.GetOrAdd(scope, IndexWrites);
        if (!writes.TryGetValue(variable.Name, out var names))
        {
            return false;
        }

        foreach (var name in names)
        {
            if (name.SpanStart < position && !IsInsideFunction(name, scope))
            {
                continue;
            }

            if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, variable))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The names written in <paramref name="scope"/> (assignments, increments, <c>ref</c>/<c>out</c> arguments, deconstructions) that are spelled like <paramref name="name"/> (one scan per scope, cached).</summary>
    public IReadOnlyList<IdentifierNameSyntax> WritesNamed(string name, SyntaxNode scope)
        => _writesByScope.GetOrAdd(scope, IndexWrites).TryGetValue(name, out var names) ? names : System.Array.Empty<IdentifierNameSyntax>();

    private static Dictionary<string, List<IdentifierNameSyntax>> IndexWrites(SyntaxNode scope)
    {
        var index = new Dictionary<string, List<IdentifierNameSyntax>>();
        foreach (var node in scope.DescendantNodes())
        {
            if (node is IdentifierNameSyntax name && IsWriteContext(name))
            {
                if (!index.TryGetValue(name.Identifier.ValueText, out var list))
                {
                    index[name.Identifier.ValueText] = list = new List<IdentifierNameSyntax>();
                }

                list.Add(name);
            }
        }

        return index;
    }

    /// <summary>
    /// The lock expression that guards <paramref name="symbol"/> at its other accesses (the most frequent one, first in
    /// source order on a tie), or <see langword="null"/>. Fields and properties are looked for in their type's
    /// declarations; locals and parameters in their member.
    /// </summary>
    public string? GuardingLock(ISymbol symbol, CancellationToken cancellationToken)
    {
        if (_guardingLocks.TryGetValue(symbol, out var known))
        {
            return known.Length == 0 ? null : known;
        }

        var scopes = new List<SyntaxNode>();
        if (symbol is IFieldSymbol or IPropertySymbol)
        {
            foreach (var reference in symbol.ContainingType.DeclaringSyntaxReferences)
            {
                scopes.Add(reference.GetSyntax(cancellationToken));
            }
        }
        else if (symbol.DeclaringSyntaxReferences.Length > 0 && EnclosingMember(symbol.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken)) is { } member)
        {
            scopes.Add(member);
        }

        var counts = new Dictionary<string, int>();
        var order = new List<string>();
        foreach (var scope in scopes)
        {
            // The lock statements of a scope, and the names used in their bodies, are collected once per scope
            // (a type's declarations, or a member), not once per symbol that needs a guarding lock.
            foreach (var site in _locksByScope.GetOrAdd(scope, IndexLocks))
            {
                if (!site.Names.Contains(symbol.Name) || !Mentions(site.Body, symbol, cancellationToken))
                {
                    continue;
                }

                if (counts.TryGetValue(site.LockText, out int count))
                {
                    counts[site.LockText] = count + 1;
                }
                else
                {
                    counts[site.LockText] = 1;
                    order.Add(site.LockText);
                }
            }
        }

        string? best = null;
        int bestCount = 0;
        foreach (var text in order)
        {
            if (counts[text] > bestCount)
            {
                best = text;
                bestCount = counts[text];
            }
        }

        _guardingLocks.TryAdd(symbol, best ?? string.Empty);
        return best;
    }

    /// <summary>
    /// The <c>lock</c> and <c>using (x.EnterScope())</c> statements of a scope, in source order. They are found by
    /// searching the scope's text for the two keywords, not by walking all its nodes: this runs for every type that
    /// gets a report, and the walk was a fifth of EXEC001's time in bench/AnalyzerScale.
    /// </summary>
    private List<LockSite> IndexLocks(SyntaxNode scope)
    {
        var found = new List<(int Start, ExpressionSyntax Lock, StatementSyntax Body)>();
        string text = TextOf(scope.SyntaxTree);
        foreach (var token in TextSearch.TokensNamed(scope, text, "lock"))
        {
            if (token.IsKind(SyntaxKind.LockKeyword) && token.Parent is LockStatementSyntax lockStatement)
            {
                found.Add((lockStatement.SpanStart, lockStatement.Expression, lockStatement.Statement));
            }
        }

        foreach (var token in TextSearch.TokensNamed(scope, text, "EnterScope"))
        {
            if (token.Parent is IdentifierNameSyntax { Parent: MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax { Parent: UsingStatementSyntax usingStatement } invocation } access } name
                && access.Name == name
                && usingStatement.Expression == invocation)
            {
                found.Add((usingStatement.SpanStart, access.Expression, usingStatement.Statement));
            }
        }

        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        var sites = new List<LockSite>(found.Count);
        foreach (var (_, lockExpression, body) in found)
        {
            if (!IsStableLockExpression(lockExpression))
            {
                continue;
            }

            var names = new HashSet<string>();
            foreach (var inner in body.DescendantNodes())
            {
                if (inner is IdentifierNameSyntax name)
                {
                    names.Add(name.Identifier.ValueText);
                }
            }

            // ToString() leaves out the leading and trailing trivia (WithoutTrivia() would rebuild the node).
            sites.Add(new LockSite(lockExpression.ToString(), body, names));
        }

        return sites;
    }

    /// <summary>Whether an identifier is the target of an assignment, increment, decrement, or ref/out argument.</summary>
    public static bool IsWriteContext(IdentifierNameSyntax name)
    {
        SyntaxNode expression = name;
        while (expression.Parent is MemberAccessExpressionSyntax access && access.Name == expression
            || expression.Parent is ParenthesizedExpressionSyntax
            || expression.Parent is ConditionalAccessExpressionSyntax conditional && conditional.WhenNotNull == expression)
        {
            expression = expression.Parent!;
        }

        switch (expression.Parent)
        {
            case AssignmentExpressionSyntax assignment when assignment.Left == expression:
                return true;
            case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression):
                return true;
            case PostfixUnaryExpressionSyntax postfix when postfix.IsKind(SyntaxKind.PostIncrementExpression) || postfix.IsKind(SyntaxKind.PostDecrementExpression):
                return true;
            case ArgumentSyntax argument when !argument.RefKindKeyword.IsKind(SyntaxKind.None) && !argument.RefKindKeyword.IsKind(SyntaxKind.InKeyword):
                return true;
            case ArgumentSyntax { Parent: TupleExpressionSyntax tuple }:
                return tuple.Parent is AssignmentExpressionSyntax tupleAssignment && tupleAssignment.Left == tuple;
            default:
                return false;
        }
    }

    private bool ComputeWrittenAfterConstruction(ISymbol member, CancellationToken cancellationToken)
    {
        var type = member.ContainingType;
        if (type is null)
        {
            return false;
        }

        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            // The writes of a declaration are indexed by name once, then looked up per member.
            var declaration = reference.GetSyntax(cancellationToken);
            if (!_writesByScope.GetOrAdd(declaration, IndexWrites).TryGetValue(member.Name, out var writes))
            {
                continue;
            }

            SemanticModel? model = null;
            foreach (var name in writes)
            {
                if (IsConstruction(name, member.IsStatic))
                {
                    continue;
                }

                // When the syntax settles it, the member that writes is not bound here (it would be bound for us first,
                // and charged to this analyzer).
                if (IsUnambiguousReference(name, member))
                {
                    return true;
                }

                model ??= ModelFor(name.SyntaxTree);
                if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, member.OriginalDefinition))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsConstruction(SyntaxNode node, bool isStatic)
    {
        foreach (var ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax:
                case LocalFunctionStatementSyntax:
                    return false;
                case ConstructorDeclarationSyntax constructor:
                    return constructor.Modifiers.Any(SyntaxKind.StaticKeyword) == isStatic;
                case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax } }:
                case EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax }:
                    return true;
                case MemberDeclarationSyntax:
                    return false;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="node"/> is inside a lambda or local function below <paramref name="scope"/>.</summary>
    internal static bool IsInsideFunction(SyntaxNode node, SyntaxNode scope)
    {
        for (var current = node.Parent; current is not null && current != scope; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsStableLockExpression(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax => true,
        ThisExpressionSyntax => true,
        TypeOfExpressionSyntax => true,
        MemberAccessExpressionSyntax access => access.Expression is ThisExpressionSyntax or IdentifierNameSyntax or PredefinedTypeSyntax,
        _ => false,
    };

    /// <summary>
    /// Whether a lock body refers to <paramref name="symbol"/>. A name can only mean something else when something
    /// of the same name is declared nearer (a local, a parameter, a nested type's member) or it follows another
    /// object's dot; only those identifiers are bound. Binding every lock body of the type was most of the cost of
    /// this lookup (bench/AnalyzerScale), and this fact only chooses the lock the code fix proposes.
    /// </summary>
    private bool Mentions(SyntaxNode body, ISymbol symbol, CancellationToken cancellationToken)
    {
        SemanticModel? model = null;
        foreach (var node in body.DescendantNodes())
        {
            if (node is not IdentifierNameSyntax name || name.Identifier.ValueText != symbol.Name)
            {
                continue;
            }

            if (IsUnambiguousReference(name, symbol))
            {
                return true;
            }

            model ??= ModelFor(name.SyntaxTree);
            if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, symbol.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the syntax alone shows that <paramref name="name"/> refers to <paramref name="symbol"/>.</summary>
    internal bool IsUnambiguousReference(IdentifierNameSyntax name, ISymbol symbol)
    {
        if (name.Parent is MemberAccessExpressionSyntax access && access.Name == name && access.Expression is not ThisExpressionSyntax)
        {
            return false;
        }

        // Names that are looked up in another type or scope: qualified names, named arguments and patterns, and the
        // members set by an object or with-initializer ("new Other { Name = 1 }").
        if (name.Parent is QualifiedNameSyntax or AliasQualifiedNameSyntax or NameColonSyntax or NameEqualsSyntax or ExpressionColonSyntax
            || name.Parent is MemberBindingExpressionSyntax
            || name.Parent is AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax } initializerAssignment && initializerAssignment.Left == name)
        {
            return false;
        }

        // A name directly in a type (a base list, an attribute) has no member to look for shadowing declarations in.
        if (EnclosingMember(name) is not { } member || member is BaseTypeDeclarationSyntax)
        {
            return false;
        }

        var declared = _declaredNames.GetOrAdd(member, CountDeclaredNames);
        declared.TryGetValue(symbol.Name, out int count);
        switch (symbol)
        {
            case IFieldSymbol or IPropertySymbol:
                // No local or parameter of that name, and the name is used in the symbol's own type, not a nested one.
                if (count != 0 || name.FirstAncestorOrSelf<BaseTypeDeclarationSyntax>() is not { } type)
                {
                    return false;
                }

                foreach (var reference in symbol.ContainingType.DeclaringSyntaxReferences)
                {
                    if (reference.SyntaxTree == type.SyntaxTree && reference.Span == type.Span)
                    {
                        return true;
                    }
                }

                return false;

            case ILocalSymbol or IParameterSymbol:
                // The only declaration of that name in the member is the symbol's own.
                return count == 1 && symbol.DeclaringSyntaxReferences.Length == 1
                    && member.Span.Contains(symbol.DeclaringSyntaxReferences[0].Span)
                    && symbol.DeclaringSyntaxReferences[0].SyntaxTree == member.SyntaxTree;

            default:
                return false;
        }
    }

    /// <summary>The innermost lambda, local function, method, accessor or property that contains <paramref name="node"/>: where its statements run together.</summary>
    internal static SyntaxNode? EnclosingFunction(SyntaxNode node)
        => node.Ancestors().FirstOrDefault(n => n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or PropertyDeclarationSyntax);

    /// <summary>The member (or, for top-level statements, the compilation unit) that contains <paramref name="node"/>.</summary>
    internal static SyntaxNode? EnclosingMember(SyntaxNode node)
    {
        foreach (var ancestor in node.AncestorsAndSelf())
        {
            if (ancestor is MemberDeclarationSyntax and not GlobalStatementSyntax or CompilationUnitSyntax)
            {
                return ancestor;
            }
        }

        return null;
    }

    /// <summary>How many times each name is declared in a member: parameters, locals, pattern and loop variables, range variables, local functions.</summary>
    private static Dictionary<string, int> CountDeclaredNames(SyntaxNode member)
    {
        var counts = new Dictionary<string, int>();
        void Add(SyntaxToken identifier)
        {
            string text = identifier.ValueText;
            counts[text] = counts.TryGetValue(text, out int n) ? n + 1 : 1;
        }

        foreach (var node in member.DescendantNodesAndSelf())
        {
            switch (node)
            {
                case ParameterSyntax parameter:
                    Add(parameter.Identifier);
                    break;
                case VariableDeclaratorSyntax declarator when declarator.Parent?.Parent is not FieldDeclarationSyntax and not EventFieldDeclarationSyntax:
                    Add(declarator.Identifier);
                    break;
                case SingleVariableDesignationSyntax designation:
                    Add(designation.Identifier);
                    break;
                case ForEachStatementSyntax forEach:
                    Add(forEach.Identifier);
                    break;
                case CatchDeclarationSyntax catchDeclaration:
                    Add(catchDeclaration.Identifier);
                    break;
                case FromClauseSyntax from:
                    Add(from.Identifier);
                    break;
                case LetClauseSyntax let:
                    Add(let.Identifier);
                    break;
                case JoinClauseSyntax join:
                    Add(join.Identifier);
                    break;
                case JoinIntoClauseSyntax into:
                    Add(into.Identifier);
                    break;
                case QueryContinuationSyntax continuation:
                    Add(continuation.Identifier);
                    break;
                case LocalFunctionStatementSyntax localFunction:
                    Add(localFunction.Identifier);
                    break;
                case TypeParameterSyntax typeParameter:
                    Add(typeParameter.Identifier);
                    break;
            }
        }

        return counts;
    }

    /// <summary>A <c>lock</c> (or <c>using (x.EnterScope())</c>) statement: its lock expression's text, its body, and the names its body uses.</summary>
    private sealed class LockSite
    {
        public LockSite(string lockText, SyntaxNode body, HashSet<string> names)
        {
            LockText = lockText;
            Body = body;
            Names = names;
        }

        public string LockText { get; }

        public SyntaxNode Body { get; }

        public HashSet<string> Names { get; }
    }
}
