using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Executor.Analyzers;

/// <summary>
/// EXEC001's <c>.editorconfig</c> / <c>.globalconfig</c> options. Keys follow the <c>dotnet_code_quality.RULE.key</c>
/// convention of the .NET code-quality analyzers; API and type lists use documentation-comment IDs.
/// </summary>
internal sealed class CallbackOptions
{
    /// <summary>Extra callback APIs: <c>M:Ns.Type.Method(System.Action)</c> for one overload, <c>M:Ns.Type.Method</c> for all overloads, <c>E:Ns.Type.Event</c> for event subscriptions; separated by <c>|</c>.</summary>
    public const string CallbackApisKey = "dotnet_code_quality.EXEC001.callback_apis";

    /// <summary>Extra thread-safe types: <c>T:Ns.Type</c>; separated by <c>|</c>.</summary>
    public const string ThreadSafeTypesKey = "dotnet_code_quality.EXEC001.thread_safe_types";

    /// <summary><c>false</c> turns off the built-in .NET callback APIs (<c>ContinueWith</c>, <c>CancellationToken.Register</c>, timers, <c>ThreadPool.QueueUserWorkItem</c>).</summary>
    public const string DotNetCallbacksKey = "dotnet_code_quality.EXEC001.include_dotnet_callback_apis";

    /// <summary>Types whose callbacks run one at a time (actor schedulers, event loops, serial <c>TaskScheduler</c>s).</summary>
    public const string SerialTypesKey = "dotnet_code_quality.EXEC001.serial_types";

    /// <summary>Entries are separated by <c>|</c> or white space (<c>;</c> would start an .editorconfig comment; documentation IDs contain commas).</summary>
    internal static readonly char[] Separators = { '|', ' ', '\t' };

    public static readonly CallbackOptions Default = new(ImmutableArray<string>.Empty, ImmutableArray<string>.Empty, ImmutableArray<string>.Empty, includeDotNetCallbacks: true, ImmutableArray<string>.Empty, ImmutableArray<string>.Empty);

    private CallbackOptions(ImmutableArray<string> callbackApis, ImmutableArray<string> threadSafeTypes, ImmutableArray<string> serialTypes, bool includeDotNetCallbacks, ImmutableArray<string> workApis, ImmutableArray<string> parallelApis)
    {
        WorkApis = workApis;
        ParallelApis = parallelApis;
        SerialTypes = serialTypes;
        CallbackApis = callbackApis;
        ThreadSafeTypes = threadSafeTypes;
        IncludeDotNetCallbacks = includeDotNetCallbacks;
    }

    public ImmutableArray<string> CallbackApis { get; }

    public ImmutableArray<string> ThreadSafeTypes { get; }

    public bool IncludeDotNetCallbacks { get; }

    public ImmutableArray<string> SerialTypes { get; }

    /// <summary>EXEC002's extra work APIs (<see cref="ConcurrentWork.WorkApisKey"/>).</summary>
    public ImmutableArray<string> WorkApis { get; }

    /// <summary>EXEC002's extra parallel-loop APIs (<see cref="ConcurrentWork.ParallelApisKey"/>): they join on return.</summary>
    public ImmutableArray<string> ParallelApis { get; }

    /// <summary>Whether either work option lists anything.</summary>
    public bool HasWorkApis => !WorkApis.IsEmpty || !ParallelApis.IsEmpty;

    public static CallbackOptions Read(AnalyzerConfigOptions options)
    {
        var apis = Split(options, CallbackApisKey);
        var types = Split(options, ThreadSafeTypesKey);
        var serial = Split(options, SerialTypesKey);
        var work = Split(options, ConcurrentWork.WorkApisKey);
        var parallel = Split(options, ConcurrentWork.ParallelApisKey);
        bool dotnet = !options.TryGetValue(DotNetCallbacksKey, out var value) || !bool.TryParse(value.Trim(), out var parsed) || parsed;
        return apis.IsEmpty && types.IsEmpty && serial.IsEmpty && work.IsEmpty && parallel.IsEmpty && dotnet ? Default : new CallbackOptions(apis, types, serial, dotnet, work, parallel);
    }

    /// <summary>Whether a documentation ID matches an entry: exactly, or by name for an entry without a parameter list.</summary>
    public static bool Matches(ImmutableArray<string> entries, string? documentationId)
    {
        if (entries.IsEmpty || documentationId is null)
        {
            return false;
        }

        int paren = documentationId.IndexOf('(');
        foreach (var entry in entries)
        {
            if (string.Equals(entry, documentationId, StringComparison.Ordinal))
            {
                return true;
            }

            if (paren > 0 && entry.IndexOf('(') < 0 && entry.Length == paren && string.CompareOrdinal(entry, 0, documentationId, 0, paren) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static ImmutableArray<string> Split(AnalyzerConfigOptions options, string key)
    {
        if (!options.TryGetValue(key, out var raw) || string.IsNullOrWhiteSpace(raw))
        {
            return ImmutableArray<string>.Empty;
        }

        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var part in raw.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            var trimmed = part.Trim();
            if (trimmed.Length > 0)
            {
                builder.Add(trimmed);
            }
        }

        return builder.ToImmutable();
    }
}

/// <summary>Reads <see cref="CallbackOptions"/> once per syntax tree of a compilation.</summary>
internal sealed class CallbackOptionsCache
{
    private readonly AnalyzerConfigOptionsProvider _provider;
    private readonly ConcurrentDictionary<SyntaxTree, CallbackOptions> _byTree = new();

    public CallbackOptionsCache(AnalyzerConfigOptionsProvider provider) => _provider = provider;

    /// <summary>The options provider the cache reads.</summary>
    public AnalyzerConfigOptionsProvider Provider => _provider;

    public CallbackOptions For(SyntaxTree tree) => _byTree.GetOrAdd(tree, t => CallbackOptions.Read(_provider.GetOptions(t)));
}
