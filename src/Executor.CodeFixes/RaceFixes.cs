using System.Collections.Immutable;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Executor.CodeFixes;

/// <summary>
/// The fixes of the race rules built on one model (EXEC001 callbacks, EXEC002 work): <c>Interlocked</c> on every side
/// where exactly equivalent, or one lock on every side. Each rule's provider passes its own equivalence keys and the
/// option that chooses which fix comes first. EXEC002 also passes the key of the thread-local rewrite of a parallel
/// loop's accumulation (EXEC001 has no loops: null).
/// </summary>
internal static class RaceFixes
{
    public static async Task RegisterAsync(CodeFixContext context, string interlockedKey, string volatileKey, string lockKey, string collectionKey, string? threadLocalKey, params string[] preferredFixKeys)
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

        // dotnet format applies the first action: Interlocked when it is exactly equivalent, unless the project prefers locks.
        var options = context.Document.Project.AnalyzerOptions.AnalyzerConfigOptionsProvider.GetOptions(root.SyntaxTree);
        bool lockFirst = false;
        bool collectionFirst = false;
        bool threadLocalFirst = false;
        foreach (var key in preferredFixKeys)
        {
            if (options.TryGetValue(key, out var preferred))
            {
                lockFirst = string.Equals(preferred.Trim(), "lock", System.StringComparison.OrdinalIgnoreCase);
                collectionFirst = string.Equals(preferred.Trim(), "concurrent_collection", System.StringComparison.OrdinalIgnoreCase);
                threadLocalFirst = string.Equals(preferred.Trim(), "thread_local", System.StringComparison.OrdinalIgnoreCase);
                break;
            }
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var actions = new System.Collections.Generic.List<CodeAction>(2);
            if (InterlockedRewriter.CanFix(root, semanticModel, diagnostic, context.CancellationToken))
            {
                actions.Add(CodeAction.Create(
                    "Use Interlocked",
                    ct => InterlockedRewriter.FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                    interlockedKey));
            }

            if (VolatileRewriter.CanFix(root, semanticModel, diagnostic, context.CancellationToken))
            {
                actions.Add(CodeAction.Create(
                    "Use Volatile.Read/Write",
                    ct => VolatileRewriter.FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                    volatileKey));
            }

            if (LockWrapper.CanFix(root, semanticModel, diagnostic, context.CancellationToken))
            {
                Offer(actions, lockFirst, CodeAction.Create(
                    "Wrap in lock",
                    ct => LockWrapper.FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                    lockKey));
            }

            if (ConcurrentCollectionRewriter.Title(root, semanticModel, diagnostic, context.CancellationToken) is { } title)
            {
                Offer(actions, collectionFirst, CodeAction.Create(
                    title,
                    ct => ConcurrentCollectionRewriter.FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                    collectionKey));
            }

            // Offered in addition: last, unless the project prefers it (then dotnet format applies it where it is offered).
            if (threadLocalKey is not null && ThreadLocalRewriter.CanFix(root, semanticModel, diagnostic, context.CancellationToken))
            {
                Offer(actions, threadLocalFirst, CodeAction.Create(
                    "Use the thread-local overload",
                    ct => ThreadLocalRewriter.FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                    threadLocalKey));
            }

            foreach (var action in actions)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }

    /// <summary>Adds an action last, or first when the project's <c>preferred_fix</c> names it.</summary>
    private static void Offer(System.Collections.Generic.List<CodeAction> actions, bool first, CodeAction action)
        => actions.Insert(first ? 0 : actions.Count, action);

    public static async Task<Document?> FixAllAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics, string interlockedKey, string volatileKey, string collectionKey, string? threadLocalKey = null)
    {
        if (diagnostics.IsEmpty)
        {
            return document;
        }

        if (threadLocalKey is not null && context.CodeActionEquivalenceKey == threadLocalKey)
        {
            return await ThreadLocalRewriter.FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false);
        }

        if (context.CodeActionEquivalenceKey == interlockedKey)
        {
            return await InterlockedRewriter.FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false);
        }

        if (context.CodeActionEquivalenceKey == collectionKey)
        {
            return await ConcurrentCollectionRewriter.FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false);
        }

        return context.CodeActionEquivalenceKey == volatileKey
            ? await VolatileRewriter.FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false)
            : await LockWrapper.FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false);
    }
}
