using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// Lock regions made by helpers of the compilation, summarized once per method: a method that runs its delegate
/// parameter inside <c>lock</c> (<c>WithLock(() => …)</c>), and a method that takes a lock and returns the releaser whose
/// <c>Dispose</c> lets it go (<c>using (_mutex.Enter()) { … }</c>). The lock is named by what the call site can see: a
/// lock on the helper's own object is the receiver (<c>_mutex</c>); a lock on the caller's object or a static is itself.
/// </summary>
internal sealed class LockHelpers
{
    private readonly SharedStateFacts _facts;
    private readonly ConcurrentDictionary<IParameterSymbol, HeldLock?> _aroundDelegate = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, HeldLock?> _acquires = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, HeldLock?> _acquiresThroughFlag = new(SymbolEqualityComparer.Default);

    public LockHelpers(SharedStateFacts facts) => _facts = facts;

    /// <summary>The lock held while <paramref name="call"/> runs the delegate passed for <paramref name="parameter"/>, or null.</summary>
    public HeldLock? AroundDelegate(IInvocationOperation call, IParameterSymbol parameter, KnownTypes types, CancellationToken cancellationToken)
    {
        if (parameter.Type.TypeKind != TypeKind.Delegate || parameter.ContainingSymbol is not IMethodSymbol { DeclaringSyntaxReferences.Length: 1 })
        {
            return null;
        }

        var inside = _aroundDelegate.GetOrAdd(parameter.OriginalDefinition, p => SummarizeDelegateParameter(p, types, cancellationToken));
        return inside is { } held ? AtCallSite(held, call) : null;
    }

    /// <summary>The lock a call of a releaser-returning helper takes (<c>_mutex.Enter()</c>), or null.</summary>
    public HeldLock? Acquires(IInvocationOperation call, KnownTypes types, CancellationToken cancellationToken)
    {
        var method = call.TargetMethod.OriginalDefinition;
        if (method.ReturnsVoid || method.DeclaringSyntaxReferences.Length != 1 || method.ReturnType.SpecialType == SpecialType.System_Boolean)
        {
            return null;
        }

        var inside = _acquires.GetOrAdd(method, m => SummarizeAcquire(m, types, cancellationToken));
        return inside is { } held ? AtCallSite(held, call) : null;
    }

    /// <summary>
    /// The lock a void helper with a <c>ref bool</c> flag takes and keeps (<c>TakeLock(ref taken)</c> around
    /// <c>Monitor.Enter(this, ref taken)</c>, or <c>Monitor.TryEnter(this, timeout, ref taken); if (!taken) throw …;</c>),
    /// or null. The caller releases it later (<c>finally { ReleaseLock(ref taken); }</c>).
    /// </summary>
    public HeldLock? AcquiresThroughFlag(IInvocationOperation call, KnownTypes types, CancellationToken cancellationToken)
    {
        var method = call.TargetMethod.OriginalDefinition;
        if (!method.ReturnsVoid || method.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var inside = _acquiresThroughFlag.GetOrAdd(method, m => SummarizeFlagAcquire(m, types, cancellationToken));
        return inside is { } held ? AtCallSite(held, call) : null;
    }

    private HeldLock? SummarizeFlagAcquire(IMethodSymbol method, KnownTypes types, CancellationToken cancellationToken)
    {
        IParameterSymbol? flag = null;
        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind == RefKind.Ref && parameter.Type.SpecialType == SpecialType.System_Boolean)
            {
                if (flag is not null)
                {
                    return null;
                }

                flag = parameter;
            }
        }

        if (flag is null
            || method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not BaseMethodDeclarationSyntax declaration
            || !_facts.IsInCompilation(declaration.SyntaxTree)
            || _facts.ModelFor(declaration.SyntaxTree).GetOperation(declaration, cancellationToken) is not { } body)
        {
            return null;
        }

        HeldLock? acquired = null;
        bool conditional = false;
        bool throwsUnlessTaken = false;
        foreach (var operation in body.Descendants())
        {
            switch (operation)
            {
                case IAnonymousFunctionOperation:
                    return null;
                case IInvocationOperation invocation when LockRegions.IsRelease(invocation, types):
                    return null;
                case IInvocationOperation invocation when LockRegions.IsAcquireTakingFlag(invocation, flag, types, out var held, out bool mayFail):
                    if (held.Kind is not (LockKind.Member or LockKind.This or LockKind.TypeOf) || acquired is { } previous && !previous.SameAs(held))
                    {
                        return null;
                    }

                    acquired = held;
                    conditional |= mayFail;
                    break;
                case IConditionalOperation when LockRegions.IsThrowUnlessFlag(operation, flag):
                    throwsUnlessTaken = true;
                    break;
            }
        }

