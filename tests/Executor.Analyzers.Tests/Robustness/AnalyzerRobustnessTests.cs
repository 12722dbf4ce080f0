using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Executor.Analyzers.Tests.Robustness;

/// <summary>
/// EXEC001 must never throw (AD0001), whatever it is given: every test source of the rule tests, a set of built-in
/// sources covering modern C#, and many broken variants of each (truncated at many points, a line cut short, a token
/// deleted) that look like half-typed code in an editor. It must also report the same diagnostics on every run.
/// </summary>
public sealed class AnalyzerRobustnessTests
{
    /// <summary>An analyzer run taking longer than this (a hang, or runaway recursion) is a failure too.</summary>
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly ITestOutputHelper _output;

    public AnalyzerRobustnessTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> SourceNames()
    {
        var data = new TheoryData<string>();
        foreach (var source in RobustnessCorpus.All)
        {
            data.Add(source.Name);
        }

        return data;
    }

    [Fact]
    public void Corpus_IncludesTheRuleTestSources()
    {
        // Guards against a silently empty corpus (a moved folder, a changed literal style): the theory below would pass vacuously.
        Assert.True(RobustnessCorpus.RulesDirectory is not null, "Could not locate the test project's Rules folder: " + RobustnessCorpus.LocationAttempts);
        Assert.NotEmpty(RobustnessCorpus.RuleSources);
        Assert.All(RobustnessCorpus.RuleSources, s => Assert.DoesNotContain("{|", s.Text, StringComparison.Ordinal));
        Assert.True(RobustnessCorpus.BuiltInSources.Count >= 10);

        // A CI build maps source paths (/_/...), so [CallerFilePath] is not a real path there: the fallback must find the same folder.
        var (mapped, attempts) = RobustnessCorpus.LocateRulesDirectory("/_/tests/Executor.Analyzers.Tests/Robustness/AnalyzerRobustnessTests.cs");
        Assert.True(mapped is not null, "Fallback could not locate the Rules folder: " + attempts);
        Assert.Equal(Path.GetFullPath(RobustnessCorpus.RulesDirectory!), Path.GetFullPath(mapped!));
    }

