namespace Executor.Analyzers; internal static class DiagnosticIds { public const string UnsynchronizedCallbackAccess = "EXEC001"; }
