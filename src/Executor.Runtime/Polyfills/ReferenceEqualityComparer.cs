#if !NET5_0_OR_GREATER
using System.Runtime.CompilerServices;

namespace System.Collections.Generic
{
    /// <summary>Compares objects by reference, as the .NET 5+ type of the same name does.</summary>
    internal sealed class ReferenceEqualityComparer : IEqualityComparer<object?>
    {
        private ReferenceEqualityComparer()
        {
        }

        public static ReferenceEqualityComparer Instance { get; } = new();

        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);

        public int GetHashCode(object? obj) => RuntimeHelpers.GetHashCode(obj!);
    }
}
#endif
