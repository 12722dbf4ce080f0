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
using Microsoft.CodeAnalysis.Text;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Executor.CodeFixes;

/// <summary>
/// Wraps flagged accesses in <c>lock</c> blocks. All diagnostics of a document are planned together: each type gets at
/// most one new lock field, adjacent flagged statements share one <c>lock</c>, and an expression-bodied callback
/// becomes a block body.
/// </summary>
internal static class LockWrapper
{
    private const int CSharp13 = 1300;

    /// <summary>How far past the last statement it wants a wrapped run looks for more of the same state or lock.</summary>
    private const int MaxExtension = 3;

    /// <summary>Whether the wrap is offered: the planner finds a lock that every side can take.</summary>
    public static bool CanFix(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (FindTarget(root, model, diagnostic.Location, cancellationToken) is not { } target || ContainsAwait(target.Node))
        {
            return false;
        }

        var planner = new Planner(root, model, cancellationToken);
        planner.Add(diagnostic);
        return planner.HasWraps;
    }

    public static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        var planner = new Planner(root, model, cancellationToken);
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
        {
            planner.Add(diagnostic);
        }

        var editor = new SyntaxEditor(root, document.Project.Solution.Workspace.Services);
        planner.Apply(editor);
        var changed = document.WithSyntaxRoot(editor.GetChangedRoot());
        return await FixCleanup.FinishAsync(changed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where to put the lock: a statement, or the expression body of a lambda, method or local function.</summary>
    private sealed class Target
    {
        public Target(SyntaxNode node, SyntaxNode? expressionBodyOwner)
        {
            Node = node;
            ExpressionBodyOwner = expressionBodyOwner;
        }

        public SyntaxNode Node { get; }

        public SyntaxNode? ExpressionBodyOwner { get; }
    }

    private static Target? FindTarget(SyntaxNode root, SemanticModel model, Location location, CancellationToken cancellationToken)
    {
        if (!location.IsInSource || location.SourceTree != root.SyntaxTree || !root.FullSpan.Contains(location.SourceSpan))
        {
            return null;
        }

        var node = root.FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        if (node is IdentifierNameSyntax or MemberAccessExpressionSyntax && node.Parent is ArgumentSyntax or AssignmentExpressionSyntax or EqualsValueClauseSyntax
            && model.GetSymbolInfo(node, cancellationToken) is var info && (info.Symbol is IMethodSymbol || info.CandidateReason == CandidateReason.MemberGroup))
        {
            // A method group passed as the callback: locking the registration would not protect the callback. (A field
            // read passed as an argument or assigned is an ordinary statement to wrap.)
            return null;
        }

        for (var current = node; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case LocalDeclarationStatementSyntax declaration:
                    // Wrapping a declaration would hide the variable from the statements after it: the declaration
                    // stays outside ('Thread[] copy;') and the initialization moves into the lock ('copy = _list.ToArray();').
                    return HoistedType(declaration, model, cancellationToken) is not null && declaration.Parent is BlockSyntax or SwitchSectionSyntax
                        ? new Target(declaration, null)
                        : null;
                case LocalFunctionStatementSyntax:
                    return null;
                case StatementSyntax statement when statement is not BlockSyntax:
                    return statement.Parent is BlockSyntax or GlobalStatementSyntax or SwitchSectionSyntax or IfStatementSyntax or ElseClauseSyntax
                        or ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
                        or UsingStatementSyntax or LockStatementSyntax or FixedStatementSyntax
                        ? new Target(statement, null)
                        : null;
                case LambdaExpressionSyntax { ExpressionBody: { } body } lambda when body.Span.Contains(node.Span):
                    return new Target(body, lambda);
                case ArrowExpressionClauseSyntax arrow when arrow.Parent is MethodDeclarationSyntax or LocalFunctionStatementSyntax:
                    return new Target(arrow.Expression, arrow.Parent);
                case MemberDeclarationSyntax:
                    return null;
            }
        }

        return null;
    }

    /// <summary>
    /// The type to declare a local with when its initialization moves into a lock: one variable with an initializer, not
    /// <c>const</c>, <c>using</c>, <c>ref</c> or of an anonymous type. Null when the declaration cannot be split.
    /// </summary>
    private static TypeSyntax? HoistedType(LocalDeclarationStatementSyntax declaration, SemanticModel model, CancellationToken cancellationToken)
    {
        if (declaration.Modifiers.Count != 0 || !declaration.UsingKeyword.IsKind(SyntaxKind.None) || declaration.AwaitKeyword.RawKind != 0
            || declaration.Declaration.Variables.Count != 1 || declaration.Declaration.Variables[0].Initializer is null
            || declaration.Declaration.Type is RefTypeSyntax || declaration.Declaration.Type is ScopedTypeSyntax)
        {
            return null;
        }

        if (!declaration.Declaration.Type.IsVar)
        {
            return declaration.Declaration.Type;
        }

        if (model.GetDeclaredSymbol(declaration.Declaration.Variables[0], cancellationToken) is not ILocalSymbol { Type: { } type }
            || type.IsAnonymousType || type.TypeKind == TypeKind.Error
            || type is INamedTypeSymbol { TypeArguments: var arguments } && arguments.Any(a => a.IsAnonymousType))
        {
            return null;
        }

        return ParseTypeName(type.ToMinimalDisplayString(model, declaration.SpanStart)).WithAdditionalAnnotations(Simplifier.Annotation);
    }

    private static bool ContainsAwait(SyntaxNode node)
        => node.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .Any(n => n is AwaitExpressionSyntax || n is ForEachStatementSyntax { AwaitKeyword.RawKind: not 0 } || n is UsingStatementSyntax { AwaitKeyword.RawKind: not 0 });

