using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Executor.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;
using Microsoft.CodeAnalysis.Text;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Executor.CodeFixes;

/// <summary>
/// Rewrites a <c>Parallel.For</c>/<c>Parallel.ForEach</c> whose body accumulates into one shared <c>int</c>/<c>long</c>
/// into the thread-local overload: each worker sums into its own <c>subtotal</c>, merged once with
/// <c>Interlocked.Add</c> in <c>localFinally</c>. Offered only where the result is exactly the same:
/// <list type="bullet">
/// <item>the call is <c>Parallel.For</c>/<c>ForEach</c> with an <c>Action</c> body lambda as its last, positional
/// argument, and the same arguments bind to an overload with <c>localInit</c>/<c>localFinally</c>;</item>
/// <item>the variable is an <c>int</c>/<c>long</c> captured local, value parameter, or field of <c>this</c> or static,
/// and every use of it in the call is a <c>+=</c>, <c>-=</c>, <c>++</c> or <c>--</c> statement directly in the body (not
/// in a nested function), whose amount does not read it; it is the body's only such accumulator;</item>
/// <item>integer addition wraps, so any grouping of the additions gives the same total; in a <c>checked</c> context an
/// intermediate subtotal could overflow where the original order did not (or the other way round), so it is refused
/// there. <c>double</c>, <c>float</c> and <c>decimal</c> are never offered: their addition is not associative (rounding),
/// so regrouping changes the result;</item>
/// <item>nothing that can throw runs after an accumulation in the same iteration: when a body throws, the thread-local
/// overload drops that iteration's subtotal, where the original kept what it had added;</item>
/// <item>nothing else reads or writes the variable while the loop runs: the diagnostic names no other side outside the
/// body, no other lambda or local function of the member uses it, and for a field no method the body calls (followed
/// through source, refusing virtual calls and delegate invocations) uses it.</item>
/// </list>
/// Framework code calling back into an override of the field's type (a comparer, <c>GetHashCode</c>) is not followed.
/// </summary>
internal static class ThreadLocalRewriter
{
    private const string SubtotalName = "subtotal";

    public static bool CanFix(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        => Plan(root, model, diagnostic, cancellationToken) is not null;

    public static Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        => FixCleanup.EditAsync(document, (root, model, editor) =>
        {
            var rewritten = new List<TextSpan>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                // Fix All: one rewrite per call (several reports of one accumulator), none inside another rewritten call.
                if (Plan(root, model, diagnostic, cancellationToken) is var (call, replacement) && !rewritten.Any(span => span.OverlapsWith(call.Span)))
                {
                    rewritten.Add(call.Span);
                    editor.ReplaceNode(call, replacement);
                }
            }
        }, cancellationToken);

    private static (InvocationExpressionSyntax Call, InvocationExpressionSyntax Replacement)? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var properties = diagnostic.Properties;
        if (!properties.TryGetValue(CallbackDiagnosticProperties.AccessKind, out var kind)
            || kind is not (AccessKinds.Increment or AccessKinds.Decrement or AccessKinds.CompoundAssignment)
            || !properties.TryGetValue(CallbackDiagnosticProperties.SymbolKind, out var symbolKind)
            || symbolKind is not ("Field" or "Local" or "Parameter")
            || !properties.TryGetValue(CallbackDiagnosticProperties.ValueType, out var valueType)
            || valueType is not ("Int32" or "Int64")
            || diagnostic.Location.SourceTree != root.SyntaxTree
            || !root.FullSpan.Contains(diagnostic.Location.SourceSpan))
        {
            return null;
        }

        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (node.AncestorsAndSelf().OfType<ExpressionSyntax>().FirstOrDefault(e => e.Span == diagnostic.Location.SourceSpan) is not { } access
            || TargetOf(access) is not { } target
            || Accumulated(target, model, cancellationToken) is not { } variable
            || access.FirstAncestorOrSelf<SyntaxNode>(n => n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax) is not LambdaExpressionSyntax lambda
            || ParallelCall(lambda, model, cancellationToken) is not { } call
            || InCheckedContext(access, model.Compilation))
        {
            return null;
        }