    [Theory]
    [MemberData(nameof(SourceNames))]
    public async Task Analyzer_NeverThrows_OnSourceAndBrokenVariants(string sourceName)
    {
        var source = RobustnessCorpus.Get(sourceName);
        var variants = Variants.For(source);
        var stopwatch = Stopwatch.StartNew();
        var failures = new ConcurrentBag<Failure>();

        await Parallel.ForEachAsync(
            variants,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) },
            async (variant, _) =>
            {
                var failure = await AnalyzerRunner.FindFailureAsync(variant.Text, variant.Options, RunTimeout);
                if (failure is not null)
                {
                    failures.Add(failure with { Variant = variant.Description, Source = variant.Text, Options = variant.Options });
                }
            });

        _output.WriteLine($"{sourceName}: {source.Text.Length} chars, {variants.Count} analyzer runs, {stopwatch.ElapsedMilliseconds} ms (process CPU so far: {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.0} s)");
        if (!failures.IsEmpty)
        {
            Assert.Fail(await FailureReport.DescribeAsync(sourceName, variants.Count, failures.ToList()));
        }
    }

    [Fact]
    public async Task Analyzer_IsDeterministic_OnCombinedSources()
    {
        var trees = RobustnessCorpus.CombinedTrees();
        Assert.True(trees.Count >= 10, $"Expected several trees, got {trees.Count}.");

        var baseline = await AnalyzerRunner.RunAsync(trees, RobustnessCorpus.DefaultOptions, concurrent: false);
        Assert.True(baseline.Exceptions.IsEmpty, DescribeExceptions(baseline.Exceptions, trees));
        Assert.DoesNotContain(baseline.Diagnostics, d => d.Id == "AD0001");
        var expected = Describe(baseline.Diagnostics);
        Assert.Contains(expected, line => line.Contains(": EXEC001 ", StringComparison.Ordinal));

        for (int run = 1; run <= 3; run++)
        {
            var result = await AnalyzerRunner.RunAsync(trees, RobustnessCorpus.DefaultOptions, concurrent: true);
            Assert.True(result.Exceptions.IsEmpty, DescribeExceptions(result.Exceptions, trees));
            var actual = Describe(result.Diagnostics);
            if (!expected.SequenceEqual(actual))
            {
                Assert.Fail(
                    $"Concurrent run {run} reported different diagnostics than the sequential run ({expected.Count} vs {actual.Count}).\n"
                    + "Only in the sequential run:\n  " + string.Join("\n  ", expected.Except(actual)) + "\n"
                    + "Only in the concurrent run:\n  " + string.Join("\n  ", actual.Except(expected)));
            }
        }

        _output.WriteLine($"{trees.Count} trees, {expected.Count} diagnostics, identical in 1 sequential and 3 concurrent runs");
    }

    private static string DescribeExceptions(ImmutableList<string> exceptions, IReadOnlyList<SyntaxTree> trees)
    {
        var distinct = exceptions.Distinct(StringComparer.Ordinal).ToList();
        return $"The analyzer threw {exceptions.Count} time(s) ({distinct.Count} distinct) on the combined input of {trees.Count} trees "
            + $"({string.Join(", ", trees.Select(t => t.FilePath))}); the per-source theory names the failing source. First exception(s):\n"
            + string.Join("\n\n", distinct.Take(3).Select(e => e.Length > 3000 ? e.Substring(0, 3000) + " [...]" : e));
    }

    private static List<string> Describe(ImmutableArray<Diagnostic> diagnostics)
        => diagnostics
            .Select(d => (d.Location.SourceTree?.FilePath ?? string.Empty, d.Location.SourceSpan.Start, d.Location.SourceSpan.End, d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(d => d.Item1, StringComparer.Ordinal)
            .ThenBy(d => d.Start)
            .ThenBy(d => d.End)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ThenBy(d => d.Item5, StringComparer.Ordinal)
            .Select(d => $"{d.Item1}[{d.Start}..{d.End}): {d.Id} {d.Item5}")
            .ToList();
}

/// <summary>A named test source.</summary>
internal sealed record CorpusSource(string Name, string Text);

/// <summary>One input for the analyzer: a (possibly broken) source and the options to run it with.</summary>
internal sealed record Variant(string Description, string Text, AnalyzerOptions Options);

/// <summary>One analyzer failure: the exception (or AD0001 diagnostic, or timeout) and the input that triggered it.</summary>
internal sealed record Failure(string Signature, string Details)
{
    public string Variant { get; init; } = string.Empty;

    public string Source { get; init; } = string.Empty;

    public AnalyzerOptions? Options { get; init; }
}

/// <summary>The sources the robustness tests run on: the raw string literals of the rule tests, plus built-in sources.</summary>
internal static class RobustnessCorpus
{
    private static readonly Regex MarkupOpener = new(@"\{\|(?:#\d+|[A-Za-z_][A-Za-z0-9_]*):", RegexOptions.CultureInvariant);

    private static readonly Lazy<(string? Directory, string Attempts)> RulesLocation = new(LocateRulesDirectory);

    private static readonly Lazy<IReadOnlyList<CorpusSource>> Rules = new(ReadRuleSources);

    private static readonly Lazy<IReadOnlyList<CorpusSource>> AllSources = new(CombineSources);

    public static AnalyzerOptions DefaultOptions { get; } = new(ImmutableArray<AdditionalText>.Empty);

    /// <summary>Options that name extra callback APIs and thread-safe types of the built-in sources, mixed with malformed entries.</summary>
    public static AnalyzerOptions ConfiguredOptions { get; } = new(
        ImmutableArray<AdditionalText>.Empty,
        new DictionaryConfigOptionsProvider(new Dictionary<string, string>
        {
            ["dotnet_code_quality.EXEC001.callback_apis"] = " M:Demo.EventBus.Subscribe | E:Demo.EventBus.Changed|M:Demo.EventBus.Post(System.Action{System.Int32}) M:Messaging.Bus.Subscribe\tE:Messaging.Bus.Received||M:|E:|garbage;M:Demo.EventBus.Subscribe(|T:Demo.SafeCounter ",
            ["dotnet_code_quality.EXEC001.thread_safe_types"] = "T:Demo.SafeCounter | T:Demo.Box`1 |T:||M:Demo.EventBus.Subscribe;T:",
            ["dotnet_code_quality.EXEC001.include_dotnet_callback_apis"] = "False ",
        }));

    public static string? RulesDirectory => RulesLocation.Value.Directory;

    public static string LocationAttempts => RulesLocation.Value.Attempts;

    public static IReadOnlyList<CorpusSource> RuleSources => Rules.Value;

    public static IReadOnlyList<CorpusSource> All => AllSources.Value;

    public static CorpusSource Get(string name)
        => All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException("No corpus source named " + name, nameof(name));

    /// <summary>Removes analyzer-test markup: <c>{|#0:</c> and <c>{|EXEC001:</c> openers, <c>|}</c> closers, <c>[|</c> and <c>|]</c>.</summary>
    public static string StripMarkup(string text)
        => MarkupOpener.Replace(text, string.Empty)
            .Replace("|}", string.Empty, StringComparison.Ordinal)
            .Replace("[|", string.Empty, StringComparison.Ordinal)
            .Replace("|]", string.Empty, StringComparison.Ordinal);

    /// <summary>
    /// The library sources of the corpus, each as its own syntax tree in its own namespace (so classes of the same name
    /// in different sources do not collide), for the determinism test.
    /// </summary>
    public static IReadOnlyList<SyntaxTree> CombinedTrees()
    {
        var trees = new List<SyntaxTree>();
        int index = 0;
        foreach (var source in All)
        {
            var tree = AnalyzerRunner.Parse(source.Text);
            var root = (CompilationUnitSyntax)tree.GetRoot();
            if (root.Members.Any(m => m is GlobalStatementSyntax) || root.ContainsDiagnostics)
            {
                continue;
            }

            string text = source.Text;
            if (!root.Members.Any(m => m is BaseNamespaceDeclarationSyntax))
            {
                int insertAt = Math.Max(root.Usings.LastOrDefault()?.FullSpan.End ?? 0, root.AttributeLists.LastOrDefault()?.FullSpan.End ?? 0);
                text = text.Insert(insertAt, $"\nnamespace Robustness.Source{index};\n");
            }

            string fileName = $"/robustness/{index:D2}_{Regex.Replace(source.Name, "[^A-Za-z0-9]+", "_")}.cs";
            trees.Add(AnalyzerRunner.Parse(text, fileName));
            index++;
        }

        return trees;
    }

    private static IReadOnlyList<CorpusSource> CombineSources() => Rules.Value.Concat(BuiltInSources).ToList();

    /// <summary>Several rule tests share a source (or differ only in markup): keep the first of each text.</summary>
    private static IReadOnlyList<CorpusSource> Distinct(IEnumerable<CorpusSource> sources)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return sources.Where(s => seen.Add(s.Text)).ToList();
    }

    private static (string? Directory, string Attempts) LocateRulesDirectory() => LocateRulesDirectory(ThisFile());

    private static string ThisFile([CallerFilePath] string path = "") => path;

    /// <summary>Finds the Rules folder from the compile-time path of this file, else (path-mapped builds) from the output directory.</summary>
    internal static (string? Directory, string Attempts) LocateRulesDirectory(string thisFile)
    {
        var attempts = new List<string>();

        // This file lives in <test project>/Robustness/; the rule tests in <test project>/Rules/.
        string? projectDirectory = Path.GetDirectoryName(Path.GetDirectoryName(thisFile));
        if (projectDirectory is not null)
        {
            string rules = Path.Combine(projectDirectory, "Rules");
            attempts.Add(rules);
            if (Directory.Exists(rules))
            {
                return (rules, string.Join(", ", attempts));
            }
        }

        // With a path map (ContinuousIntegrationBuild) the caller path is not a real path: walk up from the output directory.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in new[]
            {
                Path.Combine(directory.FullName, "Rules"),
                Path.Combine(directory.FullName, "tests", "Executor.Analyzers.Tests", "Rules"),
            })
            {
                attempts.Add(candidate);
                if (Directory.Exists(candidate) && File.Exists(Path.Combine(candidate, "..", "Executor.Analyzers.Tests.csproj")))
                {
                    return (candidate, string.Join(", ", attempts));
                }
            }
        }

        return (null, string.Join(", ", attempts));
    }

    private static IReadOnlyList<CorpusSource> ReadRuleSources()
    {
        var sources = new List<CorpusSource>();
        if (RulesDirectory is not { } directory)
        {
            return sources;
        }

        foreach (var file in Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
        {
            string relative = "Rules/" + Path.GetRelativePath(directory, file).Replace('\\', '/');
            var root = CSharpSyntaxTree.ParseText(File.ReadAllText(file), AnalyzerRunner.ParseOptions).GetRoot();
            foreach (var (line, text) in RawStringLiterals(root))
            {
                if (!LooksLikeCSharp(text))
                {
                    continue;
                }

                sources.Add(new CorpusSource($"{relative}:{line}", StripMarkup(text)));
            }
        }

        return Distinct(sources);
    }

    /// <summary>
    /// The multi-line raw string literals of a file, de-indented as the compiler does (the <c>ValueText</c> of the
    /// token; interpolations of interpolated raw strings are kept as their expression text).
    /// </summary>
    private static IEnumerable<(int Line, string Text)> RawStringLiterals(SyntaxNode root)
    {
        foreach (var node in root.DescendantNodes())
        {
            if (node is LiteralExpressionSyntax literal && literal.Token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken))
            {
                yield return (LineOf(literal), literal.Token.ValueText);
            }
            else if (node is InterpolatedStringExpressionSyntax interpolated && interpolated.StringStartToken.IsKind(SyntaxKind.InterpolatedMultiLineRawStringStartToken))
            {
                var builder = new StringBuilder();
                foreach (var content in interpolated.Contents)
                {
                    builder.Append(content switch
                    {
                        InterpolatedStringTextSyntax textPart => textPart.TextToken.ValueText,
                        InterpolationSyntax interpolation => interpolation.Expression.ToString(),
                        _ => string.Empty,
                    });
                }

                yield return (LineOf(interpolated), builder.ToString());
            }
        }

        static int LineOf(SyntaxNode node) => node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
    }

    /// <summary>Skips literals that are not C# (an .editorconfig, an expected message).</summary>
    private static bool LooksLikeCSharp(string text)
    {
        string trimmed = text.TrimStart();
        return trimmed.Length > 0
            && !trimmed.StartsWith("[*", StringComparison.Ordinal)
            && !trimmed.StartsWith("is_global", StringComparison.Ordinal)
            && !trimmed.StartsWith("root =", StringComparison.Ordinal);
    }

    public static IReadOnlyList<CorpusSource> BuiltInSources { get; } = new CorpusSource[]
    {
        // Short sources (truncated at every position) with the core patterns.
        new("builtin/short-top-level", """
            using Executor;
            int n = 0;
            new ThreadPoolExecutor().Submit(() => 1).AddDoneCallback(f => n++);
            """),

        new("builtin/short-done-callback", """
            class C { int n; void M(Executor.Future<int> f) => f.AddDoneCallback(x => n++); }
            """),

        new("builtin/short-continue-with", """
            class C { int n; void M(System.Threading.Tasks.Task t) => t.ContinueWith(_ => n++); }
            """),

        new("builtin/records-primary-constructors-collection-expressions", """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using Executor;

            public record Point(int X, int Y)
            {
                public Point Move(int dx) => this with { X = X + dx };
            }

            public readonly record struct Size(int Width, int Height);

            public sealed class Tally(ThreadPoolExecutor pool, List<int> sink)
            {
                private int _total;
                private readonly object _gate = new();
                private int[] _seed = [1, 2, 3];
                public List<string> Names { get; } = ["a", "b", .. new[] { "c" }];

                public void Run()
                {
                    int[] more = [.. _seed, 4, 5];
                    Span<int> span = [1, 2];
                    int spanLength = span.Length;
                    var future = pool.Submit(() => more.Length + spanLength);
                    future.AddDoneCallback(f => _total += f.Result());
                    future.AddDoneCallback(f => sink.Add(f.Result()));
                    future.AddDoneCallback(f => { lock (_gate) { _total++; } });
                    future.AddDoneCallback(f => _seed = [.. _seed, f.Result()]);
                    pool.Submit(() => new Point(1, 2)).AddDoneCallback(f => Names.Add(f.Result().Move(1).ToString()));
                }
            }
            """),

        new("builtin/pattern-matching-local-functions-static-lambdas", """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            abstract class Shape;
            sealed class Circle(double r) : Shape { public double R => r; }
            sealed class Square(double s) : Shape { public double S => s; }

            class Geometry
            {
                private static int s_circles;
                private double _area;
                private readonly object _gate = new();

                public void Run(ThreadPoolExecutor pool, Shape shape)
                {
                    pool.Submit(() => shape).AddDoneCallback(f =>
                    {
                        switch (f.Result())
                        {
                            case Circle { R: > 10 } big:
                                s_circles++;
                                _area += Math.PI * big.R * big.R;
                                break;
                            case Square { S: var side } when side is > 0 and < 100:
                                Add(side * side);
                                break;
                            case null or not Shape:
                                break;
                        }

                        var kind = f.Result() switch
                        {
                            Circle c when c.R < 0 => "bad",
                            Circle => "circle",
                            Square => "square",
                            _ => "other",
                        };

                        void Add(double a) => _area += a;
                        static int Twice(int x) => x * 2;
                        _ = Twice(kind.Length);
                    });

                    Func<int, int> square = static x => x * x;
                    pool.Submit(static () => 3).AddDoneCallback(static f => Console.WriteLine(f.Result()));
                    pool.Submit(() => square(2)).AddDoneCallback(OnDone);
                    pool.Submit(() => 1).AddDoneCallback(LocalCallback);

                    void LocalCallback(Future<int> f)
                    {
                        if (f.Result() is int n and > 0) { s_circles += n; }
                        lock (_gate) { _area = n2(); }
                        double n2() => _area + 1;
                    }
                }

                private void OnDone(Future<int> f) => _area = f.Result() is var v ? v : 0;
            }
            """),

        new("builtin/ref-locals-generics-partial-file-types", """
            using System;
            using System.Collections.Generic;
            using Executor;

            public partial class Store<T> where T : struct, IComparable<T>
            {
                private T[] _items = new T[4];
                private T _max;
                private static Store<T>? s_last;

                public ref T Slot(int i) => ref _items[i];

                partial void OnChanged(ref T value);

                public void Run(ThreadPoolExecutor pool, T value)
                {
                    pool.Submit(() => value).AddDoneCallback(f =>
                    {
                        ref T slot = ref Slot(0);
                        slot = f.Result();
                        ref readonly T first = ref _items[0];
                        if (first.CompareTo(_max) > 0) { _max = first; }
                        ref var last = ref _items[^1];
                        last = default;
                        Swap(ref _items[0], ref _items[1]);
                        s_last = this;
                        OnChanged(ref _max);
                    });
                }

                private static void Swap<TItem>(ref TItem a, ref TItem b) => (a, b) = (b, a);
            }

            public partial class Store<T>
            {
                partial void OnChanged(ref T value) => value = default;
            }

            file sealed class Cache<TKey, TValue> where TKey : notnull
            {
                private readonly Dictionary<TKey, TValue> _map = new();

                public void Fill(ThreadPoolExecutor pool, TKey key, Func<TKey, TValue> make)
                    => pool.Submit(() => make(key)).AddDoneCallback(f => _map[key] = f.Result());
            }

            file static class Extensions
            {
                public static void Then<TResult>(this Future<TResult> future, Action<TResult> action)
                    => future.AddDoneCallback(f => action(f.Result()));
            }
            """),

        new("builtin/top-level-statements", """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using Executor;

            using var pool = new ThreadPoolExecutor(maxWorkers: 2);
            int count = 0;
            var seen = new List<int>();
            object gate = new();

            pool.Submit(() => 1).AddDoneCallback(f => count++);
            pool.Submit(() => 2).AddDoneCallback(f => seen.Add(f.Result()));
            pool.Submit(() => 3).AddDoneCallback(f => { lock (gate) { count += f.Result(); } });
            pool.Submit(() => 4).AddDoneCallback(f => Interlocked.Increment(ref count));
            pool.Submit(Work).AddDoneCallback(Report);
            Futures.CallbackFailed += (sender, e) => count--;
            Console.WriteLine(Helper(count) + seen.Count);

            void Report(Future<int> f) => count += f.Result();
            static int Work() => 42;
            static int Helper(int x) => x * 2;

            record Message(string Text);
            """),

        new("builtin/async-streams-lock-object", """
            using System;
            using System.Collections.Generic;
            using System.Runtime.CompilerServices;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Streamer
            {
                private readonly object _gate = new object();
                private readonly Lock _newLock = new();
                private readonly List<int> _buffer = new();
                private int _received;

                public async IAsyncEnumerable<int> ReadAsync([EnumeratorCancellation] CancellationToken token = default)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        await Task.Delay(1, token);
                        yield return i;
                    }
                }

                public async Task ConsumeAsync(ThreadPoolExecutor pool)
                {
                    await foreach (var item in ReadAsync().ConfigureAwait(false))
                    {
                        var future = pool.Submit(() => item * 2);
                        future.AddDoneCallback(f =>
                        {
                            lock (_gate)
                            {
                                _buffer.Add(f.Result());
                                _received++;
                            }
                        });
                        future.AddDoneCallback(f => { lock (_newLock) { _received--; } });
                        future.AddDoneCallback(async f =>
                        {
                            await Task.Yield();
                            _received++;
                            await using var d = new AsyncThing();
                        });
                        future.AddDoneCallback(f =>
                        {
                            Monitor.Enter(_gate);
                            try { _received += 2; }
                            finally { Monitor.Exit(_gate); }
                        });
                    }
                }

                private sealed class AsyncThing : IAsyncDisposable
                {
                    public ValueTask DisposeAsync() => default;
                }
            }
            """),

        new("builtin/dotnet-callback-apis", """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class Callbacks : IDisposable
            {
                private int _ticks;
                private readonly Dictionary<string, int> _counts = new();
                private readonly object _gate = new();
                private System.Threading.Timer? _timer;
                private readonly System.Timers.Timer _timersTimer = new(100);
                private static readonly ReaderWriterLockSlim s_rw = new();

                public void Start(CancellationToken token, Task<int> task)
                {
                    task.ContinueWith(t => _ticks += t.Result);
                    task.ContinueWith(t => _counts["done"] = t.Result, TaskScheduler.Default);
                    Task.Run(() => 1).ContinueWith((t, state) => _counts.Add((string)state!, t.Result), "key");
                    token.Register(() => _ticks = 0);
                    token.Register(state => ((Callbacks)state!)._ticks++, this);
                    token.UnsafeRegister(static (s, ct) => Console.WriteLine(s), null);
                    _timer = new System.Threading.Timer(_ => _ticks++, null, 0, 100);
                    _timer = new Timer(OnTick, null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
                    _timersTimer.Elapsed += (sender, e) => _counts.Clear();
                    _timersTimer.Elapsed += OnElapsed;
                    _timersTimer.Elapsed -= OnElapsed;
                    ThreadPool.QueueUserWorkItem(_ => _ticks--);
                    ThreadPool.QueueUserWorkItem(s => s.Add("x", 1), _counts, preferLocal: false);
                    ThreadPool.UnsafeQueueUserWorkItem(_ => { lock (_gate) { _ticks++; } }, null);
                    ThreadPool.QueueUserWorkItem(delegate { s_rw.EnterWriteLock(); try { _ticks++; } finally { s_rw.ExitWriteLock(); } });
                }

                private void OnTick(object? state) => _ticks++;

                private void OnElapsed(object? sender, System.Timers.ElapsedEventArgs e) => _counts.Remove("done");

                public void Dispose() { _timer?.Dispose(); _timersTimer.Dispose(); }
            }
            """),

        new("builtin/executor-usage", """
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Linq;
            using System.Text;
            using System.Threading;
            using Executor;

            [ThreadSafe]
            public sealed class SafeLog { public void Write(string s) { } }

            public static class Bus
            {
                public static void OnEach<T>(IEnumerable<Future<T>> futures, [ConcurrentCallback] Action<T> callback)
                {
                    foreach (var f in futures) { f.AddDoneCallback(x => callback(x.Result())); }
                }
            }

            public class Worker
            {
                private int count;
                private long _bytes;
                private volatile bool _done;
                private readonly StringBuilder _text = new();
                private readonly ConcurrentDictionary<int, int> _safe = new();
                private readonly SafeLog _log = new();
                private Action<Future<int>>? _stored;
                private static List<int> s_all = new();
                [ThreadStatic] private static int t_local;

                public int Count { get; set; }
                public event EventHandler? Changed;

                public void Run()
                {
                    using var pool = new ThreadPoolExecutor(4, "worker");
                    pool.Submit(() => 1).AddDoneCallback(f => count++);
                    var futures = Enumerable.Range(0, 10).Select(i => pool.Submit(() => i)).ToList();
                    foreach (var future in futures)
                    {
                        future.AddDoneCallback(f => Interlocked.Add(ref _bytes, f.Result()));
                        future.AddDoneCallback(f => _text.Append(f.Result()));
                        future.AddDoneCallback(f => _safe[f.Result()] = 1);
                        future.AddDoneCallback(f => _log.Write("x"));
                        future.AddDoneCallback(f => Volatile.Write(ref _done, true));
                        future.AddDoneCallback(f => Count = f.Result());
                        future.AddDoneCallback(f => Changed?.Invoke(this, EventArgs.Empty));
                        future.AddDoneCallback(f => s_all.Add(t_local++));
                        future.AddDoneCallback(f => { var local = new List<int>(); local.Add(f.Result()); });
                        future.AddDoneCallback(delegate (Future<int> f) { count--; });
                    }

                    Action<Future<int>> callback = f => count += 2;
                    futures[0].AddDoneCallback(callback);
                    _stored = f => count *= 3;
                    futures[0].AddDoneCallback(_stored);
                    Bus.OnEach(futures, x => count += x);
                    Future plain = pool.Submit(() => { });
                    plain.AddDoneCallback(f => count = 0);
                    pool.Submit<string, int>(s => s.Length, "abc").AddDoneCallback(f => Deep(0));
                    var results = pool.Map(x => x * 2, new[] { 1, 2, 3 }, TimeSpan.FromSeconds(1)).ToList();
                    var (done, notDone) = Futures.Wait(futures, null, ReturnWhen.FirstCompleted);
                    foreach (var f in Futures.AsCompleted(futures)) { count += f.IsDone ? 1 : 0; }
                }

                private void Deep(int depth) { if (depth < 10) { Deeper(depth + 1); } else { count++; } }
                private void Deeper(int depth) => Deep(depth + 1);
            }
            """),

        new("builtin/method-groups-across-apis", """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Shared
            {
                private int _hits;
                private int _misses;

                private void Hit(Future<int> f) => _hits++;
                private void Miss(object? state) => _misses++;
                private void Either(Task<int> t) => _hits--;

                public void A(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(Hit);
                public void B(ThreadPoolExecutor pool) { var f = pool.Submit(() => 2); f.AddDoneCallback(Hit); f.AddDoneCallback(Hit); }
                public void C(CancellationToken token) => token.Register(Miss, null);
                public void D() => ThreadPool.QueueUserWorkItem(Miss);
                public void E(Task<int> task) => task.ContinueWith(Either);
                public void F() => new Timer(Miss, null, 0, 1);

                public void G(ThreadPoolExecutor pool, CancellationToken token)
                {
                    Action<Future<int>> shared = f => _misses++;
                    pool.Submit(() => 3).AddDoneCallback(shared);
                    pool.Submit(() => 4).AddDoneCallback(shared);
                    void Local(object? s) => _hits += 2;
                    token.Register(Local, null);
                    ThreadPool.QueueUserWorkItem(Local);
                }
            }
            """),

        new("builtin/recursion-and-calls", """
            using System;
            using System.Collections.Generic;
            using Executor;

            interface IThing { void Touch(); }
            abstract class Base : IThing { public abstract void Touch(); public virtual void Poke() => Touch(); }

            class Node : Base
            {
                private int _value;
                private Node? _next;
                private readonly List<Node> _children = new();
                public int this[int i] { get => _children[i]._value; set => _children[i]._value = value; }
                public static Node operator +(Node a, Node b) { a._value += b._value; return a; }
                public static implicit operator int(Node n) => n._value;

                public override void Touch() => _value++;
                public void Ping(int n) { if (n > 0) { Pong(n - 1); } }
                public void Pong(int n) { _value += n; Ping(n); }
                public int Depth() => _next is null ? 0 : 1 + _next.Depth();
                public void Chain1() => Chain2();
                public void Chain2() => Chain3();
                public void Chain3() => Chain4();
                public void Chain4() => Chain5();
                public void Chain5() => _value = 5;
                extern static void External();

                public void Run(ThreadPoolExecutor pool, IThing thing)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        Ping(3);
                        Chain1();
                        thing.Touch();
                        Poke();
                        this[0] = Depth();
                        _ = this + this;
                        int v = this;
                        _next?.Touch();
                        _children.ForEach(c => c._value++);
                        new Node().Touch();
                        var local = new Node();
                        local._value++;
                        Recurse(f)(f);
                    });
                }

                private Action<Future<int>> Recurse(Future<int> f) => g => Recurse(g)(g);
            }
            """),

        new("builtin/custom-callback-apis-from-options", """
            using System;
            using System.Threading;

            namespace Demo
            {
                public sealed class SafeCounter { public int Value; public void Increment() => Value++; }
                public sealed class Box<T> { public T? Item; }

                public sealed class EventBus
                {
                    public event Action<int>? Changed;
                    public void Subscribe(Action<int> handler) => Changed += handler;
                    public void Subscribe(Action<int> handler, int priority) => Changed += handler;
                    public void Post(Action<int> handler) => handler(1);
                }

                public class Consumer
                {
                    private int _seen;
                    private readonly SafeCounter _counter = new();
                    private readonly Box<int> _box = new();

                    public void Wire(EventBus bus, Timer? timer, CancellationToken token)
                    {
                        bus.Subscribe(x => _seen += x);
                        bus.Subscribe(x => _counter.Increment(), 2);
                        bus.Post(x => _box.Item = x);
                        bus.Changed += x => _seen--;
                        bus.Changed += OnChanged;
                        token.Register(() => _seen = 0);
                    }

                    private void OnChanged(int x) => _counter.Value = x;
                }
            }
            """),

        new("builtin/assorted-features", """
            #nullable enable
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using Executor;
            using static System.Math;
            using Pair = (int Left, int Right);

            namespace Assorted;

            public interface IHasZero<TSelf> where TSelf : IHasZero<TSelf> { static abstract TSelf Zero { get; } }

            public struct Counter
            {
                public int Value;
                public void Run(ThreadPoolExecutor pool)
                {
                    var self = this;
                    pool.Submit(() => 1).AddDoneCallback(f => self.Value++);
                }
            }

            public ref struct Window { public Span<int> Data; }

            public unsafe class Features
            {
                private int _n;
                private (int A, string B) _pair;
                private Pair _alias;
                private dynamic? _dyn;
                private int[,] _grid = new int[2, 2];
                private readonly Dictionary<string, List<int>> _index = new();

                public void Run(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 2).AddDoneCallback(f =>
                    {
                        (_n, _pair.B) = (f.Result(), "x");
                        _pair.A += Abs(-1);
                        _alias = (1, 2);
                        _dyn = f.Result();
                        _dyn.Foo();
                        _grid[0, 1] = 3;
                        _index["a"].Add(1);
                        var q = from x in _index where x.Key.Length > 0 select x.Value.Count;
                        _n = q.Sum();
                        Span<int> s = stackalloc int[2];
                        fixed (int* p = &_grid[0, 0]) { *p = 1; }
                        int? maybe = null;
                        _n = maybe ?? _n;
                        _n = checked(_n + 1);
                        _ = nameof(_n);
                        _ = $"{_n,5:D3} {_pair}";
                        _ = default(Window).Data.Length;
                        _ = f switch { { IsDone: true } => 1, _ => 0 };
                        goto end;
                    end:
                        ;
                    });
                    pool.Submit(() => 3).AddDoneCallback(f => _n = new Func<int>(() => _n + 1)());
                    pool.Submit(() => 4).AddDoneCallback(f => { using (new Mutex()) { _n++; } });
                    pool.Submit(() => 5).AddDoneCallback(f => { var sem = new SemaphoreSlim(1); sem.Wait(); try { _n++; } finally { sem.Release(); } });
                }
            }
            """),

        // Parallel loops that accumulate: the shapes EXEC002's thread-local rewrite takes and the look-alikes it refuses.
        new("builtin/parallel-accumulations", """
            using System;
            using System.Collections.Concurrent;
            using System.Linq;
            using System.Threading.Tasks;

            public sealed class Totals
            {
                private static long s_all;
                private int _hits;
                private int _seen;
                private int _outer;
                private long _sum;
                private double _mean;

                public long Sum => _sum;

                public long Run(int n, long[] items, ParallelOptions options)
                {
                    int count = 0, ranges = 0, inner = 0, guarded = 0;
                    long total = 0, balance = 0, logged = 0, progress = 0;
                    Parallel.For(0, n, i => count += i);
                    Parallel.For(0L, n, i => { long sq = i * i; _sum += sq; });
                    Parallel.ForEach(items, options, x => total -= x);
                    Parallel.ForEach(items, _ => _seen++);
                    Parallel.ForEach(items, (x, state, index) => { if (index > 10) { state.Break(); return; } s_all += x; });
                    Parallel.ForEach(Partitioner.Create(0, n), range => { ranges++; });
                    Parallel.For(0, n, (i, state) => { if (i % 2 == 0) balance++; else balance--; });
                    Parallel.For(0, n, static i => s_all += i);
                    Parallel.For(0, n, i =>
                    {
                        Parallel.For(0, i, j => inner++);
                        _outer++;
                    });
                    Parallel.For(0, n, i => { _mean += i; });
                    Parallel.For(0, n, i => { logged += i; Console.WriteLine(i); });
                    Parallel.For(0, n, i => { checked { guarded += i; } });
                    items.AsParallel().ForAll(x => total += x);
                    Func<long> read = () => progress;
                    Parallel.For(0, n, i => progress++);
                    return count + total + balance + ranges + inner + logged + guarded + read();
                }

                public void Expression(int n) => Parallel.For(0, n, i => _hits += i);
            }
            """),

        new("builtin/half-typed-and-errors", """
            using System;
            using Executor;

            class Broken
            {
                private int _x;
                private Missing _missing;

                void A(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f => _x++, 3);
                    pool.Submit(() => 1).AddDoneCallback((f, g) => _x++);
                    pool.Submit(() => 1).AddDoneCallback(f => _missing.Go());
                    pool.Submit(() => 1).AddDoneCallback(f => _y++);
                    pool.Submit(() => 1).AddDoneCallback(f => { _x++; return 1; });
                    pool.Submit(() => 1).AddDoneCallback(NoSuchMethod);
                    pool.Submit(() => 1).AddDoneCallback(f => _x = f.);
                    pool.Submit(() => 1).AddDoneCallback(f => lock () { _x++; });
                    pool.Submit(() => 1).AddDoneCallback(f => lock (_x) { _x++; });
                    pool.Submit(() => 1).AddDoneCallback(f => new Missing(_x++));
                    pool.Submit().AddDoneCallback(f => _x++);
                    pool.Submit(() => 1).AddDoneCallback(
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    pool.Submit(() => 1).AddDoneCallback(f => _x
                    Unknown.AddDoneCallback(f => _x++);
                    pool.Submit(() => 1).AddDoneCallback(static f => _x++);
                }

                void B(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(ref _x);
                int C => pool.Submit(() => 1).AddDoneCallback(f => _x++);
                void D(ThreadPoolExecutor pool) { pool.Submit(() => 1).AddDoneCallback(f => { void L() => L(); L(); _x++; }); }
            """),
    };

    /// <summary>Options read from a fixed dictionary, the same for every tree.</summary>
    private sealed class DictionaryConfigOptionsProvider : AnalyzerConfigOptionsProvider
    {
        private readonly DictionaryConfigOptions _options;

        public DictionaryConfigOptionsProvider(Dictionary<string, string> values) => _options = new DictionaryConfigOptions(values);

        public override AnalyzerConfigOptions GlobalOptions => _options;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _options;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _options;
    }

    private sealed class DictionaryConfigOptions : AnalyzerConfigOptions
    {
        private readonly Dictionary<string, string> _values;

        public DictionaryConfigOptions(Dictionary<string, string> values) => _values = new Dictionary<string, string>(values, KeyComparer);

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value)
        {
            if (_values.TryGetValue(key, out var found))
            {
                value = found;
                return true;
            }

            value = null;
            return false;
        }
    }
}

