using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Executor;

/// <summary>
/// The eventual outcome of an asynchronous operation, modelled on Python's <c>concurrent.futures.Future</c>.
/// </summary>
/// <remarks>
/// <para><b>Callback-thread contract.</b> A callback added with <see cref="AddDoneCallback(Action{Future})"/>
/// before the future is done runs on the thread that completes it: the worker thread for work submitted to a
/// <see cref="ThreadPoolExecutor"/>, the caller of <see cref="SetResult()"/> or <see cref="SetException"/>, or the
/// caller of <see cref="Cancel"/> (including <see cref="ThreadPoolExecutor.Shutdown"/> with <c>cancelFutures</c> and
/// the thread that cancels the token of a task submitted with a <see cref="CancellationToken"/>). A callback added
/// after the future is done runs immediately and synchronously on the thread that adds it. Callbacks added before
/// completion run in registration order, one after the other, exactly once each, after <see cref="IsDone"/> is
/// observably true; a callback added after completion runs at once on its own thread, so it may run before or while
/// earlier callbacks still run on the completing thread. A callback added with
/// <see cref="AddDoneCallback(Action{Future}, ThreadPoolExecutor)"/> runs on a worker of the executor you pass.
/// An exception thrown by a callback does not stop later callbacks or the worker; it is reported through
/// <see cref="Futures.CallbackFailed"/>. Because callbacks for different futures run on different workers and on
/// callers at the same time, a callback that touches shared state must synchronize (see analyzer rule EXEC001).</para>
/// <para><b>Await.</b> <c>await future</c> resumes the awaiting method asynchronously (on the captured
/// <see cref="SynchronizationContext"/> or <see cref="TaskScheduler"/>, else on the .NET thread pool), never inline
/// on the thread that completes the future, as with <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>.</para>
/// <para>Instances may be created directly (for example by code that implements its own executor); the
/// <c>Set*</c> methods are then used to complete them. A future returned by <see cref="ThreadPoolExecutor"/> is
/// completed by its executor only: <c>Set*</c> on it throws <see cref="InvalidOperationException"/>.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public class Future
{
    // A standalone future locks a private object; an executor's work item locks itself (one allocation less per task:
    // its type is private, so no caller can have taken its lock for another purpose without going out of its way).
    private readonly object _gate;
    private volatile int _state;
    private ExceptionDispatchInfo? _exception;

    // The first callback is kept inline: almost every future has at most one. Entries are a user Delegate, an await
    // continuation (a bare Action, dispatched asynchronously) or a CallbackEntry (executor dispatch, AsTask bridge).
    private object? _firstCallback;
    private List<object>? _moreCallbacks;
    private List<FutureWaiter>? _waiters;

    // Threads blocked in Monitor.Wait on _gate. Completion pulses only when there are some: PulseAll on every future
    // would give each one a sync block (a native allocation under a process-wide lock), about half of a worker's time.
    private int _blockedWaiters;

    /// <summary>Initializes a new pending future.</summary>
    public Future()
    {
        _gate = new object();
    }

    /// <summary>Initializes a future that locks itself; for the executor's private work items.</summary>
    private protected Future(bool lockOnSelf)
    {
        _gate = lockOnSelf ? this : new object();
    }

    internal enum FutureState
    {
        Pending,
        Running,
        Cancelled,
        Finished,
    }

    /// <summary>Gets a value indicating whether the future was cancelled.</summary>
    public bool IsCancelled => _state == (int)FutureState.Cancelled;

    /// <summary>Gets a value indicating whether the operation is currently running and cannot be cancelled.</summary>
    public bool IsRunning => _state == (int)FutureState.Running;

    /// <summary>Gets a value indicating whether the future finished (with a result or an exception) or was cancelled.</summary>
    public bool IsDone => _state >= (int)FutureState.Cancelled;

    /// <summary>Gets a value indicating whether the operation finished by throwing an exception.</summary>
    public bool IsFaulted => HasException;

    /// <summary>Gets a value indicating whether the operation finished without an exception and was not cancelled.</summary>
    public bool IsCompletedSuccessfully => State == FutureState.Finished && Volatile.Read(ref _exception) is null;

    /// <summary>Gets the state of the future.</summary>
    public FutureStatus Status => State switch
    {
        FutureState.Pending => FutureStatus.Pending,
        FutureState.Running => FutureStatus.Running,
        FutureState.Cancelled => FutureStatus.Cancelled,
        _ => Volatile.Read(ref _exception) is null ? FutureStatus.Succeeded : FutureStatus.Faulted,
    };

    internal FutureState State => (FutureState)_state;

    internal bool HasException => State == FutureState.Finished && Volatile.Read(ref _exception) is not null;

    /// <summary>Gets the executor that owns this future, or <see langword="null"/> for a standalone future.</summary>
    internal virtual ThreadPoolExecutor.Core? OwnerCore => null;

    /// <summary>Gets the number of registered waiters (for tests).</summary>
    internal int WaiterCount
    {
        get
        {
            lock (_gate)
            {
                return _waiters?.Count ?? 0;
            }
        }
    }

    /// <summary>Gets the number of threads blocked in <see cref="Result"/> or <see cref="Exception"/> (for tests).</summary>
    internal int BlockedWaiterCount
    {
        get
        {
            lock (_gate)
            {
                return _blockedWaiters;
            }
        }
    }

    /// <summary>Gets the lock that guards this future's state.</summary>
    private protected object Gate => _gate;

    /// <summary>
    /// Attempts to cancel the operation. Succeeds only while the operation is still pending (queued).
    /// </summary>
    /// <returns><see langword="true"/> if the future is cancelled (now or earlier); <see langword="false"/> if it is
    /// running or already finished.</returns>
    /// <remarks>Done callbacks of a future cancelled here run on the calling thread before this method returns.</remarks>
    public bool Cancel()
    {
        lock (_gate)
        {
            switch (State)
            {
                case FutureState.Running:
                case FutureState.Finished:
                    return false;
                case FutureState.Cancelled:
                    return true;
            }

            _state = (int)FutureState.Cancelled;
            CompleteUnderLock();
        }

        OnCancelled();
        InvokeCallbacks();
        return true;
    }

    /// <summary>
    /// Blocks until the operation completes and rethrows its exception, if any. Use <see cref="Future{T}.Result"/>
    /// to obtain a value.
    /// </summary>
    /// <param name="timeout">How long to wait; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/> waits
    /// without limit.</param>
    /// <param name="cancellationToken">Abandons the wait (not the operation) when cancelled.</param>
    /// <exception cref="TimeoutException">The future did not complete within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled, or <paramref name="cancellationToken"/>
    /// was cancelled before it completed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than
    /// <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    /// <remarks>An exception raised by the operation is rethrown as itself, with its original stack trace. Called on a
    /// worker of the executor that owns this future while the operation has not started, it runs the operation
    /// inline instead of waiting (see <see cref="ThreadPoolExecutor"/>).</remarks>
    public void Result(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        WaitDone(timeout, cancellationToken);
        ThrowIfFailed();
    }

    /// <summary>Blocks until the operation completes and returns the exception it raised, if any.</summary>
    /// <param name="timeout">How long to wait; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/> waits
    /// without limit.</param>
    /// <param name="cancellationToken">Abandons the wait (not the operation) when cancelled.</param>
    /// <returns>The operation's exception, or <see langword="null"/> if it completed successfully.</returns>
    /// <exception cref="TimeoutException">The future did not complete within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled, or <paramref name="cancellationToken"/>
    /// was cancelled before it completed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than
    /// <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public Exception? Exception(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        WaitDone(timeout, cancellationToken);
        return _exception?.SourceException;
    }

    /// <summary>
    /// Registers a callback to run when the future is done (finished or cancelled). See the class remarks for the
    /// thread it runs on.
    /// </summary>
    /// <param name="callback">The callback; it receives this future.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public void AddDoneCallback([ConcurrentCallback] Action<Future> callback)
    {
        Guard.NotNull(callback, nameof(callback));
        AddCallback(callback);
    }

    /// <summary>
    /// Registers a callback that is submitted to <paramref name="executor"/> when the future is done, so it runs on
    /// one of that executor's workers (Guava's <c>addListener(listener, executor)</c>).
    /// </summary>
    /// <param name="callback">The callback; it receives this future.</param>
    /// <param name="executor">The executor that runs the callback. With a 1-worker executor, callbacks dispatched to
    /// it run one at a time, in the order the futures completed: the way to make callbacks serial.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="executor"/> is <see langword="null"/>.</exception>
    /// <remarks>If <paramref name="executor"/> is shut down (or broken) when the future completes, the callback does
    /// not run and the rejection is reported through <see cref="Futures.CallbackFailed"/>; so is a callback task
    /// cancelled by <c>Shutdown(cancelFutures: true)</c>. A callback's own exception is reported there too.</remarks>
    public void AddDoneCallback([ConcurrentCallback] Action<Future> callback, ThreadPoolExecutor executor)
    {
        Guard.NotNull(callback, nameof(callback));
        Guard.NotNull(executor, nameof(executor));
        AddCallback(new ExecutorCallback(callback, executor));
    }

    /// <summary>
    /// Marks the future as running, or observes that it was cancelled. Intended for executor implementations: call
    /// it just before running the operation.
    /// </summary>
    /// <returns><see langword="true"/> if the future is now running; <see langword="false"/> if it was cancelled
    /// and the operation must not run.</returns>
    /// <exception cref="InvalidOperationException">The future is already running or finished, or it belongs to a
    /// <see cref="ThreadPoolExecutor"/>.</exception>
    public bool SetRunningOrNotifyCancel()
    {
        ThrowIfOwned();
        lock (_gate)
        {
            switch (State)
            {
                case FutureState.Cancelled:
                    return false;
                case FutureState.Pending:
                    _state = (int)FutureState.Running;
                    return true;
                default:
                    throw new InvalidOperationException($"Future in unexpected state: {State}.");
            }
        }
    }

    /// <summary>Completes the future successfully. Done callbacks run on the calling thread before this method returns.</summary>
    /// <exception cref="InvalidOperationException">The future is already finished or cancelled, or it belongs to a
    /// <see cref="ThreadPoolExecutor"/>.</exception>
    public void SetResult()
    {
        ThrowIfOwned();
        Complete(null);
    }

    /// <summary>Completes the future with an exception. Done callbacks run on the calling thread before this method returns.</summary>
    /// <param name="exception">The exception; <see cref="Result"/> rethrows it with its original stack trace.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The future is already finished or cancelled, or it belongs to a
    /// <see cref="ThreadPoolExecutor"/>.</exception>
    public void SetException(Exception exception)
    {
        Guard.NotNull(exception, nameof(exception));
        ThrowIfOwned();
        Complete(ExceptionDispatchInfo.Capture(exception));
    }

    /// <summary>Gets an awaiter, so that <c>await future</c> waits for completion without blocking a thread.</summary>
    /// <returns>The awaiter. Awaiting rethrows the operation's exception, or <see cref="OperationCanceledException"/>
    /// when the future was cancelled; the continuation never runs inline on the completing thread.</returns>
    public FutureAwaiter GetAwaiter() => new(this);

    /// <summary>Returns a <see cref="Task"/> that completes when the future does, with the same outcome.</summary>
    /// <returns>A task that succeeds, faults with the operation's exception, or is cancelled. Its continuations run
    /// asynchronously.</returns>
    public Task AsTask() => AsTaskCore<object?>();

    /// <summary>Returns the state and result type, e.g. <c>Future&lt;int&gt;(Running)</c> or <c>Future(Faulted: TimeoutException)</c>.</summary>
    /// <returns>A short description for logs and the debugger.</returns>
    public override string ToString()
    {
        var status = Status;
        string name = DisplayName;
        return status == FutureStatus.Faulted && Volatile.Read(ref _exception) is { } e
            ? $"{name}({status}: {e.SourceException.GetType().Name})"
            : $"{name}({status})";
    }

    /// <summary>Gets the name shown by <see cref="ToString"/>.</summary>
    private protected virtual string DisplayName => "Future";

    /// <summary>Runs the submitted operation; overridden by the executor's work items.</summary>
    /// <param name="onWorker">True when a worker runs the item from the queue: the item may then announce the worker
    /// idle just before completing, when nothing else is left for the worker to do.</param>
    /// <returns>True if the worker was announced idle.</returns>
    internal virtual bool Run(bool onWorker) => false;

    /// <summary>
    /// Runs the operation on the calling thread if it has not started and the caller is one of its executor's
    /// workers, which would otherwise wait for a task that may be queued behind itself.
    /// </summary>
    internal bool TryRunInline()
    {
        if (_state == (int)FutureState.Pending && OwnerCore is { IsCurrentWorker: true })
        {
            Run(onWorker: false);
            return true;
        }

        return false;
    }

    /// <summary>Called by the executor just before the future is queued, with a <see cref="Stopwatch"/> timestamp (only while the queue-wait metric is listened to).</summary>
    internal virtual void OnEnqueued(long timestamp)
    {
    }

    /// <summary>Cancels a pending future without running its callbacks yet (<see cref="FinishDeferredCancel"/> does).</summary>
    internal bool TryCancelDeferringCallbacks()
    {
        lock (_gate)
        {
            if (State != FutureState.Pending)
            {
                return false;
            }

            _state = (int)FutureState.Cancelled;
            CompleteUnderLock();
            return true;
        }
    }

    /// <summary>Runs the callbacks of a future cancelled by <see cref="TryCancelDeferringCallbacks"/>.</summary>
    internal void FinishDeferredCancel()
    {
        OnCancelled();
        InvokeCallbacks();
    }

    /// <summary>Fails a future that has not started (a broken pool); a no-op if it was cancelled or started.</summary>
    internal void FailUnstarted(Exception exception)
    {
        if (!TryStart())
        {
            return;
        }

        OnStarted();
        Complete(ExceptionDispatchInfo.Capture(exception));
        if (OwnerCore is { } core)
        {
            ExecutorMetrics.RecordOutcome(core, FutureStatus.Faulted);
        }
    }

    /// <summary>Called once, after the future moved to running (work items release their token registration here).</summary>
    private protected virtual void OnStarted()
    {
    }

    /// <summary>Moves a pending future to running; false if it was cancelled or already started (e.g. run inline).</summary>
    private protected bool TryStart()
    {
        lock (_gate)
        {
            if (State != FutureState.Pending)
            {
                return false;
            }

            _state = (int)FutureState.Running;
            return true;
        }
    }

    /// <summary>Called once, outside the lock, after the future was cancelled; work items drop their delegate here.</summary>
    private protected virtual void OnCancelled()
    {
    }

    /// <summary>Completes the future and runs its callbacks on the calling thread.</summary>
    private protected void Complete(ExceptionDispatchInfo? exception)
    {
        lock (_gate)
        {
            FinishLocked(exception);
        }

        InvokeCallbacks();
    }

    /// <summary>Moves the future to finished; the caller holds <see cref="Gate"/> and runs <see cref="InvokeCallbacks"/> after releasing it.</summary>
    private protected void FinishLocked(ExceptionDispatchInfo? exception)
    {
        ThrowIfCompleteLocked();
        _exception = exception;
        _state = (int)FutureState.Finished;
        CompleteUnderLock();
    }

    /// <summary>Moves a running future to cancelled (its operation observed its token); the caller holds <see cref="Gate"/>.</summary>
    private protected void CancelRunningLocked()
    {
        ThrowIfCompleteLocked();
        _state = (int)FutureState.Cancelled;
        CompleteUnderLock();
    }

    /// <summary>True when completing now leaves no user code for the completing thread to run (no callbacks, or only await continuations); the caller holds <see cref="Gate"/>.</summary>
    private protected bool HasNoSynchronousCallbacksLocked() =>
        _moreCallbacks is null && _firstCallback is null or Action or AwaitContinuation;

    /// <summary>Throws when the future can no longer be completed; the caller holds <see cref="Gate"/>.</summary>
    private protected void ThrowIfCompleteLocked()
    {
        if (State is FutureState.Cancelled or FutureState.Finished)
        {
            throw new InvalidOperationException($"The future is already {State.ToString().ToLowerInvariant()}; it can be completed only once.");
        }
    }

    /// <summary>Throws when the future belongs to an executor, which alone completes it.</summary>
    private protected void ThrowIfOwned()
    {
        if (OwnerCore is not null)
        {
            throw new InvalidOperationException(
                "This future was returned by ThreadPoolExecutor.Submit and is completed by its executor; SetResult, SetException and SetRunningOrNotifyCancel are only for futures you create with 'new Future()'. Use Cancel() to cancel it.");
        }
    }

    private protected void WaitDone(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        // Validate first, so a negative timeout is rejected whether or not the future happens to be done already.
        var deadline = Deadline.From(timeout, nameof(timeout));
        WaitDone(deadline, cancellationToken, timeout);
        if (IsCancelled)
        {
            throw new OperationCanceledException("The future was cancelled.");
        }
    }

    /// <summary>Waits until done; throws <see cref="TimeoutException"/> at the deadline and <see cref="OperationCanceledException"/> when the token is cancelled first.</summary>
    internal void WaitDone(Deadline deadline, CancellationToken cancellationToken, TimeSpan? timeout)
    {
        if (IsDone)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (TryRunInline() && IsDone)
        {
            return;
        }

        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static s => ((Future)s!).PulseBlockedWaiters(), this)
            : default;
        try
        {
            lock (_gate)
            {
                while (State < FutureState.Cancelled && !cancellationToken.IsCancellationRequested)
                {
                    int remaining = deadline.RemainingMilliseconds();
                    if (remaining == 0)
                    {
                        throw new TimeoutException($"The future did not complete within {timeout ?? TimeSpan.Zero}.");
                    }

                    _blockedWaiters++;
                    try
                    {
                        Monitor.Wait(_gate, remaining);
                    }
                    finally
                    {
                        _blockedWaiters--;
                    }
                }
            }
        }
        finally
        {
            // Outside the lock: Dispose waits for a running token callback, which takes the lock.
            registration.Dispose();
        }

        if (!IsDone)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private protected void ThrowIfFailed() => _exception?.Throw();

    /// <summary>For the awaiters: the outcome of a done future (waits if it is not done, like <c>Task</c>'s awaiter).</summary>
    internal void GetResultForAwait()
    {
        if (!IsDone)
        {
            WaitDone(Deadline.Infinite, default, null);
        }

        if (IsCancelled)
        {
            throw new OperationCanceledException("The future was cancelled.");
        }

        ThrowIfFailed();
    }

    /// <summary>Registers an await continuation; it is dispatched asynchronously even if the future is already done.</summary>
    internal void OnCompletedForAwait(Action continuation, bool flowExecutionContext)
    {
        Guard.NotNull(continuation, nameof(continuation));
        object entry = AwaitContinuation.Create(continuation, flowExecutionContext);
        lock (_gate)
        {
            if (State < FutureState.Cancelled)
            {
                AddEntryLocked(entry);
                return;
            }
        }

        DispatchAwaitContinuation(entry);
    }

    private protected void AddCallback(object callback)
    {
        lock (_gate)
        {
            if (State < FutureState.Cancelled)
            {
                AddEntryLocked(callback);
                return;
            }
        }

        InvokeCallback(callback);
    }

    private protected Task<TResult> AsTaskCore<TResult>()
    {
        var bridge = new TaskBridge<TResult>();
        AddCallback(bridge);
        return bridge.Task;
    }

    /// <summary>Registers a waiter, or reports the future to it at once when already done. Returns true if registered.</summary>
    internal bool AddWaiter(FutureWaiter waiter)
    {
        lock (_gate)
        {
            if (State < FutureState.Cancelled)
            {
                (_waiters ??= new List<FutureWaiter>(1)).Add(waiter);
                return true;
            }
        }

        waiter.OnDone(this);
        return false;
    }

    internal void RemoveWaiter(FutureWaiter waiter)
    {
        lock (_gate)
        {
            _waiters?.Remove(waiter);
        }
    }

    /// <summary>Invokes a user callback with this future; the generic subclass also knows its typed callbacks.</summary>
    internal virtual void InvokeTyped(Delegate callback) => ((Action<Future>)callback)(this);

    /// <summary>Completes <paramref name="source"/> with this (done) future's outcome.</summary>
    internal virtual void TransferTo<TResult>(TaskCompletionSource<TResult> source)
    {
        if (IsCancelled)
        {
            source.TrySetCanceled();
        }
        else if (_exception is { } e)
        {
            source.TrySetException(e.SourceException);
        }
        else
        {
            source.TrySetResult(default!);
        }
    }

    private static void DispatchAwaitContinuation(object entry)
    {
        if (entry is Action action)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => ((Action)s!)(), action);
        }
        else
        {
            ((AwaitContinuation)entry).Dispatch();
        }
    }

    private void AddEntryLocked(object entry)
    {
        if (_firstCallback is null)
        {
            _firstCallback = entry;
        }
        else
        {
            (_moreCallbacks ??= new List<object>(2)).Add(entry);
        }
    }

    private void PulseBlockedWaiters()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }

    private void CompleteUnderLock()
    {
        // Caller holds _gate, as does every waiter between checking the state and waiting: no wake-up is lost.
        if (_blockedWaiters > 0)
        {
            Monitor.PulseAll(_gate);
        }

        if (_waiters is { } waiters)
        {
            foreach (var waiter in waiters)
            {
                waiter.OnDone(this);
            }

            _waiters = null;
        }
    }

    private protected void InvokeCallbacks()
    {
        // Once the state is done no callback is added to these fields any more, so they can be read without the lock.
        var first = _firstCallback;
        var more = _moreCallbacks;
        _firstCallback = null;
        _moreCallbacks = null;
        if (first is not null)
        {
            InvokeCallback(first);
        }

        if (more is not null)
        {
            foreach (var callback in more)
            {
                InvokeCallback(callback);
            }
        }
    }

    private void InvokeCallback(object callback)
    {
        try
        {
            switch (callback)
            {
                case Action or AwaitContinuation:
                    DispatchAwaitContinuation(callback);
                    break;
                case CallbackEntry entry:
                    entry.Invoke(this);
                    break;
                default:
                    InvokeTyped((Delegate)callback);
                    break;
            }
        }
        catch (Exception ex)
        {
            Futures.ReportCallbackFailure(this, ex);
        }
    }
}
