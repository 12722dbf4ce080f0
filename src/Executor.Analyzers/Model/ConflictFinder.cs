using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// Finds the other side of a race for an access a callback makes: another run of the same callback, another member
/// or callback touching the same storage, or the registering member's code after the registration. An access is a
/// race only when such a conflicting access exists, at least one of the two writes, nothing orders them (the
/// registration publishes earlier writes; constructors run before; joins order later code; serial contexts and
/// same-thread completion run callbacks one at a time) and no lock is common to both.
/// </summary>
internal sealed partial class ConflictFinder
{
    private const int MaxLocations = 8;

    private readonly CallbackAnalysis _analysis;
    private readonly ConcurrentDictionary<(ISymbol Symbol, SyntaxNode Scope), System.Lazy<List<AccessCandidate>>> _accesses = new();
    private readonly ConcurrentDictionary<SyntaxNode, System.Lazy<ControlFlowGraph?>> _graphs = new();
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _constructorOnly = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<SyntaxNode, ISymbol?> _storedWorkCalling = new();
    private readonly ConcurrentDictionary<SyntaxNode, bool> _startGuarded = new();
    private readonly ConcurrentDictionary<(IMethodSymbol Method, int Depth, INamedTypeSymbol? Receiver), List<HeldLock>> _callerLocks = new(MethodAtDepthComparer.Instance);
    private readonly ConcurrentDictionary<(SyntaxNode Registration, ILocalSymbol? Variable, string Joins), System.Lazy<ExecutionOrder.Reach?>> _reach = new();
    private readonly ConcurrentDictionary<(ControlFlowGraph Graph, bool Work, string Joins), List<int>[]> _joinCuts = new();
    private readonly ConcurrentDictionary<(ISymbol Symbol, SyntaxNode Scope, ILocalSymbol Root), System.Lazy<List<AccessCandidate>>> _accessesThroughLocal = new();
    private readonly ConcurrentDictionary<(ControlFlowGraph Graph, ISymbol Field), List<int>[]> _fieldJoinCuts = new();
    private readonly ConcurrentDictionary<AnonymousFunctionExpressionSyntax, (bool Callback, WorkSource? Work)> _lambdaRoles = new();
    private readonly CallSites _callSites;

    public ConflictFinder(CallbackAnalysis analysis)
    {
        _analysis = analysis;
        _callSites = new CallSites(analysis.Facts);
    }

    private KnownTypes Types => _analysis.Types;

    private SharedStateFacts Facts => _analysis.Facts;

