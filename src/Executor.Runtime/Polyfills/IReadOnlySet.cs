#if NET5_0_OR_GREATER
// The netstandard2.0 build defines System.Collections.Generic.IReadOnlySet<T> (below) because DoneAndNotDone exposes it.
// A netstandard2.0 library compiled against that build refers to [Executor.Runtime]IReadOnlySet<T>; when it runs in a
// .NET 5+ app, which loads this build, the forward sends that reference to the framework's own interface.
[assembly: System.Runtime.CompilerServices.TypeForwardedTo(typeof(System.Collections.Generic.IReadOnlySet<>))]
#else
namespace System.Collections.Generic
{
    /// <summary>
    /// A read-only abstraction of a set: the netstandard2.0 stand-in for the interface built into .NET 5 and later
    /// (to which the net8.0 build of this assembly forwards it).
    /// </summary>
    /// <typeparam name="T">The type of the elements in the set.</typeparam>
    public interface IReadOnlySet<T> : IReadOnlyCollection<T>
    {
        /// <summary>Determines whether the set contains the specified element.</summary>
        /// <param name="item">The element to locate.</param>
        /// <returns><see langword="true"/> if the set contains <paramref name="item"/>.</returns>
        bool Contains(T item);

        /// <summary>Determines whether the set is a proper subset of the specified collection.</summary>
        /// <param name="other">The collection to compare to.</param>
        /// <returns><see langword="true"/> if the set is a proper subset of <paramref name="other"/>.</returns>
        bool IsProperSubsetOf(IEnumerable<T> other);

        /// <summary>Determines whether the set is a proper superset of the specified collection.</summary>
        /// <param name="other">The collection to compare to.</param>
        /// <returns><see langword="true"/> if the set is a proper superset of <paramref name="other"/>.</returns>
        bool IsProperSupersetOf(IEnumerable<T> other);

        /// <summary>Determines whether the set is a subset of the specified collection.</summary>
        /// <param name="other">The collection to compare to.</param>
        /// <returns><see langword="true"/> if the set is a subset of <paramref name="other"/>.</returns>
        bool IsSubsetOf(IEnumerable<T> other);

        /// <summary>Determines whether the set is a superset of the specified collection.</summary>
        /// <param name="other">The collection to compare to.</param>
        /// <returns><see langword="true"/> if the set is a superset of <paramref name="other"/>.</returns>
        bool IsSupersetOf(IEnumerable<T> other);

        /// <summary>Determines whether the set and the specified collection share at least one element.</summary>
        /// <param name="other">The collection to compare to.</param>
        /// <returns><see langword="true"/> if they share an element.</returns>
        bool Overlaps(IEnumerable<T> other);

        /// <summary>Determines whether the set and the specified collection contain the same elements.</summary>
        /// <param name="other">The collection to compare to.</param>
        /// <returns><see langword="true"/> if they contain the same elements.</returns>
        bool SetEquals(IEnumerable<T> other);
    }
}
#endif
