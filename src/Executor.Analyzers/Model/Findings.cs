using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Executor.Analyzers;

/// <summary>What the rules built on hand-offs share to report what a model found.</summary>
internal static class Findings
{
    /// <summary>The operations that can hand a delegate over to run elsewhere: a call, an object creation, an event subscription.</summary>
    public static ImmutableArray<OperationKind> HandOverKinds { get; } = ImmutableArray.Create(OperationKind.Invocation, OperationKind.ObjectCreation, OperationKind.EventAssignment);

    /// <summary>Reports one diagnostic per finding, in the order found; nothing when <paramref name="findings"/> is null.</summary>
    public static void Report<T>(OperationAnalysisContext context, List<T>? findings, Func<T, CancellationToken, Diagnostic> create)
    {
        if (findings is null)
        {
            return;
        }

        foreach (var finding in findings)
        {
            context.ReportDiagnostic(create(finding, context.CancellationToken));
        }
    }
}
