using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>How much a held lock protects: nothing, reads only (a reader lock), or reads and writes.</summary>
internal enum LockCoverage
{
    None,
    ReadOnly,
    Full,
}

/// <summary>Decides whether an operation runs while a lock is held, looking only inside the callback (or method) being analyzed.</summary>
internal static class LockRegions
{
    /// <summary>Returns the strongest lock held at <paramref name="operation"/>, looking at its ancestors up to (not beyond) <paramref name="root"/>.</summary>
    public static LockCoverage GetCoverage(IOperation operation, IOperation root, KnownTypes types)
    {
        var best = LockCoverage.None;
        var child = operation;
        var parent = operation.Parent;
        while (parent is not null && child != root)
        {
            switch (parent)
            {
                case ILockOperation lockOperation when child == lockOperation.Body:
                    return LockCoverage.Full;

                case IUsingOperation usingOperation when child == usingOperation.Body:
                    best = Max(best, AcquireKind(usingOperation.Resources, types));
                    break;

                case ITryOperation tryOperation when child == tryOperation.Body && tryOperation.Finally is not null:
                    best = Max(best, ReleaseKindIn(tryOperation.Finally, types));
                    break;

                case IBlockOperation block:
                    best = Max(best, AcquiredEarlierInBlock(block, child, types));
                    break;
            }

            if (best == LockCoverage.Full)
            {
                return best;
            }

            child = parent;
            parent = parent.Parent;
        }

        return best;
    }

    private static LockCoverage AcquiredEarlierInBlock(IBlockOperation block, IOperation child, KnownTypes types)
    {
        int index = -1;
        for (int i = 0; i < block.Operations.Length; i++)
        {
            if (block.Operations[i] == child)
            {
                index = i;
                break;
            }
        }

        for (int i = index - 1; i >= 0; i--)
        {
            var statement = block.Operations[i];
            if (statement is IUsingDeclarationOperation usingDeclaration)
            {
                var kind = AcquireKind(usingDeclaration.DeclarationGroup, types);
                if (kind != LockCoverage.None)
                {
                    return kind;
                }

                continue;
            }

            var invocation = StatementInvocation(statement);
            if (invocation is null)
            {
                continue;
            }

            if (ReleaseKind(invocation, types) != LockCoverage.None)
            {
                return LockCoverage.None;
            }

            var acquired = AcquireKind(invocation, types);
            if (acquired != LockCoverage.None)
            {
                return acquired;
            }
        }

        return LockCoverage.None;
    }

    private static IInvocationOperation? StatementInvocation(IOperation statement)
    {
        var operation = statement is IExpressionStatementOperation expression ? expression.Operation : null;
        if (operation is IAwaitOperation awaitOperation)
        {
            operation = awaitOperation.Operation;
        }

        return operation as IInvocationOperation;
    }

    private static LockCoverage AcquireKind(IOperation? resource, KnownTypes types)
    {
        if (resource is null)
        {
            return LockCoverage.None;
        }

        var best = LockCoverage.None;
        foreach (var descendant in resource.DescendantsAndSelf())
        {
            if (descendant is IInvocationOperation invocation)
            {
                best = Max(best, AcquireKind(invocation, types));
            }
        }

        return best;
    }

    private static LockCoverage ReleaseKindIn(IOperation region, KnownTypes types)
    {
        var best = LockCoverage.None;
        foreach (var descendant in region.DescendantsAndSelf())
        {
            if (descendant is IInvocationOperation invocation)
            {
                best = Max(best, ReleaseKind(invocation, types));
            }
        }

        return best;
    }

    private static LockCoverage AcquireKind(IInvocationOperation invocation, KnownTypes types)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
        {
            return LockCoverage.None;
        }

        string name = method.Name;
        if (Is(type, types.Monitor))
        {
            return name is "Enter" or "TryEnter" ? LockCoverage.Full : LockCoverage.None;
        }

        if (Is(type, types.Lock) || Is(type, types.SpinLock))
        {
            return name is "Enter" or "TryEnter" or "EnterScope" ? LockCoverage.Full : LockCoverage.None;
        }

        if (Is(type, types.ReaderWriterLockSlim))
        {
            return name switch
            {
                "EnterWriteLock" or "TryEnterWriteLock" => LockCoverage.Full,
                "EnterReadLock" or "TryEnterReadLock" or "EnterUpgradeableReadLock" or "TryEnterUpgradeableReadLock" => LockCoverage.ReadOnly,
                _ => LockCoverage.None,
            };
        }

        if (Is(type, types.ReaderWriterLock))
        {
            return name switch
            {
                "AcquireWriterLock" or "UpgradeToWriterLock" => LockCoverage.Full,
                "AcquireReaderLock" => LockCoverage.ReadOnly,
                _ => LockCoverage.None,
            };
        }

        if (Is(type, types.SemaphoreSlim))
        {
            return name is "Wait" or "WaitAsync" ? LockCoverage.Full : LockCoverage.None;
        }

        if (Is(type, types.Mutex))
        {
            return name == "WaitOne" ? LockCoverage.Full : LockCoverage.None;
        }

        return LockCoverage.None;
    }

    private static LockCoverage ReleaseKind(IInvocationOperation invocation, KnownTypes types)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
        {
            return LockCoverage.None;
        }

        string name = method.Name;
        if (Is(type, types.Monitor) || Is(type, types.Lock) || Is(type, types.SpinLock))
        {
            return name == "Exit" ? LockCoverage.Full : LockCoverage.None;
        }

        if (Is(type, types.ReaderWriterLockSlim))
        {
            return name switch
            {
                "ExitWriteLock" => LockCoverage.Full,
                "ExitReadLock" or "ExitUpgradeableReadLock" => LockCoverage.ReadOnly,
                _ => LockCoverage.None,
            };
        }

        if (Is(type, types.ReaderWriterLock))
        {
            return name switch
            {
                "ReleaseWriterLock" or "DowngradeFromWriterLock" or "ReleaseLock" => LockCoverage.Full,
                "ReleaseReaderLock" => LockCoverage.ReadOnly,
                _ => LockCoverage.None,
            };
        }

        if (Is(type, types.SemaphoreSlim))
        {
            return name == "Release" ? LockCoverage.Full : LockCoverage.None;
        }

        if (Is(type, types.Mutex))
        {
            return name == "ReleaseMutex" ? LockCoverage.Full : LockCoverage.None;
        }

        return LockCoverage.None;
    }

    private static bool Is(INamedTypeSymbol type, KnownType known) => known.Matches(type);

    private static LockCoverage Max(LockCoverage a, LockCoverage b) => a > b ? a : b;
}
