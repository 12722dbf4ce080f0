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
using Microsoft.CodeAnalysis.Simplification;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Executor.CodeFixes;

/// <summary>
/// Rewrites a race between plain stores and plain reads of a flag or a published reference (<c>_done = true</c> in a
/// callback, <c>if (_done)</c> elsewhere) into <c>Volatile.Write(ref _done, true)</c> and <c>Volatile.Read(ref _done)</c>
/// on every side the diagnostic names. Such stores and reads are already atomic; what the race breaks is ordering and
/// visibility (a reader that sees the flag must see what was written before it, and a loop must not hoist the read),
/// which is exactly what <c>Volatile</c> adds. Offered only when no side is a read-modify-write and no writing side
/// reads the value in the same function (a check-then-act such as <c>if (_x == null) _x = Create();</c> needs a lock or a
/// compare-exchange, not ordering).
/// </summary>
internal static class VolatileRewriter
{
    private static readonly SpecialType[] Supported =
    {
        SpecialType.System_Boolean, SpecialType.System_Byte, SpecialType.System_SByte, SpecialType.System_Int16,
        SpecialType.System_UInt16, SpecialType.System_Int32, SpecialType.System_UInt32, SpecialType.System_Int64,
        SpecialType.System_UInt64, SpecialType.System_Single, SpecialType.System_Double, SpecialType.System_IntPtr,
        SpecialType.System_UIntPtr,
    };

    public static bool CanFix(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        => Rewrite(root, model, diagnostic, cancellationToken) is not null;

    /// <summary>The action's title: "Make '_x' volatile" for a field that can be, else "Use Volatile.Read/Write"; null when not offered.</summary>
    public static string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        => Rewrite(root, model, diagnostic, cancellationToken) switch
        {
            null => null,
            { Count: 1 } edits when edits[0].Original is FieldDeclarationSyntax field => "Make '" + field.Declaration.Variables[0].Identifier.ValueText + "' volatile",
            _ => "Use Volatile.Read/Write",
        };

    public static Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        => FixCleanup.EditAsync(document, (root, model, editor) =>
        {
            var replaced = new HashSet<SyntaxNode>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                if (Rewrite(root, model, diagnostic, cancellationToken) is { } rewrites)
                {
                    foreach (var (original, replacement) in rewrites)
                    {
                        // Fix All names the same read from several diagnostics: rewrite it once.
                        if (replaced.Add(original))
                        {
                            editor.ReplaceNode(original, replacement);
                        }
                    }
                }
            }
        }, cancellationToken);

    private static List<(SyntaxNode Original, SyntaxNode Replacement)>? Rewrite(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var properties = diagnostic.Properties;
        if (!properties.TryGetValue(CallbackDiagnosticProperties.AccessKind, out var kind)
            || kind is not (AccessKinds.Write or AccessKinds.Read)
            || !properties.TryGetValue(CallbackDiagnosticProperties.SymbolKind, out var symbolKind)
            || symbolKind is not ("Field" or "Local" or "Parameter"))
        {
            return null;
        }

        if (Find(root, diagnostic.Location) is not { } main || Target(main, model, cancellationToken) is not { } symbol || !IsSupported(symbol, model.Compilation))
        {
            return null;
        }

        var result = new List<(SyntaxNode Original, SyntaxNode Replacement)>();
        if (StopsThenDrains(main) || RewriteSide(main, symbol, model, cancellationToken) is not { } first)
        {
            return null;
        }

        if (first.Replacement is not null)
        {
            result.Add((first.Original, first.Replacement));
        }

        foreach (var location in diagnostic.AdditionalLocations)
        {
            if (location.SourceTree != root.SyntaxTree || Find(root, location) is not { } other)
            {
                return null;
            }

            if (StopsThenDrains(other) || RewriteSide(other, symbol, model, cancellationToken) is not { } side)
            {
                return null;
            }

            if (side.Replacement is not null)
            {
                result.Add((side.Original, side.Replacement));
            }
        }

        if (result.Count == 0)
        {
            return null;
        }

        // A field that can be declared volatile is: one modifier makes every access of it (the ones the diagnostic
        // names, and the others) volatile, so the field does not end up half Volatile.Read/Write and half plain.
        if (symbol is IFieldSymbol field && VolatileDeclaration(field, root, model, cancellationToken) is { } declaration)
        {
            var modifiers = declaration.Modifiers;
            var index = modifiers.IndexOf(SyntaxKind.ReadOnlyKeyword) is var i and >= 0 ? i : modifiers.Count;
            var changed = declaration.WithModifiers(modifiers.Insert(index, Token(SyntaxKind.VolatileKeyword).WithTrailingTrivia(Space)));
            if (modifiers.Count == 0)
            {
                changed = declaration.WithModifiers(TokenList(Token(SyntaxKind.VolatileKeyword).WithTrailingTrivia(Space)))
                    .WithDeclaration(declaration.Declaration.WithLeadingTrivia())
                    .WithLeadingTrivia(declaration.GetLeadingTrivia());
            }

            return new List<(SyntaxNode Original, SyntaxNode Replacement)> { (declaration, changed) };
        }

        return result;
    }

