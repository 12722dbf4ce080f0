using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>What orders an access with the callback or work: the registration (publication), joins, constructors, serial schedulers, one-worker executors, same-thread completion, writes every caller makes before registering.</summary>
internal sealed partial class ConflictFinder
{
    private bool RunsAfterRegistration(Registration registration, SyntaxNode access, ISymbol symbol, CancellationToken cancellationToken)
    {
        var member = registration.Member!;
        var graph = _graphs.GetOrCompute(member, m => CreateGraph(m, cancellationToken), cancellationToken);

        // A timer created stopped can first run at its start: writes before 'Start()' are published too.
        var point = OrderingPoint(registration, cancellationToken);
        if (graph is not null
            && !SharedStateFacts.IsInsideFunction(registration.Operation.Syntax, member)
            && JoinKey(graph, registration) is var joins
            && _reach.GetOrCompute((Registration: point, Variable: symbol as ILocalSymbol, Joins: joins), key => ExecutionOrder.Prepare(graph, _joinCuts.GetOrAdd((graph, registration.Work is not null, joins), g => ExecutionOrder.JoinCuts(g.Graph, op => IsJoin(op, registration))), key.Registration, key.Variable, cancellationToken), cancellationToken) is { } reach
            && reach.RunsAfter(access) is { } after)
        {
            return after;
        }

        // No graph (or the registration is inside a lambda): text order, or anywhere in a loop around the registration.
        return access.SpanStart > point.Span.End || registration.IsRepeatedWithin(member) && !SharedStateFacts.IsInsideFunction(access, member);
    }

