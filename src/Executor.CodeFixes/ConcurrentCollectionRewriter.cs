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
/// Swaps a private <c>List&lt;T&gt;</c> field for a <c>ConcurrentQueue&lt;T&gt;</c>, or a private
/// <c>Dictionary&lt;TKey, TValue&gt;</c> field for a <c>ConcurrentDictionary&lt;TKey, TValue&gt;</c>, when every use of the
/// field in its type maps one-to-one onto a thread-safe member: for the list <c>Add</c> (→ <c>Enqueue</c>), <c>Count</c>,
/// enumeration, <c>ToArray</c> and LINQ; for the dictionary the indexer, <c>TryGetValue</c>, <c>ContainsKey</c>,
/// <c>TryAdd</c>, <c>Remove</c> (→ <c>TryRemove</c>), <c>Count</c>, <c>Keys</c>, <c>Values</c>, <c>Clear</c>,
/// enumeration and LINQ. Every side of the race then uses the collection's own synchronization. Not offered when any use
/// is something else (an index into the list, <c>Dictionary.Add</c>, which throws on a duplicate key where no concurrent
/// member does, passing the field to a parameter of the old type), when the field is assigned anywhere but its
/// initializer, or when the type has parts in other files. A sequence of calls stays a sequence: EXEC006 then reports
/// the check-then-act ones.
/// </summary>
internal static class ConcurrentCollectionRewriter
{
    private static readonly ImmutableHashSet<string> ListMembers = ImmutableHashSet.Create("Add", "Count", "ToArray", "GetEnumerator");

    private static readonly ImmutableHashSet<string> DictionaryMembers = ImmutableHashSet.Create(
        "TryGetValue", "ContainsKey", "TryAdd", "Remove", "Count", "Keys", "Values", "Clear", "ToArray", "GetEnumerator");

    /// <summary>The action's title ("Use ConcurrentQueue&lt;T&gt;"), or null when the fix is not offered.</summary>
    public static string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        => Plan(root, model, diagnostic, cancellationToken) is { } plan ? "Use " + plan.NewTypeName : null;

    public static Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        => FixCleanup.EditAsync(document, (root, model, editor) =>
        {
            var done = new HashSet<IFieldSymbol>(SymbolEqualityComparer.Default);
            foreach (var diagnostic in diagnostics)
            {
                // Fix All: several diagnostics name the same field; it is swapped once.
                if (Plan(root, model, diagnostic, cancellationToken) is { } plan && done.Add(plan.Field))
                {
                    foreach (var (original, replacement) in plan.Rewrites)
                    {
                        editor.ReplaceNode(original, replacement);
                    }
                }
            }
        }, cancellationToken);

    private sealed class FieldPlan
    {
        public FieldPlan(IFieldSymbol field, string newTypeName, List<(SyntaxNode Original, SyntaxNode Replacement)> rewrites)
        {
            Field = field;
            NewTypeName = newTypeName;
            Rewrites = rewrites;
        }

        public IFieldSymbol Field { get; }

        public string NewTypeName { get; }

        public List<(SyntaxNode Original, SyntaxNode Replacement)> Rewrites { get; }
    }

