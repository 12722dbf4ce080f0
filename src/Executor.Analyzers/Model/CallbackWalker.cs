using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Executor.Analyzers;

/// <summary>
/// Walks one callback body (a lambda, anonymous method, local function or method) and collects the accesses to
/// shared state it makes without holding a lock. In summary mode it walks a method called from a callback and keeps
/// only the first unsynchronized write.
/// </summary>
internal sealed class CallbackWalker
{
    private static readonly ImmutableHashSet<string> MutatingNames = ImmutableHashSet.Create(
        "Add", "AddFirst", "AddLast", "AddBefore", "AddAfter", "AddRange", "Append", "AppendLine", "AppendFormat", "AppendJoin",
        "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange", "RemoveFirst", "RemoveLast", "RemoveWhere",
        "Clear", "Enqueue", "EnqueueRange", "Dequeue", "TryDequeue", "EnqueueDequeue", "DequeueEnqueue", "Push", "Pop", "TryPop",
        "Sort", "Reverse", "TrimExcess", "EnsureCapacity", "TryAdd", "Replace", "UnionWith", "IntersectWith", "ExceptWith",
        "SymmetricExceptWith", "SetCapacity", "CopyFrom",
        // System.Random: every draw advances its state (concurrent draws corrupt it and then return zeros).
        "Next", "NextDouble", "NextBytes", "NextInt64", "NextSingle", "Shuffle", "GetItems");

    private readonly CallbackAnalysis _analysis;
    private readonly IOperation _root;
    private readonly int _depth;
    private readonly bool _thisShared;
    private readonly bool _summaryOnly;
    private readonly CancellationToken _cancellationToken;
    private readonly HashSet<IMethodSymbol> _stack;
    private readonly CallbackOptions _options;
    private readonly List<(SyntaxTree Tree, TextSpan Span)> _owned = new();
    private readonly Dictionary<ISymbol, bool> _ownedCache = new(SymbolEqualityComparer.Default);
    private readonly List<IOperation> _children = new();
    private readonly HashSet<IMethodSymbol> _walkedLocalFunctions = new(SymbolEqualityComparer.Default);
    private readonly List<CallbackFinding> _findings = new();
    private readonly Dictionary<ILocalSymbol, IOperation?> _aliases = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ILocalSymbol, IFieldReferenceOperation?> _refTargets = new(SymbolEqualityComparer.Default);

    public CallbackWalker(CallbackAnalysis analysis, IOperation root, ISymbol? api, int depth, bool thisShared, bool summaryOnly, CancellationToken cancellationToken, HashSet<IMethodSymbol>? stack)
    {
        _analysis = analysis;
        _root = root;
        Api = api;
        _depth = depth;
        _thisShared = thisShared;
        _summaryOnly = summaryOnly;
        _cancellationToken = cancellationToken;
        _stack = stack ?? new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        _options = analysis.Options.For(root.Syntax.SyntaxTree);
        _owned.Add((root.Syntax.SyntaxTree, root.Syntax.Span));
    }

    private enum AccessKind
    {
        Receiver,
        Read,
        Write,
        Increment,
        Decrement,
        CompoundAssignment,
        RefArgument,
    }

    /// <summary>Gets the syntax of the callback (lambda, local function or method body) being walked.</summary>
    public SyntaxNode RootSyntax => _root.Syntax;

    /// <summary>Gets the code that runs as part of the callback: its body and the local functions it calls.</summary>
    public IReadOnlyList<(SyntaxTree Tree, TextSpan Span)> OwnedSpans => _owned;

    /// <summary>Gets the callback API (method, constructor or event) the delegate is passed to; null when summarizing a callee.</summary>
    public ISymbol? Api { get; }

    /// <summary>Gets the findings in source order, without reads that a write of the same symbol in the same statement already covers.</summary>
    public IReadOnlyList<CallbackFinding> Findings { get; private set; } = new List<CallbackFinding>();

    /// <summary>Gets the first unsynchronized write (summary mode).</summary>
    public CallbackFinding? FirstWrite { get; private set; }

    /// <summary>Gets a value indicating whether a recursive call was cut short, so the summary must not be cached.</summary>
    public bool CutByRecursion { get; private set; }

    /// <summary>Whether a method name mutates a collection or builder that is not thread-safe.</summary>
    public static bool IsMutatingName(string name) => MutatingNames.Contains(name);

    /// <summary>The local or parameter an access path starts from (<c>x</c> in <c>x.a.b</c>), or null for <c>this</c>, statics and other roots.</summary>
    public static ISymbol? RootVariable(IOperation? instance)
    {
        while (true)
        {
            switch (instance)
            {
                case IFieldReferenceOperation { Field.IsStatic: false } field:
                    instance = field.Instance;
                    continue;
                case IPropertyReferenceOperation { Property.IsStatic: false } property:
                    instance = property.Instance;
                    continue;
                case IConversionOperation conversion:
                    instance = conversion.Operand;
                    continue;
                case IArrayElementReferenceOperation element:
                    instance = element.ArrayReference;
                    continue;
                case IConditionalAccessInstanceOperation conditional:
                    instance = ConditionalReceiver(conditional);
                    continue;
                case ILocalReferenceOperation local:
                    return local.Local;
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter;
                default:
                    return null;
            }
        }
    }

