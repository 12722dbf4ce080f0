// Executor.Runtime v1 as of commit b38a2e0 (main before issue 13), copied unchanged except for the namespace,
// so the benchmarks compare v1 and v2 in the same BenchmarkDotNet run on the same (noisy) machine.
#pragma warning disable
using System;
using System.Threading;

namespace Executor.V1;

/// <summary>A <see cref="Future"/> whose operation produces a value of type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The type of the result.</typeparam>
/// <remarks>The callback-thread contract described on <see cref="Future"/> applies to both callback overloads.</remarks>
public class Future<T> : Future
{
    private T _result = default!;

    /// <summary>Initializes a new pending future.</summary>
    public Future()
    {
    }

    /// <summary>Blocks until the operation completes and returns its result.</summary>
    /// <param name="timeout">How long to wait; <see langword="null"/> waits without limit.</param>
    /// <returns>The operation's result.</returns>
    /// <exception cref="TimeoutException">The future did not complete within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    /// <remarks>An exception raised by the operation is rethrown as itself, with its original stack trace.</remarks>
    public new T Result(TimeSpan? timeout = null)
    {
        WaitDone(timeout);
        ThrowIfFailed();
        return _result;
    }

    /// <summary>Registers a typed callback to run when the future is done. See <see cref="Future"/> for the thread it runs on.</summary>
    /// <param name="callback">The callback; it receives this future.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public void AddDoneCallback([ConcurrentCallback] Action<Future<T>> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddCallback(callback);
    }

    /// <summary>Completes the future with a value. Done callbacks run on the calling thread before this method returns.</summary>
    /// <param name="result">The value <see cref="Result"/> returns.</param>
    /// <exception cref="InvalidOperationException">The future is already finished or cancelled.</exception>
    public void SetResult(T result)
    {
        lock (Gate)
        {
            ThrowIfCompleteLocked();
            _result = result;
            FinishLocked(null);
        }

        InvokeCallbacks();
    }

    /// <inheritdoc/>
    private protected override void InvokeTyped(Delegate callback)
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
}
