using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>The two dependent steps found on one shared thread-safe or immutable collection.</summary>
internal enum CheckThenActPattern
{
    /// <summary>A missing key is checked, then the indexer sets it (overwriting what another thread added).</summary>
    SetAfterMissing,

    /// <summary>A value is read with <c>TryGetValue</c>, then a value computed from it is written back with the indexer.</summary>
    SetAfterRead,

    /// <summary><c>d[k] = d[k] + n</c>, <c>d[k] += n</c>, <c>d[k]++</c>.</summary>
    IndexerUpdate,

    /// <summary>A missing key is checked, then <c>TryAdd</c>'s result is ignored by code that assumes the add happened.</summary>
    TryAddAssumed,

    /// <summary>A present key is checked, then <c>TryRemove</c>'s result is ignored by code that assumes the removal happened.</summary>
    TryRemoveAssumed,

    /// <summary><c>Count &gt; 0</c> / <c>!IsEmpty</c>, then <c>TryDequeue</c>/<c>TryPop</c>/<c>TryTake</c>/<c>TryPeek</c> whose result is ignored.</summary>
    TakeAssumed,

    /// <summary><c>_list = _list.Add(x)</c> on an immutable collection.</summary>
    ImmutableUpdate,
}

/// <summary>The exactly equivalent atomic rewrite of a check-then-act, when there is one.</summary>
internal enum CheckThenActRewrite
{
    None,

    /// <summary><c>if (!d.ContainsKey(k)) d[k] = v;</c> becomes <c>d.TryAdd(k, v);</c>.</summary>
    TryAdd,

    /// <summary><c>_list = _list.Add(x);</c> becomes <c>ImmutableInterlocked.Update(ref _list, list =&gt; list.Add(x));</c>.</summary>
    ImmutableInterlockedUpdate,
}

/// <summary>One check-then-act in a delegate that runs concurrently.</summary>
internal sealed class CheckThenActFinding
{
    public CheckThenActFinding(IOperation act, IOperation collection, CheckThenActPattern pattern, string? checkName, string how, CheckThenActRewrite rewrite, Location[] related)
    {
        Act = act;
        Collection = collection;
        Pattern = pattern;
        CheckName = checkName;
        How = how;
        Rewrite = rewrite;
        Related = related;
    }

    /// <summary>The second step: the indexer set, the call whose result is ignored, the update or assignment.</summary>
    public IOperation Act { get; }

    /// <summary>The variable that holds the collection (conversions and parentheses stripped).</summary>
    public IOperation Collection { get; }

    public CheckThenActPattern Pattern { get; }

    /// <summary>The member that made the check (<c>ContainsKey</c>, <c>TryGetValue</c>, <c>Count</c>, <c>IsEmpty</c>); null for an update in one statement.</summary>
    public string? CheckName { get; }

    /// <summary>How the delegate that holds it runs (<see cref="ConcurrentDelegate.How"/>, or the description of a method it calls).</summary>
    public string How { get; }

    public CheckThenActRewrite Rewrite { get; }

    /// <summary>The first step: the check; for <see cref="CheckThenActPattern.ImmutableUpdate"/>, the reads of the variable in the new value (in text order); none for <see cref="CheckThenActPattern.IndexerUpdate"/>.</summary>
    public Location[] Related { get; }
}

/// <summary>
/// Finds check-then-acts, per compilation: in a delegate that runs concurrently (<see cref="ConcurrentDelegates"/>) and
/// in the private methods it calls directly (one level), two steps on the same shared thread-safe collection where the
/// second depends on the first, or a read-change-write of a shared immutable collection. A check-then-act under a lock
/// is not found; each act is found once per compilation.
/// </summary>
internal sealed class CheckThenActs
{
    private readonly ConcurrentDelegates _sources;
    private readonly CompilationState _state;

    public CheckThenActs(Compilation compilation, AnalyzerConfigOptionsProvider options)
    {
        _sources = new ConcurrentDelegates(compilation, options);
        _state = new CompilationState(_sources.LockHelpers);
    }

    /// <summary>The check-then-acts in the concurrent delegates handed over by <paramref name="operation"/> (an invocation, object creation or event assignment), or null.</summary>
    public List<CheckThenActFinding>? Find(IOperation operation, CancellationToken cancellationToken)
    {
        if (_sources.Of(operation, cancellationToken) is not { } delegates)
        {
            return null;
        }

        var findings = new List<CheckThenActFinding>();
        foreach (var found in delegates)
        {
            // A method (a method group) can be handed to several sources; its description does not depend
            // on which, so its body is walked once. A lambda is handed to one source.
            if (found.Body is not (IMethodBodyBaseOperation or ILocalFunctionOperation) || _state.FirstWalk(found.Body.Syntax, depth: 0))
            {
                new Walker(findings, found.How, _state, cancellationToken).Walk(found.Body, found.Scope, depth: 0);
            }
        }

        return findings;
    }

