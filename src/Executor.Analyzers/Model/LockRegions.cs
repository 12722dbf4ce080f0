using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>How much a held lock protects: nothing, reads only (a reader lock), or reads and writes.</summary>
internal enum LockCoverage
{
    None,
    ReadOnly,
    Full,
}

/// <summary>What a lock object is, as far as two accesses can share it.</summary>
internal enum LockKind
{
    /// <summary>A lock whose object the analysis cannot name (a call result, an element): assumed to be shared with anything.</summary>
    Unknown,

    /// <summary>A field or property (of <c>this</c>, or static).</summary>
    Member,

    /// <summary>A local or parameter.</summary>
    Variable,

    /// <summary><c>lock (this)</c>.</summary>
    This,

    /// <summary><c>lock (typeof(T))</c>.</summary>
    TypeOf,
}

/// <summary>One lock held at an access: which object, and whether it excludes writers (a reader lock does not).</summary>
internal readonly struct HeldLock
{
    public HeldLock(LockKind kind, ISymbol? symbol, string text, LockCoverage coverage)
    {
        Kind = kind;
        Symbol = symbol;
        Text = text;
        Coverage = coverage;
    }

    public LockKind Kind { get; }

    /// <summary>The field, property, local or parameter locked on; the type for <c>this</c> and <c>typeof</c>.</summary>
    public ISymbol? Symbol { get; }

    /// <summary>The lock expression as written (<c>_gate</c>).</summary>
    public string Text { get; }

    public LockCoverage Coverage { get; }

    /// <summary>Whether two held locks are the same lock object (an unknown lock matches anything: precision first).</summary>
    public bool SameAs(HeldLock other)
        => Kind == LockKind.Unknown || other.Kind == LockKind.Unknown
            || Kind == other.Kind && SymbolEqualityComparer.Default.Equals(Symbol, other.Symbol);
}

/// <summary>
/// Decides which locks are held at an operation, looking only inside the function being analyzed (a lock around a
/// lambda's creation is not held when the lambda runs): <c>lock</c>, <c>Monitor</c>/<c>Lock</c>/<c>SpinLock</c>,
/// reader-writer locks, <c>SemaphoreSlim</c>, <c>Mutex</c>, <c>using (x.EnterScope())</c>, the branch where a
/// <c>TryEnter</c> succeeded, and an <c>Interlocked.CompareExchange</c> try-lock.
/// </summary>
internal static class LockRegions
{
    /// <summary>Returns the strongest lock held at <paramref name="operation"/>, looking at its ancestors up to (not beyond) <paramref name="root"/>.</summary>
    public static LockCoverage GetCoverage(IOperation operation, IOperation? root, KnownTypes types, LockHelpers? helpers = null)
    {
        var best = LockCoverage.None;
        foreach (var held in GetHeldLocks(operation, root, types, helpers))
        {
            best = Max(best, held.Coverage);
        }

        return best;
    }

    /// <summary>
    /// The locks held at <paramref name="operation"/>, from its ancestors up to <paramref name="root"/> (or up to the
    /// nearest enclosing lambda or local function when <paramref name="root"/> is null).
    /// </summary>
    public static List<HeldLock> GetHeldLocks(IOperation operation, IOperation? root, KnownTypes types, LockHelpers? helpers = null)
    {
        var held = new List<HeldLock>();
        var child = operation;
        var parent = operation.Parent;
        while (parent is not null && child != root)
        {
            switch (parent)
            {
                case ILockOperation lockOperation when child == lockOperation.Body:
                    held.Add(KeyOf(lockOperation.LockedValue, LockCoverage.Full));
                    break;

                case IUsingOperation usingOperation when child == usingOperation.Body:
                    AddAcquired(held, usingOperation.Resources, types, helpers);
                    break;

                case IArgumentOperation { Parameter: { } parameter, Parent: IInvocationOperation call } when helpers is not null
                    && helpers.AroundDelegate(call, parameter, types, default) is { } around:
                    // WithLock(() => …): the helper runs the delegate inside its lock.
                    held.Add(around);
                    break;

                case ITryOperation tryOperation when child == tryOperation.Body && tryOperation.Finally is not null:
                    AddReleased(held, tryOperation.Finally, types);
                    break;

                case IConditionalOperation conditional when child == conditional.WhenTrue:
                    AddTryLock(held, conditional, types);
                    break;

                case IBlockOperation block:
                    AddAcquiredEarlierInBlock(held, block, child, types, helpers);
                    break;

                case IAnonymousFunctionOperation function when root is null:
                    if (helpers is not null && HelperLockAround(function, types, helpers) is { } helperLock)
                    {
                        // A lambda a lock helper runs synchronously: its body is inside the helper's lock.
                        held.Add(helperLock);
                        break;
                    }

                    return held;

                case ILocalFunctionOperation when root is null:
                    return held;
            }

            child = parent;
            parent = parent.Parent;
        }

        return held;
    }