    /// <summary>The other side of a race for <paramref name="finding"/>, made in the callback at <paramref name="callbackRoot"/>, or null when there is none.</summary>
    public Conflict? Find(CallbackFinding finding, Registration registration, SyntaxNode callbackRoot, CancellationToken cancellationToken, IReadOnlyList<(SyntaxTree Tree, Microsoft.CodeAnalysis.Text.TextSpan Span)>? alsoInCallback = null)
    {
        if (IsSerial(registration) || CompletesOnThisThread(registration, cancellationToken))
        {
            return null;
        }

        if (registration.Work is not null && !finding.Writes)
        {
            // EXEC002 reports the writing side of a race (it names the readers); a read racing with a write elsewhere
            // in work is reported at that write, or by EXEC001 when the writer is a callback.
            return null;
        }

        if (IsSnapshotRecheckedUnderLock(finding, cancellationToken))
        {
            return null;
        }

        // Joins are judged for this access: a wait orders it only when the callback signals the waited object after it.
        if (AccessNode(finding, callbackRoot) is { } accessNode)
        {
            registration = registration.ForAccess(callbackRoot, accessNode);
        }

        var candidates = AccessesOf(finding, registration, callbackRoot, cancellationToken);
        var locks = LocksAcrossObjects(finding);
        if (MayBeIdempotentFlag(finding) && IsIdempotentFlag(finding, EveryAccess(candidates, cancellationToken)))
        {
            return null;
        }

        // AddDoneCallback(callback, executor) with a one-worker executor: those callbacks run one at a time.
        bool oneWorker = DispatchesToOneWorker(registration, cancellationToken);
        var conflicting = new List<(StateAccess Access, ConflictKind Kind)>();
        SyntaxNode? sameRunCallee = null;
        bool? loneStore = null;
        OtherObjectsQuery? otherObjects = null;
        foreach (var candidate in candidates)
        {
            // Inside the callback itself (or the callee making the finding): not another side. Judged from the
            // candidate's syntax, which is the access's (StateAccess.Syntax), before binding it.
            var syntax = candidate.Syntax;
            if (callbackRoot.SyntaxTree == syntax.SyntaxTree && callbackRoot.Span.Contains(syntax.Span)
                || finding.Origin is { } origin && origin.SourceTree == syntax.SyntaxTree && origin.SourceSpan.IntersectsWith(syntax.Span)
                || IsIn(alsoInCallback, syntax))
            {
                continue;
            }

            if (HoldsFindingLock(candidate, locks) || candidate.Access(cancellationToken) is not { } access)
            {
                // Under a lock the finding holds (ShareLock below would skip it), or not an access of the symbol.
                continue;
            }

            if (IsArrayShapeRead(access) && ElementUpdated(finding.Access) is not null)
            {
                // 'i < results.Length' does not touch the elements the callback updates (an array's length never changes).
                continue;
            }

            if (!finding.Writes && !access.Writes
                || access.Mode == AccessMode.Atomic && (!finding.Writes || !access.ReadModifyWrite && (loneStore ??= IsLoneStore(finding, cancellationToken)))
                || ShareLock(locks, access))
            {
                continue;
            }

            if (finding.Origin is not null && access.Function is null && access.Member is not null
                && access.Member == (sameRunCallee ??= SameRunCallee(finding, callbackRoot, cancellationToken) ?? (SyntaxNode)callbackRoot))
            {
                // Another access in the callee that makes this one, and that only this callback or work calls: the
                // same run (a private 'FlushPipeAsync' that reads the field, then writes it).
                continue;
            }

            if (finding.Writes && IsFastPathRecheckedUnderLock(access, locks, candidates, cancellationToken))
            {
                // 'if (_next == at) return; lock (_gate) { if (_next == at) return; … }': double-checked under our lock.
                continue;
            }

            if (registration.Work is not null && FindingJoinsOtherWorkFirst(finding, access, registration, cancellationToken))
            {
                // The write is in a shutdown path that first awaits the other loop's task: that loop has ended.
                continue;
            }

            if (finding.Writes && IsDefaultCheckBeforeJoin(access, finding, cancellationToken))
            {
                // 'if (_start == 0) _ready.Task.Wait();' with '_ready' signalled after the write: the reader waits for it.
                continue;
            }

            if (RefusesOnceRegistered(access, registration, cancellationToken))
            {
                // 'if (_provider is not null) throw …;' before the access, and the callback exists only with a provider.
                continue;
            }

            if (IsOrderedByHostLifecycle(registration, access, cancellationToken))
            {
                // ApplicationStarted callback registered in StartAsync: the host runs it before StopAsync and Dispose.
                continue;
            }

            if (registration.Work is not null && IsInCallback(access, cancellationToken))
            {
                // Work racing with a callback: EXEC001 reports that pair at the callback's access (it reports reads
                // and writes), so one race gets one warning.
                continue;
            }

            if (TouchesOnlyOtherObjects(finding, access, registration, callbackRoot, ref otherObjects, cancellationToken))
            {
                // Another object of the same type: one its owner never shares, or a new one the callback cannot be on yet.
                continue;
            }

            if (Order(access, registration, finding.Symbol, callbackRoot, cancellationToken) is { } kind && !(oneWorker && kind == ConflictKind.OtherCallback)
                && !(finding.Writes && IsReadAfterWaitingCall(access, finding, finding.Symbol, cancellationToken)))
            {
                // (A read after 'Start();' whose last statement waits for the writer's signal is checked only here, for
                // reads that would otherwise conflict: it binds the calls before the read.)
                conflicting.Add((access, kind));
            }
        }

        // Lazy initialization of a computed value ('if (_v == null) _v = Compute();', '_v ??= Compute()'): a racing
        // reader sees null (and computes it too) or the value; two writers store equal values. Not when the value is a
        // new object (two callers could then hold different locks or caches).
        bool lazyInit = IsLazyInitialization(finding);
        if (lazyInit)
        {
            conflicting.RemoveAll(c => c.Access.Mode == AccessMode.Read);
        }

        // Stores of constants that race only with other stores of constants: one store wins, and whichever wins is a
        // value some writer meant (a flag set by a failing callback and cleared by 'Reset'). No lost update, no torn value.
        bool constantStore = finding.Writes && finding.HasConstant;
        if (constantStore)
        {
            conflicting.RemoveAll(c => c.Access.Mode == AccessMode.Write && c.Access.HasConstant);
        }

        // A last-activity timestamp: stores of the current time racing only with reads and other such stores (another
        // run of the same store included).
        bool timestamp = finding.Writes && (finding.OriginAccess ?? finding.Access)?.Syntax is { } findingSyntax
            && (IsLoneCurrentTimeStore(findingSyntax, finding.Symbol, cancellationToken) || IsThrottleOfConcurrentWork(findingSyntax, finding.Symbol, cancellationToken));
        if (timestamp)
        {
            conflicting.RemoveAll(c => c.Access.Mode == AccessMode.Read || c.Access.Writes && (IsLoneCurrentTimeStore(c.Access.Syntax, finding.Symbol, cancellationToken) || IsThrottleOfConcurrentWork(c.Access.Syntax, finding.Symbol, cancellationToken)));
        }
        else if (!finding.Writes && conflicting.Count > 0)
        {
            conflicting.RemoveAll(c => c.Access.Writes && (IsLoneCurrentTimeStore(c.Access.Syntax, finding.Symbol, cancellationToken) || IsThrottleOfConcurrentWork(c.Access.Syntax, finding.Symbol, cancellationToken)));
        }

        // An immutable value published by a lone store (a computed string, a new object with readonly fields), racing only
        // with reads and with other runs of itself: a reader gets the old value or the new one, each complete (a password
        // refreshed by a timer against the code that reads it to open a connection; the last exception seen).
        bool published = finding.Writes && (finding.OriginAccess ?? finding.Access)?.Syntax is { } publishedSyntax
            && IsLonePublication(publishedSyntax, finding.Symbol, cancellationToken);
        if (published)
        {
            conflicting.RemoveAll(c => c.Access.Mode == AccessMode.Read && !IsReadInLoopCondition(c.Access.Syntax));
        }
        else if (!finding.Writes && conflicting.Count > 0 && (finding.OriginAccess ?? finding.Access)?.Syntax is { } readSyntax && !IsReadInLoopCondition(readSyntax))
        {
            conflicting.RemoveAll(c => c.Access.Writes && IsLonePublication(c.Access.Syntax, finding.Symbol, cancellationToken));
        }

        // Dispose-or-clear of a disposable field ('_timer?.Dispose(); _timer = null;' against 'Dispose' doing
        // '_timer?.Dispose()'): every order leaves the object disposed.
        var clearing = (finding.OriginAccess ?? finding.Access)?.Syntax;
        bool disposeOrClear = finding.Symbol is IFieldSymbol or IPropertySymbol && IsDisposeOrClear(clearing)
            && !RunStoresANewValue(clearing!, finding.Symbol, cancellationToken);
        if (disposeOrClear)
        {
            conflicting.RemoveAll(c => IsDisposeOrClear(c.Access.Syntax));
        }

        // A delegate hook raised through one copy ('_log?.Invoke(m)') against lone stores replacing it ('_log = log'):
        // the reader invokes the old or the new delegate, both complete.
        if (conflicting.Count > 0 && finding.Symbol is IFieldSymbol { Type.TypeKind: TypeKind.Delegate }
            && ((finding.OriginAccess ?? finding.Access)?.Syntax ?? (finding.Origin is null ? AccessNode(finding, callbackRoot) : null)) is { } hookAccess)
        {
            conflicting.RemoveAll(c => IsDelegateHookPair(hookAccess, finding.Writes, c.Access.Syntax, c.Access.Writes, finding.Symbol, cancellationToken));
        }

        if (conflicting.Count > 0)
        {
            // Name a writer first: "'Reset' writes it" says more than "'Get' reads it".
            conflicting.Sort((a, b) => b.Access.Writes.CompareTo(a.Access.Writes));
            var locations = new List<Location>();
            foreach (var (access, _) in conflicting)
            {
                if (locations.Count < MaxLocations)
                {
                    locations.Add(access.Location);
                }
            }

            var (first, firstKind) = conflicting[0];
            return new Conflict(firstKind, Describe(first, firstKind, registration), locations);
        }

        if (finding.Writes && !constantStore && !lazyInit && !oneWorker && !timestamp && !published && !disposeOrClear && !IsStartedByTheHost(registration, cancellationToken) && CanOverlapItself(finding, registration, callbackRoot, cancellationToken) is { } reason)
        {
            return new Conflict(ConflictKind.Self, "another run of the same " + registration.Noun + " can do the same (" + reason + ")", new List<Location>());
        }

        return null;
    }

