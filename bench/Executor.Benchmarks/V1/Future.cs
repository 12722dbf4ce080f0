// Executor.Runtime v1 as of commit b38a2e0 (main before issue 13), copied unchanged except for the namespace,
// so the benchmarks compare v1 and v2 in the same BenchmarkDotNet run on the same (noisy) machine.
#pragma warning disable
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Executor.V1;

/// <summary>
/// The eventual outcome of an asynchronous operation, modelled on Python's <c>concurrent.futures.Future</c>.
/// </summary>
/// <remarks>
/// <para><b>Callback-thread contract.</b> A callback added with <see cref="AddDoneCallback(Action{Future})"/>
/// before the future is done runs on the thread that completes it: the worker thread for work submitted to a
/// <see cref="ThreadPoolExecutor"/>, the caller of <see cref="SetResult()"/> or <see cref="SetException"/>, or the
/// caller of <see cref="Cancel"/> (including <see cref="ThreadPoolExecutor.Shutdown"/> with <c>cancelFutures</c>).
/// A callback added after the future is done runs immediately and synchronously on the thread that adds it.
/// Callbacks run in registration order, exactly once each, after <see cref="IsDone"/> is observably true.
/// An exception thrown by a callback does not stop later callbacks or the worker; it is reported through
/// <see cref="Futures.CallbackFailed"/>. Because callbacks for different futures run on different workers and on
/// callers at the same time, a callback that touches shared state must synchronize (see analyzer rule EXEC001).</para>
/// <para>Instances may be created directly (for example by code that implements its own executor); the
/// <c>Set*</c> methods are then used to complete them.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public class Future
{
    private readonly object _gate = new();
    private volatile int _state;
    private ExceptionDispatchInfo? _exception;

    // The first callback is kept inline: almost every future has at most one.
    private Delegate? _firstCallback;
    private List<Delegate>? _moreCallbacks;
    private List<FutureWaiter>? _waiters;

    // Threads blocked in Monitor.Wait on _gate. Completion pulses only when there are some: PulseAll on every future
    // would give each one a sync block (a native allocation under a process-wide lock), about half of a worker's time.
    private int _blockedWaiters;

    /// <summary>Initializes a new pending future.</summary>
    public Future()
    {
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

    internal FutureState State => (FutureState)_state;

    internal bool HasException => State == FutureState.Finished && Volatile.Read(ref _exception) is not null;

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

        InvokeCallbacks();
        return true;
    }

    /// <summary>
    /// Blocks until the operation completes and rethrows its exception, if any. Use <see cref="Future{T}.Result"/>
    /// to obtain a value.
    /// </summary>
    /// <param name="timeout">How long to wait; <see langword="null"/> waits without limit.</param>
    /// <exception cref="TimeoutException">The future did not complete within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    /// <remarks>An exception raised by the operation is rethrown as itself, with its original stack trace.</remarks>
    public void Result(TimeSpan? timeout = null)
    {
        WaitDone(timeout);
        ThrowIfFailed();
    }

    /// <summary>Blocks until the operation completes and returns the exception it raised, if any.</summary>
    /// <param name="timeout">How long to wait; <see langword="null"/> waits without limit.</param>
    /// <returns>The operation's exception, or <see langword="null"/> if it completed successfully.</returns>
    /// <exception cref="TimeoutException">The future did not complete within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    public Exception? Exception(TimeSpan? timeout = null)
    {
        WaitDone(timeout);
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
        ArgumentNullException.ThrowIfNull(callback);
        AddCallback(callback);
    }

    /// <summary>
    /// Marks the future as running, or observes that it was cancelled. Intended for executor implementations: call
    /// it just before running the operation.
    /// </summary>
    /// <returns><see langword="true"/> if the future is now running; <see langword="false"/> if it was cancelled
    /// and the operation must not run.</returns>
    /// <exception cref="InvalidOperationException">The future is already running or finished.</exception>
    public bool SetRunningOrNotifyCancel()
    {
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
    /// <exception cref="InvalidOperationException">The future is already finished or cancelled.</exception>
    public void SetResult() => Complete(null);

    /// <summary>Completes the future with an exception. Done callbacks run on the calling thread before this method returns.</summary>
    /// <param name="exception">The exception; <see cref="Result"/> rethrows it with its original stack trace.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The future is already finished or cancelled.</exception>
    public void SetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Complete(ExceptionDispatchInfo.Capture(exception));
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var state = State;
        return state switch
        {
            FutureState.Finished when _exception is not null =>
                $"<{GetType().Name} state=finished raised {_exception.SourceException.GetType().Name}>",
            FutureState.Finished => $"<{GetType().Name} state=finished>",
            _ => $"<{GetType().Name} state={state.ToString().ToLowerInvariant()}>",
        };
    }

    /// <summary>Runs the submitted operation; overridden by the executor's work items.</summary>
    internal virtual void Run()
    {
    }

    /// <summary>Gets the lock that guards this future's state.</summary>
    private protected object Gate => _gate;

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

    /// <summary>Throws when the future can no longer be completed; the caller holds <see cref="Gate"/>.</summary>
    private protected void ThrowIfCompleteLocked()
    {
        if (State is FutureState.Cancelled or FutureState.Finished)
        {
            throw new InvalidOperationException($"The future is already {State.ToString().ToLowerInvariant()}; it can be completed only once.");
        }
    }

    private protected void WaitDone(TimeSpan? timeout)
    {
        // Validate first, so a negative timeout is rejected whether or not the future happens to be done already.
        long ms = ToMilliseconds(timeout, nameof(timeout));
        if (!IsDone)
        {
            lock (_gate)
            {
                if (State < FutureState.Cancelled)
                {
                    var stopwatch = ms > 0 ? Stopwatch.StartNew() : null;
                    while (State < FutureState.Cancelled)
                    {
                        // A zero timeout has no stopwatch: it must time out at once, not dereference null.
                        int remaining = ms < 0 ? Timeout.Infinite : (int)Math.Max(0, ms - (stopwatch?.ElapsedMilliseconds ?? 0));
                        if (ms >= 0 && remaining == 0)
                        {
                            throw new TimeoutException($"The future did not complete within {timeout!.Value}.");
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
        }

        if (IsCancelled)
        {
            throw new OperationCanceledException("The future was cancelled.");
        }
    }

    private protected void ThrowIfFailed() => _exception?.Throw();

    private protected void AddCallback(Delegate callback)
    {
        lock (_gate)
        {
            if (State < FutureState.Cancelled)
            {
                if (_firstCallback is null)
                {
                    _firstCallback = callback;
                }
                else
                {
                    (_moreCallbacks ??= new List<Delegate>(2)).Add(callback);
                }

                return;
            }
        }

        InvokeCallback(callback);
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

    /// <summary>Converts a nullable timeout to milliseconds; -1 means infinite.</summary>
    internal static long ToMilliseconds(TimeSpan? timeout, string paramName)
    {
        if (timeout is not { } t)
        {
            return -1;
        }

        if (t < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(paramName, t, "The timeout must be zero or positive, or null to wait without limit.");
        }

        return (long)Math.Min(t.TotalMilliseconds, int.MaxValue - 1);
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

    private void InvokeCallback(Delegate callback)
    {
        try
        {
            InvokeTyped(callback);
        }
        catch (Exception ex)
        {
            Futures.ReportCallbackFailure(this, ex);
        }
    }

    /// <summary>Invokes a callback; the generic subclass also knows its typed callbacks.</summary>
    private protected virtual void InvokeTyped(Delegate callback) => ((Action<Future>)callback)(this);
}
