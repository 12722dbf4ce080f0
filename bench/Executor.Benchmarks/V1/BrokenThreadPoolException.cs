// Executor.Runtime v1 as of commit b38a2e0 (main before issue 13), copied unchanged except for the namespace,
// so the benchmarks compare v1 and v2 in the same BenchmarkDotNet run on the same (noisy) machine.
#pragma warning disable
using System;

namespace Executor.V1;

/// <summary>
/// Thrown when a <see cref="ThreadPoolExecutor"/> can no longer run work because a worker's initializer failed.
/// The initializer's own exception is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class BrokenThreadPoolException : InvalidOperationException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public BrokenThreadPoolException()
        : base("The thread pool is broken and cannot run work.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public BrokenThreadPoolException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and the exception that broke the pool.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that broke the pool, usually thrown by the worker initializer.</param>
    public BrokenThreadPoolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
