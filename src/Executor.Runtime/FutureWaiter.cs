using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Executor;

/// <summary>
/// Collects futures as they complete, for <see cref="Futures.Wait"/>, <see cref="Futures.AsCompleted"/> and
/// <see cref="Futures.AsCompletedAsync"/>. Futures report to it under their own lock; it never calls back into a
/// future while holding its own lock.
/// </summary>
internal sealed class FutureWaiter
{
    private readonly object _gate = new();
    private readonly ReturnWhen _returnWhen;
    private readonly List<Future> _finished = new();
    private int _pending;
    private bool _signalled;
    private TaskCompletionSource<bool>? _signal;

    public FutureWaiter(ReturnWhen returnWhen, int pending)
    {
        _returnWhen = returnWhen;
        _pending = pending;
    }

    public bool IsSignalled
    {
        get
        {
            lock (_gate)
            {
                return _signalled;
            }
        }
    }

    public void OnDone(Future future)
    {
        TaskCompletionSource<bool>? signal = null;
        lock (_gate)
        {
            _finished.Add(future);
            _pending--;
            bool done = _returnWhen switch
            {
                ReturnWhen.FirstCompleted => true,
                ReturnWhen.FirstException => future.HasException || _pending <= 0,
                _ => _pending <= 0,
            };

            if (done && !_signalled)
            {
                _signalled = true;
                Monitor.PulseAll(_gate);
                signal = _signal;
                _signal = null;
            }
        }

        // Its continuations run asynchronously, so completing it here runs no user code on the future's thread.
        signal?.TrySetResult(true);
    }

    /// <summary>Waits until signalled, the deadline passes (returns false) or the token is cancelled (throws).</summary>
    public bool Wait(Deadline deadline, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static s => ((FutureWaiter)s!).Pulse(), this)
            : default;
        try
        {
            lock (_gate)
            {
                while (!_signalled)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    int remaining = deadline.RemainingMilliseconds();
                    if (remaining == 0)
                    {
                        return false;
                    }

                    Monitor.Wait(_gate, remaining);
                }

                if (_signalled)
                {
                    return true;
                }
            }
        }
        finally
        {
            registration.Dispose();
        }

        cancellationToken.ThrowIfCancellationRequested();
        return true;
    }

    /// <summary>Completes when signalled; cancelled with the token.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> signal;
        lock (_gate)
        {
            if (_signalled)
            {
                return Task.CompletedTask;
            }

            signal = _signal ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return signal.Task;
        }

        return WithCancellation(signal.Task, cancellationToken);
    }

    /// <summary>Takes the futures reported so far and re-arms the waiter.</summary>
    public List<Future> TakeFinished()
    {
        lock (_gate)
        {
            var taken = new List<Future>(_finished);
            _finished.Clear();
            _signalled = false;
            return taken;
        }
    }

    private static async Task WithCancellation(Task task, CancellationToken cancellationToken)
    {
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static s => ((TaskCompletionSource<bool>)s!).TrySetResult(true), cancelled))
        {
            if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private void Pulse()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }
}

/// <summary>
/// A waiter's registration on the futures it still waits for. Owned by one enumerator; if the enumerator is dropped
/// without being disposed, the finalizer takes the waiter off the futures, so they do not accumulate dead waiters.
/// The waiter does not reference this object, so the futures do not keep it alive.
/// </summary>
internal sealed class WaiterRegistration
{
    private readonly HashSet<Future> _pending;
    private readonly FutureWaiter _waiter;
    private int _released;

    public WaiterRegistration(HashSet<Future> pending, FutureWaiter waiter)
    {
        _pending = pending;
        _waiter = waiter;
        foreach (var future in pending)
        {
            future.AddWaiter(waiter);
        }
    }

    ~WaiterRegistration()
    {
        Release();
    }

    /// <summary>Takes the waiter off every future still pending; idempotent.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            foreach (var future in _pending)
            {
                future.RemoveWaiter(_waiter);
            }

            System.GC.SuppressFinalize(this);
        }
    }
}