    /// <summary>
    /// A store of a flag followed, in its function, by a wait for work already under way: a polling loop
    /// (<c>while (_scheduler.IsRunning) await Task.Delay(50);</c>, <c>Thread.Sleep</c>, <c>SpinWait</c>) or a blocking
    /// wait (<c>Wait</c>, <c>WaitOne</c>, <c>Join</c>). That is a stop-then-drain protocol: the reader must check the flag
    /// and register its work as one step, or the drain can miss a run that read the old value. <c>volatile</c> makes the
    /// read fresh but does not close that window, so the fix is not offered.
    /// </summary>
    private static bool StopsThenDrains(ExpressionSyntax side)
    {
        if (side.FirstAncestorOrSelf<AssignmentExpressionSyntax>() is not { } store || store != side && !store.Left.Span.Contains(side.Span)
            || store.Ancestors().FirstOrDefault(n => n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax) is not { } function)
        {
            return false;
        }

        foreach (var node in function.DescendantNodes())
        {
            if (node.SpanStart <= store.Span.End)
            {
                continue;
            }

            switch (node)
            {
                case WhileStatementSyntax or DoStatementSyntax
                    when node.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(call => CalledName(call) is "Delay" or "Sleep" or "SpinOnce" or "Yield" or "Wait" or "WaitAsync"):
                    return true;
                case InvocationExpressionSyntax call when CalledName(call) is "Wait" or "WaitOne" or "WaitAll" or "Join" or "SignalAndWait":
                    return true;
            }
        }

        return false;
    }

    private static string? CalledName(InvocationExpressionSyntax call) => call.Expression switch
    {
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        IdentifierNameSyntax name => name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>
    /// The declaration of a private field that C# lets be <c>volatile</c> (a reference, <c>bool</c>, <c>char</c>, an
    /// integer or enum of up to 32 bits, <c>float</c>, <c>IntPtr</c>): declared alone, in this document, never passed
    /// by <c>ref</c>/<c>out</c>/<c>in</c> or address-taken (that would warn CS0420). Null otherwise.
    /// </summary>
    private static FieldDeclarationSyntax? VolatileDeclaration(IFieldSymbol field, SyntaxNode root, SemanticModel model, CancellationToken cancellationToken)
    {
        if (field.DeclaredAccessibility != Accessibility.Private || field.IsReadOnly || field.IsConst || field.DeclaringSyntaxReferences.Length != 1 || !CanBeVolatile(field.Type))
        {
            return null;
        }

        var reference = field.DeclaringSyntaxReferences[0];
        if (reference.SyntaxTree != root.SyntaxTree
            || root.FindNode(reference.Span) is not VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: FieldDeclarationSyntax declaration } })
        {
            return null;
        }