/// <summary>Builds the broken variants of a source.</summary>
internal static class Variants
{
    // Tuned so the whole class runs in well under a minute on 2 cores with ~90 sources; scale these if the corpus grows a lot.

    /// <summary>Sources up to this length are truncated at every position.</summary>
    private const int ShortSourceLength = 100;

    /// <summary>
    /// Longer sources: every <c>TruncationStride</c>-th position and right after key punctuation (<c>. ( =&gt; , = {</c>),
    /// thinned out evenly to <c>length / TruncationStride</c> points, but no fewer than <see cref="MinTruncationPoints"/>
    /// and no more than <see cref="MaxTruncationPoints"/>.
    /// </summary>
    private const int TruncationStride = 7;

    private const int MinTruncationPoints = 40;

    private const int MaxTruncationPoints = 48;

    /// <summary>Variants with one random token deleted (seeded by the source name, so the same every run).</summary>
    private const int TokenDeletions = 20;

    /// <summary>Variants with the rest of one random line cut off, the lines after it intact (typing in the middle of a file).</summary>
    private const int LineCuts = 4;

    public static IReadOnlyList<Variant> For(CorpusSource source)
    {
        string text = source.Text;
        var variants = new List<Variant>
        {
            new("full source", text, RobustnessCorpus.DefaultOptions),
            new("full source, with EXEC001 options", text, RobustnessCorpus.ConfiguredOptions),
        };

        foreach (int point in TruncationPoints(text))
        {
            variants.Add(new($"truncated at {point} of {text.Length}", text.Substring(0, point), RobustnessCorpus.DefaultOptions));
        }

        var random = new Random(StableSeed(source.Name));
        var tokens = AnalyzerRunner.Parse(text).GetRoot().DescendantTokens().Where(t => t.Span.Length > 0).ToList();
        for (int i = 0; i < TokenDeletions && tokens.Count > 0; i++)
        {
            var token = tokens[random.Next(tokens.Count)];
            string broken = text.Remove(token.SpanStart, token.Span.Length);
            var options = i % 2 == 0 ? RobustnessCorpus.DefaultOptions : RobustnessCorpus.ConfiguredOptions;
            variants.Add(new($"token '{token.Text}' deleted at {token.SpanStart}" + (i % 2 == 0 ? string.Empty : ", with EXEC001 options"), broken, options));
        }

        for (int i = 0; i < LineCuts && text.Length > 0; i++)
        {
            // Typing in the middle of a file: the rest of one line is missing, the lines after it are intact.
            int start = random.Next(text.Length);
            int end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end;
            variants.Add(new($"line cut from {start} to {end}", text.Remove(start, end - start), RobustnessCorpus.DefaultOptions));
        }

        // Different edits can give the same text (deleting either of two adjacent equal tokens): run each text once.
        var seen = new HashSet<(string, AnalyzerOptions)>();
        return variants.Where(v => seen.Add((v.Text, v.Options))).ToList();
    }

