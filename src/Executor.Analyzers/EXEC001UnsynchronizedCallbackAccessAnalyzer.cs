using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// EXEC001: a delegate that runs as a concurrent callback (on whichever thread completes the work, or inline on the
/// thread that registers it) reads or writes shared state without holding a lock.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EXEC001UnsynchronizedCallbackAccessAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.UnsynchronizedCallbackAccess,
        title: "Concurrent callback touches shared state without a lock",
        messageFormat: "Callback passed to '{0}' {1} {2} {3}, while {4}",
        category: DiagnosticCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Done callbacks and continuations run on whichever thread completes the work, or synchronously on the thread "
            + "that registers them when the work is already complete; cancellation callbacks run on the thread that cancels (or "
            + "inline in Register when the token is already cancelled); timer and thread-pool callbacks run on pool threads, a "
            + "periodic timer's runs overlapping when a run outlasts the period. Callbacks therefore run at the same time on "
            + "several threads. Fields, statics, captured locals and collections "
            + "that are not thread-safe must be accessed under a lock, or with Interlocked. The rule reports an access only when it "
            + "can name a conflicting access (another run of the callback, another member, or the registering code after the "
            + "registration) that may run at the same time and shares no lock with it.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.UnsynchronizedCallbackAccess));

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
                c => analysis.AnalyzeInvocation(c, (IInvocationOperation)c.Operation),
                OperationKind.Invocation);
            start.RegisterOperationAction(
                c => analysis.AnalyzeObjectCreation(c, (IObjectCreationOperation)c.Operation),
                OperationKind.ObjectCreation);
            start.RegisterOperationAction(
                c => analysis.AnalyzeEventAssignment(c, (IEventAssignmentOperation)c.Operation),
                OperationKind.EventAssignment);
            start.RegisterOperationAction(
                c => analysis.AnalyzeMethodBody(c, c.Operation),
                OperationKind.MethodBody);
        });
    }
}
