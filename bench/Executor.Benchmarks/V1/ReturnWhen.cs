// Executor.Runtime v1 as of commit b38a2e0 (main before issue 13), copied unchanged except for the namespace,
// so the benchmarks compare v1 and v2 in the same BenchmarkDotNet run on the same (noisy) machine.
#pragma warning disable
namespace Executor.V1;

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
