using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Executor.Analyzers;

/// <summary>
/// How a delegate handed over as work runs: whether its runs overlap each other whatever the starting code does, and
/// whether the API returns only after every run has finished (a join), so the starting code after the call is ordered
/// after the work.
/// </summary>
internal sealed class WorkSource
{
    /// <summary><c>Parallel.For</c>/<c>ForEach</c>/<c>Invoke</c> and PLINQ: runs overlap, the call returns after all of them.</summary>
    public static readonly WorkSource ParallelLoop = new(alwaysSelfConcurrent: true, joinsOnReturn: true, "runs it on several threads at once");

    /// <summary><c>Parallel.Invoke</c>: the actions overlap each other (each runs once), the call returns after all of them.</summary>
    public static readonly WorkSource ParallelInvoke = new(alwaysSelfConcurrent: false, joinsOnReturn: true, "runs its actions at the same time");

    /// <summary><c>Parallel.ForEachAsync</c>, <c>Map</c>, <c>[ConcurrentWork]</c>: runs overlap, and the call returns before they end.</summary>
    public static readonly WorkSource Concurrent = new(alwaysSelfConcurrent: true, joinsOnReturn: false, "runs it on several threads at once");

    /// <summary><c>Submit</c>, <c>Task.Run</c>, <c>StartNew</c>, <c>new Thread</c>: one run per start, concurrent with the starting code until joined.</summary>
    public static readonly WorkSource Started = new(alwaysSelfConcurrent: false, joinsOnReturn: false, "runs it on another thread");

    private WorkSource(bool alwaysSelfConcurrent, bool joinsOnReturn, string how)
    {
        AlwaysSelfConcurrent = alwaysSelfConcurrent;
        JoinsOnReturn = joinsOnReturn;
        How = how;
    }

    /// <summary>Whether runs of the delegate overlap each other even when the API is called once.</summary>
    public bool AlwaysSelfConcurrent { get; }

    /// <summary>Whether the API returns only after the work has finished, ordering the caller's later code after it.</summary>
    public bool JoinsOnReturn { get; }

    /// <summary>What the API does with the delegate, for messages ("runs it on several threads at once").</summary>
    public string How { get; }
}

/// <summary>
/// Recognizes the APIs that run a delegate as concurrent work (EXEC002's sources, also used by EXEC003 and EXEC006):
/// <c>Parallel.*</c>, PLINQ, <c>Task.Run</c>, <c>TaskFactory.StartNew</c>, <c>new Thread(…)</c>, the executor's
/// <c>Submit</c> and <c>Map</c>, and parameters marked <c>[ConcurrentWork]</c> or listed in the
/// <c>dotnet_code_quality.EXEC002.work_apis</c> option. Names are matched once per method definition.
/// </summary>
internal sealed class ConcurrentWork
{
    /// <summary>Extra work APIs, documentation-comment IDs like EXEC001's <c>callback_apis</c>; they behave like <c>[ConcurrentWork]</c>.</summary>
    public const string WorkApisKey = "dotnet_code_quality.EXEC002.work_apis";

    /// <summary>Extra parallel-loop APIs: their delegate runs on several threads at once and they return after every run (like <c>Parallel.For</c>).</summary>
    public const string ParallelApisKey = "dotnet_code_quality.EXEC002.parallel_apis";

    private static readonly ImmutableArray<WorkSource?> NoParameters = ImmutableArray<WorkSource?>.Empty;

    private readonly KnownTypes _types;
    private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<WorkSource?>> _byMethod = new(SymbolEqualityComparer.Default);

    public ConcurrentWork(KnownTypes types) => _types = types;

