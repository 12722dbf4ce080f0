using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Executor.Analyzers;

/// <summary>The types EXEC001 needs, resolved once per compilation by metadata name. A missing type is <see langword="null"/>.</summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation)
    {
        ConcurrentCallbackAttribute = compilation.GetTypeByMetadataName("Executor.ConcurrentCallbackAttribute");
        ThreadSafeAttribute = compilation.GetTypeByMetadataName("Executor.ThreadSafeAttribute");
        Future = compilation.GetTypeByMetadataName("Executor.Future");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        ThreadPool = compilation.GetTypeByMetadataName("System.Threading.ThreadPool");
        ThreadingTimer = compilation.GetTypeByMetadataName("System.Threading.Timer");
        TimersTimer = compilation.GetTypeByMetadataName("System.Timers.Timer");
        Interlocked = compilation.GetTypeByMetadataName("System.Threading.Interlocked");
        Volatile = compilation.GetTypeByMetadataName("System.Threading.Volatile");
        Monitor = compilation.GetTypeByMetadataName("System.Threading.Monitor");
        Lock = compilation.GetTypeByMetadataName("System.Threading.Lock");
        SpinLock = compilation.GetTypeByMetadataName("System.Threading.SpinLock");
        ReaderWriterLockSlim = compilation.GetTypeByMetadataName("System.Threading.ReaderWriterLockSlim");
        ReaderWriterLock = compilation.GetTypeByMetadataName("System.Threading.ReaderWriterLock");
        SemaphoreSlim = compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim");
        Mutex = compilation.GetTypeByMetadataName("System.Threading.Mutex");
        ThreadStaticAttribute = compilation.GetTypeByMetadataName("System.ThreadStaticAttribute");
        StringBuilder = compilation.GetTypeByMetadataName("System.Text.StringBuilder");

        var collections = ImmutableHashSet.CreateBuilder<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var name in NonThreadSafeCollectionNames)
        {
            if (compilation.GetTypeByMetadataName(name) is { } type)
            {
                collections.Add(type);
            }
        }

        if (StringBuilder is not null)
        {
            collections.Add(StringBuilder);
        }

        NonThreadSafeCollections = collections.ToImmutable();
    }

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
    };

    public INamedTypeSymbol? ConcurrentCallbackAttribute { get; }

    public INamedTypeSymbol? ThreadSafeAttribute { get; }

    public INamedTypeSymbol? Future { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? ThreadPool { get; }

    public INamedTypeSymbol? ThreadingTimer { get; }

    public INamedTypeSymbol? TimersTimer { get; }

    public INamedTypeSymbol? Interlocked { get; }

    public INamedTypeSymbol? Volatile { get; }

    public INamedTypeSymbol? Monitor { get; }

    public INamedTypeSymbol? Lock { get; }

    public INamedTypeSymbol? SpinLock { get; }

    public INamedTypeSymbol? ReaderWriterLockSlim { get; }

    public INamedTypeSymbol? ReaderWriterLock { get; }

    public INamedTypeSymbol? SemaphoreSlim { get; }

    public INamedTypeSymbol? Mutex { get; }

    public INamedTypeSymbol? ThreadStaticAttribute { get; }

    public INamedTypeSymbol? StringBuilder { get; }

    /// <summary>BCL collections and builders whose mutating members are not safe to call concurrently.</summary>
    public ImmutableHashSet<INamedTypeSymbol> NonThreadSafeCollections { get; }

    public static KnownTypes Create(Compilation compilation) => new(compilation);
}