        return acquired is not null && (!conditional || throwsUnlessTaken) ? acquired : null;
    }

    /// <summary>A lock on the helper's object is, at the call site, the receiver; a static lock stays itself.</summary>
    private static HeldLock? AtCallSite(HeldLock held, IInvocationOperation call)
    {
        bool isStatic = held.Kind == LockKind.TypeOf || held.Kind == LockKind.Member && held.Symbol is { IsStatic: true };
        if (isStatic)
        {
            return held;
        }

        var receiver = call.Instance;
        while (receiver is IConversionOperation conversion)
        {
            receiver = conversion.Operand;
        }

        return receiver is null or IInstanceReferenceOperation ? held
            : LockRegions.KeyOf(receiver, held.Coverage) is { Kind: not LockKind.Unknown } key ? key
            : null;
    }

    private HeldLock? SummarizeDelegateParameter(IParameterSymbol parameter, KnownTypes types, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)parameter.ContainingSymbol;
        var declaration = method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        if (!_facts.IsInCompilation(declaration.SyntaxTree))
        {
            return null;
        }

        var model = _facts.ModelFor(declaration.SyntaxTree);
        string text = _facts.TextOf(declaration.SyntaxTree, cancellationToken);
        HeldLock? common = null;
        foreach (var token in TextSearch.TokensNamed(declaration, text, parameter.Name))
        {
            if (token.Parent is ParameterSyntax)
            {
                continue;
            }

            if (token.Parent is not IdentifierNameSyntax name || model.GetOperation(name, cancellationToken) is not IParameterReferenceOperation reference
                || !SymbolEqualityComparer.Default.Equals(reference.Parameter.OriginalDefinition, parameter))
            {
                continue;
            }

            // The only use: invoking it, under a lock of the helper's own object or a static.
            IOperation? invocation = reference.Parent is IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke } invoke && invoke.Instance == reference ? invoke : null;
            if (invocation is null)
            {
                return null;
            }

            HeldLock? found = null;
            foreach (var held in LockRegions.GetHeldLocks(invocation, null, types))
            {
                if (held.Coverage == LockCoverage.Full && held.Kind is LockKind.Member or LockKind.This or LockKind.TypeOf)
                {
                    found = held;
                    break;
                }
            }

            if (found is null || common is { } previous && !previous.SameAs(found.Value))
            {
                return null;
            }

            common = found;
        }

        return common;
    }

    private HeldLock? SummarizeAcquire(IMethodSymbol method, KnownTypes types, CancellationToken cancellationToken)
    {
        if (method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not BaseMethodDeclarationSyntax declaration
            || !_facts.IsInCompilation(declaration.SyntaxTree))
        {
            return null;
        }

        // Enters a lock of its own object (or a static) as a plain statement, never releases it, and returns something
        // disposable: the releaser. A lock taken and released inside the method is an ordinary locked region.
        var returnType = method.ReturnType;
        bool disposable = returnType.Name == "IDisposable" || returnType.AllInterfaces.Any(i => i.Name == "IDisposable") || returnType.GetMembers("Dispose").Length > 0;
        if (!disposable)
        {
            return null;
        }

        HeldLock? acquired = null;
        foreach (var node in declaration.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            if (node is LockStatementSyntax)
            {
                return null;
            }

            if (node is not InvocationExpressionSyntax)
            {
                continue;
            }

            // Binding is needed only for calls in a method that returns a disposable: few in any compilation.
            if (_facts.ModelFor(declaration.SyntaxTree).GetOperation(node, cancellationToken) is not IInvocationOperation invocation)
            {
                continue;
            }

            if (LockRegions.IsRelease(invocation, types))
            {
                return null;
            }

            if (LockRegions.IsPlainAcquire(invocation, types, out var held) && held.Kind is LockKind.Member or LockKind.This or LockKind.TypeOf)
            {
                acquired ??= held;
            }
        }

        return acquired;
    }

}