    /// <summary>What the walks of one compilation share: the acts found (once each), the method bodies walked, the lock helpers.</summary>
    private sealed class CompilationState
    {
        private readonly ConcurrentDictionary<(SyntaxNode Body, int Depth), byte> _walked = new();

        public CompilationState(LockHelpers lockHelpers) => LockHelpers = lockHelpers;

        public ConcurrentDictionary<Location, byte> Found { get; } = new();

        public LockHelpers LockHelpers { get; }

        /// <summary>Whether this is the first walk of a method body at this depth (a method called from several delegates is walked once).</summary>
        public bool FirstWalk(SyntaxNode body, int depth) => _walked.TryAdd((body, depth), 0);
    }

    /// <summary>One walk of a concurrent delegate's body (and of the private methods it calls directly, one level).</summary>
    private sealed class Walker
    {
        private readonly List<CheckThenActFinding> _findings;
        private readonly string _how;
        private readonly CompilationState _state;
        private readonly LockHelpers _lockHelpers;

        /// <summary>While a check's region is searched: the conditional or loop that holds the whole check-then-act.</summary>
        private IOperation? _lockScope;

        public Walker(List<CheckThenActFinding> findings, string how, CompilationState state, CancellationToken cancellationToken)
        {
            _state = state;
            _lockHelpers = state.LockHelpers;
            _findings = findings;
            _how = how;
            CancellationToken = cancellationToken;
        }

        private CancellationToken CancellationToken { get; }

        public void Walk(IOperation body, SyntaxNode scope, int depth)
        {
            // A nested delegate runs when it is invoked, maybe elsewhere: not followed (precision first).
            // When it is itself handed to a concurrent source, it is analyzed from there.
            foreach (var operation in OperationWalk.OutsideNestedFunctions(body, CancellationToken))
            {
                switch (operation)
                {
                    case IConditionalOperation { Syntax: IfStatementSyntax } conditional:
                        AnalyzeConditional(conditional, scope);
                        break;
                    case IWhileLoopOperation { ConditionIsTop: true, ConditionIsUntil: false, Condition: { } condition, Body: { } loopBody } loop:
                        foreach (var check in Atoms(condition, whenTrue: true, scope))
                        {
                            AnalyzeRegion(check, loop, new[] { loopBody }, fixable: null);
                        }

                        break;
                    case ICompoundAssignmentOperation { Target: var target } update when IsSharedDictionaryIndexer(target, scope):
                        ReportIndexerUpdate(update, target);
                        break;
                    case IIncrementOrDecrementOperation { Target: var target } update when IsSharedDictionaryIndexer(target, scope):
                        ReportIndexerUpdate(update, target);
                        break;
                    case ISimpleAssignmentOperation assignment:
                        AnalyzeAssignment(assignment, scope);
                        break;
                    case IInvocationOperation invocation when depth == 0 && IsPrivateCallOnThis(invocation)
                        && ConcurrentDelegates.MethodBody(invocation.TargetMethod, invocation, CancellationToken) is { } calleeBody
                        && calleeBody.Syntax != scope
                        && !IsLocked(invocation)
                        && _state.FirstWalk(calleeBody.Syntax, depth + 1):
                        // A private method called directly from the delegate (not under a lock) runs on the same
                        // thread: one level. Its description does not depend on the caller, so it is walked once.
                        new Walker(_findings, ConcurrentDelegates.MethodDescription(invocation.TargetMethod), _state, CancellationToken).Walk(calleeBody, calleeBody.Syntax, depth + 1);
                        break;
                }
            }
        }

        private static bool IsPrivateCallOnThis(IInvocationOperation invocation)
            => invocation.TargetMethod is { DeclaredAccessibility: Accessibility.Private, MethodKind: MethodKind.Ordinary }
                && invocation.Instance is null or IInstanceReferenceOperation;