    /// <summary>The lock key of a lock object expression.</summary>
    public static HeldLock KeyOf(IOperation? lockObject, LockCoverage coverage)
    {
        while (lockObject is IConversionOperation conversion)
        {
            lockObject = conversion.Operand;
        }

        string text = lockObject?.Syntax.ToString() ?? string.Empty;
        return lockObject switch
        {
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => new HeldLock(LockKind.Member, field.Field.OriginalDefinition, text, coverage),
            IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Property.IsIndexer: false } property => new HeldLock(LockKind.Member, property.Property.OriginalDefinition, text, coverage),
            ILocalReferenceOperation local => new HeldLock(LockKind.Variable, local.Local, text, coverage),
            IParameterReferenceOperation parameter => new HeldLock(LockKind.Variable, parameter.Parameter, text, coverage),
            IInstanceReferenceOperation instance => new HeldLock(LockKind.This, instance.Type, text, coverage),
            ITypeOfOperation typeOf => new HeldLock(LockKind.TypeOf, typeOf.TypeOperand, text, coverage),
            _ => new HeldLock(LockKind.Unknown, null, text, coverage),
        };
    }

    private static HeldLock? HelperLockAround(IAnonymousFunctionOperation function, KnownTypes types, LockHelpers helpers)
    {
        IOperation current = function;
        while (current.Parent is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        return current.Parent is IArgumentOperation { Parameter: { } parameter, Parent: IInvocationOperation call }
            ? helpers.AroundDelegate(call, parameter, types, default)
            : null;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IBlockOperation, object> s_plainBlocks = new();
    private static readonly object s_plain = new();
    private static readonly object s_withLocks = new();

    /// <summary>
    /// Whether a block has any statement that can take or release a lock by itself (a using declaration, an
    /// acquire or release call, a guard on a taken flag): computed once per block, so the thousands of accesses of one
    /// long block do not each scan the statements before them.
    /// </summary>
    private static bool MayTakeLocks(IBlockOperation block, KnownTypes types)
        => s_plainBlocks.GetValue(block, b =>
        {
            foreach (var statement in b.Operations)
            {
                if (statement is IUsingDeclarationOperation || IsGuardOnTakenFlag(statement, out _)
                    || StatementInvocation(statement) is { } invocation && (AcquireKind(invocation, types) != LockCoverage.None || ReleaseKind(invocation, types) != LockCoverage.None || PassesRefBool(invocation)))
                {
                    return s_withLocks;
                }
            }

            return s_plain;
        }) == s_withLocks;

    private static void AddAcquiredEarlierInBlock(List<HeldLock> held, IBlockOperation block, IOperation child, KnownTypes types, LockHelpers? helpers)
    {
        if (!MayTakeLocks(block, types))
        {
            return;
        }

        int index = block.Operations.IndexOf(child);
        for (int i = index - 1; i >= 0; i--)
        {
            var statement = block.Operations[i];
            if (statement is IUsingDeclarationOperation usingDeclaration)
            {
                int before = held.Count;
                AddAcquired(held, usingDeclaration.DeclarationGroup, types, helpers);
                if (held.Count > before)
                {
                    return;
                }

                continue;
            }

            if (IsGuardOnTakenFlag(statement, out var flag) && FindTryEnterTaking(block, i, flag, types) is { } tryEnter)
            {
                // Monitor.TryEnter(x, ref taken); if (!taken) return; ... : locked after the guard.
                held.Add(LockOf(tryEnter, types));
                return;
            }

            var invocation = StatementInvocation(statement);
            if (invocation is null)
            {
                continue;
            }

            if (ReleaseKind(invocation, types) != LockCoverage.None)
            {
                return;
            }

            if (AcquireKind(invocation, types) != LockCoverage.None && !IsConditionalAcquire(invocation) && !IsSignalWait(invocation, types))
            {
                held.Add(LockOf(invocation, types));
                return;
            }

            if (PassesRefBool(invocation) && helpers?.AcquiresThroughFlag(invocation, types, default) is { } taken)
            {
                // bool taken = false; try { TakeLock(ref taken); … } finally { ReleaseLock(ref taken); }
                held.Add(taken);
                return;
            }
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IInvocationOperation, object> s_signalWaits = new();
    private static readonly object s_signal = new();
    private static readonly object s_lock = new();

    /// <summary>
    /// A <c>SemaphoreSlim.Wait</c>/<c>WaitAsync</c> whose function never releases that semaphore: it waits for a signal
    /// (<c>done.Wait();</c> after handing <c>done.Release()</c> to a callback), it does not enter a lock. A semaphore
    /// the analyzer cannot name stays a lock.
    /// </summary>
    private static bool IsSignalWait(IInvocationOperation wait, KnownTypes types)
    {
        if (wait.Instance is not { } instance || !types.SemaphoreSlim.Matches(wait.TargetMethod.ContainingType)
            || KeyOf(instance, LockCoverage.Full) is not { Kind: not LockKind.Unknown } semaphore)
        {
            return false;
        }

        return s_signalWaits.GetValue(wait, w =>
        {
            IOperation function = w;
            while (function.Parent is { } parent && function is not IAnonymousFunctionOperation and not ILocalFunctionOperation)
            {
                function = parent;
            }

            // Its own code only: a callback it hands the semaphore to releases it on another thread (a signal).
            var pending = new Stack<IOperation>();
            foreach (var child in function.ChildOperations)
            {
                pending.Push(child);
            }

            while (pending.Count > 0)
            {
                var current = pending.Pop();
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    continue;
                }

                if (current is IInvocationOperation { Instance: { } released } release && ReleaseKind(release, types) != LockCoverage.None
                    && types.SemaphoreSlim.Matches(release.TargetMethod.ContainingType)
                    && KeyOf(released, LockCoverage.Full).SameAs(semaphore))
                {
                    return s_lock;
                }

                foreach (var child in current.ChildOperations)
                {
                    pending.Push(child);
                }
            }

            return s_signal;
        }) == s_signal;
    }

    /// <summary>A call with a <c>ref bool</c> argument: a candidate lock helper (<c>TakeLock(ref taken)</c>).</summary>
    private static bool PassesRefBool(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { RefKind: RefKind.Ref, Type.SpecialType: SpecialType.System_Boolean })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>if (!taken) return;</c> (or throw, break, continue): the statements after it run only when the flag is set.</summary>
    private static bool IsGuardOnTakenFlag(IOperation statement, out ILocalSymbol flag)
    {
        flag = null!;
        if (statement is IConditionalOperation { WhenFalse: null } conditional
            && conditional.Condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, Operand: ILocalReferenceOperation local }
            && ExitsUnconditionally(conditional.WhenTrue))
        {
            flag = local.Local;
            return true;
        }

        return false;
    }

    private static bool ExitsUnconditionally(IOperation operation)
    {
        if (operation is IBlockOperation { Operations.Length: > 0 } block)
        {
            operation = block.Operations[block.Operations.Length - 1];
        }

        return operation is IReturnOperation or IThrowOperation or IBranchOperation
            || operation is IExpressionStatementOperation { Operation: IThrowOperation };
    }

    private static IInvocationOperation? FindTryEnterTaking(IBlockOperation block, int before, ILocalSymbol flag, KnownTypes types)
    {
        for (int i = before - 1; i >= 0; i--)
        {
            if (StatementInvocation(block.Operations[i]) is { } invocation && AcquireKind(invocation, types) != LockCoverage.None && TakesFlag(invocation, flag))
            {
                return invocation;
            }

            if (AssignedAcquire(block.Operations[i], flag) is { } assigned && AcquireKind(assigned, types) != LockCoverage.None && IsConditionalAcquire(assigned))
            {
                // taken = Monitor.TryEnter(x, timeout); or var taken = Monitor.TryEnter(x, timeout);
                return assigned;
            }
        }

        return null;
    }

    private static IInvocationOperation? AssignedAcquire(IOperation statement, ILocalSymbol flag)
    {
        IOperation? value = statement switch
        {
            IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment }
                when SymbolEqualityComparer.Default.Equals(target.Local, flag) => assignment.Value,
            IVariableDeclarationGroupOperation group => DeclaredValue(group, flag),
            _ => null,
        };

        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        return value as IInvocationOperation;
    }

    private static IOperation? DeclaredValue(IVariableDeclarationGroupOperation group, ILocalSymbol flag)
    {
        foreach (var declaration in group.Declarations)
        {
            foreach (var declarator in declaration.Declarators)
            {
                if (SymbolEqualityComparer.Default.Equals(declarator.Symbol, flag))
                {
                    return declarator.Initializer?.Value ?? declaration.Initializer?.Value;
                }
            }
        }

        return null;
    }

    private static bool TakesFlag(IInvocationOperation invocation, ILocalSymbol flag)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out
                && argument.Value is ILocalReferenceOperation local
                && SymbolEqualityComparer.Default.Equals(local.Local, flag))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A <c>TryEnter</c> (or a timed <c>Wait</c>) whose result, or <c>ref bool</c> flag, says whether the lock was taken.</summary>
    private static bool IsConditionalAcquire(IInvocationOperation invocation)
    {
        if (invocation.TargetMethod.Name.StartsWith("TryEnter", System.StringComparison.Ordinal))
        {
            return true;
        }

        // SemaphoreSlim.Wait(timeout) and Mutex.WaitOne(timeout) return whether they entered.
        return invocation.TargetMethod.ReturnsVoid == false
            && invocation.TargetMethod.ReturnType.SpecialType == SpecialType.System_Boolean
            && invocation.Arguments.Length > 0;
    }

    /// <summary><c>if (Monitor.TryEnter(x))</c>, <c>if (taken)</c>, <c>if (Interlocked.CompareExchange(ref _busy, 1, 0) == 0)</c>.</summary>
    private static void AddTryLock(List<HeldLock> held, IConditionalOperation conditional, KnownTypes types)
    {
        var condition = conditional.Condition;
        while (condition is IConversionOperation conversion)
        {
            condition = conversion.Operand;
        }

        if (condition is IInvocationOperation invocation && AcquireKind(invocation, types) != LockCoverage.None)
        {
            held.Add(LockOf(invocation, types));
            return;
        }

        if (condition is ILocalReferenceOperation flag)
        {
            // Monitor.TryEnter(x, ref taken); if (taken) { ... }
            IOperation child = conditional;
            for (var parent = conditional.Parent; parent is not null and not IAnonymousFunctionOperation and not ILocalFunctionOperation; child = parent, parent = parent.Parent)
            {
                if (parent is IBlockOperation block && FindTryEnterTaking(block, block.Operations.IndexOf(child), flag.Local, types) is { } tryEnter)
                {
                    held.Add(LockOf(tryEnter, types));
                    return;
                }
            }

            return;
        }

        if (condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } binary
            && (binary.LeftOperand as IInvocationOperation ?? binary.RightOperand as IInvocationOperation) is { } exchange
            && exchange.TargetMethod.Name == "CompareExchange"
            && types.Interlocked.Matches(exchange.TargetMethod.ContainingType)
            && exchange.Arguments.Length == 3)
        {
            // if (Interlocked.CompareExchange(ref _busy, 1, 0) == 0) { ... }: only one thread at a time gets here.
            var target = exchange.Arguments[0].Value;
            var key = KeyOf(target, LockCoverage.Full);
            held.Add(new HeldLock(key.Kind, key.Symbol, key.Text, LockCoverage.Full));
        }
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

    private static void AddAcquired(List<HeldLock> held, IOperation? resource, KnownTypes types, LockHelpers? helpers = null)
    {
        if (resource is null)
        {
            return;
        }

        foreach (var descendant in resource.DescendantsAndSelf())
        {
            if (descendant is IInvocationOperation invocation && AcquireKind(invocation, types) != LockCoverage.None)
            {
                held.Add(LockOf(invocation, types));
                return;
            }

            if (descendant is IInvocationOperation call && helpers?.Acquires(call, types, default) is { } releaser)
            {
                // using (_mutex.Enter()) { … }: a helper that takes a lock and returns its releaser.
                held.Add(releaser);
                return;
            }

            if (descendant is IInvocationOperation asyncLock && AsyncLockKind(asyncLock) is var coverage && coverage != LockCoverage.None)
            {
                // using (await _mutex.LockAsync()) { … }: an async lock type (Nito.AsyncEx's AsyncLock and its kin)
                // whose acquire returns the releaser; its implementation may be out of sight or not a monitor.
                held.Add(KeyOf(asyncLock.Instance, coverage));
                return;
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="invocation"/> takes a lock and reports it through the <c>ref bool</c> parameter
    /// <paramref name="flag"/> (<c>Monitor.TryEnter(this, timeout, ref taken)</c>, <c>Monitor.Enter(x, ref taken)</c>);
    /// <paramref name="conditional"/> says whether it may return without the lock.
    /// </summary>
    internal static bool IsAcquireTakingFlag(IInvocationOperation invocation, IParameterSymbol flag, KnownTypes types, out HeldLock held, out bool conditional)
    {
        held = default;
        conditional = false;
        if (AcquireKind(invocation, types) == LockCoverage.None)
        {
            return false;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.RefKind is RefKind.Ref
                && argument.Value is IParameterReferenceOperation parameter
                && SymbolEqualityComparer.Default.Equals(parameter.Parameter, flag))
            {
                held = LockOf(invocation, types);
                conditional = IsConditionalAcquire(invocation);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <c>if (!taken) throw …;</c> on a <c>ref bool</c> parameter, or <c>if (!taken) Throw();</c> where <c>Throw</c> is a
    /// local function or method whose body only throws: the method returns only with the flag set.
    /// </summary>
    internal static bool IsThrowUnlessFlag(IOperation operation, IParameterSymbol flag)
    {
        if (operation is not IConditionalOperation { WhenFalse: null } conditional
            || conditional.Condition is not IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, Operand: IParameterReferenceOperation reference }
            || !SymbolEqualityComparer.Default.Equals(reference.Parameter, flag))
        {
            return false;
        }

        var last = conditional.WhenTrue is IBlockOperation { Operations.Length: > 0 } block ? block.Operations[block.Operations.Length - 1] : conditional.WhenTrue;
        if (last is IExpressionStatementOperation statement)
        {
            last = statement.Operation;
        }

        return last is IThrowOperation || last is IInvocationOperation { TargetMethod: var thrower } && OnlyThrows(thrower);
    }

    /// <summary>A method of this compilation (or a local function) whose body is a single <c>throw</c>.</summary>
    private static bool OnlyThrows(IMethodSymbol method)
    {
        if (method.DeclaringSyntaxReferences.Length != 1)
        {
            return false;
        }

        var body = method.DeclaringSyntaxReferences[0].GetSyntax() switch
        {
            LocalFunctionStatementSyntax local => (SyntaxNode?)local.ExpressionBody?.Expression ?? local.Body,
            MethodDeclarationSyntax declared => (SyntaxNode?)declared.ExpressionBody?.Expression ?? declared.Body,
            _ => null,
        };

        return body is ThrowExpressionSyntax || body is BlockSyntax { Statements.Count: 1 } block && block.Statements[0] is ThrowStatementSyntax;
    }

    /// <summary>Whether <paramref name="invocation"/> releases a lock (<c>Monitor.Exit</c>, <c>Release</c>, <c>ExitWriteLock</c>, …).</summary>
    internal static bool IsRelease(IInvocationOperation invocation, KnownTypes types) => ReleaseKind(invocation, types) != LockCoverage.None;

    /// <summary>Whether <paramref name="invocation"/> takes a lock unconditionally, and which.</summary>
    internal static bool IsPlainAcquire(IInvocationOperation invocation, KnownTypes types, out HeldLock held)
    {
        held = default;
        if (AcquireKind(invocation, types) == LockCoverage.None || IsConditionalAcquire(invocation))
        {
            return false;
        }

        held = LockOf(invocation, types);
        return true;
    }

    private static void AddReleased(List<HeldLock> held, IOperation region, KnownTypes types)
    {
        foreach (var descendant in region.DescendantsAndSelf())
        {
            if (descendant is IInvocationOperation invocation && ReleaseKind(invocation, types) is var kind && kind != LockCoverage.None)
            {
                if (descendant.Parent is IExpressionStatementOperation { Parent: IConditionalOperation or IBlockOperation { Parent: IConditionalOperation } })
                {
                    // finally { if (taken) Monitor.Exit(x); }: the lock may not be held; the acquire or the flag decides.
                    return;
                }

                held.Add(KeyOf(LockObject(invocation, types), kind));
                return;
            }
        }
    }

    private static HeldLock LockOf(IInvocationOperation acquire, KnownTypes types)
        => KeyOf(LockObject(acquire, types), AcquireKind(acquire, types));

    /// <summary><c>Monitor.Enter(x)</c> locks its first argument; every other lock type locks its receiver.</summary>
    private static IOperation? LockObject(IInvocationOperation invocation, KnownTypes types)
        => types.Monitor.Matches(invocation.TargetMethod.ContainingType) && invocation.Arguments.Length > 0
            ? invocation.Arguments[0].Value
            : invocation.Instance;

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

    /// <summary>
    /// An acquire of an async lock whose result is the releaser a <c>using</c> disposes: an instance method named
    /// <c>Lock</c>, <c>LockAsync</c>, <c>Acquire(Async)</c>, <c>WriterLock(Async)</c> (full) or <c>ReaderLock(Async)</c>
    /// (read-only) of a type whose name ends in <c>Lock</c> (<c>AsyncLock</c>, <c>AsyncReaderWriterLock</c>), returning a
    /// disposable or a task of one, called on a field, <c>this</c> or a static.
    /// </summary>
    private static LockCoverage AsyncLockKind(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (method.IsStatic || method.ContainingType is not { } type || !type.Name.EndsWith("Lock", System.StringComparison.Ordinal)
            || invocation.Instance is not (IFieldReferenceOperation or IInstanceReferenceOperation or IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation }))
        {
            return LockCoverage.None;
        }

        var result = method.ReturnType is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } awaitable
            && awaitable.Name is "Task" or "ValueTask" or "AwaitableDisposable"
            ? awaitable.TypeArguments[0]
            : method.ReturnType;
        if (result.Name != "IDisposable" && !result.AllInterfaces.Any(i => i.Name == "IDisposable"))
        {
            return LockCoverage.None;
        }

        return method.Name switch
        {
            "Lock" or "LockAsync" or "Acquire" or "AcquireAsync" or "WriterLock" or "WriterLockAsync" => LockCoverage.Full,
            "ReaderLock" or "ReaderLockAsync" => LockCoverage.ReadOnly,
            _ => LockCoverage.None,
        };
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