    /// <summary>The method, or property accessor, whose body holds an access outside lambdas: what must be called for it to run.</summary>
    private IMethodSymbol? DeadMethodOf(StateAccess access, CancellationToken cancellationToken)
    {
        SyntaxNode? declaration = access.Member switch
        {
            MethodDeclarationSyntax method => method,
            PropertyDeclarationSyntax => access.Syntax.FirstAncestorOrSelf<AccessorDeclarationSyntax>(),
            _ => null,
        };
        return declaration is null ? null : Facts.ModelFor(declaration.SyntaxTree).GetDeclaredSymbol(declaration, cancellationToken) as IMethodSymbol;
    }

    /// <summary>The finding's access inside the callback (the assignment, call or reference), or null.</summary>
    private static SyntaxNode? AccessNode(CallbackFinding finding, SyntaxNode callbackRoot)
    {
        if (finding.Access?.Syntax is { } syntax)
        {
            return syntax;
        }

        return finding.Location.SourceTree == callbackRoot.SyntaxTree && callbackRoot.Span.Contains(finding.Location.SourceSpan)
            ? callbackRoot.FindNode(finding.Location.SourceSpan, getInnermostNodeForTie: true)
            : null;
    }

    /// <summary>A read of an array's <c>Length</c>, <c>LongLength</c> or <c>Rank</c>: fixed when the array is created.</summary>
    private static bool IsArrayShapeRead(StateAccess access)
        => access.Mode == AccessMode.Read
            && access.Syntax.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" or "LongLength" or "Rank" } shape
            && shape.Expression == access.Syntax;

