using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using Microsoft.CodeAnalysis.Text;

namespace Executor.CodeFixes;

/// <summary>The last steps every EXEC001 fix shares: add the usings its qualified names need, simplify them, format new code.</summary>
internal static class FixCleanup
{
    /// <summary>
    /// Runs <paramref name="edit"/> with the document's root, semantic model and an editor over that root, then
    /// finishes the edited document; the document unchanged when it has no root or model.
    /// </summary>
    public static async Task<Document> EditAsync(Document document, Action<SyntaxNode, SemanticModel, SyntaxEditor> edit, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        var editor = new SyntaxEditor(root, document.Project.Solution.Workspace.Services);
        edit(root, model, editor);
        return await FinishAsync(document.WithSyntaxRoot(editor.GetChangedRoot()), cancellationToken).ConfigureAwait(false);
    }

    public static async Task<Document> FinishAsync(Document document, CancellationToken cancellationToken)
    {
        // A using that makes a name the file already uses ambiguous ('using System.Threading;' next to
        // 'using System.Timers;' and 'Timer') is not added: the new code keeps its qualified names instead.
        var withImports = await ImportAdder.AddImportsAsync(document, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        bool keptQualified = await AddsTextAsync(document, withImports, cancellationToken).ConfigureAwait(false)
            && await AmbiguousNamesAsync(withImports, cancellationToken).ConfigureAwait(false) > await AmbiguousNamesAsync(document, cancellationToken).ConfigureAwait(false);
        if (!keptQualified)
        {
            document = withImports;
        }

        document = await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);

        // New lines get the file's own line ending, whatever the options say: a file checked out with LF under an
        // .editorconfig that asks for CRLF must not end up with both.
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var options = await document.GetOptionsAsync(cancellationToken).ConfigureAwait(false);
        if (LineEndingOf(text.ToString()) is { } eol)
        {
            options = options.WithChangedOption(FormattingOptions.NewLine, eol);
        }

        document = await Formatter.FormatAsync(document, Formatter.Annotation, options, cancellationToken).ConfigureAwait(false);

        // A qualified type name left in an expression ('System.Threading.Interlocked.Increment(…)', when the using
        // was not added) is parsed again, so the tree is the one the compiler builds from the text.
        if (!keptQualified)
        {
            return document;
        }

        var final = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        return document.WithText(SourceText.From(final.ToString(), final.Encoding, final.ChecksumAlgorithm));
    }

    /// <summary>Whether the import step added anything (the semantic check below is needed only then: once per fix that adds a using, not per fix).</summary>
    private static async Task<bool> AddsTextAsync(Document before, Document after, CancellationToken cancellationToken)
        => after != before
            && (await after.GetTextAsync(cancellationToken).ConfigureAwait(false)).Length != (await before.GetTextAsync(cancellationToken).ConfigureAwait(false)).Length;

    /// <summary>How many ambiguous-reference errors (CS0104) the document has.</summary>
    private static async Task<int> AmbiguousNamesAsync(Document document, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is null)
        {
            return 0;
        }

        int count = 0;
        foreach (var diagnostic in model.GetDiagnostics(cancellationToken: cancellationToken))
        {
            if (diagnostic.Id == "CS0104")
            {
                count++;
            }
        }

        return count;
    }

    private static string? LineEndingOf(string text)
    {
        int newline = text.IndexOf('\n');
        return newline < 0 ? null : newline > 0 && text[newline - 1] == '\r' ? "\r\n" : "\n";
    }
}
