namespace Executor.Analyzers;

/// <summary>The IDs of every diagnostic this package reports. IDs are never reused.</summary>
public static class DiagnosticIds
{
    /// <summary>EXEC000: an entry of an EXEC001 option in .editorconfig is malformed or matches nothing in the compilation.</summary>
    public const string InvalidOptionEntry = "EXEC000";

    /// <summary>EXEC001: a concurrent callback touches shared state without holding a lock.</summary>
    public const string UnsynchronizedCallbackAccess = "EXEC001";

    /// <summary>EXEC002: concurrent work (a parallel loop body, submitted or started work) touches shared state without holding a lock.</summary>
    public const string UnsynchronizedWorkAccess = "EXEC002";

    /// <summary>EXEC003: a delegate handed to another thread reads a captured variable that the handing-off code changes afterwards.</summary>
    public const string CapturedVariableChangedAfterHandOff = "EXEC003";

    /// <summary>EXEC004: an executor is shut down (waiting for its workers) from inside its own work.</summary>
    public const string ShutdownFromOwnWork = "EXEC004";

    /// <summary>EXEC005: an async delegate is passed where the API does not await it (Submit, Map, async void callbacks, ContinueWith without Unwrap).</summary>
    public const string AsyncDelegateWhereSyncExpected = "EXEC005";

    /// <summary>EXEC006: a check-then-act on a thread-safe collection (or a read-modify-write of an immutable one) in concurrent code.</summary>
    public const string CheckThenAct = "EXEC006";
}

/// <summary>Diagnostic categories, in one place.</summary>
internal static class DiagnosticCategories
{
    public const string Concurrency = "Concurrency";

    public const string Configuration = "Configuration";
}

/// <summary>Builds help links to the per-rule documentation pages.</summary>
internal static class HelpLinks
{
    private const string Base = "https://github.com/executor-dotnet/executor/blob/main/docs/rules/";

    public static string For(string id) => Base + id + ".md";
}
