using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// EXEC002: a delegate that runs as concurrent work (a parallel loop body, work submitted or started on another thread)
/// writes shared state that another run of it, or other code running at the same time, also accesses with no lock in
/// common. Built on the same race model as EXEC001; only the sources and their ordering facts differ.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EXEC002UnsynchronizedWorkAccessAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.UnsynchronizedWorkAccess,
        title: "Concurrent work touches shared state without a lock",
        messageFormat: "Work passed to '{0}' {1} {2} {3}, while {4}",
        category: DiagnosticCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Parallel.For/ForEach/Invoke bodies, PLINQ delegates, the executor's Map function and [ConcurrentWork] "
            + "delegates run on several threads at once; work passed to Submit, Task.Run, TaskFactory.StartNew or a new Thread runs "
            + "at the same time as the code that started it until that code joins it (Result(), Wait, await, Join), and at the same "
            + "time as other runs when it is started more than once. The rule reports a write to shared state (fields, statics, "
            + "captured locals, collections that are not thread-safe) only when it can name a conflicting access that may run at "
            + "the same time and shares no lock with it. A parallel loop's join orders the code before and after the call.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.UnsynchronizedWorkAccess));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var analysis = CallbackAnalysis.For(start.Compilation, start.Options.AnalyzerConfigOptionsProvider);
            start.RegisterOperationAction(
                c => analysis.AnalyzeWorkInvocation(c, (IInvocationOperation)c.Operation),
                OperationKind.Invocation);
            start.RegisterOperationAction(
                c => analysis.AnalyzeWorkCreation(c, (IObjectCreationOperation)c.Operation),
                OperationKind.ObjectCreation);
            start.RegisterOperationAction(
                c => analysis.AnalyzeMethodBody(c, c.Operation, work: true),
                OperationKind.MethodBody);
        });
    }
}
