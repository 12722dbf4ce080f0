using System;

namespace Executor;

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