    private static IEnumerable<int> TruncationPoints(string text)
    {
        if (text.Length <= ShortSourceLength)
        {
            return Enumerable.Range(0, text.Length);
        }

        var points = new SortedSet<int>();
        for (int i = 0; i < text.Length; i += TruncationStride)
        {
            points.Add(i);
        }

        // Right after the punctuation where a half-typed expression typically stops.
        foreach (var token in AnalyzerRunner.Parse(text).GetRoot().DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.DotToken) || token.IsKind(SyntaxKind.OpenParenToken) || token.IsKind(SyntaxKind.EqualsGreaterThanToken)
                || token.IsKind(SyntaxKind.CommaToken) || token.IsKind(SyntaxKind.EqualsToken) || token.IsKind(SyntaxKind.OpenBraceToken))
            {
                points.Add(token.Span.End);
            }
        }

        // At least MinTruncationPoints evenly spaced points, even where punctuation is sparse.
        int target = Math.Clamp(text.Length / TruncationStride, MinTruncationPoints, MaxTruncationPoints);
        for (int i = 0; points.Count < target && i < target; i++)
        {
            points.Add((int)((long)i * text.Length / target));
        }

        points.Remove(text.Length);
        var all = points.ToList();
        if (all.Count <= target)
        {
            return all;
        }

        // Too many: keep an evenly spread subset.
        return Enumerable.Range(0, target).Select(i => all[(int)((long)i * all.Count / target)]).Distinct();
    }

    /// <summary>A seed that does not change between runs (string.GetHashCode does).</summary>
    private static int StableSeed(string name)
    {
        unchecked
        {
            int hash = (int)2166136261;
            foreach (char c in name)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash;
        }
    }
}

