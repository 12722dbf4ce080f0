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
