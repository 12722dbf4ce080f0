// Executor.Runtime v1 as of commit b38a2e0 (main before issue 13), copied unchanged except for the namespace,
// so the benchmarks compare v1 and v2 in the same BenchmarkDotNet run on the same (noisy) machine.
#pragma warning disable
using System;

namespace Executor.V1;

/// <summary>
/// Declares that every member of the marked type may be called from several threads at once without external locking.
/// </summary>
/// <remarks>
/// The Executor analyzers (rule EXEC001) never report calls to members of such a type, or reads and writes of
/// fields whose type carries this attribute, made from a concurrent callback.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class ThreadSafeAttribute : Attribute
{
}