        if (Accumulations(call, lambda, variable, model, cancellationToken) is not { } accumulations
            || !diagnostic.AdditionalLocations.All(l => l.SourceTree == root.SyntaxTree && accumulations.Any(a => a.Span.Contains(l.SourceSpan)))
            || !accumulations.All(a => IsLastThatCanThrow(a, lambda, accumulations, model, cancellationToken))
            || !OnlyThisBodyUsesIt(call, lambda, variable, model, cancellationToken))
        {
            return null;
        }

        var replacement = Rewritten(call, lambda, accumulations, model, cancellationToken);
        if (replacement is null)
        {
            return null;
        }

        // The same arguments must bind to the overload with localInit/localFinally (Partitioner sources have it too).
        var bound = model.GetSpeculativeSymbolInfo(call.SpanStart, replacement, SpeculativeBindingOption.BindAsExpression).Symbol as IMethodSymbol;
        return bound is { Name: "For" or "ForEach" } && IsParallel(bound.ContainingType) && bound.Parameters.Any(p => p.Name == "localFinally")
            ? (call, replacement)
            : null;
    }

    /// <summary>The variable an increment, decrement, <c>+=</c> or <c>-=</c> updates; null for any other access.</summary>
    private static ExpressionSyntax? TargetOf(ExpressionSyntax access) => access switch
    {
        PostfixUnaryExpressionSyntax postfix when postfix.IsKind(SyntaxKind.PostIncrementExpression) || postfix.IsKind(SyntaxKind.PostDecrementExpression) => postfix.Operand,
        PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression) => prefix.Operand,
        AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.AddAssignmentExpression) || assignment.IsKind(SyntaxKind.SubtractAssignmentExpression) => assignment.Left,
        _ => null,
    };

    /// <summary>
    /// The <c>int</c>/<c>long</c> local, value parameter or field (of <c>this</c>, or static) that <paramref name="target"/>
    /// names, when <c>Interlocked.Add(ref target, …)</c> can merge into it after the loop; else null.
    /// </summary>
    private static ISymbol? Accumulated(ExpressionSyntax target, SemanticModel model, CancellationToken cancellationToken)
    {
        var operation = model.GetOperation(target, cancellationToken);
        var type = operation?.Type?.SpecialType;
        if (type is not (SpecialType.System_Int32 or SpecialType.System_Int64))
        {
            return null;
        }

        return operation switch
        {
            ILocalReferenceOperation { Local: { RefKind: RefKind.None, IsConst: false } local } => local,
            IParameterReferenceOperation { Parameter: { RefKind: RefKind.None } parameter }
                when parameter.ContainingSymbol is IMethodSymbol { MethodKind: not MethodKind.Constructor } || !IsPrimaryConstructorParameter(parameter, cancellationToken) => parameter,
            IFieldReferenceOperation { Field: { IsReadOnly: false, IsConst: false } field } reference
                when field.IsStatic || reference.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } => field,
            _ => null,
        };
    }

    private static bool IsPrimaryConstructorParameter(IParameterSymbol parameter, CancellationToken cancellationToken)
        => parameter.ContainingSymbol.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax);

    /// <summary>
    /// The <c>Parallel.For</c>/<c>ForEach</c> call whose body is <paramref name="lambda"/>: an <c>Action</c> lambda, the
    /// last argument, every argument positional; a synchronous lambda with inferred parameter types and no attributes.
    /// </summary>
    private static InvocationExpressionSyntax? ParallelCall(LambdaExpressionSyntax lambda, SemanticModel model, CancellationToken cancellationToken)
    {
        if (lambda.AsyncKeyword != default
            || lambda.AttributeLists.Count > 0
            || (lambda is ParenthesizedLambdaExpressionSyntax parenthesized && (parenthesized.ReturnType is not null || parenthesized.ParameterList.Parameters.Any(p => p.Type is not null || p.Modifiers.Count > 0 || p.AttributeLists.Count > 0)))
            || lambda.Parent is not ArgumentSyntax { NameColon: null, RefKindKeyword.RawKind: 0 } argument
            || argument.Parent is not ArgumentListSyntax arguments
            || arguments.Parent is not InvocationExpressionSyntax call
            || arguments.Arguments.Last() != argument
            || arguments.Arguments.Any(a => a.NameColon is not null)
            || model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol { Name: "For" or "ForEach" } method
            || !IsParallel(method.ContainingType)
            || method.Parameters.Length != arguments.Arguments.Count
            || method.Parameters.Last().Type is not INamedTypeSymbol { Name: "Action", ContainingNamespace.Name: "System" } body
            || body.Arity != ParametersOf(lambda).Count)
        {
            return null;
        }

        return call;
    }

    private static bool IsParallel(INamedTypeSymbol? type)
        => type is { Name: "Parallel", ContainingNamespace: { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } };

    private static SeparatedSyntaxList<ParameterSyntax> ParametersOf(LambdaExpressionSyntax lambda) => lambda switch
    {
        SimpleLambdaExpressionSyntax simple => SingletonSeparatedList(simple.Parameter),
        ParenthesizedLambdaExpressionSyntax parenthesized => parenthesized.ParameterList.Parameters,
        _ => default,
    };

    private static bool InCheckedContext(SyntaxNode node, Compilation compilation)
    {
        foreach (var ancestor in node.Ancestors())
        {
            if (ancestor.IsKind(SyntaxKind.CheckedExpression) || ancestor.IsKind(SyntaxKind.CheckedStatement))
            {
                return true;
            }

            if (ancestor.IsKind(SyntaxKind.UncheckedExpression) || ancestor.IsKind(SyntaxKind.UncheckedStatement))
            {
                return false;
            }
        }

        return compilation.Options.CheckOverflow;
    }

    /// <summary>
    /// Every use of <paramref name="variable"/> in the call, each the whole of a statement directly in the body (or the
    /// whole expression body) that adds to it; null when one is anything else, or another variable declared outside
    /// the body is accumulated too (one subtotal per loop).
    /// </summary>
    private static List<ExpressionSyntax>? Accumulations(InvocationExpressionSyntax call, LambdaExpressionSyntax lambda, ISymbol variable, SemanticModel model, CancellationToken cancellationToken)
    {
        var result = new List<ExpressionSyntax>();
        foreach (var name in call.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText != variable.Name || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, variable))
            {
                continue;
            }

            ExpressionSyntax target = name.Parent is MemberAccessExpressionSyntax member && member.Name == name ? member : name;
            if (target.Parent is not ExpressionSyntax access
                || TargetOf(access) != target
                || access.FirstAncestorOrSelf<SyntaxNode>(n => n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax) != lambda
                || !(access.Parent is ExpressionStatementSyntax || access == lambda.Body))
            {
                return null;
            }

            result.Add(access);
        }

        // A second accumulator in the same body would need a tuple subtotal: refused.
        foreach (var other in lambda.Body.DescendantNodesAndSelf().OfType<ExpressionSyntax>())
        {
            if (TargetOf(other) is { } otherTarget
                && !result.Contains(other)
                && Accumulated(otherTarget, model, cancellationToken) is { } otherSymbol
                && !IsDeclaredWithin(otherSymbol, lambda, cancellationToken))
            {
                return null;
            }
        }

        return result.Count == 0 ? null : result;
    }

    private static bool IsDeclaredWithin(ISymbol symbol, SyntaxNode node, CancellationToken cancellationToken)
        => symbol is ILocalSymbol or IParameterSymbol
            && symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == node.SyntaxTree && node.Span.Contains(r.GetSyntax(cancellationToken).Span));

    /// <summary>
    /// Whether nothing that can throw runs after <paramref name="access"/> in the same iteration: the statements after
    /// it, up through enclosing blocks and <c>if</c>/<c>else</c> branches to the body, are only <c>return;</c>, empty
    /// statements and other accumulations by a constant, local or parameter. Loops, <c>try</c>, <c>switch</c>,
    /// <c>using</c> and <c>lock</c> around an accumulation are refused.
    /// </summary>
    private static bool IsLastThatCanThrow(ExpressionSyntax access, LambdaExpressionSyntax lambda, List<ExpressionSyntax> accumulations, SemanticModel model, CancellationToken cancellationToken)
    {
        if (access == lambda.Body)
        {
            return true;
        }

        SyntaxNode node = access.Parent!;
        while (true)
        {
            switch (node.Parent)
            {
                case BlockSyntax block:
                    foreach (var next in block.Statements.SkipWhile(s => s != node).Skip(1))
                    {
                        if (!CannotThrow(next, accumulations, model, cancellationToken))
                        {
                            return false;
                        }
                    }

                    if (block == lambda.Body)
                    {
                        return true;
                    }

                    node = block;
                    break;
                case IfStatementSyntax ifStatement when ifStatement.Statement == node:
                    node = ifStatement;
                    break;
                case ElseClauseSyntax { Parent: IfStatementSyntax ifStatement }:
                    node = ifStatement;
                    break;
                default:
                    return false;
            }
        }
    }

    private static bool CannotThrow(StatementSyntax statement, List<ExpressionSyntax> accumulations, SemanticModel model, CancellationToken cancellationToken) => statement switch
    {
        EmptyStatementSyntax => true,
        ReturnStatementSyntax { Expression: null } => true,
        BlockSyntax block => block.Statements.All(s => CannotThrow(s, accumulations, model, cancellationToken)),
        ExpressionStatementSyntax { Expression: var expression } when accumulations.Contains(expression) =>
            expression is not AssignmentExpressionSyntax assignment || IsPlainValue(model.GetOperation(assignment.Right, cancellationToken)),
        _ => false,
    };

    /// <summary>A constant, a local or a value parameter, through implicit numeric conversions and parentheses: reading it cannot throw.</summary>
    private static bool IsPlainValue(IOperation? operation) => operation switch
    {
        { ConstantValue.HasValue: true } => true,
        ILocalReferenceOperation or IParameterReferenceOperation => true,
        IConversionOperation { IsImplicit: true, OperatorMethod: null, Conversion.IsNumeric: true } conversion => IsPlainValue(conversion.Operand),
        IParenthesizedOperation parenthesized => IsPlainValue(parenthesized.Operand),
        _ => false,
    };

    /// <summary>
    /// Whether nothing but the body's accumulations can touch <paramref name="variable"/> while the loop runs: no other
    /// lambda or local function of the member uses it (plain code before and after the call is ordered by the loop's
    /// join) and, for a field, no method, property or constructor the body reaches uses it.
    /// </summary>
    private static bool OnlyThisBodyUsesIt(InvocationExpressionSyntax call, LambdaExpressionSyntax lambda, ISymbol variable, SemanticModel model, CancellationToken cancellationToken)
    {
        // A local is only seen by its member; a field by every member of its type.
        IEnumerable<SyntaxNode> scopes = variable is IFieldSymbol
            ? variable.ContainingType.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).Where(s => s.SyntaxTree == call.SyntaxTree)
            : new[] { call.FirstAncestorOrSelf<MemberDeclarationSyntax>() is { } member and not GlobalStatementSyntax ? member : call.SyntaxTree.GetRoot(cancellationToken) };
        foreach (var name in scopes.SelectMany(s => s.DescendantNodes()).OfType<IdentifierNameSyntax>())
        {
            if (!call.Span.Contains(name.Span)
                && name.Identifier.ValueText == variable.Name
                && name.FirstAncestorOrSelf<SyntaxNode>(IsFunction) is { } function
                && !IsBodyOfAnotherLoop(function, model, cancellationToken)
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, variable))
            {
                return false;
            }
        }

        return variable is not IFieldSymbol field || !ReachesField(model.GetOperation(lambda.Body, cancellationToken), field, model.Compilation, cancellationToken);
    }

    private static bool IsFunction(SyntaxNode node) => node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax;

    /// <summary>
    /// Whether <paramref name="function"/> is the body of another <c>Parallel.For</c>/<c>ForEach</c> call made by the
    /// member's own code (not from a delegate): that call has returned, every run done, before this one starts or
    /// starts after it has (two loops summing into one total one after the other).
    /// </summary>
    private static bool IsBodyOfAnotherLoop(SyntaxNode function, SemanticModel model, CancellationToken cancellationToken)
        => function is LambdaExpressionSyntax { Parent: ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } } }
            && !call.Ancestors().Any(IsFunction)
            && model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol { Name: "For" or "ForEach" } method
            && IsParallel(method.ContainingType);

    /// <summary>
    /// Whether a member called from <paramref name="body"/> (followed through source, up to a bound) may use
    /// <paramref name="field"/>. Unknown targets count as yes: delegate invocations, and virtual or interface members
    /// with a body in source.
    /// </summary>
    private static bool ReachesField(IOperation? body, IFieldSymbol field, Compilation compilation, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return true;
        }

        var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var pending = new Queue<IMethodSymbol?>();
        foreach (var callee in Callees(body))
        {
            pending.Enqueue(callee);
        }

        while (pending.Count > 0)
        {
            if (pending.Dequeue()?.OriginalDefinition is not { } method)
            {
                continue;
            }

            if (method.MethodKind == MethodKind.DelegateInvoke)
            {
                return true;
            }

            if (!visited.Add(method) || method.DeclaringSyntaxReferences.IsEmpty)
            {
                continue;
            }

            if (visited.Count > 200 || method.IsVirtual || method.IsAbstract || method.IsOverride || method.ContainingType.TypeKind == TypeKind.Interface)
            {
                return true;
            }

            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(cancellationToken);
                if (syntax is AccessorDeclarationSyntax { Body: null, ExpressionBody: null })
                {
                    // An auto-property accessor: its own backing field only.
                    continue;
                }

                var operation = compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax, cancellationToken);
                if (operation is null)
                {
                    return true;
                }

                if (operation.DescendantsAndSelf().OfType<IFieldReferenceOperation>().Any(f => SymbolEqualityComparer.Default.Equals(f.Field.OriginalDefinition, field.OriginalDefinition)))
                {
                    return true;
                }

                foreach (var callee in Callees(operation))
                {
                    pending.Enqueue(callee);
                }
            }
        }

        return false;
    }

    /// <summary>The methods, accessors, constructors and user-defined operators <paramref name="root"/> calls (null entries skipped by the caller).</summary>
    private static IEnumerable<IMethodSymbol?> Callees(IOperation root)
    {
        foreach (var operation in root.DescendantsAndSelf())
        {
            yield return operation switch
            {
                IInvocationOperation invocation => invocation.TargetMethod,
                IMethodReferenceOperation reference => reference.Method,
                IObjectCreationOperation creation => creation.Constructor,
                IBinaryOperation binary => binary.OperatorMethod,
                IUnaryOperation unary => unary.OperatorMethod,
                IConversionOperation conversion => conversion.OperatorMethod,
                ICompoundAssignmentOperation compound => compound.OperatorMethod,
                IIncrementOrDecrementOperation increment => increment.OperatorMethod,
                _ => null,
            };

            var (first, second) = operation switch
            {
                IPropertyReferenceOperation property => (property.Property.GetMethod, property.Property.SetMethod),
                IEventReferenceOperation eventReference => (eventReference.Event.AddMethod, eventReference.Event.RemoveMethod),
                _ => (null, null),
            };
            yield return first;
            yield return second;
        }
    }

    /// <summary>
    /// <c>Parallel.For(a, b, () => 0L, (i, _, subtotal) => { subtotal += …; return subtotal; }, subtotal =>
    /// Interlocked.Add(ref total, subtotal))</c>: the body's accumulations renamed to the subtotal, each <c>return;</c>
    /// returning it, and a last <c>return subtotal;</c> when the end of the body is reachable.
    /// </summary>
    private static InvocationExpressionSyntax? Rewritten(InvocationExpressionSyntax call, LambdaExpressionSyntax lambda, List<ExpressionSyntax> accumulations, SemanticModel model, CancellationToken cancellationToken)
    {
        if (FreeName(SubtotalName, call, model) is not { } subtotal)
        {
            return null;
        }

        var parameters = ParametersOf(lambda).Select(p => Parameter(p.Identifier)).ToList();
        if (parameters.Count == 1)
        {
            if ((FreeName("_", call, model) ?? FreeName("state", call, model)) is not { } state)
            {
                return null;
            }

            parameters.Add(Parameter(Identifier(state)));
        }

        parameters.Add(Parameter(Identifier(subtotal)));
        var targets = accumulations.Select(a => TargetOf(a)!).ToList();
        var returns = lambda.Body.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .OfType<ReturnStatementSyntax>()
            .Where(r => r.Expression is null)
            .ToList();
        var body = lambda.Body.ReplaceNodes(
            targets.Cast<SyntaxNode>().Concat(returns),
            (original, _) => original is ReturnStatementSyntax returnStatement
                ? returnStatement.WithExpression(IdentifierName(subtotal).WithLeadingTrivia(Space))
                : IdentifierName(subtotal).WithTriviaFrom(original));
        var returnSubtotal = ReturnStatement(IdentifierName(subtotal)).WithAdditionalAnnotations(Formatter.Annotation);
        BlockSyntax block;
        if (body is BlockSyntax bodyBlock)
        {
            var original = (BlockSyntax)lambda.Body;
            bool endReachable = model.AnalyzeControlFlow(original.Statements.First(), original.Statements.Last())?.EndPointIsReachable ?? false;
            block = endReachable ? bodyBlock.AddStatements(returnSubtotal) : bodyBlock;
        }
        else
        {
            block = Block(ExpressionStatement(((ExpressionSyntax)body).WithoutTrivia()), returnSubtotal)
                .WithAdditionalAnnotations(Formatter.Annotation);
        }

        var newBody = ParenthesizedLambdaExpression(ParameterList(SeparatedList(parameters)), block)
            .WithModifiers(lambda.Modifiers)
            .WithTriviaFrom(lambda);
        var zero = model.GetTypeInfo(targets[0], cancellationToken).Type?.SpecialType == SpecialType.System_Int64
            ? LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal("0L", 0L))
            : LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(0));
        var localInit = ParenthesizedLambdaExpression(ParameterList(), zero);
        var merged = targets[0].WithoutTrivia();
        var interlocked = ParseTypeName("System.Threading.Interlocked").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        var localFinally = SimpleLambdaExpression(
            Parameter(Identifier(subtotal)),
            InvocationExpression(
                MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, interlocked, IdentifierName("Add")),
                ArgumentList(SeparatedList(new[]
                {
                    Argument(merged).WithRefKindKeyword(Token(SyntaxKind.RefKeyword)),
                    Argument(IdentifierName(subtotal)),
                }))));

        // The new arguments take the body's place and layout: its leading trivia, and the separator before it.
        var arguments = call.ArgumentList.Arguments;
        var last = arguments.Last();
        var leading = last.GetLeadingTrivia();
        var separator = arguments.SeparatorCount > 0 ? arguments.GetSeparator(arguments.SeparatorCount - 1) : Token(SyntaxKind.CommaToken).WithTrailingTrivia(Space);
        var tokens = new List<SyntaxNodeOrToken>();
        for (int i = 0; i < arguments.Count - 1; i++)
        {
            tokens.Add(arguments[i]);
            tokens.Add(arguments.GetSeparator(i));
        }

        tokens.Add(Argument(localInit).WithLeadingTrivia(leading));
        tokens.Add(separator);
        tokens.Add(Argument(newBody.WithoutTrivia()).WithLeadingTrivia(leading));
        tokens.Add(separator);
        tokens.Add(Argument(localFinally).WithLeadingTrivia(leading).WithTrailingTrivia(last.GetTrailingTrivia()));
        return call.WithArgumentList(call.ArgumentList.WithArguments(SeparatedList<ArgumentSyntax>(tokens)));
    }

    /// <summary><paramref name="name"/>, or with a number appended, when nothing in the call or in scope has it; else null.</summary>
    private static string? FreeName(string name, InvocationExpressionSyntax call, SemanticModel model)
    {
        var used = new HashSet<string>(call.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText));
        for (int i = 1; i < 10; i++)
        {
            string candidate = i == 1 ? name : name + i;
            if (!used.Contains(candidate) && model.LookupSymbols(call.SpanStart, name: candidate).IsEmpty)
            {
                return candidate;
            }

            if (name == "_")
            {
                return null;
            }
        }

        return null;
    }
}
