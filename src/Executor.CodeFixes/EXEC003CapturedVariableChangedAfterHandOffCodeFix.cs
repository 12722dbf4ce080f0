using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Executor.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Executor.CodeFixes;

/// <summary>
/// Fixes EXEC003 where the analyzer found the rewrite exactly equivalent to what the code means:
/// <list type="bullet">
/// <item><see cref="CopyBeforeHandOffKey"/>: a <c>for</c> variable or a variable reassigned after the hand-off is
/// copied into a new local declared just before the statement that hands the delegate over (inside the loop), and
/// the delegate reads the copy: <c>int iCopy = i; pool.Submit(() =&gt; Square(iCopy));</c>.</item>
/// <item><see cref="UseVolatileKey"/>: a captured <c>bool</c> stop flag is read with <c>Volatile.Read(ref flag)</c> in
/// the delegate and every <c>flag = value;</c> becomes <c>Volatile.Write(ref flag, value);</c> (a captured local
/// can be passed by reference).</item>
/// </list>
/// The locations come with the diagnostic (the delegate, the statement, the writes); the fix does not re-analyze.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(EXEC003CapturedVariableChangedAfterHandOffCodeFix)), Shared]
public sealed class EXEC003CapturedVariableChangedAfterHandOffCodeFix : CodeFixProvider
{
    /// <summary>The equivalence key of the copy fix.</summary>
    public const string CopyBeforeHandOffKey = "EXEC003.CopyBeforeHandOff";

