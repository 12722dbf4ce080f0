using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>Races by design that do no harm and are filtered: lazy initialization of a computed value, stores of the same constant, idempotent flags.</summary>
internal sealed partial class ConflictFinder
{
    /// <summary>
    /// A plain store (<c>x = v</c>, v not reading x) in a function that reads x nowhere else. Against an
    /// <c>Interlocked</c>/<c>Volatile</c> operation on the other side it lands before or after it, never inside it: no
    /// update is lost and no value is torn, so that pair is not a race a lock would fix. (A read-then-store such as
    /// <c>var n = _count; _count = 0;</c> is not lone: it loses the increments made in between.) 64-bit values are
    /// excluded: a plain store of them can tear on a 32-bit process.
    /// </summary>
    private bool IsLoneStore(CallbackFinding finding, CancellationToken cancellationToken)
    {
        if ((finding.OriginAccess ?? finding.Access) is not ISimpleAssignmentOperation { Syntax: AssignmentExpressionSyntax store } assignment
            || !Refers(assignment.Target, finding.Symbol)
            || finding.Properties.TryGetValue(CallbackDiagnosticProperties.ValueType, out var valueType) && valueType is "Int64" or "UInt64" or "Double")
        {
            return false;
        }

        return IsLoneStoreAt(store, finding.Symbol, cancellationToken);
    }

