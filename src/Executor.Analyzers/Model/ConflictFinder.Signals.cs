using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// Which waits are joins for one access of a callback or work: a wait on an event, countdown, barrier, semaphore or
/// completion source orders the access only when the callback signals that same object (a captured local, a parameter
/// or a field of <c>this</c>) after it; waiting for the task <c>ContinueWith</c> returned joins its continuation,
/// waiting for the antecedent does not; <c>Task.Delay</c> joins nothing. A wait the analyzer cannot tie to the
/// callback either way (a task some method returned, an event reached through another object) stays a join.
/// </summary>
internal sealed partial class ConflictFinder
{
    private static readonly KnownType s_taskCompletionSource = new("System.Threading.Tasks.TaskCompletionSource");
    private static readonly KnownType s_taskCompletionSourceOfT = new("System.Threading.Tasks.TaskCompletionSource`1");

    private readonly ConcurrentDictionary<ControlFlowGraph, List<IOperation>> _waits = new();
    private readonly ConcurrentDictionary<(SyntaxNode Root, ISymbol Symbol), List<SyntaxNode>> _signals = new();
    private readonly ConcurrentDictionary<SyntaxNode, System.Lazy<ControlFlowGraph?>> _functionGraphs = new();
    private readonly ConcurrentDictionary<(ControlFlowGraph Graph, SyntaxNode Registration, bool Work, SyntaxNode Root, SyntaxNode? Access), string> _joinKeys = new();
    private readonly ConcurrentDictionary<ILocalSymbol, IOperation?> _taskLocals = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// Whether one operation (not its descendants) joins the registration's callback or work: true for a join, false
    /// for a wait that does not join it, null for an operation that waits for nothing.
    /// </summary>
    private bool? JoinVerdict(IOperation operation, Registration registration)
    {
        switch (operation)
        {
            case IAwaitOperation awaitOperation:
                var awaited = Awaited(awaitOperation.Operation);
                if (IsTaskLike(awaited.Type))
                {
                    return TaskJoins(awaited, registration, depth: 0);
                }

                return registration.Work is not null && DerivesFrom(awaited.Type, Types.Future) ? true : null;
            case IPropertyReferenceOperation { Property.Name: "Result" } result when Types.TaskOfT.Matches(result.Property.ContainingType):
                return result.Instance is null || TaskJoins(result.Instance, registration, depth: 0);
            case IInvocationOperation invocation:
                return registration.Work is not null && WaitsForWork(invocation) ? true : InvocationJoins(invocation, registration);
            default:
                return null;
        }
    }

    private bool? InvocationJoins(IInvocationOperation invocation, Registration registration)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        if (!IsJoinCall(invocation))
        {
            // SemaphoreSlim: a lock when the waiting code releases it (LockRegions), a join when the callback releases
            // it after its access and the waiting code does not.
            return registration.JoinRoot is not null && method.Name is "Wait" or "WaitAsync" && Types.SemaphoreSlim.Matches(type) && invocation.Instance is { } semaphore
                ? SignalJoins(semaphore, unidentified: false, registration)
                : null;
        }

        if (registration.JoinRoot is null || invocation.Instance is not { } instance)
        {
            return true;
        }

        if (Types.Task.Matches(type) || Types.TaskOfT.Matches(type))
        {
            return TaskJoins(instance, registration, depth: 0);
        }

