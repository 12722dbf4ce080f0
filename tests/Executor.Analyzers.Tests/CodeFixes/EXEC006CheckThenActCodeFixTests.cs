using System.Threading;
using System.Threading.Tasks;
using Executor.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC006CheckThenActAnalyzer, Executor.CodeFixes.EXEC006CheckThenActCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>The EXEC006 fixes: TryAdd for a missing-key check then set, ImmutableInterlocked.Update for a read-modify-write of an immutable collection.</summary>
public class EXEC006CheckThenActCodeFixTests
{
    private static DiagnosticResult At(int marker) => new DiagnosticResult(DiagnosticIds.CheckThenAct, DiagnosticSeverity.Warning).WithLocation(marker).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    private static async Task VerifyAsync(string source, string fixedSource, string? key, DiagnosticResult[] expected, DiagnosticResult[]? remaining = null)
    {
        var test = new VerifyCS.Test { TestCode = source, FixedCode = fixedSource, CodeActionEquivalenceKey = key };
        test.ExpectedDiagnostics.AddRange(expected);
        if (remaining is not null)
        {
            test.FixedState.ExpectedDiagnostics.AddRange(remaining);
        }

        await test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task MissingKeyThenSet_BecomesTryAdd_FixAll()
    {
        await VerifyAsync("""
            using System.Collections.Concurrent;
            using System.Threading.Tasks;

            class Cache
            {
                private readonly ConcurrentDictionary<string, int> _lengths = new();
                private const int Unknown = -1;

                public void Fill(string[] words, int fallback) => Parallel.ForEach(words, w =>
                {
                    // Known words keep their value.
                    if (!_lengths.ContainsKey(w)) {|#0:_lengths[w] = fallback|};
                    if (!_lengths.ContainsKey("x"))
                    {
                        {|#1:_lengths["x"] = Unknown|};
                    }
                });
            }
            """, """
            using System.Collections.Concurrent;
            using System.Threading.Tasks;

            class Cache
            {
                private readonly ConcurrentDictionary<string, int> _lengths = new();
                private const int Unknown = -1;

                public void Fill(string[] words, int fallback) => Parallel.ForEach(words, w =>
                {
                    // Known words keep their value.
                    _lengths.TryAdd(w, fallback);
                    _lengths.TryAdd("x", Unknown);
                });
            }
            """, EXEC006CheckThenActCodeFix.UseAtomicOperationKey, new[] { At(0), At(1) });
    }

    [Fact]
    public async Task MissingKeyThenSet_WithSideEffectsOrElseOrMoreConditions_NoFix()
    {
        const string source = """
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class Cache
            {
                private readonly ConcurrentDictionary<string, List<int>> _lists = new();
                private readonly ConcurrentDictionary<string, int> _lengths = new();

                public void Fill(string w, bool flag) => Task.Run(() =>
                {
                    if (!_lengths.ContainsKey(w)) {|#0:_lengths[w] = Load(w)|};
                    if (!_lists.ContainsKey(w)) {|#1:_lists[w] = new List<int>()|};
                    if (!_lengths.ContainsKey(w)) {|#2:_lengths[w] = 1|}; else System.Console.WriteLine();
                    if (flag && !_lengths.ContainsKey(w)) {|#3:_lengths[w] = 2|};
                    if (!_lengths.TryGetValue(w, out var old)) {|#4:_lengths[w] = 3|};
                    if (!_lengths.ContainsKey(w)) { {|#5:_lengths[w] = 4|}; System.Console.WriteLine(); }
                    if (!_lengths.ContainsKey(w.Trim())) {|#6:_lengths[w.Trim()] = 5|};
                    if (!_lengths.ContainsKey(w))
                    {
                        // Keep this comment.
                        {|#7:_lengths[w] = 6|};
                    }

                });

                private static int Load(string w) => w.Length;
            }
            """;
        await VerifyAsync(source, source, null, new[] { At(0), At(1), At(2), At(3), At(4), At(5), At(7) }, new[] { At(0), At(1), At(2), At(3), At(4), At(5), At(7) });
    }

    [Fact]
    public async Task ImmutableFieldReadModifyWrite_BecomesUpdate_FixAll()
    {
        await VerifyAsync("""
            using System.Collections.Immutable;
            using Executor;

            class Log
            {
                private ImmutableList<string> _lines = ImmutableList<string>.Empty;
                private static ImmutableDictionary<string, int> s_counts = ImmutableDictionary<string, int>.Empty;

                public void Write(Future<string> future, string key) => future.AddDoneCallback(f =>
                {
                    {|#0:this._lines = _lines.Add(key).Add("done")|};
                    {|#1:s_counts = s_counts.SetItem(key, s_counts.Count + 1)|};
                });
            }
            """, """
            using System.Collections.Immutable;
            using Executor;

            class Log
            {
                private ImmutableList<string> _lines = ImmutableList<string>.Empty;
                private static ImmutableDictionary<string, int> s_counts = ImmutableDictionary<string, int>.Empty;

                public void Write(Future<string> future, string key) => future.AddDoneCallback(f =>
                {
                    ImmutableInterlocked.Update(ref this._lines, lines => lines.Add(key).Add("done"));
                    ImmutableInterlocked.Update(ref s_counts, counts => counts.SetItem(key, counts.Count + 1));
                });
            }
            """, EXEC006CheckThenActCodeFix.UseAtomicOperationKey, new[] { At(0), At(1) });
    }

    [Fact]
    public async Task ImmutableArrayAndCapturedLocal_BecomeUpdate_NamesAvoidScope()
    {
        await VerifyAsync("""
            using System.Collections.Immutable;
            using System.Threading.Tasks;

            class Log
            {
                private ImmutableArray<int> _items = ImmutableArray<int>.Empty;

                public void Run()
                {
                    var seen = ImmutableHashSet<int>.Empty;
                    Parallel.For(0, 10, i =>
                    {
                        var items = i;
                        {|#0:_items = _items.Add(items)|};
                        {|#1:seen = seen.Add(i)|};
                    });
                }
            }
            """, """
            using System.Collections.Immutable;
            using System.Threading.Tasks;

            class Log
            {
                private ImmutableArray<int> _items = ImmutableArray<int>.Empty;

                public void Run()
                {
                    var seen = ImmutableHashSet<int>.Empty;
                    Parallel.For(0, 10, i =>
                    {
                        var items = i;
                        ImmutableInterlocked.Update(ref _items, current => current.Add(items));
                        ImmutableInterlocked.Update(ref seen, current => current.Add(i));
                    });
                }
            }
            """, EXEC006CheckThenActCodeFix.UseAtomicOperationKey, new[] { At(0), At(1) });
    }

    [Fact]
    public async Task Update_AddsTheUsingWhenMissing()
    {
        await VerifyAsync("""
            using System.Threading.Tasks;

            class Log
            {
                private System.Collections.Immutable.ImmutableList<int> _list = System.Collections.Immutable.ImmutableList<int>.Empty;

                public void Run() => Task.Run(() => { {|#0:_list = _list.Remove(3)|}; });
            }
            """, """
            using System.Collections.Immutable;
            using System.Threading.Tasks;

            class Log
            {
                private System.Collections.Immutable.ImmutableList<int> _list = System.Collections.Immutable.ImmutableList<int>.Empty;

                public void Run() => Task.Run(() => { ImmutableInterlocked.Update(ref _list, list => list.Remove(3)); });
            }
            """, EXEC006CheckThenActCodeFix.UseAtomicOperationKey, new[] { At(0) });
    }

    [Fact]
    public async Task Update_NotOffered_ForSideEffectsVolatileOrUsedValue()
    {
        const string source = """
            using System.Collections.Immutable;
            using System.Threading.Tasks;

            class Log
            {
                private ImmutableList<int> _list = ImmutableList<int>.Empty;
                private volatile ImmutableList<int> _volatile = ImmutableList<int>.Empty;
                private int _next;

                public void Run() => Task.Run(() =>
                {
                    {|#0:_list = _list.Add(Next())|};
                    {|#1:_volatile = _volatile.Add(1)|};
                    var now = {|#2:_list = _list.Add(2)|};
                    {|#3:_list = _list.RemoveAll(x => x > _next)|};
                });

                public Task<ImmutableList<int>> RunValue() => Task.Run(() => {|#4:_list = _list.Add(5)|});

                private int Next() => ++_next;
            }
            """;
        await VerifyAsync(source, source, null, new[] { At(0), At(1), At(2), At(3), At(4) }, new[] { At(0), At(1), At(2), At(3), At(4) });
    }

    [Fact]
    public async Task PatternsWithoutAnExactRewrite_NoFix()
    {
        const string source = """
            using System;
            using System.Collections.Concurrent;
            using System.Threading.Tasks;

            class Counter
            {
                private readonly ConcurrentDictionary<string, int> _hits = new();
                private readonly ConcurrentQueue<int> _queue = new();

                public void Count(string url) => Task.Run(() =>
                {
                    {|#0:_hits[url] += 1|};
                    {|#1:_hits[url]++|};
                    if (_hits.TryGetValue(url, out var n)) {|#2:_hits[url] = n + 1|};
                    if (!_queue.IsEmpty) { {|#3:_queue.TryDequeue(out var x)|}; Console.WriteLine(x); }
                });
            }
            """;
        await VerifyAsync(source, source, null, new[] { At(0), At(1), At(2), At(3) }, new[] { At(0), At(1), At(2), At(3) });
    }
}
