// Executor.Runtime v1 as of commit b38a2e0 (main before issue 13), copied unchanged except for the namespace,
// so the benchmarks compare v1 and v2 in the same BenchmarkDotNet run on the same (noisy) machine.
#pragma warning disable
using System;

namespace Executor.V1;

/// <summary>
/// Marks a delegate parameter whose argument is invoked concurrently: on whichever thread completes the
/// underlying work, or synchronously on the thread that registers it when the work is already complete.
/// </summary>
/// <remarks>
/// The Executor analyzers (rule EXEC001) treat every lambda, anonymous method, local function or method group passed
/// to a parameter carrying this attribute as a concurrent callback, and report accesses to shared state it makes
/// without holding a lock. Put it on your own APIs that run callbacks the same way.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class ConcurrentCallbackAttribute : Attribute
{
}
