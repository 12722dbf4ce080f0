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
    /// order, found in one pass over <paramref name="text"/> (the tree's text; only <paramref name="node"/>'s span is
    /// read, without copying it) instead of one search per word: a type with hundreds of method names is scanned once.
    /// </summary>
    public static IEnumerable<SyntaxToken> TokensNamedAny(SyntaxNode node, Microsoft.CodeAnalysis.Text.SourceText text, HashSet<string> words)
    {
        int end = node.Span.End;
        int at = node.SpanStart;
        var buffer = new System.Text.StringBuilder();

        // Most identifiers are not candidates: reject them by first character and length before making a string.
        var firsts = new HashSet<char>();
        int shortest = int.MaxValue, longest = 0;
        foreach (var word in words)
        {
            if (word.Length > 0)
            {
                firsts.Add(word[0]);
                shortest = System.Math.Min(shortest, word.Length);
                longest = System.Math.Max(longest, word.Length);
            }
        }

        while (at < end)
        {
            char c = text[at];
            if (!IsIdentifierStart(c))
            {
                at++;
                continue;
            }

            // A word starting inside a longer identifier (after a digit or a letter) is skipped with it.
            int start = at;
            buffer.Clear();
            while (at < end && IsIdentifierPart(text[at]))
            {
                buffer.Append(text[at]);
                at++;
            }

            char before = start > node.SpanStart ? text[start - 1] : ' ';
            if (start > node.SpanStart && IsIdentifierPart(before))
            {
                continue;
            }

            if (buffer.Length < shortest || buffer.Length > longest || !firsts.Contains(buffer[0]))
            {
                continue;
            }

            string word = buffer.ToString();
            if (!words.Contains(word))
            {
                continue;
            }

            int position = before == '@' ? start - 1 : start;
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