/// <summary>Compiles sources against the running runtime's assemblies plus Executor.Runtime and runs EXEC001 on them.</summary>
internal static class AnalyzerRunner
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(CreateReferences);

    /// <summary>Empty compilations that every input is added to, so the references are bound once, not once per input.</summary>
    private static readonly Lazy<CSharpCompilation> LibraryCompilation = new(() => CreateBase(OutputKind.DynamicallyLinkedLibrary));

    private static readonly Lazy<CSharpCompilation> ConsoleCompilation = new(() => CreateBase(OutputKind.ConsoleApplication));

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    /// <summary>Every analyzer the package ships, found by reflection so a new rule is covered without editing this file.</summary>
    private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> AllAnalyzers = new(() => typeof(EXEC001UnsynchronizedCallbackAccessAnalyzer).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), inherit: false).Length > 0)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray());

    public static SyntaxTree Parse(string text, string path = "/robustness/Test.cs")
        => CSharpSyntaxTree.ParseText(text, ParseOptions, path);

    public static async Task<(ImmutableArray<Diagnostic> Diagnostics, ImmutableList<string> Exceptions)> RunAsync(
        IReadOnlyList<SyntaxTree> trees, AnalyzerOptions options, bool concurrent, CancellationToken cancellationToken = default)
    {
        // Top-level statements need an executable; everything else compiles as a library.
        bool topLevel = trees.Any(t => ((CompilationUnitSyntax)t.GetRoot(cancellationToken)).Members.Any(m => m is GlobalStatementSyntax));
        var compilation = (topLevel ? ConsoleCompilation : LibraryCompilation).Value.AddSyntaxTrees(trees);

        var exceptions = ImmutableList<string>.Empty;
        var withAnalyzers = compilation.WithAnalyzers(
            AllAnalyzers.Value,
            new CompilationWithAnalyzersOptions(
                options,
                onAnalyzerException: (exception, analyzer, diagnostic) => ImmutableInterlocked.Update(ref exceptions, list => list.Add(exception.ToString())),
                concurrentAnalysis: concurrent,
                logAnalyzerExecutionTime: false));

        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken);
        return (diagnostics, exceptions);
    }

    /// <summary>Runs the analyzer on one source; returns what went wrong, or null.</summary>
    public static async Task<Failure?> FindFailureAsync(string text, AnalyzerOptions options, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource();
        try
        {
            var (diagnostics, exceptions) = await RunAsync(new[] { Parse(text) }, options, concurrent: true, cancellation.Token).WaitAsync(timeout);
            if (!exceptions.IsEmpty)
            {
                return new Failure(Signature(exceptions[0]), string.Join("\n\n", exceptions));
            }

            var ad0001 = diagnostics.Where(d => d.Id == "AD0001").ToList();
            if (ad0001.Count > 0)
            {
                string details = string.Join("\n\n", ad0001.Select(d => d.ToString()));
                return new Failure(Signature(details), details);
            }

            return null;
        }
        catch (TimeoutException)
        {
            cancellation.Cancel();
            return new Failure("timeout", $"The analyzer did not finish within {timeout.TotalSeconds:0} s (a hang or runaway recursion).");
        }
        catch (Exception exception)
        {
            // The driver itself failed (an exception the analyzer host did not catch).
            return new Failure(Signature(exception.ToString()), exception.ToString());
        }
    }

    /// <summary>Groups failures by exception type and the first analyzer frame, so a report names each distinct crash once.</summary>
    private static string Signature(string exceptionText)
    {
        var lines = exceptionText.Split('\n').Select(l => l.Trim()).ToList();
        string type = Regex.Match(exceptionText, @"[A-Za-z0-9_.]+Exception").Value;
        string? frame = lines.FirstOrDefault(l => l.StartsWith("at Executor.Analyzers.", StringComparison.Ordinal))
            ?? lines.FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal));
        if (frame is not null)
        {
            int inFile = frame.IndexOf(" in ", StringComparison.Ordinal);
            frame = inFile > 0 ? frame.Substring(0, inFile) : frame;
        }

        return type + " " + (frame ?? lines.FirstOrDefault() ?? string.Empty);
    }

    private static CSharpCompilation CreateBase(OutputKind kind)
    {
        var compilation = CSharpCompilation.Create(
            "RobustnessInput",
            syntaxTrees: null,
            References,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        _ = compilation.GetTypeByMetadataName("Executor.ThreadPoolExecutor") ?? throw new InvalidOperationException("Executor.Runtime is not referenced.");
        return compilation;
    }

    private static ImmutableArray<MetadataReference> CreateReferences()
    {
        // The running runtime's own assemblies (not the test's package dependencies, which would duplicate types) plus Executor.Runtime.
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(p), runtimeDirectory, StringComparison.OrdinalIgnoreCase))
            .Append(typeof(Executor.ThreadPoolExecutor).Assembly.Location)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(p => p, StringComparer.Ordinal);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}