    /// <summary>
    /// The object a <c>?.</c> access is made on: for the placeholder receiver of <c>.M()</c> in <c>x?.M()</c>, the
    /// <c>x</c>; for <c>.c</c> in <c>a?.b?.c</c>, the <c>.b</c> (whose own receiver is <c>a</c>).
    /// </summary>
    public static IOperation? ConditionalReceiver(IConditionalAccessInstanceOperation instance)
    {
        IOperation child = instance;
        for (var parent = instance.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            // The innermost conditional access whose 'when not null' part holds the placeholder (not one whose
            // tested operand holds it: in 'a?.b?.c' the inner one tests '.b', itself made on 'a').
            if (parent is IConditionalAccessOperation conditional && conditional.WhenNotNull == child)
            {
                return conditional.Operation;
            }
        }

        return null;
    }

    /// <summary>Whether the object an access goes through is reachable from other threads: <c>this</c>, a static, or a variable the callback did not declare.</summary>
    public static bool IsSharedReceiver(IOperation? instance, System.Func<ISymbol, bool>? isOwned, bool thisShared = true)
    {
        while (true)
        {
            switch (instance)
            {
                case null:
                    return true;
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }:
                    // The object an initializer ('new Query { Limit = i }') or 'with' expression is building: a fresh
                    // object no other thread can see yet.
                    return false;
                case IInstanceReferenceOperation:
                    return thisShared;
                case IFieldReferenceOperation field:
                    if (field.Field.IsStatic)
                    {
                        return true;
                    }

                    instance = field.Instance;
                    continue;
                case IPropertyReferenceOperation property:
                    if (property.Property.IsStatic)
                    {
                        return true;
                    }

                    instance = property.Instance;
                    continue;
                case ILocalReferenceOperation local:
                    return isOwned is null || !isOwned(local.Local);
                case IParameterReferenceOperation parameter:
                    return isOwned is null || !isOwned(parameter.Parameter);
                case IConversionOperation conversion:
                    instance = conversion.Operand;
                    continue;
                case IArrayElementReferenceOperation element:
                    instance = element.ArrayReference;
                    continue;
                case IConditionalAccessInstanceOperation conditional:
                    // 'x?.M()' runs on x, as 'x.M()' does.
                    instance = ConditionalReceiver(conditional);
                    if (instance is null)
                    {
                        return false;
                    }

                    continue;
                default:
                    return false;
            }
        }
    }

    public void Walk()
    {
        var start = _root switch
        {
            IAnonymousFunctionOperation function => function.Body,
            ILocalFunctionOperation localFunction => (IOperation?)localFunction.Body ?? localFunction.IgnoredBody,
            _ => _root,
        };

        if (start is not null)
        {
            WalkFrom(start, _root);
        }

        Findings = FilterReads(_findings);
    }

    private static IReadOnlyList<CallbackFinding> FilterReads(List<CallbackFinding> findings)
    {
        var result = new List<CallbackFinding>(findings.Count);
        foreach (var finding in findings)
        {
            if (finding.IsRead && findings.Exists(other => !other.IsRead && other.Statement == finding.Statement && SymbolEqualityComparer.Default.Equals(other.Symbol, finding.Symbol)))
            {
                continue;
            }

            result.Add(finding);
        }

        result.Sort((a, b) => a.Location.SourceSpan.Start.CompareTo(b.Location.SourceSpan.Start));
        return result;
    }

    private void WalkFrom(IOperation start, IOperation lockRoot)
    {
        // Sized for a typical callback body: growing from the default capacity was a visible share of the walk.
        var pending = new Stack<IOperation>(32);
        pending.Push(start);
        while (pending.Count > 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var operation = pending.Pop();
            if (!Visit(operation, lockRoot))
            {
                continue;
            }

            // Push children in reverse so they are visited in source order. One buffer serves every operation: a
            // nested walk (a local function) runs inside Visit, before the buffer is filled here.
            var children = _children;
            children.Clear();
            foreach (var child in operation.ChildOperations)
            {
                children.Add(child);
            }

            for (int i = children.Count - 1; i >= 0; i--)
            {
                pending.Push(children[i]);
            }
        }
    }

    /// <summary>Checks one operation; returns whether to descend into its children.</summary>
    private bool Visit(IOperation operation, IOperation lockRoot)
    {
        switch (operation)
        {
            case IAnonymousFunctionOperation function when function != _root:
                // A callback registered from inside this callback is analyzed on its own, with its own API.
                // So is work handed to another thread or a parallel loop from inside it (EXEC002).
                return !_analysis.IsCallbackRegistrationArgument(function) && _analysis.WorkSourceOfArgument(function) is null;

            case ILocalFunctionOperation:
                // Declarations are walked when the callback calls or references them.
                return false;

            case INameOfOperation:
                // 'nameof(_count)' is a constant string: nothing is read.
                return false;

            case IFieldReferenceOperation field:
                CheckField(field, lockRoot);
                return true;

            case IPropertyReferenceOperation property:
                CheckProperty(property, lockRoot);
                return true;

            case ILocalReferenceOperation local:
                CheckVariable(local, local.Local, local.Local.Type, lockRoot);
                return true;

            case IParameterReferenceOperation parameter:
                CheckVariable(parameter, parameter.Parameter, parameter.Parameter.Type, lockRoot);
                return true;

            case IArrayElementReferenceOperation element:
                CheckArrayElement(element, lockRoot);
                return true;

            case IInvocationOperation invocation:
                CheckInvocation(invocation, lockRoot);
                return true;

            case IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } reference:
                WalkLocalFunction(reference.Method, reference, lockRoot);
                return true;

            default:
                return true;
        }
    }

    private void CheckField(IFieldReferenceOperation reference, IOperation lockRoot)
    {
        var field = reference.Field;
        if (field.IsConst || IsThreadStatic(field) || _analysis.IsThreadSafeType(field.ContainingType, _options))
        {
            return;
        }

        var (kind, at) = Classify(reference);
        if (kind == AccessKind.Receiver || !field.IsStatic && !IsShared(reference.Instance))
        {
            return;
        }

        if (field.IsVolatile && kind is AccessKind.Read or AccessKind.Write)
        {
            return;
        }

        if (kind == AccessKind.Read && (field.IsReadOnly || !IsReadWorthReporting(field, field.Type)))
        {
            CheckEnumeration(reference, field, field.Type, field.IsStatic, lockRoot, RootVariable(reference.Instance));
            return;
        }

        AddFinding(kind, at, field, field.Type, field.IsStatic, lockRoot, RootVariable(reference.Instance));
    }

    private void CheckProperty(IPropertyReferenceOperation reference, IOperation lockRoot)
    {
        var property = reference.Property;
        var (kind, at) = Classify(reference);
        if (kind == AccessKind.Receiver)
        {
            return;
        }

        var receiver = AliasSource(reference.Instance) ?? reference.Instance;
        bool isCollection = _analysis.Facts.IsNonThreadSafeCollectionMember(property.ContainingType, receiver, _cancellationToken);
        if (property.IsIndexer || isCollection)
        {
            // list[i] = x, dictionary[key] = value, builder.Length = 0 on a shared collection (or on a local alias of one).
            if (isCollection && kind != AccessKind.Read && IsShared(receiver) && ReceiverSymbol(receiver) is { } owner)
            {
                string verb = property.IsIndexer ? "writes an element of" : "sets '" + property.Name + "' on";
                AddFinding(AccessKinds.Mutation, verb, at, owner, SymbolType(owner), owner.IsStatic, lockRoot, RootVariable(receiver));
            }
            else if (isCollection && kind == AccessKind.Read && !_summaryOnly && property.Name is "Keys" or "Values"
                && EnumerationOf(reference) is { } enumeration && IsShared(reference.Instance) && ReceiverSymbol(reference.Instance) is { } source)
            {
                // 'foreach (var v in _map.Values)': enumerates the dictionary itself.
                AddFinding(AccessKinds.Read, "enumerates", enumeration, source, SymbolType(source), source.IsStatic, lockRoot, RootVariable(reference.Instance));
            }

            return;
        }

        if (_analysis.IsThreadSafeType(property.ContainingType, _options) || !property.IsStatic && !IsShared(reference.Instance))
        {
            return;
        }

        if (IsAutoProperty(property))
        {
            if (kind == AccessKind.Read && (property.SetMethod is null || !IsReadWorthReporting(property, property.Type)))
            {
                CheckEnumeration(reference, property, property.Type, property.IsStatic, lockRoot, RootVariable(reference.Instance));
                return;
            }

            AddFinding(kind, at, property, property.Type, property.IsStatic, lockRoot, RootVariable(reference.Instance));
            return;
        }

        if (kind != AccessKind.Read && property.SetMethod is { } setter)
        {
            CheckCall(setter, property.IsStatic || IsShared(reference.Instance), at, lockRoot);
        }
    }

    private void CheckVariable(IOperation reference, ISymbol variable, ITypeSymbol? type, IOperation lockRoot)
    {
        if (variable is ILocalSymbol { IsRef: true } refLocal && RefLocalTarget(refLocal) is { } target)
        {
            // 'ref int slot = ref _count; slot++;': an update through the ref local is an update of the field.
            var (refKind, refAt) = Classify(reference);
            if (refKind is not (AccessKind.Receiver or AccessKind.Read))
            {
                AddFinding(refKind, refAt, target.Field, target.Field.Type, target.Field.IsStatic, lockRoot, RootVariable(target.Instance));
            }

            return;
        }

        if (IsOwned(variable))
        {
            return;
        }

        var (kind, at) = Classify(reference);
        if (kind == AccessKind.Receiver)
        {
            return;
        }

        if (kind == AccessKind.Read)
        {
            if (_summaryOnly || _analysis.IsThreadSafeType(type, _options) || !IsCapturedAndWrittenAfterCapture(variable))
            {
                CheckEnumeration(reference, variable, type, isStatic: false, lockRoot, receiverRoot: null);
                return;
            }
        }

        AddFinding(kind, at, variable, type, isStatic: false, lockRoot, receiverRoot: null);
    }

    /// <summary>
    /// A read of a shared collection that is not thread-safe, by enumerating it: a <c>foreach</c> over it, or a LINQ
    /// operator (<c>System.Linq.Enumerable</c>) that takes it as its source. It races with a mutation elsewhere (the
    /// enumerator throws, or sees a torn state), as a mutation in the callback races with an enumeration elsewhere.
    /// Instance queries (<c>ToArray</c>, <c>CopyTo</c>, <c>Count</c>) are reads in <see cref="CheckInvocation"/>.
    /// </summary>
    private void CheckEnumeration(IOperation reference, ISymbol symbol, ITypeSymbol? type, bool isStatic, IOperation lockRoot, ISymbol? receiverRoot)
    {
        if (_summaryOnly
            || !IsNonThreadSafeCollection(type as INamedTypeSymbol) && !_analysis.Facts.HoldsOnlyNonThreadSafeCollections(symbol, _cancellationToken)
            || EnumerationOf(reference) is not { } at
            || reference is IMemberReferenceOperation member && !symbol.IsStatic && !IsShared(member.Instance))
        {
            return;
        }

        AddFinding(AccessKinds.Read, "enumerates", at, symbol, type, isStatic, lockRoot, receiverRoot);
    }

    /// <summary>The enumeration a reference is the source of: the <c>foreach</c> collection itself, or the LINQ call; null otherwise.</summary>
    private static IOperation? EnumerationOf(IOperation reference)
    {
        var current = reference;
        while (current.Parent is IConversionOperation { IsImplicit: true } conversion)
        {
            current = conversion;
        }

        return current.Parent switch
        {
            IForEachLoopOperation loop when loop.Collection == current => reference,
            IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { IsExtensionMethod: true, ContainingType: { Name: "Enumerable", ContainingNamespace: { Name: "Linq", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } } } invocation } argument
                when invocation.Arguments.Length > 0 && invocation.Arguments[0] == argument => invocation,
            _ => null,
        };
    }

    private void CheckArrayElement(IArrayElementReferenceOperation element, IOperation lockRoot)
    {
        // Plain element stores are not reported: callbacks that each fill their own slot are a common, safe pattern.
        var (kind, at) = Classify(element);
        if (kind is AccessKind.Receiver or AccessKind.Read or AccessKind.Write || !IsShared(element.ArrayReference))
        {
            return;
        }

        if (ReceiverSymbol(element.ArrayReference) is { } owner)
        {
            string verb = kind switch
            {
                AccessKind.Increment => "increments an element of",
                AccessKind.Decrement => "decrements an element of",
                AccessKind.RefArgument => "takes a reference to an element of",
                _ => "updates an element of",
            };
            AddFinding(KindName(kind), verb, at, owner, element.Type, owner.IsStatic, lockRoot, RootVariable(element.ArrayReference));
        }
    }

    private void CheckInvocation(IInvocationOperation invocation, IOperation lockRoot)
    {
        var method = invocation.TargetMethod;
        if (method.MethodKind == MethodKind.LocalFunction)
        {
            WalkLocalFunction(method, invocation, lockRoot);
            return;
        }

        if (AtomicReadModifyWriteTarget(invocation, _analysis.Types) is { } updated)
        {
            CheckAtomicReadModifyWrite(invocation, updated, lockRoot);
            return;
        }

        // 'var sb = _report; sb.Append(…)': the call works on the field's collection. '_report?.Append(…)' works on
        // '_report', as '_report.Append(…)' does.
        var instance = ThroughConditional(invocation.Instance);
        var receiver = AliasSource(instance) ?? instance;
        if (_analysis.Facts.IsNonThreadSafeCollectionMember(method.ContainingType, receiver, _cancellationToken) && !IsThreadSafeSingleton(receiver))
        {
            // The lock check comes before the message text is built: most such calls in callbacks are under a lock.
            if (MutatingNames.Contains(method.Name) && !method.IsStatic && IsShared(receiver) && ReceiverSymbol(receiver) is { } owner)
            {
                string verb = "calls '" + _analysis.ApiName(method) + "' on";
                AddFinding(AccessKinds.Mutation, verb, invocation, owner, SymbolType(owner), owner.IsStatic, lockRoot, RootVariable(receiver));
            }
            else if (!_summaryOnly && IsShared(receiver) && ReceiverSymbol(receiver) is { } reader)
            {
                // A read of a collection (Count, Contains, TryGetValue, ToArray, ...): it races with a mutation elsewhere.
                AddFinding(AccessKinds.Read, "calls '" + _analysis.ApiName(method) + "' on", invocation, reader, SymbolType(reader), reader.IsStatic, lockRoot, RootVariable(receiver));
            }

            return;
        }

        if (method.IsExtensionMethod && invocation.Arguments.Length > 0 && _analysis.Facts.MutatesThisArgument(method, _cancellationToken)
            && Unwrap(invocation.Arguments[0].Value) is var argument
            && (AliasSource(argument) ?? argument) is var source
            && IsShared(source) && ReceiverSymbol(source) is { } mutated)
        {
            // 'list.AddTwice(v)' with 'static void AddTwice(this List<int> list, int v) { list.Add(v); list.Add(v); }'.
            AddFinding(AccessKinds.Mutation, "calls '" + _analysis.ApiName(method) + "' on", invocation, mutated, SymbolType(mutated), mutated.IsStatic, lockRoot, RootVariable(source));
            return;
        }

        if (method.IsStatic || method.IsExtensionMethod)
        {
            CheckCall(method, thisShared: false, invocation, lockRoot);
        }
        else
        {
            CheckCall(method, IsShared(instance), invocation, lockRoot);
        }
    }

    /// <summary>
    /// The storage a <c>Volatile.Write(ref x, …)</c> or <c>Interlocked.Exchange(ref x, …)</c> stores a value computed
    /// from itself into (<c>Volatile.Write(ref x, Volatile.Read(ref x) + n)</c>, <c>Interlocked.Exchange(ref x, x + n)</c>):
    /// each half is atomic, the pair is a read-modify-write that loses the updates made in between. Null otherwise.
    /// </summary>
    public static IOperation? AtomicReadModifyWriteTarget(IInvocationOperation invocation, KnownTypes types)
    {
        var method = invocation.TargetMethod;
        if (invocation.Arguments.Length != 2
            || !(method.Name == "Write" && types.Volatile.Matches(method.ContainingType?.OriginalDefinition)
                || method.Name == "Exchange" && types.Interlocked.Matches(method.ContainingType?.OriginalDefinition)))
        {
            return null;
        }

        IOperation? target = null;
        IOperation? value = null;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.RefKind == RefKind.Ref)
            {
                target = argument.Value;
            }
            else
            {
                value = argument.Value;
            }
        }

        while (target is IConversionOperation conversion)
        {
            target = conversion.Operand;
        }

        if (target is null || value is null || StorageOf(target) is not { } symbol)
        {
            return null;
        }

        foreach (var operation in value.DescendantsAndSelf())
        {
            if (SymbolEqualityComparer.Default.Equals(StorageOf(operation), symbol)
                && (operation is not IMemberReferenceOperation member
                    || SymbolEqualityComparer.Default.Equals(ReceiverSymbol(member.Instance), ReceiverSymbol(((IMemberReferenceOperation)target).Instance))))
            {
                return target;
            }
        }

        return null;
    }

    private static ISymbol? StorageOf(IOperation operation) => operation switch
    {
        IFieldReferenceOperation field => field.Field.OriginalDefinition,
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        _ => null,
    };

    private void CheckAtomicReadModifyWrite(IInvocationOperation invocation, IOperation target, IOperation lockRoot)
    {
        string verb = "updates (a read, then " + invocation.TargetMethod.ContainingType.Name + "." + invocation.TargetMethod.Name + ")";
        switch (target)
        {
            case IFieldReferenceOperation { Field: var field } reference
                when !field.IsConst && !IsThreadStatic(field) && !_analysis.IsThreadSafeType(field.ContainingType, _options) && (field.IsStatic || IsShared(reference.Instance)):
                AddFinding(AccessKinds.CompoundAssignment, verb, invocation, field, field.Type, field.IsStatic, lockRoot, RootVariable(reference.Instance));
                break;
            case ILocalReferenceOperation { Local: var local } when !IsOwned(local):
                AddFinding(AccessKinds.CompoundAssignment, verb, invocation, local, local.Type, isStatic: false, lockRoot, receiverRoot: null);
                break;
            case IParameterReferenceOperation { Parameter: var parameter } when !IsOwned(parameter):
                AddFinding(AccessKinds.CompoundAssignment, verb, invocation, parameter, parameter.Type, isStatic: false, lockRoot, receiverRoot: null);
                break;
        }
    }

    /// <summary>Follows a call into a method of this compilation and reports it at the call when the method writes shared state without a lock.</summary>
    private void CheckCall(IMethodSymbol method, bool thisShared, IOperation at, IOperation lockRoot)
    {
        if (method.DeclaringSyntaxReferences.Length == 0
            || _depth + 1 > CallbackAnalysis.MaxCallDepth
            || _analysis.IsThreadSafeType(method.ContainingType, _options)
            || LockRegions.GetCoverage(at, lockRoot, _analysis.Types, _analysis.LockHelpers) == LockCoverage.Full)
        {
            return;
        }

        var summary = _analysis.SummarizeMethod(method, _depth + 1, thisShared, _stack, out bool cut, _cancellationToken);
        CutByRecursion |= cut;
        if (summary is null)
        {
            return;
        }

        var properties = summary.Properties.SetItem(CallbackDiagnosticProperties.AccessKind, AccessKinds.Call);
        var finding = new CallbackFinding(LocationOf(at), StatementOf(at), summary.Symbol, "calls '" + _analysis.ApiName(method) + "', which " + summary.Verb, summary.Target, properties, isRead: false)
        {
            Access = at,
            Origin = summary.Origin ?? summary.Location,
            OriginAccess = summary.OriginAccess ?? summary.Access,
            HasConstant = summary.HasConstant,
            Constant = summary.Constant,
        };
        Record(finding);
    }

    private void WalkLocalFunction(IMethodSymbol localFunction, IOperation use, IOperation lockRoot)
    {
        if (LockRegions.GetCoverage(use, lockRoot, _analysis.Types, _analysis.LockHelpers) == LockCoverage.Full
            || !_walkedLocalFunctions.Add(localFunction.OriginalDefinition)
            || localFunction.DeclaringSyntaxReferences.Length == 0)
        {
            return;
        }

        var syntax = localFunction.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken);
        if (_analysis.Facts.ModelFor(syntax.SyntaxTree).GetOperation(syntax, _cancellationToken) is not ILocalFunctionOperation operation)
        {
            return;
        }

        _owned.Add((syntax.SyntaxTree, syntax.Span));
        _ownedCache.Clear();
        IOperation? body = (IOperation?)operation.Body ?? operation.IgnoredBody;
        if (body is not null)
        {
            WalkFrom(body, operation);
        }
    }

    private void AddFinding(AccessKind kind, IOperation at, ISymbol symbol, ITypeSymbol? type, bool isStatic, IOperation lockRoot, ISymbol? receiverRoot)
    {
        string verb = kind switch
        {
            AccessKind.Read => "reads",
            AccessKind.Write => "writes",
            AccessKind.Increment => "increments",
            AccessKind.Decrement => "decrements",
            AccessKind.CompoundAssignment => "updates",
            _ => "takes a reference to",
        };
        AddFinding(KindName(kind), verb, at, symbol, type, isStatic, lockRoot, receiverRoot);
    }

    private void AddFinding(string accessKind, string verb, IOperation at, ISymbol symbol, ITypeSymbol? type, bool isStatic, IOperation lockRoot, ISymbol? receiverRoot)
    {
        bool isRead = accessKind == AccessKinds.Read;
        if (_summaryOnly && (isRead || FirstWrite is not null))
        {
            return;
        }

        // The locks held here decide later, against the other side's locks. A lock the analysis cannot name, and (in a
        // summary) any lock, is taken to protect the access; a lock object the callback creates itself protects nothing.
        var locks = new List<HeldLock>();
        foreach (var held in LockRegions.GetHeldLocks(at, lockRoot, _analysis.Types, _analysis.LockHelpers))
        {
            if (held.Coverage == LockCoverage.ReadOnly && !isRead)
            {
                continue;
            }

            if (held.Kind == LockKind.Unknown || _summaryOnly)
            {
                return;
            }

            if (held.Kind == LockKind.Variable && held.Symbol is not null && IsOwned(held.Symbol))
            {
                // 'var sb = _report; lock (sb) { … }' locks the field's object; another local the callback made protects nothing.
                if (held.Symbol is ILocalSymbol local && AliasSource(local) is { } aliased)
                {
                    locks.Add(LockRegions.KeyOf(aliased, held.Coverage));
                }

                continue;
            }

            locks.Add(held);
        }

        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[CallbackDiagnosticProperties.AccessKind] = accessKind;
        properties[CallbackDiagnosticProperties.SymbolName] = symbol.Name;
        properties[CallbackDiagnosticProperties.SymbolKind] = symbol.Kind.ToString();
        properties[CallbackDiagnosticProperties.IsStatic] = isStatic ? "true" : "false";
        if (type is not null && type.SpecialType != SpecialType.None)
        {
            properties[CallbackDiagnosticProperties.ValueType] = type.MetadataName;
        }

        // GuardingLock is added when the finding is reported (CallbackAnalysis.WithGuardingLock): most findings of
        // summaries are never reported, and the lookup reads other members of the type.
        var constant = at is ISimpleAssignmentOperation { Value.ConstantValue: { HasValue: true } value } ? value : default;
        Record(new CallbackFinding(LocationOf(at), StatementOf(at), symbol, verb, Describe(symbol), properties.ToImmutable(), isRead)
        {
            Access = at,
            Locks = locks,
            ReceiverRoot = receiverRoot,
            HasConstant = constant.HasValue,
            Constant = constant.HasValue ? constant.Value : null,
        });
    }

    /// <summary>Where an access is reported: a call through <c>?.</c> at the whole access (<c>_tally?.Add()</c>, not <c>.Add()</c>).</summary>
    private static Location LocationOf(IOperation at)
    {
        var syntax = at.Syntax;
        if (at is IInvocationOperation)
        {
            while (syntax.Parent is ConditionalAccessExpressionSyntax conditional && conditional.WhenNotNull == syntax)
            {
                syntax = conditional;
            }
        }

        return syntax.GetLocation();
    }

    private void Record(CallbackFinding finding)
    {
        if (_summaryOnly)
        {
            FirstWrite ??= finding.IsRead ? null : finding;
            return;
        }

        _findings.Add(finding);
    }

    private bool IsReadWorthReporting(ISymbol member, ITypeSymbol type)
        => !_summaryOnly
            && !_analysis.IsThreadSafeType(type, _options)
            && _analysis.Facts.IsWrittenAfterConstruction(member, _cancellationToken);

    private bool IsCapturedAndWrittenAfterCapture(ISymbol variable)
        // Any write after the declaration is a candidate (a loop's 'i++' comes earlier in the text but runs after the
        // registration); the conflict finder decides from the control flow graph whether it can run concurrently.
        => _analysis.Facts.IsCapturedVariableWrittenAfterDeclaration(variable, _root.Syntax.SyntaxTree, _cancellationToken);

    private readonly Dictionary<ISymbol, AssignmentExpressionSyntax?> _replacements = new(SymbolEqualityComparer.Default);

    private bool IsShared(IOperation? instance)
    {
        instance = ThroughConditional(instance);
        return IsSharedReceiver(instance, IsOwned, _thisShared) && !IsReplacedByFreshObject(instance);
    }

    /// <summary>For the placeholder receiver of a <c>?.</c> access, the object tested (<see cref="ConditionalReceiver"/>); otherwise the operation itself.</summary>
    private static IOperation? ThroughConditional(IOperation? instance)
        => instance is IConditionalAccessInstanceOperation conditional ? ConditionalReceiver(conditional) : instance;

    /// <summary>
    /// A captured variable that the function making the access replaced with a new object before it, as a statement of
    /// an enclosing block (<c>settings = settings.Copy(); settings.Enabled = false;</c>): the access goes to that copy,
    /// which no other thread holds yet. Only the variable's own members count (a shallow copy shares what it points to),
    /// and only when that statement is the one assignment of the variable in the whole member.
    /// </summary>
    private bool IsReplacedByFreshObject(IOperation? instance)
    {
        var variable = Unwrap(instance) switch
        {
            ILocalReferenceOperation local => (ISymbol)local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };
        if (variable is null || instance!.Syntax is not { } at || SharedStateFacts.EnclosingFunction(at) is not { } function
            || SharedStateFacts.EnclosingMember(at) is not { } member)
        {
            return false;
        }

        var model = _analysis.Facts.ModelFor(at.SyntaxTree);
        if (!_replacements.TryGetValue(variable, out var replacement))
        {
            replacement = OnlyAssignment(variable, member, model);
            _replacements[variable] = replacement;
        }

        if (replacement?.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax block } statement
            || SharedStateFacts.EnclosingFunction(replacement) != function
            || !block.Span.Contains(at.Span)
            || at.FirstAncestorOrSelf<StatementSyntax>(s => s.Parent == block) is not { } accessStatement
            || block.Statements.IndexOf(statement) >= block.Statements.IndexOf(accessStatement))
        {
            return false;
        }

        return IsFreshObject(model.GetOperation(replacement.Right, _cancellationToken), depth: 0);
    }

    /// <summary>The one simple assignment of <paramref name="variable"/> in <paramref name="member"/>, or null (none, several, or another kind of write).</summary>
    private AssignmentExpressionSyntax? OnlyAssignment(ISymbol variable, SyntaxNode member, SemanticModel model)
    {
        AssignmentExpressionSyntax? replacement = null;
        foreach (var name in _analysis.Facts.WritesNamed(variable.Name, member))
        {
            if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, _cancellationToken).Symbol, variable))
            {
                continue;
            }

            if (replacement is not null || name.Parent is not AssignmentExpressionSyntax found || found.Left != name || !found.IsKind(SyntaxKind.SimpleAssignmentExpression))
            {
                return null;
            }

            replacement = found;
        }

        return replacement;
    }

    /// <summary>A new object: a creation, a <c>with</c> copy, or a call to a method of the compilation whose every return is one.</summary>
    private bool IsFreshObject(IOperation? value, int depth)
    {
        value = Unwrap(value);
        switch (value)
        {
            case IObjectCreationOperation or IAnonymousObjectCreationOperation or IArrayCreationOperation or IWithOperation:
                return true;
            case IInvocationOperation { TargetMethod: { } method } when depth < 2 && method.DeclaringSyntaxReferences.Length == 1:
                var declaration = method.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken);
                var model = _analysis.Facts.ModelFor(declaration.SyntaxTree);
                if (declaration is MethodDeclarationSyntax { ExpressionBody.Expression: { } body })
                {
                    return IsFreshObject(model.GetOperation(body, _cancellationToken), depth + 1);
                }

                if (declaration is MethodDeclarationSyntax { Body: { } block })
                {
                    bool any = false;
                    foreach (var returned in block.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<ReturnStatementSyntax>())
                    {
                        if (returned.Expression is null || !IsFreshObject(model.GetOperation(returned.Expression, _cancellationToken), depth + 1))
                        {
                            return false;
                        }

                        any = true;
                    }

                    return any;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// For a local alias of shared storage, the storage: a local the callback declares, initialized from a field or
    /// property of a shared object or a static (<c>var sb = _report;</c>), never assigned again. Null otherwise.
    /// </summary>
    private IOperation? AliasSource(IOperation? instance)
    {
        // 'var sb = _report; sb?.Append(…)' works on the field's object too.
        instance = ThroughConditional(instance);
        while (instance is IConversionOperation conversion)
        {
            instance = conversion.Operand;
        }

        return instance is ILocalReferenceOperation local ? AliasSource(local.Local) : null;
    }

    /// <summary>
    /// The field a <c>ref</c> local of the callback refers to (<c>ref int slot = ref _count;</c>), when the field is
    /// shared storage (a static, or a field of a shared object) and the local is never made to refer elsewhere
    /// (<c>slot = ref other;</c>). Null otherwise.
    /// </summary>
    private IFieldReferenceOperation? RefLocalTarget(ILocalSymbol local)
    {
        if (!IsOwned(local))
        {
            return null;
        }

        if (_refTargets.TryGetValue(local, out var known))
        {
            return known;
        }

        IFieldReferenceOperation? target = null;
        if (local.DeclaringSyntaxReferences.Length == 1
            && local.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is VariableDeclaratorSyntax declarator
            && _analysis.Facts.ModelFor(declarator.SyntaxTree).GetOperation(declarator, _cancellationToken) is IVariableDeclaratorOperation { Initializer.Value: var value }
            && Unwrap(value) is IFieldReferenceOperation field
            && !field.Field.IsConst && !IsThreadStatic(field.Field)
            && (field.Field.IsStatic || IsShared(field.Instance))
            && SharedStateFacts.EnclosingFunction(declarator) is { } function
            && !function.DescendantNodes().Any(n => n is AssignmentExpressionSyntax { Left: IdentifierNameSyntax name, Right: RefExpressionSyntax } && name.Identifier.ValueText == local.Name))
        {
            target = field;
        }

        _refTargets[local] = target;
        return target;
    }

    private static IOperation? Unwrap(IOperation? operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private IOperation? AliasSource(ILocalSymbol local)
    {
        if (local.IsRef || !IsOwned(local))
        {
            return null;
        }

        if (_aliases.TryGetValue(local, out var known))
        {
            return known;
        }

        IOperation? source = null;
        if (local.DeclaringSyntaxReferences.Length == 1
            && local.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: { } value } declarator
            && SharedStateFacts.EnclosingMember(declarator) is { } scope)
        {
            var model = _analysis.Facts.ModelFor(declarator.SyntaxTree);
            var initial = model.GetOperation(value, _cancellationToken);
            while (initial is IConversionOperation conversion)
            {
                initial = conversion.Operand;
            }

            if (initial is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false }
                && (((IMemberReferenceOperation)initial).Member.IsStatic || IsShared(((IMemberReferenceOperation)initial).Instance))
                && !_analysis.Facts.IsWrittenAfter(local, scope, 0, model, _cancellationToken))
            {
                source = initial;
            }
        }

        _aliases[local] = source;
        return source;
    }

    /// <summary>Gets or sets the callback's parameters that receive a shared state object (see <c>SharedStateParameters</c>): never owned.</summary>
    public ImmutableArray<IParameterSymbol> SharedParameters { get; set; } = ImmutableArray<IParameterSymbol>.Empty;

    private bool IsOwned(ISymbol symbol)
    {
        if (symbol is IParameterSymbol)
        {
            foreach (var shared in SharedParameters)
            {
                if (SymbolEqualityComparer.Default.Equals(shared, symbol))
                {
                    return false;
                }
            }
        }

        // Cached per symbol (DeclaringSyntaxReferences allocates); the cache is cleared when _owned grows.
        if (_ownedCache.TryGetValue(symbol, out bool known))
        {
            return known;
        }

        bool owned = false;
        foreach (var reference in _analysis.Facts.DeclarationsOf(symbol))
        {
            foreach (var (tree, span) in _owned)
            {
                if (reference.SyntaxTree == tree && span.Contains(reference.Span))
                {
                    owned = true;
                    break;
                }
            }
        }

        _ownedCache[symbol] = owned;
        return owned;
    }

    private bool IsThreadStatic(IFieldSymbol field) => _analysis.Types.ThreadStaticAttribute.IsAppliedIn(field.GetAttributes());

    /// <summary><c>Random.Shared</c>: the one instance of a non-thread-safe type that is made thread-safe.</summary>
    private static bool IsThreadSafeSingleton(IOperation? instance)
        => instance is IPropertyReferenceOperation { Property: { IsStatic: true, Name: "Shared", ContainingType: { Name: "Random", ContainingNamespace.Name: "System" } } };

    private bool IsNonThreadSafeCollection(INamedTypeSymbol? type)
        => _analysis.Types.IsNonThreadSafeCollection(type?.OriginalDefinition);

    private static bool IsAutoProperty(IPropertySymbol property)
    {
        if (property.IsIndexer || property.IsAbstract || property.DeclaringSyntaxReferences.Length == 0)
        {
            return false;
        }

        foreach (var member in property.ContainingType.GetMembers())
        {
            if (member is IFieldSymbol { AssociatedSymbol: { } associated } && SymbolEqualityComparer.Default.Equals(associated, property.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    private static ISymbol? ReceiverSymbol(IOperation? instance)
    {
        while (true)
        {
            switch (instance)
            {
                case IFieldReferenceOperation field:
                    return field.Field;
                case IPropertyReferenceOperation property:
                    return property.Property;
                case ILocalReferenceOperation local:
                    return local.Local;
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter;
                case IConversionOperation conversion:
                    instance = conversion.Operand;
                    continue;
                case IArrayElementReferenceOperation element:
                    instance = element.ArrayReference;
                    continue;
                case IConditionalAccessInstanceOperation conditional:
                    instance = ConditionalReceiver(conditional);
                    continue;
                default:
                    return null;
            }
        }
    }

    private static ITypeSymbol? SymbolType(ISymbol symbol) => symbol switch
    {
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => null,
    };

    private static string Describe(ISymbol symbol) => symbol switch
    {
        IFieldSymbol field => (field.IsStatic ? "static field '" : "field '") + field.ContainingType.Name + "." + field.Name + "'",
        IPropertySymbol property => (property.IsStatic ? "static property '" : "property '") + property.ContainingType.Name + "." + property.Name + "'",
        ILocalSymbol local => "captured local '" + local.Name + "'",
        IParameterSymbol parameter => "captured parameter '" + parameter.Name + "'",
        _ => "'" + symbol.Name + "'",
    };

    private static string KindName(AccessKind kind) => kind switch
    {
        AccessKind.Read => AccessKinds.Read,
        AccessKind.Write => AccessKinds.Write,
        AccessKind.Increment => AccessKinds.Increment,
        AccessKind.Decrement => AccessKinds.Decrement,
        AccessKind.CompoundAssignment => AccessKinds.CompoundAssignment,
        _ => AccessKinds.RefArgument,
    };

    /// <summary>Classifies what the parent does with a reference, and where to report it.</summary>
    private (AccessKind Kind, IOperation At) Classify(IOperation reference)
    {
        var parent = reference.Parent;
        switch (parent)
        {
            case ISimpleAssignmentOperation assignment when assignment.Target == reference:
                return (AccessKind.Write, assignment);
            case ICompoundAssignmentOperation compound when compound.Target == reference:
                return (AccessKind.CompoundAssignment, compound);
            case ICoalesceAssignmentOperation coalesce when coalesce.Target == reference:
                return (AccessKind.CompoundAssignment, coalesce);
            case IIncrementOrDecrementOperation increment:
                return (increment.Kind == OperationKind.Increment ? AccessKind.Increment : AccessKind.Decrement, increment);
            case IArgumentOperation { Parameter.RefKind: not RefKind.None } argument when IsInterlockedOrVolatile(argument):
                return (AccessKind.Receiver, argument);
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument:
                return (AccessKind.RefArgument, argument);
            case IMemberReferenceOperation member when member.Instance == reference:
                return (AccessKind.Receiver, parent);
            case IInvocationOperation invocation when invocation.Instance == reference:
                return (AccessKind.Receiver, parent);
            case IArrayElementReferenceOperation element when element.ArrayReference == reference:
                return (AccessKind.Receiver, parent);
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.IsRef: true } } initializer:
                // 'ref int slot = ref _count;' takes a reference; the accesses are made through 'slot'.
                return (AccessKind.Receiver, initializer);
            case ITupleOperation tuple when IsDeconstructionTarget(tuple):
                return (AccessKind.Write, tuple.Parent!);
            case IConversionOperation conversion when conversion.IsImplicit:
                return Classify(conversion) is var (kind, at) && kind == AccessKind.Receiver ? (kind, at) : (AccessKind.Read, reference);
            default:
                return (AccessKind.Read, reference);
        }
    }

    private static bool IsDeconstructionTarget(ITupleOperation tuple)
        => tuple.Parent is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target == tuple;

    private bool IsInterlockedOrVolatile(IArgumentOperation argument) => _analysis.IsAtomicRefArgument(argument, _cancellationToken);

    private static IOperation StatementOf(IOperation operation)
    {
        var current = operation;
        while (current.Parent is { } parent && parent is not IBlockOperation && current is not IExpressionStatementOperation)
        {
            current = parent;
        }

        return current;
    }
}
