// Executor.Runtime v1 as of commit b38a2e0 (main before issue 13), copied unchanged except for the namespace,
// so the benchmarks compare v1 and v2 in the same BenchmarkDotNet run on the same (noisy) machine.
#pragma warning disable
using System.Collections.Generic;

namespace Executor.V1;

/// <summary>The result of <see cref="Futures.Wait"/>: the futures that were done when it returned, and the rest.</summary>
/// <param name="Done">Futures that had finished or been cancelled.</param>
/// <param name="NotDone">Futures that were still pending or running (only non-empty on timeout or early return).</param>
public sealed record DoneAndNotDone(IReadOnlySet<Future> Done, IReadOnlySet<Future> NotDone);
