using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Executor;

/// <summary>Functions over groups of futures, mirroring Python's <c>concurrent.futures.wait</c> and <c>as_completed</c>.</summary>
public static class Futures
{
    /// <summary>
    /// Raised when a done callback throws. The callback's exception never reaches the worker or the thread that
    /// completed the future, and never stops later callbacks; it is reported here instead.
    /// </summary>
    /// <remarks>
    /// Handlers run on the thread that ran the failing callback. When no handler is attached, the failure is written
    /// to standard error (as Python's logging does for <c>add_done_callback</c>) and to <see cref="Trace"/>, so it is
    /// never silently lost. An exception thrown by a handler is written the same way.
    /// </remarks>
    public static event EventHandler<CallbackExceptionEventArgs>? CallbackFailed;

    /// <summary>Waits for the futures to complete, as selected by <paramref name="returnWhen"/>.</summary>
    /// <param name="futures">The futures to wait on; duplicates are counted once. Futures from different executors may be mixed.</param>
    /// <param name="timeout">How long to wait at most; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/>
    /// waits without limit. On timeout the partial result is returned, no exception is thrown.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="cancellationToken">Abandons the wait (not the futures) when cancelled.</param>
    /// <returns>The futures done when the wait ended, and those not done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or <paramref name="returnWhen"/> is not defined.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the wait ended.</exception>
    /// <remarks>Called on a worker of an executor, it first runs inline the futures of that executor that have not
    /// started (see <see cref="ThreadPoolExecutor"/>).</remarks>
    public static DoneAndNotDone Wait(IEnumerable<Future> futures, TimeSpan? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted, CancellationToken cancellationToken = default)
    {
        var set = ToSet(futures, nameof(futures));
        var deadline = Deadline.From(timeout, nameof(timeout));
        if (returnWhen is not (ReturnWhen.FirstCompleted or ReturnWhen.FirstException or ReturnWhen.AllCompleted))
        {
            throw new ArgumentOutOfRangeException(nameof(returnWhen), returnWhen, "Expected FirstCompleted, FirstException or AllCompleted.");
        }

        bool satisfied = IsSatisfied(set, returnWhen);
        if (!satisfied && ThreadPoolExecutor.IsOnWorkerThread)
        {
            foreach (var future in set)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (future.TryRunInline() && IsSatisfied(set, returnWhen))
                {
                    satisfied = true;
                    break;
                }
            }
        }

        if (!satisfied && deadline.RemainingMilliseconds() != 0)
        {
            var waiter = new FutureWaiter(returnWhen, set.Count);
            foreach (var future in set)
            {
                future.AddWaiter(waiter);
            }

            try
            {
                waiter.Wait(deadline, cancellationToken);
            }
            finally
            {
                foreach (var future in set)
                {
                    future.RemoveWaiter(waiter);
                }
            }
        }

        var done = new HashSet<Future>(ReferenceEqualityComparer.Instance);
        var notDone = new HashSet<Future>(ReferenceEqualityComparer.Instance);
        foreach (var future in set)
        {
            (future.IsDone ? done : notDone).Add(future);
        }

