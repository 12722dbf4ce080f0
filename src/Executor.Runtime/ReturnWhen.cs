namespace Executor;

/// <summary>When <see cref="Futures.Wait"/> returns, mirroring Python's <c>FIRST_COMPLETED</c>, <c>FIRST_EXCEPTION</c> and <c>ALL_COMPLETED</c>.</summary>
public enum ReturnWhen
{
    /// <summary>Return as soon as any future finishes or is cancelled.</summary>
    FirstCompleted,

    /// <summary>Return when any future finishes by raising an exception, or when all futures are done.</summary>
    FirstException,

    /// <summary>Return when all futures are done (finished or cancelled).</summary>
    AllCompleted,
}
