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
        if (word.Length == 0)
        {
            // A missing name in half-typed code ('ref Exception? )'): nothing to find, and no endless search.
            yield break;
        }

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

    /// <summary>
    /// The identifier tokens of <paramref name="node"/> whose text is one of <paramref name="words"/>, in source
    /// order, found in one pass over <paramref name="nodeText"/> (the text of <paramref name="node"/>'s span) instead
    /// of one search per word: a type with hundreds of method names is scanned once.
    /// </summary>
    public static IEnumerable<SyntaxToken> TokensNamedAny(SyntaxNode node, string nodeText, HashSet<string> words)
    {
        int length = nodeText.Length;
        int at = 0;
        while (at < length)
        {
            char c = nodeText[at];
            if (!IsIdentifierStart(c))
            {
                at++;
                continue;
            }

            // A word starting inside a longer identifier (after a digit or a letter) is skipped with it.
            int start = at;
            while (at < length && IsIdentifierPart(nodeText[at]))
            {
                at++;
            }

            if (start > 0 && IsIdentifierPart(nodeText[start - 1]) && nodeText[start - 1] != '@')
            {
                continue;
            }

            string word = nodeText.Substring(start, at - start);
            if (!words.Contains(word))
            {
                continue;
            }

            int position = node.SpanStart + (start > 0 && nodeText[start - 1] == '@' ? start - 1 : start);
            var token = node.FindToken(position);
            if (token.SpanStart == position && token.ValueText == word)
            {
                yield return token;
            }
        }
    }

    private static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c);

    private static bool IsIdentifierPart(char c) => c == '_' || char.IsLetterOrDigit(c);

}
