using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>What runs on one executor's workers, and how it got there.</summary>
internal enum WorkKind
{
    /// <summary>A task submitted with <c>Submit</c> or a function passed to <c>Map</c>.</summary>
    Task,

    /// <summary>A done callback of one of the executor's futures (it runs on the worker that completes it).</summary>
    DoneCallback,

    /// <summary>A callback dispatched to the executor with <c>AddDoneCallback(callback, executor)</c>.</summary>
    DispatchedCallback,
}

/// <summary>A delegate that runs on the workers of the executor held in <see cref="Executor"/>.</summary>
internal readonly struct ExecutorWork
{
    public ExecutorWork(ISymbol executor, IOperation @delegate, WorkKind kind)
    {
        Executor = executor;
        Delegate = @delegate;
        Kind = kind;
    }

    /// <summary>The field, property, local or parameter that holds the executor.</summary>
    public ISymbol Executor { get; }

    /// <summary>The delegate argument (a lambda, a method group, or a delegate creation around one).</summary>
    public IOperation Delegate { get; }

    public WorkKind Kind { get; }

    /// <summary>
    /// The delegates an invocation hands to an executor's workers: <c>e.Submit(fn, …)</c>, <c>e.Map(fn, …)</c>,
    /// <c>e.Submit(…).AddDoneCallback(cb)</c> (also through a local holding the future), and
    /// <c>future.AddDoneCallback(cb, e)</c>. The executor is named by the symbol that holds it.
    /// </summary>
    public static IEnumerable<ExecutorWork> Of(IInvocationOperation invocation, KnownTypes types, CancellationToken cancellationToken)
    {
        var method = invocation.TargetMethod;
        if (types.ThreadPoolExecutor.Matches(method.ContainingType?.OriginalDefinition) && method.Name is "Submit" or "Map"
            && HolderOf(invocation.Instance) is { } submitter)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Type.TypeKind == TypeKind.Delegate)
                {
                    yield return new ExecutorWork(submitter, argument.Value, WorkKind.Task);
                    break;
                }
            }

            yield break;
        }

        if (method.Name != "AddDoneCallback" || !IsFuture(method.ContainingType, types))
        {
            yield break;
        }

        IOperation? callback = null;
        ISymbol? dispatchedTo = null;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Type.TypeKind == TypeKind.Delegate)
            {
                callback = argument.Value;
            }
            else if (argument.Parameter?.Name == "executor")
            {
                dispatchedTo = HolderOf(argument.Value);
            }
        }

        if (callback is null)
        {
            yield break;
        }

        if (dispatchedTo is not null)
        {
            yield return new ExecutorWork(dispatchedTo, callback, WorkKind.DispatchedCallback);
            yield break;
        }

        if (SubmitterOf(invocation.Instance, types, cancellationToken) is { } owner)
        {
            yield return new ExecutorWork(owner, callback, WorkKind.DoneCallback);
        }
    }

    /// <summary>The symbol that holds an executor expression: a field or property of this object or a static, a local, a parameter.</summary>
    public static ISymbol? HolderOf(IOperation? operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation switch
        {
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field.OriginalDefinition,
            IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Property.IsIndexer: false } property => property.Property.OriginalDefinition,
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };
    }

    private static bool IsFuture(INamedTypeSymbol? type, KnownTypes types)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (types.Future.Matches(type.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The executor a future came from: <c>e.Submit(…)</c> itself, or a local initialized with it.</summary>
    private static ISymbol? SubmitterOf(IOperation? future, KnownTypes types, CancellationToken cancellationToken)
    {
        while (future is IConversionOperation conversion)
        {
            future = conversion.Operand;
        }

        if (future is ILocalReferenceOperation local && local.Local.DeclaringSyntaxReferences.Length == 1
            && future.SemanticModel?.GetOperation(local.Local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken), cancellationToken) is IVariableDeclaratorOperation { Initializer.Value: { } initial })
        {
            future = initial;
            while (future is IConversionOperation conversion)
            {
                future = conversion.Operand;
            }
        }

        return future is IInvocationOperation { TargetMethod.Name: "Submit" } submit && types.ThreadPoolExecutor.Matches(submit.TargetMethod.ContainingType?.OriginalDefinition)
            ? HolderOf(submit.Instance)
            : null;
    }
}