        private void AnalyzeConditional(IConditionalOperation conditional, SyntaxNode scope)
        {
            var condition = conditional.Condition;
            foreach (var check in Atoms(condition, whenTrue: true, scope))
            {
                AnalyzeRegion(check, conditional, new[] { conditional.WhenTrue }, conditional.WhenFalse is null ? conditional : null);
            }

            if (conditional.WhenFalse is { } whenFalse)
            {
                foreach (var check in Atoms(condition, whenTrue: false, scope))
                {
                    AnalyzeRegion(check, conditional, new[] { whenFalse }, fixable: null);
                }
            }
            else if (ExitsAlways(conditional.WhenTrue) && conditional.Parent is IBlockOperation block)
            {
                // if (q.IsEmpty) return; q.TryDequeue(out var x); ...: the rest of the block runs when the check failed.
                var rest = new List<IOperation>();
                bool after = false;
                foreach (var statement in block.Operations)
                {
                    if (after)
                    {
                        rest.Add(statement);
                    }

                    after |= statement == conditional;
                }

                if (rest.Count > 0)
                {
                    foreach (var check in Atoms(condition, whenTrue: false, scope))
                    {
                        AnalyzeRegion(check, conditional, rest, fixable: null);
                    }
                }
            }
        }

        /// <summary>Looks for the act that depends on <paramref name="check"/> in <paramref name="region"/>.</summary>
        private void AnalyzeRegion(Check check, IOperation whole, IReadOnlyList<IOperation> region, IConditionalOperation? fixable)
        {
            _lockScope = whole;
            var pending = new Stack<IOperation>();
            for (int i = region.Count - 1; i >= 0; i--)
            {
                pending.Push(region[i]);
            }

            while (pending.Count > 0)
            {
                CancellationToken.ThrowIfCancellationRequested();
                var operation = pending.Pop();
                if (operation is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    continue;
                }

                if (check.Dictionary)
                {
                    AnalyzeDictionaryAct(check, operation, region, fixable);
                }
                else
                {
                    AnalyzeTake(check, operation);
                }

                if (Changes(operation, check.Receiver))
                {
                    // The first change of the collection in the region is the act; what follows depends on it, not on the check.
                    break;
                }

                var children = new List<IOperation>(operation.ChildOperations);
                for (int i = children.Count - 1; i >= 0; i--)
                {
                    pending.Push(children[i]);
                }
            }

            _lockScope = null;
        }

        private void AnalyzeDictionaryAct(Check check, IOperation operation, IReadOnlyList<IOperation> region, IConditionalOperation? fixable)
        {
            switch (operation)
            {
                case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } indexer } assignment
                    when IsConcurrentDictionary(indexer.Property.ContainingType)
                        && SameStorage(indexer.Instance, check.Receiver)
                        && SameValue(indexer.Arguments[0].Value, check.Key):
                    if (!check.Holds)
                    {
                        var rewrite = fixable is not null && IsTryAddRewritable(fixable, check, assignment, region) ? CheckThenActRewrite.TryAdd : CheckThenActRewrite.None;
                        Record(assignment, check.Receiver, CheckThenActPattern.SetAfterMissing, check.Name, rewrite, check.Operation.Syntax.GetLocation());
                    }
                    else if (check.Out is { } read && Reads(assignment.Value, read))
                    {
                        Record(assignment, check.Receiver, CheckThenActPattern.SetAfterRead, check.Name, CheckThenActRewrite.None, check.Operation.Syntax.GetLocation());
                    }

                    break;
                case IInvocationOperation { Instance: { } instance, Arguments.Length: > 0 } invocation
                    when IsConcurrentDictionary(invocation.TargetMethod.ContainingType)
                        && SameStorage(instance, check.Receiver)
                        && SameValue(invocation.Arguments[0].Value, check.Key)
                        && StatementOfDiscarded(invocation) is { } statement:
                    if (!check.Holds && invocation.TargetMethod.Name == "TryAdd" && IsFollowed(statement))
                    {
                        Record(invocation, check.Receiver, CheckThenActPattern.TryAddAssumed, check.Name, CheckThenActRewrite.None, check.Operation.Syntax.GetLocation());
                    }
                    else if (check.Holds && invocation.TargetMethod.Name == "TryRemove" && (HasOutValue(invocation) || IsFollowed(statement)))
                    {
                        Record(invocation, check.Receiver, CheckThenActPattern.TryRemoveAssumed, check.Name, CheckThenActRewrite.None, check.Operation.Syntax.GetLocation());
                    }

