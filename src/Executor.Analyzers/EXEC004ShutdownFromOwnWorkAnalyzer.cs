using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// EXEC004: <c>Shutdown(wait: true)</c>, <c>Dispose</c> or <c>DisposeAsync</c> of an executor, reached from a delegate
/// that runs on that executor's own workers (a task submitted to it, a done callback of one of its futures, a callback
/// dispatched to it), directly or through methods of the compilation. Waiting for every worker from a worker waits for
/// itself: two such tasks on a two-worker pool joined each other forever; the runtime now throws
/// <see cref="System.InvalidOperationException"/> there. <c>Shutdown(wait: false)</c> is the fix.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EXEC004ShutdownFromOwnWorkAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property set when the reported invocation is the shutdown call itself (the fix rewrites it).</summary>
    public const string DirectProperty = "Direct";

    private const int MaxCallDepth = 3;

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ShutdownFromOwnWork,
        title: "An executor is shut down from inside its own work",
        messageFormat: "{0} waits for the workers of '{1}' from {2} that runs on one of them: it would wait for itself (the runtime throws InvalidOperationException); use '{1}.Shutdown(wait: false)'",
        category: DiagnosticCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Shutdown(wait: true), Dispose and DisposeAsync wait until every worker of the executor has finished. Called from a task "
            + "submitted to that executor, from a done callback of one of its futures (which runs on the worker that completes it) or from "
            + "a callback dispatched to it, the call waits for the very worker it runs on. Two such tasks on a two-worker pool join each "
            + "other forever; the runtime throws InvalidOperationException instead. Shutdown(wait: false) stops the executor without waiting.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ShutdownFromOwnWork));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var facts = new SharedStateFacts(start.Compilation);
            var reported = new ConcurrentDictionary<Location, byte>();
            start.RegisterOperationAction(
                c =>
                {
                    foreach (var work in ExecutorWork.Of((IInvocationOperation)c.Operation, KnownTypes.Instance, c.CancellationToken))
                    {
                        Analyze(c, work, facts, reported);
                    }
                },
                OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, ExecutorWork work, SharedStateFacts facts, ConcurrentDictionary<Location, byte> reported)
    {
        var body = BodyOf(work.Delegate, facts, context.CancellationToken);
        if (body is null)
        {
            return;
        }

        string where = work.Kind switch
        {
            WorkKind.Task => "a task submitted to it",
            WorkKind.DoneCallback => "a done callback of its future",
            _ => "a callback dispatched to it",
        };

        var stack = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        foreach (var (at, text, direct) in FindShutdowns(body, work.Executor, facts, depth: 0, stack, context.CancellationToken))
        {
            var location = at.Syntax.GetLocation();
            if (!reported.TryAdd(location, 0))
            {
                continue;
            }

            var properties = direct
                ? ImmutableDictionary<string, string?>.Empty.Add(DirectProperty, "true")
                : ImmutableDictionary<string, string?>.Empty;
            context.ReportDiagnostic(Diagnostic.Create(Rule, location, properties, text, work.Executor.Name, where));
        }
    }

    private static IOperation? BodyOf(IOperation @delegate, SharedStateFacts facts, CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (@delegate)
            {
                case IConversionOperation conversion:
                    @delegate = conversion.Operand;
                    continue;
                case IDelegateCreationOperation creation:
                    @delegate = creation.Target;
                    continue;
                case IAnonymousFunctionOperation function:
                    return function.Body;
                case IMethodReferenceOperation reference:
                    return MethodBody(reference.Method, facts, cancellationToken);
                default:
                    return null;
            }
        }
    }

    private static IOperation? MethodBody(IMethodSymbol method, SharedStateFacts facts, CancellationToken cancellationToken)
    {
        method = method.OriginalDefinition;
        if (method.IsAbstract || method.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        return facts.IsInCompilation(syntax.SyntaxTree) && facts.ModelFor(syntax.SyntaxTree).GetOperation(syntax, cancellationToken) is IMethodBodyBaseOperation or ILocalFunctionOperation
            ? facts.ModelFor(syntax.SyntaxTree).GetOperation(syntax, cancellationToken)
            : null;
    }

    /// <summary>The shutdown calls of <paramref name="executor"/> in <paramref name="body"/>, or the calls that lead to one.</summary>
    private static IEnumerable<(IOperation At, string Text, bool Direct)> FindShutdowns(IOperation body, ISymbol executor, SharedStateFacts facts, int depth, HashSet<IMethodSymbol> stack, CancellationToken cancellationToken)
    {
        var pending = new Stack<IOperation>();
        pending.Push(body);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var operation = pending.Pop();
            if (operation is IAnonymousFunctionOperation or ILocalFunctionOperation && operation != body)
            {
                // A nested delegate runs when it is invoked, maybe elsewhere: not followed (precision first).
                continue;
            }

            if (operation is IInvocationOperation invocation)
            {
                if (WaitsForWorkers(invocation) && SymbolEqualityComparer.Default.Equals(ExecutorWork.HolderOf(invocation.Instance), executor))
                {
                    yield return (invocation, "'" + invocation.Syntax + "'", true);
                    continue;
                }

                var callee = invocation.TargetMethod.OriginalDefinition;
                if (depth < MaxCallDepth && executor is IFieldSymbol or IPropertySymbol
                    && invocation.Instance is null or IInstanceReferenceOperation
                    && stack.Add(callee))
                {
                    if (MethodBody(callee, facts, cancellationToken) is { } calleeBody)
                    {
                        foreach (var (_, text, _) in FindShutdowns(calleeBody, executor, facts, depth + 1, stack, cancellationToken))
                        {
                            yield return (invocation, "Calling '" + callee.ContainingType.Name + "." + callee.Name + "', which reaches " + text + ",", false);
                            break;
                        }
                    }

                    stack.Remove(callee);
                }
            }

            foreach (var child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }
    }

    /// <summary><c>Shutdown()</c> or <c>Shutdown(wait: true)</c> (not <c>wait: false</c>), <c>Dispose()</c>, <c>DisposeAsync()</c> of an executor.</summary>
    private static bool WaitsForWorkers(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var receiverType = invocation.Instance is IConversionOperation { Operand: var operand } ? operand.Type : invocation.Instance?.Type;
        if (!KnownTypes.Instance.ThreadPoolExecutor.Matches(method.ContainingType?.OriginalDefinition)
            && !(method.Name is "Dispose" or "DisposeAsync" && KnownTypes.Instance.ThreadPoolExecutor.Matches(receiverType)))
        {
            return false;
        }

        switch (method.Name)
        {
            case "Dispose" or "DisposeAsync":
                return true;
            case "Shutdown":
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter?.Name == "wait" && argument.Value.ConstantValue is { HasValue: true, Value: false })
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }
}
