using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>How a captured variable is written in the code that hands the delegate over.</summary>
internal enum CapturedWriteKind : byte
{
    /// <summary>An assignment, an increment, a <c>ref</c>/<c>out</c> argument, a deconstruction.</summary>
    Plain,

    /// <summary>Through <c>Interlocked</c> or <c>Volatile.Write</c>: never a candidate.</summary>
    Atomic,

    /// <summary>A change of the content of a collection that is not thread-safe.</summary>
    Collection,
}

/// <summary>A local or parameter captured by a handed-off delegate that reads it.</summary>
internal sealed class CapturedVariable
{
    public CapturedVariable(ISymbol symbol, IOperation? firstRead)
    {
        Symbol = symbol;
        FirstRead = firstRead;
    }

    public ISymbol Symbol { get; }

    /// <summary>The variable's type (null for a symbol that is neither a local nor a parameter).</summary>
    public ITypeSymbol? Type => Symbol switch
    {
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => null,
    };

    /// <summary>The delegate's first read of it (in text order).</summary>
    public IOperation? FirstRead { get; set; }

    /// <summary>The delegate also writes it.</summary>
    public bool WrittenByDelegate { get; set; }

    /// <summary>The delegate reads it inside a loop (a flag it polls).</summary>
    public bool ReadInLoop { get; set; }

    /// <summary>The variable's writes in the function that hands the delegate over, by position (shared with the index: not modified).</summary>
    public List<(IOperation At, CapturedWriteKind Kind)> Writes { get; set; } = new();
}

/// <summary>A write of a captured variable that may run after the hand-off and before any join.</summary>
internal sealed class CapturedWrite
{
    public CapturedWrite(HandOff handOff, CapturedVariable variable, IOperation write, CapturedWriteKind kind)
    {
        HandOff = handOff;
        Variable = variable;
        Write = write;
        Kind = kind;
    }

    public HandOff HandOff { get; }

    public CapturedVariable Variable { get; }

    /// <summary>The write: the assignment, increment, call or deconstruction.</summary>
    public IOperation Write { get; }

    public CapturedWriteKind Kind { get; }

    /// <summary>The write is in the incrementor of the <c>for</c> loop around the hand-off (<c>i++</c>).</summary>
    public bool InForIncrementor => CapturedVariableWrites.IsForIncrementor(Write.Syntax);

    /// <summary>The write comes before the hand-off in the text: a loop brings it round in the next iteration.</summary>
    public bool BeforeHandOff => Write.Syntax.SpanStart < HandOff.Point.Syntax.SpanStart;
}

/// <summary>
/// Finds the captured variables that the handing-off code writes after a hand-off (<see cref="HandOffFinder"/>), with no
/// join in between, per compilation: the delegate's reads of captured locals and parameters, the writes of those
/// variables in the function around the hand-off (indexed once per function body), cheap text-position candidates
/// first, then the order from the flow graph with the joins cut out (<see cref="ExecutionOrder"/>). Also what the
/// rewrites need: the statement a copy can be declared before, and every write and read a Volatile rewrite must touch.
/// </summary>
internal sealed class CapturedVariableWrites
{
    private static readonly HashSet<string> MutatingMembers = new(System.StringComparer.Ordinal)
    {
        "Add", "AddRange", "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange", "RemoveWhere", "Clear",
        "Enqueue", "Dequeue", "TryDequeue", "EnqueueRange", "Push", "Pop", "TryPop", "Sort", "Reverse", "TryAdd", "TrimExcess",
        "EnsureCapacity", "Append", "AppendLine", "AppendFormat", "AppendJoin", "Replace", "UnionWith", "IntersectWith",
        "ExceptWith", "SymmetricExceptWith", "AddFirst", "AddLast", "AddBefore", "AddAfter", "RemoveFirst", "RemoveLast",
        "SetValue",
    };

    private readonly HandOffFinder _finder;
    private readonly ConcurrentDictionary<SyntaxNode, Dictionary<ISymbol, List<(IOperation At, CapturedWriteKind Kind)>>> _writeIndexes = new();

