using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// The per-compilation state of EXEC001: finds delegates passed as concurrent callbacks and analyzes their bodies.
/// </summary>
internal sealed class CallbackAnalysis
{
    /// <summary>How many calls deep the analysis follows methods of this compilation from a callback.</summary>
    internal const int MaxCallDepth = 3;

    private readonly Compilation _compilation;
    private readonly ConcurrentDictionary<SyntaxNode, byte> _analyzedRoots = new();
    private readonly ConcurrentDictionary<INamedTypeSymbol, ImmutableDictionary<IMethodSymbol, Registration>> _callbackMethodGroups = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<(IMethodSymbol Method, int Depth, bool ThisShared), CallbackFinding?> _summaries = new();
    private readonly ConcurrentDictionary<ISymbol, string> _apiNames = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, CallbackParameterKind[]> _parameterKinds = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _threadSafeBySymbols = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IParameterSymbol, bool> _atomicRefParameters = new(SymbolEqualityComparer.Default);

    public CallbackAnalysis(Compilation compilation, KnownTypes types, CallbackOptionsCache options, SharedStateFacts facts)
    {
        _compilation = compilation;
        Types = types;
        Options = options;
        Facts = facts;
        LockHelpers = new LockHelpers(facts);
        Work = new ConcurrentWork(types);
        Conflicts = new ConflictFinder(this);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, CallbackAnalysis> s_shared = new();

    /// <summary>
    /// The analysis of a compilation, shared by the rules built on it (EXEC001 and EXEC002 find conflicts with the same
    /// caches: accesses, graphs, caller locks). A second options provider (never seen in practice) gets its own instance.
    /// </summary>
    public static CallbackAnalysis For(Compilation compilation, AnalyzerConfigOptionsProvider provider)
    {
        var shared = s_shared.GetValue(compilation, c => new CallbackAnalysis(c, KnownTypes.Instance, new CallbackOptionsCache(provider), new SharedStateFacts(c)));
        return shared.Options.Provider == provider
            ? shared
            : new CallbackAnalysis(compilation, KnownTypes.Instance, new CallbackOptionsCache(provider), new SharedStateFacts(compilation));
    }

    /// <summary>The APIs that run delegates as concurrent work (EXEC002's sources).</summary>
    public ConcurrentWork Work { get; }

    private const int MaxAtomicRefDepth = 3;

    /// <summary>
    /// Whether a variable passed by reference is only touched atomically: an argument of <c>Interlocked</c>,
    /// <c>Volatile</c>, <c>ImmutableInterlocked</c> or <c>LazyInitializer</c>, or of a method of this compilation
    /// whose every use of that parameter is itself such an argument (a <c>ref</c> helper built on a CAS).
    /// </summary>
    public bool IsAtomicRefArgument(IArgumentOperation argument, CancellationToken cancellationToken, int depth = 0)
    {
        if (argument.Parent is not IInvocationOperation invocation || argument.Parameter is not { RefKind: not RefKind.None } parameter)
        {
            return false;
        }

        var type = invocation.TargetMethod.ContainingType?.OriginalDefinition;
        if (Types.Interlocked.Matches(type) || Types.Volatile.Matches(type) || Types.ImmutableInterlocked.Matches(type) || Types.LazyInitializer.Matches(type))
        {
            return true;
        }

        return depth < MaxAtomicRefDepth
            && parameter.DeclaringSyntaxReferences.Length == 1
            && _atomicRefParameters.GetOrAdd(parameter.OriginalDefinition, p => IsAtomicRefParameter(p, depth, cancellationToken));
    }

    private bool IsAtomicRefParameter(IParameterSymbol parameter, int depth, CancellationToken cancellationToken)
    {
        if (parameter.ContainingSymbol is not IMethodSymbol { DeclaringSyntaxReferences.Length: 1 } method)
        {
            return false;
        }

        var declaration = method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        if (!Facts.IsInCompilation(declaration.SyntaxTree))
        {
            return false;
        }

        var model = Facts.ModelFor(declaration.SyntaxTree);
        string text = Facts.TextOf(declaration.SyntaxTree, cancellationToken);
        bool any = false;
        foreach (var token in TextSearch.TokensNamed(declaration, text, parameter.Name))
        {
            if (token.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.ParameterSyntax
                || token.Parent?.FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.AttributeSyntax>() is not null
                || token.Parent?.Parent?.Parent?.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax { Identifier.ValueText: "nameof" } })
            {
                // The declaration, an attribute ([NotNullIfNotNull(nameof(x))]) or a nameof: not a use of the variable.
                continue;
            }

            if (token.Parent is not Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax name
                || model.GetOperation(name, cancellationToken) is not IParameterReferenceOperation reference
                || !SymbolEqualityComparer.Default.Equals(reference.Parameter.OriginalDefinition, parameter.OriginalDefinition))
            {
                if (token.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax)
                {
                    // The same name bound to something else (a nameof, a member of another object): not a use.
                    continue;
                }

                return false;
            }

            if (reference.Parent is not IArgumentOperation use || !IsAtomicRefArgument(use, cancellationToken, depth + 1))
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    /// <summary>Finds the other side of each race.</summary>
    public ConflictFinder Conflicts { get; }

    /// <summary>Lock regions made by helpers of the compilation (<c>WithLock(() => …)</c>, <c>using (_mutex.Enter())</c>).</summary>
    public LockHelpers LockHelpers { get; }

    public KnownTypes Types { get; }

    public CallbackOptionsCache Options { get; }

    public SharedStateFacts Facts { get; }

    public void AnalyzeInvocation(OperationAnalysisContext context, IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (!HasDelegateParameter(method))
        {
            return;
        }

        var options = Options.For(invocation.Syntax.SyntaxTree);
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { } parameter && IsCallbackParameter(method, parameter, options))
            {
                AnalyzeCallbackValue(context, argument.Value, new Registration(method, invocation), depth: 0);
            }
        }
    }

    public void AnalyzeObjectCreation(OperationAnalysisContext context, IObjectCreationOperation creation)
    {
        if (creation.Constructor is not { } constructor || !HasDelegateParameter(constructor))
        {
            return;
        }

        var options = Options.For(creation.Syntax.SyntaxTree);
        foreach (var argument in creation.Arguments)
        {
            if (argument.Parameter is { } parameter && IsCallbackParameter(constructor, parameter, options))
            {
                AnalyzeCallbackValue(context, argument.Value, new Registration(constructor, creation), depth: 0);
            }
        }
    }

