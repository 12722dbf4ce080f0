using System;
using System.IO;

namespace AnalyzerScale;

/// <summary>
/// Generates a project whose code is ONE large file with thousands of lambdas (the pattern of vs-threading issue #701,
/// where a 4,000-line file took 87 s to analyze). Half of the lines are one huge method that registers callbacks which
/// capture the method's locals (the worst case for any per-lambda scan of the enclosing method); the other half are
/// many small methods of the same class with callbacks and LINQ lambdas (the worst case for per-type scans).
/// </summary>
internal static class BigFileGenerator
{
    public static GenerationResult Generate(GeneratorSettings settings)
    {
        var result = new GenerationResult();
        string src = ProjectGenerator.PrepareDirectory(settings);
        var random = new Random(settings.Seed);
        long callbackIndex = 0;

        var w = new CodeWriter();
        w.Block(ProjectGenerator.Usings);
        w.Line();
        w.Line("namespace Gen.Big;");
        w.Line();
        w.Line("/// <summary>One very large class in one very large file.</summary>");
        w.Open("public sealed class BigRegistry");
        w.Block("""
            private readonly object _gate = new object();
            private readonly ThreadPoolExecutor _pool;
            private readonly List<string> _items = new List<string>();
            private readonly ConcurrentQueue<int> _queue = new ConcurrentQueue<int>();
            private int _hits;
            private long _total;
            private int _last;

            public BigRegistry(ThreadPoolExecutor pool)
            {
                _pool = pool;
            }

            private static int Compute(int x) => unchecked((x * 31) ^ (x >> 3));

            private static void Log(string label, int value) => Console.WriteLine(label + value);
            """);

        // Part 1: one huge method, about half of the lines.
        int half = settings.Lines / 2;
        w.Line();
        w.Open("public long RegisterAll(CancellationToken token, Task<int>[] tasks)");
        w.Block("""
            var gate = new object();
            var label = "big";
            int sum = 0;
            long total = 0;
            """);
        int j = 0;
        while (w.Lines < half)
        {
            w.Line();
            bool isUnsafe = ProjectGenerator.PickCallback(random, settings, ref callbackIndex).ExpectedDiagnostics > 0;
            if (isUnsafe)
            {
                // One EXEC001: increments field 'BigRegistry._hits'.
                w.Line($"_pool.Submit(() => Compute({j})).AddDoneCallback(f => _hits++);");
                result.Callbacks++;
                result.UnsafeCallbacks++;
                result.ExpectedDiagnostics++;
                result.Lambdas += 2;
            }
            else
            {
                callbackIndex += 2; // the next lines register three callbacks in all
                w.Block($$"""
                    _pool.Submit(() => Compute({{j}})).AddDoneCallback(f =>
                    {
                        lock (gate)
                        {
                            sum += f.Result();
                        }

                        Log(label, {{j}});
                    });
                    tasks[{{j % 8}}].ContinueWith(t => Interlocked.Add(ref total, t.Result), TaskScheduler.Default);
                    token.Register(() => Log(label, {{j}}));
                    var q{{j}} = Enumerable.Range(0, {{j % 10 + 1}}).Where(x => x % 3 == 0).Select(x => x * {{j}}).Sum();
                    """);
                result.Callbacks += 3;
                result.Lambdas += 6;
            }

            j++;
        }

        w.Line();
        w.Line("return sum + total;");
        w.Close();

        // Part 2: many small methods in the same class.
        int id = 0;
        while (w.Lines < settings.Lines - 2)
        {
            w.Line();
            var template = ProjectGenerator.PickCallback(random, settings, ref callbackIndex);
            string text = template.ExpectedDiagnostics > 0
                ? $$"""
                    public void Unsafe{{id}}(int input)
                    {
                        _pool.Submit(() => Compute(input + {{id}})).AddDoneCallback(f => _total += f.Result());
                    }
                    """
                : $$"""
                    public int Method{{id}}(int[] values, CancellationToken token)
                    {
                        var picked = values.Where(v => v > {{id % 50}}).Select(v => v * 2).ToList();
                        _pool.Submit(() => picked.Count).AddDoneCallback(f => Interlocked.Add(ref _total, f.Result()));
                        token.Register(() => _queue.Enqueue({{id}}));
                        ThreadPool.QueueUserWorkItem(_ =>
                        {
                            lock (_gate)
                            {
                                _items.Add("m{{id}}");
                            }
                        });
                        return picked.Sum(v => v % 7);
                    }
                    """;
            if (template.ExpectedDiagnostics > 0)
            {
                result.Callbacks++;
                result.UnsafeCallbacks++;
                result.ExpectedDiagnostics++;
                result.Lambdas += 2;
            }
            else
            {
                callbackIndex += 2;
                result.Callbacks += 3;
                result.Lambdas += 7;
            }

            w.Block(text);
            id++;
        }

        w.Close();
        result.Lines = ProjectGenerator.WriteFile(Path.Combine(src, "BigRegistry.cs"), w.ToString());
        result.Files = 1;

        // A small second file: the IDE harness warms up on it before it measures the big one.
        result.Lines += ProjectGenerator.WriteFile(Path.Combine(src, "Small.cs"), ProjectGenerator.Usings + """


            namespace Gen.Big;

            /// <summary>A small class next to the big one.</summary>
            public sealed class Small
            {
                private readonly object _gate = new object();
                private int _count;

                public void Register(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        lock (_gate)
                        {
                            _count += f.Result();
                        }
                    });
                }
            }

            """);
        result.Files++;
        result.Callbacks++;
        result.TemplateCounts["big-method-blocks"] = j;
        result.TemplateCounts["small-methods"] = id;
        ProjectGenerator.WriteManifest(settings, result, "big-file");
        return result;
    }
}