        foreach (var type in field.ContainingType.DeclaringSyntaxReferences)
        {
            if (type.SyntaxTree != root.SyntaxTree)
            {
                return null;
            }

            foreach (var identifier in type.GetSyntax(cancellationToken).DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText != field.Name)
                {
                    continue;
                }

                var outer = identifier.Parent is MemberAccessExpressionSyntax { Name: var name } access && name == identifier ? (ExpressionSyntax)access : identifier;
                bool byReference = outer.Parent is ArgumentSyntax argument && !argument.RefKindKeyword.IsKind(SyntaxKind.None)
                    || outer.Parent is RefExpressionSyntax
                    || outer.Parent is PrefixUnaryExpressionSyntax prefix && prefix.IsKind(SyntaxKind.AddressOfExpression);
                if (byReference && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, field))
                {
                    return null;
                }
            }
        }

        return declaration;
    }

    private static bool CanBeVolatile(ITypeSymbol type)
    {
        if (type.IsReferenceType)
        {
            return true;
        }

        var underlying = type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } enumType } ? enumType : type;
        return underlying.SpecialType is SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_Byte or SpecialType.System_SByte
            or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
            or SpecialType.System_Single or SpecialType.System_IntPtr or SpecialType.System_UIntPtr;
    }

    private static ExpressionSyntax? Find(SyntaxNode root, Location location)
    {
        if (!root.FullSpan.Contains(location.SourceSpan))
        {
            return null;
        }

        var node = root.FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        return node.AncestorsAndSelf().OfType<ExpressionSyntax>().FirstOrDefault(e => e.Span == location.SourceSpan);
    }

    /// <summary>The field, local or parameter a store or read names.</summary>
    private static ISymbol? Target(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
    {
        var target = expression is AssignmentExpressionSyntax assignment ? assignment.Left : expression;
        return model.GetSymbolInfo(target, cancellationToken).Symbol switch
        {
            IFieldSymbol { IsReadOnly: false, IsVolatile: false, IsConst: false } field => field,
            ILocalSymbol { IsRef: false, IsConst: false } local => local,
            IParameterSymbol { RefKind: RefKind.None } parameter => parameter,
            _ => null,
        };
    }

    private static bool IsSupported(ISymbol symbol, Compilation compilation)
    {
        var type = symbol switch
        {
            IFieldSymbol field => field.Type,
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            _ => null,
        };

        if (type is null || compilation.GetTypeByMetadataName("System.Threading.Volatile") is not { } volatileType)
        {
            return false;
        }

        if (type.IsReferenceType && type is not ITypeParameterSymbol { HasReferenceTypeConstraint: false })
        {
            return true;
        }

        // The overloads differ by framework (netstandard2.0 has them all but check): the value type must have its own.
        return System.Array.IndexOf(Supported, type.SpecialType) >= 0
            && volatileType.GetMembers("Read").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 1 && m.Parameters[0].Type.SpecialType == type.SpecialType);
    }

    /// <summary>
    /// The rewrite of one side: a plain store as a statement becomes <c>Volatile.Write</c>, a plain read becomes
    /// <c>Volatile.Read</c>, an existing <c>Volatile</c>/<c>Interlocked</c> call stays (Replacement null). Null when the
    /// side is anything else, or a store whose function also reads the value (check-then-act).
    /// </summary>
    private static (ExpressionSyntax Original, ExpressionSyntax? Replacement)? RewriteSide(ExpressionSyntax expression, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        var volatileType = ParseTypeName("System.Threading.Volatile").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        switch (expression)
        {
            case InvocationExpressionSyntax invocation when model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol { ContainingType: { Name: "Interlocked" or "Volatile", ContainingNamespace.Name: "Threading" } }:
                return (expression, null);

            case AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression):
                if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol, symbol)
                    || !IsStatement(assignment, model)
                    || Mentions(assignment.Right, symbol, model, cancellationToken)
                    || ReadsElsewhereInFunction(assignment, symbol, model, cancellationToken))
                {
                    return null;
                }

                var write = InvocationExpression(
                    MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, volatileType, IdentifierName("Write")),
                    ArgumentList(SeparatedList(new[]
                    {
                        Argument(assignment.Left.WithoutTrivia()).WithRefKindKeyword(Token(SyntaxKind.RefKeyword)),
                        Argument(assignment.Right.WithoutTrivia()),
                    })));
                return (expression, write.WithTriviaFrom(expression).WithAdditionalAnnotations(Formatter.Annotation));

            case IdentifierNameSyntax or MemberAccessExpressionSyntax when IsPlainRead(expression, symbol, model, cancellationToken) && !WritesInFunction(expression, symbol, model, cancellationToken):
                var read = InvocationExpression(
                    MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, volatileType, IdentifierName("Read")),
                    ArgumentList(SingletonSeparatedList(Argument(expression.WithoutTrivia()).WithRefKindKeyword(Token(SyntaxKind.RefKeyword)))));
                return (expression, read.WithTriviaFrom(expression).WithAdditionalAnnotations(Formatter.Annotation));

            default:
                return null;
        }
    }

    /// <summary>Whether the expression reads the symbol by value (not a store target, an increment, a <c>ref</c> or an address).</summary>
    internal static bool IsPlainRead(ExpressionSyntax expression, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(expression, cancellationToken).Symbol, symbol))
        {
            return false;
        }

        var outer = expression.Parent is MemberAccessExpressionSyntax { Name: var name } access && name == expression ? access : expression;
        return outer.Parent switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left != outer,
            PrefixUnaryExpressionSyntax prefix => !prefix.IsKind(SyntaxKind.PreIncrementExpression) && !prefix.IsKind(SyntaxKind.PreDecrementExpression) && !prefix.IsKind(SyntaxKind.AddressOfExpression),
            PostfixUnaryExpressionSyntax => false,
            ArgumentSyntax argument => argument.RefKindKeyword.IsKind(SyntaxKind.None),
            RefExpressionSyntax => false,
            _ => true,
        };
    }

    private static bool IsStatement(AssignmentExpressionSyntax assignment, SemanticModel model)
        => assignment.Parent switch
        {
            ExpressionStatementSyntax => true,
            LambdaExpressionSyntax lambda when lambda.ExpressionBody == assignment => model.GetSymbolInfo(lambda).Symbol is IMethodSymbol { ReturnsVoid: true },
            ArrowExpressionClauseSyntax arrow => model.GetEnclosingSymbol(arrow.SpanStart) is IMethodSymbol { ReturnsVoid: true },
            _ => false,
        };

    private static bool Mentions(SyntaxNode node, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var identifier in node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText == symbol.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, symbol))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the function (lambda, local function or member) that makes the store also reads the value: a check-then-act.</summary>
    private static bool ReadsElsewhereInFunction(AssignmentExpressionSyntax store, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        var function = SharedStateFacts.EnclosingFunction(store);
        if (function is null)
        {
            return true;
        }

        foreach (var identifier in function.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText != symbol.Name || store.Left.Span.Contains(identifier.Span))
            {
                continue;
            }

            if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, symbol)
                && !IsInsideAtomicStore(identifier, model, cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the function that makes a read also stores the value (<c>if (_seen) { _seen = false; … }</c>): a
    /// read-then-store that a store from another thread can fall between. Ordering does not fix it; an exchange or a
    /// lock does.
    /// </summary>
    private static bool WritesInFunction(ExpressionSyntax read, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        var function = SharedStateFacts.EnclosingFunction(read);
        if (function is null)
        {
            return true;
        }

        foreach (var assignment in function.DescendantNodes().OfType<AssignmentExpressionSyntax>())
        {
            var left = assignment.Left;
            if (left is IdentifierNameSyntax { Identifier.ValueText: var name } && name == symbol.Name
                || left is MemberAccessExpressionSyntax { Name.Identifier.ValueText: var member } && member == symbol.Name)
            {
                if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(left, cancellationToken).Symbol, symbol))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the node is the target of a store that does not read it (<c>Volatile.Write</c>, <c>Interlocked.Exchange</c>):
    /// a read through <c>Volatile.Read</c> is still a read (<c>if (Volatile.Read(ref _f)) _f = false;</c> checks, then acts).
    /// </summary>
    private static bool IsInsideAtomicStore(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
        => node.Ancestors().OfType<InvocationExpressionSyntax>().FirstOrDefault() is { } invocation
            && invocation.ArgumentList.Arguments.Any(a => a.Span.Contains(node.Span) && !a.RefKindKeyword.IsKind(SyntaxKind.None))
            && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol { Name: "Write" or "Exchange", ContainingType: { Name: "Interlocked" or "Volatile", ContainingNamespace.Name: "Threading" } };
}