    public void AnalyzeEventAssignment(OperationAnalysisContext context, IEventAssignmentOperation assignment)
    {
        if (!assignment.Adds || assignment.EventReference is not IEventReferenceOperation { Event: var @event })
        {
            return;
        }

        if (IsCallbackEvent(@event, Options.For(assignment.Syntax.SyntaxTree)))
        {
            AnalyzeCallbackValue(context, assignment.HandlerValue, new Registration(@event, assignment), depth: 0);
        }
    }

    /// <summary>EXEC002: the delegates a call hands over as concurrent work (<c>Parallel.ForEach</c>, <c>Task.Run</c>, <c>Submit</c>, …).</summary>
    public void AnalyzeWorkInvocation(OperationAnalysisContext context, IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (!Work.HasWorkParameter(method) && !Options.For(invocation.Syntax.SyntaxTree).HasWorkApis)
        {
            return;
        }

        AnalyzeWorkArguments(context, method, invocation, invocation.Arguments, invocation);
    }

    /// <summary>EXEC002: <c>new Thread(work)</c>, analyzed from the <c>Start()</c> that hands the work over.</summary>
    public void AnalyzeWorkCreation(OperationAnalysisContext context, IObjectCreationOperation creation)
    {
        if (creation.Constructor is not { } constructor || !Work.HasWorkParameter(constructor) && !Options.For(creation.Syntax.SyntaxTree).HasWorkApis)
        {
            return;
        }

        AnalyzeWorkArguments(context, constructor, creation, creation.Arguments, ThreadStartOf(creation, context.CancellationToken) ?? (IOperation)creation);
    }

    private void AnalyzeWorkArguments(OperationAnalysisContext context, IMethodSymbol method, IOperation call, ImmutableArray<IArgumentOperation> arguments, IOperation handOff)
    {
        var options = Options.For(call.Syntax.SyntaxTree);
        foreach (var argument in arguments)
        {
            if (argument.Parameter is not { } parameter || Work.Classify(method, parameter, options) is not { } source)
            {
                continue;
            }

            var registration = new Registration(method, handOff) { Work = source };
            if (argument.Value is IArrayCreationOperation { Initializer: { } initializer })
            {
                // Parallel.Invoke(params Action[]): each action is work of its own.
                foreach (var element in initializer.ElementValues)
                {
                    AnalyzeCallbackValue(context, element, registration, depth: 0);
                }
            }
            else
            {
                AnalyzeCallbackValue(context, argument.Value, registration, depth: 0);
            }
        }
    }

    /// <summary>
    /// The one <c>Start()</c> of a new thread: <c>new Thread(…).Start()</c>, or the <c>Start()</c> of the local it
    /// initializes. Null when there is none or several (the hand-off point is then unknown, and nothing is reported).
    /// </summary>
    public IOperation? ThreadStartOf(IOperation creation, CancellationToken cancellationToken)
    {
        var value = creation;
        while (value.Parent is IConversionOperation)
        {
            value = value.Parent;
        }

        if (value.Parent is IInvocationOperation { TargetMethod.Name: "Start" } direct && direct.Instance == value)
        {
            return direct;
        }

        ILocalSymbol? local = value.Parent switch
        {
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } => target.Local,
            _ => null,
        };
        if (local is null || HandOffFinder.FunctionBodyOf(creation) is not { } body)
        {
            return null;
        }

        IOperation? start = null;
        foreach (var descendant in body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (descendant is IInvocationOperation { TargetMethod.Name: "Start", Instance: ILocalReferenceOperation { Local: var started } } call
                && SymbolEqualityComparer.Default.Equals(started, local)
                && Types.Thread.Matches(call.TargetMethod.ContainingType))
            {
                if (start is not null)
                {
                    return null;
                }

                start = call;
            }
        }

