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

        // dotnet format applies the first action: Interlocked when it is exactly equivalent, unless the project prefers locks.
        bool lockFirst = context.Document.Project.AnalyzerOptions.AnalyzerConfigOptionsProvider.GetOptions(root.SyntaxTree)
            .TryGetValue(PreferredFixKey, out var preferred) && string.Equals(preferred.Trim(), "lock", System.StringComparison.OrdinalIgnoreCase);
        foreach (var diagnostic in context.Diagnostics)
        {
            var actions = new System.Collections.Generic.List<CodeAction>(2);
            if (InterlockedRewriter.CanFix(root, semanticModel, diagnostic))
            {
                actions.Add(CodeAction.Create(
                    "Use Interlocked",
                    ct => InterlockedRewriter.FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                    UseInterlockedKey));
            }

            if (LockWrapper.CanFix(root, semanticModel, diagnostic, context.CancellationToken))
            {
                var wrap = CodeAction.Create(
                    "Wrap in lock",
                    ct => LockWrapper.FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                    WrapInLockKey);
                if (lockFirst)
                {
                    actions.Insert(0, wrap);
                }
                else
                {
                    actions.Add(wrap);
                }
            }

            foreach (var action in actions)
            {
                context.RegisterCodeFix(action, diagnostic);
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
