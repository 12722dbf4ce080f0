using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>Text published by a plain store: a reader sees the old or the new string, each complete.</summary>
internal sealed partial class ConflictFinder
{
    /// <summary>
    /// A lone store of an immutable value that a reader cannot see half-built: a computed, non-null <c>string</c>
    /// (<c>_password = await provider();</c>, <c>_status = $"…"</c>), or a new object of a class of this compilation whose
    /// instance fields are all <c>readonly</c> and whose properties have no setter but <c>init</c>
    /// (<c>_last = new Optional&lt;Exception&gt;(e)</c>). A reference store is atomic and the runtime publishes a new
    /// object's contents with its reference, so a racing reader gets the old value or the new one, each complete. Stores
    /// of constants are not counted (a string used as a state, <c>"open"</c>/<c>"closed"</c>, is decided on, as a flag
    /// is), nor stores that may write null (a reader that checks and then reads again could see null).
    /// </summary>
    private bool IsLonePublication(SyntaxNode access, ISymbol symbol, CancellationToken cancellationToken)
    {
        var type = symbol switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, ILocalSymbol l => l.Type, _ => null };
        if (type is null || type.IsValueType)
        {
            return false;
        }

        var store = StoreAt(access);
        if (store is null || !store.IsKind(SyntaxKind.SimpleAssignmentExpression))
        {
            return false;
        }

        var model = Facts.ModelFor(store.SyntaxTree);
        var value = store.Right;
        while (value is ParenthesizedExpressionSyntax parenthesized)
        {
            value = parenthesized.Expression;
        }

        bool immutable;
        if (type.SpecialType == SpecialType.System_String)
        {
            immutable = !model.GetConstantValue(value, cancellationToken).HasValue
                && (value is InterpolatedStringExpressionSyntax
                    || value.IsKind(SyntaxKind.AddExpression)
                    || model.GetTypeInfo(value, cancellationToken).Nullability.FlowState == NullableFlowState.NotNull);
        }
        else
        {
            immutable = value is BaseObjectCreationExpressionSyntax
                && model.GetTypeInfo(value, cancellationToken).Type is INamedTypeSymbol { TypeKind: TypeKind.Class } created
                && IsShallowImmutable(created);
        }

