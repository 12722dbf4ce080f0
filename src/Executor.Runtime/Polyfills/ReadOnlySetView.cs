#if !NET5_0_OR_GREATER
using System.Collections;
using System.Collections.Generic;

namespace Executor
{
    /// <summary>On netstandard2.0, <see cref="HashSet{T}"/> does not implement <see cref="IReadOnlySet{T}"/>: this view does.</summary>
    internal sealed class ReadOnlySetView<T> : IReadOnlySet<T>
    {
        private readonly HashSet<T> _set;

        public ReadOnlySetView(HashSet<T> set) => _set = set;

        public int Count => _set.Count;

        public bool Contains(T item) => _set.Contains(item);

        public bool IsProperSubsetOf(IEnumerable<T> other) => _set.IsProperSubsetOf(other);

        public bool IsProperSupersetOf(IEnumerable<T> other) => _set.IsProperSupersetOf(other);

        public bool IsSubsetOf(IEnumerable<T> other) => _set.IsSubsetOf(other);

        public bool IsSupersetOf(IEnumerable<T> other) => _set.IsSupersetOf(other);

        public bool Overlaps(IEnumerable<T> other) => _set.Overlaps(other);

        public bool SetEquals(IEnumerable<T> other) => _set.SetEquals(other);

        public IEnumerator<T> GetEnumerator() => _set.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The constructor <see cref="Futures.Wait"/> calls with its two hash sets on netstandard2.0.</summary>
    public sealed partial record DoneAndNotDone
    {
        internal DoneAndNotDone(HashSet<Future> done, HashSet<Future> notDone)
            : this(new ReadOnlySetView<Future>(done), new ReadOnlySetView<Future>(notDone))
        {
        }
    }
}
#endif
