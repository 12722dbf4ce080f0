namespace Executor;

/// <summary>The state of a <see cref="Future"/>, as returned by <see cref="Future.Status"/>.</summary>
public enum FutureStatus
{
    /// <summary>Not started: queued, or created and not yet completed. It can still be cancelled.</summary>
    Pending,

    /// <summary>The operation is running; it can no longer be cancelled.</summary>
    Running,

    /// <summary>Cancelled before it started, or its operation observed its cancellation token.</summary>
    Cancelled,

    /// <summary>Finished by throwing an exception.</summary>
    Faulted,

    /// <summary>Finished without an exception.</summary>
    Succeeded,
}
