using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Executor.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Executor.CodeFixes;

/// <summary>
/// Fixes EXEC002 like EXEC001, on every side of the race: <see cref="System.Threading.Interlocked"/> where exactly
/// equivalent, or one lock around every side (the lock that already guards the state when there is one; a new field
/// otherwise, or a local declared before the work for a captured local). For a <c>Parallel.For</c>/<c>ForEach</c>
/// body that only accumulates into one <c>int</c>/<c>long</c>, also the rewrite to the thread-local overload (see
/// <see cref="ThreadLocalRewriter"/> for when it is exactly equivalent). <see cref="PreferredFixKey"/> (falling back to
/// EXEC001's) puts the lock, the collection swap or the thread-local rewrite first.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(EXEC002UnsynchronizedWorkAccessCodeFix)), Shared]
public sealed class EXEC002UnsynchronizedWorkAccessCodeFix : CodeFixProvider
{
    /// <summary>The equivalence key of the "wrap in lock" action.</summary>
    public const string WrapInLockKey = "EXEC002.WrapInLock";

    /// <summary>The equivalence key of the "use ConcurrentQueue/ConcurrentDictionary" action (a private collection field whose every use maps one-to-one).</summary>
    public const string UseConcurrentCollectionKey = "EXEC002.UseConcurrentCollection";

    /// <summary>The equivalence key of the "use Volatile.Read/Write" action (a flag or reference published by plain stores).</summary>
    public const string UseVolatileKey = "EXEC002.UseVolatile";

    /// <summary>The equivalence key of the "use Interlocked" action.</summary>
    public const string UseInterlockedKey = "EXEC002.UseInterlocked";

    /// <summary>
    /// The equivalence key of the "use the thread-local overload" action: a parallel loop that sums into a subtotal per
    /// worker, merged with <c>Interlocked.Add</c> in <c>localFinally</c>.
    /// </summary>
    public const string UseThreadLocalKey = "EXEC002.UseThreadLocal";

    /// <summary>
    /// The <c>.editorconfig</c> key that chooses which fix comes first: <c>interlocked</c> (default), <c>lock</c>,
    /// <c>concurrent_collection</c> or <c>thread_local</c>.
    /// </summary>
    public const string PreferredFixKey = "dotnet_code_quality.EXEC002.preferred_fix";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnsynchronizedWorkAccess);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllAsync);

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
        => RaceFixes.RegisterAsync(context, UseInterlockedKey, UseVolatileKey, WrapInLockKey, UseConcurrentCollectionKey, UseThreadLocalKey, PreferredFixKey, EXEC001UnsynchronizedCallbackAccessCodeFix.PreferredFixKey);

    private static Task<Document?> FixAllAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
        => RaceFixes.FixAllAsync(context, document, diagnostics, UseInterlockedKey, UseVolatileKey, WrapInLockKey, UseConcurrentCollectionKey, UseThreadLocalKey, new EXEC002UnsynchronizedWorkAccessAnalyzer(), PreferredFixKey, EXEC001UnsynchronizedCallbackAccessCodeFix.PreferredFixKey);
}
