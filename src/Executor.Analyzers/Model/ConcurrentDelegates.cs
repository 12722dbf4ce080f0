using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>A delegate that runs concurrently: its body, the code it was written in, and how it runs (for messages).</summary>
internal readonly struct ConcurrentDelegate
{
    public ConcurrentDelegate(IOperation body, SyntaxNode scope, string how)
    {
        Body = body;
        Scope = scope;
        How = how;
    }

    /// <summary>The body of the lambda, anonymous method or method group.</summary>
    public IOperation Body { get; }

    /// <summary>The syntax of the lambda or method: variables declared outside it are captured (shared with the starting code).</summary>
    public SyntaxNode Scope { get; }

    /// <summary>Where it runs, for messages: "a delegate passed to 'Parallel.ForEach', which runs it on several threads at once".</summary>
    public string How { get; }
}

/// <summary>
/// Finds the delegates that run concurrently at a call, object creation or event subscription: EXEC001's callback
/// sources (<see cref="CallbackAnalysis.IsCallbackParameter"/>, <see cref="CallbackAnalysis.IsCallbackRegistrationArgument"/>)
/// and EXEC002's work sources (<see cref="ConcurrentWork.Classify"/>). A lambda or anonymous method gives its body; a
/// method group gives the body of the method when it is declared in the same syntax tree (so diagnostics stay in the
/// file being analyzed). One instance per compilation.
/// </summary>
internal sealed class ConcurrentDelegates
{
    private readonly CallbackAnalysis _callbacks;

    public ConcurrentDelegates(Compilation compilation, AnalyzerConfigOptionsProvider options)
    {
        _callbacks = CallbackAnalysis.For(compilation, options);
    }

    /// <summary>Lock regions made by helpers of the compilation (<c>WithLock(() => …)</c>, <c>using (_mutex.Enter())</c>), as EXEC001 sees them.</summary>
    public LockHelpers LockHelpers => _callbacks.LockHelpers;

    /// <summary>The concurrent delegates handed over by <paramref name="operation"/> (an invocation, object creation or event assignment).</summary>
    public List<ConcurrentDelegate>? Of(IOperation operation, CancellationToken cancellationToken)
    {
        List<ConcurrentDelegate>? found = null;
        switch (operation)
        {
            case IInvocationOperation invocation when HasDelegateParameter(invocation.TargetMethod):
                AddArguments(invocation.TargetMethod, invocation.Arguments, operation, ref found, cancellationToken);
                break;
            case IObjectCreationOperation { Constructor: { } constructor } creation when HasDelegateParameter(constructor):
                AddArguments(constructor, creation.Arguments, operation, ref found, cancellationToken);
                break;
            case IEventAssignmentOperation { Adds: true, HandlerValue: var handler } when Target(handler) is { } target
                && _callbacks.IsCallbackRegistrationArgument(target):
                Add(target, "a handler of '" + ((operation as IEventAssignmentOperation)?.EventReference as IEventReferenceOperation)?.Event.Name + "', which runs concurrently", operation, ref found, cancellationToken);
                break;
        }

        return found;
    }

    private void AddArguments(IMethodSymbol method, ImmutableArray<IArgumentOperation> arguments, IOperation at, ref List<ConcurrentDelegate>? found, CancellationToken cancellationToken)
    {
        foreach (var argument in arguments)
        {
            if (argument.Parameter is not { } parameter)
            {
                continue;
            }

            string? how = null;
            if (parameter.IsParams && parameter.Type is IArrayTypeSymbol { ElementType.TypeKind: TypeKind.Delegate }
                && KnownTypes.Instance.Parallel.Matches(method.ContainingType?.OriginalDefinition) && method.Name == "Invoke")
            {
                // Parallel.Invoke(params Action[]): the actions run at the same time.
                how = "runs its actions at the same time";
            }
            else if (parameter.Type.TypeKind != TypeKind.Delegate)
            {
                continue;
            }
            else if (_callbacks.SourceOf(method, parameter, at.Syntax.SyntaxTree) is { } source)
            {
                how = source.Work?.How ?? "runs it as a concurrent callback";
            }

            if (how is null)
            {
                continue;
            }

            string text = "a delegate passed to '" + _callbacks.ApiName(method) + "', which " + how;
            if (argument.Value is IArrayCreationOperation { Initializer: { } initializer })
            {
                foreach (var element in initializer.ElementValues)
                {
                    if (Target(element) is { } elementTarget)
                    {
                        Add(elementTarget, text, at, ref found, cancellationToken);
                    }
                }
            }
            else if (Target(argument.Value) is { } target)
            {
                Add(target, text, at, ref found, cancellationToken);
            }
        }
    }

    private static void Add(IOperation target, string how, IOperation at, ref List<ConcurrentDelegate>? found, CancellationToken cancellationToken)
    {
        switch (target)
        {
            case IAnonymousFunctionOperation function:
                (found ??= new()).Add(new ConcurrentDelegate(function.Body, function.Syntax, how));
                break;
            case IMethodReferenceOperation { Method: var method } when MethodBody(method, at, cancellationToken) is { } body:
                // A method can be handed to several sources: its description must not depend on which is analyzed first.
                (found ??= new()).Add(new ConcurrentDelegate(body, body.Syntax, MethodDescription(method)));
                break;
        }
    }

    /// <summary>How a method body that runs concurrently is described, whichever source (or caller) led to it.</summary>
    public static string MethodDescription(IMethodSymbol method)
        => "method '" + method.ContainingType?.Name + "." + method.Name + "', which runs concurrently (it is passed to a callback or work API, or called from a delegate that is)";

    /// <summary>The body of a method declared in the tree of <paramref name="at"/>, or null.</summary>
    public static IOperation? MethodBody(IMethodSymbol method, IOperation at, CancellationToken cancellationToken)
    {
        method = method.OriginalDefinition;
        if (method.IsAbstract || method.IsExtern || method.DeclaringSyntaxReferences.Length != 1 || at.SemanticModel is not { } model)
        {
            return null;
        }

        var reference = method.DeclaringSyntaxReferences[0];
        if (reference.SyntaxTree != at.Syntax.SyntaxTree)
        {
            return null;
        }

        var operation = model.GetOperation(reference.GetSyntax(cancellationToken), cancellationToken);
        return operation is IMethodBodyBaseOperation or ILocalFunctionOperation ? operation : null;
    }

    /// <summary>The lambda or method reference a delegate value is made from, or null.</summary>
    private static IOperation? Target(IOperation? value)
    {
        while (true)
        {
            switch (value)
            {
                case IConversionOperation conversion:
                    value = conversion.Operand;
                    continue;
                case IDelegateCreationOperation creation:
                    value = creation.Target;
                    continue;
                case IAnonymousFunctionOperation or IMethodReferenceOperation:
                    return value;
                default:
                    return null;
            }
        }
    }

    private static bool HasDelegateParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (parameter.Type.TypeKind == TypeKind.Delegate || parameter.Type is IArrayTypeSymbol { ElementType.TypeKind: TypeKind.Delegate })
            {
                return true;
            }
        }

        return false;
    }
}
