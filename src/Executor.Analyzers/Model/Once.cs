using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace Executor.Analyzers;

/// <summary>
/// Caches whose values are computed once per key, even when several analyzer threads ask at the same time.
/// <see cref="ConcurrentDictionary{TKey, TValue}.GetOrAdd(TKey, Func{TKey, TValue})"/> runs the factory on every
/// thread that misses, so two callbacks that need the same expensive value (every access to a field across a type,
/// which binds each member that mentions it; the flow graph of a member with a thousand callbacks) both computed it,
/// and bench/AnalyzerScale charged both to the analyzer. Here the second thread waits for the first one's value.
/// </summary>
internal static class Once
{
    /// <summary>The value for <paramref name="key"/>, computed by <paramref name="factory"/> on the first thread that asks; a factory that throws (cancellation) leaves no entry behind.</summary>
    public static TValue GetOrCompute<TKey, TValue>(this ConcurrentDictionary<TKey, Lazy<TValue>> cache, TKey key, Func<TKey, TValue> factory)
        where TKey : notnull
    {
        var lazy = cache.GetOrAdd(key, k => new Lazy<TValue>(() => factory(k), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Lazy would keep the exception (a cancellation) for every later caller: drop this entry, so the next
            // caller computes the value again, as GetOrAdd did.
            ((ICollection<KeyValuePair<TKey, Lazy<TValue>>>)cache).Remove(new KeyValuePair<TKey, Lazy<TValue>>(key, lazy));
            throw;
        }
    }
}