        return start;
    }

    /// <summary>
    /// How an argument of <paramref name="parameter"/> runs when passed to <paramref name="method"/>: as work
    /// (<see cref="WorkSource"/>), as a callback (<c>Work</c> null), or not concurrently (null). The one classification
    /// the rules share (EXEC001/EXEC002 registrations, EXEC003 hand-offs, EXEC006 concurrent delegates).
    /// </summary>
    public (WorkSource? Work, bool Callback)? SourceOf(IMethodSymbol method, IParameterSymbol parameter, SyntaxTree tree)
    {
        var options = Options.For(tree);
        if (Work.Classify(method, parameter, options) is { } work)
        {
            return (work, false);
        }

        return IsCallbackParameter(method, parameter, options) ? (null, true) : null;
    }

    /// <summary>Whether a method of this compilation is passed as a callback (not work) by its own type (a method group).</summary>
    public bool IsCallbackMethod(IMethodSymbol method, CancellationToken cancellationToken)
        => method.ContainingType is { } type
            && _callbackMethodGroups.GetOrAdd(type, t => FindCallbackMethodGroups(t, cancellationToken)).TryGetValue(method.OriginalDefinition, out var registration)
            && registration.Work is null;

    /// <summary>How an anonymous function runs when it is an argument of a work API (through a delegate creation), or null.</summary>
    public WorkSource? WorkSourceOfArgument(IOperation function)
    {
        var current = function.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation or IArrayInitializerOperation or IArrayCreationOperation)
        {
            current = current.Parent;
        }

        return current switch
        {
            IArgumentOperation { Parameter: { } parameter, Parent: IInvocationOperation invocation } => Work.Classify(invocation.TargetMethod, parameter, Options.For(invocation.Syntax.SyntaxTree)),
            IArgumentOperation { Parameter: { } parameter, Parent: IObjectCreationOperation { Constructor: { } constructor } creation } => Work.Classify(constructor, parameter, Options.For(creation.Syntax.SyntaxTree)),
            _ => null,
        };
    }

    /// <summary>Whether an argument passed to this parameter of this method runs as a concurrent callback.</summary>
    public bool IsCallbackParameter(IMethodSymbol method, IParameterSymbol parameter, CallbackOptions options)
    {
        if (parameter.Type.TypeKind != TypeKind.Delegate)
        {
            return false;
        }

        // What the symbols say is fixed per method and computed once; what the options say can differ per file.
        var kinds = _parameterKinds.GetOrAdd(method.OriginalDefinition, ClassifyParameters);
        var kind = parameter.Ordinal < kinds.Length ? kinds[parameter.Ordinal] : CallbackParameterKind.None;
        if (kind == CallbackParameterKind.Attributed)
        {
            return true;
        }

        if (kind == CallbackParameterKind.DotNet && options.IncludeDotNetCallbacks)
        {
            return true;
        }

        return !options.CallbackApis.IsEmpty
            && CallbackOptions.Matches(options.CallbackApis, DocumentationCommentId.CreateDeclarationId(method.OriginalDefinition));
    }

    /// <summary>Whether a type is declared thread-safe: by <c>[ThreadSafe]</c>, the options, or a known thread-safe namespace.</summary>
    public bool IsThreadSafeType(ITypeSymbol? type, CallbackOptions options)
    {
        if (type is not INamedTypeSymbol named)
        {
            return false;
        }

        // What the symbols say is fixed per type and computed once; what the options say can differ per file.
        var definition = named.OriginalDefinition;
        if (_threadSafeBySymbols.GetOrAdd(definition, IsThreadSafeBySymbols))
        {
            return true;
        }

        return !options.ThreadSafeTypes.IsEmpty
            && CallbackOptions.Matches(options.ThreadSafeTypes, DocumentationCommentId.CreateDeclarationId(definition));
    }

    private bool IsThreadSafeBySymbols(INamedTypeSymbol definition)
    {
        if (Types.ThreadSafeAttribute.IsAppliedIn(definition.GetAttributes()))
        {
            return true;
        }

        if (Types.IsInThreadSafeNamespace(definition))
        {
            return true;
        }

        return InheritsFrom(definition, Types.Future);
    }

    /// <summary>
    /// Gets the memoized summary of a method of this compilation: its first unsynchronized write, or null.
    /// <paramref name="stack"/> holds the methods being summarized on this path; a recursive call contributes nothing,
    /// and a result cut short by recursion is not cached, so results do not depend on the order of analysis.
    /// </summary>
    public CallbackFinding? SummarizeMethod(IMethodSymbol method, int depth, bool thisShared, HashSet<IMethodSymbol> stack, out bool cut, CancellationToken cancellationToken)
    {
        cut = false;
        method = method.OriginalDefinition;
        if (depth > MaxCallDepth)
        {
            return null;
        }

        if (stack.Contains(method))
        {
            cut = true;
            return null;
        }

        var key = (method, depth, thisShared);
        if (_summaries.TryGetValue(key, out var known))
        {
            return known;
        }

        var body = GetBody(method, cancellationToken);
        if (body is null)
        {
            return null;
        }

        stack.Add(method);
        var walker = new CallbackWalker(this, body, api: null, depth, thisShared, summaryOnly: true, cancellationToken, stack);
        walker.Walk();
        stack.Remove(method);
        cut = walker.CutByRecursion;
        if (!cut)
        {
            _summaries.TryAdd(key, walker.FirstWrite);
        }

        return walker.FirstWrite;
    }

    /// <summary>Gets the operation of a source method's body, or null for methods without source.</summary>
    public IOperation? GetBody(IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (method.IsAbstract || method.IsExtern || method.DeclaringSyntaxReferences.Length == 0)
        {
            return null;
        }

        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
        {
            return null;
        }

        var operation = Facts.ModelFor(syntax.SyntaxTree).GetOperation(syntax, cancellationToken);
        return operation switch
        {
            IMethodBodyBaseOperation or ILocalFunctionOperation => operation,
            _ => null,
        };
    }

    public bool IsCallbackRegistrationArgument(IOperation operation)
    {
        // operation is an anonymous function; is it (through a delegate creation) the argument of a callback API?
        var current = operation.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        switch (current)
        {
            case IArgumentOperation { Parameter: { } parameter, Parent: IInvocationOperation invocation }:
                return IsCallbackParameter(invocation.TargetMethod, parameter, Options.For(invocation.Syntax.SyntaxTree));
            case IArgumentOperation { Parameter: { } parameter, Parent: IObjectCreationOperation { Constructor: { } constructor } creation }:
                return IsCallbackParameter(constructor, parameter, Options.For(creation.Syntax.SyntaxTree));
            case IEventAssignmentOperation { Adds: true, EventReference: IEventReferenceOperation reference } assignment:
                return IsCallbackEvent(reference.Event, Options.For(assignment.Syntax.SyntaxTree));
            default:
                return false;
        }
    }

    /// <summary>The API's name as the message shows it ("Future&lt;int&gt;.AddDoneCallback"); computed once per symbol.</summary>
    public string ApiName(ISymbol symbol) => _apiNames.GetOrAdd(symbol, static s => FormatApiName(s));

    /// <summary>How messages name an API: <c>Type.Member</c>, <c>new Type</c> for a constructor.</summary>
    internal static string FormatApiName(ISymbol symbol)
        => symbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
            ? "new " + constructor.ContainingType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)
            : symbol.ContainingType is { } type
                ? type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "." + symbol.Name
                : symbol.Name;

    private static bool HasDelegateParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (parameter.Type.TypeKind == TypeKind.Delegate)
            {
                return true;
            }
        }

        return false;
    }

    private static bool InheritsFrom(INamedTypeSymbol type, KnownType baseType)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (baseType.Matches(current.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    private CallbackParameterKind[] ClassifyParameters(IMethodSymbol definition)
    {
        bool dotNet = IsDotNetCallbackApi(definition);
        var kinds = new CallbackParameterKind[definition.Parameters.Length];
        for (int i = 0; i < kinds.Length; i++)
        {
            kinds[i] = HasConcurrentCallbackAttribute(definition, i) ? CallbackParameterKind.Attributed
                : dotNet ? CallbackParameterKind.DotNet
                : CallbackParameterKind.None;
        }

        return kinds;
    }

    private bool HasConcurrentCallbackAttribute(IMethodSymbol method, int ordinal)
    {
        for (IMethodSymbol? current = method.OriginalDefinition; current is not null; current = current.OverriddenMethod?.OriginalDefinition)
        {
            if (ordinal < current.Parameters.Length)
            {
                if (Types.ConcurrentCallbackAttribute.IsAppliedIn(current.Parameters[ordinal].GetAttributes())
                    || ImplementsAttributedInterfaceMember(current, ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the method implements, implicitly or explicitly, an interface method whose parameter at
    /// <paramref name="ordinal"/> carries <c>[ConcurrentCallback]</c>: the attribute on an interface member is honoured
    /// by its implementations, as it is on an abstract or virtual member by its overrides.
    /// </summary>
    private bool ImplementsAttributedInterfaceMember(IMethodSymbol method, int ordinal)
    {
        if (method.IsStatic || method.ContainingType is not { } type)
        {
            return false;
        }

        foreach (var implemented in method.ExplicitInterfaceImplementations)
        {
            if (ordinal < implemented.Parameters.Length && Types.ConcurrentCallbackAttribute.IsAppliedIn(implemented.Parameters[ordinal].GetAttributes()))
            {
                return true;
            }
        }

        if (method.MethodKind != MethodKind.Ordinary || method.DeclaredAccessibility != Accessibility.Public)
        {
            return false;
        }

        foreach (var @interface in type.AllInterfaces)
        {
            foreach (var member in @interface.GetMembers(method.Name))
            {
                if (member is IMethodSymbol { IsStatic: false } candidate
                    && ordinal < candidate.Parameters.Length
                    && Types.ConcurrentCallbackAttribute.IsAppliedIn(candidate.Parameters[ordinal].GetAttributes())
                    && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(candidate)?.OriginalDefinition, method.OriginalDefinition))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool IsDotNetCallbackApi(IMethodSymbol method)
    {
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
        {
            return false;
        }

        string name = method.Name;
        if (name == "ContinueWith")
        {
            return Is(type, Types.Task) || Is(type, Types.TaskOfT);
        }

        if (name is "Register" or "UnsafeRegister")
        {
            return Is(type, Types.CancellationToken);
        }

        if (name is "QueueUserWorkItem" or "UnsafeQueueUserWorkItem")
        {
            return Is(type, Types.ThreadPool);
        }

        return method.MethodKind == MethodKind.Constructor && Is(type, Types.ThreadingTimer);
    }

    internal bool IsCallbackEvent(IEventSymbol @event, CallbackOptions options)
    {
        if (options.IncludeDotNetCallbacks && @event.Name == "Elapsed" && Is(@event.ContainingType?.OriginalDefinition, Types.TimersTimer))
        {
            return true;
        }

        return !options.CallbackApis.IsEmpty
            && CallbackOptions.Matches(options.CallbackApis, DocumentationCommentId.CreateDeclarationId(@event.OriginalDefinition));
    }

    /// <summary>
    /// The callback's parameters that receive the registration's state argument when that argument is shared: <c>this</c>,
    /// a field or a static (<c>token.Register(static s => ((Conn)s!).OnCancel(), this)</c>,
    /// <c>new Timer(static s => …, this, …)</c>, <c>ContinueWith((t, s) => …, _sink)</c>). The allocation-free form puts
    /// the shared object behind a parameter; without this, such callbacks would look like they touch only their own data.
    /// </summary>
    private static ImmutableArray<IParameterSymbol> SharedStateParameters(Registration registration, IMethodSymbol callback)
    {
        var arguments = registration.Operation switch
        {
            IInvocationOperation invocation => invocation.Arguments,
            IObjectCreationOperation creation => creation.Arguments,
            _ => default,
        };

        if (arguments.IsDefault)
        {
            return ImmutableArray<IParameterSymbol>.Empty;
        }

        foreach (var argument in arguments)
        {
            if (argument.Parameter is not { Name: "state" } stateParameter)
            {
                continue;
            }

            var value = argument.Value;
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            bool shared = value switch
            {
                IInstanceReferenceOperation => true,
                IFieldReferenceOperation field => field.Field.IsStatic || field.Instance is null or IInstanceReferenceOperation,
                IPropertyReferenceOperation property => property.Property.IsStatic || property.Instance is null or IInstanceReferenceOperation,
                ILocalReferenceOperation local => IsStateSharedByRegistrations(local, argument),
                _ => false,
            };

            if (!shared)
            {
                return ImmutableArray<IParameterSymbol>.Empty;
            }

            var builder = ImmutableArray.CreateBuilder<IParameterSymbol>();
            foreach (var parameter in callback.Parameters)
            {
                if (SymbolEqualityComparer.Default.Equals(parameter.Type.WithNullableAnnotation(NullableAnnotation.None), stateParameter.Type.WithNullableAnnotation(NullableAnnotation.None)))
                {
                    builder.Add(parameter);
                }
            }

            return builder.ToImmutable();
        }

        return ImmutableArray<IParameterSymbol>.Empty;
    }

    /// <summary>
    /// Whether a local passed as the state argument is one object for several registrations: the registration is in a
    /// loop that does not declare the local anew (<c>var shared = new Box(); for (…) QueueUserWorkItem(cb, shared);</c>),
    /// or the local is passed as the state of another registration too. A local created per registration stays owned.
    /// </summary>
    private static bool IsStateSharedByRegistrations(ILocalReferenceOperation local, IArgumentOperation argument)
    {
        if (local.Local.DeclaringSyntaxReferences.Length != 1 || local.SemanticModel is not { } model)
        {
            return false;
        }

        var declaration = local.Local.DeclaringSyntaxReferences[0].GetSyntax();
        if (declaration.SyntaxTree != argument.Syntax.SyntaxTree)
        {
            return false;
        }

        foreach (var ancestor in argument.Syntax.Ancestors())
        {
            if (ancestor.Span.Contains(declaration.Span))
            {
                break;
            }

            if (ancestor is Microsoft.CodeAnalysis.CSharp.Syntax.ForStatementSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.CommonForEachStatementSyntax
                or Microsoft.CodeAnalysis.CSharp.Syntax.WhileStatementSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.DoStatementSyntax)
            {
                return true;
            }

            if (ancestor is Microsoft.CodeAnalysis.CSharp.Syntax.AnonymousFunctionExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.LocalFunctionStatementSyntax)
            {
                // A lambda that may run more than once: not followed here (precision first).
                return false;
            }
        }

        if (SharedStateFacts.EnclosingMember(declaration) is not { } member)
        {
            return false;
        }

        foreach (var node in member.DescendantNodes())
        {
            if (node is Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax name } other
                && other != argument.Syntax
                && name.Identifier.ValueText == local.Local.Name
                && model.GetOperation(other) is IArgumentOperation { Parameter.Name: "state" } otherArgument
                && (otherArgument.Value is IConversionOperation { Operand: var converted } ? converted : otherArgument.Value) is ILocalReferenceOperation { Local: var otherLocal }
                && SymbolEqualityComparer.Default.Equals(otherLocal, local.Local))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Is(INamedTypeSymbol? type, KnownType known) => known.Matches(type);

    private void AnalyzeCallbackValue(OperationAnalysisContext context, IOperation value, Registration registration, int depth)
    {
        var api = registration.Api;
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        switch (value)
        {
            case IDelegateCreationOperation creation:
                AnalyzeCallbackValue(context, creation.Target, registration, depth);
                break;

            case IAnonymousFunctionOperation function:
                if (_analyzedRoots.TryAdd(function.Syntax, 0))
                {
                    Report(context, new CallbackWalker(this, function, api, 0, thisShared: true, summaryOnly: false, context.CancellationToken, stack: null)
                    {
                        SharedParameters = SharedStateParameters(registration, function.Symbol),
                    }, registration);
                }

                break;

            case IMethodReferenceOperation reference:
                AnalyzeMethodGroup(context, reference, registration);
                break;

            case ILocalReferenceOperation local when depth == 0 && local.Local.Type?.TypeKind == TypeKind.Delegate:
                // A delegate-typed local initialized with a lambda and passed later.
                if (InitializerOf(local.Local, context.CancellationToken) is { } initializer)
                {
                    AnalyzeCallbackValue(context, initializer, registration, depth + 1);
                }

                break;

            case IFieldReferenceOperation { Field: { IsReadOnly: true, Type.TypeKind: TypeKind.Delegate } field } cached when depth == 0:
                // A delegate cached in a readonly field (static readonly TimerCallback s_onTick = OnTick;) and passed later.
                switch (FieldInitializerOf(field, context.CancellationToken))
                {
                    case IAnonymousFunctionOperation or IDelegateCreationOperation { Target: IAnonymousFunctionOperation } when FieldInitializerOf(field, context.CancellationToken) is { } lambda:
                        AnalyzeCallbackValue(context, lambda, registration, depth + 1);
                        break;
                    case IDelegateCreationOperation { Target: IMethodReferenceOperation reference }:
                        AnalyzeCachedMethodGroup(context, reference, registration, cached);
                        break;
                    case IMethodReferenceOperation reference:
                        AnalyzeCachedMethodGroup(context, reference, registration, cached);
                        break;
                }

                break;
        }
    }

    /// <summary>
    /// A method group cached in a field and registered through it: its own type's method is analyzed like a method
    /// group registered directly (reported at its accesses, with the state argument followed); another type's method is
    /// reported at the field reference.
    /// </summary>
    private void AnalyzeCachedMethodGroup(OperationAnalysisContext context, IMethodReferenceOperation reference, Registration registration, IOperation cached)
    {
        var method = reference.Method.OriginalDefinition;
        if (method.MethodKind != MethodKind.Ordinary || !IsDeclaredWithin(cached.Syntax, method.ContainingType))
        {
            AnalyzeMethodGroup(context, reference, registration, reportAt: cached.Syntax);
            return;
        }

        if (GetBody(method, context.CancellationToken) is { } body && _analyzedRoots.TryAdd(body.Syntax, 0))
        {
            Report(context, new CallbackWalker(this, body, registration.Api, 0, thisShared: true, summaryOnly: false, context.CancellationToken, stack: null)
            {
                SharedParameters = SharedStateParameters(registration, method),
            }, registration);
        }
    }

    /// <summary>The value a field is initialized with in its declaration (conversions removed), or null.</summary>
    public IOperation? FieldInitializerOf(IFieldSymbol field, CancellationToken cancellationToken)
    {
        if (field.DeclaringSyntaxReferences.Length != 1
            || field.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer: { } initializer } declarator
            || !Facts.IsInCompilation(declarator.SyntaxTree))
        {
            return null;
        }

        var value = Facts.ModelFor(declarator.SyntaxTree).GetOperation(initializer, cancellationToken) is IFieldInitializerOperation fieldInitializer ? fieldInitializer.Value : null;
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        return value;
    }

    /// <summary>
    /// Analyzes a method body when the method is passed as a callback method group somewhere in its own type, so the
    /// accesses are reported inside the method, as local diagnostics of the method being analyzed.
    /// </summary>
    public void AnalyzeMethodBody(OperationAnalysisContext context, IOperation body, bool work = false)
    {
        if (context.ContainingSymbol is not IMethodSymbol { ContainingType: { } type } method)
        {
            return;
        }

        var groups = _callbackMethodGroups.GetOrAdd(type, t => FindCallbackMethodGroups(t, context.CancellationToken));
        if (groups.TryGetValue(method.OriginalDefinition, out var registration) && registration.Work is not null == work && _analyzedRoots.TryAdd(body.Syntax, 0))
        {
            Report(context, new CallbackWalker(this, body, registration.Api, 0, thisShared: true, summaryOnly: false, context.CancellationToken, stack: null)
            {
                SharedParameters = SharedStateParameters(registration, method),
            }, registration);
        }
    }

    private void AnalyzeMethodGroup(OperationAnalysisContext context, IMethodReferenceOperation reference, Registration registration, SyntaxNode? reportAt = null)
    {
        var api = registration.Api;
        var method = reference.Method.OriginalDefinition;
        if (method.MethodKind == MethodKind.LocalFunction)
        {
            // A local function is declared in the same member: report at its accesses.
            if (GetBody(method, context.CancellationToken) is { } localFunction && _analyzedRoots.TryAdd(localFunction.Syntax, 0))
            {
                Report(context, new CallbackWalker(this, localFunction, api, 0, thisShared: true, summaryOnly: false, context.CancellationToken, stack: null), registration);
            }

            return;
        }

        if (reportAt is null && IsDeclaredWithin(reference.Syntax, method.ContainingType))
        {
            // Reported inside the method by AnalyzeMethodBody.
            return;
        }

        if (GetBody(method, context.CancellationToken) is null || IsThreadSafeType(method.ContainingType, Options.For(reference.Syntax.SyntaxTree)))
        {
            return;
        }

        // A method of another type: report at the method group, naming the access it makes.
        bool thisShared = method.IsStatic || reference.Instance is null || CallbackWalker.IsSharedReceiver(reference.Instance, isOwned: null);
        if (SummarizeMethod(method, 1, thisShared, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default), out _, context.CancellationToken) is { } finding
            && GetBody(method, context.CancellationToken) is { } calleeBody
            && Conflicts.Find(finding, registration, calleeBody.Syntax, context.CancellationToken) is { } conflict)
        {
            var properties = WithConflict(WithGuardingLock(finding, context.CancellationToken), conflict).SetItem(CallbackDiagnosticProperties.AccessKind, AccessKinds.Call);
            context.ReportDiagnostic(Diagnostic.Create(
                RuleFor(registration),
                (reportAt ?? reference.Syntax).GetLocation(),
                conflict.Locations,
                properties,
                ApiName(api),
                "uses '" + ApiName(method) + "', which " + finding.Verb,
                finding.Target,
                ConflictFinder.LockText(finding.Locks),
                conflict.Description));
        }
    }

    private static bool IsDeclaredWithin(SyntaxNode node, INamedTypeSymbol type)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree == node.SyntaxTree && reference.Span.Contains(node.Span))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Finds the methods of a type that its own code passes as callbacks, with the API of the first such use in source order.</summary>
    private ImmutableDictionary<IMethodSymbol, Registration> FindCallbackMethodGroups(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>();
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } candidate && !candidate.IsAbstract)
            {
                names.Add(candidate.Name);
            }
        }

        var result = ImmutableDictionary.CreateBuilder<IMethodSymbol, Registration>(SymbolEqualityComparer.Default);
        if (names.Count == 0)
        {
            return result.ToImmutable();
        }

        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax(cancellationToken);
            var model = Facts.ModelFor(declaration.SyntaxTree);
            foreach (var identifier in CandidateIdentifiers(declaration, names, cancellationToken))
            {
                SyntaxNode expression = identifier.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax access && access.Name == identifier
                    ? access
                    : identifier;
                // Only an argument or the right side of '+=' can pass a method group as a callback. Binding every
                // call 'M(...)' here would build the operation trees of whole types (measured in bench/AnalyzerScale).
                if (!CouldBeCallbackMethodGroup(expression) || !CouldBeCallbackApi(expression, cancellationToken))
                {
                    continue;
                }

                var operation = model.GetOperation(expression, cancellationToken);
                while (operation is IDelegateCreationOperation or IConversionOperation)
                {
                    operation = operation is IDelegateCreationOperation creation ? creation.Target : ((IConversionOperation)operation).Operand;
                }

                if (operation is not IMethodReferenceOperation methodReference)
                {
                    continue;
                }

                var method = methodReference.Method.OriginalDefinition;
                if (!SymbolEqualityComparer.Default.Equals(method.ContainingType, type))
                {
                    continue;
                }

                if (CallbackApiOf(methodReference) is { } registration)
                {
                    if (result.TryGetValue(method, out var first))
                    {
                        // Registered again: the method runs for each registration.
                        first.Next ??= registration;
                    }
                    else
                    {
                        result[method] = registration;
                    }
                }
            }
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// The identifiers in <paramref name="declaration"/> named like one of <paramref name="names"/> that are not the
    /// name of a call, in source order (found by searching the text: the node walk was most of this method's cost).
    /// </summary>
    private List<Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax> CandidateIdentifiers(SyntaxNode declaration, HashSet<string> names, CancellationToken cancellationToken)
    {
        var found = new List<Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax>();
        foreach (var token in TextSearch.TokensNamedAny(declaration, Facts.TextOf(declaration.SyntaxTree, cancellationToken), names, skipCalls: true))
        {
            if (token.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax identifier
                && !token.GetNextToken().IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.OpenParenToken))
            {
                found.Add(identifier);
            }
        }

        return found;
    }

    private static readonly string[] DotNetCallbackApiNames =
    {
        "ContinueWith", "Register", "UnsafeRegister", "QueueUserWorkItem", "UnsafeQueueUserWorkItem", "Timer",
        // Work (EXEC002): Parallel.*, PLINQ, Task.Run, StartNew, new Thread, Submit, Map.
        "For", "ForEach", "ForAsync", "ForEachAsync", "Invoke", "ForAll", "Run", "StartNew", "Thread", "Submit", "Map",
    };

    private HashSet<string>? _attributedApiNames;

    /// <summary>
    /// Whether the call that receives <paramref name="expression"/> as an argument can be a callback API, judged by its
    /// name before anything is bound: a .NET callback API, a method or constructor with a <c>[ConcurrentCallback]</c>
    /// parameter (in source, or in an assembly built on Executor), or a name the <c>callback_apis</c> option lists.
    /// Binding an argument binds its whole member (and runs its nullable analysis), which was most of EXEC001's cost on
    /// large libraries, for method groups passed to APIs that are never callbacks.
    /// </summary>
    private bool CouldBeCallbackApi(SyntaxNode expression, CancellationToken cancellationToken)
    {
        var current = expression;
        while (current.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.ParenthesizedExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.CastExpressionSyntax)
        {
            current = current.Parent;
        }

        if (current.Parent is not Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax { Parent: Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentListSyntax { Parent: var call } })
        {
            // '+=' (events), and arguments of anything else: bind.
            return true;
        }

        string? name = call switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax invocation => RightmostName(invocation.Expression),
            Microsoft.CodeAnalysis.CSharp.Syntax.ObjectCreationExpressionSyntax creation => RightmostName(creation.Type),
            _ => null,
        };

        if (name is null)
        {
            return true;
        }

        if (System.Array.IndexOf(DotNetCallbackApiNames, name) >= 0 || AttributedApiNames(cancellationToken).Contains(name))
        {
            return true;
        }

        var options = Options.For(expression.SyntaxTree);
        foreach (var entry in options.CallbackApis)
        {
            if (EntryNames(entry, name))
            {
                return true;
            }
        }

        foreach (var entry in options.WorkApis.AddRange(options.ParallelApis))
        {
            if (EntryNames(entry, name))
            {
                return true;
            }
        }

        return false;
    }

    private static string? RightmostName(SyntaxNode? node) => node switch
    {
        Microsoft.CodeAnalysis.CSharp.Syntax.SimpleNameSyntax simple => simple.Identifier.ValueText,
        Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        Microsoft.CodeAnalysis.CSharp.Syntax.MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        Microsoft.CodeAnalysis.CSharp.Syntax.QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        Microsoft.CodeAnalysis.CSharp.Syntax.AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>Whether an option entry (<c>M:Ns.Type.Name(…)</c>, <c>M:Ns.Type.#ctor</c>) can name a call written as <paramref name="name"/>.</summary>
    private static bool EntryNames(string entry, string name)
    {
        int paren = entry.IndexOf('(');
        string path = paren < 0 ? entry : entry.Substring(0, paren);
        var parts = path.Split('.');
        if (parts.Length == 0)
        {
            return true;
        }

        string last = parts[parts.Length - 1];
        int tick = last.IndexOf('`');
        if (tick >= 0)
        {
            last = last.Substring(0, tick);
        }

        if (last == "#ctor")
        {
            string type = parts.Length > 1 ? parts[parts.Length - 2] : string.Empty;
            tick = type.IndexOf('`');
            return (tick >= 0 ? type.Substring(0, tick) : type) == name;
        }

        // A malformed entry (no 'M:' prefix, a type) may still mean this call: stay on the safe side.
        return last == name || !entry.StartsWith("M:", System.StringComparison.Ordinal);
    }

    /// <summary>
    /// Names of methods and constructors (by type name) with a <c>[ConcurrentCallback]</c> parameter: declared in source
    /// (found by searching each file's text once), or in a referenced assembly that is Executor or built on it.
    /// </summary>
    private HashSet<string> AttributedApiNames(CancellationToken cancellationToken)
    {
        var names = Volatile.Read(ref _attributedApiNames);
        if (names is not null)
        {
            return names;
        }

        names = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var tree in _compilation.SyntaxTrees)
        {
            var text = tree.GetText(cancellationToken).ToString();
            if (text.IndexOf("ConcurrentCallback", System.StringComparison.Ordinal) < 0 && text.IndexOf("ConcurrentWork", System.StringComparison.Ordinal) < 0)
            {
                continue;
            }

            foreach (var parameter in tree.GetRoot(cancellationToken).DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ParameterSyntax>())
            {
                if (parameter.AttributeLists.Count == 0
                    || parameter.AttributeLists.ToString() is var attributes
                        && attributes.IndexOf("ConcurrentCallback", System.StringComparison.Ordinal) < 0
                        && attributes.IndexOf("ConcurrentWork", System.StringComparison.Ordinal) < 0)
                {
                    continue;
                }

                switch (parameter.Parent?.Parent)
                {
                    case Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax method:
                        names.Add(method.Identifier.ValueText);
                        break;
                    case Microsoft.CodeAnalysis.CSharp.Syntax.ConstructorDeclarationSyntax constructor:
                        names.Add(constructor.Identifier.ValueText);
                        break;
                    case Microsoft.CodeAnalysis.CSharp.Syntax.LocalFunctionStatementSyntax local:
                        names.Add(local.Identifier.ValueText);
                        break;
                    case Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax type:
                        // A primary constructor.
                        names.Add(type.Identifier.ValueText);
                        break;
                }
            }
        }

        foreach (var reference in _compilation.References)
        {
            if (_compilation.GetAssemblyOrModuleSymbol(reference) is IAssemblySymbol assembly && IsBuiltOnExecutor(assembly))
            {
                AddAttributedNames(assembly.GlobalNamespace, names, cancellationToken);
            }
        }

        return Interlocked.CompareExchange(ref _attributedApiNames, names, null) ?? names;
    }

    private static bool IsBuiltOnExecutor(IAssemblySymbol assembly)
    {
        if (assembly.Name.StartsWith("Executor", System.StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var module in assembly.Modules)
        {
            foreach (var referenced in module.ReferencedAssemblies)
            {
                if (referenced.Name.StartsWith("Executor", System.StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void AddAttributedNames(INamespaceOrTypeSymbol container, HashSet<string> names, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var member in container.GetMembers())
        {
            switch (member)
            {
                case INamespaceOrTypeSymbol nested:
                    AddAttributedNames(nested, names, cancellationToken);
                    break;
                case IMethodSymbol method when method.DeclaredAccessibility != Accessibility.Private:
                    foreach (var parameter in method.Parameters)
                    {
                        if (Types.ConcurrentCallbackAttribute.IsAppliedIn(parameter.GetAttributes()) || Types.ConcurrentWorkAttribute.IsAppliedIn(parameter.GetAttributes()))
                        {
                            names.Add(method.MethodKind == MethodKind.Constructor ? method.ContainingType.Name : method.Name);
                            break;
                        }
                    }

                    break;
            }
        }
    }

    private static bool CouldBeCallbackMethodGroup(SyntaxNode expression)
    {
        var current = expression;
        while (current.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.ParenthesizedExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.CastExpressionSyntax)
        {
            current = current.Parent;
        }

        return current.Parent switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax => true,
            Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax assignment => assignment.Right == current
                && assignment.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.AddAssignmentExpression),
            _ => false,
        };
    }

    /// <summary>The API a method group is passed to as a concurrent callback, or null.</summary>
    private Registration? CallbackApiOf(IMethodReferenceOperation reference)
    {
        IOperation current = reference;
        while (current.Parent is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        switch (current.Parent)
        {
            case IArgumentOperation { Parameter: { } parameter, Parent: IInvocationOperation invocation }
                when IsCallbackParameter(invocation.TargetMethod, parameter, Options.For(invocation.Syntax.SyntaxTree)):
                return new Registration(invocation.TargetMethod, invocation);
            case IArgumentOperation { Parameter: { } parameter, Parent: IObjectCreationOperation { Constructor: { } constructor } creation }
                when IsCallbackParameter(constructor, parameter, Options.For(creation.Syntax.SyntaxTree)):
                return new Registration(constructor, creation);
            case IEventAssignmentOperation { Adds: true, EventReference: IEventReferenceOperation eventReference } assignment
                when IsCallbackEvent(eventReference.Event, Options.For(assignment.Syntax.SyntaxTree)):
                return new Registration(eventReference.Event, assignment);
            case IArgumentOperation { Parameter: { } parameter, Parent: IInvocationOperation invocation }
                when Work.Classify(invocation.TargetMethod, parameter, Options.For(invocation.Syntax.SyntaxTree)) is { } source:
                return new Registration(invocation.TargetMethod, invocation) { Work = source };
            case IArgumentOperation { Parameter: { } parameter, Parent: IObjectCreationOperation { Constructor: { } constructor } creation }
                when Work.Classify(constructor, parameter, Options.For(creation.Syntax.SyntaxTree)) is { } source:
                return new Registration(constructor, ThreadStartOf(creation, CancellationToken.None) ?? (IOperation)creation) { Work = source };
            default:
                return null;
        }
    }

    /// <summary>
    /// The finding's properties plus <see cref="CallbackDiagnosticProperties.GuardingLock"/>: the lock that guards the
    /// accessed symbol elsewhere (in its type for fields and properties, in its member for locals and parameters).
    /// </summary>
    private ImmutableDictionary<string, string?> WithGuardingLock(CallbackFinding finding, CancellationToken cancellationToken)
        => Facts.GuardingLock(finding.Symbol, cancellationToken) is { } guard
            ? finding.Properties.SetItem(CallbackDiagnosticProperties.GuardingLock, guard)
            : finding.Properties;

    /// <summary>The value a local is initialized with in its declaration, or null.</summary>
    public IOperation? InitializerOf(ILocalSymbol local, CancellationToken cancellationToken)
    {
        if (local.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var syntax = local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        return Facts.ModelFor(syntax.SyntaxTree).GetOperation(syntax, cancellationToken) is IVariableDeclaratorOperation declarator
            ? declarator.Initializer?.Value
            : null;
    }

    private void Report(OperationAnalysisContext context, CallbackWalker walker, Registration registration)
    {
        walker.Walk();
        HashSet<Location>? origins = null;
        foreach (var finding in walker.Findings)
        {
            // One access reached through several calls of the same callee (the same write from four 'catch' clauses)
            // is one race: report it at the first call that races, not again at the others.
            if (finding.Origin is { } origin && origins is not null && origins.Contains(origin))
            {
                continue;
            }

            // Report races, not accesses: only when another access can run at the same time with no common lock.
            if (Conflicts.Find(finding, registration, walker.RootSyntax, context.CancellationToken, walker.OwnedSpans) is not { } conflict)
            {
                continue;
            }

            if (finding.Origin is { } reported)
            {
                (origins ??= new HashSet<Location>()).Add(reported);
            }

            context.ReportDiagnostic(Diagnostic.Create(
                RuleFor(registration),
                finding.Location,
                conflict.Locations,
                WithOrigin(WithConflict(WithGuardingLock(finding, context.CancellationToken), conflict), finding),
                walker.Api is { } api ? ApiName(api) : string.Empty,
                finding.Verb,
                finding.Target,
                ConflictFinder.LockText(finding.Locks),
                conflict.Description));
        }
    }

    /// <summary>EXEC001 for a callback, EXEC002 for work.</summary>
    private static DiagnosticDescriptor RuleFor(Registration registration)
        => registration.Work is null ? EXEC001UnsynchronizedCallbackAccessAnalyzer.Rule : EXEC002UnsynchronizedWorkAccessAnalyzer.Rule;

    private static ImmutableDictionary<string, string?> WithConflict(ImmutableDictionary<string, string?> properties, Conflict conflict)
        => properties.SetItem(CallbackDiagnosticProperties.ConflictKind, conflict.Kind.ToString());

    private static ImmutableDictionary<string, string?> WithOrigin(ImmutableDictionary<string, string?> properties, CallbackFinding finding)
        => finding.Origin is { IsInSource: true } origin && origin.SourceTree == finding.Location.SourceTree
            ? properties.SetItem(CallbackDiagnosticProperties.OriginSpan, origin.SourceSpan.Start.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + origin.SourceSpan.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : properties;

    /// <summary>Whether callbacks registered with an instance or argument of this type run one at a time (the <c>serial_types</c> option).</summary>
    public bool IsSerialType(ITypeSymbol? type, CallbackOptions options)
        => type is INamedTypeSymbol named && !options.SerialTypes.IsEmpty
            && CallbackOptions.Matches(options.SerialTypes, DocumentationCommentId.CreateDeclarationId(named.OriginalDefinition));
}

/// <summary>What the symbols say about a delegate parameter (the options can add more, per file).</summary>
internal enum CallbackParameterKind : byte
{
    /// <summary>Not a callback by attribute or by the built-in list.</summary>
    None,

    /// <summary>Marked <c>[ConcurrentCallback]</c> (here or on the method it overrides).</summary>
    Attributed,

    /// <summary>One of .NET's callback APIs (<c>ContinueWith</c>, <c>CancellationToken.Register</c>, timers, the thread pool).</summary>
    DotNet,
}

/// <summary>One unsynchronized access found in a callback (or, for summaries, in a method it calls).</summary>
internal sealed class CallbackFinding
{
    public CallbackFinding(Location location, IOperation statement, ISymbol symbol, string verb, string target, ImmutableDictionary<string, string?> properties, bool isRead)
    {
        Location = location;
        Statement = statement;
        Symbol = symbol;
        Verb = verb;
        Target = target;
        Properties = properties;
        IsRead = isRead;
    }

    public Location Location { get; }

    /// <summary>The statement that contains the access (used to drop a read when the same statement writes the same symbol).</summary>
    public IOperation Statement { get; }

    public ISymbol Symbol { get; }

    /// <summary>What the access does, as a verb phrase ("increments", "calls 'Add' on").</summary>
    public string Verb { get; }

    /// <summary>What is accessed ("field 'Counter._count'").</summary>
    public string Target { get; }

    public ImmutableDictionary<string, string?> Properties { get; }

    public bool IsRead { get; }

    /// <summary>Whether the access writes (every kind but a read).</summary>
    public bool Writes => !IsRead;

    /// <summary>The operation of the access (the assignment, increment, call or reference).</summary>
    public IOperation? Access { get; set; }

    /// <summary>The locks held at the access, inside the callback.</summary>
    public List<HeldLock> Locks { get; set; } = new();

    /// <summary>The local or parameter the accessed object is reached through, or null for <c>this</c> and statics.</summary>
    public ISymbol? ReceiverRoot { get; set; }

    /// <summary>For a call into a method that writes: where the write itself is (not an other side of the race).</summary>
    public Location? Origin { get; set; }

    /// <summary>For a call finding, the access operation inside the callee (the assignment, increment, …); else null.</summary>
    public IOperation? OriginAccess { get; set; }

    /// <summary>Whether the access writes a constant (<see cref="Constant"/>).</summary>
    public bool HasConstant { get; set; }

    public object? Constant { get; set; }
}
