using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// EXEC006: in a delegate that runs concurrently (an EXEC001 callback source or an EXEC002 work source), two steps on
/// the same shared thread-safe collection where the second depends on the first: a <c>ContainsKey</c>/<c>TryGetValue</c>
/// check then an indexer set, a <c>TryAdd</c>/<c>TryRemove</c> whose result is assumed, <c>d[k] += 1</c>, a
/// <c>Count</c>/<c>IsEmpty</c> check then a <c>TryDequeue</c> whose result is ignored, or <c>_list = _list.Add(x)</c> on
/// an immutable collection. Each call is atomic; the pair is not, and another thread can act in between. The
/// detection is <see cref="CheckThenActs"/>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EXEC006CheckThenActAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property naming the pattern (one of the <c>...Pattern</c> constants).</summary>
    public const string PatternProperty = "Pattern";

    /// <summary>The diagnostic property naming the exactly equivalent rewrite, when there is one (<see cref="TryAddFix"/> or <see cref="UpdateFix"/>).</summary>
    public const string FixProperty = "Fix";

    /// <summary><c>if (!d.ContainsKey(k)) d[k] = v;</c> becomes <c>d.TryAdd(k, v);</c>. Additional location 0 is the check.</summary>
    public const string TryAddFix = "TryAdd";

    /// <summary><c>_list = _list.Add(x);</c> becomes <c>ImmutableInterlocked.Update(ref _list, list =&gt; list.Add(x));</c>. Additional locations are the reads of the variable in the new value.</summary>
    public const string UpdateFix = "ImmutableInterlockedUpdate";

    /// <summary>A missing key is checked, then the indexer sets it (overwriting what another thread added).</summary>
    public const string SetAfterMissingPattern = "SetAfterMissing";

    /// <summary>A value is read with <c>TryGetValue</c>, then a value computed from it is written back with the indexer.</summary>
    public const string SetAfterReadPattern = "SetAfterRead";

    /// <summary><c>d[k] = d[k] + n</c>, <c>d[k] += n</c>, <c>d[k]++</c>.</summary>
    public const string IndexerUpdatePattern = "IndexerUpdate";

    /// <summary>A missing key is checked, then <c>TryAdd</c>'s result is ignored by code that assumes the add happened.</summary>
    public const string TryAddAssumedPattern = "TryAddAssumed";

    /// <summary>A present key is checked, then <c>TryRemove</c>'s result is ignored by code that assumes the removal happened.</summary>
    public const string TryRemoveAssumedPattern = "TryRemoveAssumed";

    /// <summary><c>Count &gt; 0</c> / <c>!IsEmpty</c>, then <c>TryDequeue</c>/<c>TryPop</c>/<c>TryTake</c>/<c>TryPeek</c> whose result is ignored.</summary>
    public const string TakeAssumedPattern = "TakeAssumed";

    /// <summary><c>_list = _list.Add(x)</c> on an immutable collection.</summary>
    public const string ImmutableUpdatePattern = "ImmutableUpdate";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.CheckThenAct,
        title: "Check-then-act on a thread-safe collection in concurrent code",
        messageFormat: "'{0}' {1}, in {2}: another thread can change it between the two steps; {3}",
        category: DiagnosticCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Each call on a ConcurrentDictionary, ConcurrentQueue, ConcurrentStack or ConcurrentBag is atomic, and an immutable "
            + "collection never changes; a sequence of two steps where the second depends on the first is not. In a delegate that runs "
            + "on several threads, or concurrently with other code (a callback, Parallel.*, Task.Run, Submit), another thread can add, "
            + "remove or replace between the check and the act: a value another thread added is overwritten, an increment is lost, "
            + "TryDequeue fails although Count was positive, an item added to an immutable list by another thread disappears. Use the "
            + "atomic members (TryAdd, GetOrAdd, AddOrUpdate, TryUpdate, the result of TryDequeue/TryRemove) or ImmutableInterlocked.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.CheckThenAct));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var checkThenActs = new CheckThenActs(start.Compilation, start.Options.AnalyzerConfigOptionsProvider);
            start.RegisterOperationAction(
                c => Findings.Report(c, checkThenActs.Find(c.Operation, c.CancellationToken), Create),
                Findings.HandOverKinds);
        });
    }

    private static Diagnostic Create(CheckThenActFinding finding, CancellationToken cancellationToken)
    {
        var (pattern, what, advice) = finding.Pattern switch
        {
            CheckThenActPattern.SetAfterMissing => (SetAfterMissingPattern, "is checked with " + finding.CheckName + " and then set through the indexer", "use TryAdd or GetOrAdd (the indexer overwrites a value another thread added)"),
            CheckThenActPattern.SetAfterRead => (SetAfterReadPattern, "is read with TryGetValue and then written back through the indexer", "use AddOrUpdate or a TryUpdate loop (another thread's update is lost)"),
            CheckThenActPattern.TryAddAssumed => (TryAddAssumedPattern, "is checked with " + finding.CheckName + " and then TryAdd's result is ignored by code that assumes the add happened", "test the result of TryAdd instead of checking first"),
            CheckThenActPattern.TryRemoveAssumed => (TryRemoveAssumedPattern, "is checked with " + finding.CheckName + " and then TryRemove's result is ignored by code that assumes the removal happened", "test the result of TryRemove instead of checking first"),
            CheckThenActPattern.TakeAssumed => (TakeAssumedPattern, "is checked with " + finding.CheckName + " and then " + ActName(finding) + "'s result is ignored", "another thread can take the last item first; test the result of " + ActName(finding) + " instead"),
            CheckThenActPattern.ImmutableUpdate => (ImmutableUpdatePattern, "is read, changed and written back (" + Shorten(finding.Act.Syntax.ToString()) + ")", "use ImmutableInterlocked.Update (or a lock), or another thread's change is lost"),
            _ => (IndexerUpdatePattern, "is read and written back through the indexer (" + Shorten(finding.Act.Syntax.ToString()) + ")", "use AddOrUpdate or a TryUpdate loop, or another thread's update is lost"),
        };

        var properties = ImmutableDictionary<string, string?>.Empty.Add(PatternProperty, pattern);
        string? fix = finding.Rewrite switch
        {
            CheckThenActRewrite.TryAdd => TryAddFix,
            CheckThenActRewrite.ImmutableInterlockedUpdate => UpdateFix,
            _ => null,
        };
        if (fix is not null)
        {
            properties = properties.Add(FixProperty, fix);
        }

        return Diagnostic.Create(Rule, finding.Act.Syntax.GetLocation(), finding.Related, properties, finding.Collection.Syntax.ToString(), what, finding.How, advice);
    }

    /// <summary>The method whose result is ignored (<c>TryDequeue</c>, <c>TryPop</c>, ...).</summary>
    private static string ActName(CheckThenActFinding finding) => (finding.Act as IInvocationOperation)?.TargetMethod.Name ?? "";

    private static string Shorten(string text)
    {
        text = text.Replace("\r", " ").Replace("\n", " ");
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
