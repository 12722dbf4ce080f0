// Executor.Runtime v1 as of commit b38a2e0 (main before issue 13), copied unchanged except for the namespace,
// so the benchmarks compare v1 and v2 in the same BenchmarkDotNet run on the same (noisy) machine.
#pragma warning disable
using System;

namespace Executor.V1;

/// <summary>Describes an exception thrown by a done callback; raised through <see cref="Futures.CallbackFailed"/>.</summary>
public sealed class CallbackExceptionEventArgs : EventArgs
{
    internal CallbackExceptionEventArgs(Future future, Exception exception)
    {
        Future = future;
        Exception = exception;
    }

    /// <summary>Gets the future whose done callback threw.</summary>
    public Future Future { get; }

    /// <summary>Gets the exception the callback threw.</summary>
    public Exception Exception { get; }
}
