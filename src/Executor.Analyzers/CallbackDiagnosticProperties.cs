namespace Executor.Analyzers;

/// <summary>Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> that EXEC001 fills for its code fixes.</summary>
public static class CallbackDiagnosticProperties
{
    /// <summary>What the access does: one of the <see cref="AccessKinds"/> values.</summary>
    public const string AccessKind = "AccessKind";

    /// <summary>The accessed symbol's name (field, property, local or parameter).</summary>
    public const string SymbolName = "SymbolName";

    /// <summary>The accessed symbol's kind: <c>Field</c>, <c>Property</c>, <c>Local</c>, <c>Parameter</c> or <c>Method</c> (an interprocedural report).</summary>
    public const string SymbolKind = "SymbolKind";

    /// <summary><c>true</c> when the accessed state is static.</summary>
    public const string IsStatic = "IsStatic";

    /// <summary>The expression of a lock that already guards this symbol elsewhere (for example <c>_gate</c>), when one does.</summary>
    public const string GuardingLock = "GuardingLock";

    /// <summary>The metadata name of the accessed value's type when it is a built-in type (<c>Int32</c>, <c>Int64</c>, <c>Boolean</c>, ...).</summary>
    public const string ValueType = "ValueType";

    /// <summary>
    /// Where the other side of the race is: <c>Self</c> (another run of the same callback), <c>Member</c> (another
    /// member or callback) or <c>AfterRegistration</c> (the registering member's later code). The other side's accesses
    /// are the diagnostic's additional locations.
    /// </summary>
    public const string ConflictKind = "ConflictKind";

    /// <summary>
    /// For a callback that reaches the state through a call: where the access itself is (<c>start:length</c> in the
    /// diagnostic's file), when it is in that file. A fix that locks the other sides can see that one of them already
    /// holds the access, so the call site needs no lock of its own.
    /// </summary>
    public const string OriginSpan = "OriginSpan";
}

/// <summary>Values of <see cref="CallbackDiagnosticProperties.AccessKind"/>.</summary>
public static class AccessKinds
{
    /// <summary>A plain assignment.</summary>
    public const string Write = "Write";

    /// <summary>A read of a value written elsewhere after construction.</summary>
    public const string Read = "Read";

    /// <summary>A prefix or postfix increment.</summary>
    public const string Increment = "Increment";

    /// <summary>A prefix or postfix decrement.</summary>
    public const string Decrement = "Decrement";

    /// <summary>A compound assignment such as <c>+=</c>.</summary>
    public const string CompoundAssignment = "CompoundAssignment";

    /// <summary>A mutating call or indexer set on a collection or builder that is not thread-safe.</summary>
    public const string Mutation = "Mutation";

    /// <summary>Passed by <c>ref</c> or <c>out</c> to a method other than <c>Interlocked</c> or <c>Volatile</c>.</summary>
    public const string RefArgument = "RefArgument";

    /// <summary>A call to a method of this compilation that touches shared state without a lock.</summary>
    public const string Call = "Call";
}