    public CapturedVariableWrites(CallbackAnalysis callbacks) => _finder = new HandOffFinder(callbacks);

    /// <summary>The API name used in messages.</summary>
    public string ApiName(ISymbol api) => _finder.ApiName(api);

    /// <summary>
    /// For each hand-off made by <paramref name="operation"/> (an invocation, object creation or event assignment), each
    /// captured variable it reads with a write that may run after the hand-off: the first such write. Null when none.
    /// </summary>
    public List<CapturedWrite>? Find(IOperation operation, CancellationToken cancellationToken)
    {
        if (_finder.Find(operation, cancellationToken) is not { } handOffs)
        {
            return null;
        }

        List<CapturedWrite>? found = null;
        foreach (var handOff in handOffs)
        {
            Analyze(handOff, ref found, cancellationToken);
        }

        return found;
    }

    private void Analyze(HandOff handOff, ref List<CapturedWrite>? found, CancellationToken cancellationToken)
    {
        var captured = CapturedReads(handOff.Function, cancellationToken);
        if (captured is null || HandOffFinder.FunctionBodyOf(handOff.Point) is not { } body)
        {
            return;
        }

        // Cheap pass first: the writes of those variables in the code around the hand-off, and whether any could come
        // after it (later in the text, or in a loop around it). Only then the flow graph.
        // The writes of a function body are indexed once, for all the hand-offs in it.
        var index = _writeIndexes.GetOrAdd(body.Syntax, _ => IndexWrites(body, _finder.Types, cancellationToken));
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
        if (!any || _finder.IsJoinedAtOnce(handOff, registration) || _finder.GraphAround(handOff.Point, cancellationToken) is not { } graph)
        {
            return;
        }

        var joins = _finder.JoinCuts(graph, handOff, registration);
        foreach (var variable in captured.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (IOperation At, CapturedWriteKind Kind)? first = null;
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
                    first = write;
                    break;
                }
            }

