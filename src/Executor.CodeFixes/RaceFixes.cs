using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

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
        var semanticModel = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return;
        }

        var preference = Preference(context.Document, root, preferredFixKeys);
        foreach (var diagnostic in context.Diagnostics)
        {
            foreach (var fixer in Offered(root, semanticModel, diagnostic, interlockedKey, volatileKey, lockKey, collectionKey, threadLocalKey, preference, context.CancellationToken))
            {
                var document = context.Document;
                context.RegisterCodeFix(CodeAction.Create(fixer.Title, ct => fixer.Fix(document, ImmutableArray.Create(diagnostic), ct), fixer.Key), diagnostic);
            }
        }
    }

    /// <summary>One fix of a race: its title, equivalence key, and how it fixes a set of diagnostics of one document.</summary>
    private sealed class Fixer
    {
        public Fixer(string title, string key, Func<Document, ImmutableArray<Diagnostic>, CancellationToken, Task<Document>> fix)
        {
            Title = title;
            Key = key;
            Fix = fix;
        }

        public string Title { get; }

        public string Key { get; }

        public Func<Document, ImmutableArray<Diagnostic>, CancellationToken, Task<Document>> Fix { get; }
    }

    /// <summary>The project's <c>preferred_fix</c> value (lower case), or null for the default order.</summary>
    private static string? Preference(Document document, SyntaxNode root, string[] preferredFixKeys)
    {
        var options = document.Project.AnalyzerOptions.AnalyzerConfigOptionsProvider.GetOptions(root.SyntaxTree);
        foreach (var key in preferredFixKeys)
        {
            if (options.TryGetValue(key, out var preferred))
            {
                return preferred.Trim().ToLowerInvariant();
            }
        }

        return null;
    }

    /// <summary>
    /// The fixes offered for one diagnostic, in the order <c>dotnet format</c> sees them: Interlocked when it is exactly
    /// equivalent, then Volatile, the lock, the collection swap and the thread-local rewrite; <c>preferred_fix</c>
    /// (<c>lock</c>, <c>concurrent_collection</c>, <c>thread_local</c>) moves its fix first.
    /// </summary>
    private static List<Fixer> Offered(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string interlockedKey, string volatileKey, string lockKey, string collectionKey, string? threadLocalKey, string? preference, CancellationToken cancellationToken)
    {
        var fixers = new List<Fixer>(2);
        if (InterlockedRewriter.CanFix(root, model, diagnostic, cancellationToken))
        {
            fixers.Add(new Fixer("Use Interlocked", interlockedKey, InterlockedRewriter.FixAsync));
        }

        if (VolatileRewriter.Title(root, model, diagnostic, cancellationToken) is { } volatileTitle)
        {
            fixers.Add(new Fixer(volatileTitle, volatileKey, VolatileRewriter.FixAsync));
        }

        if (LockWrapper.CanFix(root, model, diagnostic, cancellationToken))
        {
            Offer(fixers, preference == "lock", new Fixer("Wrap in lock", lockKey, LockWrapper.FixAsync));
        }

        if (ConcurrentCollectionRewriter.Title(root, model, diagnostic, cancellationToken) is { } title)
        {
            Offer(fixers, preference == "concurrent_collection", new Fixer(title, collectionKey, ConcurrentCollectionRewriter.FixAsync));
        }

        // Offered in addition: last, unless the project prefers it (then dotnet format applies it where it is offered).
        if (threadLocalKey is not null && ThreadLocalRewriter.CanFix(root, model, diagnostic, cancellationToken))
        {
            Offer(fixers, preference == "thread_local", new Fixer("Use the thread-local overload", threadLocalKey, ThreadLocalRewriter.FixAsync));
        }

        return fixers;
    }

    /// <summary>Adds an action last, or first when the project's <c>preferred_fix</c> names it.</summary>
    private static void Offer(List<Fixer> fixers, bool first, Fixer fixer)
        => fixers.Insert(first ? 0 : fixers.Count, fixer);

    /// <summary>
    /// Fix All for one document. <c>dotnet format</c> applies one equivalence key per diagnostic id (the first action
    /// of the first diagnostic) to every diagnostic, so a project whose races need different fixes (a counter and a
    /// list) would need one run per kind. Each diagnostic therefore gets the requested action where it is offered, and
    /// otherwise its own first action in the project's preferred order; the document is fixed one action kind at a
    /// time, re-analyzed between kinds (at most four), so one run applies every available fix.
    /// </summary>
    public static async Task<Document?> FixAllAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics, string interlockedKey, string volatileKey, string lockKey, string collectionKey, string? threadLocalKey, DiagnosticAnalyzer analyzer, params string[] preferredFixKeys)
    {
        var requested = context.CodeActionEquivalenceKey;
        var current = document;
        var pending = diagnostics;
        for (int pass = 0; pass < 4 && !pending.IsEmpty; pass++)
        {
            var root = await current.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await current.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                break;
            }

            var preference = Preference(current, root, preferredFixKeys);
            var groups = new Dictionary<string, (Fixer Fixer, ImmutableArray<Diagnostic>.Builder Diagnostics)>();
            foreach (var diagnostic in pending)
            {
                var offered = Offered(root, model, diagnostic, interlockedKey, volatileKey, lockKey, collectionKey, threadLocalKey, preference, context.CancellationToken);
                if (offered.Count == 0)
                {
                    continue;
                }

                var chosen = offered.Find(f => f.Key == requested) ?? offered[0];
                if (!groups.TryGetValue(chosen.Key, out var group))
                {
                    group = (chosen, ImmutableArray.CreateBuilder<Diagnostic>());
                    groups.Add(chosen.Key, group);
                }

                group.Diagnostics.Add(diagnostic);
            }

            if (groups.Count == 0)
            {
                break;
            }

            var (fixer, batch) = requested is not null && groups.TryGetValue(requested, out var first) ? first : groups.Values.First();
            current = await fixer.Fix(current, batch.ToImmutable(), context.CancellationToken).ConfigureAwait(false);
            if (groups.Count == 1)
            {
                break;
            }

            // Other kinds are left: find them again in the changed document.
            requested = null;
            pending = await DiagnosticsOfAsync(current, analyzer, diagnostics[0].Id, context.CancellationToken).ConfigureAwait(false);
        }

        return current;
    }

    private static async Task<ImmutableArray<Diagnostic>> DiagnosticsOfAsync(Document document, DiagnosticAnalyzer analyzer, string id, CancellationToken cancellationToken)
    {
        var compilation = await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
        var tree = await document.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
        if (compilation is null || tree is null)
        {
            return ImmutableArray<Diagnostic>.Empty;
        }

        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create(analyzer), document.Project.AnalyzerOptions);
        var found = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), null, cancellationToken).ConfigureAwait(false);
        return found.Where(d => d.Id == id && d.Location.SourceTree == tree).ToImmutableArray();
    }
}
