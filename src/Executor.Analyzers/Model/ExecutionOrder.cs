using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// Order inside one member, from Roslyn's <see cref="ControlFlowGraph"/>: can the code at one place run after a
/// registration without passing a join first? A <c>for</c> variable's <c>i++</c> runs after a callback registered in
/// the loop body although it comes earlier in the text; a write before the registration is published by it; and a
/// variable declared inside a loop body is a new variable in each iteration.
/// </summary>
internal static class ExecutionOrder
{
    /// <summary>
    /// Whether <paramref name="access"/> can run after <paramref name="registration"/> with no join in between; null
    /// when the graph cannot answer (the caller falls back to text order).
    /// </summary>
    public static bool? RunsAfter(ControlFlowGraph graph, SyntaxNode registration, SyntaxNode access, ISymbol? variable, Func<IOperation, bool> isJoin, CancellationToken cancellationToken)
    {
        if (!TryFind(graph, registration, last: true, out var startBlock, out int startIndex)
            || !TryFind(graph, access, last: false, out _, out _))
        {
            return null;
        }

        ControlFlowRegion? lifetime = variable is ILocalSymbol local ? RegionDeclaring(graph.Blocks[startBlock].EnclosingRegion, local) : null;
        var visited = new HashSet<int>();
        var pending = new Stack<(int Block, int Index)>();
        pending.Push((startBlock, startIndex + 1));
        bool first = true;
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (ordinal, index) = pending.Pop();
            if (!first && !visited.Add(ordinal))
            {
                continue;
            }

            first = false;
            var block = graph.Blocks[ordinal];
            switch (Scan(block, index, access, isJoin))
            {
                case ScanResult.Found:
                    return true;
                case ScanResult.Joined:
                    continue;
            }

            foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
            {
                if (branch is null)
                {
                    continue;
                }

                bool joined = false;
                foreach (var region in branch.FinallyRegions)
                {
                    for (int i = region.FirstBlockOrdinal; i <= region.LastBlockOrdinal; i++)
                    {
                        var result = Scan(graph.Blocks[i], 0, access, isJoin);
                        if (result == ScanResult.Found)
                        {
                            return true;
                        }

                        joined |= result == ScanResult.Joined;
                    }
                }

                if (joined || branch.Destination is not { } destination)
                {
                    continue;
                }

                if (lifetime is not null && !IsInside(destination.EnclosingRegion, lifetime))
                {
                    // Leaving the variable's scope: a later entry declares a new variable.
                    continue;
                }

                pending.Push((destination.Ordinal, 0));
            }
        }

