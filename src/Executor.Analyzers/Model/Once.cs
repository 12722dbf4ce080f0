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
    /// <summary>
    /// The value for <paramref name="key"/>, computed by the factory of the first thread that asks. A factory that
    /// throws (a cancellation) leaves no entry behind, as with GetOrAdd; a caller that waited on another caller's
    /// cancelled factory computes the value itself.
    /// </summary>
    public static TValue GetOrCompute<TKey, TValue>(this ConcurrentDictionary<TKey, Lazy<TValue>> cache, TKey key, Func<TKey, TValue> factory, CancellationToken cancellationToken)
        where TKey : notnull
    {
        while (true)
        {
            var lazy = cache.GetOrAdd(key, k => new Lazy<TValue>(() => factory(k), LazyThreadSafetyMode.ExecutionAndPublication));
            try
            {
                return lazy.Value;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Another caller's cancellation: drop its entry and compute again.
                Remove(cache, key, lazy);
            }
            catch
            {
                Remove(cache, key, lazy);
                throw;
            }
        }
    }

    /// <summary>
    /// The value of a lazily computed slot, computed once by the first caller (<paramref name="compute"/> with its
    /// token); a cancelled computation is dropped, and a caller that is not cancelled itself computes again.
    /// </summary>
    public static T GetOrCompute<T>(ref Lazy<T>? slot, Func<CancellationToken, T> compute, CancellationToken cancellationToken)
    {
        while (true)
        {
            var lazy = Volatile.Read(ref slot);
            if (lazy is null)
            {
                var created = new Lazy<T>(() => compute(cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
                lazy = Interlocked.CompareExchange(ref slot, created, null) ?? created;
            }

            try
            {
                return lazy.Value;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref slot, null, lazy);
            }
            catch
            {
                Interlocked.CompareExchange(ref slot, null, lazy);
                throw;
            }
        }
    }

    private static void Remove<TKey, TValue>(ConcurrentDictionary<TKey, Lazy<TValue>> cache, TKey key, Lazy<TValue> lazy)
        where TKey : notnull
        => ((ICollection<KeyValuePair<TKey, Lazy<TValue>>>)cache).Remove(new KeyValuePair<TKey, Lazy<TValue>>(key, lazy));
}
