using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>Walks of operation trees shared by the rules.</summary>
internal static class OperationWalk
{
    /// <summary>
    /// The operations of <paramref name="body"/> (itself first, depth first), without the lambdas and local functions
    /// nested in it: they run when they are invoked, maybe elsewhere. Iterative, for deeply nested code.
    /// </summary>
    public static IEnumerable<IOperation> OutsideNestedFunctions(IOperation body, CancellationToken cancellationToken)
    {
        var pending = new Stack<IOperation>(32);
        pending.Push(body);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var operation = pending.Pop();
            if (operation != body && operation is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                continue;
            }

            yield return operation;
            foreach (var child in operation.ChildOperations)
            {
                pending.Push(child);
            }
        }
    }
}