    /// <summary>The equivalence key of the Volatile fix.</summary>
    public const string UseVolatileKey = "EXEC003.UseVolatile";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.CapturedVariableChangedAfterHandOff);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllAsync);

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(EXEC003CapturedVariableChangedAfterHandOffAnalyzer.FixProperty, out var fix)
                || !diagnostic.Properties.TryGetValue(EXEC003CapturedVariableChangedAfterHandOffAnalyzer.VariableProperty, out var name))
            {
                continue;
            }

            if (fix == EXEC003CapturedVariableChangedAfterHandOffAnalyzer.CopyFix && diagnostic.AdditionalLocations.Count >= 3)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Copy '" + name + "' into a local before the hand-off",
                        ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), CopyBeforeHandOffKey, ct),
                        CopyBeforeHandOffKey),
                    diagnostic);
            }
            else if (fix == EXEC003CapturedVariableChangedAfterHandOffAnalyzer.VolatileFix && diagnostic.AdditionalLocations.Count >= 3)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Use Volatile.Read and Volatile.Write for '" + name + "'",
                        ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), UseVolatileKey, ct),
                        UseVolatileKey),
                    diagnostic);
            }
        }

        return Task.CompletedTask;
    }

    private static async Task<Document?> FixAllAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
        => diagnostics.IsEmpty || context.CodeActionEquivalenceKey is not (CopyBeforeHandOffKey or UseVolatileKey)
            ? document
            : await FixAsync(document, diagnostics, context.CodeActionEquivalenceKey, context.CancellationToken).ConfigureAwait(false);

    private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        string wanted = key == CopyBeforeHandOffKey ? EXEC003CapturedVariableChangedAfterHandOffAnalyzer.CopyFix : EXEC003CapturedVariableChangedAfterHandOffAnalyzer.VolatileFix;
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var inserts = new Dictionary<StatementSyntax, List<StatementSyntax>>();
        var edited = new HashSet<SyntaxNode>();
        var newNames = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!diagnostic.Properties.TryGetValue(EXEC003CapturedVariableChangedAfterHandOffAnalyzer.FixProperty, out var fix) || fix != wanted
                || diagnostic.AdditionalLocations.Count < 3
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not IdentifierNameSyntax reference
                || model.GetSymbolInfo(reference, cancellationToken).Symbol is not { Kind: SymbolKind.Local or SymbolKind.Parameter } symbol
                || Find<AnonymousFunctionExpressionSyntax>(root, diagnostic.AdditionalLocations[1]) is not { } function)
            {
                continue;
            }

            if (wanted == EXEC003CapturedVariableChangedAfterHandOffAnalyzer.CopyFix)
            {
                var references = ReferencesIn(function, symbol, model, cancellationToken);
                if (Find<StatementSyntax>(root, diagnostic.AdditionalLocations[2]) is not { } statement)
                {
                    continue;
                }

                string name = UniqueName(symbol.Name + "Copy", statement, newNames);
                var type = symbol is ILocalSymbol local ? local.Type : ((IParameterSymbol)symbol).Type;
                TypeSyntax typeSyntax = type.IsAnonymousType || type.TypeKind == TypeKind.Error
                    ? IdentifierName("var")
                    : ParseTypeName(type.ToMinimalDisplayString(model, statement.SpanStart)).WithAdditionalAnnotations(Simplifier.Annotation);
                var declaration = LocalDeclarationStatement(VariableDeclaration(typeSyntax)
                        .AddVariables(VariableDeclarator(Identifier(name)).WithInitializer(EqualsValueClause(IdentifierName(symbol.Name)))))
                    .WithAdditionalAnnotations(Formatter.Annotation);
                foreach (var identifier in references)
                {
                    if (edited.Add(identifier))
                    {
                        editor.ReplaceNode(identifier, IdentifierName(name).WithTriviaFrom(identifier));
                    }
                }

                if (!inserts.TryGetValue(statement, out var list))
                {
                    inserts[statement] = list = new List<StatementSyntax>();
                }

                list.Add(declaration);
            }
            else
            {
                var volatileType = ParseTypeName("System.Threading.Volatile").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
                for (int i = 2; i < diagnostic.AdditionalLocations.Count; i++)
                {
                    if (Find<IdentifierNameSyntax>(root, diagnostic.AdditionalLocations[i]) is { } read)
                    {
                        // A plain read in a worker: Volatile.Read(ref flag).
                        if (read.Parent is not ArgumentSyntax { RefKindKeyword.RawKind: not 0 } && edited.Add(read))
                        {
                            editor.ReplaceNode(read, InvocationExpression(
                                    MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, volatileType, IdentifierName("Read")),
                                    ArgumentList(SingletonSeparatedList(Argument(IdentifierName(read.Identifier.ValueText)).WithRefKindKeyword(Token(SyntaxKind.RefKeyword)))))
                                .WithTriviaFrom(read));
                        }

                        continue;
                    }

                    if (Find<AssignmentExpressionSyntax>(root, diagnostic.AdditionalLocations[i]) is not { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment
                        || !edited.Add(assignment))
                    {
                        continue;
                    }

                    editor.ReplaceNode(assignment, InvocationExpression(
                            MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, volatileType, IdentifierName("Write")),
                            ArgumentList(SeparatedList(new[]
                            {
                                Argument(assignment.Left.WithoutTrivia()).WithRefKindKeyword(Token(SyntaxKind.RefKeyword)),
                                Argument(assignment.Right.WithoutTrivia()),
                            })))
                        .WithTriviaFrom(assignment));
                }
            }
        }

        foreach (var pair in inserts)
        {
            var statement = pair.Key;
            var declarations = pair.Value;
            switch (statement.Parent)
            {
                case BlockSyntax or SwitchSectionSyntax:
                    editor.InsertBefore(statement, declarations);
                    break;
                case GlobalStatementSyntax global:
                    editor.InsertBefore(global, declarations.Select(d => (SyntaxNode)GlobalStatement(d)));
                    break;
                default:
                    editor.ReplaceNode(statement, (current, _) => Block(declarations.Append(((StatementSyntax)current).WithoutLeadingTrivia()))
                        .WithLeadingTrivia(current.GetLeadingTrivia())
                        .WithAdditionalAnnotations(Formatter.Annotation));
                    break;
            }
        }

        return await FixCleanup.FinishAsync(editor.GetChangedDocument(), cancellationToken).ConfigureAwait(false);
    }

    private static T? Find<T>(SyntaxNode root, Location location)
        where T : SyntaxNode
    {
        if (!location.IsInSource || !root.FullSpan.Contains(location.SourceSpan))
        {
            return null;
        }

        foreach (var node in root.FindNode(location.SourceSpan, getInnermostNodeForTie: true).AncestorsAndSelf())
        {
            if (node.Span == location.SourceSpan && node is T found)
            {
                return found;
            }

            if (node.Span.Length > location.SourceSpan.Length)
            {
                break;
            }
        }

        return null;
    }

    /// <summary>The delegate's references to the variable (also in lambdas nested in it).</summary>
    private static List<IdentifierNameSyntax> ReferencesIn(AnonymousFunctionExpressionSyntax function, ISymbol symbol, SemanticModel model, CancellationToken cancellationToken)
    {
        var result = new List<IdentifierNameSyntax>();
        foreach (var identifier in function.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText == symbol.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, symbol))
            {
                result.Add(identifier);
            }
        }

        return result;
    }

    /// <summary>A name used nowhere in the member (so it clashes with no local before or after), nor by another copy of this fix.</summary>
    private static string UniqueName(string baseName, SyntaxNode statement, HashSet<string> taken)
    {
        SyntaxNode scope = statement.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? (SyntaxNode?)statement.FirstAncestorOrSelf<CompilationUnitSyntax>() ?? statement;
        var used = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var token in scope.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.IdentifierToken))
            {
                used.Add(token.ValueText);
            }
        }

        string name = baseName;
        for (int i = 2; used.Contains(name) || taken.Contains(name); i++)
        {
            name = baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        taken.Add(name);
        return name;
    }
}
