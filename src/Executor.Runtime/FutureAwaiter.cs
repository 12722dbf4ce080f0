using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Executor;

/// <summary>Awaits a <see cref="Future"/>; returned by <see cref="Future.GetAwaiter"/> for the compiler's <c>await</c>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct FutureAwaiter : ICriticalNotifyCompletion
{
    private readonly Future _future;

    internal FutureAwaiter(Future future) => _future = future;

    /// <summary>Gets a value indicating whether the future is done.</summary>
    public bool IsCompleted => _future.IsDone;

    /// <summary>Ends the await: rethrows the operation's exception, or throws <see cref="OperationCanceledException"/> if cancelled.</summary>
    public void GetResult() => _future.GetResultForAwait();

    /// <summary>Schedules the continuation, flowing the execution context; it runs asynchronously.</summary>
    /// <param name="continuation">The continuation.</param>
    public void OnCompleted(Action continuation) => _future.OnCompletedForAwait(continuation, flowExecutionContext: true);

    /// <summary>Schedules the continuation without flowing the execution context; it runs asynchronously.</summary>
    /// <param name="continuation">The continuation.</param>
    public void UnsafeOnCompleted(Action continuation) => _future.OnCompletedForAwait(continuation, flowExecutionContext: false);
}

/// <summary>Awaits a <see cref="Future{T}"/>; returned by <see cref="Future{T}.GetAwaiter"/> for the compiler's <c>await</c>.</summary>
/// <typeparam name="T">The type of the result.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct FutureAwaiter<T> : ICriticalNotifyCompletion
{
    private readonly Future<T> _future;

    internal FutureAwaiter(Future<T> future) => _future = future;

    /// <summary>Gets a value indicating whether the future is done.</summary>
    public bool IsCompleted => _future.IsDone;

    /// <summary>Ends the await: returns the result, rethrows the operation's exception, or throws <see cref="OperationCanceledException"/> if cancelled.</summary>
    /// <returns>The operation's result.</returns>
    public T GetResult() => _future.GetTypedResultForAwait();

    /// <summary>Schedules the continuation, flowing the execution context; it runs asynchronously.</summary>
    /// <param name="continuation">The continuation.</param>
    public void OnCompleted(Action continuation) => _future.OnCompletedForAwait(continuation, flowExecutionContext: true);

    /// <summary>Schedules the continuation without flowing the execution context; it runs asynchronously.</summary>
    /// <param name="continuation">The continuation.</param>
    public void UnsafeOnCompleted(Action continuation) => _future.OnCompletedForAwait(continuation, flowExecutionContext: false);
}
