using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// Timers and schedulers: where a timer created stopped starts (the point that publishes earlier writes), whether a
/// one-shot timer is made periodic later, whether a handler restarts its timer before an access, and whether a
/// <c>TaskScheduler</c> of the compilation runs one task at a time.
/// </summary>
internal sealed partial class ConflictFinder
{
    private readonly ConcurrentDictionary<SyntaxNode, SyntaxNode> _orderingPoints = new();
    private readonly ConcurrentDictionary<ISymbol, bool> _changedToPeriodic = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<ITypeSymbol, bool> _oneAtATimeSchedulers = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// Where the callback can first run, for ordering the registering member's code with it: the registration, or, for
    /// a timer created stopped in this member (or in a field initializer, registered in a constructor), its first start
    /// after the registration in the same member (<c>Start()</c> or <c>Enabled = true</c> on a
    /// <c>System.Timers.Timer</c>; <c>Change(dueTime, …)</c> with a finite due time on a <c>System.Threading.Timer</c>
    /// created with an infinite one). Writes before the start are published to the callback.
    /// </summary>
    private SyntaxNode OrderingPoint(Registration registration, CancellationToken cancellationToken)
        => _orderingPoints.GetOrAdd(registration.Operation.Syntax, _ => TimerStart(registration, cancellationToken) ?? registration.Operation.Syntax);

    private SyntaxNode? TimerStart(Registration registration, CancellationToken cancellationToken)
    {
        if (registration.Member is not { } member || SharedStateFacts.IsInsideFunction(registration.Operation.Syntax, member))
        {
            return null;
        }

        var syntax = registration.Operation.Syntax;
        switch (registration.Operation)
        {
            case IEventAssignmentOperation { Adds: true, EventReference: IEventReferenceOperation { Event: var timerEvent, Instance: var instance } }
                when Types.TimersTimer.Matches(timerEvent.ContainingType) && TimerSymbol(instance) is { } timer
                    && CreatedStoppedBefore(timer, member, syntax, cancellationToken) is { } createdAt
                    && FirstTimerStart(member, timer, createdAt, cancellationToken) is { } firstStart
                    && firstStart.SpanStart > syntax.Span.End:
                return firstStart;
            case IObjectCreationOperation creation when Types.ThreadingTimer.Matches(creation.Type) && IsCreatedStopped(creation)
                    && TimerStoredIn(creation) is { } stored
                    && FirstTimerStart(member, stored, syntax.Span.End, cancellationToken) is { } armed:
                return armed;
            default:
                return null;
        }
    }

    /// <summary>
    /// Where a <c>System.Timers.Timer</c> held in <paramref name="timer"/> is known to be created stopped: the end of
    /// its creation in this member before the registration, or the member's start when it is a constructor and the
    /// timer comes from the field's initializer (or a local's). Null when the creation is not seen, or starts it.
    /// </summary>
    private int? CreatedStoppedBefore(ISymbol timer, SyntaxNode member, SyntaxNode registration, CancellationToken cancellationToken)
    {
        IOperation? initializer = timer switch
        {
            ILocalSymbol local => _analysis.InitializerOf(local, cancellationToken),
            IFieldSymbol field when member is ConstructorDeclarationSyntax && !field.IsStatic => _analysis.FieldInitializerOf(field, cancellationToken),
            _ => null,
        };

        if (initializer is not null)
        {
            return Strip(initializer) is IObjectCreationOperation created && Types.TimersTimer.Matches(created.Type) && !StartsInInitializer(created)
                ? (timer is ILocalSymbol ? created.Syntax.Span.End : member.SpanStart)
                : null;
        }

        if (timer is not IFieldSymbol)
        {
            return null;
        }

        // '_timer = new Timer(100); _timer.Elapsed += …;' in the registering member.
        var model = Facts.ModelFor(member.SyntaxTree);
        foreach (var creation in member.DescendantNodes().OfType<BaseObjectCreationExpressionSyntax>())
        {
            if (creation.SpanStart < registration.SpanStart && !SharedStateFacts.IsInsideFunction(creation, member)
                && model.GetOperation(creation, cancellationToken) is IObjectCreationOperation created && Types.TimersTimer.Matches(created.Type)
                && !StartsInInitializer(created) && TimerStoredIn(created) is { } stored && SymbolEqualityComparer.Default.Equals(stored, timer))
            {
                return creation.Span.End;
            }
        }

        return null;
    }

