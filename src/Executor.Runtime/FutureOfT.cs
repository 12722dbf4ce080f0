using System;
using System.Threading;
using System.Threading.Tasks;

namespace Executor;

/// <summary>A <see cref="Future"/> whose operation produces a value of type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The type of the result.</typeparam>
/// <remarks>The callback-thread contract described on <see cref="Future"/> applies to every callback overload.</remarks>
public class Future<T> : Future
{
    private T _result = default!;

    /// <summary>Initializes a new pending future.</summary>
    public Future()
    {
    }

    /// <summary>Initializes a future that locks itself; for the executor's private work items.</summary>
    private protected Future(bool lockOnSelf)
        : base(lockOnSelf)
    {
    }

    /// <summary>Blocks until the operation completes and returns its result.</summary>
    /// <param name="timeout">How long to wait; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/> waits
    /// without limit.</param>
    /// <param name="cancellationToken">Abandons the wait (not the operation) when cancelled.</param>
    /// <returns>The operation's result.</returns>
    /// <exception cref="TimeoutException">The future did not complete within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled, or <paramref name="cancellationToken"/>
    /// was cancelled before it completed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than
    /// <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    /// <remarks>An exception raised by the operation is rethrown as itself, with its original stack trace. Called on a
    /// worker of the executor that owns this future while the operation has not started, it runs the operation
    /// inline instead of waiting (see <see cref="ThreadPoolExecutor"/>).</remarks>
    public new T Result(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        WaitDone(timeout, cancellationToken);
        ThrowIfFailed();
        return _result;
    }

    /// <summary>Registers a typed callback to run when the future is done. See <see cref="Future"/> for the thread it runs on.</summary>
    /// <param name="callback">The callback; it receives this future.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public void AddDoneCallback([ConcurrentCallback] Action<Future<T>> callback)
    {
        Guard.NotNull(callback, nameof(callback));
        AddCallback(callback);
    }

    /// <summary>
    /// Registers a typed callback that is submitted to <paramref name="executor"/> when the future is done, so it runs
    /// on one of that executor's workers. See <see cref="Future.AddDoneCallback(Action{Future}, ThreadPoolExecutor)"/>.
    /// </summary>
    /// <param name="callback">The callback; it receives this future.</param>
    /// <param name="executor">The executor that runs the callback; a 1-worker executor runs its callbacks one at a time.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="executor"/> is <see langword="null"/>.</exception>
    public void AddDoneCallback([ConcurrentCallback] Action<Future<T>> callback, ThreadPoolExecutor executor)
    {
        Guard.NotNull(callback, nameof(callback));
        Guard.NotNull(executor, nameof(executor));
        AddCallback(new ExecutorCallback(callback, executor));
    }

    /// <summary>Completes the future with a value. Done callbacks run on the calling thread before this method returns.</summary>
    /// <param name="result">The value <see cref="Result"/> returns.</param>
    /// <exception cref="InvalidOperationException">The future is already finished or cancelled, or it belongs to a
    /// <see cref="ThreadPoolExecutor"/>.</exception>
    public void SetResult(T result)
    {
        ThrowIfOwned();
        lock (Gate)
        {
            ThrowIfCompleteLocked();
            _result = result;
            FinishLocked(null);
        }

        InvokeCallbacks();
    }

    /// <summary>Gets an awaiter, so that <c>await future</c> returns the result without blocking a thread.</summary>
    /// <returns>The awaiter. Awaiting returns the result, rethrows the operation's exception, or throws
    /// <see cref="OperationCanceledException"/> when the future was cancelled; the continuation never runs inline on
    /// the completing thread.</returns>
    public new FutureAwaiter<T> GetAwaiter() => new(this);

    /// <summary>Returns a <see cref="Task{TResult}"/> that completes when the future does, with the same outcome.</summary>
    /// <returns>A task with the result, the operation's exception, or cancelled. Its continuations run asynchronously.</returns>
    public new Task<T> AsTask() => AsTaskCore<T>();

    /// <inheritdoc/>
    private protected override string DisplayName => "Future<" + TypeNames.Display(typeof(T)) + ">";

    /// <summary>Stores the result and moves to finished; the caller holds <see cref="Future.Gate"/>.</summary>
    private protected void SetResultLocked(T result)
    {
        ThrowIfCompleteLocked();
        _result = result;
        FinishLocked(null);
    }

    /// <summary>For the awaiter: the result of a done future.</summary>
    internal T GetTypedResultForAwait()
    {
        GetResultForAwait();
        return _result;
    }

    /// <inheritdoc/>
    internal override void InvokeTyped(Delegate callback)
    {
        if (callback is Action<Future<T>> typed)
        {
            typed(this);
        }
        else
        {
            ((Action<Future>)callback)(this);
        }
    }

    /// <inheritdoc/>
    internal override void TransferTo<TResult>(TaskCompletionSource<TResult> source)
    {
        if (source is TaskCompletionSource<T> typed && IsCompletedSuccessfully)
        {
            typed.TrySetResult(_result);
            return;
        }

        base.TransferTo(source);
    }
}
