using System;

namespace Executor;

/// <summary>
/// Marks a delegate parameter whose argument runs as concurrent work: several runs of it at the same time on different
/// threads (a parallel loop body, a function mapped over items), and at the same time as the code that started it.
/// </summary>
/// <remarks>
/// The Executor analyzers treat every lambda, anonymous method, local function or method group passed to a parameter
/// carrying this attribute like a <c>Parallel.ForEach</c> body that does not join: rule EXEC002 reports writes to shared
/// state that another run can race with, EXEC003 reports captured variables changed after the hand-off, and EXEC006
/// reports check-then-act sequences on thread-safe collections. Put it on your own parallel APIs.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class ConcurrentWorkAttribute : Attribute
{
}