                    break;
            }
        }

        /// <summary>Whether the operation changes the collection held in <paramref name="receiver"/>: a mutating call, or a set through its indexer.</summary>
        private static bool Changes(IOperation operation, IOperation receiver)
        {
            switch (operation)
            {
                case IInvocationOperation { Instance: { } instance, TargetMethod.Name: var name }:
                    return name is not ("ContainsKey" or "TryGetValue" or "TryPeek" or "ToArray" or "GetEnumerator" or "CopyTo" or "ToString" or "Equals" or "GetHashCode")
                        && SameStorage(instance, receiver);
                case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } }:
                    return SameStorage(instance, receiver);
                case ICompoundAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } }:
                    return SameStorage(instance, receiver);
                case IIncrementOrDecrementOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } }:
                    return SameStorage(instance, receiver);
                default:
                    return false;
            }
        }

        private void AnalyzeTake(Check check, IOperation operation)
        {
            if (check.Holds
                && operation is IInvocationOperation { Instance: { } instance, TargetMethod.Name: "TryDequeue" or "TryPeek" or "TryPop" or "TryTake" } invocation
                && IsTakeCollection(invocation.TargetMethod.ContainingType)
                && SameStorage(instance, check.Receiver)
                && StatementOfDiscarded(invocation) is { } statement
                && (HasOutValue(invocation) || IsFollowed(statement)))
            {
                Record(invocation, check.Receiver, CheckThenActPattern.TakeAssumed, check.Name, CheckThenActRewrite.None, check.Operation.Syntax.GetLocation());
            }
        }

        private void AnalyzeAssignment(ISimpleAssignmentOperation assignment, SyntaxNode scope)
        {
            var target = Strip(assignment.Target);
            if (target is IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } indexer && IsSharedDictionaryIndexer(indexer, scope))
            {
                if (FindRead(assignment.Value, r => r is IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } other
                        && SymbolEqualityComparer.Default.Equals(other.Property.OriginalDefinition, indexer.Property.OriginalDefinition)
                        && SameStorage(other.Instance, indexer.Instance)
                        && SameValue(other.Arguments[0].Value, indexer.Arguments[0].Value)) is not null)
                {
                    ReportIndexerUpdate(assignment, indexer);
                }

                return;
            }

            if (!IsImmutable(target.Type) || SharedRoot(target, scope) is null)
            {
                return;
            }

            var reads = new List<IOperation>();
            CollectReads(assignment.Value, target, reads);
            reads.Sort(static (x, y) => x.Syntax.SpanStart.CompareTo(y.Syntax.SpanStart));
            if (reads.Count == 0)
            {
                return;
            }

            var locations = new List<Location>(reads.Count);
            foreach (var read in reads)
            {
                locations.Add(read.Syntax.GetLocation());
            }

            var rewrite = IsUpdateRewritable(assignment, target, reads) ? CheckThenActRewrite.ImmutableInterlockedUpdate : CheckThenActRewrite.None;
            Record(assignment, target, CheckThenActPattern.ImmutableUpdate, null, rewrite, locations.ToArray());
        }

        private void ReportIndexerUpdate(IOperation update, IOperation target)
        {
            if (Strip(target) is not IPropertyReferenceOperation indexer || indexer.Instance is null)
            {
                return;
            }

            Record(update, indexer.Instance, CheckThenActPattern.IndexerUpdate, null, CheckThenActRewrite.None);
        }

        private void Record(IOperation at, IOperation receiver, CheckThenActPattern pattern, string? checkName, CheckThenActRewrite rewrite, params Location[] related)
        {
            // Locks are looked up only for what would be found: the whole check-then-act (or the single statement)
            // under a lock is not found (precision first: assumed to be the lock of every writer).
            if (IsLocked(_lockScope ?? at))
            {
                return;
            }

            var location = at.Syntax.GetLocation();
            if (!_state.Found.TryAdd(location, 0))
            {
                return;
            }

            _findings.Add(new CheckThenActFinding(at, Strip(receiver), pattern, checkName, _how, rewrite, related));
        }

        private bool IsLocked(IOperation operation)
        {
            foreach (var held in LockRegions.GetHeldLocks(operation, root: null, KnownTypes.Instance, _lockHelpers))
            {
                if (held.Coverage == LockCoverage.Full)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The checks a condition establishes in its true (or false) branch: conjuncts of <c>&amp;&amp;</c> (disjuncts of <c>||</c>).</summary>
        private List<Check> Atoms(IOperation condition, bool whenTrue, SyntaxNode scope)
        {
            var atoms = new List<Check>();
            var pending = new Stack<IOperation>();
            pending.Push(condition);
            while (pending.Count > 0)
            {
                var current = Strip(pending.Pop());
                if (current is IBinaryOperation { OperatorKind: var kind } binary
                    && (whenTrue ? kind == BinaryOperatorKind.ConditionalAnd : kind == BinaryOperatorKind.ConditionalOr))
                {
                    pending.Push(binary.RightOperand);
                    pending.Push(binary.LeftOperand);
                    continue;
                }

                if (Atom(current, whenTrue, scope) is { } check)
                {
                    atoms.Add(check);
                }
            }

            return atoms;
        }

        private Check? Atom(IOperation operation, bool positive, SyntaxNode scope)
        {
            operation = Strip(operation);
            while (operation is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not)
            {
                positive = !positive;
                operation = Strip(not.Operand);
            }

            switch (operation)
            {
                case IInvocationOperation { Instance: { } instance, TargetMethod.Name: "ContainsKey" or "TryGetValue", Arguments.Length: > 0 } invocation
                    when IsConcurrentDictionary(invocation.TargetMethod.ContainingType) && SharedRoot(instance, scope) is not null:
                    string name = invocation.TargetMethod.Name;
                    ILocalSymbol? read = null;
                    if (name == "TryGetValue" && invocation.Arguments.Length > 1)
                    {
                        read = Strip(invocation.Arguments[1].Value) switch
                        {
                            IDeclarationExpressionOperation { Expression: ILocalReferenceOperation local } => local.Local,
                            ILocalReferenceOperation local => local.Local,
                            _ => null,
                        };
                    }

                    return new Check(invocation, instance, invocation.Arguments[0].Value, read, dictionary: true, holds: positive, name);
                case IPropertyReferenceOperation { Instance: { } instance, Property.Name: "IsEmpty" } property
                    when IsTakeCollection(property.Property.ContainingType) && SharedRoot(instance, scope) is not null:
                    return new Check(property, instance, null, null, dictionary: false, holds: !positive, "IsEmpty");
                case IBinaryOperation { OperatorMethod: null } comparison when CountComparison(comparison, scope) is { } count:
                    return new Check(comparison, count.Receiver, null, null, dictionary: false, holds: count.NonEmptyWhenTrue == positive, "Count");
                default:
                    return null;
            }
        }

        /// <summary><c>q.Count &gt; 0</c>, <c>q.Count != 0</c>, <c>q.Count &gt;= 1</c>, <c>q.Count == 0</c>, ... (either side): the collection and whether "true" means "not empty".</summary>
        private static (IOperation Receiver, bool NonEmptyWhenTrue)? CountComparison(IBinaryOperation comparison, SyntaxNode scope)
        {
            var kind = comparison.OperatorKind;
            var left = Strip(comparison.LeftOperand);
            var right = Strip(comparison.RightOperand);
            if (left.ConstantValue.HasValue && !right.ConstantValue.HasValue)
            {
                (left, right) = (right, left);
                kind = kind switch
                {
                    BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
                    BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
                    BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
                    BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
                    _ => kind,
                };
            }

            if (left is not IPropertyReferenceOperation { Instance: { } instance, Property.Name: "Count" } count
                || !IsTakeCollection(count.Property.ContainingType)
                || SharedRoot(instance, scope) is null
                || right.ConstantValue is not { HasValue: true, Value: int bound })
            {
                return null;
            }

            bool? nonEmpty = (kind, bound) switch
            {
                (BinaryOperatorKind.GreaterThan, 0) or (BinaryOperatorKind.NotEquals, 0) or (BinaryOperatorKind.GreaterThanOrEqual, 1) => true,
                (BinaryOperatorKind.Equals, 0) or (BinaryOperatorKind.LessThan, 1) or (BinaryOperatorKind.LessThanOrEqual, 0) => false,
                _ => null,
            };
            return nonEmpty is { } value ? (instance, value) : null;
        }

        private bool IsSharedDictionaryIndexer(IOperation target, SyntaxNode scope)
            => Strip(target) is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } indexer
                && IsConcurrentDictionary(indexer.Property.ContainingType)
                && SharedRoot(instance, scope) is not null;
    }

    /// <summary>A check of a collection: a key's presence, or the collection's emptiness, as it holds in the branch analyzed.</summary>
    private sealed class Check
    {
        public Check(IOperation operation, IOperation receiver, IOperation? key, ILocalSymbol? @out, bool dictionary, bool holds, string name)
        {
            Operation = operation;
            Receiver = receiver;
            Key = key;
            Out = @out;
            Dictionary = dictionary;
            Holds = holds;
            Name = name;
        }

        public IOperation Operation { get; }

        public IOperation Receiver { get; }

        public IOperation? Key { get; }

        /// <summary>The local <c>TryGetValue</c> reads the value into.</summary>
        public ILocalSymbol? Out { get; }

        public bool Dictionary { get; }

        /// <summary>In the analyzed branch: the key is present (dictionary) or the collection is not empty.</summary>
        public bool Holds { get; }

        public string Name { get; }
    }

    // ---- Facts about storage, values and statements (no state) ----

    private static IOperation Strip(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
        {
            operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
        }

        return operation;
    }

    /// <summary>
    /// The variable a collection is held in when other threads can reach it: a field or property of <c>this</c> or static
    /// (or of such a field), or a local or parameter declared outside <paramref name="scope"/> (captured). Null for
    /// locals and parameters of the delegate itself.
    /// </summary>
    private static ISymbol? SharedRoot(IOperation? operation, SyntaxNode scope)
    {
        if (operation is null)
        {
            return null;
        }

        switch (Strip(operation))
        {
            case IFieldReferenceOperation field when field.Instance is null or IInstanceReferenceOperation || SharedRoot(field.Instance, scope) is not null:
                return field.Field;
            case IPropertyReferenceOperation { Property.IsIndexer: false } property when property.Instance is null or IInstanceReferenceOperation || SharedRoot(property.Instance, scope) is not null:
                return property.Property;
            case ILocalReferenceOperation local when IsDeclaredOutside(local.Local, scope):
                return local.Local;
            case IParameterReferenceOperation parameter when IsDeclaredOutside(parameter.Parameter, scope):
                return parameter.Parameter;
            default:
                return null;
        }
    }

    private static bool IsDeclaredOutside(ISymbol symbol, SyntaxNode scope)
    {
        var references = symbol.DeclaringSyntaxReferences;
        return references.Length == 1 && references[0].SyntaxTree == scope.SyntaxTree && !scope.Span.Contains(references[0].Span);
    }

    /// <summary>Whether two expressions denote the same variable (the same field of the same object, the same local, ...).</summary>
    private static bool SameStorage(IOperation? a, IOperation? b)
    {
        if (a is null || b is null)
        {
            return false;
        }

        a = Strip(a);
        b = Strip(b);
        return (a, b) switch
        {
            (IFieldReferenceOperation x, IFieldReferenceOperation y) => SymbolEqualityComparer.Default.Equals(x.Field, y.Field) && SameInstance(x.Instance, y.Instance),
            (IPropertyReferenceOperation { Arguments.Length: 0 } x, IPropertyReferenceOperation { Arguments.Length: 0 } y) => SymbolEqualityComparer.Default.Equals(x.Property, y.Property) && SameInstance(x.Instance, y.Instance),
            (ILocalReferenceOperation x, ILocalReferenceOperation y) => SymbolEqualityComparer.Default.Equals(x.Local, y.Local),
            (IParameterReferenceOperation x, IParameterReferenceOperation y) => SymbolEqualityComparer.Default.Equals(x.Parameter, y.Parameter),
            (IInstanceReferenceOperation, IInstanceReferenceOperation) => true,
            _ => false,
        };
    }

    private static bool SameInstance(IOperation? a, IOperation? b) => a is null ? b is null : SameStorage(a, b);

    /// <summary>Whether two key expressions have the same value: equal constants, or the same variable.</summary>
    private static bool SameValue(IOperation? a, IOperation? b)
    {
        if (a is null || b is null)
        {
            return false;
        }

        a = Strip(a);
        b = Strip(b);
        if (a.ConstantValue.HasValue || b.ConstantValue.HasValue)
        {
            return a.ConstantValue.HasValue && b.ConstantValue.HasValue && Equals(a.ConstantValue.Value, b.ConstantValue.Value);
        }

        return SameStorage(a, b);
    }

    private static bool Reads(IOperation value, ILocalSymbol local)
        => FindRead(value, o => o is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local)) is not null;

    private static IOperation? FindRead(IOperation root, System.Func<IOperation, bool> match)
    {
        var pending = new Stack<IOperation>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var operation = pending.Pop();
            if (match(operation))
            {
                return operation;
            }

            if (operation is IAnonymousFunctionOperation)
            {
                continue;
            }

            foreach (var child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }

        return null;
    }

    /// <summary>The reads of <paramref name="target"/>'s variable in <paramref name="value"/> (not inside lambdas); iterative, for deeply chained calls.</summary>
    private static void CollectReads(IOperation value, IOperation target, List<IOperation> reads)
    {
        var pending = new Stack<IOperation>();
        pending.Push(value);
        while (pending.Count > 0)
        {
            var operation = pending.Pop();
            if (operation is IAnonymousFunctionOperation)
            {
                continue;
            }

            if (operation is IFieldReferenceOperation or ILocalReferenceOperation or IParameterReferenceOperation or IPropertyReferenceOperation && SameStorage(operation, target))
            {
                reads.Add(operation);
                continue;
            }

            foreach (var child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>The statement of a call whose result is dropped (<c>q.TryDequeue(out var x);</c> or <c>_ = q.TryDequeue(...)</c>), or null.</summary>
    private static IExpressionStatementOperation? StatementOfDiscarded(IInvocationOperation invocation)
        => invocation.Parent switch
        {
            IExpressionStatementOperation statement => statement,
            ISimpleAssignmentOperation { Target: IDiscardOperation, Parent: IExpressionStatementOperation statement } => statement,
            _ => null,
        };

    /// <summary>Whether a statement is followed by another one in its block (code that relies on what it did).</summary>
    private static bool IsFollowed(IOperation statement)
    {
        if (statement.Parent is not IBlockOperation block)
        {
            return false;
        }

        var operations = block.Operations;
        for (int i = 0; i < operations.Length - 1; i++)
        {
            if (operations[i] == statement)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the call has an <c>out</c> argument that is not a discard (the value it takes is used).</summary>
    private static bool HasOutValue(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { RefKind: RefKind.Out } && argument.Value is not IDiscardOperation)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a branch always leaves the enclosing block: <c>return</c>, <c>continue</c>, <c>break</c>, <c>throw</c> (alone or last in a block).</summary>
    private static bool ExitsAlways(IOperation branch)
    {
        if (branch is IBlockOperation { Operations: { Length: > 0 } operations })
        {
            branch = operations[operations.Length - 1];
        }

        return branch is IReturnOperation or IBranchOperation { BranchKind: BranchKind.Continue or BranchKind.Break }
            || branch is IExpressionStatementOperation { Operation: IThrowOperation } or IThrowOperation;
    }

    /// <summary>
    /// Whether <c>if (!d.ContainsKey(k)) d[k] = v;</c> can become <c>d.TryAdd(k, v);</c> with the same behaviour when no
    /// other thread interferes: the condition is exactly the negated <c>ContainsKey</c>, there is no <c>else</c>, the
    /// branch is only the assignment, and the key and value have no side effects and cannot throw (TryAdd evaluates the
    /// value even when the key is present, and the key once instead of twice).
    /// </summary>
    private static bool IsTryAddRewritable(IConditionalOperation conditional, Check check, ISimpleAssignmentOperation assignment, IReadOnlyList<IOperation> region)
    {
        if (conditional.WhenFalse is not null
            || check.Name != "ContainsKey"
            || Strip(conditional.Condition) is not IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not
            || Strip(not.Operand) != check.Operation
            || assignment.Parent is not IExpressionStatementOperation statement
            || region.Count != 1)
        {
            return false;
        }

        bool onlyStatement = region[0] == statement
            || region[0] is IBlockOperation { Operations.Length: 1, Locals.Length: 0 } block && block.Operations[0] == statement;
        return onlyStatement && IsSimpleValue(check.Key) && IsSimpleValue(assignment.Value);
    }

    /// <summary>A value whose evaluation has no side effects and cannot throw: a constant, a local, a parameter, <c>this</c>, <c>default</c>, <c>typeof</c>, a field of <c>this</c> or a static field, a lambda.</summary>
    private static bool IsSimpleValue(IOperation? value)
    {
        while (value is IConversionOperation { Conversion: { IsImplicit: true, IsUserDefined: false } } or IParenthesizedOperation or IDelegateCreationOperation { Target: IAnonymousFunctionOperation })
        {
            value = value switch
            {
                IConversionOperation conversion => conversion.Operand,
                IParenthesizedOperation parenthesized => parenthesized.Operand,
                _ => ((IDelegateCreationOperation)value).Target,
            };
        }

        return value is not null
            && (value.ConstantValue.HasValue
                || value is ILocalReferenceOperation or IParameterReferenceOperation or IInstanceReferenceOperation or IDefaultValueOperation or ITypeOfOperation or IAnonymousFunctionOperation
                || value is IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation });
    }

    /// <summary>
    /// Whether <c>x = x.Add(v);</c> can become <c>ImmutableInterlocked.Update(ref x, c =&gt; c.Add(v));</c>: a statement;
    /// a field (not volatile: <c>ref</c> to it would warn, not of a struct: the lambda could not capture <c>this</c>) or a
    /// captured local or parameter that is not <c>ref</c>; a reference type (<c>Update&lt;T&gt;</c> needs <c>T : class</c>) or
    /// <c>ImmutableArray&lt;T&gt;</c>; and a new value made only of side-effect-free parts (Update may run it again when
    /// another thread won): reads of variables, constants, operators on built-in types, and members of immutable collections.
    /// </summary>
    private static bool IsUpdateRewritable(ISimpleAssignmentOperation assignment, IOperation target, List<IOperation> reads)
    {
        if (assignment.Parent is not IExpressionStatementOperation || target.Type is not { } type)
        {
            return false;
        }

        bool typeOk = type.IsReferenceType || type is INamedTypeSymbol { Name: "ImmutableArray", Arity: 1 } && IsImmutable(type);
        bool variableOk = target switch
        {
            IFieldReferenceOperation { Field: { IsVolatile: false, IsReadOnly: false } field } => field.IsStatic || field.ContainingType is { IsValueType: false },
            ILocalReferenceOperation { Local.IsRef: false } => true,
            IParameterReferenceOperation { Parameter.RefKind: RefKind.None } => true,
            _ => false,
        };
        if (!typeOk || !variableOk)
        {
            return false;
        }

        var pending = new Stack<IOperation>();
        pending.Push(assignment.Value);
        while (pending.Count > 0)
        {
            var operation = pending.Pop();
            if (reads.Contains(operation))
            {
                continue;
            }

            if (!IsPureStep(operation))
            {
                return false;
            }

            foreach (var child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }

        return true;
    }

    private static bool IsPureStep(IOperation operation)
    {
        if (operation.ConstantValue.HasValue)
        {
            return true;
        }

        switch (operation)
        {
            case IConversionOperation { Conversion.IsUserDefined: false }:
            case IParenthesizedOperation:
            case IArgumentOperation:
            case IDefaultValueOperation:
            case ITypeOfOperation:
            case IBinaryOperation { OperatorMethod: null }:
            case IUnaryOperation { OperatorMethod: null }:
            case IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation }:
                return true;
            case IInstanceReferenceOperation instance:
                return instance.Type is { IsValueType: false };
            case ILocalReferenceOperation { Local: { IsRef: false, Type.IsRefLikeType: false } }:
                return true;
            case IParameterReferenceOperation { Parameter: { RefKind: RefKind.None, Type.IsRefLikeType: false } }:
                return true;
            case IInvocationOperation invocation:
                return IsImmutableMember(invocation.TargetMethod);
            case IPropertyReferenceOperation property:
                return IsImmutableMember(property.Property);
            default:
                return false;
        }
    }

    /// <summary>A member of a type of System.Collections.Immutable (the collections' members return new collections and change nothing).</summary>
    private static bool IsImmutableMember(ISymbol member)
        => member.ContainingType is { } type && KnownType.IsNamespace(type.OriginalDefinition.ContainingNamespace, ImmutableNamespace)
            && type.Name != "ImmutableInterlocked";

    private static readonly string[] ImmutableNamespace = { "System", "Collections", "Immutable" };

    private static bool IsConcurrentDictionary(ITypeSymbol? type) => KnownTypes.Instance.ConcurrentDictionary.Matches(type?.OriginalDefinition);

    private static bool IsTakeCollection(ITypeSymbol? type)
    {
        var definition = type?.OriginalDefinition;
        var types = KnownTypes.Instance;
        return types.ConcurrentQueue.Matches(definition) || types.ConcurrentStack.Matches(definition) || types.ConcurrentBag.Matches(definition);
    }

    /// <summary>An immutable collection type or interface (<c>ImmutableList&lt;T&gt;</c>, <c>IImmutableDictionary&lt;K,V&gt;</c>, <c>ImmutableArray&lt;T&gt;</c>, ...).</summary>
    private static bool IsImmutable(ITypeSymbol? type)
        => type is INamedTypeSymbol { ContainingType: null, IsStatic: false, IsGenericType: true } named
            && (named.Name.StartsWith("Immutable", System.StringComparison.Ordinal) || named.Name.StartsWith("IImmutable", System.StringComparison.Ordinal))
            && KnownType.IsNamespace(named.ContainingNamespace, ImmutableNamespace);
}
