using System.Collections.Generic;

namespace Executor;

/// <summary>The result of <see cref="Futures.Wait"/>: the futures that were done when it returned, and the rest.</summary>
/// <param name="Done">Futures that had finished or been cancelled.</param>
/// <param name="NotDone">Futures that were still pending or running (only non-empty on timeout or early return).</param>
public sealed partial record DoneAndNotDone(IReadOnlySet<Future> Done, IReadOnlySet<Future> NotDone);