    /// <summary>Whether the function holding <paramref name="store"/> reads <paramref name="symbol"/> nowhere else.</summary>
    private bool IsLoneStoreAt(AssignmentExpressionSyntax store, ISymbol symbol, CancellationToken cancellationToken)
    {
        var function = SharedStateFacts.EnclosingFunction(store);
        if (function is null)
        {
            return false;
        }

        SemanticModel? model = null;
        foreach (var identifier in function.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText != symbol.Name || store.Left.Span.Contains(identifier.Span))
            {
                continue;
            }

            model ??= Facts.ModelFor(store.SyntaxTree);
            if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol?.OriginalDefinition, symbol.OriginalDefinition))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A snapshot read re-checked under a lock right after: <c>var t = _task; lock (_gate) { if (t == _task) … }</c> or
    /// <c>bool on = _timer != null; lock (_gate) { on = _timer != null …; }</c>. The unlocked value is a hint; the
    /// decision is made again under the lock, with the value read there, so the race on the snapshot does no harm.
    /// A lock that re-reads the field but neither compares it with the snapshot nor replaces the snapshot does not count.
    /// </summary>
    private bool IsSnapshotRecheckedUnderLock(CallbackFinding finding, CancellationToken cancellationToken)
    {
        if (!finding.IsRead || finding.Symbol is not IFieldSymbol field || finding.Location.SourceTree is not { } tree)
        {
            return false;
        }

        var read = tree.GetRoot(cancellationToken).FindNode(finding.Location.SourceSpan, getInnermostNodeForTie: true);
        var declarator = read.Ancestors().TakeWhile(n => n is not (StatementSyntax or AnonymousFunctionExpressionSyntax)).OfType<VariableDeclaratorSyntax>().FirstOrDefault();
        if (declarator?.Initializer is not { } initializer || !initializer.Value.Span.Contains(read.Span)
            || declarator.Parent?.Parent is not LocalDeclarationStatementSyntax declaration)
        {
            return false;
        }

        var function = SharedStateFacts.EnclosingFunction(declaration);
        if (function is null)
        {
            return false;
        }

        string snapshot = declarator.Identifier.ValueText;
        var model = Facts.ModelFor(tree);
        foreach (var locked in function.DescendantNodes(n => n == function || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<LockStatementSyntax>())
        {
            if (locked.SpanStart <= declaration.Span.End)
            {
                continue;
            }

            bool rereads = false;
            bool rechecks = false;
            foreach (var name in locked.Statement.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (name.Identifier.ValueText == field.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, field.OriginalDefinition))
                {
                    rereads = true;
                }
                else if (name.Identifier.ValueText == snapshot && (IsAssignedTo(name) || IsComparedWithField(name, field, model, cancellationToken)))
                {
                    rechecks = true;
                }
            }

            if (rereads && rechecks)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAssignedTo(IdentifierNameSyntax name)
        => name.Parent is AssignmentExpressionSyntax assignment && assignment.Left == name;

    /// <summary>The snapshot compared with the field: <c>t == _f</c>, <c>t != _f</c>, <c>ReferenceEquals(t, _f)</c>, <c>Equals(t, _f)</c>.</summary>
    private static bool IsComparedWithField(IdentifierNameSyntax name, IFieldSymbol field, SemanticModel model, CancellationToken cancellationToken)
    {
        SyntaxNode? other = name.Parent switch
        {
            BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.EqualsExpression) || binary.IsKind(SyntaxKind.NotEqualsExpression)
                => binary.Left == name ? binary.Right : binary.Left,
            ArgumentSyntax { Parent: ArgumentListSyntax { Arguments.Count: 2 } list, Parent.Parent: InvocationExpressionSyntax invocation }
                when invocation.Expression is IdentifierNameSyntax { Identifier.ValueText: "ReferenceEquals" or "Equals" } or MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ReferenceEquals" or "Equals" }
                => list.Arguments[0].Expression == name ? list.Arguments[1].Expression : list.Arguments[0].Expression,
            _ => null,
        };

        return other is ExpressionSyntax expression
            && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(expression, cancellationToken).Symbol?.OriginalDefinition, field.OriginalDefinition);
    }

    private static bool IsLazyInitialization(CallbackFinding finding)
    {
        var access = finding.OriginAccess ?? finding.Access;
        if (finding.Symbol is not (IFieldSymbol or IPropertySymbol) || access is null)
        {
            return false;
        }

        IOperation? value;
        switch (access)
        {
            case ICoalesceAssignmentOperation coalesce when Refers(coalesce.Target, finding.Symbol):
                value = coalesce.Value;
                break;
            case ISimpleAssignmentOperation assignment when Refers(assignment.Target, finding.Symbol) && IsGuardedByNullCheck(assignment, finding.Symbol):
                value = assignment.Value;
                break;
            default:
                return false;
        }

        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value is null || value.Type is not { IsReferenceType: true } type)
        {
            return false;
        }

        // The same value every time: computed from nothing the caller passes in ('_first ??= f.Result()' keeps whichever
        // callback came first, or not: a real race), and not a new object (a string is fine).
        if (DependsOnInput(value, depth: 0))
        {
            return false;
        }

        return value is not (IObjectCreationOperation or IArrayCreationOperation or IAnonymousObjectCreationOperation) || type.SpecialType == SpecialType.System_String;
    }

    /// <summary>Whether a value reads a parameter or <c>this</c>, directly or through the initializers of the locals it reads.</summary>
    private static bool DependsOnInput(IOperation value, int depth)
    {
        foreach (var part in value.DescendantsAndSelf())
        {
            switch (part)
            {
                case IParameterReferenceOperation:
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return true;
                case ILocalReferenceOperation local:
                    // A local of the same member computed from nothing the caller passes in ('var assembly = typeof(T).Assembly;').
                    if (depth > 2 || local.Local.DeclaringSyntaxReferences.Length != 1
                        || local.Local.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer: { } initializer }
                        || value.SemanticModel?.GetOperation(initializer.Value) is not { } initial
                        || DependsOnInput(initial, depth + 1))
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    private static bool Refers(IOperation target, ISymbol symbol)
        => ReferencedSymbol(target) is { } referenced && SymbolEqualityComparer.Default.Equals(referenced.OriginalDefinition, symbol.OriginalDefinition);

    private static bool IsGuardedByNullCheck(IOperation assignment, ISymbol symbol)
    {
        for (var current = assignment.Parent; current is not null and not IAnonymousFunctionOperation and not ILocalFunctionOperation; current = current.Parent)
        {
            if (current is IConditionalOperation conditional && IsNullCheckOf(conditional.Condition, symbol))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNullCheckOf(IOperation condition, ISymbol symbol)
    {
        while (condition is IConversionOperation conversion)
        {
            condition = conversion.Operand;
        }

        return condition switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } binary
                => Refers(Strip(binary.LeftOperand), symbol) && IsNull(binary.RightOperand) || Refers(Strip(binary.RightOperand), symbol) && IsNull(binary.LeftOperand),
            IIsPatternOperation { Pattern: IConstantPatternOperation constant } pattern => Refers(Strip(pattern.Value), symbol) && IsNull(constant.Value),
            _ => false,
        };
    }

    private static IOperation Strip(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private static bool IsNull(IOperation operation) => Strip(operation).ConstantValue is { HasValue: true, Value: null };

    /// <summary>
    /// A write of the same constant at every write site (an idempotent flag such as <c>s_failed = true</c>), and
    /// reads of such a flag: every interleaving leaves the same value.
    /// </summary>
    /// <summary>
    /// A last-activity timestamp: a store of the current time (<c>_last = DateTime.UtcNow;</c>, also through a local
    /// such as <c>var now = _clock.GetUtcNow(); … _last = now;</c>) in a function that reads the field nowhere else.
    /// Against reads and other such stores it is last-writer-wins with a value every writer meant, and a reader sees
    /// a time at most one store old: no lost update, nothing a lock would make more correct (on a 64-bit process).
    /// A store that first compares the old value (a throttle, <c>if (now - _last &lt; d) return; _last = now;</c>)
    /// is not lone and stays reported.
    /// </summary>
    private bool IsLoneCurrentTimeStore(SyntaxNode access, ISymbol symbol, CancellationToken cancellationToken)
        => StoreAt(access) is { } store && store.IsKind(SyntaxKind.SimpleAssignmentExpression)
            && IsCurrentTime(StoredValue(store, cancellationToken)) && IsLoneStoreAt(store, symbol, cancellationToken);

    /// <summary>The assignment whose target is (or contains) <paramref name="access"/>, or null.</summary>
    private static AssignmentExpressionSyntax? StoreAt(SyntaxNode access)
        => access as AssignmentExpressionSyntax
            ?? access.AncestorsAndSelf().TakeWhile(n => n is ExpressionSyntax).OfType<AssignmentExpressionSyntax>().FirstOrDefault(a => a.Left.Span.Contains(access.Span));

    /// <summary>The value a store writes, conversions removed, seen through a local that is initialized once and never reassigned (<c>var now = …; _last = now;</c>).</summary>
    private IOperation? StoredValue(AssignmentExpressionSyntax store, CancellationToken cancellationToken)
    {
        var model = Facts.ModelFor(store.SyntaxTree);
        var value = model.GetOperation(store.Right, cancellationToken);
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value is ILocalReferenceOperation { Local: { DeclaringSyntaxReferences.Length: 1 } local }
            && local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator
            && !IsReassigned(local, declarator))
        {
            value = model.GetOperation(initializer, cancellationToken);
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }
        }

        return value;
    }

    /// <summary>
    /// Dispose-or-clear of a disposable held in a field: an access that only disposes what it reads
    /// (<c>_timer?.Dispose()</c>, <c>_timer.Dispose()</c>, <c>DisposeAsync</c>) or stores <c>null</c>. Such accesses race
    /// only with each other in a harmless way: whatever the order, the object ends disposed, once or twice, and
    /// <c>Dispose</c> must tolerate a second call. A store of a new object, or any other use, is not of this kind.
    /// </summary>
    private bool IsDisposeOrClear(SyntaxNode? access)
    {
        if (access is null)
        {
            return false;
        }

        var store = StoreAt(access);
        if (store is not null)
        {
            return store.IsKind(SyntaxKind.SimpleAssignmentExpression)
                && store.Right is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NullLiteralExpression } or LiteralExpressionSyntax { RawKind: (int)SyntaxKind.DefaultLiteralExpression };
        }

        var receiver = access.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: not ("Dispose" or "DisposeAsync") } qualified && qualified.Name == access
            ? qualified
            : access;
        return receiver.Parent switch
        {
            ConditionalAccessExpressionSyntax { WhenNotNull: InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax { Name.Identifier.ValueText: "Dispose" or "DisposeAsync" }, ArgumentList.Arguments.Count: 0 } } conditional
                => conditional.Expression == receiver,
            MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Dispose" or "DisposeAsync", Parent: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0 } } member
                => member.Expression == receiver,
            _ => false,
        };
    }

    /// <summary>
    /// Whether the run that clears a field also stores a new object in it (<c>_cts.Dispose(); _cts = null; … _cts =
    /// new …;</c>, directly or in a method of the type it calls, two calls deep): then a concurrent dispose can miss
    /// the new object, and the pair is not dispose-or-clear.
    /// </summary>
    private bool RunStoresANewValue(SyntaxNode access, ISymbol symbol, CancellationToken cancellationToken)
    {
        var function = SharedStateFacts.EnclosingFunction(access);
        if (function is null)
        {
            return true;
        }

        var seen = new HashSet<SyntaxNode>();
        return StoresANewValue(function, symbol, seen, depth: 0, cancellationToken);
    }

    private bool StoresANewValue(SyntaxNode function, ISymbol symbol, HashSet<SyntaxNode> seen, int depth, CancellationToken cancellationToken)
    {
        if (!seen.Add(function))
        {
            return false;
        }

        var model = Facts.ModelFor(function.SyntaxTree);
        foreach (var node in function.DescendantNodes())
        {
            switch (node)
            {
                case AssignmentExpressionSyntax assignment when IsDisposeOrClear(assignment) is false
                    && assignment.Left.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == symbol.Name
                        && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, cancellationToken).Symbol?.OriginalDefinition, symbol.OriginalDefinition)):
                    return true;
                case InvocationExpressionSyntax invocation when depth < 2
                    && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol { DeclaringSyntaxReferences.Length: 1 } callee
                    && SymbolEqualityComparer.Default.Equals(callee.ContainingType, symbol.ContainingType)
                    && callee.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is BaseMethodDeclarationSyntax body
                    && StoresANewValue(body, symbol, seen, depth + 1, cancellationToken):
                    return true;
            }
        }

        return false;
    }

    /// <summary><c>DateTime.UtcNow</c>/<c>Now</c>, <c>DateTimeOffset.UtcNow</c>/<c>Now</c>, <c>TimeProvider.GetUtcNow()</c>/<c>GetLocalNow()</c>/<c>GetTimestamp()</c>, <c>Stopwatch.GetTimestamp()</c>, <c>Environment.TickCount</c>/<c>TickCount64</c>.</summary>
    private static bool IsCurrentTime(IOperation? value)
    {
        switch (value)
        {
            case IPropertyReferenceOperation { Property: { IsStatic: false, Name: "UtcDateTime" or "DateTime" or "LocalDateTime" or "UtcTicks" or "Ticks" } }
                when value is IPropertyReferenceOperation { Instance: { } instance, Property.ContainingType: var owner }
                    && owner.ToDisplayString() is "System.DateTime" or "System.DateTimeOffset":
                // '_clock.GetUtcNow().UtcDateTime', 'DateTimeOffset.UtcNow.UtcTicks': the same instant in another form.
                return IsCurrentTime(instance);
            case IPropertyReferenceOperation { Property: { IsStatic: true } property }:
                string type = property.ContainingType.ToDisplayString();
                return property.Name is "UtcNow" or "Now" && type is "System.DateTime" or "System.DateTimeOffset"
                    || property.Name is "TickCount" or "TickCount64" && type == "System.Environment";
            case IInvocationOperation { TargetMethod: var method }:
                string containing = method.ContainingType.ToDisplayString();
                return method.Name is "GetUtcNow" or "GetLocalNow" or "GetTimestamp" && containing == "System.TimeProvider"
                    || method.Name == "GetTimestamp" && containing == "System.Diagnostics.Stopwatch";
            default:
                return false;
        }
    }

    /// <summary>
    /// An unlocked fast path that the same function checks again under the writer's lock (double-checked locking):
    /// <c>if (_next == at) return; lock (_gate) { if (_next == at) return; … }</c> against a write under
    /// <c>_gate</c>. A stale value on the fast path only skips work that is already done, or falls through to the
    /// check made under the lock, where the decision is taken with the current value.
    /// </summary>
    private static bool IsFastPathRecheckedUnderLock(StateAccess read, List<HeldLock> writerLocks, List<AccessCandidate> candidates, CancellationToken cancellationToken)
    {
        if (read.Mode != AccessMode.Read || read.Locks.Count > 0 || writerLocks.Count == 0
            || ConditionOfEarlyExit(read.Syntax) is not { } fastPath)
        {
            return false;
        }

        foreach (var candidate in candidates)
        {
            if (candidate.Access(cancellationToken) is { Mode: AccessMode.Read } recheck
                && recheck.Member == read.Member
                && recheck.Function == read.Function
                && recheck.Syntax.SyntaxTree == read.Syntax.SyntaxTree
                && recheck.Syntax.SpanStart > fastPath.Span.End
                && ConditionOfEarlyExit(recheck.Syntax) is not null
                && ShareLock(writerLocks, recheck))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The <c>if</c> whose condition (or branch) holds <paramref name="node"/> and whose branch only leaves (ends in <c>return</c>, no <c>else</c>, changes nothing), or null.</summary>
    private static IfStatementSyntax? ConditionOfEarlyExit(SyntaxNode node)
    {
        // The condition, or the branch itself (a log line that prints the value before leaving).
        var ifStatement = node.Ancestors().TakeWhile(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax))
            .OfType<IfStatementSyntax>().FirstOrDefault();
        if (ifStatement is not { Else: null }
            || !ifStatement.Condition.Span.Contains(node.Span) && node.FirstAncestorOrSelf<StatementSyntax>() is not ExpressionStatementSyntax)
        {
            return null;
        }

        var last = ifStatement.Statement is BlockSyntax block ? block.Statements.LastOrDefault() : ifStatement.Statement;
        if (last is not ReturnStatementSyntax)
        {
            return null;
        }

        foreach (var inner in ifStatement.Statement.DescendantNodes())
        {
            if (inner is AssignmentExpressionSyntax or PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression })
            {
                // A branch that changes state before leaving is not a pure fast path.
                return null;
            }
        }

        return ifStatement;
    }

    /// <summary>Whether <see cref="IsIdempotentFlag"/> can hold: only then does it need every access bound.</summary>
    private static bool MayBeIdempotentFlag(CallbackFinding finding)
        => finding.Symbol is IFieldSymbol or IPropertySymbol or ILocalSymbol && finding.Writes && finding.HasConstant;

    /// <summary>Every candidate that is an access of the symbol, bound and classified.</summary>
    private static List<StateAccess> EveryAccess(List<AccessCandidate> candidates, CancellationToken cancellationToken)
    {
        var accesses = new List<StateAccess>();
        foreach (var candidate in candidates)
        {
            if (candidate.Access(cancellationToken) is { } access)
            {
                accesses.Add(access);
            }
        }

        return accesses;
    }

    private static bool IsIdempotentFlag(CallbackFinding finding, List<StateAccess> accesses)
    {
        if (!MayBeIdempotentFlag(finding))
        {
            return false;
        }

        object? constant = finding.Constant;
        bool seen = true;
        foreach (var access in accesses)
        {
            if (!access.Writes || access.InConstruction)
            {
                continue;
            }

            if (access.Mode != AccessMode.Write || !access.HasConstant)
            {
                return false;
            }

            if (!seen)
            {
                constant = access.WrittenConstant;
                seen = true;
            }
            else if (!Equals(constant, access.WrittenConstant))
            {
                return false;
            }
        }

        return seen;
    }
}
