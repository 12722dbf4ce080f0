using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Executor.Analyzers;

/// <summary>
/// EXEC005: an <c>async</c> lambda, anonymous method or method group of an <c>async</c> method passed where the API
/// does not await it: <c>ThreadPoolExecutor.Submit</c>/<c>Map</c> (the future completes at the first <c>await</c>),
/// a void-returning <c>[ConcurrentCallback]</c> parameter such as <c>AddDoneCallback</c>,
/// <c>ThreadPool.QueueUserWorkItem</c>, a <c>System.Threading.Timer</c> callback, <c>System.Timers.Timer.Elapsed</c>
/// and <c>CancellationToken.Register</c> (all <c>async void</c>), and <c>Task.ContinueWith</c> whose
/// <c>Task&lt;Task&gt;</c> is used without <c>.Unwrap()</c>.
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

    private static readonly KnownType TaskExtensions = new("System.Threading.Tasks.TaskExtensions");

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

    private enum Api
    {
        None,
        Submit,
        Map,
        ContinueWith,
        AsyncVoid,
        FireAndForget,
    }

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
            start.RegisterOperationAction(c => AnalyzeInvocation(c, (IInvocationOperation)c.Operation, types), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeObjectCreation(c, (IObjectCreationOperation)c.Operation, types), OperationKind.ObjectCreation);
            start.RegisterOperationAction(c => AnalyzeEventAssignment(c, (IEventAssignmentOperation)c.Operation, types), OperationKind.EventAssignment);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, IInvocationOperation invocation, KnownTypes types)
    {
        var method = invocation.TargetMethod;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not { } parameter || parameter.Type.TypeKind != TypeKind.Delegate
                || AsyncDelegate(argument.Value, context.CancellationToken) is not { } found)
            {
                continue;
            }

            var api = Classify(method, parameter, found.ReturnsVoid, types);
            if (api == Api.None || !ShouldReport(api, found.Function))
            {
                continue;
            }

            string? fix = null;
            if (api == Api.ContinueWith)
            {
                if (!IsTaskOfTaskUsed(invocation, out bool unwrappable))
                {
                    continue;
                }

                fix = unwrappable ? UnwrapFix : null;
            }
            else if (api == Api.Submit && IsAwaitedStatementOfSimpleSubmit(invocation, found.ReturnsVoid))
            {
                fix = TaskRunFix;
            }

            Report(context, found, ApiName(method), api, invocation, fix);
        }
    }

    private static void AnalyzeObjectCreation(OperationAnalysisContext context, IObjectCreationOperation creation, KnownTypes types)
    {
        if (creation.Constructor is not { } constructor)
        {
            return;
        }

        foreach (var argument in creation.Arguments)
        {
            if (argument.Parameter is not { } parameter || parameter.Type.TypeKind != TypeKind.Delegate
                || AsyncDelegate(argument.Value, context.CancellationToken) is not { ReturnsVoid: true } found)
            {
                continue;
            }

            Api api = types.ThreadingTimer.Matches(constructor.ContainingType?.OriginalDefinition) ? Api.FireAndForget
                : HasConcurrentCallbackAttribute(constructor, parameter.Ordinal, types) ? Api.AsyncVoid
                : Api.None;
            if (api != Api.None && ShouldReport(api, found.Function))
            {
                Report(context, found, ApiName(constructor), api, creation, fix: null);
            }
        }
    }

    private static void AnalyzeEventAssignment(OperationAnalysisContext context, IEventAssignmentOperation assignment, KnownTypes types)
    {
        if (!assignment.Adds
            || assignment.EventReference is not IEventReferenceOperation { Event: { Name: "Elapsed" } @event }
            || !types.TimersTimer.Matches(@event.ContainingType?.OriginalDefinition)
            || AsyncDelegate(assignment.HandlerValue, context.CancellationToken) is not { ReturnsVoid: true } found
            || !ShouldReport(Api.FireAndForget, found.Function))
        {
            return;
        }

        Report(context, found, ApiName(@event), Api.FireAndForget, assignment, fix: null);
    }

    /// <summary>What the API does with a delegate passed to <paramref name="parameter"/>, for the rule's purpose.</summary>
    private static Api Classify(IMethodSymbol method, IParameterSymbol parameter, bool returnsVoid, KnownTypes types)
    {
        var type = method.ContainingType?.OriginalDefinition;
        switch (method.Name)
        {
            case "Submit" or "Map" when types.ThreadPoolExecutor.Matches(type) && parameter.Name == "fn":
                return method.Name == "Submit" ? Api.Submit : Api.Map;
            case "ContinueWith" when types.Task.Matches(type) || types.TaskOfT.Matches(type):
                return returnsVoid ? Api.AsyncVoid : Api.ContinueWith;
            case "QueueUserWorkItem" or "UnsafeQueueUserWorkItem" when types.ThreadPool.Matches(type):
                return returnsVoid ? Api.FireAndForget : Api.None;
            case "Register" or "UnsafeRegister" when types.CancellationToken.Matches(type):
                return returnsVoid ? Api.AsyncVoid : Api.None;
        }

        // A user overload taking Func<..., Task> is assumed to await it: only void-returning callbacks are reported.
        return returnsVoid && HasConcurrentCallbackAttribute(method, parameter.Ordinal, types) ? Api.AsyncVoid : Api.None;
    }

    private static bool HasConcurrentCallbackAttribute(IMethodSymbol method, int ordinal, KnownTypes types)
    {
        int depth = 0;
        for (IMethodSymbol? current = method.OriginalDefinition; current is not null && depth < 32; current = current.OverriddenMethod?.OriginalDefinition, depth++)
        {
            if (ordinal < current.Parameters.Length && types.ConcurrentCallbackAttribute.IsAppliedIn(current.Parameters[ordinal].GetAttributes()))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Precision: an async function without any <c>await</c> runs to its end synchronously (and the compiler already
    /// says so with CS1998); a fire-and-forget callback (thread-pool item, timer) whose whole body is a
    /// <c>try</c>/<c>catch (Exception)</c> that does not rethrow cannot crash the process, and nothing waited for the
    /// synchronous callback either, so it is the accepted way to write an async handler there.
    /// </summary>
    private static bool ShouldReport(Api api, SyntaxNode? function)
    {
        var body = BodyOf(function);
        if (body is null)
        {
            // No body to look at (a partial or extern method): report, its declaration says async.
            return true;
        }

        if (!ContainsAwait(body))
        {
            return false;
        }

        return api != Api.FireAndForget || !IsGuardedByCatchAll(body);
    }

    private static SyntaxNode? BodyOf(SyntaxNode? function) => function switch
    {
        AnonymousFunctionExpressionSyntax lambda => lambda.Body,
        BaseMethodDeclarationSyntax declaration => (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody,
        LocalFunctionStatementSyntax local => (SyntaxNode?)local.Body ?? local.ExpressionBody,
        _ => null,
    };

    private static bool ContainsAwait(SyntaxNode body)
    {
        foreach (var node in body.DescendantNodesAndSelf(n => n == body || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            switch (node)
            {
                case AwaitExpressionSyntax:
                case CommonForEachStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }:
                case UsingStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }:
                case LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>The body is one <c>try</c> statement with a <c>catch</c> of every exception, no filter, and no <c>throw</c> in it.</summary>
    private static bool IsGuardedByCatchAll(SyntaxNode body)
    {
        if (body is not BlockSyntax { Statements.Count: 1 } block || block.Statements[0] is not TryStatementSyntax @try)
        {
            return false;
        }

        foreach (var clause in @try.Catches)
        {
            bool all = clause.Declaration is null || IsSystemException(clause.Declaration.Type);
            if (all && clause.Filter is null && !ContainsThrow(clause.Block))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSystemException(TypeSyntax type) => type switch
    {
        IdentifierNameSyntax { Identifier.ValueText: "Exception" } => true,
        QualifiedNameSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "System" } or AliasQualifiedNameSyntax { Name.Identifier.ValueText: "System" }, Right.Identifier.ValueText: "Exception" } => true,
        _ => false,
    };

    private static bool ContainsThrow(SyntaxNode block)
    {
        foreach (var node in block.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            if (node is ThrowStatementSyntax or ThrowExpressionSyntax)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the <c>Task&lt;Task&gt;</c> of <c>ContinueWith(async …)</c> is used as if it were the work: awaited,
    /// waited, returned, stored or passed on. Discarded (a statement, <c>_ =</c>) it is fire-and-forget, where the
    /// difference does not show; <c>.Unwrap()</c> and <c>await await</c> are the correct uses.
    /// <paramref name="unwrappable"/>: appending <c>.Unwrap()</c> keeps the code compiling with the same meaning of
    /// every other part (the value goes to a <c>Task</c>, an awaited statement, or <c>.Wait(…)</c>).
    /// </summary>
    private static bool IsTaskOfTaskUsed(IInvocationOperation invocation, out bool unwrappable)
    {
        unwrappable = false;
        IOperation use = invocation;
        var parent = use.Parent;
        if (parent is IConditionalAccessOperation access && access.WhenNotNull == use)
        {
            use = access;
            parent = access.Parent;
        }

        switch (parent)
        {
            case null:
            case IExpressionStatementOperation:
            case ISimpleAssignmentOperation { Target: IDiscardOperation }:
            case IDiscardOperation:
                return false;
            case IArgumentOperation { Parent: IInvocationOperation unwrap } when unwrap.TargetMethod.Name == "Unwrap" && TaskExtensions.Matches(unwrap.TargetMethod.ContainingType):
                return false;
            case IAwaitOperation { Parent: IAwaitOperation }:
                return false;
        }

        if (use != invocation || invocation.Type is not INamedTypeSymbol { TypeArguments.Length: 1 } outer || outer.TypeArguments[0] is not INamedTypeSymbol inner
            || !(KnownTypes.Instance.Task.Matches(inner) || KnownTypes.Instance.TaskOfT.Matches(inner.OriginalDefinition)))
        {
            return true;
        }

        unwrappable = parent switch
        {
            IAwaitOperation { Parent: IExpressionStatementOperation } => true,
            IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Parent: IAwaitOperation { Parent: IExpressionStatementOperation } } configure => configure.Instance == invocation,
            IInvocationOperation { TargetMethod.Name: "Wait" } wait => wait.Instance == invocation && KnownTypes.Instance.Task.Matches(wait.TargetMethod.ContainingType),
            IConversionOperation { IsImplicit: true, Type: { } target } conversion => IsReferenceConversionTarget(inner, target, conversion),
            _ => false,
        };
        return true;
    }

    /// <summary>Whether the unwrapped task still converts to what received the outer one (a <c>Task</c> return, parameter, variable).</summary>
    private static bool IsReferenceConversionTarget(INamedTypeSymbol unwrapped, ITypeSymbol target, IConversionOperation conversion)
    {
        if (!conversion.Conversion.IsReference || target.SpecialType == SpecialType.System_Object)
        {
            return false;
        }

        for (INamedTypeSymbol? current = unwrapped; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, target))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>await pool.Submit(async () => …);</c> as a statement, with the single-delegate overload and a receiver without side effects.</summary>
    private static bool IsAwaitedStatementOfSimpleSubmit(IInvocationOperation invocation, bool returnsVoid)
    {
        return !returnsVoid
            && invocation.TargetMethod.Parameters.Length == 1
            && invocation.Parent is IAwaitOperation { Parent: IExpressionStatementOperation }
            && invocation.Instance is ILocalReferenceOperation or IParameterReferenceOperation
                or IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation };
    }

    private static void Report(OperationAnalysisContext context, (IOperation Delegate, SyntaxNode? Function, string What, bool ReturnsVoid) found, string apiName, Api api, IOperation call, string? fix)
    {
        string consequence = api switch
        {
            Api.Submit => SubmitConsequence,
            Api.Map => MapConsequence,
            Api.ContinueWith => ContinueWithConsequence,
            _ => AsyncVoidConsequence,
        };

        var properties = fix is null ? ImmutableDictionary<string, string?>.Empty : ImmutableDictionary<string, string?>.Empty.Add(FixProperty, fix);
        context.ReportDiagnostic(Diagnostic.Create(Rule, LocationOf(found.Delegate.Syntax), new[] { call.Syntax.GetLocation() }, properties, apiName, found.What, consequence));
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

    /// <summary>
    /// The async function passed as <paramref name="value"/> (through conversions and delegate creation): its
    /// operation, its declaration, how the message names it, and whether the delegate it becomes returns void.
    /// </summary>
    private static (IOperation Delegate, SyntaxNode? Function, string What, bool ReturnsVoid)? AsyncDelegate(IOperation? value, System.Threading.CancellationToken cancellationToken)
    {
        bool? returnsVoid = null;
        for (int i = 0; value is not null && i < 8; i++)
        {
            switch (value)
            {
                case IConversionOperation conversion:
                    value = conversion.Operand;
                    continue;
                case IDelegateCreationOperation creation:
                    returnsVoid ??= (creation.Type as INamedTypeSymbol)?.DelegateInvokeMethod?.ReturnsVoid;
                    value = creation.Target;
                    continue;
                case IAnonymousFunctionOperation { Symbol.IsAsync: true } function when returnsVoid is { } lambdaVoid:
                    string what = function.Syntax is AnonymousMethodExpressionSyntax ? "async anonymous method" : "async lambda";
                    return (function, function.Syntax, what, lambdaVoid);
                case IMethodReferenceOperation { Method: { IsAsync: true } method } reference when returnsVoid is { } groupVoid:
                    var declaration = method.DeclaringSyntaxReferences.Length == 1 ? method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) : null;
                    return (reference, declaration, "async method '" + method.Name + "'", groupVoid);
                default:
                    return null;
            }
        }

        return null;
    }

    private static string ApiName(ISymbol symbol)
        => symbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
            ? "new " + constructor.ContainingType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)
            : symbol.ContainingType is { } type
                ? type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "." + symbol.Name
                : symbol.Name;
}