    /// <summary>
    /// The finding's locks that are the same object for every object of the type. For static state, a lock on an
    /// instance field or on <c>this</c> is not: each object has its own, and the static is shared by all of them, so it
    /// neither orders two objects' callbacks nor a callback with another object's member.
    /// </summary>
    private static List<HeldLock> LocksAcrossObjects(CallbackFinding finding)
    {
        if (!IsStaticState(finding) || !finding.Locks.Exists(IsPerObjectLock))
        {
            return finding.Locks;
        }

        return finding.Locks.FindAll(held => !IsPerObjectLock(held));
    }

    /// <summary>A static field or property (not state reached through a variable).</summary>
    private static bool IsStaticState(CallbackFinding finding)
        => finding.Symbol is IFieldSymbol { IsStatic: true } or IPropertySymbol { IsStatic: true };

    private static bool IsPerObjectLock(HeldLock held)
        => held.Kind == LockKind.This
            || held.Kind == LockKind.Member && held.Symbol is IFieldSymbol { IsStatic: false } or IPropertySymbol { IsStatic: false };

    private static bool IsIn(IReadOnlyList<(SyntaxTree Tree, Microsoft.CodeAnalysis.Text.TextSpan Span)>? spans, SyntaxNode node)
    {
        if (spans is not null)
        {
            foreach (var (tree, span) in spans)
            {
                if (tree == node.SyntaxTree && span.Contains(node.Span))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private string Describe(StateAccess access, ConflictKind kind, Registration registration)
    {
        string who = kind == ConflictKind.OtherCallback
            ? OtherDelegate(access, registration) + " in '" + Registration.NameOf(access.Member) + "'"
            : access.Function is not null
            ? "a lambda in '" + Registration.NameOf(access.Member) + "'"
            : "'" + Registration.NameOf(access.Member) + "'";
        string locks = LockText(access.Locks);
        return kind == ConflictKind.AfterRegistration
            ? who + " " + access.Verb + " it " + locks + AfterWhat(registration) + ", with no join in between"
            : who + " " + access.Verb + " it " + locks;
    }

    /// <summary>" after registering the callback", " after starting the timer" (a timer created stopped), or " after starting the work".</summary>
    private string AfterWhat(Registration registration)
        => registration.Work is not null ? " after starting the work"
            : OrderingPoint(registration, CancellationToken.None) != registration.Operation.Syntax ? " after starting the timer"
            : " after registering the callback";

    /// <summary>What another concurrently running delegate is: another delegate of the same parallel call, work, or a callback.</summary>
    private string OtherDelegate(StateAccess access, Registration registration)
    {
        if (access.Function is not AnonymousFunctionExpressionSyntax lambda
            || RoleOf(lambda, CancellationToken.None).Work is null)
        {
            return "a callback";
        }

        return registration.Work is not null && registration.Operation.Syntax.SyntaxTree == lambda.SyntaxTree && registration.Operation.Syntax.Span.Contains(lambda.Span)
            ? "another delegate of the same '" + _analysis.ApiName(registration.Api) + "' call"
            : "work";
    }

    /// <summary>"without a lock" or "under lock '_gate'".</summary>
    public static string LockText(List<HeldLock> locks)
        => locks.Count == 0 ? "without a lock" : "under lock '" + locks[0].Text + "'";

    private static bool ShareLock(List<HeldLock> ours, StateAccess access)
    {
        foreach (var theirs in access.Locks)
        {
            if (theirs.Coverage == LockCoverage.ReadOnly && access.Writes)
            {
                continue;
            }

            foreach (var mine in ours)
            {
                if (mine.SameAs(theirs))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether an access can run at the same time as the callback: null when it is ordered before or after it.</summary>
    private ConflictKind? Order(StateAccess access, Registration registration, ISymbol symbol, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        bool sameMember = registration.Member is { } member && access.Member == member;
        if (access.Function is AnonymousFunctionExpressionSyntax lambda && (IsCallback(lambda, cancellationToken) || IsSiblingWork(lambda, registration, cancellationToken)))
        {
            // Another callback: it runs whenever its own work completes. Another delegate of the same parallel call
            // (Parallel.Invoke's other actions, a loop's localFinally) runs at the same time as this one.
            return ConflictKind.OtherCallback;
        }

        if (registration.Work is { JoinsOnReturn: true })
        {
            // A parallel loop runs only while its call runs: the same member's code before and after the call is
            // ordered with it, and whether another member can run during the call is the type's own contract, which a
            // type without the loop has too. Only the loop's own runs (and callbacks, above) race with it.
            return null;
        }

        if (sameMember && access.Function is { } function && symbol is ILocalSymbol { DeclaringSyntaxReferences.Length: 1 } local
            && function.Span.Contains(local.DeclaringSyntaxReferences[0].Span)
            && registration.Operation.Syntax.Ancestors().FirstOrDefault(n => n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax) == function)
        {
            // The registration and the access are in one lambda that declares the local: each run of the lambda has its
            // own local, so only the order inside one run counts (a write before the registration is published by it).
            var declaredAt = local.DeclaringSyntaxReferences[0].Span;
            bool after = access.Syntax.SpanStart > registration.Operation.Syntax.Span.End
                || registration.Operation.Syntax.Ancestors().TakeWhile(n => n != function)
                    .Any(n => n is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax && !n.Span.Contains(declaredAt));
            return after ? ConflictKind.AfterRegistration : null;
        }

        if (sameMember)
        {
            var at = access.Function ?? access.Syntax;
            return RunsAfterRegistration(registration, at, symbol, cancellationToken) ? ConflictKind.AfterRegistration : null;
        }

        if (access.InConstruction || access.Member is MethodDeclarationSyntax method && IsOnlyCalledFromConstructors(method, cancellationToken))
        {
            return null;
        }

        if (access.Function is null && access.Member is not null && RunsBeforeEveryRegistration(access.Syntax, access.Member, registration, symbol, cancellationToken))
        {
            return null;
        }

        if (access.Function is null && DeadMethodOf(access, cancellationToken) is { } dead
            && _callSites.IsNeverCalled(dead, cancellationToken))
        {
            // A helper (or a property accessor) nothing calls: its accesses never run.
            return null;
        }

        if (registration.Work is not null && access.Member is not null && JoinsStoredWorkFirst(registration, access, cancellationToken))
        {
            // '_loop = Task.Run(Loop)' here, 'await _loop;' before the access there: the work has ended.
            return null;
        }

        if (ReachedOnlyFromTheRunOrBeforeItStarts(access, registration, callbackRoot, symbol, cancellationToken))
        {
            // Every way to the access is the run itself, or the registering constructor before the registration, on
            // this object or an object only it owns.
            return null;
        }

        return ConflictKind.Member;
    }

    /// <summary>
    /// The member holding the access a callee makes on behalf of the callback (the finding's origin), when every call of
    /// that member is inside the callback itself (or the member, recursively): its other accesses belong to the same run.
    /// </summary>
    private SyntaxNode? SameRunCallee(CallbackFinding finding, SyntaxNode callbackRoot, CancellationToken cancellationToken)
    {
        if (finding.Origin is not { SourceTree: { } tree } origin
            || SharedStateFacts.EnclosingMember(tree.GetRoot(cancellationToken).FindNode(origin.SourceSpan)) is not MethodDeclarationSyntax member
            || Facts.ModelFor(tree).GetDeclaredSymbol(member, cancellationToken) is not { } method
            || _callSites.Of(method, cancellationToken) is not { Count: > 0 } calls)
        {
            return null;
        }

        foreach (var call in calls)
        {
            var syntax = call.Operation.Syntax;
            bool inCallback = syntax.SyntaxTree == callbackRoot.SyntaxTree && callbackRoot.Span.Contains(syntax.Span);
            if (!inCallback && call.Member != member)
            {
                return null;
            }
        }

        return member;
    }

    /// <summary>Whether an access is made by a callback (a lambda, or a method its type passes as a callback), not by work.</summary>
    private bool IsInCallback(StateAccess access, CancellationToken cancellationToken)
    {
        if (access.Function is AnonymousFunctionExpressionSyntax lambda)
        {
            return RoleOf(lambda, cancellationToken).Callback;
        }

        return access.Member is MethodDeclarationSyntax method
            && Facts.ModelFor(method.SyntaxTree).GetDeclaredSymbol(method, cancellationToken) is { } symbol
            && _analysis.IsCallbackMethod(symbol, cancellationToken);
    }

    /// <summary>A lambda that runs at any time after it is handed over: a callback, or work started on another thread that no call waits for.</summary>
    private bool IsCallback(AnonymousFunctionExpressionSyntax lambda, CancellationToken cancellationToken)
        => RoleOf(lambda, cancellationToken) is var role && (role.Callback || role.Work is { JoinsOnReturn: false });

    /// <summary>Another work delegate handed to the same parallel call (<c>Parallel.Invoke(a, b)</c>, a loop's <c>localInit</c>/<c>localFinally</c>).</summary>
    private bool IsSiblingWork(AnonymousFunctionExpressionSyntax lambda, Registration registration, CancellationToken cancellationToken)
        => registration.Work is not null
            && registration.Operation.Syntax.SyntaxTree == lambda.SyntaxTree
            && registration.Operation.Syntax.Span.Contains(lambda.Span)
            && RoleOf(lambda, cancellationToken).Work is not null;

    /// <summary>
    /// What a lambda outside the callback is handed to: a callback API, a work API, or neither (both false and null
    /// when it has no operation). Asked for every pair of a finding and another access in a lambda, so once per lambda:
    /// in a member with hundreds of callbacks that write the same field, the pairs are quadratic.
    /// </summary>
    private (bool Callback, WorkSource? Work) RoleOf(AnonymousFunctionExpressionSyntax lambda, CancellationToken cancellationToken)
        => _lambdaRoles.GetOrAdd(lambda, l => Facts.ModelFor(l.SyntaxTree).GetOperation(l, cancellationToken) is { } operation
            ? (_analysis.IsCallbackRegistrationArgument(operation), _analysis.WorkSourceOfArgument(operation))
            : (false, null));
}
