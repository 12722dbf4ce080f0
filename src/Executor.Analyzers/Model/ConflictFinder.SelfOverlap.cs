using System.Linq;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>Whether a callback or work item can overlap another run of itself: loops, repeated members, several registrations, periodic timers, parallel loops; and the locks that are the same in every run.</summary>
internal sealed partial class ConflictFinder
{
    /// <summary>
    /// Why the callback can overlap itself, or null: registered in a loop, by a member that can run more than once
    /// (anything but one-time code), in several places, or as a periodic timer.
    /// </summary>
    private string? CanOverlapItself(CallbackFinding finding, Registration registration, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        if (registration.Work is { AlwaysSelfConcurrent: true } work)
        {
            // A parallel loop's runs overlap whatever the starting code does; a lock declared outside the delegate is
            // the same lock in every run, and each run that stores to the slot of its own index owns that slot.
            return HoldsLockOutside(finding, callbackRoot) || StoresToOwnSlot(finding, callbackRoot, cancellationToken)
                ? null
                : "'" + _analysis.ApiName(registration.Api) + "' " + work.How;
        }

        if (registration.Work is { JoinsOnReturn: true })
        {
            // Parallel.Invoke: each action runs once per call, and the call returns after it.
            return null;
        }

        if (registration.Work is not null && registration.Next is null && registration.RepeatReason(null) is null && IsStartedOnce(registration, cancellationToken))
        {
            // 'if (_task is not null) return; _task = Task.Run(Loop);': one run per object.
            return null;
        }

        if (registration.Work is not null && registration.Next is null && JoinedBeforeItRunsAgain(registration, cancellationToken))
        {
            // 'var f = pool.Submit(work); … f.Result();' on every path: the next start (next iteration, next call of
            // the member) comes after this run has ended.
            return null;
        }

        bool periodic = IsPeriodicTimer(registration, cancellationToken, out bool isTimer);
        if (periodic && !HoldsStableLock(finding, registration, loop: false))
        {
            return "the timer is periodic";
        }

        if (isTimer && !periodic && RestartsBeforeTheAccess(finding, registration, callbackRoot, cancellationToken) && !HoldsStableLock(finding, registration, loop: false))
        {
            // 'AutoReset = false' with '_timer.Start()' first in the handler: the next run can start during this one.
            return "the handler restarts the timer before this access";
        }

        // A captured variable, or an object reached through one, is shared only by the registrations in its scope.
        if (finding.Symbol is ILocalSymbol or IParameterSymbol || finding.ReceiverRoot is ILocalSymbol)
        {
            var variable = finding.Symbol is ILocalSymbol or IParameterSymbol ? finding.Symbol : finding.ReceiverRoot!;
            var scope = DeclarationScope(variable, cancellationToken);
            return scope is not null && registration.RepeatReason(scope) is { } repeat && !HoldsStableLock(finding, registration, loop: true)
                && !StoresToIterationSlot(finding, registration, scope, cancellationToken)
                ? repeat
                : null;
        }

        if (registration.RepeatReason(null) is { } repeated)
        {
            return HoldsStableLock(finding, registration, loop: true) ? null : repeated;
        }

        if (HoldsStableLock(finding, registration, loop: false))
        {
            return null;
        }

        if (registration.Next is not null)
        {
            return "it is registered in more than one place";
        }

        if (registration.Work is not null && RunsOnFreshObject(finding, registration))
        {
            // 'var h = new Loop(); h._task = Task.Run(h.RunAsync);' in a factory: each call starts work on its own object.
            return null;
        }

        if (IsStaticState(finding) && RunsOncePerObject(registration, cancellationToken))
        {
            // A constructor runs once per object, but each object's callback updates the same static.
            return "each new object registers it, and the state is static";
        }

        if (isTimer || registration.IsInOneTimeCode()
            || registration.Member is MethodDeclarationSyntax method && IsOnlyCalledFromConstructors(method, cancellationToken))
        {
            return null;
        }

        if (!IsStaticState(finding) && IsStartedOnceByExchange(registration, cancellationToken))
        {
            // 'if (Interlocked.CompareExchange(ref _state, 1, 0) == 0) Task.Run(Run);' and nothing sets 0 again.
            return null;
        }

        if (registration.Work is not null && IsStartedOncePerFreshObject(finding, registration, cancellationToken))
        {
            // 'var w = new Worker(); w.Start();' is the only way Start runs: once per object, so per object one run.
            return null;
        }

        return "'" + registration.MemberName + "' registers it each time it runs";
    }

