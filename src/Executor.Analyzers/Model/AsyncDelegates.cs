using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>What an API does with the task an async delegate returns.</summary>
internal enum AsyncDelegateApi
{
    None,

    /// <summary><c>ThreadPoolExecutor.Submit</c>: the future completes at the delegate's first <c>await</c>.</summary>
    Submit,

    /// <summary><c>ThreadPoolExecutor.Map</c>: each result is yielded at the delegate's first <c>await</c>.</summary>
    Map,

    /// <summary><c>Task.ContinueWith</c> with a task-returning delegate: a <c>Task&lt;Task&gt;</c>.</summary>
    ContinueWith,

    /// <summary>A void-returning callback (<c>[ConcurrentCallback]</c>, <c>CancellationToken.Register</c>, a void <c>ContinueWith</c>): <c>async void</c>.</summary>
    AsyncVoid,

    /// <summary>A fire-and-forget callback (thread-pool item, timer): <c>async void</c>, but a catch-all guard makes it safe.</summary>
    FireAndForget,
}

/// <summary>The exactly equivalent rewrite, when there is one.</summary>
internal enum AsyncDelegateRewrite
{
    None,

    /// <summary>Append <c>.Unwrap()</c> to the <c>ContinueWith</c> call.</summary>
    Unwrap,

    /// <summary><c>await pool.Submit(f)</c> becomes <c>await Task.Run(f)</c>.</summary>
    TaskRun,
}

/// <summary>An async delegate passed where the API does not await it.</summary>
internal sealed class AsyncDelegateFinding
{
    public AsyncDelegateFinding(IOperation @delegate, string what, ISymbol api, AsyncDelegateApi kind, IOperation call, AsyncDelegateRewrite rewrite)
    {
        Delegate = @delegate;
        What = what;
        Api = api;
        Kind = kind;
        Call = call;
        Rewrite = rewrite;
    }

    /// <summary>The lambda, anonymous method or method reference.</summary>
    public IOperation Delegate { get; }

    /// <summary>How messages name it: "async lambda", "async anonymous method", "async method 'M'".</summary>
    public string What { get; }

    /// <summary>The method, constructor or event it is passed to.</summary>
    public ISymbol Api { get; }

    public AsyncDelegateApi Kind { get; }

    /// <summary>The invocation, object creation or event assignment that takes it.</summary>
    public IOperation Call { get; }

    public AsyncDelegateRewrite Rewrite { get; }
}

/// <summary>
/// Finds async delegates passed where the API does not await them: <c>ThreadPoolExecutor.Submit</c>/<c>Map</c>,
/// void-returning <c>[ConcurrentCallback]</c> parameters, <c>ThreadPool.QueueUserWorkItem</c>, timer callbacks,
/// <c>System.Timers.Timer.Elapsed</c>, <c>CancellationToken.Register</c>, and <c>Task.ContinueWith</c> whose
/// <c>Task&lt;Task&gt;</c> is used without <c>.Unwrap()</c>. Every type is recognized by name (<see cref="KnownTypes"/>),
/// so there is no state per compilation.
/// </summary>
internal static class AsyncDelegates
{
    private static readonly KnownType TaskExtensions = new("System.Threading.Tasks.TaskExtensions");

    /// <summary>The async delegates <paramref name="operation"/> (an invocation, object creation or event assignment) passes where they are not awaited, or null.</summary>
    public static List<AsyncDelegateFinding>? Find(IOperation operation, KnownTypes types, CancellationToken cancellationToken)
    {
        List<AsyncDelegateFinding>? found = null;
        switch (operation)
        {
            case IInvocationOperation invocation:
                AnalyzeInvocation(invocation, types, ref found, cancellationToken);
                break;
            case IObjectCreationOperation creation:
                AnalyzeObjectCreation(creation, types, ref found, cancellationToken);
                break;
            case IEventAssignmentOperation assignment:
                AnalyzeEventAssignment(assignment, types, ref found, cancellationToken);
                break;
        }

        return found;
    }

    private static void AnalyzeInvocation(IInvocationOperation invocation, KnownTypes types, ref List<AsyncDelegateFinding>? found, CancellationToken cancellationToken)
    {
        var method = invocation.TargetMethod;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not { } parameter || parameter.Type.TypeKind != TypeKind.Delegate
                || AsyncDelegate(argument.Value, cancellationToken) is not { } candidate)
            {
                continue;
            }

            var api = Classify(method, parameter, candidate.ReturnsVoid, types);
            if (api == AsyncDelegateApi.None || !ShouldReport(api, candidate.Function))
            {
                continue;
            }

            var rewrite = AsyncDelegateRewrite.None;
            if (api == AsyncDelegateApi.ContinueWith)
            {
                if (!IsTaskOfTaskUsed(invocation, out bool unwrappable))
                {
                    continue;
                }

                rewrite = unwrappable ? AsyncDelegateRewrite.Unwrap : AsyncDelegateRewrite.None;
            }
            else if (api == AsyncDelegateApi.Submit && IsAwaitedStatementOfSimpleSubmit(invocation, candidate.ReturnsVoid))
            {
                rewrite = AsyncDelegateRewrite.TaskRun;
            }

