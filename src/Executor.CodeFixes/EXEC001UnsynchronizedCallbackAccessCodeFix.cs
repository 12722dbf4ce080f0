using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Executor.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Executor.CodeFixes;

/// <summary>
/// Fixes EXEC001 on every side of the race: for increments and <c>+=</c>/<c>-=</c> on integers with
/// <see cref="System.Threading.Interlocked"/> (first, where exactly equivalent), or by wrapping each side in one lock
/// (reusing the lock that already guards the state when there is one). <see cref="PreferredFixKey"/> puts the lock first.
/// Fix All processes all diagnostics of a document together, so a type gets one new lock field and adjacent
/// statements share one <c>lock</c> block.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(EXEC001UnsynchronizedCallbackAccessCodeFix)), Shared]
public sealed class EXEC001UnsynchronizedCallbackAccessCodeFix : CodeFixProvider
{
    /// <summary>The equivalence key of the "wrap in lock" action (the default).</summary>
    public const string WrapInLockKey = "EXEC001.WrapInLock";

    /// <summary>The equivalence key of the "use ConcurrentQueue/ConcurrentDictionary" action (a private collection field whose every use maps one-to-one).</summary>
    public const string UseConcurrentCollectionKey = "EXEC001.UseConcurrentCollection";

    /// <summary>The equivalence key of the "use Volatile.Read/Write" action (a flag or reference published by plain stores).</summary>
    public const string UseVolatileKey = "EXEC001.UseVolatile";

    /// <summary>The equivalence key of the "use Interlocked" action.</summary>
    public const string UseInterlockedKey = "EXEC001.UseInterlocked";

    /// <summary>
    /// The <c>.editorconfig</c> key that chooses which fix comes first (and so which one <c>dotnet format</c> applies):
    /// <c>interlocked</c> (the default: used where it is exactly equivalent, the lock otherwise) or <c>lock</c>.
    /// </summary>
    public const string PreferredFixKey = "dotnet_code_quality.EXEC001.preferred_fix";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnsynchronizedCallbackAccess);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllAsync);

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context) => RaceFixes.RegisterAsync(context, UseInterlockedKey, UseVolatileKey, WrapInLockKey, UseConcurrentCollectionKey, threadLocalKey: null, PreferredFixKey);

    private static Task<Document?> FixAllAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
        => RaceFixes.FixAllAsync(context, document, diagnostics, UseInterlockedKey, UseVolatileKey, WrapInLockKey, UseConcurrentCollectionKey, null, new EXEC001UnsynchronizedCallbackAccessAnalyzer(), PreferredFixKey);
}