    /// <summary>Registered by an instance constructor or instance initializer (or a method only they call): once per object, not once in all.</summary>
    private bool RunsOncePerObject(Registration registration, CancellationToken cancellationToken) => registration.Member switch
    {
        ConstructorDeclarationSyntax constructor => !constructor.Modifiers.Any(SyntaxKind.StaticKeyword),
        FieldDeclarationSyntax field => !field.Modifiers.Any(SyntaxKind.StaticKeyword),
        PropertyDeclarationSyntax property => registration.IsInOneTimeCode() && !property.Modifiers.Any(SyntaxKind.StaticKeyword),
        MethodDeclarationSyntax method => !method.Modifiers.Any(SyntaxKind.StaticKeyword) && IsOnlyCalledFromConstructors(method, cancellationToken),
        _ => false,
    };

    private static bool HoldsLockOutside(CallbackFinding finding, SyntaxNode callbackRoot)
    {
        foreach (var held in finding.Locks)
        {
            if (held.Kind != LockKind.Variable || held.Symbol is not ILocalSymbol local)
            {
                return true;
            }

            foreach (var reference in local.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree != callbackRoot.SyntaxTree || !callbackRoot.Span.Contains(reference.Span))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// An element update (<c>counts[i]++</c>) at a slot that belongs to this run: the index is built only with
    /// <c>+</c>, <c>-</c> and <c>*</c> from <c>Parallel.For</c>'s own index (<c>c[i * cols + j]</c>, row-major), or from
    /// the variable of a <c>for</c> loop over the range the run was given (<c>Parallel.ForEach(Partitioner.Create(0,
    /// n), r => { for (int i = r.Item1; i &lt; r.Item2; i++) a[i] *= k; })</c>). A <c>%</c>, <c>/</c>, bit operation or
    /// call can map two runs to one slot (<c>buckets[x % 10]++</c>), and is still reported.
    /// </summary>
    private bool StoresToOwnSlot(CallbackFinding finding, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        if (ElementUpdated(finding.Access) is not { Indices.Length: 1 } element
            || Facts.ModelFor(callbackRoot.SyntaxTree).GetOperation(callbackRoot, cancellationToken) is not IAnonymousFunctionOperation function)
        {
            return false;
        }

        bool ownIndex = false;
        foreach (var part in element.Indices[0].DescendantsAndSelf())
        {
            switch (part)
            {
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract or BinaryOperatorKind.Multiply }:
                case IConversionOperation or ILiteralOperation or IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false }:
                    break;
                case IParameterReferenceOperation { Parameter: var parameter }:
                    // Parallel.For's first parameter is the index; ForEach's first parameter is an item, which may repeat.
                    ownIndex |= parameter.Ordinal == 0
                        && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, function.Symbol)
                        && parameter.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
                        && IsParallelForIndex(function);
                    break;
                case ILocalReferenceOperation { Local: var local }:
                    ownIndex |= IsLoopOverOwnRange(local, function, cancellationToken);
                    break;
                default:
                    return false;
            }
        }

