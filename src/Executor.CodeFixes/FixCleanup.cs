using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

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
        document = await ImportAdder.AddImportsAsync(document, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        document = await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);

        // New lines get the file's own line ending, whatever the options say: a file checked out with LF under an
        // .editorconfig that asks for CRLF must not end up with both.
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var options = await document.GetOptionsAsync(cancellationToken).ConfigureAwait(false);
        if (LineEndingOf(text.ToString()) is { } eol)
        {
            options = options.WithChangedOption(FormattingOptions.NewLine, eol);
        }

        return await Formatter.FormatAsync(document, Formatter.Annotation, options, cancellationToken).ConfigureAwait(false);
    }

    private static string? LineEndingOf(string text)
    {
        int newline = text.IndexOf('\n');
        return newline < 0 ? null : newline > 0 && text[newline - 1] == '\r' ? "\r\n" : "\n";
    }
}