    /// <summary>
    /// How the argument of <paramref name="parameter"/> runs when passed to <paramref name="method"/>, or null when it
    /// is not work. <paramref name="workApis"/> holds the option's entries for the file of the call.
    /// </summary>
    public WorkSource? Classify(IMethodSymbol method, IParameterSymbol parameter, CallbackOptions? options = null)
    {
        if (parameter.Type.TypeKind != TypeKind.Delegate && !IsDelegateArray(parameter))
        {
            return null;
        }

        var definition = method.OriginalDefinition;
        var kinds = _byMethod.GetOrAdd(definition, ClassifyParameters);
        if (parameter.Ordinal < kinds.Length && kinds[parameter.Ordinal] is { } known)
        {
            return known;
        }

        if (options is null || !options.HasWorkApis)
        {
            return null;
        }

        var id = DocumentationCommentId.CreateDeclarationId(definition);
        return CallbackOptions.Matches(options.ParallelApis, id) ? WorkSource.ParallelLoop
            : CallbackOptions.Matches(options.WorkApis, id) ? WorkSource.Concurrent
            : null;
    }

    /// <summary>Whether some parameter of the method is work (cheap pre-check for callers that look at every call).</summary>
    public bool HasWorkParameter(IMethodSymbol method)
    {
        foreach (var kind in _byMethod.GetOrAdd(method.OriginalDefinition, ClassifyParameters))
        {
            if (kind is not null)
            {
                return true;
            }
        }

        return false;
    }

    private ImmutableArray<WorkSource?> ClassifyParameters(IMethodSymbol definition)
    {
        if (definition.Parameters.Length == 0)
        {
            return NoParameters;
        }

        var builtIn = BuiltInSource(definition);
        var kinds = new WorkSource?[definition.Parameters.Length];
        for (int i = 0; i < kinds.Length; i++)
        {
            var parameter = definition.Parameters[i];
            if (parameter.Type.TypeKind != TypeKind.Delegate && !IsDelegateArray(parameter))
            {
                continue;
            }

            kinds[i] = HasWorkAttribute(definition, i) ? WorkSource.Concurrent : builtIn;
        }

        return kinds.ToImmutableArray();
    }

    /// <summary><c>params Action[] actions</c> (<c>Parallel.Invoke</c>).</summary>
    private static bool IsDelegateArray(IParameterSymbol parameter)
        => parameter.IsParams && parameter.Type is IArrayTypeSymbol { ElementType.TypeKind: TypeKind.Delegate };

    private bool HasWorkAttribute(IMethodSymbol method, int ordinal)
    {
        for (IMethodSymbol? current = method; current is not null; current = current.OverriddenMethod?.OriginalDefinition)
        {
            if (ordinal < current.Parameters.Length && _types.ConcurrentWorkAttribute.IsAppliedIn(current.Parameters[ordinal].GetAttributes()))
            {
                return true;
            }
        }

        return false;
    }

    private WorkSource? BuiltInSource(IMethodSymbol method)
    {
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null)
        {
            return null;
        }

        string name = method.Name;
        if (_types.Parallel.Matches(type))
        {
            return name switch
            {
                "For" or "ForEach" => WorkSource.ParallelLoop,
                "ForAsync" or "ForEachAsync" => WorkSource.Concurrent,
                "Invoke" => WorkSource.ParallelInvoke,
                _ => null,
            };
        }

        if (_types.ParallelEnumerable.Matches(type))
        {
            // The query's delegates run on several threads when it is enumerated (ForAll, ToList, foreach), which the
            // starting code does before it goes on: treated as joined.
            return name is "ForAll" or "Select" or "Where" or "SelectMany" ? WorkSource.ParallelLoop : null;
        }

        if (_types.Task.Matches(type) || _types.TaskOfT.Matches(type))
        {
            return name == "Run" && method.IsStatic ? WorkSource.Started : null;
        }

        if (_types.TaskFactory.Matches(type) || _types.TaskFactoryOfT.Matches(type))
        {
            return name == "StartNew" ? WorkSource.Started : null;
        }

        if (_types.Thread.Matches(type))
        {
            return method.MethodKind == MethodKind.Constructor ? WorkSource.Started : null;
        }

        if (_types.ThreadPoolExecutor.Matches(type))
        {
            return name switch
            {
                "Submit" => WorkSource.Started,
                "Map" => WorkSource.Concurrent,
                _ => null,
            };
        }

        return null;
    }
}