/// <summary>Turns failures into an actionable message: each distinct crash once, with the exception and the smallest source that triggers it.</summary>
internal static class FailureReport
{
    private const int MaxSourceChars = 4000;
    private const int MaxExceptionChars = 5000;

    public static async Task<string> DescribeAsync(string sourceName, int runs, IReadOnlyList<Failure> failures)
    {
        var builder = new StringBuilder();
        var groups = failures.GroupBy(f => f.Signature).OrderByDescending(g => g.Count()).ToList();
        builder.AppendLine($"EXEC001 failed on {failures.Count} of {runs} inputs derived from '{sourceName}' ({groups.Count} distinct failure(s)).");
        foreach (var group in groups)
        {
            var smallest = group.OrderBy(f => f.Source.Length).ThenBy(f => f.Variant, StringComparer.Ordinal).First();
            string minimal = await Minimizer.MinimizeAsync(smallest);
            builder.AppendLine();
            builder.AppendLine(new string('=', 100));
            builder.AppendLine($"{group.Count()} input(s) failed with: {group.Key}");
            builder.AppendLine($"Smallest failing input: {smallest.Variant} (of '{sourceName}'), {smallest.Source.Length} chars"
                + (ReferenceEquals(smallest.Options, RobustnessCorpus.ConfiguredOptions) ? ", with the EXEC001 options of RobustnessCorpus.ConfiguredOptions" : string.Empty));
            builder.AppendLine("---- exception ----");
            builder.AppendLine(Clip(smallest.Details, MaxExceptionChars));
            if (minimal != smallest.Source)
            {
                builder.AppendLine($"---- minimized source that fails the same way ({minimal.Length} chars) ----");
                builder.AppendLine(minimal);
            }
            else
            {
                builder.AppendLine("---- (not minimized further: no smaller input found, or the minimization budget went to earlier failures) ----");
            }

            builder.AppendLine("---- failing source, exactly ----");
            builder.AppendLine(Clip(smallest.Source, MaxSourceChars));
            builder.AppendLine("---- end ----");
        }

        return builder.ToString();
    }

