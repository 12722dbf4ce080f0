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
    /// verbatim identifiers, and keywords), in source order. <paramref name="treeText"/> is the text of
    /// <paramref name="node"/>'s tree (<see cref="SharedStateFacts.TextOf"/>); only the node's span is searched. A hit inside a
    /// longer name, a comment or a string finds a token that does not start there, or has another value, and is
    /// skipped.
    /// </summary>
    public static IEnumerable<SyntaxToken> TokensNamed(SyntaxNode node, string treeText, string word)
    {
        if (word.Length == 0)
        {
            // A missing name in half-typed code ('ref Exception? )'): nothing to find, and no endless search.
            yield break;
        }

        int nodeStart = node.SpanStart;
        int end = node.Span.End;
        for (int at = treeText.IndexOf(word, nodeStart, end - nodeStart, System.StringComparison.Ordinal);
             at >= 0;
             at = at + word.Length <= end ? treeText.IndexOf(word, at + word.Length, end - at - word.Length, System.StringComparison.Ordinal) : -1)
        {
            int start = at > nodeStart && treeText[at - 1] == '@' ? at - 1 : at;
            var token = node.FindToken(start);
            if (token.SpanStart == start && token.ValueText == word)
            {
                yield return token;
            }
        }
    }

    /// <summary>
    /// The identifier tokens of <paramref name="node"/> whose text is one of <paramref name="words"/>, in source
    /// order, found in one pass over <paramref name="treeText"/> (the tree's text, <see cref="SharedStateFacts.TextOf"/>; only
    /// <paramref name="node"/>'s span is read) instead of one search per word: a type with hundreds of method names
    /// is scanned once. With <paramref name="skipCalls"/>, a word followed by <c>(</c> after nothing but blanks is
    /// left out: its next token is that parenthesis, so it is the name of a call (or a declaration).
    /// </summary>
    public static List<SyntaxToken> TokensNamedAny(SyntaxNode node, string treeText, HashSet<string> words, bool skipCalls = false)
    {
        // Each identifier is filtered by its length and first character before a string is made (bench/AnalyzerScale:
        // appending every identifier to a StringBuilder was most of this method's cost, and of its allocations).
        int nodeStart = node.SpanStart;
        int end = node.Span.End;
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

        var found = new List<SyntaxToken>();
        int at = nodeStart;
        while (at < end)
        {
            if (!IsIdentifierStart(treeText[at]))
            {
                at++;
                continue;
            }

            // A word starting inside a longer identifier (after a digit or a letter) is skipped with it.
            int start = at;
            while (at < end && IsIdentifierPart(treeText[at]))
            {
                at++;
            }

            char before = start > nodeStart ? treeText[start - 1] : ' ';
            int length = at - start;
            if ((start > nodeStart && IsIdentifierPart(before)) || length < shortest || length > longest || !firsts.Contains(treeText[start]))
            {
                continue;
            }

            if (skipCalls && NextNonBlankIs(treeText, at, end, '('))
            {
                // 'Name(' or 'Name (': the next token is '(' (nothing but blanks between), so the caller would drop it.
                continue;
            }

            string word = treeText.Substring(start, length);
            if (!words.Contains(word))
            {
                continue;
            }

            int position = before == '@' ? start - 1 : start;
            var token = node.FindToken(position);
            if (token.SpanStart == position && token.ValueText == word)
            {
                found.Add(token);
            }
        }

        return found;
    }

    private static bool NextNonBlankIs(string text, int at, int end, char expected)
    {
        while (at < end && text[at] is ' ' or '\t' or '\r' or '\n')
        {
            at++;
        }

        return at < end && text[at] == expected;
    }

    private static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c);

    private static bool IsIdentifierPart(char c) => c == '_' || char.IsLetterOrDigit(c);

}
