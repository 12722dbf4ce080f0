using System;

namespace Executor;

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