    private static bool StartsInInitializer(IObjectCreationOperation creation)
        => creation.Initializer?.Initializers.Any(i => i is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Enabled" }, Value: var value }
            && Strip(value).ConstantValue is not { HasValue: true, Value: false }) == true;

    /// <summary>
    /// The first start of <paramref name="timer"/> in <paramref name="member"/>'s own code (not in a lambda) after
    /// <paramref name="after"/> (a text position); null when a start comes earlier or there is none.
    /// </summary>
    private SyntaxNode? FirstTimerStart(SyntaxNode member, ISymbol timer, int after, CancellationToken cancellationToken)
    {
        SyntaxNode? first = null;
        foreach (var (start, target) in TimerStarts(member, cancellationToken))
        {
            if (!SymbolEqualityComparer.Default.Equals(target, timer) || SharedStateFacts.IsInsideFunction(start, member))
            {
                continue;
            }

            if (start.SpanStart < after)
            {
                // Started before the point: the registration itself is where it can first run.
                return null;
            }

            if (first is null || start.SpanStart < first.SpanStart)
            {
                first = start;
            }
        }

        return first;
    }

    /// <summary>
    /// The starts of a timer inside <paramref name="node"/>: <c>Start()</c> and <c>Enabled = …</c> (anything but
    /// <c>false</c>) on a <c>System.Timers.Timer</c>, <c>Change(dueTime, …)</c> with a due time that is not infinite
    /// on a <c>System.Threading.Timer</c>; each with the variable it is called on, when it names one.
    /// </summary>
    private IEnumerable<(SyntaxNode Start, ISymbol? Timer)> TimerStarts(SyntaxNode node, CancellationToken cancellationToken)
    {
        string text = Facts.TextOf(node.SyntaxTree, cancellationToken);
        var model = Facts.ModelFor(node.SyntaxTree);
        foreach (string word in new[] { "Start", "Enabled", "Change" })
        {
            foreach (var token in TextSearch.TokensNamed(node, text, word))
            {
                var name = token.Parent;
                var expression = name?.Parent is MemberAccessExpressionSyntax or MemberBindingExpressionSyntax ? name.Parent : name;
                if (expression?.Parent is InvocationExpressionSyntax invocation && invocation.Expression == expression
                    && model.GetOperation(invocation, cancellationToken) is IInvocationOperation call
                    && IsStart(call))
                {
                    yield return (invocation, TimerSymbol(call.Instance));
                }
                else if (expression?.Parent is AssignmentExpressionSyntax assignment && assignment.Left == expression && expression is MemberAccessExpressionSyntax
                    && model.GetOperation(assignment, cancellationToken) is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Enabled" } enabled, Value: var value }
                    && Types.TimersTimer.Matches(enabled.Property.ContainingType)
                    && Strip(value).ConstantValue is not { HasValue: true, Value: false })
                {
                    yield return (assignment, TimerSymbol(enabled.Instance));
                }
            }
        }
    }