        return immutable && IsLoneStoreAt(store, symbol, cancellationToken);
    }

    /// <summary>A class declared in this compilation whose instance fields (its bases' included, up to <c>object</c>) are all <c>readonly</c>, and whose properties have no setter but <c>init</c>.</summary>
    private static bool IsShallowImmutable(INamedTypeSymbol type)
    {
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            if (current.DeclaringSyntaxReferences.IsEmpty)
            {
                return false;
            }

            foreach (var member in current.GetMembers())
            {
                switch (member)
                {
                    case IFieldSymbol { IsStatic: false, IsReadOnly: false, IsConst: false }:
                        return false;
                    case IPropertySymbol { IsStatic: false, SetMethod: { IsInitOnly: false } }:
                        return false;
                    case IEventSymbol { IsStatic: false }:
                        return false;
                }
            }
        }

        return true;
    }

    /// <summary>A read that a loop waits on (<c>while (_name == null) …</c>): without a volatile read the loop may never see the store.</summary>
    private static bool IsReadInLoopCondition(SyntaxNode read)
    {
        foreach (var ancestor in read.Ancestors())
        {
            switch (ancestor)
            {
                case WhileStatementSyntax loop:
                    return loop.Condition.Span.Contains(read.Span);
                case DoStatementSyntax loop:
                    return loop.Condition.Span.Contains(read.Span);
                case ForStatementSyntax { Condition: { } condition }:
                    return condition.Span.Contains(read.Span);
                case StatementSyntax or AnonymousFunctionExpressionSyntax:
                    return false;
            }
        }

        return false;
    }

    /// <summary>
    /// A read that only decides whether to wait for the writer: <c>if (_start == 0) _ready.Task.Wait();</c> (or
    /// <c>while (_start == 0) _ready.Wait();</c>), where the callback or work signals <c>_ready</c> after its write. A
    /// reader that sees the default waits until the value is published; one that sees another value has it. (Akka's
    /// timer wheel publishes its start time this way.)
    /// </summary>
    private bool IsDefaultCheckBeforeJoin(StateAccess access, CallbackFinding finding, CancellationToken cancellationToken)
    {
        if (access.Mode != AccessMode.Read || access.Syntax is not ExpressionSyntax read)
        {
            return false;
        }

        SyntaxNode node = read;
        while (node.Parent is ParenthesizedExpressionSyntax || node.Parent is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } member && member.Name == node)
        {
            node = node.Parent;
        }

        var model = Facts.ModelFor(read.SyntaxTree);
        SyntaxNode? test = null;
        if (node.Parent is BinaryExpressionSyntax equals && equals.IsKind(SyntaxKind.EqualsExpression))
        {
            var other = equals.Left == node ? equals.Right : equals.Left;
            if (model.GetConstantValue(other, cancellationToken) is { HasValue: true, Value: var value } && IsDefaultValue(value)
                || other.IsKind(SyntaxKind.DefaultLiteralExpression))
            {
                test = equals;
            }
        }
        else if (node.Parent is IsPatternExpressionSyntax { Pattern: ConstantPatternSyntax { Expression: { } constant } } pattern
            && model.GetConstantValue(constant, cancellationToken) is { HasValue: true, Value: var value } && IsDefaultValue(value))
        {
            test = pattern;
        }

        var body = test?.Parent switch
        {
            IfStatementSyntax { Else: null } branch when branch.Condition == test => branch.Statement,
            WhileStatementSyntax loop when loop.Condition == test => loop.Statement,
            _ => null,
        };
        while (body is BlockSyntax { Statements.Count: 1 } block)
        {
            body = block.Statements[0];
        }

        if (body is not ExpressionStatementSyntax { Expression: { } wait } || model.GetOperation(wait, cancellationToken) is not { } operation)
        {
            return false;
        }

        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return WaitedSignal(operation) is { } waited && SignalledAfter(finding, waited);
    }

    /// <summary>
    /// A read after a call, on this object, of a method of the type whose last statement is such a default check before
    /// a wait on the same field (<c>Start(); var deadline = now - _start;</c> where <c>Start</c> ends with
    /// <c>if (_start == 0) _ready.Task.Wait();</c>): when the call returns, the reader has seen the value or waited for it.
    /// </summary>
    private bool IsReadAfterWaitingCall(StateAccess access, CallbackFinding finding, ISymbol symbol, CancellationToken cancellationToken)
    {
        if (access.Mode != AccessMode.Read || access.Function is not null || access.Member is null)
        {
            return false;
        }

        var model = Facts.ModelFor(access.Syntax.SyntaxTree);
        for (SyntaxNode? child = access.Syntax, parent = access.Syntax.Parent; parent is not null && child != access.Member; child = parent, parent = parent.Parent)
        {
            if (parent is not BlockSyntax block || child is not StatementSyntax statement)
            {
                continue;
            }

            foreach (var before in block.Statements)
            {
                if (before == statement)
                {
                    break;
                }

                if (before is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { Expression: IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } } call }
                    && model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol { IsStatic: false, DeclaringSyntaxReferences.Length: 1 } method
                    && SymbolEqualityComparer.Default.Equals(method.ContainingType, symbol.ContainingType)
                    && method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is MethodDeclarationSyntax { Body.Statements: { Count: > 0 } statements }
                    && ((statements[statements.Count - 1] as IfStatementSyntax)?.Condition ?? (statements[statements.Count - 1] as WhileStatementSyntax)?.Condition) is { } condition
                    && EndsWithDefaultCheck(condition, symbol, access, finding, cancellationToken))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="condition"/> reads <paramref name="symbol"/> in a default check that waits for the finding's signal.</summary>
    private bool EndsWithDefaultCheck(ExpressionSyntax condition, ISymbol symbol, StateAccess access, CallbackFinding finding, CancellationToken cancellationToken)
    {
        var model = Facts.ModelFor(condition.SyntaxTree);
        foreach (var name in condition.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText == symbol.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, symbol.OriginalDefinition))
            {
                var read = new StateAccess(name, name.GetLocation(), AccessMode.Read, access.Locks, access.Member, null, false, null, false, "reads");
                return IsDefaultCheckBeforeJoin(read, finding, cancellationToken);
            }
        }

        return false;
    }

    /// <summary>The event, countdown, barrier or completion source a wait blocks on (<c>_ready.Wait()</c>, <c>_ready.Task.Wait()</c>, <c>await _ready.Task</c>), or null.</summary>
    private ISymbol? WaitedSignal(IOperation wait)
    {
        var target = wait switch
        {
            IAwaitOperation awaited => Awaited(awaited.Operation),
            IInvocationOperation { TargetMethod.Name: "Wait" or "WaitOne", Instance: { } instance } => instance,
            _ => null,
        };
        if (target is IPropertyReferenceOperation { Property.Name: "Task", Instance: { } source } completion
            && (s_taskCompletionSource.Matches(completion.Property.ContainingType) || s_taskCompletionSourceOfT.Matches(completion.Property.ContainingType)))
        {
            return Identify(source);
        }

        return target is not null && (Types.ManualResetEventSlim.Matches(target.Type) || Types.CountdownEvent.Matches(target.Type) || Types.Barrier.Matches(target.Type)
            || DerivesFrom(target.Type, Types.WaitHandle))
            ? Identify(target)
            : null;
    }

    /// <summary>Whether the function that makes the finding's write (the callback, or the callee it reaches) signals <paramref name="waited"/> after the write.</summary>
    private bool SignalledAfter(CallbackFinding finding, ISymbol waited)
    {
        if ((finding.OriginAccess ?? finding.Access)?.Syntax is not { } write || SharedStateFacts.EnclosingFunction(write) is not { } function)
        {
            return false;
        }

        var signals = _signals.GetOrAdd((function, waited), key => SignalsIn(key.Root, key.Symbol));
        var graph = FunctionGraph(function);
        foreach (var signal in signals)
        {
            if (signal.SpanStart >= write.Span.End
                && (graph is null || ExecutionOrder.RunsAfter(graph, write, signal, null, _ => false, CancellationToken.None) != false))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDefaultValue(object? value) => value switch
    {
        null => true,
        int i => i == 0,
        long l => l == 0,
        uint u => u == 0,
        ulong u => u == 0,
        short s => s == 0,
        ushort u => u == 0,
        byte b => b == 0,
        bool b => !b,
        _ => false,
    };
}
