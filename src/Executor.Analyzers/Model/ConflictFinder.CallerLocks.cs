using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>Locks every caller holds when a private, protected or assembly-only member runs ("caller must lock").</summary>
internal sealed partial class ConflictFinder
{
    // Six calls up: a base class's lock around a virtual call, the virtual methods it reaches, the override, and private
    // helpers below it (NLog: WriteAsyncThreadSafe -> Write(IList) -> Write(event) -> Write(LogEventInfo) -> helpers).
    private const int MaxCallerDepth = 6;

    /// <summary>
    /// The locks every caller holds around the call of the method that contains <paramref name="node"/> ("the caller
    /// must hold the lock" helpers), up to six calls up. Constructors do not count as callers (they run before the
    /// object is shared); a call inside a lambda, or a caller that is not visible, makes the set empty. An instance
    /// lock counts only when the call is on the caller's own object. Cached per method, depth and receiver type, so the
    /// answer does not depend on which access asked first (a deeper query sees fewer callers' callers).
    /// </summary>
    private List<HeldLock> CallerLocks(SyntaxNode node, SyntaxNode member, int depth, CancellationToken cancellationToken)
        => CallerLocks(node, member, depth, receiver: null, cancellationToken);

    /// <param name="receiver">
    /// The most derived type the object is known to have (the type whose code made the access, or a derived type a call
    /// came from): a call site in a class that is neither its base nor derived from it (a sibling) cannot run on it.
    /// </param>
    private List<HeldLock> CallerLocks(SyntaxNode node, SyntaxNode member, int depth, INamedTypeSymbol? receiver, CancellationToken cancellationToken)
    {
        var empty = new List<HeldLock>();
        if (depth > MaxCallerDepth || _callSites.MethodAt(node, member, cancellationToken) is not { } method)
        {
            return empty;
        }

        if (!method.IsStatic)
        {
            receiver = MoreDerived(receiver, method.ContainingType);
        }

        var key = (method, depth, receiver);
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

                var siteType = site.ThroughThis && !method.IsStatic ? site.Operation.SemanticModel?.GetEnclosingSymbol(site.Operation.Syntax.SpanStart, cancellationToken)?.ContainingType : null;
                if (siteType is not null && receiver is not null && !IsSameOrBase(siteType, receiver) && !IsSameOrBase(receiver, siteType))
                {
                    // A sibling class's call on its own object: it never runs on an object of the receiver's type.
                    continue;
                }

                if (site.InFunction)
                {
                    common = null;
                    break;
                }

                var held = LockRegions.GetHeldLocks(site.Operation, null, Types, _analysis.LockHelpers);
                var outerReceiver = site.ThroughThis && siteType is not null ? MoreDerived(receiver, siteType) : null;
                foreach (var outer in CallerLocks(site.Operation.Syntax, site.Member, depth + 1, outerReceiver, cancellationToken))
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

    private static INamedTypeSymbol? MoreDerived(INamedTypeSymbol? known, INamedTypeSymbol type)
        => known is null || IsSameOrBase(known, type) ? type : known;

    /// <summary>Whether <paramref name="candidate"/> is <paramref name="type"/> or one of its base classes.</summary>
    private static bool IsSameOrBase(INamedTypeSymbol candidate, INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, candidate.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsStaticLock(HeldLock held)
        => held.Kind == LockKind.TypeOf || held.Kind == LockKind.Member && held.Symbol is { IsStatic: true };

    private sealed class MethodAtDepthComparer : IEqualityComparer<(IMethodSymbol Method, int Depth, INamedTypeSymbol? Receiver)>
    {
        public static readonly MethodAtDepthComparer Instance = new();

        public bool Equals((IMethodSymbol Method, int Depth, INamedTypeSymbol? Receiver) x, (IMethodSymbol Method, int Depth, INamedTypeSymbol? Receiver) y)
            => x.Depth == y.Depth && SymbolEqualityComparer.Default.Equals(x.Method, y.Method) && SymbolEqualityComparer.Default.Equals(x.Receiver, y.Receiver);

        public int GetHashCode((IMethodSymbol Method, int Depth, INamedTypeSymbol? Receiver) obj)
            => (SymbolEqualityComparer.Default.GetHashCode(obj.Method) * 31 + obj.Depth) * 31 + SymbolEqualityComparer.Default.GetHashCode(obj.Receiver);
    }
}
