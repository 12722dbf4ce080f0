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
    // Four calls up: a base class's lock around a virtual call, the override, and two private helpers below it.
    private const int MaxCallerDepth = 4;

    /// <summary>
    /// The locks every caller holds around the call of the method that contains <paramref name="node"/> ("the caller
    /// must hold the lock" helpers), up to four calls up. Constructors do not count as callers (they run before the
    /// object is shared); a call inside a lambda, or a caller that is not visible, makes the set empty. An instance
    /// lock counts only when the call is on the caller's own object. Cached per method and depth, so the answer does
    /// not depend on which access asked first (a deeper query sees fewer callers' callers).
    /// </summary>
    private List<HeldLock> CallerLocks(SyntaxNode node, SyntaxNode member, int depth, CancellationToken cancellationToken)
    {
        var empty = new List<HeldLock>();
        if (depth > MaxCallerDepth || _callSites.MethodAt(node, member, cancellationToken) is not { } method)
        {
            return empty;
        }

        var key = (method, depth);
        if (_callerLocks.TryGetValue(key, out var cached))
        {
            return cached;
        }

        // A recursive call ends at the depth limit.
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
        _callerLocks[key] = result;
        return result;
    }

    private static bool IsStaticLock(HeldLock held)
        => held.Kind == LockKind.TypeOf || held.Kind == LockKind.Member && held.Symbol is { IsStatic: true };

    private sealed class MethodAtDepthComparer : IEqualityComparer<(IMethodSymbol Method, int Depth)>
    {
        public static readonly MethodAtDepthComparer Instance = new();

        public bool Equals((IMethodSymbol Method, int Depth) x, (IMethodSymbol Method, int Depth) y)
            => x.Depth == y.Depth && SymbolEqualityComparer.Default.Equals(x.Method, y.Method);

        public int GetHashCode((IMethodSymbol Method, int Depth) obj)
            => SymbolEqualityComparer.Default.GetHashCode(obj.Method) * 31 + obj.Depth;
    }
}
