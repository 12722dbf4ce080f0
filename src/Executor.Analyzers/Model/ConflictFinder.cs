using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// Finds the other side of a race for an access a callback makes: another run of the same callback, another member
/// or callback touching the same storage, or the registering member's code after the registration. An access is a
/// race only when such a conflicting access exists, at least one of the two writes, nothing orders them (the
/// registration publishes earlier writes; constructors run before; joins order later code; serial contexts and
/// same-thread completion run callbacks one at a time) and no lock is common to both.
/// </summary>
internal sealed class ConflictFinder
{
    private const int MaxLocations = 8;

    private readonly CallbackAnalysis _analysis;
    private readonly ConcurrentDictionary<(ISymbol Symbol, SyntaxNode Scope), List<StateAccess>> _accesses = new();
    private readonly ConcurrentDictionary<SyntaxNode, ControlFlowGraph?> _graphs = new();
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _constructorOnly = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, List<HeldLock>> _callerLocks = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<(SyntaxNode Registration, ILocalSymbol? Variable), ExecutionOrder.Reach?> _reach = new();
    private readonly ConcurrentDictionary<(ControlFlowGraph Graph, bool Work), List<int>[]> _joinCuts = new();
    private readonly ConcurrentDictionary<(ISymbol Symbol, SyntaxNode Scope, ILocalSymbol Root), List<StateAccess>> _accessesThroughLocal = new();
    private readonly CallSites _callSites;

    public ConflictFinder(CallbackAnalysis analysis)
    {
        _analysis = analysis;
        _callSites = new CallSites(analysis.Facts);
    }

    private KnownTypes Types => _analysis.Types;

    private SharedStateFacts Facts => _analysis.Facts;

    /// <summary>The other side of a race for <paramref name="finding"/>, made in the callback at <paramref name="callbackRoot"/>, or null when there is none.</summary>
    public Conflict? Find(CallbackFinding finding, Registration registration, SyntaxNode callbackRoot, CancellationToken cancellationToken, IReadOnlyList<(SyntaxTree Tree, Microsoft.CodeAnalysis.Text.TextSpan Span)>? alsoInCallback = null)
    {
        if (IsSerial(registration) || CompletesOnThisThread(registration, cancellationToken))
        {
            return null;
        }

        if (registration.Work is not null && !finding.Writes)
        {
            // EXEC002 reports the writing side of a race (it names the readers); a read racing with a write elsewhere
            // in work is reported at that write, or by EXEC001 when the writer is a callback.
            return null;
        }

        var accesses = AccessesOf(finding, registration, callbackRoot, cancellationToken);
        if (IsIdempotentFlag(finding, accesses))
        {
            return null;
        }

        // AddDoneCallback(callback, executor) with a one-worker executor: those callbacks run one at a time.
        bool oneWorker = DispatchesToOneWorker(registration, cancellationToken);
        var conflicting = new List<(StateAccess Access, ConflictKind Kind)>();
        foreach (var access in accesses)
        {
            if (callbackRoot.SyntaxTree == access.Syntax.SyntaxTree && callbackRoot.Span.Contains(access.Syntax.Span)
                || finding.Origin is { } origin && origin.SourceTree == access.Syntax.SyntaxTree && origin.SourceSpan.IntersectsWith(access.Syntax.Span)
                || IsIn(alsoInCallback, access.Syntax))
            {
                continue;
            }

            if (!finding.Writes && !access.Writes
                || access.Mode == AccessMode.Atomic && !finding.Writes
                || ShareLock(finding.Locks, access))
            {
                continue;
            }

            if (Order(access, registration, finding.Symbol, cancellationToken) is { } kind && !(oneWorker && kind == ConflictKind.OtherCallback))
            {
                conflicting.Add((access, kind));
            }
        }

        // Lazy initialization of a computed value ('if (_v == null) _v = Compute();', '_v ??= Compute()'): a racing
        // reader sees null (and computes it too) or the value; two writers store equal values. Not when the value is a
        // new object (two callers could then hold different locks or caches).
        bool lazyInit = IsLazyInitialization(finding);
        if (lazyInit)
        {
            conflicting.RemoveAll(c => c.Access.Mode == AccessMode.Read);
        }

        // Stores of constants that race only with other stores of constants: one store wins, and whichever wins is a
        // value some writer meant (a flag set by a failing callback and cleared by 'Reset'). No lost update, no torn value.
        bool constantStore = finding.Writes && finding.HasConstant;
        if (constantStore)
        {
            conflicting.RemoveAll(c => c.Access.Mode == AccessMode.Write && c.Access.HasConstant);
        }

        if (conflicting.Count > 0)
        {
            // Name a writer first: "'Reset' writes it" says more than "'Get' reads it".
            conflicting.Sort((a, b) => b.Access.Writes.CompareTo(a.Access.Writes));
            var locations = new List<Location>();
            foreach (var (access, _) in conflicting)
            {
                if (locations.Count < MaxLocations)
                {
                    locations.Add(access.Location);
                }
            }

            var (first, firstKind) = conflicting[0];
            return new Conflict(firstKind, Describe(first, firstKind, registration), locations);
        }

        if (finding.Writes && !constantStore && !lazyInit && !oneWorker && CanOverlapItself(finding, registration, callbackRoot, cancellationToken) is { } reason)
        {
            return new Conflict(ConflictKind.Self, "another run of the same " + registration.Noun + " can do the same (" + reason + ")", new List<Location>());
        }

        return null;
    }

