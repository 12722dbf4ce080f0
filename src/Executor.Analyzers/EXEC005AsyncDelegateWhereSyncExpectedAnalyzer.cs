using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Executor.Analyzers;

/// <summary>
/// EXEC005: an <c>async</c> lambda, anonymous method or method group of an <c>async</c> method passed where the API
/// does not await it: <c>ThreadPoolExecutor.Submit</c>/<c>Map</c> (the future completes at the first <c>await</c>),
/// a void-returning <c>[ConcurrentCallback]</c> parameter such as <c>AddDoneCallback</c>,
/// <c>ThreadPool.QueueUserWorkItem</c>, a <c>System.Threading.Timer</c> callback, <c>System.Timers.Timer.Elapsed</c>
/// and <c>CancellationToken.Register</c> (all <c>async void</c>), and <c>Task.ContinueWith</c> whose
/// <c>Task&lt;Task&gt;</c> is used without <c>.Unwrap()</c>. The detection is <see cref="AsyncDelegates"/>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EXEC005AsyncDelegateWhereSyncExpectedAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property naming the exactly equivalent fix, when there is one: <see cref="UnwrapFix"/> or <see cref="TaskRunFix"/>.</summary>
    public const string FixProperty = "Fix";

    /// <summary><see cref="FixProperty"/> value: append <c>.Unwrap()</c> to the <c>ContinueWith</c> call (the first additional location).</summary>
    public const string UnwrapFix = "Unwrap";

    /// <summary><see cref="FixProperty"/> value: <c>await pool.Submit(f)</c> becomes <c>await Task.Run(f)</c> (the call is the first additional location).</summary>
    public const string TaskRunFix = "TaskRun";

    private const string SubmitConsequence = "the future completes at its first await, before the work ends";
    private const string MapConsequence = "each result is yielded at its first await, before the work ends";
    private const string ContinueWithConsequence = "the Task<Task> it returns completes at its first await, before the work ends; add '.Unwrap()'";
    private const string AsyncVoidConsequence = "it runs as 'async void': nothing waits for the work after its first await, and an exception thrown there crashes the process";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.AsyncDelegateWhereSyncExpected,
        title: "An async delegate is passed where a synchronous one is expected",
        messageFormat: "'{0}' does not await the {1}: {2}",
        category: DiagnosticCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An async lambda, anonymous method or async method passed to an API that invokes it without awaiting the task it returns "
            + "runs only up to its first await under that API. ThreadPoolExecutor.Submit and Map complete the future (or yield the result) "
            + "with a Task that is still running; void-returning callbacks (AddDoneCallback and other [ConcurrentCallback] parameters, "
            + "ThreadPool.QueueUserWorkItem, Timer callbacks, Timer.Elapsed, CancellationToken.Register) turn it into 'async void', whose "
            + "exceptions crash the process; Task.ContinueWith returns a Task<Task> that completes before the work does unless it is unwrapped.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.AsyncDelegateWhereSyncExpected));


    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            // Every type is recognized by name (KnownTypes): nothing to resolve, and a missing type simply never matches.
            var types = KnownTypes.Instance;
            start.RegisterOperationAction(
                c => Findings.Report(c, AsyncDelegates.Find(c.Operation, types, c.CancellationToken), Create),
                Findings.HandOverKinds);
        });
    }

    private static Diagnostic Create(AsyncDelegateFinding finding, CancellationToken cancellationToken)
    {
        string consequence = finding.Kind switch
        {
            AsyncDelegateApi.Submit => SubmitConsequence,
            AsyncDelegateApi.Map => MapConsequence,
            AsyncDelegateApi.ContinueWith => ContinueWithConsequence,
            _ => AsyncVoidConsequence,
        };

        string? fix = finding.Rewrite switch
        {
            AsyncDelegateRewrite.Unwrap => UnwrapFix,
            AsyncDelegateRewrite.TaskRun => TaskRunFix,
            _ => null,
        };
        var properties = fix is null ? ImmutableDictionary<string, string?>.Empty : ImmutableDictionary<string, string?>.Empty.Add(FixProperty, fix);
        return Diagnostic.Create(Rule, LocationOf(finding.Delegate.Syntax), new[] { finding.Call.Syntax.GetLocation() }, properties, CallbackAnalysis.FormatApiName(finding.Api), finding.What, consequence);
    }

    /// <summary>The head of the delegate (<c>async x =&gt;</c>, <c>async delegate (…)</c>) rather than its whole body; a method group whole.</summary>
    private static Location LocationOf(SyntaxNode syntax)
    {
        var span = syntax switch
        {
            LambdaExpressionSyntax lambda => TextSpan.FromBounds(lambda.SpanStart, lambda.ArrowToken.Span.End),
            AnonymousMethodExpressionSyntax method => TextSpan.FromBounds(method.SpanStart, method.ParameterList?.Span.End ?? method.DelegateKeyword.Span.End),
            _ => syntax.Span,
        };

        return Location.Create(syntax.SyntaxTree, span);
    }
}