    /// <summary>Keeps the start and the end (where a truncated source breaks off) of a long text.</summary>
    private static string Clip(string text, int max)
        => text.Length <= max
            ? text
            : text.Substring(0, max / 2) + $"\n[... {text.Length - max} chars omitted ...]\n" + text.Substring(text.Length - (max / 2));
}

/// <summary>Shrinks a failing source (lines, then tokens) while it still fails with the same signature, within a budget.</summary>
internal static class Minimizer
{
    private const int MaxRuns = 300;

    /// <summary>Minimizing is for a human reading one failure: when everything fails (say, an analyzer that always throws), minimize only a few.</summary>
    private const int MaxMinimizations = 3;

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private static int s_minimizations;

    public static async Task<string> MinimizeAsync(Failure failure)
    {
        if (Interlocked.Increment(ref s_minimizations) > MaxMinimizations)
        {
            return failure.Source;
        }

        var options = failure.Options ?? RobustnessCorpus.DefaultOptions;
        var stopwatch = Stopwatch.StartNew();
        int runs = 0;
        string current = failure.Source;

        async Task<bool> StillFails(string candidate)
        {
            if (runs++ >= MaxRuns || stopwatch.Elapsed > Budget)
            {
                return false;
            }

            var result = await AnalyzerRunner.FindFailureAsync(candidate, options, TimeSpan.FromSeconds(20));
            return result is not null && result.Signature == failure.Signature;
        }

        // Lines, in chunks of decreasing size.
        var lines = current.Split('\n').ToList();
        for (int chunk = Math.Max(1, lines.Count / 2); chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start < lines.Count;)
            {
                var candidate = lines.Take(start).Concat(lines.Skip(start + chunk)).ToList();
                if (candidate.Count < lines.Count && await StillFails(string.Join("\n", candidate)))
                {
                    lines = candidate;
                }
                else
                {
                    start += chunk;
                }
            }
        }

        current = string.Join("\n", lines);

        // Then single tokens, from the end.
        var tokens = AnalyzerRunner.Parse(current).GetRoot().DescendantTokens().Where(t => t.Span.Length > 0).Reverse().ToList();
        foreach (var token in tokens)
        {
            string candidate = current.Remove(token.SpanStart, token.Span.Length);
            if (await StillFails(candidate))
            {
                current = candidate;
            }
        }

        return current;
    }
}