    private static FieldPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(CallbackDiagnosticProperties.SymbolKind, out var symbolKind) || symbolKind != "Field"
            || !diagnostic.Properties.TryGetValue(CallbackDiagnosticProperties.SymbolName, out var name) || name is null
            || !root.FullSpan.Contains(diagnostic.Location.SourceSpan))
        {
            return null;
        }

        var at = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        var field = FindField(at, name, model, cancellationToken);
        if (field is null || field.DeclaredAccessibility != Accessibility.Private || field.IsConst
            || field.Type is not INamedTypeSymbol { IsGenericType: true, ContainingNamespace: { Name: "Generic", ContainingNamespace: { Name: "Collections", ContainingNamespace.Name: "System" } } } type
            || type.Name is not ("List" or "Dictionary")
            || field.DeclaringSyntaxReferences.Length != 1
            || field.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1 } declaration } declarator
            || declarator.SyntaxTree != root.SyntaxTree
            || !IsEmptyCreation(declarator.Initializer?.Value, model, cancellationToken))
        {
            return null;
        }

        // Every part of the type in this file: its private field can be named nowhere else.
        foreach (var reference in field.ContainingType.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree != root.SyntaxTree)
            {
                return null;
            }
        }

        bool isList = type.Name == "List";
        string concurrentName = isList ? "ConcurrentQueue" : "ConcurrentDictionary";
        if (model.Compilation.GetTypeByMetadataName("System.Collections.Concurrent." + concurrentName + (isList ? "`1" : "`2")) is null)
        {
            return null;
        }

        var rewrites = new List<(SyntaxNode Original, SyntaxNode Replacement)>();
        var typeArguments = TypeArgumentList(SeparatedList(type.TypeArguments.Select(t => ParseTypeName(t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).WithAdditionalAnnotations(Simplifier.Annotation))));
        var newType = QualifiedName(
            ParseName("System.Collections.Concurrent"),
            GenericName(Identifier(concurrentName), typeArguments)).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        rewrites.Add((declaration.Type, newType.WithTriviaFrom(declaration.Type)));
        if (declarator.Initializer!.Value is ObjectCreationExpressionSyntax explicitCreation)
        {
            rewrites.Add((explicitCreation.Type, newType.WithTriviaFrom(explicitCreation.Type)));
        }

        foreach (var typeReference in field.ContainingType.DeclaringSyntaxReferences)
        {
            var typeSyntax = typeReference.GetSyntax(cancellationToken);
            foreach (var identifier in typeSyntax.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText != field.Name || identifier.Parent == declarator
                    || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, field))
                {
                    continue;
                }

                if (!MapUse(identifier, isList, model, rewrites, cancellationToken))
                {
                    return null;
                }
            }
        }

        return new FieldPlan(field, concurrentName + (isList ? "<T>" : "<TKey, TValue>"), rewrites);
    }

    private static IFieldSymbol? FindField(SyntaxNode at, string name, SemanticModel model, CancellationToken cancellationToken)
    {
        for (var type = model.GetEnclosingSymbol(at.SpanStart, cancellationToken)?.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault() is { } field)
            {
                return field;
            }
        }

        return null;
    }

    private static bool IsEmptyCreation(ExpressionSyntax? value, SemanticModel model, CancellationToken cancellationToken)
        => value switch
        {
            ImplicitObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0, Initializer: null } => true,
            ObjectCreationExpressionSyntax { Initializer: null } creation => creation.ArgumentList is null or { Arguments.Count: 0 }
                && model.GetTypeInfo(creation, cancellationToken).Type is INamedTypeSymbol { Name: "List" or "Dictionary" },
            _ => false,
        };

    /// <summary>Maps one use of the field; false when it has no one-to-one thread-safe counterpart.</summary>
    private static bool MapUse(IdentifierNameSyntax identifier, bool isList, SemanticModel model, List<(SyntaxNode Original, SyntaxNode Replacement)> rewrites, CancellationToken cancellationToken)
    {
        ExpressionSyntax use = identifier.Parent is MemberAccessExpressionSyntax { Name: var n } thisAccess && n == identifier && thisAccess.Expression is ThisExpressionSyntax
            ? thisAccess
            : identifier;

        switch (use.Parent)
        {
            case ForEachStatementSyntax forEach when forEach.Expression == use:
                return true;

            case MemberAccessExpressionSyntax access when access.Expression == use:
                var member = access.Name.Identifier.ValueText;
                var symbol = model.GetSymbolInfo(access, cancellationToken).Symbol;
                if (symbol is IMethodSymbol { IsExtensionMethod: true, ReducedFrom: { } reduced }
                    && reduced.Parameters[0].Type is INamedTypeSymbol { Name: "IEnumerable" })
                {
                    // LINQ over the collection: both concurrent types are IEnumerable of the same element type.
                    return true;
                }

                if (isList)
                {
                    if (!ListMembers.Contains(member))
                    {
                        return false;
                    }

                    if (member == "Add")
                    {
                        // List.Add returns void, so wherever it compiles, Enqueue (also void) does.
                        if (access.Parent is not InvocationExpressionSyntax)
                        {
                            return false;
                        }

                        rewrites.Add((access.Name, IdentifierName("Enqueue").WithTriviaFrom(access.Name)));
                    }

                    return true;
                }

                if (!DictionaryMembers.Contains(member))
                {
                    return false;
                }

                if (member == "Remove")
                {
                    // Remove(key) → TryRemove(key, out _); Remove(key, out value) → TryRemove(key, out value).
                    if (access.Parent is not InvocationExpressionSyntax invocation)
                    {
                        return false;
                    }

                    var arguments = invocation.ArgumentList;
                    if (arguments.Arguments.Count == 1)
                    {
                        // Parsed, so the token is the contextual '_' the compiler binds as a discard (IdentifierName("_")
                        // binds as a variable named '_' until the document is parsed again: CS0103 in the fixed tree).
                        arguments = arguments.AddArguments(Argument(ParseExpression("_")).WithRefKindKeyword(Token(SyntaxKind.OutKeyword)));
                    }
                    else if (arguments.Arguments.Count != 2)
                    {
                        return false;
                    }

                    rewrites.Add((invocation, invocation.WithExpression(access.WithName(IdentifierName("TryRemove").WithTriviaFrom(access.Name))).WithArgumentList(arguments)));
                }

                return true;

            case ElementAccessExpressionSyntax element when element.Expression == use && !isList:
                // The indexer: get and set exist on both. Not a read-modify-write through it ('d[k]++', 'd[k] += n',
                // 'd[k] = d[k] + 1'): the swap would hide a lost update that still happens.
                if (element.Parent is PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax)
                {
                    return false;
                }

                return element.Parent is not AssignmentExpressionSyntax assignment || assignment.Left != element
                    || assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && !assignment.Right.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == identifier.Identifier.ValueText);

            case ArgumentSyntax { RefKindKeyword.RawKind: 0 } argument
                when model.GetOperation(argument, cancellationToken) is Microsoft.CodeAnalysis.Operations.IArgumentOperation { Parameter.Type: INamedTypeSymbol { Name: "IEnumerable" } }:
                return true;

            case LockStatementSyntax:
                return true;

            default:
                return false;
        }
    }
}