    /// <summary>Plans all the edits of one document before making any.</summary>
    private sealed class Planner
    {
        private readonly SyntaxNode _root;
        private readonly SemanticModel _model;
        private readonly CancellationToken _cancellationToken;
        private readonly List<(Target Target, ExpressionSyntax Lock)> _wraps = new();
        private readonly Dictionary<(TypeDeclarationSyntax Type, bool IsStatic), string> _newFields = new();
        private readonly Dictionary<StatementSyntax, string> _newLocals = new();
        private readonly Dictionary<TypeDeclarationSyntax, bool> _qualifiesWithThis = new();
        private readonly HashSet<string> _usedLocalNames = new();
        private readonly HashSet<StatementSyntax> _reusedLocals = new();
        private readonly SyntaxTrivia _eol;

        public Planner(SyntaxNode root, SemanticModel model, CancellationToken cancellationToken)
        {
            _root = root;
            _model = model;
            _cancellationToken = cancellationToken;
            var firstEol = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            _eol = ElasticEndOfLine(firstEol.IsKind(SyntaxKind.EndOfLineTrivia) ? firstEol.ToString() : "\n");
        }

        public bool HasWraps => _wraps.Count > 0;

        public void Add(Diagnostic diagnostic)
        {
            var target = FindTarget(_root, _model, diagnostic.Location, _cancellationToken);
            if (target is null || ContainsAwait(target.Node))
            {
                return;
            }

            var properties = diagnostic.Properties;
            bool stateIsStatic = properties.TryGetValue(CallbackDiagnosticProperties.IsStatic, out var isStatic) && isStatic == "true";
            properties.TryGetValue(CallbackDiagnosticProperties.SymbolKind, out var symbolKind);
            properties.TryGetValue(CallbackDiagnosticProperties.GuardingLock, out var guard);
            int position = target.Node.SpanStart;
            bool contextIsStatic = _model.GetEnclosingSymbol(position, _cancellationToken) is { } enclosing && IsStaticContext(enclosing);
            bool isVariable = symbolKind is "Local" or "Parameter";
            if (!stateIsStatic && contextIsStatic && !isVariable && target.Node.FirstAncestorOrSelf<GlobalStatementSyntax>() is null)
            {
                // Instance state reached from a static method: an instance lock is not in reach, and a static one would
                // serialize every instance. Offer nothing rather than the wrong lock. (Top-level code gets one local gate.)
                return;
            }

            bool needStatic = stateIsStatic;

            // Every side of the race takes the same lock, or none is offered: a lock only one side takes protects nothing.
            var others = new List<Target>();
            string? othersLock = null;
            foreach (var location in diagnostic.AdditionalLocations)
            {
                var other = FindTarget(_root, _model, location, _cancellationToken);
                if (other is null || ContainsAwait(other.Node) || RunsOtherCode(other.Node) || other.ExpressionBodyOwner is not null && other.ExpressionBodyOwner is not (MethodDeclarationSyntax or LocalFunctionStatementSyntax or LambdaExpressionSyntax))
                {
                    return;
                }

                if (other.Node.FirstAncestorOrSelf<LockStatementSyntax>() is { } held)
                {
                    // Already under a lock: the callback must take that one, unless that side holds it while it waits or
                    // runs other code (Stop() { lock (_l) { _t.Dispose(done); done.WaitOne(); } }): the callback would
                    // then wait on a lock held by code that waits for the callback.
                    if (RunsOtherCode(held.Statement))
                    {
                        return;
                    }

                    string text = held.Expression.WithoutTrivia().ToString();
                    if (othersLock is not null && othersLock != text)
                    {
                        return;
                    }

                    othersLock = text;
                    continue;
                }

                others.Add(other);
            }

            // The callback's access already under a lock: every other side takes that one, and the access is not wrapped
            // again (a nested lock on the same object protects nothing more).
            string? targetLock = EnclosingLockText(target.Node);
            if (targetLock is not null)
            {
                if (othersLock is not null && othersLock != targetLock)
                {
                    return;
                }

                othersLock = targetLock;
            }
            else if (RunsOtherCode(target.Node))
            {
                // The callback's statement would hold the new lock across code that blocks or runs other code.
                return;
            }

            // A lone constant store that a loop repeats (a receive loop's '_heartbeatDetected = true;'): a new lock there is
            // taken on every iteration to guard against a lost signal. Interlocked.Exchange, where offered, is the fix.
            if (targetLock is null && SignalStores.IsRepeatedSignalStore(target.Node, _model, _cancellationToken)
                || others.Exists(o => SignalStores.IsRepeatedSignalStore(o.Node, _model, _cancellationToken)))
            {
                return;
            }

            ExpressionSyntax? lockExpression = null;
            if (othersLock is not null)
            {
                if (!Binds(othersLock, position, needStatic, allowLocal: true))
                {
                    return;
                }

                lockExpression = ParseExpression(othersLock);
            }
            else if (guard is not null && Binds(guard, position, needStatic, allowLocal: true))
            {
                lockExpression = ParseExpression(guard);
            }

            if (lockExpression is null && symbolKind is "Local" or "Parameter")
            {
                lockExpression = PlanLocalLock(diagnostic, target);
                if (lockExpression is null)
                {
                    return;
                }
            }

            if (lockExpression is null && target.Node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } type)
            {
                lockExpression = ExistingTypeLock(type, needStatic, position)
                    ?? (!needStatic && QualifiesFieldsWithThis(type)
                        ? MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, ThisExpression(), IdentifierName(NewFieldName(type, needStatic)))
                        : IdentifierName(NewFieldName(type, needStatic)));
            }
            else if (lockExpression is null && target.Node.FirstAncestorOrSelf<GlobalStatementSyntax>() is { } global
                && global.Parent is CompilationUnitSyntax unit && unit.Members.OfType<GlobalStatementSyntax>().First().Statement is var first)
            {
                // Top-level statements have no type to hold a field: one local gate at the top of the program.
                lockExpression = IdentifierName(LocalGateBefore(first));
            }

