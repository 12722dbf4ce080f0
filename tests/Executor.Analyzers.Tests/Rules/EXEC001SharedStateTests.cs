using System.Threading.Tasks;
using Xunit;
using static Executor.Analyzers.Tests.Rules.EXEC001CallbackSourcesTests;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>What EXEC001 counts as touching shared state.</summary>
public class EXEC001SharedStateTests
{
    private const string Api = "Future<int>.AddDoneCallback";

    private const string InLoop = "another run of the same callback can do the same (it is registered in a loop)";

    [Fact]
    public async Task FieldOfAnotherObject_Increment_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Stats { public int Hits; }

            class Cache
            {
                private readonly Stats _stats = new Stats();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:_stats.Hits++|});
            }
            """,
            Diag(0, Api, "increments", "field 'Stats.Hits'"));
    }

    [Fact]
    public async Task AutoPropertyWrite_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Progress
            {
                public int Completed { get; set; }

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:Completed += 1|});
            }
            """,
            Diag(0, Api, "updates", "property 'Progress.Completed'"));
    }

    [Fact]
    public async Task StaticAutoPropertyDecrement_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            static class Pending
            {
                public static int Count { get; private set; }

                public static void Track(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:Count--|});
            }
            """,
            Diag(0, Api, "decrements", "static property 'Pending.Count'", "another run of the same callback can do the same ('Track' registers it each time it runs)"));
    }

    [Fact]
    public async Task PrefixIncrementAndDecrement_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private long _up;
                private long _down;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    {|#0:++_up|};
                    {|#1:--_down|};
                });
            }
            """,
            Diag(0, Api, "increments", "field 'Counter._up'"),
            Diag(1, Api, "decrements", "field 'Counter._down'"));
    }

    [Fact]
    public async Task ReadOfFieldWrittenAfterConstruction_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Status
            {
                private string _state = "idle";

                public void SetState(string state) => _state = state;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine({|#0:_state|}));
            }
            """,
            Diag(0, Api, "reads", "field 'Status._state'", "'SetState' writes it without a lock"));
    }

    [Fact]
    public async Task ReadOfFieldWrittenOnlyInConstructor_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Status
            {
                private string _name = "a";
                private int _limit;

                public Status(int limit) { _limit = limit; _name = "b"; }

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine(_name + _limit));
            }
            """);
    }

    [Fact]
    public async Task ReadOfField_WhenOnlyLookAlikesAreWrittenAfterConstruction_DoesNotReport()
    {
        // Each write below has the field's name but writes something else: an object initializer's member, a
        // local, another type's field, a nested type's field, a lambda parameter. None makes '_state' mutable.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Options
            {
                public string _state = "";
            }

            class Status
            {
                private readonly Options _options = new Options();
                private string _state = "idle";

                public Options Make() => new Options { _state = "x" };

                public void Local()
                {
                    string _state = "local";
                    _state += "!";
                    Console.WriteLine(_state);
                }

                public void Other() => _options._state = "y";

                public Func<string, string> Lambda() => _state => _state = "z";

                class Nested
                {
                    private string _state = "";

                    public void Set() => _state = "n";
                }

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine(_state));
            }
            """);
    }

    [Fact]
    public async Task ReadOfField_WrittenThroughThisInAnotherMember_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Status
            {
                private string _state = "idle";

                public void Set(string value) { if (value.Length > 0) { this._state = value; } }

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine({|#0:_state|}));
            }
            """,
            Diag(0, Api, "reads", "field 'Status._state'", "'Set' writes it without a lock"));
    }

    [Fact]
    public async Task ReadAndWriteOfSameFieldInOneStatement_ReportsOnce()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Counter
            {
                private int _count;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => { {|#0:_count = _count + f.Result()|}; });
            }
            """,
            Diag(0, Api, "writes", "field 'Counter._count'"));
    }

    [Fact]
    public async Task WriteCapturedLocal_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Runner
            {
                int Run(ThreadPoolExecutor pool)
                {
                    int total = 0;
                    for (int i = 0; i < 10; i++)
                    {
                        pool.Submit(() => i).AddDoneCallback(f => {|#0:total += f.Result()|});
                    }

                    return total;
                }
            }
            """,
            Diag(0, Api, "updates", "captured local 'total'", "'Run' reads it without a lock after registering the callback, with no join in between"));
    }

    [Fact]
    public async Task WriteCapturedParameter_RegisteredInLoop_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool, int attempts)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        pool.Submit(() => 1).AddDoneCallback(f => {|#0:attempts++|});
                    }
                }
            }
            """,
            Diag(0, Api, "increments", "captured parameter 'attempts'", "another run of the same callback can do the same (it is registered in a loop)"));
    }

    [Fact]
    public async Task WriteCapturedParameter_OnlyOneCallbackTouchesIt_DoesNotReport()
    {
        // Each call of Run has its own 'attempts': one callback per call, nothing else reads it afterwards.
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool, int attempts)
                {
                    pool.Submit(() => 1).AddDoneCallback(f => attempts++);
                }
            }
            """);
    }

    [Fact]
    public async Task ReadCapturedLocalWrittenAfterCapture_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool)
                {
                    bool stop = false;
                    pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine({|#0:stop|}));
                    stop = true;
                }
            }
            """,
            Diag(0, Api, "reads", "captured local 'stop'", "'Run' writes it without a lock after registering the callback, with no join in between"));
    }

    [Fact]
    public async Task ReadCapturedLocalNotWrittenAfterCapture_DoesNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using Executor;

            class Runner
            {
                void Run(ThreadPoolExecutor pool, string label)
                {
                    string prefix;
                    prefix = label + ":";
                    int limit = 3;
                    pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine(prefix + limit + label));
                }
            }
            """);
    }

    [Fact]
    public async Task ListAddOnField_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            class Collector
            {
                private readonly List<int> _results = new List<int>();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:_results.Add(f.Result())|});
            }
            """,
            Diag(0, Api, "calls 'List<int>.Add' on", "field 'Collector._results'"));
    }

    [Fact]
    public async Task DictionaryIndexerSetOnStatic_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using Executor;

            static class Registry
            {
                private static readonly Dictionary<string, int> s_map = new();

                public static void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => {|#0:s_map["k"] = f.Result()|});
            }
            """,
            Diag(0, Api, "writes an element of", "static field 'Registry.s_map'"));
    }

    [Fact]
    public async Task CollectionsReachedThroughCapturedLocal_Report()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.Collections.Generic;
            using System.Text;
            using Executor;

            class Collector
            {
                void Run(ThreadPoolExecutor pool)
                {
                    var seen = new HashSet<int>();
                    var queue = new Queue<int>();
                    var stack = new Stack<int>();
                    var log = new StringBuilder();
                    var linked = new LinkedList<int>();
                    var sorted = new SortedDictionary<int, int>();
                    foreach (var n in new[] { 1, 2 })
                    {
                        pool.Submit(() => n).AddDoneCallback(f =>
                        {
                            {|#0:seen.Add(f.Result())|};
                            {|#1:queue.Enqueue(1)|};
                            {|#2:stack.Push(1)|};
                            {|#3:log.AppendLine("done")|};
                            {|#4:linked.AddLast(1)|};
                            {|#5:sorted.Remove(1)|};
                        });
                    }
                }
            }
            """,
            Diag(0, Api, "calls 'HashSet<int>.Add' on", "captured local 'seen'", InLoop),
            Diag(1, Api, "calls 'Queue<int>.Enqueue' on", "captured local 'queue'", InLoop),
            Diag(2, Api, "calls 'Stack<int>.Push' on", "captured local 'stack'", InLoop),
            Diag(3, Api, "calls 'StringBuilder.AppendLine' on", "captured local 'log'", InLoop),
            Diag(4, Api, "calls 'LinkedList<int>.AddLast' on", "captured local 'linked'", InLoop),
            Diag(5, Api, "calls 'SortedDictionary<int, int>.Remove' on", "captured local 'sorted'", InLoop));
    }

    [Fact]
    public async Task CollectionReads_DoNotReport()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using Executor;

            class Lookup
            {
                private readonly Dictionary<string, int> _map = new();
                private readonly List<int> _list = new();

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    Console.WriteLine(_map.ContainsKey("a") + " " + _list.Count + " " + _list[0]);
                });
            }
            """);
    }

    [Fact]
    public async Task ArrayElementCompoundUpdate_Reports_PlainStore_DoesNot()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Histogram
            {
                private readonly int[] _buckets = new int[10];
                private readonly int[] _results = new int[10];

                void Run(ThreadPoolExecutor pool, int i) => pool.Submit(() => i).AddDoneCallback(f =>
                {
                    {|#0:_buckets[f.Result()]++|};
                    _results[f.Result()] = 1;
                });
            }
            """,
            Diag(0, Api, "increments an element of", "field 'Histogram._buckets'"));
    }

    [Fact]
    public async Task VolatileField_IncrementReports_PlainReadWriteDoesNot()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Flags
            {
                private volatile int _count;
                private volatile bool _done;

                public void Reset() => _done = false;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                {
                    {|#0:_count++|};
                    {|#1:_count += 2|};
                    _done = true;
                    if (_done) { }
                });
            }
            """,
            Diag(0, Api, "increments", "field 'Flags._count'"),
            Diag(1, Api, "updates", "field 'Flags._count'"));
    }

    [Fact]
    public async Task OutArgumentToOrdinaryMethod_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Parser
            {
                private int _last;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => "1").AddDoneCallback(f => int.TryParse(f.Result(), {|#0:out _last|}));
            }
            """,
            Diag(0, "Future<string>.AddDoneCallback", "takes a reference to", "field 'Parser._last'"));
    }

    [Fact]
    public async Task CoalesceAssignment_Reports()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using Executor;

            class Cache
            {
                private string? _first;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => "x").AddDoneCallback(f => {|#0:_first ??= f.Result()|});
            }
            """,
            Diag(0, "Future<string>.AddDoneCallback", "updates", "field 'Cache._first'"));
    }

    [Fact]
    public async Task MethodCallOnMetadataTypeField_DoesNotGuess()
    {
        // TextWriter's mutation is not visible (it comes from metadata): no guess, no report.
        await VerifyCS.VerifyAnalyzerAsync("""
            using System.IO;
            using Executor;

            class Sink
            {
                private readonly TextWriter _writer = TextWriter.Null;

                void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f => _writer.WriteLine(f.Result()));
            }
            """);
    }
}
