using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Executor.Analyzers;

/// <summary>What an access does to shared storage, as far as a race is concerned.</summary>
internal enum AccessMode
{
    /// <summary>Reads the value, or enumerates or queries a collection.</summary>
    Read,

    /// <summary>Writes the value, or mutates a collection.</summary>
    Write,

    /// <summary>An <c>Interlocked</c>/<c>Volatile</c> operation: atomic, so it races only with plain writes.</summary>
    Atomic,
}

/// <summary>One access to shared storage outside the callback being analyzed: a candidate for the other side of a race.</summary>
internal sealed class StateAccess
{
    public StateAccess(SyntaxNode syntax, Location location, AccessMode mode, List<HeldLock> locks, SyntaxNode? member, SyntaxNode? function, bool inConstruction, object? writtenConstant, bool hasConstant, string verb)
    {
        Syntax = syntax;
        Location = location;
        Mode = mode;
        Locks = locks;
        Member = member;
        Function = function;
        InConstruction = inConstruction;
        WrittenConstant = writtenConstant;
        HasConstant = hasConstant;
        Verb = verb;
    }

    /// <summary>The reference itself.</summary>
    public SyntaxNode Syntax { get; }

    /// <summary>Where to point: the whole access (the assignment, increment or call).</summary>
    public Location Location { get; }

    public AccessMode Mode { get; }

    /// <summary>The locks held at the access (inside its own function).</summary>
    public List<HeldLock> Locks { get; }

    /// <summary>The member that contains it.</summary>
    public SyntaxNode? Member { get; }

    /// <summary>The innermost lambda or local function that contains it, or null.</summary>
    public SyntaxNode? Function { get; }

    /// <summary>In a constructor or initializer of the state's type.</summary>
    public bool InConstruction { get; }

    /// <summary>For a write of a constant: the constant.</summary>
    public object? WrittenConstant { get; }

    public bool HasConstant { get; }

    /// <summary>"writes", "reads", "enumerates", "calls 'Add' on".</summary>
    public string Verb { get; }

    public bool Writes => Mode != AccessMode.Read;

    /// <summary>
    /// An atomic store of a value computed from a read of the same storage (<c>Volatile.Write(ref x, Volatile.Read(ref x) + n)</c>):
    /// like any atomic access it does not race with a plain read, but a plain store that lands between its read and its
    /// write is lost, so it races with lone stores too.
    /// </summary>
    public bool ReadModifyWrite { get; set; }
}

/// <summary>The other side of a race: what the message says and where it is.</summary>
internal sealed class Conflict
{
    public Conflict(ConflictKind kind, string description, IReadOnlyList<Location> locations)
    {
        Kind = kind;
        Description = description;
        Locations = locations;
    }

    public ConflictKind Kind { get; }

    /// <summary>The end of the message: "'Reset' writes it without a lock".</summary>
    public string Description { get; }

    /// <summary>The other side's accesses (the diagnostic's additional locations); empty when the other side is the callback itself.</summary>
    public IReadOnlyList<Location> Locations { get; }
}

/// <summary>Where the other side of a race is.</summary>
internal enum ConflictKind
{
    /// <summary>Another run of the same callback.</summary>
    Self,

    /// <summary>Another member of the type.</summary>
    Member,

    /// <summary>Another callback.</summary>
    OtherCallback,

    /// <summary>The registering member, after the registration and before any join.</summary>
    AfterRegistration,
}

/// <summary>
/// A place that names the symbol of a finding (found in the text), with the <c>lock</c> statements around it by
/// syntax. It is bound and classified on first use, once, whichever finding asks first: binding one node binds and
/// flow-analyzes its whole member, which the findings an enclosing lock already settles do not need.
/// </summary>
internal sealed class AccessCandidate
{
    private readonly Func<CancellationToken, StateAccess?> _classify;
    private Lazy<StateAccess?>? _access;

    public AccessCandidate(SyntaxNode syntax, List<IdentifierNameSyntax>? lockNames, Func<CancellationToken, StateAccess?> classify)
    {
        Syntax = syntax;
        LockNames = lockNames;
        _classify = classify;
    }

    /// <summary>The name, or the member access or binding that ends with it.</summary>
    public SyntaxNode Syntax { get; }

    /// <summary>The objects of the <c>lock (name)</c> / <c>lock (this.name)</c> statements around it in its own function, or null.</summary>
    public List<IdentifierNameSyntax>? LockNames { get; }

    /// <summary>The access it makes, or null when it is not an access of the symbol.</summary>
    public StateAccess? Access(CancellationToken cancellationToken)
        => Once.GetOrCompute(ref _access, _classify, cancellationToken);
}
