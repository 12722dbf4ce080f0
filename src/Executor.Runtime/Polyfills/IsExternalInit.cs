#if NET5_0_OR_GREATER
// The netstandard2.0 build defines IsExternalInit (internal) for the record DoneAndNotDone; init accessors carry it in
// their signatures, so a netstandard2.0 consumer's reference to it is forwarded here to the framework's type.
[assembly: System.Runtime.CompilerServices.TypeForwardedTo(typeof(System.Runtime.CompilerServices.IsExternalInit))]
#else
namespace System.Runtime.CompilerServices
{
    /// <summary>Lets the compiler emit <c>init</c> accessors (records) on netstandard2.0.</summary>
    internal static class IsExternalInit
    {
    }
}
#endif