    private static bool IsLazyInitialization(CallbackFinding finding)
    {
        var access = finding.OriginAccess ?? finding.Access;
        if (finding.Symbol is not (IFieldSymbol or IPropertySymbol) || access is null)
        {
            return false;
        }

        IOperation? value;
        switch (access)
        {
            case ICoalesceAssignmentOperation coalesce when Refers(coalesce.Target, finding.Symbol):
                value = coalesce.Value;
                break;
            case ISimpleAssignmentOperation assignment when Refers(assignment.Target, finding.Symbol) && IsGuardedByNullCheck(assignment, finding.Symbol):
                value = assignment.Value;
                break;
            default:
                return false;
        }

        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value is null || value.Type is not { IsReferenceType: true } type)
        {
            return false;
        }

        // The same value every time: computed from nothing the caller passes in ('_first ??= f.Result()' keeps whichever
        // callback came first, or not: a real race), and not a new object (a string is fine).
        if (DependsOnInput(value, depth: 0))
        {
            return false;
        }

        return value is not (IObjectCreationOperation or IArrayCreationOperation or IAnonymousObjectCreationOperation) || type.SpecialType == SpecialType.System_String;
    }

    /// <summary>Whether a value reads a parameter or <c>this</c>, directly or through the initializers of the locals it reads.</summary>
    private static bool DependsOnInput(IOperation value, int depth)
    {
        foreach (var part in value.DescendantsAndSelf())
        {
            switch (part)
            {
                case IParameterReferenceOperation:
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return true;
                case ILocalReferenceOperation local:
                    // A local of the same member computed from nothing the caller passes in ('var assembly = typeof(T).Assembly;').
                    if (depth > 2 || local.Local.DeclaringSyntaxReferences.Length != 1
                        || local.Local.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer: { } initializer }
                        || value.SemanticModel?.GetOperation(initializer.Value) is not { } initial
                        || DependsOnInput(initial, depth + 1))
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    private static bool Refers(IOperation target, ISymbol symbol)
        => ReferencedSymbol(target) is { } referenced && SymbolEqualityComparer.Default.Equals(referenced.OriginalDefinition, symbol.OriginalDefinition);

    private static bool IsGuardedByNullCheck(IOperation assignment, ISymbol symbol)
    {
        for (var current = assignment.Parent; current is not null and not IAnonymousFunctionOperation and not ILocalFunctionOperation; current = current.Parent)
        {
            if (current is IConditionalOperation conditional && IsNullCheckOf(conditional.Condition, symbol))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNullCheckOf(IOperation condition, ISymbol symbol)
    {
        while (condition is IConversionOperation conversion)
        {
            condition = conversion.Operand;
        }

        return condition switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } binary
                => Refers(Strip(binary.LeftOperand), symbol) && IsNull(binary.RightOperand) || Refers(Strip(binary.RightOperand), symbol) && IsNull(binary.LeftOperand),
            IIsPatternOperation { Pattern: IConstantPatternOperation constant } pattern => Refers(Strip(pattern.Value), symbol) && IsNull(constant.Value),
            _ => false,
        };
    }

    private static IOperation Strip(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private static bool IsNull(IOperation operation) => Strip(operation).ConstantValue is { HasValue: true, Value: null };

    private static bool IsIn(IReadOnlyList<(SyntaxTree Tree, Microsoft.CodeAnalysis.Text.TextSpan Span)>? spans, SyntaxNode node)
    {
        if (spans is not null)
        {
            foreach (var (tree, span) in spans)
            {
                if (tree == node.SyntaxTree && span.Contains(node.Span))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private string Describe(StateAccess access, ConflictKind kind, Registration registration)
    {
        string who = kind == ConflictKind.OtherCallback
            ? OtherDelegate(access, registration) + " in '" + Registration.NameOf(access.Member) + "'"
            : access.Function is not null
            ? "a lambda in '" + Registration.NameOf(access.Member) + "'"
            : "'" + Registration.NameOf(access.Member) + "'";
        string locks = LockText(access.Locks);
        return kind == ConflictKind.AfterRegistration
            ? who + " " + access.Verb + " it " + locks + (registration.Work is null ? " after registering the callback" : " after starting the work") + ", with no join in between"
            : who + " " + access.Verb + " it " + locks;
    }

    /// <summary>What another concurrently running delegate is: another delegate of the same parallel call, work, or a callback.</summary>
    private string OtherDelegate(StateAccess access, Registration registration)
    {
        if (access.Function is not AnonymousFunctionExpressionSyntax lambda
            || Facts.ModelFor(lambda.SyntaxTree).GetOperation(lambda) is not { } operation
            || _analysis.WorkSourceOfArgument(operation) is null)
        {
            return "a callback";
        }

        return registration.Work is not null && registration.Operation.Syntax.SyntaxTree == lambda.SyntaxTree && registration.Operation.Syntax.Span.Contains(lambda.Span)
            ? "another delegate of the same '" + _analysis.ApiName(registration.Api) + "' call"
            : "work";
    }

    /// <summary>"without a lock" or "under lock '_gate'".</summary>
    public static string LockText(List<HeldLock> locks)
        => locks.Count == 0 ? "without a lock" : "under lock '" + locks[0].Text + "'";

    private static bool ShareLock(List<HeldLock> ours, StateAccess access)
    {
        foreach (var theirs in access.Locks)
        {
            if (theirs.Coverage == LockCoverage.ReadOnly && access.Writes)
            {
                continue;
            }

            foreach (var mine in ours)
            {
                if (mine.SameAs(theirs))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether an access can run at the same time as the callback: null when it is ordered before or after it.</summary>
    private ConflictKind? Order(StateAccess access, Registration registration, ISymbol symbol, CancellationToken cancellationToken)
    {
        bool sameMember = registration.Member is { } member && access.Member == member;
        if (access.Function is AnonymousFunctionExpressionSyntax lambda && (IsCallback(lambda, cancellationToken) || IsSiblingWork(lambda, registration, cancellationToken)))
        {
            // Another callback: it runs whenever its own work completes. Another delegate of the same parallel call
            // (Parallel.Invoke's other actions, a loop's localFinally) runs at the same time as this one.
            return ConflictKind.OtherCallback;
        }

        if (registration.Work is { JoinsOnReturn: true })
        {
            // A parallel loop runs only while its call runs: the same member's code before and after the call is
            // ordered with it, and whether another member can run during the call is the type's own contract, which a
            // type without the loop has too. Only the loop's own runs (and callbacks, above) race with it.
            return null;
        }

        if (sameMember)
        {
            var at = access.Function ?? access.Syntax;
            return RunsAfterRegistration(registration, at, symbol, cancellationToken) ? ConflictKind.AfterRegistration : null;
        }

        if (access.InConstruction || access.Member is MethodDeclarationSyntax method && IsOnlyCalledFromConstructors(method, cancellationToken))
        {
            return null;
        }

        if (access.Function is null && access.Member is not null && RunsBeforeEveryRegistration(access.Syntax, access.Member, registration, symbol, cancellationToken))
        {
            return null;
        }

        return ConflictKind.Member;
    }

    /// <summary>A lambda that runs at any time after it is handed over: a callback, or work started on another thread that no call waits for.</summary>
    private bool IsCallback(AnonymousFunctionExpressionSyntax lambda, CancellationToken cancellationToken)
        => Facts.ModelFor(lambda.SyntaxTree).GetOperation(lambda, cancellationToken) is { } operation
            && (_analysis.IsCallbackRegistrationArgument(operation) || _analysis.WorkSourceOfArgument(operation) is { JoinsOnReturn: false });

    /// <summary>Another work delegate handed to the same parallel call (<c>Parallel.Invoke(a, b)</c>, a loop's <c>localInit</c>/<c>localFinally</c>).</summary>
    private bool IsSiblingWork(AnonymousFunctionExpressionSyntax lambda, Registration registration, CancellationToken cancellationToken)
        => registration.Work is not null
            && registration.Operation.Syntax.SyntaxTree == lambda.SyntaxTree
            && registration.Operation.Syntax.Span.Contains(lambda.Span)
            && Facts.ModelFor(lambda.SyntaxTree).GetOperation(lambda, cancellationToken) is { } operation
            && _analysis.WorkSourceOfArgument(operation) is not null;

    private bool RunsAfterRegistration(Registration registration, SyntaxNode access, ISymbol symbol, CancellationToken cancellationToken)
    {
        var member = registration.Member!;
        var graph = _graphs.GetOrAdd(member, m => CreateGraph(m, cancellationToken));
        if (graph is not null
            && !SharedStateFacts.IsInsideFunction(registration.Operation.Syntax, member)
            && _reach.GetOrAdd((registration.Operation.Syntax, symbol as ILocalSymbol), key => ExecutionOrder.Prepare(graph, _joinCuts.GetOrAdd((graph, registration.Work is not null), g => ExecutionOrder.JoinCuts(g.Graph, op => IsJoin(op, registration))), key.Registration, key.Variable, cancellationToken)) is { } reach
            && reach.RunsAfter(access) is { } after)
        {
            return after;
        }

        // No graph (or the registration is inside a lambda): text order, or anywhere in a loop around the registration.
        return access.SpanStart > registration.Operation.Syntax.Span.End || registration.IsRepeatedWithin(member) && !SharedStateFacts.IsInsideFunction(access, member);
    }

    /// <summary>Whether every path from the start of the work to the next start, and to the member's return, passes a join.</summary>
    private bool JoinedBeforeItRunsAgain(Registration registration, CancellationToken cancellationToken)
    {
        if (registration.Member is not { } member || SharedStateFacts.IsInsideFunction(registration.Operation.Syntax, member))
        {
            return false;
        }

        var graph = _graphs.GetOrAdd(member, m => CreateGraph(m, cancellationToken));
        if (graph is null
            || _reach.GetOrAdd((registration.Operation.Syntax, null), key => ExecutionOrder.Prepare(graph, _joinCuts.GetOrAdd((graph, true), g => ExecutionOrder.JoinCuts(g.Graph, op => IsJoin(op, registration))), key.Registration, key.Variable, cancellationToken)) is not { } reach)
        {
            return false;
        }

        return !reach.ReachesExit && reach.RunsAfter(registration.Operation.Syntax) == false;
    }

    private ControlFlowGraph? CreateGraph(SyntaxNode member, CancellationToken cancellationToken)
    {
        var operation = Facts.ModelFor(member.SyntaxTree).GetOperation(member, cancellationToken);
        try
        {
            return operation switch
            {
                IMethodBodyOperation body => ControlFlowGraph.Create(body, cancellationToken),
                IConstructorBodyOperation body => ControlFlowGraph.Create(body, cancellationToken),
                _ => null,
            };
        }
        catch (System.ArgumentException)
        {
            // Code with errors the graph builder rejects: fall back to text order.
            return null;
        }
    }

    /// <summary>
    /// Whether an operation waits for the callbacks to finish: the executor's <c>Shutdown(wait: true)</c> or
    /// <c>Dispose</c> (also at the end of a <c>using</c>), waiting on an event, countdown, barrier or thread, or
    /// waiting for or awaiting a task. <c>Future.Result()</c> and <c>Futures.Wait</c> are not joins: they return
    /// before the done callbacks run.
    /// </summary>
    private bool IsJoin(IOperation operation, Registration registration)
    {
        foreach (var descendant in operation.DescendantsAndSelf())
        {
            switch (descendant)
            {
                case IAwaitOperation awaitOperation when IsTaskLike(awaitOperation.Operation.Type) || registration.Work is not null && DerivesFrom(awaitOperation.Operation.Type, Types.Future):
                    return true;
                case IPropertyReferenceOperation { Property.Name: "Result" } result when Types.TaskOfT.Matches(result.Property.ContainingType):
                    return true;
                case IInvocationOperation invocation when IsJoinCall(invocation) || registration.Work is not null && WaitsForWork(invocation):
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Calls that wait for submitted work, though not for done callbacks: a future's <c>Result()</c>,
    /// <c>Exception()</c>, <c>Wait</c>, and <c>Futures.Wait</c> (they return once the work ends, before callbacks run).
    /// </summary>
    private bool WaitsForWork(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (Types.Futures.Matches(method.ContainingType))
        {
            return method.Name is "Wait";
        }

        return method.Name is "Result" or "Exception" or "Wait" && DerivesFrom(method.ContainingType, Types.Future);
    }

    private bool IsTaskLike(ITypeSymbol? type)
        => Types.Task.Matches(type) || Types.TaskOfT.Matches(type) || Types.ValueTask.Matches(type) || Types.ValueTaskOfT.Matches(type)
            || type?.BaseType is { } baseType && Types.Task.Matches(baseType);

    private bool IsJoinCall(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        string name = method.Name;
        var receiverType = invocation.Instance is IConversionOperation { Operand: var operand } ? operand.Type : invocation.Instance?.Type;
        if (name is "Dispose" or "DisposeAsync" && Types.ThreadPoolExecutor.Matches(receiverType))
        {
            // Also the end of a 'using': the lowered call goes through IDisposable.
            return true;
        }

        if (Types.ThreadPoolExecutor.Matches(type))
        {
            if (name is "Dispose" or "DisposeAsync")
            {
                return true;
            }

            if (name == "Shutdown")
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter?.Name == "wait" && argument.Value.ConstantValue is { HasValue: true, Value: false })
                    {
                        return false;
                    }
                }

                return true;
            }

            return false;
        }

        if (Types.Task.Matches(type) || Types.TaskOfT.Matches(type))
        {
            return name is "Wait" or "WaitAll";
        }

        if (Types.TaskAwaiter.Matches(type) || Types.TaskAwaiterOfT.Matches(type))
        {
            return name == "GetResult";
        }

        if (Types.ManualResetEventSlim.Matches(type) || Types.CountdownEvent.Matches(type))
        {
            return name == "Wait";
        }

        if (Types.Barrier.Matches(type))
        {
            return name == "SignalAndWait";
        }

        if (Types.Thread.Matches(type))
        {
            return name == "Join";
        }

        return name is "WaitOne" or "WaitAll" && DerivesFrom(type, Types.WaitHandle);
    }

    private static bool DerivesFrom(ITypeSymbol? type, KnownType known)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (known.Matches(type))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Continuations on a scheduler that runs one task at a time (<c>ExclusiveScheduler</c>,
    /// <c>FromCurrentSynchronizationContext()</c>, a type listed in <c>serial_types</c>), and
    /// <c>Register(…, useSynchronizationContext: true)</c>: their callbacks do not overlap each other, and the code
    /// they race with is presumed to run on the same context.
    /// </summary>
    private bool IsSerial(Registration registration)
    {
        var options = _analysis.Options.For(registration.Operation.Syntax.SyntaxTree);
        var arguments = registration.Operation switch
        {
            IInvocationOperation invocation => invocation.Arguments,
            IObjectCreationOperation creation => creation.Arguments,
            _ => default,
        };

        if (registration.Operation is IInvocationOperation { Instance: { } receiver } && _analysis.IsSerialType(receiver.Type, options))
        {
            return true;
        }

        if (arguments.IsDefault)
        {
            return false;
        }

        foreach (var argument in arguments)
        {
            var value = argument.Value;
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            if (argument.Parameter?.Name == "useSynchronizationContext" && value.ConstantValue is { HasValue: true, Value: true })
            {
                return true;
            }

            if (value is IInvocationOperation { TargetMethod.Name: "FromCurrentSynchronizationContext" } fromContext && Types.TaskScheduler.Matches(fromContext.TargetMethod.ContainingType)
                || value is IPropertyReferenceOperation { Property.Name: "ExclusiveScheduler" } exclusive && Types.ConcurrentExclusiveSchedulerPair.Matches(exclusive.Property.ContainingType)
                || _analysis.IsSerialType(value.Type, options))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the callback is dispatched to an executor created with one worker (<c>AddDoneCallback(cb, serial)</c> where
    /// <c>serial</c> is <c>new ThreadPoolExecutor(maxWorkers: 1)</c>, in a readonly field, a local or inline): such callbacks
    /// run one at a time, so they do not overlap themselves or each other. Other code still races with them.
    /// </summary>
    private bool DispatchesToOneWorker(Registration registration, CancellationToken cancellationToken)
    {
        if (registration.Work is not null)
        {
            // Work submitted to a one-worker executor runs one item at a time.
            return registration.Operation is IInvocationOperation { TargetMethod.Name: "Submit", Instance: { } executor } && IsOneWorkerExecutor(executor, cancellationToken);
        }

        if (registration.Operation is not IInvocationOperation invocation || !Types.Future.Matches(invocation.TargetMethod.ContainingType?.OriginalDefinition) && !DerivesFrom(invocation.TargetMethod.ContainingType, Types.Future))
        {
            return false;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name != "executor" || !Types.ThreadPoolExecutor.Matches(argument.Parameter.Type))
            {
                continue;
            }

            if (IsOneWorkerExecutor(argument.Value, cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An executor created with <c>maxWorkers: 1</c>: inline, in a readonly field or in a local.</summary>
    private bool IsOneWorkerExecutor(IOperation operation, CancellationToken cancellationToken)
    {
        IOperation? value = operation;
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        value = value switch
        {
            IFieldReferenceOperation { Field.IsReadOnly: true } field => _analysis.FieldInitializerOf(field.Field, cancellationToken),
            ILocalReferenceOperation local => _analysis.InitializerOf(local.Local, cancellationToken),
            _ => value,
        };

        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value is IObjectCreationOperation creation && Types.ThreadPoolExecutor.Matches(creation.Type))
        {
            foreach (var parameterArgument in creation.Arguments)
            {
                var workers = parameterArgument.Value;
                while (workers is IConversionOperation conversion)
                {
                    workers = conversion.Operand;
                }

                if (parameterArgument.Parameter?.Name == "maxWorkers" && workers.ConstantValue is { HasValue: true, Value: 1 })
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// A <c>Future</c> created here, completed here (<c>SetResult</c>, <c>SetException</c>, <c>Cancel</c>) and not
    /// handed to anyone else runs its callbacks on this thread, one after another; likewise the token of a local
    /// <c>CancellationTokenSource</c> that only this method cancels.
    /// </summary>
    private bool CompletesOnThisThread(Registration registration, CancellationToken cancellationToken)
    {
        if (registration.Operation is not IInvocationOperation { Instance: { } instance })
        {
            return false;
        }

        ILocalSymbol? local = instance switch
        {
            ILocalReferenceOperation reference when DerivesFrom(reference.Local.Type, Types.Future) => reference.Local,
            IPropertyReferenceOperation { Property.Name: "Token", Instance: ILocalReferenceOperation source } when Types.CancellationTokenSource.Matches(source.Local.Type) => source.Local,
            _ => null,
        };

        if (local is null || local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: BaseObjectCreationExpressionSyntax creation } declarator
            || creation.ArgumentList is { Arguments.Count: > 0 } && !DerivesFrom(local.Type, Types.Future))
        {
            return false;
        }

        var member = SharedStateFacts.EnclosingMember(declarator);
        if (member is null)
        {
            return false;
        }

        bool completed = false;
        string text = member.SyntaxTree.GetText(cancellationToken).ToString(member.Span);
        foreach (var token in TextSearch.TokensNamed(member, text, local.Name))
        {
            if (token.Parent is not IdentifierNameSyntax name || name.Parent == declarator)
            {
                continue;
            }

            // Only 'local.Member' uses, outside lambdas: anything else may hand the future or source to another thread.
            if (name.Parent is not MemberAccessExpressionSyntax access || access.Expression != name || SharedStateFacts.IsInsideFunction(name, member))
            {
                return false;
            }

            switch (access.Name.Identifier.ValueText)
            {
                case "SetResult" or "SetException" or "TrySetResult" or "TrySetException" or "Cancel":
                    completed = true;
                    break;
                case "CancelAfter" or "CancelAsync":
                    return false;
                case "Token" when access.Parent is not MemberAccessExpressionSyntax:
                    // The token itself handed to other code cannot cancel; registering on it is fine.
                    break;
            }
        }

        return completed;
    }

    /// <summary>
    /// A write of the same constant at every write site (an idempotent flag such as <c>s_failed = true</c>), and
    /// reads of such a flag: every interleaving leaves the same value.
    /// </summary>
    private static bool IsIdempotentFlag(CallbackFinding finding, List<StateAccess> accesses)
    {
        if (finding.Symbol is not IFieldSymbol and not IPropertySymbol and not ILocalSymbol)
        {
            return false;
        }

        if (!finding.Writes || !finding.HasConstant)
        {
            return false;
        }

        object? constant = finding.Constant;
        bool seen = true;
        foreach (var access in accesses)
        {
            if (!access.Writes || access.InConstruction)
            {
                continue;
            }

            if (access.Mode != AccessMode.Write || !access.HasConstant)
            {
                return false;
            }

            if (!seen)
            {
                constant = access.WrittenConstant;
                seen = true;
            }
            else if (!Equals(constant, access.WrittenConstant))
            {
                return false;
            }
        }

        return seen;
    }

    /// <summary>
    /// Why the callback can overlap itself, or null: registered in a loop, by a member that can run more than once
    /// (anything but one-time code), in several places, or as a periodic timer.
    /// </summary>
    private string? CanOverlapItself(CallbackFinding finding, Registration registration, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        if (registration.Work is { AlwaysSelfConcurrent: true } work)
        {
            // A parallel loop's runs overlap whatever the starting code does; a lock declared outside the delegate is
            // the same lock in every run, and each run that stores to the slot of its own index owns that slot.
            return HoldsLockOutside(finding, callbackRoot) || StoresToOwnSlot(finding, callbackRoot, cancellationToken)
                ? null
                : "'" + _analysis.ApiName(registration.Api) + "' " + work.How;
        }

        if (registration.Work is { JoinsOnReturn: true })
        {
            // Parallel.Invoke: each action runs once per call, and the call returns after it.
            return null;
        }

        if (registration.Work is not null && registration.Next is null && JoinedBeforeItRunsAgain(registration, cancellationToken))
        {
            // 'var f = pool.Submit(work); … f.Result();' on every path: the next start (next iteration, next call of
            // the member) comes after this run has ended.
            return null;
        }

        bool periodic = IsPeriodicTimer(registration, cancellationToken, out bool isTimer);
        if (periodic && !HoldsStableLock(finding, registration, loop: false))
        {
            return "the timer is periodic";
        }

        // A captured variable, or an object reached through one, is shared only by the registrations in its scope.
        if (finding.Symbol is ILocalSymbol or IParameterSymbol || finding.ReceiverRoot is ILocalSymbol)
        {
            var variable = finding.Symbol is ILocalSymbol or IParameterSymbol ? finding.Symbol : finding.ReceiverRoot!;
            var scope = DeclarationScope(variable, cancellationToken);
            return scope is not null && registration.RepeatReason(scope) is { } repeat && !HoldsStableLock(finding, registration, loop: true)
                ? repeat
                : null;
        }

        if (registration.RepeatReason(null) is { } repeated)
        {
            return HoldsStableLock(finding, registration, loop: true) ? null : repeated;
        }

        if (HoldsStableLock(finding, registration, loop: false))
        {
            return null;
        }

        if (registration.Next is not null)
        {
            return "it is registered in more than one place";
        }

        if (isTimer || registration.IsInOneTimeCode()
            || registration.Member is MethodDeclarationSyntax method && IsOnlyCalledFromConstructors(method, cancellationToken))
        {
            return null;
        }

        return "'" + registration.MemberName + "' registers it each time it runs";
    }

    private static bool HoldsLockOutside(CallbackFinding finding, SyntaxNode callbackRoot)
    {
        foreach (var held in finding.Locks)
        {
            if (held.Kind != LockKind.Variable || held.Symbol is not ILocalSymbol local)
            {
                return true;
            }

            foreach (var reference in local.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree != callbackRoot.SyntaxTree || !callbackRoot.Span.Contains(reference.Span))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// An element update (<c>counts[i]++</c>) whose index is the delegate's own index parameter
    /// (<c>Parallel.For(0, n, i => …)</c>): every run has its own index, so its own slot.
    /// </summary>
    private bool StoresToOwnSlot(CallbackFinding finding, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        var access = finding.Access;
        while (access is not null and not IArrayElementReferenceOperation)
        {
            access = access switch
            {
                IIncrementOrDecrementOperation increment => increment.Target,
                ICompoundAssignmentOperation compound => compound.Target,
                ISimpleAssignmentOperation simple => simple.Target,
                _ => null,
            };
        }

        if (access is not IArrayElementReferenceOperation { Indices.Length: 1 } element
            || element.Indices[0] is not IParameterReferenceOperation { Parameter: var parameter }
            || Facts.ModelFor(callbackRoot.SyntaxTree).GetOperation(callbackRoot, cancellationToken) is not IAnonymousFunctionOperation function
            || parameter.Ordinal != 0
            || !SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, function.Symbol))
        {
            return false;
        }

        // Parallel.For's first parameter is the index; ForEach's first parameter is an item, which may repeat.
        return parameter.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 && IsParallelForIndex(function);
    }

    private bool IsParallelForIndex(IAnonymousFunctionOperation function)
    {
        var current = function.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        return current is IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "For" or "ForAsync" } method } }
            && Types.Parallel.Matches(method.ContainingType);
    }

    /// <summary>
    /// Whether the callback's access holds a lock that every overlapping run also takes: a field, a static, <c>this</c>,
    /// a type; a local only when the runs come from one loop inside the local's scope (a lock created per call or per
    /// iteration is a different lock in each run).
    /// </summary>
    private static bool HoldsStableLock(CallbackFinding finding, Registration registration, bool loop)
    {
        foreach (var held in finding.Locks)
        {
            switch (held.Kind)
            {
                case LockKind.Variable when held.Symbol is ILocalSymbol local:
                    if (loop && local.DeclaringSyntaxReferences.Length == 1
                        && DeclarationScopeOf(local.DeclaringSyntaxReferences[0].GetSyntax()) is { } scope
                        && registration.IsRepeatedWithin(scope))
                    {
                        return true;
                    }

                    break;
                default:
                    return true;
            }
        }

        return false;
    }

    private static SyntaxNode? DeclarationScope(ISymbol variable, CancellationToken cancellationToken)
    {
        if (variable.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var declaration = variable.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        return variable is IParameterSymbol ? declaration.Parent?.Parent : DeclarationScopeOf(declaration);
    }

    /// <summary>The block (or loop, or member) whose every run declares the variable anew.</summary>
    private static SyntaxNode? DeclarationScopeOf(SyntaxNode declaration)
    {
        for (var node = declaration.Parent; node is not null; node = node.Parent)
        {
            if (node is BlockSyntax or ForStatementSyntax or CommonForEachStatementSyntax or UsingStatementSyntax or SwitchSectionSyntax
                or MemberDeclarationSyntax or CompilationUnitSyntax or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>
    /// A <c>System.Threading.Timer</c> created with a period, or a <c>System.Timers.Timer</c> whose
    /// <c>AutoReset</c> is never set to <c>false</c> in the type.
    /// </summary>
    private bool IsPeriodicTimer(Registration registration, CancellationToken cancellationToken, out bool isTimer)
    {
        isTimer = false;
        if (registration.Operation is IObjectCreationOperation creation && Types.ThreadingTimer.Matches(creation.Type))
        {
            isTimer = true;
            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter?.Name == "period")
                {
                    return !IsInfinite(argument.Value);
                }
            }

            return false;
        }

        if (registration.Operation is IEventAssignmentOperation assignment && Types.TimersTimer.Matches(assignment.EventReference is IEventReferenceOperation e ? e.Event.ContainingType : null))
        {
            isTimer = true;
            var type = assignment.Syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (type is null)
            {
                return true;
            }

            string text = type.SyntaxTree.GetText(cancellationToken).ToString(type.Span);
            foreach (var token in TextSearch.TokensNamed(type, text, "AutoReset"))
            {
                if (token.Parent?.Parent is AssignmentExpressionSyntax { Right: LiteralExpressionSyntax literal } && literal.IsKind(SyntaxKind.FalseLiteralExpression)
                    || token.Parent?.Parent?.Parent is AssignmentExpressionSyntax { Right: LiteralExpressionSyntax literal2 } && literal2.IsKind(SyntaxKind.FalseLiteralExpression))
                {
                    return false;
                }
            }

            return true;
        }

        return false;
    }

    private static bool IsInfinite(IOperation value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value.ConstantValue is { HasValue: true, Value: var constant })
        {
            return constant is int i && i <= 0 || constant is long l && l <= 0 || constant is uint u && u == uint.MaxValue;
        }

        return value is IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" or "Zero" } || value is IPropertyReferenceOperation { Property.Name: "Zero" };
    }

    private const int MaxCallerDepth = 2;

    /// <summary>
    /// The locks every caller holds around the call of the method that contains <paramref name="node"/> ("the caller
    /// must hold the lock" helpers), up to two calls up. Constructors do not count as callers (they run before the
    /// object is shared); a call inside a lambda, or a caller that is not visible, makes the set empty. An instance
    /// lock counts only when the call is on the caller's own object.
    /// </summary>
    private List<HeldLock> CallerLocks(SyntaxNode node, SyntaxNode member, int depth, CancellationToken cancellationToken)
    {
        var empty = new List<HeldLock>();
        if (depth > MaxCallerDepth || _callSites.MethodAt(node, member, cancellationToken) is not { } method)
        {
            return empty;
        }

        if (_callerLocks.TryGetValue(method, out var cached))
        {
            return cached;
        }

        // Seed the cache: a recursive call finds no lock rather than recursing forever.
        _callerLocks.TryAdd(method, empty);
        List<HeldLock>? common = null;
        var sites = _callSites.Of(method, cancellationToken);
        if (sites is not null)
        {
            foreach (var site in sites)
            {
                if (site.Member is ConstructorDeclarationSyntax && !method.IsStatic)
                {
                    continue;
                }

                if (site.InFunction)
                {
                    common = null;
                    break;
                }

                var held = LockRegions.GetHeldLocks(site.Operation, null, Types, _analysis.LockHelpers);
                foreach (var outer in CallerLocks(site.Operation.Syntax, site.Member, depth + 1, cancellationToken))
                {
                    held.Add(outer);
                }

                if (!site.ThroughThis)
                {
                    held.RemoveAll(l => !IsStaticLock(l));
                }

                if (common is null)
                {
                    common = held;
                }
                else
                {
                    common.RemoveAll(l => !held.Exists(h => h.SameAs(l) && h.Kind != LockKind.Unknown));
                }

                if (common.Count == 0)
                {
                    break;
                }
            }
        }

        var result = common ?? empty;
        result.RemoveAll(l => l.Kind == LockKind.Unknown || l.Kind == LockKind.Variable);
        _callerLocks[method] = result;
        return result;
    }

    private static bool IsStaticLock(HeldLock held)
        => held.Kind == LockKind.TypeOf || held.Kind == LockKind.Member && held.Symbol is { IsStatic: true };

    /// <summary>
    /// Whether an access in a private member runs, in every caller, before the callback is registered: each call of
    /// that member comes before (never after) the registration in its caller, either the registering member itself
    /// or a member that then calls the (private) registering member; and the registering member has no other caller.
    /// The registration publishes what was written before it ("Open sets the heartbeat, then starts the timers").
    /// </summary>
    private bool RunsBeforeEveryRegistration(SyntaxNode node, SyntaxNode member, Registration registration, ISymbol symbol, CancellationToken cancellationToken)
    {
        if (registration.Member is not { } registering || SharedStateFacts.IsInsideFunction(registration.Operation.Syntax, registering))
        {
            return false;
        }

        // Made directly in a member that then calls the (private) registering member, its only caller:
        // "Tune(h) { _heartbeat = h; StartTimers(); }".
        if (PrecedesEveryCallOfRegisteringMember(node, member, registration, cancellationToken))
        {
            return true;
        }

        if (_callSites.MethodAt(node, member, cancellationToken) is not { } method
            || _callSites.Of(method, cancellationToken) is not { } sites)
        {
            return false;
        }

        // Where the registration happens, seen from a caller: the registration itself in the registering member, or
        // the calls of the registering member.
        List<CallSite>? registeringCalls = null;
        foreach (var site in sites)
        {
            if (site.InFunction || !site.ThroughThis && !method.IsStatic)
            {
                return false;
            }

            if (site.Member == registering)
            {
                if (RunsAfterRegistration(registration, site.Operation.Syntax, symbol, cancellationToken))
                {
                    return false;
                }

                continue;
            }

            if (registeringCalls is null)
            {
                if (_callSites.MethodAt(registration.Operation.Syntax, registering, cancellationToken) is not { } registeringMethod
                    || _callSites.Of(registeringMethod, cancellationToken) is not { } calls)
                {
                    return false;
                }

                registeringCalls = calls;
            }

            bool any = false;
            foreach (var call in registeringCalls)
            {
                if (call.Member != site.Member)
                {
                    continue;
                }

                any = true;
                var graph = _graphs.GetOrAdd(site.Member, m => CreateGraph(m, cancellationToken));
                if (graph is null
                    || call.InFunction
                    || ExecutionOrder.RunsAfter(graph, call.Operation.Syntax, site.Operation.Syntax, null, _ => false, cancellationToken) is not false)
                {
                    return false;
                }
            }

            if (!any)
            {
                return false;
            }
        }

        // No other path registers: every call of the registering member is in a member that made the access first.
        if (registeringCalls is not null)
        {
            foreach (var call in registeringCalls)
            {
                if (!sites.Exists(s => s.Member == call.Member))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private bool PrecedesEveryCallOfRegisteringMember(SyntaxNode node, SyntaxNode member, Registration registration, CancellationToken cancellationToken)
    {
        var registering = registration.Member!;
        if (member == registering
            || _callSites.MethodAt(registration.Operation.Syntax, registering, cancellationToken) is not { } registeringMethod
            || _callSites.Of(registeringMethod, cancellationToken) is not { } calls)
        {
            return false;
        }

        var graph = _graphs.GetOrAdd(member, m => CreateGraph(m, cancellationToken));
        foreach (var call in calls)
        {
            if (call.Member != member || call.InFunction || graph is null
                || ExecutionOrder.RunsAfter(graph, call.Operation.Syntax, node, null, _ => false, cancellationToken) is not false)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a private method is called only from constructors of its type (so it runs before the object is shared).</summary>
    private bool IsOnlyCalledFromConstructors(MethodDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        if (!declaration.Modifiers.Any(SyntaxKind.PrivateKeyword) && declaration.Modifiers.Count > 0
            || declaration.Modifiers.Any(SyntaxKind.PublicKeyword) || declaration.Modifiers.Any(SyntaxKind.InternalKeyword) || declaration.Modifiers.Any(SyntaxKind.ProtectedKeyword)
            || declaration.Modifiers.Any(SyntaxKind.OverrideKeyword) || declaration.ExplicitInterfaceSpecifier is not null)
        {
            return false;
        }

        if (Facts.ModelFor(declaration.SyntaxTree).GetDeclaredSymbol(declaration, cancellationToken) is not { } method)
        {
            return false;
        }

        return _constructorOnly.GetOrAdd(method, m =>
        {
            bool any = false;
            foreach (var reference in m.ContainingType.DeclaringSyntaxReferences)
            {
                var type = reference.GetSyntax(cancellationToken);
                string text = type.SyntaxTree.GetText(cancellationToken).ToString(type.Span);
                foreach (var token in TextSearch.TokensNamed(type, text, m.Name))
                {
                    if (token.Parent == declaration)
                    {
                        continue;
                    }

                    if (token.Parent is not IdentifierNameSyntax name
                        || name.Parent is not InvocationExpressionSyntax && !(name.Parent is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Parent: InvocationExpressionSyntax })
                        || SharedStateFacts.EnclosingMember(name) is not ConstructorDeclarationSyntax
                        || SharedStateFacts.IsInsideFunction(name, SharedStateFacts.EnclosingMember(name)!))
                    {
                        return false;
                    }

                    any = true;
                }
            }

            return any;
        });
    }

    /// <summary>
    /// The accesses to the finding's storage outside the callback: for a field or property, in the declarations of
    /// its type and of the callback's type; for a captured variable (or an object reached through one), in its member.
    /// </summary>
    private List<StateAccess> AccessesOf(CallbackFinding finding, Registration registration, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        var symbol = finding.Symbol;
        var result = new List<StateAccess>();
        if (symbol is ILocalSymbol or IParameterSymbol)
        {
            if (symbol.DeclaringSyntaxReferences.Length == 1 && SharedStateFacts.EnclosingMember(symbol.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken)) is { } member)
            {
                result.AddRange(_accesses.GetOrAdd((symbol, member), key => Collect(key.Symbol, key.Scope, null, cancellationToken)));
            }

            return result;
        }

        if (finding.ReceiverRoot is ILocalSymbol root)
        {
            // An object held in a local: only code that reaches it through the same local can touch the same object.
            if (root.DeclaringSyntaxReferences.Length == 1 && SharedStateFacts.EnclosingMember(root.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken)) is { } member)
            {
                result.AddRange(_accessesThroughLocal.GetOrAdd((symbol, member, root), key => Collect(key.Symbol, key.Scope, key.Root, cancellationToken)));
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
            result.AddRange(_accesses.GetOrAdd((symbol.OriginalDefinition, scope), key => Collect(key.Symbol, key.Scope, null, cancellationToken)));
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

    private List<StateAccess> Collect(ISymbol symbol, SyntaxNode scope, ILocalSymbol? throughLocal, CancellationToken cancellationToken)
    {
        var result = new List<StateAccess>();
        string text = scope.SyntaxTree.GetText(cancellationToken).ToString(scope.Span);
        SemanticModel? model = null;
        foreach (var token in TextSearch.TokensNamed(scope, text, symbol.Name))
        {
            if (token.Parent is not IdentifierNameSyntax name)
            {
                continue;
            }

            SyntaxNode node = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access
                : name.Parent is MemberBindingExpressionSyntax binding ? binding
                : name;
            model ??= Facts.ModelFor(scope.SyntaxTree);
            var operation = model.GetOperation(node, cancellationToken);
            if (operation is null || !SymbolEqualityComparer.Default.Equals(ReferencedSymbol(operation)?.OriginalDefinition, symbol.OriginalDefinition))
            {
                continue;
            }

            if (throughLocal is not null && !SymbolEqualityComparer.Default.Equals(CallbackWalker.RootVariable(InstanceOf(operation)), throughLocal))
            {
                continue;
            }

            result.Add(Describe(operation, node, scope, symbol, cancellationToken));
        }

        return result;
    }

    private static ISymbol? ReferencedSymbol(IOperation operation) => operation switch
    {
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        _ => null,
    };

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
        return new StateAccess(node, at.Syntax.GetLocation(), mode, locks, member, function, construction, constant, hasConstant, verb);
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
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument:
                return _analysis.IsAtomicRefArgument(argument, cancellationToken)
                    ? (AccessMode.Atomic, argument.Parent!, "updates (with Interlocked)", null, false)
                    : (AccessMode.Write, argument, "passes by reference", null, false);
            case IInvocationOperation invocation when invocation.Instance == reference:
                return Types.IsNonThreadSafeCollection(invocation.TargetMethod.ContainingType?.OriginalDefinition) && CallbackWalker.IsMutatingName(invocation.TargetMethod.Name)
                    ? (AccessMode.Write, invocation, "calls '" + invocation.TargetMethod.Name + "' on", null, false)
                    : (AccessMode.Read, invocation, "reads", null, false);
            case IPropertyReferenceOperation property when property.Instance == reference:
                return property.Parent is ISimpleAssignmentOperation propertyAssignment && propertyAssignment.Target == property
                    && Types.IsNonThreadSafeCollection(property.Property.ContainingType?.OriginalDefinition)
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
}