    /// <summary>Whether every path from the start of the work to the next start, and to the member's return, passes a join.</summary>
    private bool JoinedBeforeItRunsAgain(Registration registration, CancellationToken cancellationToken)
    {
        if (registration.Member is not { } member || SharedStateFacts.IsInsideFunction(registration.Operation.Syntax, member))
        {
            return false;
        }

        var graph = _graphs.GetOrCompute(member, m => CreateGraph(m, cancellationToken), cancellationToken);
        if (graph is null
            || JoinKey(graph, registration) is var joins && _reach.GetOrCompute((Registration: registration.Operation.Syntax, Variable: (ILocalSymbol?)null, Joins: joins), key => ExecutionOrder.Prepare(graph, _joinCuts.GetOrAdd((graph, true, joins), g => ExecutionOrder.JoinCuts(g.Graph, op => IsJoin(op, registration))), key.Registration, key.Variable, cancellationToken), cancellationToken) is not { } reach)
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
    /// <c>Dispose</c> (also at the end of a <c>using</c>), <c>Thread.Join</c>, waiting on an event, countdown,
    /// semaphore, barrier or completion source that the callback signals after the access being ordered
    /// (<see cref="Registration.JoinAccess"/>), or waiting for or awaiting a task other than the antecedent of a
    /// continuation or a <c>Task.Delay</c> (<see cref="JoinVerdict"/>). <c>Future.Result()</c> and <c>Futures.Wait</c>
    /// are not joins: they return before the done callbacks run.
    /// </summary>
    internal bool IsJoin(IOperation operation, Registration registration)
    {
        foreach (var descendant in operation.DescendantsAndSelf())
        {
            if (JoinVerdict(descendant, registration) == true)
            {
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

    /// <summary>What an <c>await</c> waits for: the task behind <c>task.ConfigureAwait(false)</c>, else the operand.</summary>
    private static IOperation Awaited(IOperation operand)
    {
        while (operand is IConversionOperation conversion)
        {
            operand = conversion.Operand;
        }

        return operand is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } awaited } ? awaited : operand;
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
    /// <c>FromCurrentSynchronizationContext()</c>, a scheduler of the compilation whose <c>MaximumConcurrencyLevel</c>
    /// is 1, a type listed in <c>serial_types</c>), and
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
                || _analysis.IsSerialType(value.Type, options)
                || IsOneAtATimeScheduler(value, CancellationToken.None))
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
        string text = Facts.TextOf(member.SyntaxTree, cancellationToken);
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
    /// Whether an access in a private member runs, in every caller, before the callback is registered: each call of
    /// that member comes before (never after) the registration in its caller, either the registering member itself
    /// or a member that then calls the (private) registering member; and the registering member has no other caller.
    /// The registration publishes what was written before it ("Open sets the heartbeat, then starts the timers").
    /// Not through a call of a registering member that starts only once (<see cref="IsBehindStartGuard"/>): a second
    /// call skips the registration, and what its caller wrote first goes to the run the first call started.
    /// </summary>
    private bool RunsBeforeEveryRegistration(SyntaxNode node, SyntaxNode member, Registration registration, ISymbol symbol, CancellationToken cancellationToken)
    {
        if (registration.Member is not { } registering || SharedStateFacts.IsInsideFunction(registration.Operation.Syntax, registering))
        {
            return false;
        }

        // Made directly in a member that then calls the (private) registering member, its only caller:
        // "Tune(h) { _heartbeat = h; StartTimers(); }". Not when that member starts only once: "Send(v) { _value = v;
        // EnsureStarted(); }" with "if (_started) return; _started = true; Task.Run(Loop);".
        if (PrecedesEveryCallOfRegisteringMember(node, member, registration, cancellationToken))
        {
            return !IsBehindStartGuard(registration, cancellationToken);
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

            if (IsBehindStartGuard(registration, cancellationToken))
            {
                // Made in a helper its caller calls before the registering member, which starts only once.
                return false;
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
                var graph = _graphs.GetOrCompute(site.Member, m => CreateGraph(m, cancellationToken), cancellationToken);
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

        var graph = _graphs.GetOrCompute(member, m => CreateGraph(m, cancellationToken), cancellationToken);
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
                string text = Facts.TextOf(type.SyntaxTree, cancellationToken);
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
    /// Whether the work's task or future is kept in a field (<c>_loop = Task.Run(Loop)</c>) and the other access's
    /// member joins it on every path before the access (<c>await _loop;</c>, <c>_loop.Wait()</c>, and
    /// <c>if (_loop is not null) await _loop;</c>, whose other branch means the work never started).
    /// </summary>
    private bool JoinsStoredWorkFirst(Registration registration, StateAccess access, CancellationToken cancellationToken)
        => StoredIn(registration.Operation) is { } field && access.Member is { } member
            && JoinsFieldFirst(field, member, access.Function ?? access.Syntax, registration, cancellationToken);

    /// <summary>
    /// Whether the finding's access (made in a callee of the work, such as a shared <c>Close</c>) comes after joining the
    /// other work whose run makes <paramref name="other"/>: two loops shut down through one method that first awaits
    /// both loops' tasks (<c>await Task.WhenAll(_receiver.WaitAsync(sender), _keepAlive.WaitAsync(sender))</c>), so
    /// the other loop has ended before the write.
    /// </summary>
    private bool FindingJoinsOtherWorkFirst(CallbackFinding finding, StateAccess other, Registration registration, CancellationToken cancellationToken)
    {
        if (finding.Origin is not { SourceTree: { } tree } origin
            || StoredWorkRunning(other, cancellationToken) is not { } field)
        {
            return false;
        }

        var at = tree.GetRoot(cancellationToken).FindNode(origin.SourceSpan, getInnermostNodeForTie: true);
        return SharedStateFacts.EnclosingMember(at) is { } member
            && SharedStateFacts.EnclosingFunction(at) is BaseMethodDeclarationSyntax
            && JoinsFieldFirst(field, member, at, registration, cancellationToken);
    }

    /// <summary>
    /// The field holding the task of the one work that makes an access: the access is in a work lambda whose task is
    /// stored in a field (<c>_receiver = Task.Run(() => …)</c>), or in a method that only such lambdas call (directly
    /// or through methods only they call), all stored in that same field. Null otherwise.
    /// </summary>
    private ISymbol? StoredWorkRunning(StateAccess access, CancellationToken cancellationToken)
        => access.Function switch
        {
            AnonymousFunctionExpressionSyntax lambda => StoredWorkOf(lambda, cancellationToken),
            // Asked for every other access a work finding meets: once per member.
            null when access.Member is MethodDeclarationSyntax method => _storedWorkCalling.GetOrAdd(method, m => StoredWorkCalling((MethodDeclarationSyntax)m, depth: 0, cancellationToken)),
            _ => null,
        };

    private ISymbol? StoredWorkCalling(MethodDeclarationSyntax method, int depth, CancellationToken cancellationToken)
    {
        if (depth > 3
            || Facts.ModelFor(method.SyntaxTree).GetDeclaredSymbol(method, cancellationToken) is not { } symbol
            || _callSites.Of(symbol, cancellationToken) is not { Count: > 0 } calls)
        {
            return null;
        }

        ISymbol? field = null;
        foreach (var call in calls)
        {
            var stored = call.InFunction
                ? call.Operation.Syntax.FirstAncestorOrSelf<AnonymousFunctionExpressionSyntax>() is { } caller ? StoredWorkOf(caller, cancellationToken) : null
                : call.Member is MethodDeclarationSyntax callerMethod && callerMethod != method ? StoredWorkCalling(callerMethod, depth + 1, cancellationToken) : null;
            if (stored is null || field is not null && !SymbolEqualityComparer.Default.Equals(field, stored))
            {
                return null;
            }

            field = stored;
        }

        return field;
    }

    /// <summary>The field a work lambda's task is stored in (<c>_loop = Task.Run(() => Loop())</c>), or null.</summary>
    private ISymbol? StoredWorkOf(AnonymousFunctionExpressionSyntax lambda, CancellationToken cancellationToken)
    {
        if (RoleOf(lambda, cancellationToken).Work is not { JoinsOnReturn: false }
            || Facts.ModelFor(lambda.SyntaxTree).GetOperation(lambda, cancellationToken) is not { } operation)
        {
            return null;
        }

        var current = operation;
        while (current.Parent is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        return current.Parent is IArgumentOperation { Parent: { } call } ? StoredIn(call) : null;
    }

    /// <summary>Whether <paramref name="member"/> joins the work stored in <paramref name="field"/> on every path before <paramref name="at"/>.</summary>
    private bool JoinsFieldFirst(ISymbol field, SyntaxNode member, SyntaxNode at, Registration registration, CancellationToken cancellationToken)
    {
        var graph = _graphs.GetOrCompute(member, m => CreateGraph(m, cancellationToken), cancellationToken);
        if (graph is null)
        {
            return false;
        }

        // Cached per graph and field, so judged without one access: any wait that mentions the field's task.
        var plain = registration.WithoutAccess();
        var cuts = _fieldJoinCuts.GetOrAdd((graph, field), key => ExecutionOrder.JoinCuts(key.Graph, op => JoinsField(op, key.Field, plain)));
        bool anyJoin = false;
        foreach (var block in cuts)
        {
            anyJoin |= block.Count > 0;
        }

        return anyJoin && ExecutionOrder.PrepareFromEntry(graph, cuts, cancellationToken).RunsAfter(at) == false;
    }

    /// <summary>The field or property the registration's result (its task or future) is assigned to, or null.</summary>
    private static ISymbol? StoredIn(IOperation registration)
    {
        var parent = registration.Parent;
        while (parent is IConversionOperation)
        {
            parent = parent.Parent;
        }

        return parent is IAssignmentOperation { Target: var target } and (ISimpleAssignmentOperation or ICoalesceAssignmentOperation) ? target switch
        {
            IFieldReferenceOperation reference => reference.Field.OriginalDefinition,
            IPropertyReferenceOperation { Property.IsIndexer: false } reference => reference.Property.OriginalDefinition,
            _ => null,
        } : null;
    }

    private bool JoinsField(IOperation operation, ISymbol field, Registration registration)
    {
        if (IsJoin(operation, registration) && (Mentions(operation, field) || MentionsThroughLocal(operation, field)))
        {
            return true;
        }

        // 'if (_loop is not null) await _loop;' (no else): the test itself orders what follows, since either the work
        // never started or the branch joins it.
        return operation.Syntax.Parent is IfStatementSyntax { Else: null } ifStatement
            && ifStatement.Condition == operation.Syntax
            && IsNotNullTest(operation, field)
            && FirstStatement(ifStatement.Statement) is { } first
            && Facts.ModelFor(first.SyntaxTree).GetOperation(first) is { } firstOperation
            && IsJoin(firstOperation, registration)
            && Mentions(firstOperation, field);
    }

    private static StatementSyntax? FirstStatement(StatementSyntax statement)
        => statement is BlockSyntax block ? (block.Statements.Count > 0 ? block.Statements[0] : null) : statement;

    private static bool Mentions(IOperation operation, ISymbol field)
    {
        foreach (var descendant in operation.DescendantsAndSelf())
        {
            switch (descendant)
            {
                case IFieldReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, field):
                case IPropertyReferenceOperation propertyReference when SymbolEqualityComparer.Default.Equals(propertyReference.Property.OriginalDefinition, field):
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a join waits for a local that holds the field's task, or a task made from it, and nothing else
    /// (<c>var r = _receiver.WaitAsync(sender); … await Task.WhenAll(r, k);</c>).
    /// </summary>
    private bool MentionsThroughLocal(IOperation operation, ISymbol field)
    {
        foreach (var descendant in operation.DescendantsAndSelf())
        {
            if (descendant is ILocalReferenceOperation { Local: { DeclaringSyntaxReferences.Length: 1 } local }
                && local.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } value } declarator
                && !IsReassigned(local, declarator)
                && Facts.ModelFor(value.SyntaxTree).GetOperation(value) is { } initializer
                && Mentions(initializer, field))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsReassigned(ILocalSymbol local, VariableDeclaratorSyntax declarator)
        => declarator.FirstAncestorOrSelf<BlockSyntax>() is not { } scope || WritesName(scope, local.Name);

    private static bool IsNotNullTest(IOperation condition, ISymbol field)
    {
        switch (condition)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.NotEquals } binary:
                return Mentions(binary.LeftOperand, field) && binary.RightOperand.ConstantValue is { HasValue: true, Value: null }
                    || Mentions(binary.RightOperand, field) && binary.LeftOperand.ConstantValue is { HasValue: true, Value: null };
            case IIsPatternOperation { Pattern: INegatedPatternOperation { Pattern: IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } } } isNot:
                return Mentions(isNot.Value, field);
            case IIsPatternOperation { Pattern: IRecursivePatternOperation } isObject:
                return Mentions(isObject.Value, field);
            default:
                return false;
        }
    }

    /// <summary>
    /// Work started at most once per object: its task is kept in a field that the starting member tests first
    /// (<c>if (_task is not null) return; _task = Task.Run(Loop);</c>) or assigns with <c>??=</c>.
    /// </summary>
    private bool IsStartedOnce(Registration registration, CancellationToken cancellationToken)
    {
        if (StoredIn(registration.Operation) is not { } field)
        {
            return false;
        }

        var parent = registration.Operation.Parent;
        while (parent is IConversionOperation)
        {
            parent = parent.Parent;
        }

        if (parent is ICoalesceAssignmentOperation)
        {
            return true;
        }

        var model = Facts.ModelFor(registration.Operation.Syntax.SyntaxTree);
        for (var node = registration.Operation.Syntax.Parent; node is not null && node != registration.Member; node = node.Parent)
        {
            if (node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return false;
            }

            if (node is not BlockSyntax block)
            {
                continue;
            }

            foreach (var statement in block.Statements)
            {
                if (statement.SpanStart >= registration.Operation.Syntax.SpanStart)
                {
                    break;
                }

                if (statement is IfStatementSyntax { Else: null } guard
                    && FirstStatement(guard.Statement) is ReturnStatementSyntax or ThrowStatementSyntax
                    && model.GetOperation(guard.Condition, cancellationToken) is { } condition
                    && IsNotNullTest(condition, field))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