            if (lockExpression is null)
            {
                return;
            }

            string lockText = lockExpression.WithoutTrivia().ToString();
            string fieldText = lockExpression is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } qualified ? qualified.Name.Identifier.ValueText : lockText;
            foreach (var other in others)
            {
                // The lock must mean the same object at the other side: bind it there (a new field binds in its own type).
                var newLocal = _newLocals.FirstOrDefault(p => p.Value == lockText && !_reusedLocals.Contains(p.Key)).Key;
                if (newLocal is not null)
                {
                    // A gate this fix declares: the other side must be in its scope, after it.
                    var scope = newLocal.Parent is GlobalStatementSyntax g ? g.Parent! : newLocal.Parent!;
                    if (!scope.Span.Contains(other.Node.Span) || other.Node.SpanStart < newLocal.SpanStart)
                    {
                        return;
                    }

                    continue;
                }

                bool newField = _newFields.Values.Contains(fieldText) && !_model.LookupSymbols(position, name: fieldText).Any();
                bool sameType = other.Node.FirstAncestorOrSelf<TypeDeclarationSyntax>() == target.Node.FirstAncestorOrSelf<TypeDeclarationSyntax>();
                bool binds = newField ? sameType && !IsStaticPosition(other.Node.SpanStart, needStatic) : Binds(lockText, other.Node.SpanStart, needStatic, allowLocal: true)
                    && SameSymbol(lockText, position, other.Node.SpanStart);
                if (!binds)
                {
                    return;
                }
            }

            // A side in a method that only tries the lock (Monitor.TryEnter with a timeout) must not block on it.
            if (TriesLock(target.Node, lockText) || others.Exists(o => TriesLock(o.Node, lockText)))
            {
                return;
            }

            // The callback reaches the state through a call ('t => this.Record(t)') whose access is inside a side that is
            // wrapped anyway (the callee's own statement): that lock covers it, and a second one around the call would
            // only nest (and hold the lock over the rest of the call).
            bool coveredByASide = OriginSpan(properties) is { } origin && others.Exists(o => o.Node.Span.Contains(origin));
            if (targetLock is null && !coveredByASide)
            {
                _wraps.Add((target, lockExpression));
            }

            foreach (var other in others)
            {
                _wraps.Add((other, lockExpression));
            }
        }

        private static TextSpan? OriginSpan(ImmutableDictionary<string, string?> properties)
        {
            if (properties.TryGetValue(CallbackDiagnosticProperties.OriginSpan, out var text) && text is not null)
            {
                int colon = text.IndexOf(':');
                if (colon > 0
                    && int.TryParse(text.Substring(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int start)
                    && int.TryParse(text.Substring(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int length))
                {
                    return new TextSpan(start, length);
                }
            }

            return null;
        }

        /// <summary>The lock statement around <paramref name="node"/> inside its own function, as written.</summary>
        private static string? EnclosingLockText(SyntaxNode node)
        {
            for (var current = node.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case LockStatementSyntax held:
                        return held.Expression.WithoutTrivia().ToString();
                    case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax:
                        return null;
                }
            }

            return null;
        }

        /// <summary>Whether the member around <paramref name="node"/> calls <c>TryEnter</c> on the lock: it avoids blocking on purpose.</summary>
        private static bool TriesLock(SyntaxNode node, string lockText)
        {
            if (node.FirstAncestorOrSelf<MemberDeclarationSyntax>() is not { } member)
            {
                return false;
            }

            foreach (var invocation in member.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (invocation.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "TryEnter" }
                    && invocation.ArgumentList.Arguments.Count > 0
                    && invocation.ArgumentList.Arguments[0].Expression.WithoutTrivia().ToString() == lockText)
                {
                    return true;
                }
            }

            return false;
        }

        private bool IsStaticPosition(int position, bool needStatic)
            => !needStatic && _model.GetEnclosingSymbol(position, _cancellationToken) is { } symbol && IsStaticContext(symbol);

        private bool SameSymbol(string expression, int first, int second)
        {
            var parsed = ParseExpression(expression);
            var a = _model.GetSpeculativeSymbolInfo(first, parsed, SpeculativeBindingOption.BindAsExpression).Symbol;
            var b = _model.GetSpeculativeSymbolInfo(second, parsed, SpeculativeBindingOption.BindAsExpression).Symbol;
            return a is not null && SymbolEqualityComparer.Default.Equals(a, b);
        }

        /// <summary>
        /// Whether a statement calls code that can block or run other code: completing a <c>TaskCompletionSource</c>,
        /// cancelling a token source, waiting on a task or future, sleeping, invoking a delegate or event, or I/O.
        /// Holding a new lock across such a call invites deadlocks and long waits, so no wrap is offered.
        /// </summary>
        private bool RunsOtherCode(SyntaxNode node) => RunsOtherCode(node, _model, 0, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default));

        private const int MaxCalleeDepth = 2;

        private bool RunsOtherCode(SyntaxNode node, SemanticModel model, int depth, HashSet<IMethodSymbol> visited)
        {
            foreach (var descendant in node.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
            {
                ISymbol? symbol = descendant switch
                {
                    InvocationExpressionSyntax invocation => model.GetSymbolInfo(invocation, _cancellationToken).Symbol,
                    MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Result" } access => model.GetSymbolInfo(access, _cancellationToken).Symbol,
                    _ => null,
                };

                if (symbol is IMethodSymbol { MethodKind: MethodKind.DelegateInvoke })
                {
                    return true;
                }

                if (symbol is IMethodSymbol logging && IsLoggingCall(logging))
                {
                    // A logger call (also a generated [LoggerMessage] method taking an ILogger): it runs the logging pipeline.
                    return true;
                }

                if (symbol is IMethodSymbol called && (called.IsAsync || IsAwaitable(called.ReturnType)))
                {
                    // The lock would cover only the call's synchronous start; what runs after its first await is unlocked.
                    return true;
                }

                if (symbol is IMethodSymbol callee && depth < MaxCalleeDepth && callee.DeclaringSyntaxReferences.Length > 0 && !callee.IsAbstract
                    && visited.Add(callee.OriginalDefinition))
                {
                    // A method of this compilation: what it runs counts too (an event it raises, a wait, I/O).
                    foreach (var reference in callee.DeclaringSyntaxReferences)
                    {
                        var declaration = reference.GetSyntax(_cancellationToken);
                        if (model.Compilation.ContainsSyntaxTree(declaration.SyntaxTree)
                            && RunsOtherCode(declaration, declaration.SyntaxTree == model.SyntaxTree ? model : model.Compilation.GetSemanticModel(declaration.SyntaxTree), depth + 1, visited))
                        {
                            return true;
                        }
                    }
                }

                if (symbol is not IMethodSymbol and not IPropertySymbol || symbol.ContainingType is not { } type)
                {
                    continue;
                }

                var receiver = descendant switch
                {
                    InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } => access.Expression,
                    MemberAccessExpressionSyntax access => access.Expression,
                    _ => null,
                };
                if (type.Name is "Future" or "Task" && receiver is IdentifierNameSyntax
                    && model.GetSymbolInfo(receiver, _cancellationToken).Symbol is IParameterSymbol { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } })
                {
                    // The callback's own future or antecedent task: it is done, so Result returns at once.
                    continue;
                }

                string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
                string name = symbol.Name;
                bool blocks = type.Name switch
                {
                    "TaskCompletionSource" => name.StartsWith("Set", System.StringComparison.Ordinal) || name.StartsWith("TrySet", System.StringComparison.Ordinal),
                    "CancellationTokenSource" => name.StartsWith("Cancel", System.StringComparison.Ordinal),
                    "Task" or "ValueTask" => name is "Wait" or "WaitAll" or "WaitAny" or "Result" or "RunSynchronously",
                    "Future" => name is "Result" or "Exception" or "Cancel" or "SetResult" or "SetException",
                    "Thread" => name is "Sleep" or "Join",
                    "ThreadPoolExecutor" => name is "Shutdown" or "Dispose" or "Map",
                    "ManualResetEventSlim" or "SemaphoreSlim" or "CountdownEvent" => name == "Wait",
                    "Barrier" => name == "SignalAndWait",
                    "Monitor" => name == "Wait",
                    _ => name is "WaitOne" or "WaitAll" or "WaitAny" && ns == "System.Threading",
                };
                if (blocks || ns.StartsWith("System.IO", System.StringComparison.Ordinal) || ns.StartsWith("System.Net", System.StringComparison.Ordinal)
                    || ns.StartsWith("Microsoft.Extensions.Logging", System.StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsLoggingCall(IMethodSymbol method)
        {
            foreach (var parameter in method.Parameters)
            {
                if (parameter.Type.ContainingNamespace?.ToDisplayString() == "Microsoft.Extensions.Logging")
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsAwaitable(ITypeSymbol type)
            => type.Name is "Task" or "ValueTask" && type.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks";

        public void Apply(SyntaxEditor editor)
        {
            // Outermost targets win: an inner one is covered by the lock around its container.
            var wraps = _wraps
                .Where(w => !_wraps.Any(o => o.Target.Node != w.Target.Node && o.Target.Node.Span.Contains(w.Target.Node.Span)))
                .GroupBy(w => w.Target.Node)
                .Select(g => g.First())
                .OrderBy(w => w.Target.Node.SpanStart)
                .ToList();

            var consumed = new HashSet<SyntaxNode>();
            var oneLines = new HashSet<BlockSyntax>();
            foreach (var (target, lockExpression) in wraps)
            {
                if (consumed.Contains(target.Node))
                {
                    continue;
                }

                if (target.ExpressionBodyOwner is not null)
                {
                    ReplaceExpressionBody(editor, target, lockExpression);
                    continue;
                }

                var statement = (StatementSyntax)target.Node;
                var run = new List<StatementSyntax> { statement };
                if (statement.Parent is BlockSyntax block)
                {
                    // Extend the run over what follows: the next flagged statements that take the same lock, the
                    // statements that read or write the same fields ('_cache.Remove(k); if (_cache.Count == 0) …'), and
                    // harmless statements between them ('var e = _last; if (e == null) return; _last = null;' becomes one
                    // region, so the read and the clear stay atomic). A lock that stops mid-way leaves a half-locked
                    // check-then-act. It stops at a declaration, an await, a lock, a yield, or code that blocks or runs
                    // other code, and at most MaxExtension statements past the last one it wants.
                    int index = block.Statements.IndexOf(statement);
                    var state = StateFields(run);
                    int lastWanted = index;
                    for (int i = index + 1; i < block.Statements.Count && i <= lastWanted + MaxExtension; i++)
                    {
                        var next = block.Statements[i];
                        if (wraps.Any(w => w.Target.Node == next && w.Lock.IsEquivalentTo(lockExpression)) && !consumed.Contains(next))
                        {
                            lastWanted = i;
                            state.UnionWith(StateFields(new[] { next }));
                            continue;
                        }

                        // A declaration, local function or label would change scope inside the lock block.
                        if (wraps.Any(w => w.Target.Node == next) || next is LocalDeclarationStatementSyntax or LocalFunctionStatementSyntax or LabeledStatementSyntax || ContainsAwait(next)
                            || next.DescendantNodes().Any(n => n is YieldStatementSyntax or LockStatementSyntax) || RunsOtherCode(next))
                        {
                            break;
                        }

                        if (TouchesAny(next, state))
                        {
                            lastWanted = i;
                        }
                    }

                    for (int i = index + 1; i <= lastWanted; i++)
                    {
                        run.Add(block.Statements[i]);
                        consumed.Add(block.Statements[i]);
                    }
                }

                if (run.Any(r => r is LocalDeclarationStatementSyntax))
                {
                    // Declarations stay before the lock, their initializations move in.
                    var hoisted = new List<StatementSyntax>();
                    var body = run.Select(r => r is LocalDeclarationStatementSyntax declaration ? Split(declaration, hoisted) : r).ToList();
                    hoisted[0] = hoisted[0].WithLeadingTrivia(statement.GetLeadingTrivia());
                    var locked = MakeLock(lockExpression, body).WithLeadingTrivia(ElasticMarker);
                    editor.InsertBefore(statement, hoisted);
                    editor.ReplaceNode(statement, locked);
                    foreach (var removed in run.Skip(1))
                    {
                        editor.RemoveNode(removed, SyntaxRemoveOptions.KeepNoTrivia);
                    }

                    continue;
                }

                if (statement.Parent is BlockSyntax parentBlock && AdjacentLock(parentBlock, run, lockExpression, consumed) is var (before, after) && (before ?? after) is not null)
                {
                    // Join an existing lock on the same object right before or after the run, instead of adding another.
                    var joined = new List<StatementSyntax>();
                    joined.AddRange(before is null ? Enumerable.Empty<StatementSyntax>() : ((BlockSyntax)before.Statement).Statements);
                    joined.AddRange(run);
                    joined.AddRange(after is null ? Enumerable.Empty<StatementSyntax>() : ((BlockSyntax)after.Statement).Statements);
                    var keep = before ?? after!;
                    var oldBlock = (BlockSyntax)keep.Statement;
                    var newBlock = MultiLineBlock(joined.Select(Normalize));
                    var merged = keep.WithStatement(newBlock.WithCloseBraceToken(newBlock.CloseBraceToken.WithTrailingTrivia(oldBlock.CloseBraceToken.TrailingTrivia)))
                        .WithAdditionalAnnotations(Formatter.Annotation);
                    editor.ReplaceNode(keep, merged);
                    foreach (var removed in run.Concat(before is not null && after is not null ? new StatementSyntax[] { after } : System.Array.Empty<StatementSyntax>()))
                    {
                        editor.RemoveNode(removed, SyntaxRemoveOptions.KeepNoTrivia);
                    }

                    continue;
                }

                editor.ReplaceNode(statement, MakeLock(lockExpression, run));
                foreach (var removed in run.Skip(1))
                {
                    editor.RemoveNode(removed, SyntaxRemoveOptions.KeepNoTrivia);
                }

                if (statement.Parent is BlockSyntax { Parent: BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax } oneLine
                    && IsOnOneLine(oneLine) && oneLines.Add(oneLine))
                {
                    // '{ x = 0; }' on one line would keep its brace next to the signature: lay the whole body out again.
                    editor.ReplaceNode(oneLine, (current, _) => current.WithAdditionalAnnotations(Formatter.Annotation));
                }
            }

            foreach (var pair in _newFields)
            {
                var type = pair.Key.Type;
                int index = type.Members.IndexOf(m => m is FieldDeclarationSyntax);
                editor.InsertMembers(type, index < 0 ? 0 : index, new[] { MakeField(pair.Value, pair.Key.IsStatic) });
            }

            foreach (var pair in _newLocals.Where(p => !_reusedLocals.Contains(p.Key)).GroupBy(p => p.Value).Select(g => g.First()))
            {
                if (pair.Key.Parent is GlobalStatementSyntax global)
                {
                    // Laid out by hand: the formatter would surround a new top-level statement with blank lines.
                    var eol = global.GetTrailingTrivia().Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).DefaultIfEmpty(_eol);
                    // The new first statement takes over the blank lines and comments above the old one.
                    var declaration = ParseStatement("var " + pair.Value + " = new object();").WithLeadingTrivia(global.GetLeadingTrivia()).WithTrailingTrivia(eol);
                    editor.InsertBefore(global, GlobalStatement(declaration));
                    editor.ReplaceNode(global, (current, _) => current.WithLeadingTrivia(current.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia))));
                }
                else
                {
                    editor.InsertBefore(pair.Key, MakeLocal(pair.Value));
                }
            }
        }

        /// <summary>The fields of the source's types that the statements of a run read or write.</summary>
        private HashSet<ISymbol> StateFields(IEnumerable<StatementSyntax> run)
        {
            var state = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var statement in run)
            {
                foreach (var name in statement.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
                {
                    if (_model.GetSymbolInfo(name, _cancellationToken).Symbol is IFieldSymbol { IsConst: false } field && !field.DeclaringSyntaxReferences.IsEmpty)
                    {
                        state.Add(field);
                    }
                }
            }

            return state;
        }

        private bool TouchesAny(StatementSyntax statement, HashSet<ISymbol> state)
            => state.Count > 0 && statement.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Any(name => _model.GetSymbolInfo(name, _cancellationToken).Symbol is IFieldSymbol field && state.Contains(field));

        /// <summary>The <c>lock</c> statements on the same object directly before and after a run of statements, if any.</summary>
        private static (LockStatementSyntax? Before, LockStatementSyntax? After) AdjacentLock(BlockSyntax block, List<StatementSyntax> run, ExpressionSyntax lockExpression, HashSet<SyntaxNode> consumed)
        {
            int first = block.Statements.IndexOf(run[0]);
            int last = block.Statements.IndexOf(run[run.Count - 1]);
            LockStatementSyntax? Matching(int index)
                => index >= 0 && index < block.Statements.Count
                    && block.Statements[index] is LockStatementSyntax { Statement: BlockSyntax } candidate
                    && !consumed.Contains(candidate)
                    && candidate.Expression.WithoutTrivia().IsEquivalentTo(lockExpression.WithoutTrivia())
                    ? candidate
                    : null;

            var before = Matching(first - 1);
            var after = Matching(last + 1);
            if (after is not null)
            {
                consumed.Add(after);
            }

            return (before, after);
        }

        private static bool IsStaticContext(ISymbol symbol)
        {
            for (var current = symbol; current is not null; current = current.ContainingSymbol)
            {
                if (current is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } function)
                {
                    // A 'static' lambda or local function cannot reach 'this' even inside an instance member.
                    if (function.IsStatic)
                    {
                        return true;
                    }

                    continue;
                }

                return current.IsStatic;
            }

            return false;
        }

        private bool Binds(string expression, int position, bool needStatic, bool allowLocal)
        {
            var parsed = ParseExpression(expression);
            var symbol = _model.GetSpeculativeSymbolInfo(position, parsed, SpeculativeBindingOption.BindAsExpression).Symbol;
            return symbol switch
            {
                null => false,
                ILocalSymbol or IParameterSymbol => allowLocal,
                IFieldSymbol or IPropertySymbol => !needStatic || symbol.IsStatic,
                _ => false,
            };
        }

        private ExpressionSyntax? ExistingTypeLock(TypeDeclarationSyntax type, bool needStatic, int position)
        {
            var candidates = new HashSet<string>();
            foreach (var lockStatement in type.DescendantNodes().OfType<LockStatementSyntax>())
            {
                if (lockStatement.Expression is IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax }
                    && _model.GetSymbolInfo(lockStatement.Expression, _cancellationToken).Symbol is IFieldSymbol { DeclaredAccessibility: Accessibility.Private } field
                    && SymbolEqualityComparer.Default.Equals(field.ContainingType, _model.GetDeclaredSymbol(type, _cancellationToken))
                    && (!needStatic || field.IsStatic))
                {
                    candidates.Add(field.Name);
                }
            }

            if (candidates.Count != 1)
            {
                return null;
            }

            var name = candidates.First();
            return Binds(name, position, needStatic, allowLocal: false) ? IdentifierName(name) : null;
        }

        /// <summary>
        /// Whether the type's code mostly writes its instance fields as <c>this.field</c> (DotNetty, StyleCop's SA1101):
        /// a new lock field is then written the same way. A bare name counts only when it binds to the field (not the
        /// parameter of <c>this.names = names</c>).
        /// </summary>
        private bool QualifiesFieldsWithThis(TypeDeclarationSyntax type)
        {
            if (_qualifiesWithThis.TryGetValue(type, out bool known))
            {
                return known;
            }


            var fields = new HashSet<string>();
            foreach (var field in type.Members.OfType<FieldDeclarationSyntax>())
            {
                if (!field.Modifiers.Any(m => m.IsKind(SyntaxKind.StaticKeyword) || m.IsKind(SyntaxKind.ConstKeyword)))
                {
                    foreach (var variable in field.Declaration.Variables)
                    {
                        fields.Add(variable.Identifier.ValueText);
                    }
                }
            }

            int qualified = 0, bare = 0;
            foreach (var name in type.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (!fields.Contains(name.Identifier.ValueText))
                {
                    continue;
                }

                if (name.Parent is MemberAccessExpressionSyntax access && access.Name == name)
                {
                    if (access.Expression is ThisExpressionSyntax)
                    {
                        qualified++;
                    }
                }
                else if (name.Parent is not (NameColonSyntax or NameEqualsSyntax or MemberBindingExpressionSyntax)
                    && _model.GetSymbolInfo(name, _cancellationToken).Symbol is IFieldSymbol)
                {
                    bare++;
                }
            }

            bool result = qualified > bare;
            _qualifiesWithThis[type] = result;
            return result;
        }

        private string NewFieldName(TypeDeclarationSyntax type, bool isStatic)
        {
            if (_newFields.TryGetValue((type, isStatic), out var existing))
            {
                return existing;
            }

            var fieldNames = type.Members.OfType<FieldDeclarationSyntax>()
                .SelectMany(f => f.Declaration.Variables.Select(v => (Name: v.Identifier.ValueText, IsStatic: f.Modifiers.Any(SyntaxKind.StaticKeyword))))
                .ToList();
            string prefix;
            if (isStatic && fieldNames.Any(f => f.IsStatic && f.Name.StartsWith("s_", System.StringComparison.Ordinal)))
            {
                prefix = "s_";
            }
            else
            {
                // The convention most of the type's fields follow ('mu', 'wg', 'stats' and one '_nuid': no prefix).
                int mPrefixed = fieldNames.Count(f => f.Name.StartsWith("m_", System.StringComparison.Ordinal));
                int underscored = fieldNames.Count(f => f.Name.StartsWith("_", System.StringComparison.Ordinal));
                int plain = fieldNames.Count(f => f.Name.Length > 0 && char.IsLower(f.Name[0]));
                prefix = mPrefixed > underscored && mPrefixed >= plain ? "m_"
                    : plain > underscored && plain > mPrefixed ? string.Empty
                    : "_";
            }

            var taken = new HashSet<string>(type.Members.SelectMany(MemberNames));
            taken.UnionWith(_newFields.Values);
            string name = prefix + (isStatic && prefix.Length == 0 ? "staticGate" : "gate");
            for (int i = 2; taken.Contains(name); i++)
            {
                name = prefix + "gate" + i;
            }

            _newFields[(type, isStatic)] = name;
            return name;
        }

        private static IEnumerable<string> MemberNames(MemberDeclarationSyntax member) => member switch
        {
            FieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier.ValueText),
            PropertyDeclarationSyntax property => new[] { property.Identifier.ValueText },
            MethodDeclarationSyntax method => new[] { method.Identifier.ValueText },
            EventFieldDeclarationSyntax @event => @event.Declaration.Variables.Select(v => v.Identifier.ValueText),
            BaseTypeDeclarationSyntax nested => new[] { nested.Identifier.ValueText },
            _ => Enumerable.Empty<string>(),
        };

        private ExpressionSyntax? PlanLocalLock(Diagnostic diagnostic, Target target)
        {
            var symbolName = diagnostic.Properties.TryGetValue(CallbackDiagnosticProperties.SymbolName, out var n) ? n : null;
            var node = _root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var symbol = node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
                .Where(id => id.Identifier.ValueText == symbolName)
                .Select(id => _model.GetSymbolInfo(id, _cancellationToken).Symbol)
                .FirstOrDefault(s => s is ILocalSymbol or IParameterSymbol);
            if (symbol is null || symbol.DeclaringSyntaxReferences.Length == 0)
            {
                return null;
            }

            var declaration = symbol.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken);
            StatementSyntax? anchor = symbol is ILocalSymbol
                ? declaration.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>()
                : FirstBodyStatement(declaration);
            if (anchor is null || anchor.Parent is not (BlockSyntax or GlobalStatementSyntax))
            {
                return null;
            }

            if (!_newLocals.ContainsKey(anchor))
            {
                LocalGateBefore(anchor);
            }

            var gate = _newLocals[anchor];
            return IdentifierName(gate);
        }

        /// <summary>Plans <c>var gate = new object();</c> before a statement (once per statement) and returns its name.</summary>
        private string LocalGateBefore(StatementSyntax anchor)
        {
            if (_newLocals.TryGetValue(anchor, out var existing))
            {
                return existing;
            }

            // An earlier `var gate = new object();` in scope (say from a previous fix) is reused, not duplicated.
            foreach (var visible in _model.LookupSymbols(anchor.SpanStart))
            {
                if (visible is ILocalSymbol { Type.SpecialType: SpecialType.System_Object } local
                    && local.Name.StartsWith("gate", System.StringComparison.Ordinal)
                    && local.DeclaringSyntaxReferences.Length == 1
                    && local.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: ObjectCreationExpressionSyntax })
                {
                    _newLocals[anchor] = local.Name;
                    _reusedLocals.Add(anchor);
                    return local.Name;
                }
            }

            var scope = anchor.Parent is GlobalStatementSyntax global ? global.Parent! : anchor.Parent!;
            foreach (var planned in _newLocals)
            {
                // A gate this fix already plans earlier in the same scope serves here too.
                var plannedScope = planned.Key.Parent is GlobalStatementSyntax g ? g.Parent : planned.Key.Parent;
                if (plannedScope == scope && planned.Key.SpanStart <= anchor.SpanStart)
                {
                    _newLocals[anchor] = planned.Value;
                    _reusedLocals.Add(anchor);
                    return planned.Value;
                }
            }

            string name = "gate";
            for (int i = 2; _usedLocalNames.Contains(name) || _model.LookupSymbols(anchor.SpanStart, name: name).Length > 0 || IsDeclaredIn(scope, name); i++)
            {
                name = "gate" + i;
            }

            _usedLocalNames.Add(name);
            _newLocals[anchor] = name;
            return name;
        }

        private static bool IsDeclaredIn(SyntaxNode scope, string name)
            => scope.DescendantNodes().OfType<VariableDeclaratorSyntax>().Any(v => v.Identifier.ValueText == name);

        private static StatementSyntax? FirstBodyStatement(SyntaxNode parameterSyntax)
        {
            var body = parameterSyntax.Ancestors().Select(a => a switch
            {
                BaseMethodDeclarationSyntax method => method.Body,
                LocalFunctionStatementSyntax local => local.Body,
                _ => null,
            }).FirstOrDefault(b => b is not null);
            return body?.Statements.FirstOrDefault();
        }

        private void ReplaceExpressionBody(SyntaxEditor editor, Target target, ExpressionSyntax lockExpression)
        {
            var expression = (ExpressionSyntax)target.Node;
            bool returnsValue = target.ExpressionBodyOwner switch
            {
                LambdaExpressionSyntax lambda => _model.GetSymbolInfo(lambda, _cancellationToken).Symbol is IMethodSymbol { ReturnsVoid: false },
                _ => _model.GetDeclaredSymbol(target.ExpressionBodyOwner!, _cancellationToken) is IMethodSymbol { ReturnsVoid: false },
            };
            StatementSyntax inner = returnsValue
                ? ReturnStatement(expression.WithoutTrivia())
                : ExpressionStatement(expression.WithoutTrivia());
            var body = MultiLineBlock(new[] { MakeLock(lockExpression, new List<StatementSyntax> { inner }).WithTrailingTrivia(_eol) }).WithAdditionalAnnotations(Formatter.Annotation);

            switch (target.ExpressionBodyOwner)
            {
                case ParenthesizedLambdaExpressionSyntax parenthesized:
                    editor.ReplaceNode(parenthesized, parenthesized.WithExpressionBody(null).WithBlock(body).WithAdditionalAnnotations(Formatter.Annotation));
                    break;
                case SimpleLambdaExpressionSyntax simple:
                    editor.ReplaceNode(simple, simple.WithExpressionBody(null).WithBlock(body).WithAdditionalAnnotations(Formatter.Annotation));
                    break;
                case MethodDeclarationSyntax method:
                    editor.ReplaceNode(method, method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body).WithAdditionalAnnotations(Formatter.Annotation));
                    break;
                case LocalFunctionStatementSyntax local:
                    editor.ReplaceNode(local, local.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body).WithAdditionalAnnotations(Formatter.Annotation));
                    break;
            }
        }

        private static bool IsOnOneLine(BlockSyntax block)
        {
            var lines = block.SyntaxTree.GetLineSpan(block.Span);
            return lines.StartLinePosition.Line == lines.EndLinePosition.Line;
        }

        /// <summary>'var x = e;' becomes 'T x;' (added to <paramref name="hoisted"/>) and the returned 'x = e;'.</summary>
        private StatementSyntax Split(LocalDeclarationStatementSyntax declaration, List<StatementSyntax> hoisted)
        {
            var variable = declaration.Declaration.Variables[0];
            var type = HoistedType(declaration, _model, _cancellationToken)!;
            hoisted.Add(LocalDeclarationStatement(VariableDeclaration(type.WithTrailingTrivia(Space), SingletonSeparatedList(VariableDeclarator(variable.Identifier.WithoutTrivia()))))
                .WithTrailingTrivia(_eol)
                .WithAdditionalAnnotations(Formatter.Annotation));
            return ExpressionStatement(AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, IdentifierName(variable.Identifier.WithoutTrivia()), variable.Initializer!.Value.WithoutTrivia()))
                .WithTriviaFrom(declaration);
        }

        private LockStatementSyntax MakeLock(ExpressionSyntax lockExpression, List<StatementSyntax> statements)
        {
            var first = statements[0];
            var last = statements[statements.Count - 1];
            // Indentation and comments above the first statement move to the lock statement; the formatter re-indents the rest.
            var inner = statements.Select((s, i) => Normalize(i == 0 ? s.WithLeadingTrivia(ElasticMarker) : s));

            var leading = first.GetLeadingTrivia();
            var trailing = last.GetTrailingTrivia().Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).ToList();
            return LockStatement(lockExpression.WithoutTrivia(), MultiLineBlock(inner))
                .WithLeadingTrivia(leading.Count == 0 ? TriviaList(ElasticMarker) : leading)
                .WithTrailingTrivia(trailing.Count == 0 ? TriviaList(ElasticMarker) : TriviaList(trailing))
                .WithAdditionalAnnotations(Formatter.Annotation);
        }

        /// <summary>Keeps a statement's comments and drops its layout, so the formatter lays the moved statement out afresh.</summary>
        private StatementSyntax Normalize(StatementSyntax statement)
        {
            var leading = new List<SyntaxTrivia> { ElasticMarker };
            foreach (var trivia in statement.GetLeadingTrivia())
            {
                if (IsComment(trivia))
                {
                    leading.Add(trivia);
                    leading.Add(_eol);
                }
            }

            var trailing = new List<SyntaxTrivia>();
            foreach (var trivia in statement.GetTrailingTrivia())
            {
                if (IsComment(trivia))
                {
                    trailing.Add(Space);
                    trailing.Add(trivia);
                }
            }

            trailing.Add(_eol);
            return statement.WithLeadingTrivia(leading).WithTrailingTrivia(trailing);
        }

        /// <summary>A block whose braces sit on their own lines: the formatter keeps a block it sees on one line as it is.</summary>
        private BlockSyntax MultiLineBlock(IEnumerable<StatementSyntax> statements)
            => Block(
                Token(SyntaxKind.OpenBraceToken).WithTrailingTrivia(_eol),
                List(statements),
                Token(SyntaxKind.CloseBraceToken));

        private static bool IsComment(SyntaxTrivia trivia)
            => trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia);

        private FieldDeclarationSyntax MakeField(string name, bool isStatic)
        {
            bool useLock = _model.Compilation.GetTypeByMetadataName("System.Threading.Lock") is not null
                && _root.SyntaxTree.Options is CSharpParseOptions options
                && (int)options.LanguageVersion >= CSharp13;
            var type = useLock
                ? ParseTypeName("System.Threading.Lock").WithAdditionalAnnotations(Simplifier.Annotation)
                : PredefinedType(Token(SyntaxKind.ObjectKeyword));
            var modifiers = isStatic
                ? TokenList(Token(SyntaxKind.PrivateKeyword), Token(SyntaxKind.StaticKeyword), Token(SyntaxKind.ReadOnlyKeyword))
                : TokenList(Token(SyntaxKind.PrivateKeyword), Token(SyntaxKind.ReadOnlyKeyword));
            // Fully qualified and simplified only where 'using System.Threading;' already exists: adding that using
            // could make 'Timer' ambiguous with System.Timers.Timer.
            var creation = ObjectCreationExpression(type.WithAdditionalAnnotations(Simplifier.Annotation)).WithArgumentList(ArgumentList());
            return FieldDeclaration(VariableDeclaration(type, SingletonSeparatedList(VariableDeclarator(name).WithInitializer(EqualsValueClause(creation)))))
                .WithModifiers(modifiers)
                .WithAdditionalAnnotations(Formatter.Annotation);
        }

        private static LocalDeclarationStatementSyntax MakeLocal(string name)
            => LocalDeclarationStatement(VariableDeclaration(
                    IdentifierName("var"),
                    SingletonSeparatedList(VariableDeclarator(name).WithInitializer(EqualsValueClause(
                        ObjectCreationExpression(PredefinedType(Token(SyntaxKind.ObjectKeyword))).WithArgumentList(ArgumentList()))))))
                .WithAdditionalAnnotations(Formatter.Annotation);
    }
}
