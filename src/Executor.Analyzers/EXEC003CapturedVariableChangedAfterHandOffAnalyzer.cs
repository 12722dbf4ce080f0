using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// EXEC003: a delegate handed to another thread (an EXEC001 callback source or an EXEC002 work source) reads a
/// captured variable that the handing-off code writes afterwards with no join in between: the <c>for</c> variable
/// (<c>i++</c> runs after the delegate is created), a reassignment after <c>Submit</c>/<c>Task.Run</c>, a captured
/// non-thread-safe collection filled further, a captured <c>bool</c> stop flag set later without <c>Volatile</c>.
/// "Afterwards" comes from the member's <see cref="Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph"/> with the
/// joins cut out (<see cref="ExecutionOrder"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EXEC003CapturedVariableChangedAfterHandOffAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property naming the fix the diagnostic allows: <see cref="CopyFix"/> or <see cref="VolatileFix"/>; absent when none.</summary>
    public const string FixProperty = "Fix";

    /// <summary>Copy the variable into a new local just before the hand-off statement and read the copy in the delegate.</summary>
    public const string CopyFix = "Copy";

    /// <summary>Read the flag with <c>Volatile.Read</c> in the delegate and write it with <c>Volatile.Write</c>.</summary>
    public const string VolatileFix = "Volatile";

    /// <summary>The diagnostic property holding the variable's name.</summary>
    public const string VariableProperty = "Variable";

    /// <summary>The diagnostic property holding what changes it: <c>Loop</c>, <c>Iteration</c>, <c>Later</c>, <c>Collection</c> or <c>Flag</c>.</summary>
    public const string KindProperty = "Kind";

    private static readonly HashSet<string> MutatingMembers = new(System.StringComparer.Ordinal)
    {
        "Add", "AddRange", "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange", "RemoveWhere", "Clear",
        "Enqueue", "Dequeue", "TryDequeue", "EnqueueRange", "Push", "Pop", "TryPop", "Sort", "Reverse", "TryAdd", "TrimExcess",
        "EnsureCapacity", "Append", "AppendLine", "AppendFormat", "AppendJoin", "Replace", "UnionWith", "IntersectWith",
        "ExceptWith", "SymmetricExceptWith", "AddFirst", "AddLast", "AddBefore", "AddAfter", "RemoveFirst", "RemoveLast",
        "SetValue",
    };

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.CapturedVariableChangedAfterHandOff,
        title: "A captured variable changes after the work is handed to another thread",
        messageFormat: "Delegate passed to '{0}' reads '{1}', which {2} ('{3}') after the hand-off; {4}",
        category: DiagnosticCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A lambda captures variables, not values: the work reads the variable when it runs, on another thread, not when it "
            + "is handed over. A 'for' loop's 'i++', a reassignment after Submit or Task.Run, or more items added to a captured List "
            + "after the hand-off race with the work, which may see a later value (every task of a 'for' loop may see the final 'i') "
            + "or a collection in the middle of a change. A bool stop flag set later without Volatile may never be seen by a loop "
            + "in the work. Copy the value into a local declared just before the hand-off, hand over a copy of the collection, "
            + "or use Volatile.Read/Volatile.Write or a CancellationToken for a flag. Writes after the work is joined (Result(), "
            + "Wait(), await, Thread.Join, Shutdown) are not reported.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.CapturedVariableChangedAfterHandOff));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var callbacks = CallbackAnalysis.For(start.Compilation, start.Options.AnalyzerConfigOptionsProvider);
            var finder = new HandOffFinder(callbacks);
            var writeIndexes = new ConcurrentDictionary<SyntaxNode, Dictionary<ISymbol, List<(IOperation At, WriteKind Kind)>>>();
            start.RegisterOperationAction(
                c =>
                {
                    if (finder.Find(c.Operation, c.CancellationToken) is { } handOffs)
                    {
                        foreach (var handOff in handOffs)
                        {
                            Analyze(c, finder, handOff, writeIndexes);
                        }
                    }
                },
                OperationKind.Invocation,
                OperationKind.ObjectCreation,
                OperationKind.EventAssignment);
        });
    }

    private enum WriteKind : byte
    {
        Plain,
        Atomic,
        Collection,
    }

    private sealed class Captured
    {
        public Captured(ISymbol symbol, IOperation? firstRead)
        {
            Symbol = symbol;
            FirstRead = firstRead;
        }

        public ISymbol Symbol { get; }

        public IOperation? FirstRead { get; set; }

        public bool WrittenByDelegate { get; set; }

        public bool ReadInLoop { get; set; }

        /// <summary>The variable's writes in the function that hands the delegate over, by position (shared with the index: not modified).</summary>
        public List<(IOperation At, WriteKind Kind)> Writes { get; set; } = new();
    }

    private static void Analyze(OperationAnalysisContext context, HandOffFinder finder, HandOff handOff, ConcurrentDictionary<SyntaxNode, Dictionary<ISymbol, List<(IOperation At, WriteKind Kind)>>> writeIndexes)
    {
        var cancellationToken = context.CancellationToken;
        var captured = CapturedReads(handOff.Function, cancellationToken);
        if (captured is null || HandOffFinder.FunctionBodyOf(handOff.Point) is not { } body)
        {
            return;
        }

        // Cheap pass first: the writes of those variables in the code around the hand-off, and whether any could come
        // after it (later in the text, or in a loop around it). Only then the flow graph.
        // The writes of a function body are indexed once, for all the hand-offs in it.
        var index = writeIndexes.GetOrAdd(body.Syntax, _ => IndexWrites(body, finder.Types, cancellationToken));
        foreach (var variable in captured.Values)
        {
            if (index.TryGetValue(variable.Symbol, out var writes))
            {
                variable.Writes = writes;
            }
        }

        var pointSyntax = handOff.Point.Syntax;
        int loopStart = OutermostLoopStart(pointSyntax, body.Syntax);
        bool any = false;
        foreach (var variable in captured.Values)
        {
            foreach (var _ in Candidates(variable.Writes, pointSyntax, loopStart, body.Syntax))
            {
                any = true;
                break;
            }
        }

        var registration = new Registration(handOff.Api, handOff.Operation);
        if (!any || finder.IsJoinedAtOnce(handOff, registration) || finder.GraphAround(handOff.Point, cancellationToken) is not { } graph)
        {
            return;
        }

        var joins = finder.JoinCuts(graph, handOff, registration);
        foreach (var variable in captured.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (IOperation At, WriteKind Kind)? reported = null;
            ExecutionOrder.Reach? reach = null;
            int tried = 0;
            foreach (var write in Candidates(variable.Writes, pointSyntax, loopStart, body.Syntax))
            {
                // The first candidate (usually the one reported) by a search that stops when it finds it; the rest, if
                // that one is ordered, by one full reach from the hand-off.
                bool? after;
                if (tried++ == 0)
                {
                    after = ExecutionOrder.Reaches(graph, joins, pointSyntax, write.At.Syntax, variable.Symbol as ILocalSymbol, cancellationToken);
                }
                else
                {
                    reach ??= ExecutionOrder.Prepare(graph, joins, pointSyntax, variable.Symbol as ILocalSymbol, cancellationToken);
                    after = reach?.RunsAfter(write.At.Syntax);
                }

                if (after == true)
                {
                    reported = write;
                    break;
                }
            }

            if (reported is { } found)
            {
                Report(context, finder, handOff, variable, found.At, found.Kind);
            }
        }
    }

    private static void Report(OperationAnalysisContext context, HandOffFinder finder, HandOff handOff, Captured variable, IOperation write, WriteKind kind)
    {
        var pointSyntax = handOff.Point.Syntax;
        var type = variable.Symbol switch
        {
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            _ => null,
        };
        bool inIncrementor = IsForIncrementor(write.Syntax);
        bool before = write.Syntax.SpanStart < pointSyntax.SpanStart;
        bool flag = kind == WriteKind.Plain && type?.SpecialType == SpecialType.System_Boolean && variable.ReadInLoop;
        string? position = inIncrementor ? "the loop" : before ? "the next iteration" : null;
        string phrase = kind == WriteKind.Collection
            ? position is null ? "is modified" : position + " modifies"
            : position is null ? "is changed" : position + " changes";
        string typeName = type?.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) ?? "collection";
        string consequence = kind == WriteKind.Collection
            ? "the work may read the " + typeName + " while it changes (it is not thread-safe)"
            : flag
                ? "the work may never see the change (a captured local cannot be volatile: use Volatile.Read and Volatile.Write, or a CancellationToken)"
                : "the work may see a later value";

        var builder = ImmutableDictionary.CreateBuilder<string, string?>();
        builder[VariableProperty] = variable.Symbol.Name;
        builder[KindProperty] = kind == WriteKind.Collection ? "Collection" : flag ? "Flag" : inIncrementor ? "Loop" : before ? "Iteration" : "Later";
        var additional = new List<Location> { write.Syntax.GetLocation(), handOff.Function.Syntax.GetLocation() };
        if (kind == WriteKind.Plain && !variable.WrittenByDelegate)
        {
            if (type?.SpecialType == SpecialType.System_Boolean)
            {
                // A bool written later is a signal (stop, cancelled) the work is meant to see: copying its value at the
                // hand-off would change what the code means; reading and writing it with Volatile does not.
                if (VolatileWrites(variable, context.Operation, handOff, context.CancellationToken) is { } writes)
                {
                    builder[FixProperty] = VolatileFix;
                    additional.AddRange(writes);
                }
            }
            else if (!handOff.IsPeriodic && handOff.Point == handOff.Operation && CopyTarget(handOff, variable) is { } statement)
            {
                builder[FixProperty] = CopyFix;
                additional.Add(statement.GetLocation());
            }
        }

        string text = write.Syntax.ToString();
        if (text.Length > 60 || text.IndexOf('\n') >= 0)
        {
            text = text.Split('\n')[0].TrimEnd();
            text = (text.Length > 60 ? text.Substring(0, 60) : text) + "…";
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            variable.FirstRead!.Syntax.GetLocation(),
            additional,
            builder.ToImmutable(),
            finder.ApiName(handOff.Api),
            variable.Symbol.Name,
            phrase,
            text,
            consequence));
    }

    /// <summary>The captured locals and parameters the delegate reads (also through nested lambdas), or null when none.</summary>
    private static Dictionary<ISymbol, Captured>? CapturedReads(IAnonymousFunctionOperation function, CancellationToken cancellationToken)
    {
        Dictionary<ISymbol, Captured>? result = null;
        var span = function.Syntax.Span;
        foreach (var operation in function.Body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            ISymbol? symbol = operation switch
            {
                ILocalReferenceOperation { Local: { IsConst: false, IsRef: false } local } => local,
                IParameterReferenceOperation { Parameter: { RefKind: RefKind.None } parameter } => parameter,
                _ => null,
            };
            if (symbol is null || symbol.DeclaringSyntaxReferences.Length == 0 || span.Contains(symbol.DeclaringSyntaxReferences[0].Span)
                || symbol.DeclaringSyntaxReferences[0].SyntaxTree != function.Syntax.SyntaxTree)
            {
                continue;
            }

            var (reads, writes) = Use(operation);
            result ??= new Dictionary<ISymbol, Captured>(SymbolEqualityComparer.Default);
            if (!result.TryGetValue(symbol, out var captured))
            {
                if (!reads)
                {
                    // Only written so far: remember the write, wait for a read.
                    result[symbol] = captured = new Captured(symbol, null) { WrittenByDelegate = writes };
                    continue;
                }

                result[symbol] = captured = new Captured(symbol, operation);
            }

            captured.WrittenByDelegate |= writes;
            if (reads)
            {
                if (captured.FirstRead is null || operation.Syntax.SpanStart < captured.FirstRead.Syntax.SpanStart)
                {
                    captured.FirstRead = operation;
                }

                captured.ReadInLoop |= IsInLoopWithin(operation.Syntax, function.Syntax);
            }
        }

        if (result is not null)
        {
            var unread = new List<ISymbol>();
            foreach (var pair in result)
            {
                if (pair.Value.FirstRead is null)
                {
                    unread.Add(pair.Key);
                }
            }

            foreach (var symbol in unread)
            {
                result.Remove(symbol);
            }
        }

        return result is { Count: > 0 } ? result : null;
    }

    /// <summary>Whether a reference reads the variable, and whether it writes it.</summary>
    private static (bool Reads, bool Writes) Use(IOperation reference)
    {
        switch (reference.Parent)
        {
            case ISimpleAssignmentOperation assignment when assignment.Target == reference:
                return (false, true);
            case ICompoundAssignmentOperation compound when compound.Target == reference:
                return (true, true);
            case ICoalesceAssignmentOperation coalesce when coalesce.Target == reference:
                return (true, true);
            case IIncrementOrDecrementOperation:
                return (true, true);
            case IArgumentOperation { Parameter.RefKind: RefKind.Out }:
                return (false, true);
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref, Parent: IInvocationOperation call }:
                return (true, !(call.TargetMethod.Name == "Read" && KnownTypes.Instance.Volatile.Matches(call.TargetMethod.ContainingType)));
            case ITupleOperation { Parent: IDeconstructionAssignmentOperation deconstruction } tuple when deconstruction.Target == tuple:
                return (false, true);
            default:
                return (true, false);
        }
    }

    /// <summary>The writes of every local and parameter in <paramref name="body"/>, outside every lambda and local function.</summary>
    private static Dictionary<ISymbol, List<(IOperation At, WriteKind Kind)>> IndexWrites(IOperation body, KnownTypes types, CancellationToken cancellationToken)
    {
        var index = new Dictionary<ISymbol, List<(IOperation At, WriteKind Kind)>>(SymbolEqualityComparer.Default);
        var pending = new Stack<IOperation>();
        pending.Push(body);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var operation = pending.Pop();
            if (operation != body && operation is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                continue;
            }

            ISymbol? symbol = operation switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            if (symbol is not null && WriteOf(operation, types) is { } write)
            {
                if (!index.TryGetValue(symbol, out var list))
                {
                    index[symbol] = list = new List<(IOperation At, WriteKind Kind)>();
                }

                list.Add(write);
            }

            foreach (var child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }

        foreach (var list in index.Values)
        {
            list.Sort((a, b) => a.At.Syntax.SpanStart.CompareTo(b.At.Syntax.SpanStart));
        }

        return index;
    }

    /// <summary>The write a reference takes part in: an assignment, an increment, a <c>ref</c>/<c>out</c> argument, a change of a collection's content.</summary>
    private static (IOperation At, WriteKind Kind)? WriteOf(IOperation reference, KnownTypes types)
    {
        switch (reference.Parent)
        {
            case ISimpleAssignmentOperation assignment when assignment.Target == reference:
            case ICompoundAssignmentOperation compound when compound.Target == reference:
            case ICoalesceAssignmentOperation coalesce when coalesce.Target == reference:
            case IIncrementOrDecrementOperation:
                return (reference.Parent, WriteKind.Plain);
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out, Parent: IInvocationOperation call }:
                var type = call.TargetMethod.ContainingType;
                if (types.Volatile.Matches(type))
                {
                    return call.TargetMethod.Name == "Read" ? null : (call, WriteKind.Atomic);
                }

                return (call, types.Interlocked.Matches(type) ? WriteKind.Atomic : WriteKind.Plain);
            case ITupleOperation tuple:
                IOperation current = tuple;
                while (current.Parent is ITupleOperation)
                {
                    current = current.Parent;
                }

                return current.Parent is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target == current
                    ? (deconstruction, WriteKind.Plain)
                    : null;
        }

        if (!types.IsNonThreadSafeCollection(reference.Type))
        {
            return null;
        }

        var value = reference;
        while (value.Parent is IConversionOperation)
        {
            value = value.Parent;
        }

        switch (value.Parent)
        {
            case IInvocationOperation call when call.Instance == value && MutatingMembers.Contains(call.TargetMethod.Name):
                return (call, WriteKind.Collection);
            case IPropertyReferenceOperation property when property.Instance == value:
                return property.Parent switch
                {
                    ISimpleAssignmentOperation assignment when assignment.Target == property => (assignment, WriteKind.Collection),
                    ICompoundAssignmentOperation compound when compound.Target == property => (compound, WriteKind.Collection),
                    IIncrementOrDecrementOperation increment => (increment, WriteKind.Collection),
                    _ => null,
                };
            default:
                return null;
        }
    }

    /// <summary>
    /// The writes (sorted by position) that could run after the hand-off, in the order they are tried: later in the
    /// text first, then the ones a loop around the hand-off brings back round (a <c>for</c> incrementor first). Atomic
    /// writes are left out. Found by binary search, so a member with thousands of writes of one variable stays cheap.
    /// </summary>
    private static IEnumerable<(IOperation At, WriteKind Kind)> Candidates(List<(IOperation At, WriteKind Kind)> writes, SyntaxNode point, int loopStart, SyntaxNode scope)
    {
        int end = point.Span.End;
        int first = FirstAtOrAfter(writes, end);
        for (int i = first; i < writes.Count; i++)
        {
            if (writes[i].Kind != WriteKind.Atomic)
            {
                yield return writes[i];
            }
        }

        if (loopStart < 0)
        {
            yield break;
        }

        List<(IOperation At, WriteKind Kind)>? incrementors = null;
        List<(IOperation At, WriteKind Kind)>? others = null;
        for (int i = FirstAtOrAfter(writes, loopStart); i < first; i++)
        {
            var write = writes[i];
            if (write.Kind == WriteKind.Atomic || write.At.Syntax.Span.End > end && write.At.Syntax.SpanStart < end || !MayFollow(point, write.At.Syntax, scope))
            {
                continue;
            }

            if (IsForIncrementor(write.At.Syntax))
            {
                (incrementors ??= new List<(IOperation At, WriteKind Kind)>()).Add(write);
            }
            else
            {
                (others ??= new List<(IOperation At, WriteKind Kind)>()).Add(write);
            }
        }

        foreach (var write in (IEnumerable<(IOperation At, WriteKind Kind)>?)incrementors ?? System.Array.Empty<(IOperation At, WriteKind Kind)>())
        {
            yield return write;
        }

        foreach (var write in (IEnumerable<(IOperation At, WriteKind Kind)>?)others ?? System.Array.Empty<(IOperation At, WriteKind Kind)>())
        {
            yield return write;
        }
    }

    private static int FirstAtOrAfter(List<(IOperation At, WriteKind Kind)> writes, int position)
    {
        int low = 0, high = writes.Count;
        while (low < high)
        {
            int middle = (low + high) / 2;
            if (writes[middle].At.Syntax.SpanStart < position)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>Where the outermost loop around the hand-off starts (inside its function), or -1.</summary>
    private static int OutermostLoopStart(SyntaxNode point, SyntaxNode scope)
    {
        int start = -1;
        for (var node = point.Parent; node is not null && node != scope; node = node.Parent)
        {
            if (node is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax)
            {
                start = node.SpanStart;
            }

            if (node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax)
            {
                break;
            }
        }

        return start;
    }

    /// <summary>Whether a write could run after the hand-off at all: later in the text, or in a loop that also holds the hand-off.</summary>
    private static bool MayFollow(SyntaxNode point, SyntaxNode write, SyntaxNode scope)
    {
        if (write.SpanStart >= point.Span.End)
        {
            return true;
        }

        for (var node = point.Parent; node is not null && node != scope; node = node.Parent)
        {
            if (node is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
                && node.Span.Contains(write.Span))
            {
                return true;
            }

            if (node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax)
            {
                break;
            }
        }

        return false;
    }

    private static bool IsForIncrementor(SyntaxNode write)
    {
        for (var node = write; node.Parent is { } parent; node = parent)
        {
            if (parent is ForStatementSyntax forStatement)
            {
                return node is ExpressionSyntax expression && forStatement.Incrementors.Contains(expression);
            }

            if (parent is StatementSyntax)
            {
                return false;
            }
        }

        return false;
    }

    private static bool IsInLoopWithin(SyntaxNode node, SyntaxNode function)
    {
        for (var current = node.Parent; current is not null && current != function; current = current.Parent)
        {
            if (current is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The statement before which a copy of the variable can be declared, so that the delegate reads the copy: the
    /// statement that holds the hand-off (not across a lambda), in a block, a switch section, top-level code, or as the
    /// body of an <c>if</c>/loop (it then becomes a block). Null when the copy would not be the value at the hand-off:
    /// the statement itself writes the variable, or the variable is not in scope before it.
    /// </summary>
    private static StatementSyntax? CopyTarget(HandOff handOff, Captured variable)
    {
        StatementSyntax? statement = null;
        for (var node = handOff.Operation.Syntax.Parent; node is not null; node = node.Parent)
        {
            if (node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax)
            {
                return null;
            }

            if (node is StatementSyntax found)
            {
                statement = found;
                break;
            }
        }

        if (statement is null || statement is LabeledStatementSyntax || statement is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 })
        {
            return null;
        }

        bool placeable = statement.Parent switch
        {
            BlockSyntax or SwitchSectionSyntax or GlobalStatementSyntax or ElseClauseSyntax => true,
            IfStatementSyntax ifStatement => ifStatement.Statement == statement,
            ForStatementSyntax forStatement => forStatement.Statement == statement,
            CommonForEachStatementSyntax forEach => forEach.Statement == statement,
            WhileStatementSyntax whileStatement => whileStatement.Statement == statement,
            DoStatementSyntax doStatement => doStatement.Statement == statement,
            UsingStatementSyntax usingStatement => usingStatement.Statement == statement,
            LockStatementSyntax lockStatement => lockStatement.Statement == statement,
            _ => false,
        };
        if (!placeable || statement.Span.Contains(variable.Symbol.DeclaringSyntaxReferences[0].Span))
        {
            return null;
        }

        // A write inside the statement (outside the delegate): the writes are sorted, so a binary search finds it.
        var span = statement.Span;
        int next = FirstAtOrAfter(variable.Writes, span.Start);
        if (next < variable.Writes.Count && variable.Writes[next].At.Syntax.SpanStart < span.End)
        {
            return null;
        }

        // The variable is declared outside the statement, and the delegate inside it can see it: so its scope holds the
        // whole statement (in code that compiles, the declaration comes first). No LookupSymbols: in a member with
        // thousands of hand-offs it cost more than the rest of the rule.
        return variable.Symbol.DeclaringSyntaxReferences[0].Span.End <= statement.SpanStart ? statement : null;
    }

    /// <summary>
    /// What the Volatile fix rewrites, when it can rewrite every write: each write of the variable in the member (also
    /// in other lambdas) is <c>flag = value;</c> as a statement, or already atomic; and every plain read of it in a
    /// lambda or local function (the handed-off delegate and any other worker). Null otherwise.
    /// </summary>
    private static List<Location>? VolatileWrites(Captured variable, IOperation from, HandOff handOff, CancellationToken cancellationToken)
    {
        IOperation root = from;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        var locations = new List<Location>();
        foreach (var operation in root.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            ISymbol? symbol = operation switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            if (symbol is null || !SymbolEqualityComparer.Default.Equals(symbol, variable.Symbol))
            {
                continue;
            }

            switch (operation.Parent)
            {
                case var _ when IsInsideFunction(operation, root) && Use(operation) == (true, false) && operation.Parent is not IArgumentOperation:
                    // A plain read in a lambda or local function (this delegate, another worker polling the same flag):
                    // read with Volatile.Read too, or a worker the fix did not touch could still miss the change.
                    locations.Add(operation.Syntax.GetLocation());
                    break;
                case ISimpleAssignmentOperation assignment when assignment.Target == operation:
                    if (assignment.Syntax.Parent is not ExpressionStatementSyntax)
                    {
                        return null;
                    }

                    locations.Add(assignment.Syntax.GetLocation());
                    break;
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref, Parent: IInvocationOperation call }
                    when KnownTypes.Instance.Volatile.Matches(call.TargetMethod.ContainingType) || KnownTypes.Instance.Interlocked.Matches(call.TargetMethod.ContainingType):
                    break;
                case ICompoundAssignmentOperation or ICoalesceAssignmentOperation or IIncrementOrDecrementOperation or IArgumentOperation { Parameter.RefKind: not RefKind.None }:
                    return null;
                case ITupleOperation:
                    return null;
            }
        }

        return locations.Count > 0 ? locations : null;
    }

    private static bool IsInsideFunction(IOperation operation, IOperation root)
    {
        for (var current = operation.Parent; current is not null && current != root; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return true;
            }
        }

        return false;
    }
}
