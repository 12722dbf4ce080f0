using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// A lambda or anonymous method handed to another thread: passed to an EXEC001 callback API or to an EXEC002 work API
/// whose call returns before the work ends. <see cref="Point"/> is where the other thread may start running it: the
/// call itself, or <c>thread.Start()</c> for <c>new Thread(…)</c>.
/// </summary>
internal sealed class HandOff
{
    public HandOff(ISymbol api, IOperation operation, IAnonymousFunctionOperation function, IOperation point, bool isWork, bool isPeriodic)
    {
        Api = api;
        Operation = operation;
        Function = function;
        Point = point;
        IsWork = isWork;
        IsPeriodic = isPeriodic;
    }

    /// <summary>The API the delegate goes to: a method, constructor or event.</summary>
    public ISymbol Api { get; }

    /// <summary>The invocation, object creation or event assignment that takes the delegate.</summary>
    public IOperation Operation { get; }

    /// <summary>The delegate handed over.</summary>
    public IAnonymousFunctionOperation Function { get; }

    /// <summary>Where the delegate may start to run elsewhere: <see cref="Operation"/>, or the <c>Start()</c> call of a thread.</summary>
    public IOperation Point { get; }

    /// <summary>An EXEC002 work source (a future's <c>Result()</c> then waits for it) rather than an EXEC001 callback.</summary>
    public bool IsWork { get; }

    /// <summary>A timer callback or an event handler: it runs again and again, reading the variable's current value each time.</summary>
    public bool IsPeriodic { get; }
}

/// <summary>
/// Finds <see cref="HandOff"/>s, per compilation: EXEC001's callback sources (<see cref="CallbackAnalysis.IsCallbackParameter"/>,
/// <see cref="CallbackAnalysis.IsCallbackEvent"/>) and EXEC002's work sources (<see cref="ConcurrentWork.Classify"/>),
/// except the APIs that join on return (<c>Parallel.*</c>, PLINQ): nothing after those calls runs at the same time.
/// Also answers which operations wait for handed-off work (a join), and builds the flow graph of the code around one.
/// </summary>
internal sealed class HandOffFinder
{
    private readonly CallbackAnalysis _callbacks;
    private readonly ConcurrentDictionary<SyntaxNode, System.Lazy<ControlFlowGraph?>> _graphs = new();
    private readonly ConcurrentDictionary<(ControlFlowGraph Graph, bool Work), List<int>[]> _joinCuts = new();

    public HandOffFinder(CallbackAnalysis callbacks) => _callbacks = callbacks;

    public KnownTypes Types => _callbacks.Types;

    public string ApiName(ISymbol api) => _callbacks.ApiName(api);

