using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>Locks every caller holds when a private (or assembly-only) member runs ("caller must lock").</summary>
internal sealed partial class ConflictFinder
{
    private const int MaxCallerDepth = 2;

    /// <summary>
    /// The locks every caller holds around the call of the method that contains <paramref name="node"/> ("the caller
    /// must hold the lock" helpers), up to two calls up. Constructors do not count as callers (they run before the
    /// object is shared); a call inside a lambda, or a caller that is not visible, makes the set empty. An instance
    /// lock counts only when the call is on the caller's own object.
    /// </summary>
    private List<HeldLock> CallerLocks(SyntaxNode node, SyntaxNode member, int depth, CancellationToken cancellationToken)
    {
        var empty = new List<HeldLock>();
        if (depth > MaxCallerDepth || _callSites.MethodAt(node, member, cancellationToken) is not { } method)
        {
            return empty;
        }

        if (_callerLocks.TryGetValue(method, out var cached))
        {
            return cached;
        }

        // Seed the cache: a recursive call finds no lock rather than recursing forever.
        _callerLocks.TryAdd(method, empty);
        List<HeldLock>? common = null;
        var sites = _callSites.Of(method, cancellationToken);
        if (sites is not null)
        {
            foreach (var site in sites)
            {
                if (site.Member is ConstructorDeclarationSyntax && !method.IsStatic)
                {
                    continue;
                }

                if (site.InFunction)
                {
                    common = null;
                    break;
                }

                var held = LockRegions.GetHeldLocks(site.Operation, null, Types, _analysis.LockHelpers);
                foreach (var outer in CallerLocks(site.Operation.Syntax, site.Member, depth + 1, cancellationToken))
                {
                    held.Add(outer);
                }

                if (!site.ThroughThis)
                {
                    held.RemoveAll(l => !IsStaticLock(l));
                }

                if (common is null)
                {
                    common = held;
                }
                else
                {
                    common.RemoveAll(l => !held.Exists(h => h.SameAs(l) && h.Kind != LockKind.Unknown));
                }

                if (common.Count == 0)
                {
                    break;
                }
            }
        }

        var result = common ?? empty;
        result.RemoveAll(l => l.Kind == LockKind.Unknown || l.Kind == LockKind.Variable);
        _callerLocks[method] = result;
        return result;
    }

    private static bool IsStaticLock(HeldLock held)
        => held.Kind == LockKind.TypeOf || held.Kind == LockKind.Member && held.Symbol is { IsStatic: true };
}