            Add(ref found, candidate, method, api, invocation, rewrite);
        }
    }

    private static void AnalyzeObjectCreation(IObjectCreationOperation creation, KnownTypes types, ref List<AsyncDelegateFinding>? found, CancellationToken cancellationToken)
    {
        if (creation.Constructor is not { } constructor)
        {
            return;
        }

        foreach (var argument in creation.Arguments)
        {
            if (argument.Parameter is not { } parameter || parameter.Type.TypeKind != TypeKind.Delegate
                || AsyncDelegate(argument.Value, cancellationToken) is not { ReturnsVoid: true } candidate)
            {
                continue;
            }

            AsyncDelegateApi api = types.ThreadingTimer.Matches(constructor.ContainingType?.OriginalDefinition) ? AsyncDelegateApi.FireAndForget
                : HasConcurrentCallbackAttribute(constructor, parameter.Ordinal, types) ? AsyncDelegateApi.AsyncVoid
                : AsyncDelegateApi.None;
            if (api != AsyncDelegateApi.None && ShouldReport(api, candidate.Function))
            {
                Add(ref found, candidate, constructor, api, creation, AsyncDelegateRewrite.None);
            }
        }
    }

    private static void AnalyzeEventAssignment(IEventAssignmentOperation assignment, KnownTypes types, ref List<AsyncDelegateFinding>? found, CancellationToken cancellationToken)
    {
        if (!assignment.Adds
            || assignment.EventReference is not IEventReferenceOperation { Event: { Name: "Elapsed" } @event }
            || !types.TimersTimer.Matches(@event.ContainingType?.OriginalDefinition)
            || AsyncDelegate(assignment.HandlerValue, cancellationToken) is not { ReturnsVoid: true } candidate
            || !ShouldReport(AsyncDelegateApi.FireAndForget, candidate.Function))
        {
            return;
        }

        Add(ref found, candidate, @event, AsyncDelegateApi.FireAndForget, assignment, AsyncDelegateRewrite.None);
    }

    /// <summary>What the API does with a delegate passed to <paramref name="parameter"/>, for the rule's purpose.</summary>
    private static AsyncDelegateApi Classify(IMethodSymbol method, IParameterSymbol parameter, bool returnsVoid, KnownTypes types)
    {
        var type = method.ContainingType?.OriginalDefinition;
        switch (method.Name)
        {
            case "Submit" or "Map" when types.ThreadPoolExecutor.Matches(type) && parameter.Name == "fn":
                return method.Name == "Submit" ? AsyncDelegateApi.Submit : AsyncDelegateApi.Map;
            case "ContinueWith" when types.Task.Matches(type) || types.TaskOfT.Matches(type):
                return returnsVoid ? AsyncDelegateApi.AsyncVoid : AsyncDelegateApi.ContinueWith;
            case "QueueUserWorkItem" or "UnsafeQueueUserWorkItem" when types.ThreadPool.Matches(type):
                return returnsVoid ? AsyncDelegateApi.FireAndForget : AsyncDelegateApi.None;
            case "Register" or "UnsafeRegister" when types.CancellationToken.Matches(type):
                return returnsVoid ? AsyncDelegateApi.AsyncVoid : AsyncDelegateApi.None;
        }

        // A user overload taking Func<..., Task> is assumed to await it: only void-returning callbacks are reported.
        return returnsVoid && HasConcurrentCallbackAttribute(method, parameter.Ordinal, types) ? AsyncDelegateApi.AsyncVoid : AsyncDelegateApi.None;
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
    private static bool ShouldReport(AsyncDelegateApi api, SyntaxNode? function)
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

        return api != AsyncDelegateApi.FireAndForget || !IsGuardedByCatchAll(body);
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

        if (parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Parent: IExpressionStatementOperation or ISimpleAssignmentOperation { Target: IDiscardOperation } or IDiscardOperation } discarded
            && discarded.Instance == use)
        {
            // '_ = t.ContinueWith(async …).ConfigureAwait(false);': the awaitable is discarded, never awaited.
            return false;
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

    private static void Add(ref List<AsyncDelegateFinding>? found, (IOperation Delegate, SyntaxNode? Function, string What, bool ReturnsVoid) candidate, ISymbol api, AsyncDelegateApi kind, IOperation call, AsyncDelegateRewrite rewrite)
        => (found ??= new List<AsyncDelegateFinding>()).Add(new AsyncDelegateFinding(candidate.Delegate, candidate.What, api, kind, call, rewrite));

    /// <summary>
    /// The async function passed as <paramref name="value"/> (through conversions and delegate creation): its
    /// operation, its declaration, how the message names it, and whether the delegate it becomes returns void.
    /// </summary>
    private static (IOperation Delegate, SyntaxNode? Function, string What, bool ReturnsVoid)? AsyncDelegate(IOperation? value, CancellationToken cancellationToken)
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
}
