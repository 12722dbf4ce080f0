using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Executor.Analyzers;

/// <summary>
/// Finds tokens by searching a node's source text, instead of walking all its syntax nodes. Used on paths that run for
/// every type with a callback (bench/AnalyzerScale measured the walks as the largest remaining cost there).
/// </summary>
internal static class TextSearch
{
    /// <summary>
    /// The tokens of <paramref name="node"/> whose value text is <paramref name="word"/> (identifiers, <c>@word</c>
    /// verbatim identifiers, and keywords), in source order. <paramref name="nodeText"/> is the text of
    /// <paramref name="node"/>'s span. A hit inside a longer name, a comment or a string finds a token that does not
    /// start there, or has another value, and is skipped.
    /// </summary>
    public static IEnumerable<SyntaxToken> TokensNamed(SyntaxNode node, string nodeText, string word)
    {
        for (int at = nodeText.IndexOf(word, System.StringComparison.Ordinal); at >= 0; at = nodeText.IndexOf(word, at + word.Length, System.StringComparison.Ordinal))
        {
            int start = node.SpanStart + (at > 0 && nodeText[at - 1] == '@' ? at - 1 : at);
            var token = node.FindToken(start);
            if (token.SpanStart == start && token.ValueText == word)
            {
                yield return token;
            }
        }
    }
}
