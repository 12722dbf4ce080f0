using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Executor.Analyzers;

/// <summary>
/// The types EXEC001 needs, recognized by namespace and metadata name. They are not resolved with
/// <see cref="Compilation.GetTypeByMetadataName(string)"/>: that searches every referenced assembly, and the 36 lookups
/// took 0.15-0.17 s of every build, most of EXEC001's fixed cost (bench/AnalyzerScale). Matching names also recognizes
/// a type however it reaches the compilation (reference assembly, type forward, or a copy declared in source).
/// </summary>
internal sealed class KnownTypes
{
    private static readonly string[] NonThreadSafeCollectionNames =
    {
        "System.Collections.Generic.List`1",
        "System.Collections.Generic.Dictionary`2",
        "System.Collections.Generic.HashSet`1",
        "System.Collections.Generic.Queue`1",
        "System.Collections.Generic.Stack`1",
        "System.Collections.Generic.SortedList`2",
        "System.Collections.Generic.SortedDictionary`2",
        "System.Collections.Generic.SortedSet`1",
        "System.Collections.Generic.LinkedList`1",
        "System.Collections.Generic.PriorityQueue`2",
        "System.Collections.ArrayList",
        "System.Collections.Hashtable",
        "System.Collections.Queue",
        "System.Collections.Stack",
        "System.Collections.SortedList",
        "System.Text.StringBuilder",
        "System.Random",
    };

    /// <summary>Namespaces whose types are all safe to use from several threads.</summary>
    private static readonly string[][] ThreadSafeNamespaces =
    {
        new[] { "System", "Collections", "Concurrent" },
        new[] { "System", "Collections", "Immutable" },
        new[] { "System", "Threading", "Channels" },
    };

    // After NonThreadSafeCollectionNames: static initializers run in source order, and the constructor reads it.
    /// <summary>Gets the one instance: nothing here depends on the compilation.</summary>
    public static KnownTypes Instance { get; } = new();

    private readonly Dictionary<string, List<KnownType>> _collectionsByName = new(StringComparer.Ordinal);

    private KnownTypes()
    {
        foreach (var name in NonThreadSafeCollectionNames)
        {
            var type = new KnownType(name);
            if (!_collectionsByName.TryGetValue(type.MetadataName, out var list))
            {
                _collectionsByName[type.MetadataName] = list = new List<KnownType>();
            }

            list.Add(type);
        }
    }

    public KnownType ConcurrentCallbackAttribute { get; } = new("Executor.ConcurrentCallbackAttribute");

    public KnownType ThreadSafeAttribute { get; } = new("Executor.ThreadSafeAttribute");

    public KnownType Future { get; } = new("Executor.Future");

    public KnownType Task { get; } = new("System.Threading.Tasks.Task");

    public KnownType TaskOfT { get; } = new("System.Threading.Tasks.Task`1");

    public KnownType CancellationToken { get; } = new("System.Threading.CancellationToken");

    public KnownType ThreadPool { get; } = new("System.Threading.ThreadPool");

    public KnownType ThreadingTimer { get; } = new("System.Threading.Timer");

    public KnownType TimersTimer { get; } = new("System.Timers.Timer");

    public KnownType Interlocked { get; } = new("System.Threading.Interlocked");

    public KnownType Volatile { get; } = new("System.Threading.Volatile");

    public KnownType ImmutableInterlocked { get; } = new("System.Collections.Immutable.ImmutableInterlocked");

    public KnownType LazyInitializer { get; } = new("System.Threading.LazyInitializer");

    public KnownType Monitor { get; } = new("System.Threading.Monitor");

    public KnownType Lock { get; } = new("System.Threading.Lock");

    public KnownType SpinLock { get; } = new("System.Threading.SpinLock");

    public KnownType ReaderWriterLockSlim { get; } = new("System.Threading.ReaderWriterLockSlim");

    public KnownType ReaderWriterLock { get; } = new("System.Threading.ReaderWriterLock");

    public KnownType SemaphoreSlim { get; } = new("System.Threading.SemaphoreSlim");

    public KnownType Mutex { get; } = new("System.Threading.Mutex");

    public KnownType ThreadStaticAttribute { get; } = new("System.ThreadStaticAttribute");

    public KnownType ThreadPoolExecutor { get; } = new("Executor.ThreadPoolExecutor");

    public KnownType Futures { get; } = new("Executor.Futures");

    public KnownType ValueTask { get; } = new("System.Threading.Tasks.ValueTask");

