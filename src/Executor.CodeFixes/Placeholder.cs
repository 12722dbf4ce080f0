namespace Executor.CodeFixes; internal static class Placeholder { }
