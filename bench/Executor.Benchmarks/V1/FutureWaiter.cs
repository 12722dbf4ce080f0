// Executor.Runtime v1 as of commit b38a2e0 (main before issue 13), copied unchanged except for the namespace,
// so the benchmarks compare v1 and v2 in the same BenchmarkDotNet run on the same (noisy) machine.
#pragma warning disable
using System.Collections.Generic;
using System.Threading;

namespace Executor.V1;

/// <summary>
/// Collects futures as they complete, for <see cref="Futures.Wait"/> and <see cref="Futures.AsCompleted"/>.
/// Futures report to it under their own lock; it never calls back into a future while holding its own lock.
/// </summary>
internal sealed class FutureWaiter
{
    private readonly object _gate = new();
    private readonly ReturnWhen _returnWhen;
    private readonly List<Future> _finished = new();
    private int _pending;
    private bool _signalled;

    public FutureWaiter(ReturnWhen returnWhen, int pending)
    {
        _returnWhen = returnWhen;
        _pending = pending;
    }

    public void OnDone(Future future)
    {
        lock (_gate)
        {
            _finished.Add(future);
            _pending--;
            bool signal = _returnWhen switch
            {
                ReturnWhen.FirstCompleted => true,
                ReturnWhen.FirstException => future.HasException || _pending <= 0,
                _ => _pending <= 0,
            };

            if (signal && !_signalled)
            {
                _signalled = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Waits until signalled or the timeout (milliseconds, -1 infinite) passes; returns whether it was signalled.</summary>
    public bool Wait(int millisecondsTimeout)
    {
        lock (_gate)
        {
            if (_signalled)
            {
                return true;
            }

            if (millisecondsTimeout == 0)
            {
                return false;
            }

            long deadline = millisecondsTimeout < 0 ? long.MaxValue : System.Environment.TickCount64 + millisecondsTimeout;
            while (!_signalled)
            {
                if (millisecondsTimeout < 0)
                {
                    Monitor.Wait(_gate);
                    continue;
                }

                long remaining = deadline - System.Environment.TickCount64;
                if (remaining <= 0)
                {
                    return false;
                }

                Monitor.Wait(_gate, (int)remaining);
            }

            return true;
        }
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
}