    private bool IsStart(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        if (method.Name == "Start" && Types.TimersTimer.Matches(method.ContainingType))
        {
            return true;
        }

        if (method.Name != "Change" || !Types.ThreadingTimer.Matches(method.ContainingType))
        {
            return false;
        }

        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter?.Name == "dueTime")
            {
                return !IsInfiniteDueTime(argument.Value);
            }
        }

        return false;
    }

    /// <summary>A <c>System.Threading.Timer</c> created without a due time, or with an infinite one (<c>-1</c>, <c>Timeout.Infinite</c>, <c>Timeout.InfiniteTimeSpan</c>).</summary>
    private static bool IsCreatedStopped(IObjectCreationOperation creation)
    {
        foreach (var argument in creation.Arguments)
        {
            if (argument.Parameter?.Name == "dueTime")
            {
                return IsInfiniteDueTime(argument.Value);
            }
        }

        return true;
    }

    /// <summary>A due time that never fires: <c>-1</c> (<c>Timeout.Infinite</c>), <c>uint.MaxValue</c>, <c>Timeout.InfiniteTimeSpan</c>. Zero fires at once.</summary>
    private static bool IsInfiniteDueTime(IOperation value)
    {
        value = Strip(value);
        if (value.ConstantValue is { HasValue: true, Value: var constant })
        {
            return constant is int i && i == -1 || constant is long l && l == -1 || constant is uint u && u == uint.MaxValue;
        }

        return value is IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" };
    }

    /// <summary>The local, field, property or parameter a timer expression names (<c>_timer</c>, <c>this._timer</c>, <c>_timer?</c>), or null.</summary>
    private static ISymbol? TimerSymbol(IOperation? instance)
    {
        if (instance is IConditionalAccessInstanceOperation conditional)
        {
            instance = CallbackWalker.ConditionalReceiver(conditional);
        }

        return (instance is null ? null : Strip(instance)) switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
            IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Property.Parameters.Length: 0 } property => property.Property,
            _ => null,
        };
    }

    /// <summary>The variable a new timer is stored in: <c>var t = new Timer(…)</c>, <c>_timer = new Timer(…)</c>, <c>_timer ??= …</c>, a field initializer.</summary>
    private static ISymbol? TimerStoredIn(IOperation creation)
    {
        var node = creation;
        while (node.Parent is IConversionOperation)
        {
            node = node.Parent;
        }

        return node.Parent switch
        {
            ISimpleAssignmentOperation assignment when assignment.Value == node => TimerSymbol(assignment.Target),
            ICoalesceAssignmentOperation coalesce when coalesce.Value == node => TimerSymbol(coalesce.Target),
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
            IFieldInitializerOperation { InitializedFields.Length: 1 } field => field.InitializedFields[0],
            IPropertyInitializerOperation { InitializedProperties.Length: 1 } property => property.InitializedProperties[0],
            _ => null,
        };
    }

    /// <summary>
    /// Whether a <c>System.Threading.Timer</c> created one-shot is made periodic somewhere: a <c>Change(dueTime,
    /// period)</c> on the variable it is stored in (the member, for a local; the type, for a field or property) with a
    /// period that is not infinite or not a constant.
    /// </summary>
    private bool IsChangedToPeriodic(IObjectCreationOperation creation, CancellationToken cancellationToken)
    {
        if (TimerStoredIn(creation) is not { } timer)
        {
            return false;
        }

        return _changedToPeriodic.GetOrAdd(timer, t =>
        {
            IEnumerable<SyntaxNode> scopes = t is ILocalSymbol
                ? (SharedStateFacts.EnclosingMember(creation.Syntax) is { } member ? new[] { member } : System.Array.Empty<SyntaxNode>())
                : t.ContainingType.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).Where(s => Facts.IsInCompilation(s.SyntaxTree));
            foreach (var scope in scopes)
            {
                string text = Facts.TextOf(scope.SyntaxTree, cancellationToken);
                var model = Facts.ModelFor(scope.SyntaxTree);
                foreach (var token in TextSearch.TokensNamed(scope, text, "Change"))
                {
                    var name = token.Parent;
                    var expression = name?.Parent is MemberAccessExpressionSyntax or MemberBindingExpressionSyntax ? name.Parent : name;
                    if (expression?.Parent is InvocationExpressionSyntax invocation && invocation.Expression == expression
                        && model.GetOperation(invocation, cancellationToken) is IInvocationOperation { TargetMethod.Name: "Change" } call
                        && Types.ThreadingTimer.Matches(call.TargetMethod.ContainingType)
                        && SymbolEqualityComparer.Default.Equals(TimerSymbol(call.Instance), t)
                        && call.Arguments.Any(a => a.Parameter?.Name == "period" && !IsInfinite(a.Value)))
                    {
                        return true;
                    }
                }
            }

            return false;
        });
    }

    /// <summary>
    /// Whether a <c>System.Timers.Timer</c> handler restarts its timer (<c>Start()</c>, <c>Enabled = true</c>) before
    /// the access: earlier in the handler's text, in a loop around both, or in a lambda inside it. With
    /// <c>AutoReset = false</c> the next run can then start while this one is still at the access. A restart after
    /// the accesses (the last statements, a <c>finally</c>) keeps the runs one at a time.
    /// </summary>
    private bool RestartsBeforeTheAccess(CallbackFinding finding, Registration registration, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        if (registration.Operation is not IEventAssignmentOperation { EventReference: IEventReferenceOperation { Event: var timerEvent, Instance: var instance } }
            || !Types.TimersTimer.Matches(timerEvent.ContainingType)
            || finding.Location.SourceTree != callbackRoot.SyntaxTree
            || !callbackRoot.Span.Contains(finding.Location.SourceSpan)
            || !Facts.IsInCompilation(callbackRoot.SyntaxTree))
        {
            return false;
        }

        var access = finding.Location.SourceSpan;
        var timer = TimerSymbol(instance);
        foreach (var (restart, target) in TimerStarts(callbackRoot, cancellationToken))
        {
            if (target is not null and not IParameterSymbol && timer is not null && !SymbolEqualityComparer.Default.Equals(target, timer))
            {
                // Another timer ('sender' and unnamed receivers count as this one).
                continue;
            }

            if (restart is InvocationExpressionSyntax && Facts.ModelFor(restart.SyntaxTree).GetOperation(restart, cancellationToken) is IInvocationOperation { TargetMethod.Name: "Change" })
            {
                // A System.Threading.Timer's Change: another timer.
                continue;
            }

            if (restart.SpanStart < access.Start || SharedStateFacts.IsInsideFunction(restart, callbackRoot))
            {
                return true;
            }

            for (var loop = restart.Parent; loop is not null && loop != callbackRoot; loop = loop.Parent)
            {
                if (loop is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax && loop.Span.Contains(access))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// A <c>TaskScheduler</c> declared in the compilation whose <c>MaximumConcurrencyLevel</c> override returns the
    /// constant 1: the value's type, or the type a readonly field or local is initialized with (<c>new Limited()</c>).
    /// </summary>
    private bool IsOneAtATimeScheduler(IOperation value, CancellationToken cancellationToken)
    {
        var type = value.Type;
        if (type is null || !DerivesFrom(type, Types.TaskScheduler))
        {
            return false;
        }

        var created = value switch
        {
            IFieldReferenceOperation { Field.IsReadOnly: true } field => _analysis.FieldInitializerOf(field.Field, cancellationToken),
            ILocalReferenceOperation local => _analysis.InitializerOf(local.Local, cancellationToken),
            _ => value,
        };

        if (created is not null && Strip(created) is IObjectCreationOperation { Type: { } exact })
        {
            type = exact;
        }

        return _oneAtATimeSchedulers.GetOrAdd(type, t => MaximumConcurrencyLevelIsOne(t, cancellationToken));
    }

    private bool MaximumConcurrencyLevelIsOne(ITypeSymbol type, CancellationToken cancellationToken)
    {
        for (var current = type; current is not null && !Types.TaskScheduler.Matches(current); current = current.BaseType)
        {
            if (current.GetMembers("MaximumConcurrencyLevel").OfType<IPropertySymbol>().FirstOrDefault(p => p.IsOverride) is not { } level)
            {
                continue;
            }

            // The nearest override decides: it must be in source and return 1 on every path.
            if (level.GetMethod is not { DeclaringSyntaxReferences.Length: 1 } getter)
            {
                return false;
            }

            var body = getter.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
            if (!Facts.IsInCompilation(body.SyntaxTree))
            {
                return false;
            }

            var returned = body switch
            {
                ArrowExpressionClauseSyntax arrow => new[] { arrow.Expression },
                AccessorDeclarationSyntax { ExpressionBody: { } arrow } => new[] { arrow.Expression },
                AccessorDeclarationSyntax { Body: { } block } => block.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                    .OfType<ReturnStatementSyntax>().Select(r => r.Expression).ToArray(),
                _ => System.Array.Empty<ExpressionSyntax?>(),
            };

            var model = Facts.ModelFor(body.SyntaxTree);
            return returned.Length > 0 && returned.All(e => e is not null && model.GetConstantValue(e, cancellationToken) is { HasValue: true, Value: 1 });
        }

        return false;
    }
}