    public KnownType ValueTaskOfT { get; } = new("System.Threading.Tasks.ValueTask`1");

    public KnownType TaskAwaiter { get; } = new("System.Runtime.CompilerServices.TaskAwaiter");

    public KnownType TaskAwaiterOfT { get; } = new("System.Runtime.CompilerServices.TaskAwaiter`1");

    public KnownType TaskScheduler { get; } = new("System.Threading.Tasks.TaskScheduler");

    public KnownType ConcurrentExclusiveSchedulerPair { get; } = new("System.Threading.Tasks.ConcurrentExclusiveSchedulerPair");

    public KnownType CancellationTokenSource { get; } = new("System.Threading.CancellationTokenSource");

    public KnownType WaitHandle { get; } = new("System.Threading.WaitHandle");

    public KnownType ManualResetEventSlim { get; } = new("System.Threading.ManualResetEventSlim");

    public KnownType CountdownEvent { get; } = new("System.Threading.CountdownEvent");

    public KnownType Barrier { get; } = new("System.Threading.Barrier");

    public KnownType Thread { get; } = new("System.Threading.Thread");

    public KnownType ConcurrentWorkAttribute { get; } = new("Executor.ConcurrentWorkAttribute");

    public KnownType Parallel { get; } = new("System.Threading.Tasks.Parallel");

    public KnownType ParallelEnumerable { get; } = new("System.Linq.ParallelEnumerable");

    public KnownType TaskFactory { get; } = new("System.Threading.Tasks.TaskFactory");

    public KnownType TaskFactoryOfT { get; } = new("System.Threading.Tasks.TaskFactory`1");

    public KnownType ConcurrentDictionary { get; } = new("System.Collections.Concurrent.ConcurrentDictionary`2");

    public KnownType ConcurrentQueue { get; } = new("System.Collections.Concurrent.ConcurrentQueue`1");

    public KnownType ConcurrentStack { get; } = new("System.Collections.Concurrent.ConcurrentStack`1");

    public KnownType ConcurrentBag { get; } = new("System.Collections.Concurrent.ConcurrentBag`1");

    /// <summary>Whether the type is declared in a namespace whose types are all thread-safe (concurrent and immutable collections, channels).</summary>
    public bool IsInThreadSafeNamespace(INamedTypeSymbol type)
    {
        foreach (var parts in ThreadSafeNamespaces)
        {
            if (KnownType.IsNamespace(type.ContainingNamespace, parts))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the type is one of the BCL collections or builders whose mutating members are not safe to call concurrently.</summary>
    public bool IsNonThreadSafeCollection(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named || !_collectionsByName.TryGetValue(named.MetadataName, out var candidates))
        {
            return false;
        }

        foreach (var candidate in candidates)
        {
            if (candidate.Matches(named))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A top-level type named by its full metadata name ("System.Threading.Tasks.Task`1"), matched without symbol lookups.</summary>
internal sealed class KnownType
{
    private readonly string[] _namespace;

    public KnownType(string fullMetadataName)
    {
        var parts = fullMetadataName.Split('.');
        MetadataName = parts[parts.Length - 1];
        _namespace = new string[parts.Length - 1];
        Array.Copy(parts, _namespace, _namespace.Length);
    }

    public string MetadataName { get; }

    /// <summary>Whether <paramref name="type"/> (or the generic definition it is built from) is this type.</summary>
    public bool Matches(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named || named.ContainingType is not null || !string.Equals(named.MetadataName, MetadataName, StringComparison.Ordinal))
        {
            return false;
        }

        return IsNamespace(named.ContainingNamespace, _namespace);
    }

    /// <summary>Whether <paramref name="ns"/> is exactly the namespace made of <paramref name="parts"/>, outermost first.</summary>
    public static bool IsNamespace(INamespaceSymbol? ns, string[] parts)
    {
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            if (ns is null || ns.IsGlobalNamespace || !string.Equals(ns.Name, parts[i], StringComparison.Ordinal))
            {
                return false;
            }

            ns = ns.ContainingNamespace;
        }

        return ns is { IsGlobalNamespace: true };
    }

    /// <summary>Whether one of <paramref name="attributes"/> is of this type.</summary>
    public bool IsAppliedIn(ImmutableArray<AttributeData> attributes)
    {
        foreach (var data in attributes)
        {
            if (Matches(data.AttributeClass))
            {
                return true;
            }
        }

        return false;
    }
}