    /// <summary>The hand-offs of a call, object creation or event subscription (usually none: checked cheaply first).</summary>
    public List<HandOff>? Find(IOperation operation, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                return FromArguments(invocation.TargetMethod, invocation, invocation.Arguments, cancellationToken);
            case IObjectCreationOperation { Constructor: { } constructor } creation:
                return FromArguments(constructor, creation, creation.Arguments, cancellationToken);
            case IEventAssignmentOperation { Adds: true, EventReference: IEventReferenceOperation { Event: var @event } } assignment
                when FunctionOf(assignment.HandlerValue) is { } handler
                    && _callbacks.IsCallbackEvent(@event, _callbacks.Options.For(assignment.Syntax.SyntaxTree)):
                return new List<HandOff> { new(@event, assignment, handler, assignment, isWork: false, isPeriodic: true) };
            default:
                return null;
        }
    }

    private List<HandOff>? FromArguments(IMethodSymbol method, IOperation operation, ImmutableArray<IArgumentOperation> arguments, CancellationToken cancellationToken)
    {
        List<HandOff>? found = null;
        foreach (var argument in arguments)
        {
            if (argument.Parameter is not { Type.TypeKind: TypeKind.Delegate } parameter || FunctionOf(argument.Value) is not { } function)
            {
                continue;
            }

            if (_callbacks.SourceOf(method, parameter, operation.Syntax.SyntaxTree) is not { } source || source.Work is { JoinsOnReturn: true })
            {
                continue;
            }

            bool isWork = source.Work is not null;

            var point = operation;
            if (method.MethodKind == MethodKind.Constructor && Types.Thread.Matches(method.ContainingType))
            {
                // A thread runs nothing before Start(): the hand-off is there, and writes before it are published.
                if (_callbacks.ThreadStartOf(operation, cancellationToken) is not { } start)
                {
                    continue;
                }

                point = start;
            }

            bool periodic = method.MethodKind == MethodKind.Constructor && Types.ThreadingTimer.Matches(method.ContainingType);
            (found ??= new List<HandOff>()).Add(new HandOff(method, operation, function, point, isWork, periodic));
        }

        return found;
    }

    /// <summary>The lambda or anonymous method behind a delegate value, or null (a method group captures nothing).</summary>
    public static IAnonymousFunctionOperation? FunctionOf(IOperation value)
    {
        while (true)
        {
            switch (value)
            {
                case IConversionOperation conversion:
                    value = conversion.Operand;
                    continue;
                case IDelegateCreationOperation creation:
                    value = creation.Target;
                    continue;
                case IAnonymousFunctionOperation function:
                    return function;
                default:
                    return null;
            }
        }
    }

    /// <summary>The innermost lambda, local function or member body around an operation.</summary>
    public static IOperation? FunctionBodyOf(IOperation operation)
    {
        IOperation? last = operation;
        for (var current = operation.Parent; current is not null; last = current, current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation function:
                    return function.Body;
                case ILocalFunctionOperation localFunction:
                    return (IOperation?)localFunction.Body ?? localFunction.IgnoredBody;
            }
        }

        return last;
    }

    /// <summary>
    /// Whether an operation waits for handed-off work or callbacks: EXEC001's joins (<see cref="ConflictFinder.IsJoin"/>:
    /// <c>Shutdown(wait: true)</c>, <c>Dispose</c>, <c>Task.Wait</c>/<c>WaitAll</c>, <c>await task</c>, <c>Thread.Join</c>,
    /// events, countdowns, barriers) and, for work, also <c>future.Result()</c>, <c>future.Exception()</c>,
    /// <c>await future</c> and <c>Futures.Wait</c>: they return after the task has run (a done callback may still be
    /// running then, so they do not join callbacks).
    /// </summary>
    public bool IsJoin(IOperation operation, HandOff handOff, Registration registration)
    {
        if (_callbacks.Conflicts.IsJoin(operation, registration))
        {
            return true;
        }

        if (!handOff.IsWork)
        {
            return false;
        }

        foreach (var descendant in operation.DescendantsAndSelf())
        {
            switch (descendant)
            {
                case IAwaitOperation awaited when IsFuture(awaited.Operation.Type):
                    return true;
                case IInvocationOperation { TargetMethod: { Name: "Result" or "Exception" } method } when IsFuture(method.ContainingType):
                    return true;
                case IInvocationOperation { TargetMethod: { Name: "Wait" } method } when Types.Futures.Matches(method.ContainingType):
                    return true;
            }
        }

        return false;
    }

    /// <summary>Whether the value the hand-off returns is waited for at once (<c>await Task.Run(…)</c>, <c>pool.Submit(…).Result()</c>).</summary>
    public bool IsJoinedAtOnce(HandOff handOff, Registration registration)
    {
        var value = handOff.Point;
        while (value.Parent is IConversionOperation)
        {
            value = value.Parent;
        }

        return value.Parent switch
        {
            IAwaitOperation => true,
            IInvocationOperation call when call.Instance == value => IsJoin(call, handOff, registration) || call.TargetMethod.Name == "GetAwaiter" && call.Parent is IInvocationOperation { TargetMethod.Name: "GetResult" },
            IPropertyReferenceOperation { Property.Name: "Result" } property => property.Instance == value && Types.TaskOfT.Matches(property.Property.ContainingType),
            _ => false,
        };
    }

    private bool IsFuture(ITypeSymbol? type)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (Types.Future.Matches(type.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The join positions of a graph, once per graph and kind of hand-off.</summary>
    public List<int>[] JoinCuts(ControlFlowGraph graph, HandOff handOff, Registration registration)
        => _joinCuts.GetOrAdd((graph, handOff.IsWork), key => ExecutionOrder.JoinCuts(key.Graph, op => IsJoin(op, handOff, registration)));

    /// <summary>
    /// The flow graph of the function whose code runs the hand-off: the member's, or the nested graph of the lambda or
    /// local function it sits in. Null when Roslyn cannot build it (broken code) or the function is not found.
    /// </summary>
    public ControlFlowGraph? GraphAround(IOperation point, CancellationToken cancellationToken)
    {
        var functions = new List<IOperation>();
        IOperation root = point;
        for (var current = point.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                functions.Add(current);
            }

            root = current;
        }

        var graph = _graphs.GetOrCompute(root.Syntax, _ => Create(root, cancellationToken), cancellationToken);
        for (int i = functions.Count - 1; i >= 0 && graph is not null; i--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            graph = functions[i] switch
            {
                ILocalFunctionOperation local => Nested(graph, local.Symbol, cancellationToken),
                IAnonymousFunctionOperation anonymous => Nested(graph, anonymous.Symbol, cancellationToken),
                _ => null,
            };
        }

        return graph;
    }

    internal static ControlFlowGraph? Nested(ControlFlowGraph graph, IMethodSymbol function, CancellationToken cancellationToken)
    {
        try
        {
            if (function.MethodKind == MethodKind.LocalFunction)
            {
                foreach (var local in graph.LocalFunctions)
                {
                    if (SymbolEqualityComparer.Default.Equals(local, function))
                    {
                        return graph.GetLocalFunctionControlFlowGraph(local, cancellationToken);
                    }
                }

                return null;
            }

            foreach (var block in graph.Blocks)
            {
                foreach (var operation in block.Operations)
                {
                    foreach (var descendant in operation.DescendantsAndSelf())
                    {
                        if (descendant is IFlowAnonymousFunctionOperation flow && SymbolEqualityComparer.Default.Equals(flow.Symbol, function))
                        {
                            return graph.GetAnonymousFunctionControlFlowGraph(flow, cancellationToken);
                        }
                    }
                }

                if (block.BranchValue is { } branch)
                {
                    foreach (var descendant in branch.DescendantsAndSelf())
                    {
                        if (descendant is IFlowAnonymousFunctionOperation flow && SymbolEqualityComparer.Default.Equals(flow.Symbol, function))
                        {
                            return graph.GetAnonymousFunctionControlFlowGraph(flow, cancellationToken);
                        }
                    }
                }
            }
        }
        catch (System.ArgumentException)
        {
        }

        return null;
    }

    private static ControlFlowGraph? Create(IOperation root, CancellationToken cancellationToken)
    {
        try
        {
            return root switch
            {
                IMethodBodyOperation body => ControlFlowGraph.Create(body, cancellationToken),
                IConstructorBodyOperation body => ControlFlowGraph.Create(body, cancellationToken),
                IBlockOperation { Parent: null } block => ControlFlowGraph.Create(block, cancellationToken),
                IFieldInitializerOperation initializer => ControlFlowGraph.Create(initializer, cancellationToken),
                IPropertyInitializerOperation initializer => ControlFlowGraph.Create(initializer, cancellationToken),
                _ => null,
            };
        }
        catch (System.ArgumentException)
        {
            // Code with errors the graph builder rejects: nothing is reported.
            return null;
        }
    }
}