            if (first is { } ordered)
            {
                (found ??= new List<CapturedWrite>()).Add(new CapturedWrite(handOff, variable, ordered.At, ordered.Kind));
            }
        }
    }

    /// <summary>The captured locals and parameters the delegate reads (also through nested lambdas), or null when none.</summary>
    private static Dictionary<ISymbol, CapturedVariable>? CapturedReads(IAnonymousFunctionOperation function, CancellationToken cancellationToken)
    {
        Dictionary<ISymbol, CapturedVariable>? result = null;
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
            if (symbol is null)
            {
                continue;
            }

            // Asked once: for a parameter, Roslyn finds the declaration from the tree's root on every call.
            var declarations = symbol.DeclaringSyntaxReferences;
            if (declarations.Length == 0 || span.Contains(declarations[0].Span) || declarations[0].SyntaxTree != function.Syntax.SyntaxTree)
            {
                continue;
            }

            var (reads, writes) = Use(operation);
            result ??= new Dictionary<ISymbol, CapturedVariable>(SymbolEqualityComparer.Default);
            if (!result.TryGetValue(symbol, out var captured))
            {
                if (!reads)
                {
                    // Only written so far: remember the write, wait for a read.
                    result[symbol] = captured = new CapturedVariable(symbol, null) { WrittenByDelegate = writes };
                    continue;
                }

                result[symbol] = captured = new CapturedVariable(symbol, operation);
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
    private static Dictionary<ISymbol, List<(IOperation At, CapturedWriteKind Kind)>> IndexWrites(IOperation body, KnownTypes types, CancellationToken cancellationToken)
    {
        var index = new Dictionary<ISymbol, List<(IOperation At, CapturedWriteKind Kind)>>(SymbolEqualityComparer.Default);
        foreach (var operation in OperationWalk.OutsideNestedFunctions(body, cancellationToken))
        {
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
                    index[symbol] = list = new List<(IOperation At, CapturedWriteKind Kind)>();
                }

                list.Add(write);
            }
        }

        foreach (var list in index.Values)
        {
            list.Sort((a, b) => a.At.Syntax.SpanStart.CompareTo(b.At.Syntax.SpanStart));
        }

        return index;
    }

    /// <summary>The write a reference takes part in: an assignment, an increment, a <c>ref</c>/<c>out</c> argument, a change of a collection's content.</summary>
    private static (IOperation At, CapturedWriteKind Kind)? WriteOf(IOperation reference, KnownTypes types)
    {
        switch (reference.Parent)
        {
            case ISimpleAssignmentOperation assignment when assignment.Target == reference:
            case ICompoundAssignmentOperation compound when compound.Target == reference:
            case ICoalesceAssignmentOperation coalesce when coalesce.Target == reference:
            case IIncrementOrDecrementOperation:
                return (reference.Parent, CapturedWriteKind.Plain);
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out, Parent: IInvocationOperation call }:
                var type = call.TargetMethod.ContainingType;
                if (types.Volatile.Matches(type))
                {
                    return call.TargetMethod.Name == "Read" ? null : (call, CapturedWriteKind.Atomic);
                }

                return (call, types.Interlocked.Matches(type) ? CapturedWriteKind.Atomic : CapturedWriteKind.Plain);
            case ITupleOperation tuple:
                IOperation current = tuple;
                while (current.Parent is ITupleOperation)
                {
                    current = current.Parent;
                }

                return current.Parent is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target == current
                    ? (deconstruction, CapturedWriteKind.Plain)
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
                return (call, CapturedWriteKind.Collection);
            case IPropertyReferenceOperation property when property.Instance == value:
                return property.Parent switch
                {
                    ISimpleAssignmentOperation assignment when assignment.Target == property => (assignment, CapturedWriteKind.Collection),
                    ICompoundAssignmentOperation compound when compound.Target == property => (compound, CapturedWriteKind.Collection),
                    IIncrementOrDecrementOperation increment => (increment, CapturedWriteKind.Collection),
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
    private static IEnumerable<(IOperation At, CapturedWriteKind Kind)> Candidates(List<(IOperation At, CapturedWriteKind Kind)> writes, SyntaxNode point, int loopStart, SyntaxNode scope)
    {
        int end = point.Span.End;
        int first = FirstAtOrAfter(writes, end);
        for (int i = first; i < writes.Count; i++)
        {
            if (writes[i].Kind != CapturedWriteKind.Atomic)
            {
                yield return writes[i];
            }
        }

        if (loopStart < 0)
        {
            yield break;
        }

        List<(IOperation At, CapturedWriteKind Kind)>? incrementors = null;
        List<(IOperation At, CapturedWriteKind Kind)>? others = null;
        for (int i = FirstAtOrAfter(writes, loopStart); i < first; i++)
        {
            var write = writes[i];
            if (write.Kind == CapturedWriteKind.Atomic || write.At.Syntax.Span.End > end && write.At.Syntax.SpanStart < end || !MayFollow(point, write.At.Syntax, scope))
            {
                continue;
            }

            if (IsForIncrementor(write.At.Syntax))
            {
                (incrementors ??= new List<(IOperation At, CapturedWriteKind Kind)>()).Add(write);
            }
            else
            {
                (others ??= new List<(IOperation At, CapturedWriteKind Kind)>()).Add(write);
            }
        }

        foreach (var write in (IEnumerable<(IOperation At, CapturedWriteKind Kind)>?)incrementors ?? System.Array.Empty<(IOperation At, CapturedWriteKind Kind)>())
        {
            yield return write;
        }

        foreach (var write in (IEnumerable<(IOperation At, CapturedWriteKind Kind)>?)others ?? System.Array.Empty<(IOperation At, CapturedWriteKind Kind)>())
        {
            yield return write;
        }
    }

    private static int FirstAtOrAfter(List<(IOperation At, CapturedWriteKind Kind)> writes, int position)
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

    internal static bool IsForIncrementor(SyntaxNode write)
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
    public static StatementSyntax? CopyTarget(CapturedWrite write)
    {
        var handOff = write.HandOff;
        var variable = write.Variable;
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
    public static List<Location>? VolatileWrites(CapturedWrite write, CancellationToken cancellationToken)
    {
        var variable = write.Variable;
        IOperation root = write.HandOff.Operation;
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