        return new DoneAndNotDone(done, notDone);
    }

    /// <summary>
    /// Yields the futures as they complete (finished or cancelled): those already done first, then the others in
    /// completion order.
    /// </summary>
    /// <param name="futures">The futures; duplicates are yielded once. Read at the call.</param>
    /// <param name="timeout">The total time enumeration may take, counted from the call; <see langword="null"/> or
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    /// <param name="cancellationToken">Abandons the enumeration with <see cref="OperationCanceledException"/> when cancelled.</param>
    /// <returns>The futures in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    /// <exception cref="TimeoutException">Thrown during enumeration when the timeout passes; the message says how many futures are unfinished.</exception>
    /// <remarks>An enumerator dropped without <c>Dispose</c> leaves nothing registered on the futures once it is
    /// collected. On a worker of an executor, futures of that executor that have not started are run inline.</remarks>
    public static IEnumerable<Future> AsCompleted(IEnumerable<Future> futures, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var set = ToSet(futures, nameof(futures));
        var deadline = Deadline.From(timeout, nameof(timeout));
        return AsCompletedIterator(set, deadline, cancellationToken);
    }

    /// <summary>
    /// Yields the futures as they complete, without blocking a thread: those already done first, then the others in
    /// completion order.
    /// </summary>
    /// <param name="futures">The futures; duplicates are yielded once. Read at the call.</param>
    /// <param name="cancellationToken">Ends the enumeration with <see cref="OperationCanceledException"/> when
    /// cancelled (as does the token given to <c>WithCancellation</c>).</param>
    /// <returns>The futures in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or one of its elements is <see langword="null"/>.</exception>
    public static IAsyncEnumerable<Future> AsCompletedAsync(IEnumerable<Future> futures, CancellationToken cancellationToken = default)
    {
        var set = ToSet(futures, nameof(futures));
        return AsCompletedAsyncIterator(set, cancellationToken);
    }

    internal static void ReportCallbackFailure(Future future, Exception exception)
    {
        ExecutorMetrics.Add(ExecutorMetrics.CallbackFailures, future.OwnerCore);
        var handler = CallbackFailed;
        if (handler is not null)
        {
            try
            {
                handler(null, new CallbackExceptionEventArgs(future, exception));
                return;
            }
            catch (Exception handlerException)
            {
                WriteFailure($"A Futures.CallbackFailed handler threw while reporting a done-callback failure of {future}: {handlerException}");
            }
        }

        WriteFailure($"Exception in a done callback of {future}: {exception}");
    }

    private static void WriteFailure(string message)
    {
        try
        {
            Trace.TraceError(message);
            Console.Error.WriteLine(message);
        }
        catch (Exception)
        {
            // Reporting must never take down the completing thread; there is nowhere left to report to.
        }
    }

    private static IEnumerable<Future> AsCompletedIterator(HashSet<Future> set, Deadline deadline, CancellationToken cancellationToken)
    {
        var pending = new HashSet<Future>(ReferenceEqualityComparer.Instance);
        foreach (var future in set)
        {
            if (future.IsDone)
            {
                yield return future;
            }
            else
            {
                pending.Add(future);
            }
        }

        if (pending.Count == 0)
        {
            yield break;
        }

        var waiter = new FutureWaiter(ReturnWhen.FirstCompleted, pending.Count);
        var registration = new WaiterRegistration(pending, waiter);
        try
        {
            while (pending.Count > 0)
            {
                if (ThreadPoolExecutor.IsOnWorkerThread && !waiter.IsSignalled)
                {
                    foreach (var future in pending)
                    {
                        if (future.TryRunInline())
                        {
                            break;
                        }
                    }
                }

                if (!waiter.Wait(deadline, cancellationToken))
                {
                    throw new TimeoutException($"{pending.Count} (of {set.Count}) futures unfinished.");
                }

                foreach (var future in waiter.TakeFinished())
                {
                    if (pending.Remove(future))
                    {
                        future.RemoveWaiter(waiter);
                        yield return future;
                    }
                }
            }
        }
        finally
        {
            registration.Release();
        }
    }

    private static async IAsyncEnumerable<Future> AsCompletedAsyncIterator(HashSet<Future> set, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new HashSet<Future>(ReferenceEqualityComparer.Instance);
        foreach (var future in set)
        {
            if (future.IsDone)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return future;
            }
            else
            {
                pending.Add(future);
            }
        }

        if (pending.Count == 0)
        {
            yield break;
        }

        var waiter = new FutureWaiter(ReturnWhen.FirstCompleted, pending.Count);
        var registration = new WaiterRegistration(pending, waiter);
        try
        {
            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await waiter.WaitAsync(cancellationToken).ConfigureAwait(false);
                foreach (var future in waiter.TakeFinished())
                {
                    if (pending.Remove(future))
                    {
                        future.RemoveWaiter(waiter);
                        yield return future;
                    }
                }
            }
        }
        finally
        {
            registration.Release();
        }
    }

    private static HashSet<Future> ToSet(IEnumerable<Future> futures, string paramName)
    {
        Guard.NotNull(futures, paramName);
        var set = new HashSet<Future>(ReferenceEqualityComparer.Instance);
        foreach (var future in futures)
        {
            if (future is null)
            {
                throw new ArgumentNullException(paramName, "The sequence contains a null future.");
            }

            set.Add(future);
        }

        return set;
    }

    private static bool IsSatisfied(HashSet<Future> set, ReturnWhen returnWhen) => returnWhen switch
    {
        ReturnWhen.FirstCompleted => AnyDone(set),
        ReturnWhen.FirstException => AllDone(set) || AnyException(set),
        _ => AllDone(set),
    };

    private static bool AnyDone(HashSet<Future> set)
    {
        foreach (var future in set)
        {
            if (future.IsDone)
            {
                return true;
            }
        }

        return false;
    }

    private static bool AllDone(HashSet<Future> set)
    {
        foreach (var future in set)
        {
            if (!future.IsDone)
            {
                return false;
            }
        }

        return true;
    }

    private static bool AnyException(HashSet<Future> set)
    {
        foreach (var future in set)
        {
            if (future.HasException)
            {
                return true;
            }
        }

        return false;
    }
}