        return false;
    }

    /// <summary>
    /// Everything that can run after one registration without passing a join, computed once and queried for many
    /// accesses: the blocks entered from their start (up to their first join), and the rest of the registration's own
    /// block. Asking <see cref="RunsAfter(ControlFlowGraph, SyntaxNode, SyntaxNode, ISymbol?, Func{IOperation, bool}, CancellationToken)"/>
    /// once per access walked the graph (and tested every operation for a join) again for each of them: quadratic in a
    /// member with thousands of callbacks.
    /// </summary>
    public sealed class Reach
    {
        private readonly ControlFlowGraph _graph;
        private readonly bool[] _entered;
        private readonly int[] _cut;
        private readonly int _startBlock;
        private readonly int _startIndex;
        private readonly int _startCut;

        internal Reach(ControlFlowGraph graph, bool[] entered, int[] cut, int startBlock, int startIndex, int startCut)
        {
            _graph = graph;
            _entered = entered;
            _cut = cut;
            _startBlock = startBlock;
            _startIndex = startIndex;
            _startCut = startCut;
        }

        /// <summary>Whether the member can return after the registration without passing a join.</summary>
        public bool ReachesExit => _entered[_graph.Blocks.Length - 1];

        /// <summary>Whether <paramref name="access"/> can run after the registration; null when the graph does not hold it.</summary>
        public bool? RunsAfter(SyntaxNode access)
        {
            bool found = false;
            var index = IndexOf(_graph);
            for (var node = access; node is not null; node = node.Parent)
            {
                if (!index.TryGetValue(node, out var positions))
                {
                    continue;
                }

                foreach (var (ordinal, i) in positions)
                {
                    var block = _graph.Blocks[ordinal];
                    var operation = i < block.Operations.Length ? block.Operations[i] : block.BranchValue!;
                    found = true;
                    if ((_entered[ordinal] && i < _cut[ordinal] || ordinal == _startBlock && i > _startIndex && i < _startCut)
                        && Contains(operation, access))
                    {
                        return true;
                    }
                }

                if (node is Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax)
                {
                    break;
                }
            }

            return found ? false : null;
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ControlFlowGraph, Dictionary<SyntaxNode, List<(int Block, int Index)>>> s_indexes = new();

    /// <summary>Where each top-level operation of a graph is, by its syntax: found from an access by walking up its ancestors.</summary>
    private static Dictionary<SyntaxNode, List<(int Block, int Index)>> IndexOf(ControlFlowGraph graph)
        => s_indexes.GetValue(graph, g =>
        {
            var index = new Dictionary<SyntaxNode, List<(int Block, int Index)>>();
            foreach (var block in g.Blocks)
            {
                int count = block.Operations.Length + (block.BranchValue is null ? 0 : 1);
                for (int i = 0; i < count; i++)
                {
                    var operation = i < block.Operations.Length ? block.Operations[i] : block.BranchValue!;
                    if (IsWholeMember(operation))
                    {
                        continue;
                    }

                    if (!index.TryGetValue(operation.Syntax, out var list))
                    {
                        index[operation.Syntax] = list = new List<(int Block, int Index)>();
                    }

                    list.Add((block.Ordinal, i));
                }
            }

            return index;
        });

    /// <summary>The indices of the joins of each block, in order: once per graph.</summary>
    public static List<int>[] JoinCuts(ControlFlowGraph graph, Func<IOperation, bool> isJoin)
    {
        var joins = new List<int>[graph.Blocks.Length];
        for (int b = 0; b < graph.Blocks.Length; b++)
        {
            var block = graph.Blocks[b];
            int count = block.Operations.Length + (block.BranchValue is null ? 0 : 1);
            joins[b] = new List<int>();
            for (int i = 0; i < count; i++)
            {
                if (isJoin(i < block.Operations.Length ? block.Operations[i] : block.BranchValue!))
                {
                    joins[b].Add(i);
                }
            }
        }

        return joins;
    }

    /// <summary>The first join at or after <paramref name="from"/> in a block, or the block's length.</summary>
    private static int FirstJoinFrom(List<int> joins, int from, int count)
    {
        int index = joins.BinarySearch(from);
        if (index < 0)
        {
            index = ~index;
        }

        return index < joins.Count ? joins[index] : count;
    }

    public static Reach? Prepare(ControlFlowGraph graph, List<int>[] joins, SyntaxNode registration, ISymbol? variable, CancellationToken cancellationToken)
    {
        if (!TryFindIndexed(graph, registration, out var startBlock, out int startIndex))
        {
            return null;
        }

        return PrepareFrom(graph, joins, startBlock, startIndex, variable, cancellationToken);
    }

    /// <summary>Everything that can run from the member's entry without passing a join: what a join orders is not reached.</summary>
    public static Reach PrepareFromEntry(ControlFlowGraph graph, List<int>[] joins, CancellationToken cancellationToken)
        => PrepareFrom(graph, joins, startBlock: 0, startIndex: -1, variable: null, cancellationToken);

    private static Reach PrepareFrom(ControlFlowGraph graph, List<int>[] joins, int startBlock, int startIndex, ISymbol? variable, CancellationToken cancellationToken)
    {

        var cut = new int[graph.Blocks.Length];
        for (int b = 0; b < cut.Length; b++)
        {
            cut[b] = FirstJoinFrom(joins[b], 0, graph.Blocks[b].Operations.Length + (graph.Blocks[b].BranchValue is null ? 0 : 1));
        }

        int startCut = FirstJoinFrom(joins[startBlock], startIndex + 1, graph.Blocks[startBlock].Operations.Length + (graph.Blocks[startBlock].BranchValue is null ? 0 : 1));
        var entered = new bool[graph.Blocks.Length];
        ControlFlowRegion? lifetime = variable is ILocalSymbol local ? RegionDeclaring(graph.Blocks[startBlock].EnclosingRegion, local) : null;
        var pending = new Stack<BasicBlock>();
        int startCount = graph.Blocks[startBlock].Operations.Length + (graph.Blocks[startBlock].BranchValue is null ? 0 : 1);
        if (startCut >= startCount)
        {
            pending.Push(graph.Blocks[startBlock]);
        }

        bool first = true;
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = pending.Pop();
            if (!first)
            {
                if (entered[block.Ordinal])
                {
                    continue;
                }

                entered[block.Ordinal] = true;
                int count = block.Operations.Length + (block.BranchValue is null ? 0 : 1);
                if (cut[block.Ordinal] < count)
                {
                    // A join in this block: nothing after it, nor past it, runs after the registration unjoined.
                    continue;
                }
            }

            first = false;
            foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
            {
                if (branch is null)
                {
                    continue;
                }

                bool joined = false;
                foreach (var region in branch.FinallyRegions)
                {
                    for (int i = region.FirstBlockOrdinal; i <= region.LastBlockOrdinal; i++)
                    {
                        entered[i] = true;
                        int count = graph.Blocks[i].Operations.Length + (graph.Blocks[i].BranchValue is null ? 0 : 1);
                        joined |= cut[i] < count;
                    }
                }

                if (joined || branch.Destination is not { } destination)
                {
                    continue;
                }

                if (lifetime is not null && !IsInside(destination.EnclosingRegion, lifetime))
                {
                    continue;
                }

                pending.Push(destination);
            }
        }

        return new Reach(graph, entered, cut, startBlock, startIndex, startCut);
    }

    /// <summary>
    /// Whether <paramref name="access"/> can run after <paramref name="registration"/> with no join in between (the
    /// joins of <see cref="JoinCuts"/>), searching only until it is found. For one access per registration this is
    /// cheaper than <see cref="Prepare"/>, which marks everything the registration reaches: in a member with thousands
    /// of registrations, that was quadratic. Null when the graph holds neither.
    /// </summary>
    public static bool? Reaches(ControlFlowGraph graph, List<int>[] joins, SyntaxNode registration, SyntaxNode access, ISymbol? variable, CancellationToken cancellationToken)
    {
        if (!TryLocate(graph, registration, out int startBlock, out int startIndex))
        {
            return null;
        }

        var targets = new Dictionary<int, int>();
        var index = IndexOf(graph);
        for (var node = access; node is not null; node = node.Parent)
        {
            if (index.TryGetValue(node, out var positions))
            {
                foreach (var (ordinal, i) in positions)
                {
                    var block = graph.Blocks[ordinal];
                    var operation = i < block.Operations.Length ? block.Operations[i] : block.BranchValue!;
                    if (Contains(operation, access))
                    {
                        // The earliest position in each block: reached when the block is entered before its first join.
                        targets[ordinal] = targets.TryGetValue(ordinal, out int known) ? Math.Min(known, i) : i;
                    }
                }
            }

            if (node is Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax)
            {
                break;
            }
        }

        if (targets.Count == 0)
        {
            return null;
        }

        int CountOf(BasicBlock block) => block.Operations.Length + (block.BranchValue is null ? 0 : 1);
        int CutOf(int ordinal) => joins[ordinal].Count > 0 ? joins[ordinal][0] : CountOf(graph.Blocks[ordinal]);

        var startOfBlock = graph.Blocks[startBlock];
        int startCut = FirstJoinFrom(joins[startBlock], startIndex + 1, CountOf(startOfBlock));
        if (LaterInStartBlock(graph, startBlock, startIndex, startCut, access))
        {
            return true;
        }

        if (startCut < CountOf(startOfBlock))
        {
            return false;
        }

        ControlFlowRegion? lifetime = variable is ILocalSymbol local ? RegionDeclaring(startOfBlock.EnclosingRegion, local) : null;
        var entered = new HashSet<int>();
        var pending = new Stack<BasicBlock>();
        pending.Push(startOfBlock);
        bool first = true;
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = pending.Pop();
            if (!first)
            {
                if (!entered.Add(block.Ordinal))
                {
                    continue;
                }

                int cut = CutOf(block.Ordinal);
                if (targets.TryGetValue(block.Ordinal, out int at) && at < cut)
                {
                    return true;
                }

                if (cut < CountOf(block))
                {
                    continue;
                }
            }

            first = false;
            foreach (var branch in new[] { block.FallThroughSuccessor, block.ConditionalSuccessor })
            {
                if (branch is null)
                {
                    continue;
                }

                bool joined = false;
                foreach (var region in branch.FinallyRegions)
                {
                    for (int i = region.FirstBlockOrdinal; i <= region.LastBlockOrdinal; i++)
                    {
                        int cut = CutOf(i);
                        if (targets.TryGetValue(i, out int at) && at < cut)
                        {
                            return true;
                        }

                        joined |= cut < CountOf(graph.Blocks[i]);
                    }
                }

                if (joined || branch.Destination is not { } destination)
                {
                    continue;
                }

                if (lifetime is not null && !IsInside(destination.EnclosingRegion, lifetime))
                {
                    continue;
                }

                pending.Push(destination);
            }
        }

        return false;
    }

    /// <summary>Whether the access is in the registration's own block, after it and before the block's next join.</summary>
    private static bool LaterInStartBlock(ControlFlowGraph graph, int startBlock, int startIndex, int startCut, SyntaxNode access)
    {
        var block = graph.Blocks[startBlock];
        for (int i = startIndex + 1; i < startCut; i++)
        {
            var operation = i < block.Operations.Length ? block.Operations[i] : block.BranchValue!;
            if (operation.Syntax.SyntaxTree == access.SyntaxTree && operation.Syntax.Span.Contains(access.Span) && !IsWholeMember(operation) && Contains(operation, access))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The last top-level operation holding <paramref name="syntax"/>, found through the graph's syntax index (walking
    /// up from the node) instead of scanning every operation; the scan when the index has none.
    /// </summary>
    private static bool TryLocate(ControlFlowGraph graph, SyntaxNode syntax, out int block, out int index)
    {
        var positions = IndexOf(graph);
        for (var node = syntax; node is not null; node = node.Parent)
        {
            if (positions.TryGetValue(node, out var found) && found.Count > 0)
            {
                block = -1;
                index = -1;
                foreach (var (b, i) in found)
                {
                    if (b > block || b == block && i > index)
                    {
                        block = b;
                        index = i;
                    }
                }

                return true;
            }

            if (node is Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax)
            {
                break;
            }
        }

        return TryFind(graph, syntax, last: true, out block, out index);
    }

    private enum ScanResult
    {
        None,
        Found,
        Joined,
    }

    private static ScanResult Scan(BasicBlock block, int from, SyntaxNode access, Func<IOperation, bool> isJoin)
    {
        int count = block.Operations.Length + (block.BranchValue is null ? 0 : 1);
        for (int i = from; i < count; i++)
        {
            var operation = i < block.Operations.Length ? block.Operations[i] : block.BranchValue!;
            if (operation.Syntax.Span.Contains(access.Span) && operation.Syntax.SyntaxTree == access.SyntaxTree && !IsWholeMember(operation) && Contains(operation, access))
            {
                return ScanResult.Found;
            }

            if (isJoin(operation))
            {
                return ScanResult.Joined;
            }
        }

        return ScanResult.None;
    }

    private static bool Contains(IOperation operation, SyntaxNode syntax)
    {
        foreach (var descendant in operation.DescendantsAndSelf())
        {
            if (descendant.Syntax == syntax || descendant.Syntax.Span.Contains(syntax.Span) && descendant.Syntax.Span.Length == syntax.Span.Length)
            {
                return true;
            }
        }

        // A lambda in the flow graph is a leaf: an access inside it is where the lambda is created.
        return operation.Syntax.Span.Contains(syntax.Span);
    }

    /// <summary>
    /// The same answer as <see cref="TryFind"/> with <c>last: true</c> (the first block holding <paramref name="syntax"/>,
    /// and the last top-level operation in it that holds it), found through the graph's syntax index instead of a scan
    /// of every operation: <see cref="Prepare"/> runs once per registration, and in a member with a thousand
    /// registrations the scans were quadratic. An operation whose span holds a non-empty span is an ancestor of its
    /// node, or a descendant with the same span (a sibling's span is disjoint), so both chains are looked up. An empty
    /// span (a missing node in broken code) can lie inside a sibling: then the scan.
    /// </summary>
    private static bool TryFindIndexed(ControlFlowGraph graph, SyntaxNode syntax, out int block, out int index)
    {
        if (syntax.Span.IsEmpty)
        {
            return TryFind(graph, syntax, last: true, out block, out index);
        }

        block = -1;
        index = -1;
        var positions = IndexOf(graph);
        for (var node = syntax; node is not null; node = node.Parent)
        {
            Consider(positions, node, ref block, ref index);
        }

        for (var node = syntax; SameSpanChild(node, syntax.Span) is { } child; node = child)
        {
            Consider(positions, child, ref block, ref index);
        }

        return block >= 0;

        static void Consider(Dictionary<SyntaxNode, List<(int Block, int Index)>> positions, SyntaxNode node, ref int block, ref int index)
        {
            if (!positions.TryGetValue(node, out var found))
            {
                return;
            }

            foreach (var (b, i) in found)
            {
                if (block < 0 || b < block || b == block && i > index)
                {
                    block = b;
                    index = i;
                }
            }
        }

        static SyntaxNode? SameSpanChild(SyntaxNode node, Microsoft.CodeAnalysis.Text.TextSpan span)
        {
            foreach (var child in node.ChildNodes())
            {
                if (child.Span == span)
                {
                    return child;
                }
            }

            return null;
        }
    }

    private static bool TryFind(ControlFlowGraph graph, SyntaxNode syntax, bool last, out int block, out int index)
    {
        block = -1;
        index = -1;
        foreach (var candidate in graph.Blocks)
        {
            int count = candidate.Operations.Length + (candidate.BranchValue is null ? 0 : 1);
            for (int i = 0; i < count; i++)
            {
                var operation = i < candidate.Operations.Length ? candidate.Operations[i] : candidate.BranchValue!;
                if (operation.Syntax.SyntaxTree == syntax.SyntaxTree && operation.Syntax.Span.Contains(syntax.Span) && !IsWholeMember(operation))
                {
                    block = candidate.Ordinal;
                    index = i;
                    if (!last)
                    {
                        return true;
                    }
                }
            }

            if (last && block >= 0)
            {
                return true;
            }
        }

        return block >= 0;
    }

    /// <summary>
    /// An implicit operation whose syntax is the whole member, such as a constructor's implicit <c>base()</c> call:
    /// it "contains" every statement of the body by span, but runs before all of them.
    /// </summary>
    private static bool IsWholeMember(IOperation operation)
        => operation.IsImplicit && operation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax;

    private static ControlFlowRegion? RegionDeclaring(ControlFlowRegion? region, ILocalSymbol local)
    {
        for (; region is not null; region = region.EnclosingRegion)
        {
            foreach (var declared in region.Locals)
            {
                if (SymbolEqualityComparer.Default.Equals(declared, local))
                {
                    return region;
                }
            }
        }

        return null;
    }

    private static bool IsInside(ControlFlowRegion? region, ControlFlowRegion scope)
    {
        for (; region is not null; region = region.EnclosingRegion)
        {
            if (region == scope)
            {
                return true;
            }
        }

        return false;
    }
}
