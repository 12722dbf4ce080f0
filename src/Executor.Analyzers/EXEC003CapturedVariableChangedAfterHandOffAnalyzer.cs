using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Executor.Analyzers;

/// <summary>
/// EXEC003: a delegate handed to another thread (an EXEC001 callback source or an EXEC002 work source) reads a
/// captured variable that the handing-off code writes afterwards with no join in between: the <c>for</c> variable
/// (<c>i++</c> runs after the delegate is created), a reassignment after <c>Submit</c>/<c>Task.Run</c>, a captured
/// non-thread-safe collection filled further, a captured <c>bool</c> stop flag set later without <c>Volatile</c>.
/// "Afterwards" comes from the member's <see cref="Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph"/> with the
/// joins cut out (<see cref="ExecutionOrder"/>); the detection is <see cref="CapturedVariableWrites"/>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EXEC003CapturedVariableChangedAfterHandOffAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property naming the fix the diagnostic allows: <see cref="CopyFix"/> or <see cref="VolatileFix"/>; absent when none.</summary>
    public const string FixProperty = "Fix";

    /// <summary>Copy the variable into a new local just before the hand-off statement and read the copy in the delegate.</summary>
    public const string CopyFix = "Copy";

    /// <summary>Read the flag with <c>Volatile.Read</c> in the delegate and write it with <c>Volatile.Write</c>.</summary>
    public const string VolatileFix = "Volatile";

    /// <summary>The diagnostic property holding the variable's name.</summary>
    public const string VariableProperty = "Variable";

    /// <summary>The diagnostic property holding what changes it: <c>Loop</c>, <c>Iteration</c>, <c>Later</c>, <c>Collection</c> or <c>Flag</c>.</summary>
    public const string KindProperty = "Kind";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.CapturedVariableChangedAfterHandOff,
        title: "A captured variable changes after the work is handed to another thread",
        messageFormat: "Delegate passed to '{0}' reads '{1}', which {2} ('{3}') after the hand-off; {4}",
        category: DiagnosticCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A lambda captures variables, not values: the work reads the variable when it runs, on another thread, not when it "
            + "is handed over. A 'for' loop's 'i++', a reassignment after Submit or Task.Run, or more items added to a captured List "
            + "after the hand-off race with the work, which may see a later value (every task of a 'for' loop may see the final 'i') "
            + "or a collection in the middle of a change. A bool stop flag set later without Volatile may never be seen by a loop "
            + "in the work. Copy the value into a local declared just before the hand-off, hand over a copy of the collection, "
            + "or use Volatile.Read/Volatile.Write or a CancellationToken for a flag. Writes after the work is joined (Result(), "
            + "Wait(), await, Thread.Join, Shutdown) are not reported.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.CapturedVariableChangedAfterHandOff));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var callbacks = CallbackAnalysis.For(start.Compilation, start.Options.AnalyzerConfigOptionsProvider);
            var writes = new CapturedVariableWrites(callbacks);
            Func<CapturedWrite, CancellationToken, Diagnostic> create = (found, cancellationToken) => Create(found, writes.ApiName(found.HandOff.Api), cancellationToken);
            start.RegisterOperationAction(
                c => Findings.Report(c, writes.Find(c.Operation, c.CancellationToken), create),
                Findings.HandOverKinds);
        });
    }

    private static Diagnostic Create(CapturedWrite found, string apiName, CancellationToken cancellationToken)
    {
        var handOff = found.HandOff;
        var variable = found.Variable;
        var kind = found.Kind;
        var type = variable.Type;
        bool inIncrementor = found.InForIncrementor;
        bool before = found.BeforeHandOff;
        bool flag = kind == CapturedWriteKind.Plain && type?.SpecialType == SpecialType.System_Boolean && variable.ReadInLoop;
        string? position = inIncrementor ? "the loop" : before ? "the next iteration" : null;
        string phrase = kind == CapturedWriteKind.Collection
            ? position is null ? "is modified" : position + " modifies"
            : position is null ? "is changed" : position + " changes";
        string typeName = type?.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) ?? "collection";
        string consequence = kind == CapturedWriteKind.Collection
            ? "the work may read the " + typeName + " while it changes (it is not thread-safe)"
            : flag
                ? "the work may never see the change (a captured local cannot be volatile: use Volatile.Read and Volatile.Write, or a CancellationToken)"
                : "the work may see a later value";

        var builder = ImmutableDictionary.CreateBuilder<string, string?>();
        builder[VariableProperty] = variable.Symbol.Name;
        builder[KindProperty] = kind == CapturedWriteKind.Collection ? "Collection" : flag ? "Flag" : inIncrementor ? "Loop" : before ? "Iteration" : "Later";
        var additional = new List<Location> { found.Write.Syntax.GetLocation(), handOff.Function.Syntax.GetLocation() };
        if (kind == CapturedWriteKind.Plain && !variable.WrittenByDelegate)
        {
            if (type?.SpecialType == SpecialType.System_Boolean)
            {
                // A bool written later is a signal (stop, cancelled) the work is meant to see: copying its value at the
                // hand-off would change what the code means; reading and writing it with Volatile does not.
                if (CapturedVariableWrites.VolatileWrites(found, cancellationToken) is { } writes)
                {
                    builder[FixProperty] = VolatileFix;
                    additional.AddRange(writes);
                }
            }
            else if (!handOff.IsPeriodic && handOff.Point == handOff.Operation && CapturedVariableWrites.CopyTarget(found) is { } statement)
            {
                builder[FixProperty] = CopyFix;
                additional.Add(statement.GetLocation());
            }
        }

        string text = found.Write.Syntax.ToString();
        if (text.Length > 60 || text.IndexOf('\n') >= 0)
        {
            text = text.Split('\n')[0].TrimEnd();
            text = (text.Length > 60 ? text.Substring(0, 60) : text) + "…";
        }

        return Diagnostic.Create(
            Rule,
            variable.FirstRead!.Syntax.GetLocation(),
            additional,
            builder.ToImmutable(),
            apiName,
            variable.Symbol.Name,
            phrase,
            text,
            consequence);
    }
}
