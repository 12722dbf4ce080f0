using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Executor.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Executor.CodeFixes;

/// <summary>
/// Fixes EXEC001 by wrapping the access in a lock (reusing the lock that already guards the state when there is one),
/// or, for increments and <c>+=</c>/<c>-=</c> on integers, by using <see cref="System.Threading.Interlocked"/>.
/// Fix All processes all diagnostics of a document together, so a type gets one new lock field and adjacent
/// statements share one <c>lock</c> block.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(EXEC001UnsynchronizedCallbackAccessCodeFix)), Shared]
public sealed class EXEC001UnsynchronizedCallbackAccessCodeFix : CodeFixProvider
{
    /// <summary>The equivalence key of the "wrap in lock" action (the default).</summary>
    public const string WrapInLockKey = "EXEC001.WrapInLock";

    /// <summary>The equivalence key of the "use Interlocked" action.</summary>
    public const string UseInterlockedKey = "EXEC001.UseInterlocked";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnsynchronizedCallbackAccess);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllAsync);

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        var semanticModel = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (semanticModel is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (LockWrapper.CanFix(root, semanticModel, diagnostic, context.CancellationToken))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Wrap in lock",
                        ct => LockWrapper.FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                        WrapInLockKey),
                    diagnostic);
            }

            if (InterlockedRewriter.CanFix(root, semanticModel, diagnostic))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Use Interlocked",
                        ct => InterlockedRewriter.FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                        UseInterlockedKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Document?> FixAllAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        if (diagnostics.IsEmpty)
        {
            return document;
        }

        return context.CodeActionEquivalenceKey == UseInterlockedKey
            ? await InterlockedRewriter.FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false)
            : await LockWrapper.FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false);
    }
}
