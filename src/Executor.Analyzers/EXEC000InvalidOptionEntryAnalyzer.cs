using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Executor.Analyzers;

/// <summary>
/// EXEC000: an entry of one of EXEC001's list options (<c>callback_apis</c>, <c>thread_safe_types</c>,
/// <c>serial_types</c>) in .editorconfig is malformed (no <c>M:</c>/<c>E:</c>/<c>T:</c> prefix, a prefix the option
/// does not take, several entries joined with commas) or is a documentation ID that matches nothing in the
/// compilation. EXEC001 would silently never match such an entry; this rule says so once per compilation.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EXEC000InvalidOptionEntryAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.InvalidOptionEntry,
        title: "EXEC001 option entry is malformed or matches nothing",
        messageFormat: "'{0}' entry '{1}' {2}; expected {3}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "EXEC001's list options take documentation-comment IDs separated by '|' or spaces: 'M:' and 'E:' IDs in "
            + "callback_apis, 'T:' IDs in thread_safe_types and serial_types. An entry without its prefix, with the wrong prefix, "
            + "several entries joined with commas, or an ID that names no type or member of the compilation is never matched, "
            + "so EXEC001 behaves as if it were not there. The diagnostic names the option key, the entry and the expected form.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.InvalidOptionEntry),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    /// <summary>The list options checked, with the prefixes each takes and the form named in the message.</summary>
    private static readonly (string Key, string Prefixes, string Expected)[] ListOptions =
    {
        (CallbackOptions.CallbackApisKey, "ME", "'M:Namespace.Type.Method' (all overloads), 'M:Namespace.Type.Method(System.Action)' (one overload) or 'E:Namespace.Type.Event', separated by '|'"),
        (CallbackOptions.ThreadSafeTypesKey, "T", "'T:Namespace.Type' (nested: 'T:Namespace.Outer.Inner', generic: 'T:Namespace.Type`1'), separated by '|'"),
        (CallbackOptions.SerialTypesKey, "T", "'T:Namespace.Type' (nested: 'T:Namespace.Outer.Inner', generic: 'T:Namespace.Type`1'), separated by '|'"),
        (ConcurrentWork.WorkApisKey, "M", "'M:Namespace.Type.Method' (all overloads) or 'M:Namespace.Type.Method(System.Action)' (one overload), separated by '|'"),
        (ConcurrentWork.ParallelApisKey, "M", "'M:Namespace.Type.Method' (all overloads) or 'M:Namespace.Type.Method(System.Action)' (one overload), separated by '|'"),
    };

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationAction(static c => AnalyzeCompilation(c));
    }

    private static void AnalyzeCompilation(CompilationAnalysisContext context)
    {
        // Options can differ per file (.editorconfig sections): each distinct key and value is checked once, and each
        // bad entry is reported once, at the first token of the first file it applies to. A location in a file (rather
        // than none) lets that file's .editorconfig section set EXEC000's severity, shows which section holds the
        // entry, and can be suppressed with #pragma like any other diagnostic.
        var provider = context.Options.AnalyzerConfigOptionsProvider;
        var seen = new HashSet<(string Key, string Value)>();
        foreach (var tree in context.Compilation.SyntaxTrees)
        {
            var options = provider.GetOptions(tree);
            if (ListOptions.Any(o => options.TryGetValue(o.Key, out _)))
            {
                var first = tree.GetRoot(context.CancellationToken).GetFirstToken(includeZeroWidth: true);
                Check(context, options, Location.Create(tree, new TextSpan(first.SpanStart, 0)), seen);
            }
        }

        Check(context, provider.GlobalOptions, Location.None, seen);
    }

    private static void Check(CompilationAnalysisContext context, AnalyzerConfigOptions options, Location location, HashSet<(string Key, string Value)> seen)
    {
        foreach (var (key, prefixes, expected) in ListOptions)
        {
            if (!options.TryGetValue(key, out var raw) || string.IsNullOrWhiteSpace(raw) || !seen.Add((key, raw)))
            {
                continue;
            }

            foreach (var part in raw.Split(CallbackOptions.Separators, StringSplitOptions.RemoveEmptyEntries))
            {
                var entry = part.Trim();
                var problem = Problem(entry, prefixes, context.Compilation);
                if (problem is not null && seen.Add((key, "\0" + entry)))
                {
                    context.ReportDiagnostic(Diagnostic.Create(Rule, location, key, entry, problem, expected));
                }
            }
        }
    }

    /// <summary>What is wrong with one entry, or <see langword="null"/> when it names something in the compilation.</summary>
    internal static string? Problem(string entry, string prefixes, Compilation compilation)
    {
        if (HasCommaOutsideParameterList(entry))
        {
            return "joins several entries with ',' (',' only separates the parameters inside '(...)')";
        }

        if (entry.Length < 3 || entry[1] != ':' || !char.IsLetter(entry[0]))
        {
            return "has no documentation ID prefix";
        }

        if (prefixes.IndexOf(entry[0]) < 0)
        {
            return $"has the prefix '{entry[0]}:', which this option does not take";
        }

        return Resolves(entry, compilation) ? null : "matches nothing in this compilation";
    }

    private static bool HasCommaOutsideParameterList(string entry)
    {
        int depth = 0;
        foreach (char ch in entry)
        {
            switch (ch)
            {
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']' or '}':
                    depth--;
                    break;
                case ',' when depth <= 0:
                    return true;
            }
        }

        return false;
    }

    private static bool Resolves(string entry, Compilation compilation)
    {
        if (!DocumentationCommentId.GetSymbolsForDeclarationId(entry, compilation).IsDefaultOrEmpty)
        {
            return true;
        }

        // 'M:Ns.Type.Method' without a parameter list names every overload (CallbackOptions.Matches): look the name up.
        int dot = entry.LastIndexOf('.');
        if (entry[0] != 'M' || entry.IndexOf('(') >= 0 || dot <= 2)
        {
            return false;
        }

        var name = entry.Substring(dot + 1);
        int arity = name.IndexOf("``", StringComparison.Ordinal);
        name = arity >= 0 ? name.Substring(0, arity) : name;
        name = name.Replace('#', '.');
        return DocumentationCommentId.GetSymbolsForDeclarationId("T:" + entry.Substring(2, dot - 2), compilation)
            .OfType<INamedTypeSymbol>()
            .Any(type => type.GetMembers(name).Any(member => member.Kind == SymbolKind.Method));
    }
}