        return ownIndex;
    }

    /// <summary>The array element an update (<c>a[i]++</c>, <c>a[i] += x</c>, <c>a[i] = x</c>) writes, or null.</summary>
    private static IArrayElementReferenceOperation? ElementUpdated(IOperation? access)
    {
        while (access is not null and not IArrayElementReferenceOperation)
        {
            access = access switch
            {
                IIncrementOrDecrementOperation increment => increment.Target,
                ICompoundAssignmentOperation compound => compound.Target,
                ISimpleAssignmentOperation simple => simple.Target,
                _ => null,
            };
        }

        return access as IArrayElementReferenceOperation;
    }

    /// <summary>
    /// An element update at a slot that belongs to one iteration of the loop that registers the callback:
    /// <c>for (int i = 0; i &lt; n; i++) { int slot = i; … AddDoneCallback(f =&gt; results[slot] += f.Result()); }</c>.
    /// The index is a local declared inside the <c>for</c> body (a new variable each iteration, never reassigned),
    /// built only with <c>+</c>, <c>-</c>, <c>*</c> and constants from the loop variable, which only the loop's own
    /// increment changes; no other loop or lambda between the array's scope and the registration repeats it.
    /// </summary>
    private bool StoresToIterationSlot(CallbackFinding finding, Registration registration, SyntaxNode scope, CancellationToken cancellationToken)
    {
        if (ElementUpdated(finding.Access) is not { Indices.Length: 1 } element)
        {
            return false;
        }

        var index = element.Indices[0];
        while (index is IConversionOperation conversion)
        {
            index = conversion.Operand;
        }

        if (index is not ILocalReferenceOperation { Local: { DeclaringSyntaxReferences.Length: 1 } slot }
            || slot.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator
            || declarator.FirstAncestorOrSelf<ForStatementSyntax>() is not { Declaration.Variables.Count: 1 } loop
            || !loop.Statement.Span.Contains(declarator.Span)
            || !loop.Statement.Span.Contains(registration.Operation.Syntax.Span)
            || IsReassigned(slot, declarator)
            || registration.RepeatReason(loop) is not null
            || RepeatsBetween(loop, scope))
        {
            return false;
        }

        var variable = loop.Declaration.Variables[0].Identifier.ValueText;
        if (loop.Incrementors.Count != 1
            || loop.Incrementors[0] switch
            {
                PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax post } => post.Identifier.ValueText != variable,
                PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax pre } => pre.Identifier.ValueText != variable,
                _ => true,
            }
            || WritesName(loop.Statement, variable)
            || loop.Condition is not null && WritesName(loop.Condition, variable))
        {
            return false;
        }

        bool usesVariable = false;
        foreach (var node in initializer.DescendantNodesAndSelf())
        {
            switch (node)
            {
                case IdentifierNameSyntax name:
                    if (name.Identifier.ValueText == variable)
                    {
                        usesVariable = true;
                    }
                    else if (Facts.ModelFor(name.SyntaxTree).GetSymbolInfo(name, cancellationToken).Symbol is not (IFieldSymbol { IsConst: true } or ILocalSymbol { IsConst: true }))
                    {
                        return false;
                    }

                    break;
                case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AddExpression) || binary.IsKind(SyntaxKind.SubtractExpression) || binary.IsKind(SyntaxKind.MultiplyExpression):
                case LiteralExpressionSyntax or ParenthesizedExpressionSyntax:
                    break;
                default:
                    return false;
            }
        }

        return usesVariable;
    }

    /// <summary>Whether a loop or lambda between <paramref name="loop"/> and <paramref name="scope"/> runs the loop more than once.</summary>
    private static bool RepeatsBetween(SyntaxNode loop, SyntaxNode scope)
    {
        for (var node = loop.Parent; node is not null && node != scope; node = node.Parent)
        {
            if (node is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="node"/> assigns, increments or passes by reference a variable named <paramref name="name"/>.</summary>
    private static bool WritesName(SyntaxNode node, string name)
    {
        foreach (var inner in node.DescendantNodesAndSelf())
        {
            switch (inner)
            {
                case AssignmentExpressionSyntax { Left: IdentifierNameSyntax left } when left.Identifier.ValueText == name:
                case PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax post } when post.Identifier.ValueText == name:
                case PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax pre } when pre.Identifier.ValueText == name && (pre.IsKind(SyntaxKind.PreIncrementExpression) || pre.IsKind(SyntaxKind.PreDecrementExpression)):
                case ArgumentSyntax { RefKindKeyword.RawKind: not 0, Expression: IdentifierNameSyntax byRef } when byRef.Identifier.ValueText == name:
                    return true;
            }
        }

        return false;
    }

    /// <summary>A <c>for</c> variable inside the delegate whose start and bound both come from the delegate's parameters (its range).</summary>
    private bool IsLoopOverOwnRange(ILocalSymbol local, IAnonymousFunctionOperation function, CancellationToken cancellationToken)
    {
        if (local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: { } start, Parent: VariableDeclarationSyntax { Parent: ForStatementSyntax { Condition: { } bound } } }
            || !function.Syntax.Span.Contains(start.Span))
        {
            return false;
        }

        var model = Facts.ModelFor(start.SyntaxTree);
        return MentionsParameterOf(start, function.Symbol, model, cancellationToken) && MentionsParameterOf(bound, function.Symbol, model, cancellationToken);
    }

    private static bool MentionsParameterOf(SyntaxNode node, IMethodSymbol function, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var identifier in node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is IParameterSymbol parameter
                && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, function))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsParallelForIndex(IAnonymousFunctionOperation function)
    {
        var current = function.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        return current is IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "For" or "ForAsync" } method } }
            && Types.Parallel.Matches(method.ContainingType);
    }

    /// <summary>
    /// Whether the callback's access holds a lock that every overlapping run also takes: a field, a static, <c>this</c>,
    /// a type; a local only when the runs come from one loop inside the local's scope (a lock created per call or per
    /// iteration is a different lock in each run).
    /// </summary>
    private static bool HoldsStableLock(CallbackFinding finding, Registration registration, bool loop)
    {
        foreach (var held in LocksAcrossObjects(finding))
        {
            switch (held.Kind)
            {
                case LockKind.Variable when held.Symbol is ILocalSymbol local:
                    if (loop && local.DeclaringSyntaxReferences.Length == 1
                        && DeclarationScopeOf(local.DeclaringSyntaxReferences[0].GetSyntax()) is { } scope
                        && registration.IsRepeatedWithin(scope))
                    {
                        return true;
                    }

                    break;
                default:
                    return true;
            }
        }

        return false;
    }

    private static SyntaxNode? DeclarationScope(ISymbol variable, CancellationToken cancellationToken)
    {
        if (variable.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var declaration = variable.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        return variable is IParameterSymbol ? declaration.Parent?.Parent : DeclarationScopeOf(declaration);
    }

    /// <summary>The block (or loop, or member) whose every run declares the variable anew.</summary>
    private static SyntaxNode? DeclarationScopeOf(SyntaxNode declaration)
    {
        for (var node = declaration.Parent; node is not null; node = node.Parent)
        {
            if (node is BlockSyntax or ForStatementSyntax or CommonForEachStatementSyntax or UsingStatementSyntax or SwitchSectionSyntax
                or MemberDeclarationSyntax or CompilationUnitSyntax or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>
    /// A <c>System.Threading.Timer</c> created with a period or changed to one (<c>Change(dueTime, period)</c> on the
    /// variable holding it), or a <c>System.Timers.Timer</c> whose <c>AutoReset</c> is never set to <c>false</c> in the type.
    /// </summary>
    private bool IsPeriodicTimer(Registration registration, CancellationToken cancellationToken, out bool isTimer)
    {
        isTimer = false;
        if (registration.Operation is IObjectCreationOperation creation && Types.ThreadingTimer.Matches(creation.Type))
        {
            isTimer = true;
            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter?.Name == "period" && !IsInfinite(argument.Value))
                {
                    return true;
                }
            }

            // One-shot, unless a 'Change(dueTime, period)' elsewhere makes it periodic.
            return IsChangedToPeriodic(creation, cancellationToken);
        }

        if (registration.Operation is IEventAssignmentOperation assignment && Types.TimersTimer.Matches(assignment.EventReference is IEventReferenceOperation e ? e.Event.ContainingType : null))
        {
            isTimer = true;
            var type = assignment.Syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (type is null)
            {
                return true;
            }

            string text = Facts.TextOf(type.SyntaxTree, cancellationToken);
            foreach (var token in TextSearch.TokensNamed(type, text, "AutoReset"))
            {
                if (token.Parent?.Parent is AssignmentExpressionSyntax { Right: LiteralExpressionSyntax literal } && literal.IsKind(SyntaxKind.FalseLiteralExpression)
                    || token.Parent?.Parent?.Parent is AssignmentExpressionSyntax { Right: LiteralExpressionSyntax literal2 } && literal2.IsKind(SyntaxKind.FalseLiteralExpression))
                {
                    return false;
                }
            }

            return true;
        }

        return false;
    }

    private static bool IsInfinite(IOperation value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value.ConstantValue is { HasValue: true, Value: var constant })
        {
            return constant is int i && i <= 0 || constant is long l && l <= 0 || constant is uint u && u == uint.MaxValue;
        }

        return value is IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" or "Zero" } || value is IPropertyReferenceOperation { Property.Name: "Zero" };
    }

    /// <summary>
    /// Whether the work is a method group on a local holding an object the registering member just created
    /// (<c>var h = new Loop(); Task.Run(h.RunAsync);</c>) and the access is to that object's own instance state: the
    /// next call of the member creates another object, so the runs touch different state.
    /// </summary>
    private bool RunsOnFreshObject(CallbackFinding finding, Registration registration)
    {
        if (finding.Symbol is not (IFieldSymbol { IsStatic: false } or IPropertySymbol { IsStatic: false }) || finding.ReceiverRoot is not null)
        {
            return false;
        }

        var arguments = registration.Operation switch
        {
            IInvocationOperation invocation => invocation.Arguments,
            IObjectCreationOperation creation => creation.Arguments,
            _ => default,
        };

        if (arguments.IsDefault)
        {
            return false;
        }

        foreach (var argument in arguments)
        {
            var value = argument.Value;
            while (value is IConversionOperation or IDelegateCreationOperation)
            {
                value = value is IConversionOperation conversion ? conversion.Operand : ((IDelegateCreationOperation)value).Target;
            }

            if (value is IMethodReferenceOperation { Instance: ILocalReferenceOperation { Local: var local } }
                && _analysis.InitializerOf(local, CancellationToken.None) is { } initializer
                && Strip(initializer) is IObjectCreationOperation)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the member that starts the work runs once per object: every call of it (all visible) is on a local that
    /// holds an object the caller has just created (<c>var w = new Worker(); w.Start();</c>) or has just taken out of
    /// a field with <c>Interlocked.Exchange(ref f, null)</c>, called once and not in a loop around that local; and the
    /// access is to that object's own instance state.
    /// </summary>
    private bool IsStartedOncePerFreshObject(CallbackFinding finding, Registration registration, CancellationToken cancellationToken)
    {
        if (finding.Symbol is not (IFieldSymbol { IsStatic: false } or IPropertySymbol { IsStatic: false }) || finding.ReceiverRoot is not null
            || registration.Member is not MethodDeclarationSyntax member
            || _callSites.MethodAt(member, member, cancellationToken) is not { IsStatic: false } method
            || _callSites.Of(method, cancellationToken) is not { Count: > 0 } calls)
        {
            return false;
        }

        foreach (var call in calls)
        {
            if (call.InFunction || call.Operation is not IInvocationOperation { Instance: ILocalReferenceOperation { Local: var local } }
                || local.DeclaringSyntaxReferences.Length != 1)
            {
                return false;
            }

            var declaration = local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
            if (!HoldsAFreshObject(local, declaration, cancellationToken))
            {
                return false;
            }

            // Not called again on the same object: no loop between the local's declaration and the call, and one call.
            var scope = declaration.FirstAncestorOrSelf<StatementSyntax>()?.Parent;
            if (scope is null || call.Operation.Syntax.Ancestors().TakeWhile(n => n != scope)
                    .Any(n => n is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            {
                return false;
            }

            int same = 0;
            foreach (var other in calls)
            {
                if (other.Operation is IInvocationOperation { Instance: ILocalReferenceOperation { Local: var otherLocal } } && SymbolEqualityComparer.Default.Equals(otherLocal, local))
                {
                    same++;
                }
            }

            if (same != 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A local initialized with a new object, or declared by a pattern on <c>Interlocked.Exchange(ref f, null)</c> (taken out once).</summary>
    private bool HoldsAFreshObject(ILocalSymbol local, SyntaxNode declaration, CancellationToken cancellationToken)
    {
        if (_analysis.InitializerOf(local, cancellationToken) is { } initializer)
        {
            return Strip(initializer) is IObjectCreationOperation;
        }

        if (declaration is SingleVariableDesignationSyntax
            && declaration.Ancestors().OfType<IsPatternExpressionSyntax>().FirstOrDefault() is { Expression: InvocationExpressionSyntax taken } pattern
            && pattern.Pattern.Span.Contains(declaration.Span)
            && Facts.ModelFor(taken.SyntaxTree).GetOperation(taken, cancellationToken) is IInvocationOperation { TargetMethod: { Name: "Exchange", ContainingType: { Name: "Interlocked" } } } exchange
            && exchange.Arguments.Length == 2
            && Strip(exchange.Arguments[1].Value) is ILiteralOperation { ConstantValue: { HasValue: true, Value: null } })
        {
            return true;
        }

        return false;
    }
}