        if (Types.TaskAwaiter.Matches(type) || Types.TaskAwaiterOfT.Matches(type))
        {
            return instance is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Instance: { } task } ? TaskJoins(task, registration, depth: 0) : true;
        }

        if (Types.ManualResetEventSlim.Matches(type) || Types.CountdownEvent.Matches(type) || Types.Barrier.Matches(type)
            || method.Name == "WaitOne" && DerivesFrom(type, Types.WaitHandle))
        {
            return SignalJoins(instance, unidentified: true, registration);
        }

        return true;
    }

    /// <summary>Whether waiting for a task joins the registration's callback or work.</summary>
    private bool TaskJoins(IOperation task, Registration registration, int depth)
    {
        if (registration.JoinRoot is null)
        {
            return true;
        }

        task = Awaited(task);
        if (task.Syntax == registration.Operation.Syntax)
        {
            // 'await work.ContinueWith(…)', 'Task.Run(…).Wait()': the registration's own task.
            return true;
        }

        switch (task)
        {
            case IInvocationOperation { TargetMethod: { IsStatic: true, Name: "Delay" or "FromResult" or "FromException" or "FromCanceled" } method } when Types.Task.Matches(method.ContainingType):
            case IPropertyReferenceOperation { Property: { IsStatic: true, Name: "CompletedTask" } property } when Types.Task.Matches(property.ContainingType):
                // A timer or a finished task: it waits for nothing the callback does.
                return false;
            case IPropertyReferenceOperation { Property.Name: "Task", Instance: { } source } completion
                when s_taskCompletionSource.Matches(completion.Property.ContainingType) || s_taskCompletionSourceOfT.Matches(completion.Property.ContainingType):
                return SignalJoins(source, unidentified: true, registration);
            case IInvocationOperation { TargetMethod.Name: "WaitAsync", Instance: { } semaphore } wait when Types.SemaphoreSlim.Matches(wait.TargetMethod.ContainingType):
                return SignalJoins(semaphore, unidentified: true, registration);
        }

        if (Identify(task) is not { } symbol)
        {
            return true;
        }

        if (AntecedentOf(registration) is { } antecedent && SymbolEqualityComparer.Default.Equals(symbol, antecedent))
        {
            // 'work.ContinueWith(…); await work;': the antecedent completes before its continuation runs.
            return false;
        }

        if (depth < 2 && symbol is ILocalSymbol local && InitializerOfUnchanged(local) is { } initializer)
        {
            // 'var next = work.ContinueWith(…); … await next;', 'var t = tcs.Task; t.Wait();'.
            return TaskJoins(initializer, registration, depth + 1);
        }

        // A task the analyzer cannot tie to the callback (a field, a parameter, what a method returned): it may wait
        // for it, as before.
        return true;
    }

    /// <summary>The initializer of a local never assigned again (once per local), or null.</summary>
    private IOperation? InitializerOfUnchanged(ILocalSymbol local)
        => _taskLocals.GetOrAdd(local, l =>
            l.DeclaringSyntaxReferences.Length == 1
            && l.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } value } declarator
            && !IsReassigned(l, declarator)
                ? Facts.ModelFor(value.SyntaxTree).GetOperation(value)
                : null);

    /// <summary>The task a <c>ContinueWith</c> registration continues (<c>work</c> in <c>work.ContinueWith(…)</c>), or null.</summary>
    private ISymbol? AntecedentOf(Registration registration)
        => registration.Operation is IInvocationOperation { TargetMethod.Name: "ContinueWith", Instance: { } antecedent } continuation
            && (Types.Task.Matches(continuation.TargetMethod.ContainingType) || Types.TaskOfT.Matches(continuation.TargetMethod.ContainingType))
            ? Identify(antecedent)
            : null;

    /// <summary>
    /// Whether waiting on a signal object joins the access: the callback signals the same object (by symbol) after
    /// the access, or hands it to code that may. <paramref name="unidentified"/> answers for an object the analyzer
    /// cannot name.
    /// </summary>
    private bool SignalJoins(IOperation waited, bool unidentified, Registration registration)
    {
        if (registration.JoinRoot is not { } root)
        {
            return unidentified;
        }

        if (Identify(waited) is not { } symbol)
        {
            return unidentified;
        }

        if (PassedTo(registration.Operation, symbol))
        {
            // The state argument ('QueueUserWorkItem(s => ((ManualResetEventSlim)s!).Set(), done)'): the callback
            // receives the object itself.
            return true;
        }

        var signals = _signals.GetOrAdd((root, symbol), key => SignalsIn(key.Root, key.Symbol));
        if (signals.Count == 0)
        {
            return false;
        }

        var access = registration.JoinAccess;
        if (access is null || access.SyntaxTree != root.SyntaxTree || !root.Span.Contains(access.Span))
        {
            // The access is in a callee: any signal of the callback comes after it or around it.
            return true;
        }

        var graph = FunctionGraph(root);
        foreach (var signal in signals)
        {
            bool after = graph is not null && ExecutionOrder.RunsAfter(graph, access, signal, null, _ => false, CancellationToken.None) is { } reached
                ? reached
                : signal.SpanStart >= access.Span.End;
            if (after)
            {
                return true;
            }
        }

        // Signalled only before the access: the waiter can wake up while the callback is still at it.
        return false;
    }

    /// <summary>A local, parameter, or field or property of <c>this</c> (or static) that an operation reads, or null.</summary>
    private static ISymbol? Identify(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field.OriginalDefinition,
            IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Property.IsIndexer: false } property => property.Property.OriginalDefinition,
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="symbol"/> is an argument of <paramref name="call"/>.</summary>
    private static bool PassedTo(IOperation call, ISymbol symbol)
    {
        var arguments = call switch
        {
            IInvocationOperation invocation => invocation.Arguments,
            IObjectCreationOperation creation => creation.Arguments,
            _ => default,
        };

        if (!arguments.IsDefault)
        {
            foreach (var argument in arguments)
            {
                if (Identify(argument.Value) is { } passed && SymbolEqualityComparer.Default.Equals(passed, symbol))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Where the callback at <paramref name="root"/> signals <paramref name="symbol"/>: <c>Set</c>, <c>Signal</c>,
    /// <c>Release</c> (of a semaphore the callback does not wait on itself: that is a lock), <c>SignalAndWait</c>,
    /// <c>(Try)SetResult/SetException/SetCanceled</c>; also where it passes the object to other code, or calls a
    /// method of the compilation that names it (it may signal it there).
    /// </summary>
    private List<SyntaxNode> SignalsIn(SyntaxNode root, ISymbol symbol)
    {
        var found = new List<SyntaxNode>();
        if (Facts.ModelFor(root.SyntaxTree).GetOperation(root) is not { } body)
        {
            return found;
        }

        bool waitsItself = false;
        var releases = new List<SyntaxNode>();
        var named = new Dictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
        bool Names(IMethodSymbol method)
        {
            if (!named.TryGetValue(method, out bool names))
            {
                named[method] = names = MayName(method, symbol, depth: 0, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default));
            }

            return names;
        }

        foreach (var operation in body.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IInvocationOperation invocation when ReceiverOf(invocation) is { } instance && Identify(instance) is { } receiver && SymbolEqualityComparer.Default.Equals(receiver, symbol):
                    switch (SignalKind(invocation))
                    {
                        case true:
                            found.Add(invocation.Syntax);
                            break;
                        case null when invocation.TargetMethod.Name == "Release":
                            releases.Add(invocation.Syntax);
                            break;
                        case null:
                            waitsItself |= invocation.TargetMethod.Name is "Wait" or "WaitAsync";
                            break;
                    }

                    break;
                case IArgumentOperation argument when Identify(argument.Value) is { } passed && SymbolEqualityComparer.Default.Equals(passed, symbol):
                    found.Add(argument.Parent?.Syntax ?? argument.Syntax);
                    break;
                case IInvocationOperation invocation when Names(invocation.TargetMethod):
                    found.Add(invocation.Syntax);
                    break;
            }
        }

        if (!waitsItself)
        {
            // A semaphore the callback only releases is a signal; one it waits on and releases is its lock.
            found.AddRange(releases);
        }

        return found;
    }

    /// <summary>The object a call is made on, also through <c>?.</c> (<c>_source?.TrySetResult(true)</c>).</summary>
    private static IOperation? ReceiverOf(IInvocationOperation invocation)
        => invocation.Instance is IConditionalAccessInstanceOperation conditional ? CallbackWalker.ConditionalReceiver(conditional) : invocation.Instance;

    /// <summary>true: the call signals its receiver; null: a semaphore's <c>Release</c> or another call; false: not a signal.</summary>
    private bool? SignalKind(IInvocationOperation invocation)
    {
        var type = invocation.TargetMethod.ContainingType;
        string name = invocation.TargetMethod.Name;
        if (Types.SemaphoreSlim.Matches(type))
        {
            return null;
        }

        if (s_taskCompletionSource.Matches(type) || s_taskCompletionSourceOfT.Matches(type))
        {
            return name.StartsWith("Set", System.StringComparison.Ordinal) || name.StartsWith("TrySet", System.StringComparison.Ordinal);
        }

        if (Types.ManualResetEventSlim.Matches(type))
        {
            return name == "Set";
        }

        if (Types.CountdownEvent.Matches(type))
        {
            return name == "Signal";
        }

        if (Types.Barrier.Matches(type))
        {
            return name is "SignalAndWait" or "RemoveParticipant" or "RemoveParticipants";
        }

        if (DerivesFrom(type, Types.WaitHandle))
        {
            // EventWaitHandle.Set, Semaphore.Release (a Mutex cannot be released by another thread).
            return name is "Set" or "Release";
        }

        return false;
    }

    /// <summary>
    /// Whether a method of the compilation (or one it calls, two calls deep) names the symbol: a field or property, or a
    /// local or parameter that a local function captures (<c>void Finish() => done.Set();</c>).
    /// </summary>
    private bool MayName(IMethodSymbol method, ISymbol symbol, int depth, HashSet<IMethodSymbol> visited)
    {
        if (depth > 2 || !visited.Add(method.OriginalDefinition))
        {
            return false;
        }

        foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax();
            if (Facts.ModelFor(declaration.SyntaxTree).GetOperation(declaration) is not { } body)
            {
                continue;
            }

            foreach (var operation in body.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IFieldReferenceOperation field when SymbolEqualityComparer.Default.Equals(field.Field.OriginalDefinition, symbol):
                    case IPropertyReferenceOperation property when SymbolEqualityComparer.Default.Equals(property.Property.OriginalDefinition, symbol):
                    case ILocalReferenceOperation local when SymbolEqualityComparer.Default.Equals(local.Local, symbol):
                    case IParameterReferenceOperation parameter when SymbolEqualityComparer.Default.Equals(parameter.Parameter, symbol):
                        return true;
                    case IInvocationOperation call when MayName(call.TargetMethod, symbol, depth + 1, visited):
                        return true;
                }
            }
        }

        return false;
    }

    /// <summary>The flow graph of a callback: a method's, or the nested graph of a lambda or local function.</summary>
    private ControlFlowGraph? FunctionGraph(SyntaxNode root)
        => _functionGraphs.GetOrCompute(root, r =>
        {
            if (SharedStateFacts.EnclosingMember(r) is not { } member)
            {
                return null;
            }

            var graph = _graphs.GetOrCompute(member, m => CreateGraph(m, CancellationToken.None), CancellationToken.None);
            if (r == member || graph is null || Facts.ModelFor(r.SyntaxTree).GetOperation(r) is not { } operation)
            {
                return graph;
            }

            var functions = new List<IMethodSymbol>();
            for (var current = operation; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case IAnonymousFunctionOperation anonymous:
                        functions.Add(anonymous.Symbol);
                        break;
                    case ILocalFunctionOperation local:
                        functions.Add(local.Symbol);
                        break;
                }
            }

            for (int i = functions.Count - 1; i >= 0 && graph is not null; i--)
            {
                graph = HandOffFinder.Nested(graph, functions[i], CancellationToken.None);
            }

            return graph;
        }, CancellationToken.None);

    /// <summary>
    /// Which waits of a member's graph join this registration's callback for its access, as a key: the join cuts (and
    /// what is reached past them) are the same for every registration and access with the same key. Empty when the
    /// question is not about one access (every wait then joins, as before) or the member waits on nothing.
    /// </summary>
    private string JoinKey(ControlFlowGraph graph, Registration registration)
        => registration.JoinRoot is not { } root
            ? string.Empty
            : _joinKeys.GetOrAdd((graph, registration.Operation.Syntax, registration.Work is not null, root, registration.JoinAccess), _ => ComputeJoinKey(graph, registration));

    private string ComputeJoinKey(ControlFlowGraph graph, Registration registration)
    {

        var waits = _waits.GetOrAdd(graph, g =>
        {
            var list = new List<IOperation>();
            foreach (var block in g.Blocks)
            {
                foreach (var operation in block.Operations)
                {
                    AddWaits(list, operation);
                }

                if (block.BranchValue is { } branch)
                {
                    AddWaits(list, branch);
                }
            }

            return list;
        });

        if (waits.Count == 0)
        {
            return string.Empty;
        }

        var key = new StringBuilder(waits.Count);
        foreach (var wait in waits)
        {
            key.Append(JoinVerdict(wait, registration) == true ? '1' : '0');
        }

        return key.ToString();
    }

    /// <summary>The waits whose verdict depends on the callback: awaits, task waits, and waits on signal objects.</summary>
    private void AddWaits(List<IOperation> list, IOperation root)
    {
        foreach (var operation in root.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IAwaitOperation:
                case IPropertyReferenceOperation { Property.Name: "Result" }:
                case IInvocationOperation { Instance: not null, TargetMethod.Name: "Wait" or "WaitAsync" or "WaitOne" or "SignalAndWait" or "GetResult" }:
                    list.Add(operation);
                    break;
            }
        }
    }
}
