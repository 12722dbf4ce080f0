using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// EXEC002: which work delegates race (parallel loop bodies, submitted and started work, [ConcurrentWork]) and which
/// facts order or protect them (joins, locks, thread-safe state, own slots, per-item objects).
/// </summary>
public class EXEC002UnsynchronizedWorkAccessTests
{
    private const string Usings = """
        using System;
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Executor;

        """;

    private static string Loop(string api, string how = "runs it on several threads at once")
        => "another run of the same work can do the same ('" + api + "' " + how + ")";

    private static DiagnosticResult Diag(int marker, string api, string verb, string target, string other, string locks = "without a lock")
        => VerifyCS.Diagnostic().WithLocation(marker).WithArguments(api, verb, target, locks, other).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    /// <summary>A report at the marker, whatever its message (the message is asserted by the tests above it).</summary>
    private static DiagnosticResult DiagAny(int marker)
        => VerifyCS.Diagnostic().WithLocation(marker).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations | DiagnosticOptions.IgnoreSeverity).WithMessage(null);

    private static Task Verify(string source, params DiagnosticResult[] expected) => VerifyCS.VerifyAnalyzerAsync(Usings + source, expected);

    [Fact]
    public Task ParallelFor_FieldAccumulation_Reports()
        => Verify("""
            class C
            {
                private int _total;

                void Run() => Parallel.For(0, 100, i => {|#0:_total += i|});
            }
            """,
            Diag(0, "Parallel.For", "updates", "field 'C._total'", Loop("Parallel.For")));

    [Fact]
    public Task ParallelForEach_CapturedListAdd_Reports()
        => Verify("""
            class C
            {
                void Run(int[] items)
                {
                    var list = new List<int>();
                    Parallel.ForEach(items, x => {|#0:list.Add(x)|});
                }
            }
            """,
            Diag(0, "Parallel.ForEach", "calls 'List<int>.Add' on", "captured local 'list'", Loop("Parallel.ForEach")));

    [Fact]
    public Task ParallelForEach_CapturedSum_Reports()
        => Verify("""
            class C
            {
                int Run(int[] items)
                {
                    int sum = 0;
                    Parallel.ForEach(items, x => {|#0:sum += x|});
                    return sum;
                }
            }
            """,
            Diag(0, "Parallel.ForEach", "updates", "captured local 'sum'", Loop("Parallel.ForEach")));

    [Fact]
    public Task ParallelForEach_DictionaryFieldIndexerSet_Reports()
        => Verify("""
            class C
            {
                private readonly Dictionary<int, int> _squares = new();

                void Run(int[] items) => Parallel.ForEach(items, x => {|#0:_squares[x] = x * x|});
            }
            """,
            DiagAny(0));

    [Fact]
    public Task ParallelForEach_HistogramElementIncrement_Reports()
        => Verify("""
            class C
            {
                private readonly int[] _buckets = new int[10];

                void Run(int[] items) => Parallel.ForEach(items, x => {|#0:_buckets[x % 10]++|});
            }
            """,
            DiagAny(0));

    [Fact]
    public Task ParallelFor_ElementIncrementAtShiftedOwnIndex_NoReport()
        => Verify("""
            class C
            {
                private readonly int[] _counts = new int[100];

                void Run() => Parallel.For(0, 99, i => _counts[i + 1]++);
            }
            """);

    [Fact]
    public Task ParallelFor_LockDeclaredInsideBody_Reports()
        => Verify("""
            class C
            {
                private int _total;

                void Run() => Parallel.For(0, 100, i =>
                {
                    var gate = new object();
                    lock (gate)
                    {
                        {|#0:_total += i|};
                    }
                });
            }
            """,
            DiagAny(0));

    [Fact]
    public Task ParallelForEachAsync_FieldIncrement_Reports()
        => Verify("""
            class C
            {
                private int _done;

                Task Run(int[] items) => Parallel.ForEachAsync(items, async (x, ct) =>
                {
                    await Task.Yield();
                    {|#0:_done++|};
                });
            }
            """,
            Diag(0, "Parallel.ForEachAsync", "increments", "field 'C._done'", Loop("Parallel.ForEachAsync")));

    [Fact]
    public Task ParallelInvoke_TwoActionsWriteSameField_Reports()
        => Verify("""
            class C
            {
                private int _n;

                void Run() => Parallel.Invoke(() => {|#0:_n++|}, () => {|#1:_n--|});
            }
            """,
            DiagAny(0), DiagAny(1));

    [Fact]
    public Task ParallelInvoke_OtherActionNamed()
        => Verify("""
            class C
            {
                private int _n;

                void Run() => Parallel.Invoke(() => {|#0:_n++|}, () => Console.WriteLine(_n));
            }
            """,
            Diag(0, "Parallel.Invoke", "increments", "field 'C._n'", "another delegate of the same 'Parallel.Invoke' call in 'Run' reads it without a lock"));

    [Fact]
    public Task ParallelFor_LocalFinallyWithoutLock_Reports()
        => Verify("""
            class C
            {
                private int _total;

                void Run() => Parallel.For(0, 100, () => 0, (i, state, local) => local + i, local => {|#0:_total += local|});
            }
            """,
            Diag(0, "Parallel.For", "updates", "field 'C._total'", Loop("Parallel.For")));

    [Fact]
    public Task PlinqForAll_FieldIncrement_Reports()
        => Verify("""
            class C
            {
                private int _seen;

                void Run(int[] items) => items.AsParallel().ForAll(x => {|#0:_seen++|});
            }
            """,
            Diag(0, "ParallelEnumerable.ForAll", "increments", "field 'C._seen'", Loop("ParallelEnumerable.ForAll")));

    [Fact]
    public Task PlinqSelect_SideEffect_Reports()
        => Verify("""
            class C
            {
                private int _calls;

                List<int> Run(int[] items) => items.AsParallel().Select(x => { {|#0:_calls++|}; return x * 2; }).ToList();
            }
            """,
            DiagAny(0));

    [Fact]
    public Task Map_FunctionUpdatesCapturedTotal_Reports()
        => Verify("""
            class C
            {
                void Run(ThreadPoolExecutor pool, int[] items)
                {
                    int total = 0;
                    foreach (var r in pool.Map(x => {|#0:total += x|}, items)) { }
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Map", "updates", "captured local 'total'", Loop("ThreadPoolExecutor.Map", "runs it on several threads at once")));

    [Fact]
    public Task SubmitInLoop_FieldIncrement_Reports()
        => Verify("""
            class C
            {
                private int _hits;

                void Run(ThreadPoolExecutor pool)
                {
                    for (int i = 0; i < 10; i++)
                    {
                        pool.Submit(() => {|#0:_hits++|});
                    }
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "increments", "field 'C._hits'", "another run of the same work can do the same (it is registered in a loop)"));

    [Fact]
    public Task SubmitOnce_StarterReadsBeforeJoin_Reports()
        => Verify("""
            class C
            {
                private int _x;

                static int Compute() => 42;

                void Run(ThreadPoolExecutor pool)
                {
                    var f = pool.Submit(() => { {|#0:_x = Compute()|}; });
                    Console.WriteLine(_x);
                    f.Result();
                }
            }
            """,
            Diag(0, "ThreadPoolExecutor.Submit", "writes", "field 'C._x'", "'Run' reads it without a lock after starting the work, with no join in between"));

    [Fact]
    public Task TaskRunOnce_StarterWritesBeforeAwait_Reports()
        => Verify("""
            class C
            {
                private int _count;

                async Task Run()
                {
                    var t = Task.Run(() => {|#0:_count++|});
                    _count++;
                    await t;
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task TaskRunInPublicMethod_CalledRepeatedly_Reports()
        => Verify("""
            class C
            {
                private int _count;

                public void Kick() => Task.Run(() => {|#0:_count++|});
            }
            """,
            Diag(0, "Task.Run", "increments", "field 'C._count'", "another run of the same work can do the same ('Kick' registers it each time it runs)"));

    [Fact]
    public Task StartNew_InLoop_Reports()
        => Verify("""
            class C
            {
                private readonly List<int> _log = new();

                void Run()
                {
                    for (int i = 0; i < 4; i++)
                    {
                        Task.Factory.StartNew(() => {|#0:_log.Add(1)|});
                    }
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task NewThread_StarterWritesAfterStart_Reports()
        => Verify("""
            class C
            {
                private int _n;

                void Run()
                {
                    var t = new Thread(() => {|#0:_n++|});
                    t.Start();
                    _n++;
                    t.Join();
                }
            }
            """,
            Diag(0, "new Thread", "increments", "field 'C._n'", "'Run' increments it without a lock after starting the work, with no join in between"));

    [Fact]
    public Task ConcurrentWorkAttribute_UserApi_Reports()
        => Verify("""
            class Pipeline
            {
                public void Fan(int n, [ConcurrentWork] Action<int> body) { }
            }

            class C
            {
                private long _sum;

                void Run(Pipeline p) => p.Fan(8, i => {|#0:_sum += i|});
            }
            """,
            Diag(0, "Pipeline.Fan", "updates", "field 'C._sum'", Loop("Pipeline.Fan", "runs it on several threads at once")));

    [Fact]
    public Task MethodGroupOfOwnType_ParallelFor_ReportsInMethod()
        => Verify("""
            class C
            {
                private int _total;

                void Run() => Parallel.For(0, 100, Add);

                private void Add(int i) => {|#0:_total += i|};
            }
            """,
            DiagAny(0));

    [Fact]
    public Task StaticField_ParallelForEach_Reports()
        => Verify("""
            class C
            {
                private static int s_errors;

                static void Run(string[] files) => Parallel.ForEach(files, f => { if (f.Length == 0) {|#0:s_errors++|}; });
            }
            """,
            DiagAny(0));

    [Fact]
    public Task TaskRun_RacesWithTimerCallback_Reports()
        => Verify("""
            class C
            {
                private int _ticks;
                private Timer? _timer;

                void Start()
                {
                    _timer = new Timer(_ => Console.WriteLine(_ticks), null, 0, 100);
                }

                void Once() => Task.Run(() => {|#0:_ticks = Environment.CurrentManagedThreadId|});
            }
            """,
            DiagAny(0));

    [Fact]
    public Task ParallelFor_FieldUnderLock_NoReport()
        => Verify("""
            class C
            {
                private readonly object _gate = new();
                private int _total;

                void Run() => Parallel.For(0, 100, i => { lock (_gate) { _total += i; } });
            }
            """);

    [Fact]
    public Task ParallelFor_LocalLockDeclaredOutside_NoReport()
        => Verify("""
            class C
            {
                int Run()
                {
                    var gate = new object();
                    int sum = 0;
                    Parallel.For(0, 100, i => { lock (gate) { sum += i; } });
                    return sum;
                }
            }
            """);

    [Fact]
    public Task ParallelFor_Interlocked_NoReport()
        => Verify("""
            class C
            {
                private int _total;

                void Run() => Parallel.For(0, 100, i => Interlocked.Add(ref _total, i));
            }
            """);

    [Fact]
    public Task ParallelForEach_ConcurrentBag_NoReport()
        => Verify("""
            class C
            {
                private readonly ConcurrentBag<int> _bag = new();

                void Run(int[] items) => Parallel.ForEach(items, x => _bag.Add(x));
            }
            """);

    [Fact]
    public Task ParallelFor_ThreadLocalOverloadWithInterlockedMerge_NoReport()
        => Verify("""
            class C
            {
                private int _total;

                void Run() => Parallel.For(0, 100, () => 0, (i, state, local) => local + i, local => Interlocked.Add(ref _total, local));
            }
            """);

    [Fact]
    public Task ParallelForEach_PerItemObject_NoReport()
        => Verify("""
            class Item { public int Count; }

            class C
            {
                void Run(List<Item> items) => Parallel.ForEach(items, item => item.Count++);
            }
            """);

    [Fact]
    public Task ParallelFor_OwnIndexSlot_NoReport()
        => Verify("""
            class C
            {
                private readonly int[] _counts = new int[100];
                private readonly int[] _squares = new int[100];

                void Run() => Parallel.For(0, 100, i => { _counts[i]++; _squares[i] = i * i; });
            }
            """);

    [Fact]
    public Task ParallelForEach_LocalInsideBody_NoReport()
        => Verify("""
            class C
            {
                void Run(int[] items) => Parallel.ForEach(items, x =>
                {
                    var seen = new List<int>();
                    int sum = 0;
                    seen.Add(x);
                    sum += x;
                });
            }
            """);

    [Fact]
    public Task ParallelForEach_CodeAfterJoin_NoReport()
        => Verify("""
            class C
            {
                private readonly object _gate = new();
                private int _sum;

                void Run(int[] items)
                {
                    _sum = 0;
                    Parallel.ForEach(items, x => { lock (_gate) { _sum += x; } });
                    Console.WriteLine(_sum);
                    _sum = 0;
                }
            }
            """);

    [Fact]
    public Task ParallelFor_OtherMemberUnlocked_NoReport()
        => Verify("""
            class C
            {
                private readonly object _gate = new();
                private int _total;

                void Run() => Parallel.For(0, 100, i => { lock (_gate) { _total += i; } });

                public int Total => _total;

                public void Reset() => _total = 0;
            }
            """);

    [Fact]
    public Task TwoParallelLoopsInSequence_NoReport()
        => Verify("""
            class C
            {
                private readonly object _gate = new();
                private int _total;

                void Run()
                {
                    Parallel.For(0, 10, i => { lock (_gate) { _total += i; } });
                    Parallel.For(0, 10, i => { lock (_gate) { _total -= i; } });
                    _total = 0;
                }
            }
            """);

    [Fact]
    public Task ParallelForEach_ConstantFlag_NoReport()
        => Verify("""
            class C
            {
                private bool _found;

                void Run(int[] items) => Parallel.ForEach(items, x => { if (x == 42) _found = true; });
            }
            """);

    [Fact]
    public Task ParallelInvoke_ActionsWriteDifferentFields_NoReport()
        => Verify("""
            class C
            {
                private int _a;
                private int _b;

                void Run() => Parallel.Invoke(() => _a = Environment.TickCount, () => _b = Environment.ProcessorCount);
            }
            """);

    [Fact]
    public Task ParallelForEach_ReadsOnly_NoReport()
        => Verify("""
            class C
            {
                private readonly Dictionary<int, int> _lookup = new();

                void Run(int[] items)
                {
                    _lookup[1] = 2;
                    Parallel.ForEach(items, x => Console.WriteLine(_lookup.TryGetValue(x, out var v) ? v : 0));
                }
            }
            """);

    [Fact]
    public Task SubmitOnce_ResultBeforeRead_NoReport()
        => Verify("""
            class C
            {
                private int _x;

                static int Compute() => 42;

                void Run(ThreadPoolExecutor pool)
                {
                    var f = pool.Submit(() => { _x = Compute(); });
                    f.Result();
                    Console.WriteLine(_x);
                }
            }
            """);

    [Fact]
    public Task TaskRunOnce_AwaitBeforeWrite_NoReport()
        => Verify("""
            class C
            {
                private int _count;

                private C() { }

                static async Task<C> Create()
                {
                    var c = new C();
                    await c.Run();
                    return c;
                }

                private async Task Run()
                {
                    var t = Task.Run(() => _count++);
                    await t;
                    _count++;
                }
            }
            """);

    [Fact]
    public Task NewThread_JoinBeforeWrite_NoReport()
        => Verify("""
            class C
            {
                private int _n;

                C()
                {
                    var t = new Thread(() => _n++);
                    _n = 5;
                    t.Start();
                    t.Join();
                    _n++;
                }
            }
            """);

    [Fact]
    public Task SubmitInLoop_OneWorkerExecutor_NoReport()
        => Verify("""
            class C
            {
                private readonly ThreadPoolExecutor _serial = new ThreadPoolExecutor(maxWorkers: 1);
                private int _hits;

                void Run()
                {
                    for (int i = 0; i < 10; i++)
                    {
                        _serial.Submit(() => _hits++);
                    }
                }
            }
            """);

    [Fact]
    public Task SequentialLinqSelect_NoReport()
        => Verify("""
            class C
            {
                private int _calls;

                List<int> Run(int[] items) => items.Select(x => { _calls++; return x * 2; }).ToList();
            }
            """);

    [Fact]
    public Task TaskRunInConstructor_NothingElseTouches_NoReport()
        => Verify("""
            class C
            {
                private int _warm;

                C() => Task.Run(() => _warm = Environment.TickCount);
            }
            """);

    [Fact]
    public Task Map_PureFunction_NoReport()
        => Verify("""
            class C
            {
                private readonly int _factor = 3;

                List<int> Run(ThreadPoolExecutor pool, int[] items) => pool.Map(x => x * _factor, items).ToList();
            }
            """);

    [Fact]
    public Task ParallelForEach_ConcurrentDictionaryAddOrUpdate_NoReport()
        => Verify("""
            class C
            {
                private readonly ConcurrentDictionary<string, int> _counts = new();

                void Run(string[] words) => Parallel.ForEach(words, w => _counts.AddOrUpdate(w, 1, (_, n) => n + 1));
            }
            """);

    [Fact]
    public Task ThreadLocalOverload_BodyUpdatesOwnLocal_NoReport()
        => Verify("""
            class C
            {
                private readonly object _gate = new();
                private long _total;

                void Run(int[] items) => Parallel.ForEach(items, () => 0L, (x, state, subtotal) => subtotal + x, subtotal => { lock (_gate) { _total += subtotal; } });
            }
            """);

    [Fact]
    public async Task WorkApisOption_UserApi_Reports()
    {
        var test = new VerifyCS.Test
        {
            TestCode = Usings + """
                namespace Lib
                {
                    public class Pool
                    {
                        public void Each(int n, Action<int> body) { }
                    }
                }

                class C
                {
                    private int _sum;

                    void Run(Lib.Pool p) => p.Each(4, i => {|#0:_sum += i|});
                }
                """,
        };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\ndotnet_code_quality.EXEC002.work_apis = M:Lib.Pool.Each\n"));
        test.ExpectedDiagnostics.Add(Diag(0, "Pool.Each", "updates", "field 'C._sum'", Loop("Pool.Each")));
        await test.RunAsync();
    }

    [Fact]
    public Task WithoutWorkApisOption_SameUserApi_NoReport()
        => Verify("""
            namespace Lib
            {
                public class Pool
                {
                    public void Each(int n, Action<int> body) { }
                }
            }

            class C
            {
                private int _sum;

                void Run(Lib.Pool p) => p.Each(4, i => _sum += i);
            }
            """);

    [Fact]
    public Task ObjectInitializerOnFreshObject_InParallelBody_NoReport()
        => Verify("""
            class Query { public string Owner { get; init; } = ""; public int Limit { get; set; } }

            class C
            {
                private string _owner = "me";

                void Run(int n) => Parallel.For(0, n, i => Use(new Query { Owner = _owner, Limit = i }));

                static void Use(Query q) { }
            }
            """);

    [Fact]
    public Task WithExpressionOnRecord_InParallelBody_NoReport()
        => Verify("""
            record Point(int X, int Y);

            class C
            {
                private readonly Point _origin = new(0, 0);

                void Run(int n) => Parallel.For(0, n, i => Console.WriteLine(_origin with { X = i }));
            }
            """);

    [Fact]
    public Task RowMajorSlot_FromParallelForIndex_NoReport()
        => Verify("""
            class C
            {
                static double[] Multiply(double[] a, double[] b, int rows, int inner, int cols)
                {
                    var c = new double[rows * cols];
                    Parallel.For(0, rows, i =>
                    {
                        for (int k = 0; k < inner; k++)
                            for (int j = 0; j < cols; j++)
                                c[i * cols + j] += a[i * inner + k] * b[k * cols + j];
                    });
                    return c;
                }
            }
            """);

    [Fact]
    public Task RangePartition_EachRunOwnsItsSlice_NoReport()
        => Verify("""
            class C
            {
                static void Scale(double[] data, double k)
                    => Parallel.ForEach(Partitioner.Create(0, data.Length), range =>
                    {
                        for (int i = range.Item1; i < range.Item2; i++) data[i] *= k;
                    });
            }
            """);

    [Fact]
    public Task SlotFromDividedIndex_TwoRunsShareIt_Reports()
        => Verify("""
            class C
            {
                private readonly int[] _pairs = new int[50];

                void Run() => Parallel.For(0, 100, i => {|#0:_pairs[i / 2]++|});
            }
            """,
            DiagAny(0));

    [Fact]
    public Task RangeLoopBoundedByCapturedLength_NotOwnRange_Reports()
        => Verify("""
            class C
            {
                static void Scale(double[] data, double k, int n)
                    => Parallel.ForEach(Enumerable.Range(0, n), x =>
                    {
                        for (int i = 0; i < data.Length; i++) {|#0:data[i] *= k|};
                    });
            }
            """,
            DiagAny(0));

    [Fact]
    public Task JoinThroughFieldTask_InOtherMember_NoReport()
        => Verify("""
            class Loop
            {
                private Task? _loop;
                private CancellationTokenSource? _cts;

                public static Loop Create()
                {
                    var h = new Loop();
                    h._loop = Task.Run(h.RunAsync);
                    return h;
                }

                private async Task RunAsync()
                {
                    for (int i = 0; i < 10; i++)
                    {
                        _cts = new CancellationTokenSource();
                        await Task.Delay(1, _cts.Token);
                    }
                }

                public async Task CloseAsync()
                {
                    if (_loop is not null) await _loop;
                    _cts?.Dispose();
                    _cts = null;
                }
            }
            """);

    [Fact]
    public Task OwnedHelperObject_UsedByTheConstructorBeforeTheStartThenOnlyByTheWork_NoReport()
        => Verify("""
            class Parser
            {
                private byte[]? _buffer;

                public int Parse()
                {
                    var b = _buffer;
                    if (b is null)
                    {
                        b = new byte[16];
                        _buffer = b;
                    }

                    return b.Length;
                }
            }

            sealed class Refresher
            {
                private readonly Parser _parser;
                private readonly Task _worker;

                public Refresher()
                {
                    _parser = new Parser();
                    Update();
                    _worker = Task.Run(Worker);
                }

                private void Update() => _parser.Parse();

                private async Task Worker()
                {
                    while (true)
                    {
                        await Task.Delay(1000);
                        Update();
                    }
                }
            }
            """);

    [Fact]
    public Task OwnedHelperObject_UsedByTheConstructorAfterTheStart_Reports()
        => Verify("""
            class Parser
            {
                private byte[]? _buffer;

                public int Parse()
                {
                    var b = _buffer;
                    if (b is null)
                    {
                        b = new byte[16];
                        _buffer = b;
                    }

                    return b.Length;
                }
            }

            sealed class Refresher
            {
                private readonly Parser _parser;
                private readonly Task _worker;

                public Refresher()
                {
                    _parser = new Parser();
                    _worker = Task.Run(Worker);
                    Update();
                }

                private void Update() => _parser.Parse();

                private async Task Worker()
                {
                    while (true)
                    {
                        await Task.Delay(1000);
                        {|#0:Update()|};
                    }
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task OwnedHelperObject_HandedOutByAProperty_Reports()
        => Verify("""
            class Parser
            {
                private byte[]? _buffer;

                public int Parse()
                {
                    var b = _buffer;
                    if (b is null)
                    {
                        b = new byte[16];
                        _buffer = b;
                    }

                    return b.Length;
                }
            }

            public sealed class Refresher
            {
                private readonly Parser _parser;
                private readonly Task _worker;

                public Refresher()
                {
                    _parser = new Parser();
                    Update();
                    _worker = Task.Run(Worker);
                }

                internal Parser Current => _parser;

                private void Update() => _parser.Parse();

                private async Task Worker()
                {
                    while (true)
                    {
                        await Task.Delay(1000);
                        {|#0:Update()|};
                    }
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task OwnedHelperObject_StartedByAMethodThatCanRunAgain_Reports()
        => Verify("""
            class Parser
            {
                private byte[]? _buffer;

                public int Parse()
                {
                    var b = _buffer;
                    if (b is null)
                    {
                        b = new byte[16];
                        _buffer = b;
                    }

                    return b.Length;
                }
            }

            sealed class Refresher
            {
                private readonly Parser _parser = new Parser();
                private Task? _worker;

                public void Start()
                {
                    Update();
                    _worker = Task.Run(Worker);
                }

                private void Update() => _parser.Parse();

                private async Task Worker()
                {
                    while (true)
                    {
                        await Task.Delay(1000);
                        {|#0:Update()|};
                    }
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task OwnedHelperObject_StaticStateOfTheHelper_Reports()
        => Verify("""
            class Parser
            {
                private static byte[]? _buffer;

                public int Parse()
                {
                    var b = _buffer;
                    if (b is null)
                    {
                        b = new byte[16];
                        _buffer = b;
                    }

                    return b.Length;
                }
            }

            sealed class Refresher
            {
                private readonly Parser _parser;
                private readonly Task _worker;

                public Refresher()
                {
                    _parser = new Parser();
                    Update();
                    _worker = Task.Run(Worker);
                }

                private void Update() => _parser.Parse();

                private async Task Worker()
                {
                    while (true)
                    {
                        await Task.Delay(1000);
                        {|#0:Update()|};
                    }
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task StartCalledOncePerNewObjectByItsOnlyCaller_NoReport()
        => Verify("""
            sealed class Worker
            {
                private Thread? _thread;
                private int _last;

                public void Start()
                {
                    _thread = new Thread(Run) { IsBackground = true };
                    _thread.Start();
                }

                private void Run()
                {
                    for (int i = 0; i < 3; i++) Step(i);
                }

                private void Step(int v)
                {
                    if (v > _last) _last = v;
                }
            }

            sealed class Manager
            {
                private readonly List<Worker> _workers = new();
                private Worker? _pending = new Worker();
                private readonly Worker _shared = new Worker();

                public void StartAgent()
                {
                    var w = new Worker();
                    lock (_workers) _workers.Add(w);
                    w.Start();
                }

                public void Resume()
                {
                    if (Interlocked.Exchange(ref _pending, null) is { } w) w.Start();
                }
            }
            """);

    [Fact]
    public Task StartCalledTwiceOnTheSameNewObject_Reports()
        => Verify("""
            sealed class Worker
            {
                private Thread? _thread;
                private int _last;

                public void Start()
                {
                    _thread = new Thread(Run) { IsBackground = true };
                    _thread.Start();
                }

                private void Run()
                {
                    for (int i = 0; i < 3; i++) {|#0:Step(i)|};
                }

                private void Step(int v)
                {
                    if (v > _last) _last = v;
                }
            }

            sealed class Manager
            {
                private readonly List<Worker> _workers = new();
                private Worker? _pending = new Worker();
                private readonly Worker _shared = new Worker();

                public void StartAgent()
                {
                    var w = new Worker();
                    w.Start();
                    w.Start();
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task StartCalledOnASharedObject_Reports()
        => Verify("""
            sealed class Worker
            {
                private Thread? _thread;
                private int _last;

                public void Start()
                {
                    _thread = new Thread(Run) { IsBackground = true };
                    _thread.Start();
                }

                private void Run()
                {
                    for (int i = 0; i < 3; i++) {|#0:Step(i)|};
                }

                private void Step(int v)
                {
                    if (v > _last) _last = v;
                }
            }

            sealed class Manager
            {
                private readonly List<Worker> _workers = new();
                private Worker? _pending = new Worker();
                private readonly Worker _shared = new Worker();

                public void StartAgent() => _shared.Start();
            }
            """,
            DiagAny(0));

    [Fact]
    public Task StartCalledInALoopOnOneNewObject_Reports()
        => Verify("""
            sealed class Worker
            {
                private Thread? _thread;
                private int _last;

                public void Start()
                {
                    _thread = new Thread(Run) { IsBackground = true };
                    _thread.Start();
                }

                private void Run()
                {
                    for (int i = 0; i < 3; i++) {|#0:Step(i)|};
                }

                private void Step(int v)
                {
                    if (v > _last) _last = v;
                }
            }

            sealed class Manager
            {
                private readonly List<Worker> _workers = new();
                private Worker? _pending = new Worker();
                private readonly Worker _shared = new Worker();

                public void StartAgents(int n)
                {
                    var w = new Worker();
                    for (int i = 0; i < n; i++) w.Start();
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task AsyncLockOnEverySide_NoReport()
        => Verify("""
            sealed class AsyncLock
            {
                private readonly object _sync = new();
                private readonly Queue<TaskCompletionSource<IDisposable>> _queue = new();
                private bool _held;

                public Task<IDisposable> LockAsync()
                {
                    lock (_sync)
                    {
                        if (!_held) { _held = true; return Task.FromResult<IDisposable>(new Releaser(this)); }
                        var waiter = new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
                        _queue.Enqueue(waiter);
                        return waiter.Task;
                    }
                }

                private void Release()
                {
                    lock (_sync)
                    {
                        if (_queue.Count > 0) _queue.Dequeue().TrySetResult(new Releaser(this));
                        else _held = false;
                    }
                }

                private sealed class Releaser : IDisposable
                {
                    private AsyncLock? _owner;
                    public Releaser(AsyncLock owner) => _owner = owner;
                    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release();
                }
            }

            sealed class Planner
            {
                private readonly AsyncLock _gate = new();
                private DateTime _due;

                public void Kick() => _ = Task.Run(RunAsync);

                public async Task SetAsync(DateTime due)
                {
                    using (await _gate.LockAsync())
                    {
                        _due = due;
                    }
                }

                private async Task RunAsync()
                {
                    using (await _gate.LockAsync())
                    {
                        _due = DateTime.UtcNow;
                    }
                }
            }
            """);

    [Fact]
    public Task AsyncLockOnOneSideOnly_Reports()
        => Verify("""
            sealed class AsyncLock
            {
                private readonly object _sync = new();
                private readonly Queue<TaskCompletionSource<IDisposable>> _queue = new();
                private bool _held;

                public Task<IDisposable> LockAsync()
                {
                    lock (_sync)
                    {
                        if (!_held) { _held = true; return Task.FromResult<IDisposable>(new Releaser(this)); }
                        var waiter = new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
                        _queue.Enqueue(waiter);
                        return waiter.Task;
                    }
                }

                private void Release()
                {
                    lock (_sync)
                    {
                        if (_queue.Count > 0) _queue.Dequeue().TrySetResult(new Releaser(this));
                        else _held = false;
                    }
                }

                private sealed class Releaser : IDisposable
                {
                    private AsyncLock? _owner;
                    public Releaser(AsyncLock owner) => _owner = owner;
                    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release();
                }
            }

            sealed class Planner
            {
                private readonly AsyncLock _gate = new();
                private DateTime _due;

                public void Kick() => _ = Task.Run(RunAsync);

                public void Set(DateTime due) => _due = due;

                private async Task RunAsync()
                {
                    using (await _gate.LockAsync())
                    {
                        {|#0:_due = DateTime.UtcNow|};
                    }
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task StartCalledOncePerNewObject_NestedWorkerReachedThroughAHandler_NoReport()
        => Verify(
            // 'Start' used all over the compilation: the callers of the nested worker's Start are still found, because
            // only the type that declares the private nested type can call it.
            "static class Noise { public static void Start() { } public static void Go() { "
            + string.Concat(System.Linq.Enumerable.Repeat("Start(); ", 80)) + "} }\n" + """
            public sealed class Agents
            {
                private readonly List<Worker> _workers = new();

                public void StartAgent(string script)
                {
                    var worker = new Worker(this, script);
                    lock (_workers)
                    {
                        _workers.Add(worker);
                    }

                    worker.Start();
                }

                private sealed class Worker
                {
                    private readonly Agents _owner;
                    private readonly string _script;
                    private Thread? _thread;
                    private int _version;

                    public Worker(Agents owner, string script)
                    {
                        _owner = owner;
                        _script = script;
                    }

                    public void Start()
                    {
                        _thread = new Thread(Run) { IsBackground = true };
                        _thread.Start();
                    }

                    private void Run()
                    {
                        Func<int, int> onMessage = v =>
                        {
                            Wait(v);
                            return v;
                        };
                        onMessage(_script.Length);
                    }

                    private void Wait(int v)
                    {
                        if (v > _version) _version = v;
                    }
                }
            }
            """);

    /// <summary>Two loops each shut down through one method that joins the other loop's task (through a helper that skips the calling task) before writing.</summary>
    private const string TwoLoopsClosingThroughAJoin = """
        static class TaskJoins
        {
            public static async Task WaitUnlessSelfAsync(this Task? task, Task? sender)
            {
                if (task is null || task == sender)
                {
                    return;
                }

                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        sealed class Client
        {
            private Task? _receiver;
            private Task? _keepAlive;
            private int _closed;
            private bool _cleanClose;

            public void Connect(CancellationToken token)
            {
                _receiver = Task.Run(() => ReceiveLoop(token));
                _keepAlive = Task.Run(() => KeepAliveLoop(token));
            }

            private async Task ReceiveLoop(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    await Task.Delay(10);
                    Handle();
                }

                await Close(_receiver);
            }

            private void Handle()
            {
                if (_cleanClose) Console.WriteLine("closing");
            }

            private async Task KeepAliveLoop(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    await Task.Delay(10);
                    if (_cleanClose) Console.WriteLine("closing");
                }

                await Close(_keepAlive);
            }

            public Task DisconnectAsync()
            {
                _cleanClose = true;
                return Close(null);
            }

            private async Task Close(Task? sender)
            {
                if (Interlocked.Exchange(ref _closed, 1) == 1)
                {
                    return;
                }

                var receiver = _receiver.WaitUnlessSelfAsync(sender);
                var keepAlive = _keepAlive.WaitUnlessSelfAsync(sender);
                await Task.WhenAll(receiver, keepAlive).ConfigureAwait(false);
                WRITE
            }
        }
        """;

    [Fact]
    public Task WriteAfterJoiningTheOtherLoopsTaskThroughAHelper_NoReport()
        => Verify(TwoLoopsClosingThroughAJoin.Replace("WRITE", "_cleanClose = false;"));

    [Fact]
    public Task WriteAfterJoiningAnUnrelatedTask_Reports()
        => Verify(
            TwoLoopsClosingThroughAJoin
                .Replace("var receiver = _receiver.WaitUnlessSelfAsync(sender);", "var receiver = Task.Delay(1);").Replace("WRITE", "_cleanClose = false;")
                .Replace("Task.Run(() => ReceiveLoop(token))", "Task.Run(() => {|#0:ReceiveLoop(token)|})")
                .Replace("Task.Run(() => KeepAliveLoop(token))", "Task.Run(() => {|#1:KeepAliveLoop(token)|})"),
            DiagAny(0),
            DiagAny(1));

    [Fact]
    public Task WriteBeforeJoiningTheOtherLoopsTask_Reports()
        => Verify(
            TwoLoopsClosingThroughAJoin
                .Replace("var receiver =", "_cleanClose = false;\n        var receiver =").Replace("WRITE", string.Empty)
                .Replace("Task.Run(() => ReceiveLoop(token))", "Task.Run(() => {|#0:ReceiveLoop(token)|})")
                .Replace("Task.Run(() => KeepAliveLoop(token))", "Task.Run(() => {|#1:KeepAliveLoop(token)|})"),
            DiagAny(0),
            DiagAny(1));

    [Fact]
    public Task JoinThroughFieldTask_AccessBeforeTheAwait_Reports()
        => Verify("""
            class Loop
            {
                private Task? _loop;
                private int _count;

                public void Start() => _loop ??= Task.Run(() => { for (int i = 0; i < 10; i++) {|#0:_count++|}; });

                public async Task CloseAsync()
                {
                    _count = 0;
                    if (_loop is not null) await _loop;
                }
            }
            """,
            Diag(0, "Task.Run", "increments", "field 'Loop._count'", "'CloseAsync' writes it without a lock"));

    [Fact]
    public Task StartOnceGuard_TaskInField_NoSelfOverlap_NoReport()
        => Verify("""
            class Pump
            {
                private readonly object _gate = new();
                private Task? _task;
                private int _ticks;

                public void Start()
                {
                    lock (_gate)
                    {
                        if (_task is not null) return;
                        _task = Task.Run(Loop);
                    }
                }

                private void Loop()
                {
                    while (true)
                    {
                        _ticks++;
                        Thread.Sleep(10);
                    }
                }
            }
            """);

    [Fact]
    public Task StartWithoutGuard_TaskInField_Reports()
        => Verify("""
            class Pump
            {
                private Task? _task;
                private int _ticks;

                public void Start() => _task = Task.Run(() => {|#0:_ticks++|});
            }
            """,
            Diag(0, "Task.Run", "increments", "field 'Pump._ticks'", "another run of the same work can do the same ('Start' registers it each time it runs)"));

    [Fact]
    public Task WorkRacingWithCallback_LeftToExec001_NoExec002()
        => Verify("""
            class C
            {
                private string? _status;

                public C(ThreadPoolExecutor pool)
                {
                    pool.Submit(() => 1).AddDoneCallback(f => Console.WriteLine(_status));
                    Task.Run(() => _status = Environment.MachineName);
                }
            }
            """);

    [Fact]
    public Task SharedRandomField_InParallelBody_Reports()
        => Verify("""
            class C
            {
                private readonly Random _random = new();

                double[] Sample(int n)
                {
                    var result = new double[n];
                    Parallel.For(0, n, i => result[i] = {|#0:_random.NextDouble()|});
                    return result;
                }
            }
            """,
            Diag(0, "Parallel.For", "calls 'Random.NextDouble' on", "field 'C._random'", Loop("Parallel.For")));

    [Fact]
    public Task RandomShared_InParallelBody_NoReport()
        => Verify("""
            class C
            {
                double[] Sample(int n)
                {
                    var result = new double[n];
                    Parallel.For(0, n, i => result[i] = Random.Shared.NextDouble());
                    return result;
                }
            }
            """);

    private const string ParallelWrapper = """
        namespace Lib
        {
            public static class Par
            {
                public static void For(int from, int to, Action<int, int> body) => Parallel.For(0, 2, p => body(p == 0 ? from : (from + to) / 2, p == 0 ? (from + to) / 2 : to));
            }
        }

        """;

    private static async Task VerifyWithOption(string key, string value, string source, params DiagnosticResult[] expected)
    {
        var test = new VerifyCS.Test { TestCode = Usings + ParallelWrapper + source };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\n" + key + " = " + value + "\n"));
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    [Fact]
    public Task ParallelApisOption_JoinsOnReturn_CodeAfterTheCallIsOrdered_NoReport()
        => VerifyWithOption("dotnet_code_quality.EXEC002.parallel_apis", "M:Lib.Par.For", """
            class C
            {
                private readonly object _gate = new();
                private double _sum;

                void Run(double[] data)
                {
                    Lib.Par.For(0, data.Length, (u, v) => { for (int i = u; i < v; i++) { data[i] *= 2; lock (_gate) { _sum += data[i]; } } });
                    _sum = 0;
                }
            }
            """);

    [Fact]
    public Task WorkApisOption_DoesNotJoin_CodeAfterTheCallRaces_Reports()
        => VerifyWithOption("dotnet_code_quality.EXEC002.work_apis", "M:Lib.Par.For", """
            class C
            {
                private readonly object _gate = new();
                private double _sum;

                void Run(double[] data)
                {
                    Lib.Par.For(0, data.Length, (u, v) => { for (int i = u; i < v; i++) { data[i] *= 2; lock (_gate) { {|#0:_sum += data[i]|}; } } });
                    _sum = 0;
                }
            }
            """,
            Diag(0, "Par.For", "updates", "field 'C._sum'", "'Run' writes it without a lock after starting the work, with no join in between", "under lock '_gate'"));

    [Fact]
    public Task ParallelApisOption_RunsOverlap_UnlockedAccumulation_Reports()
        => VerifyWithOption("dotnet_code_quality.EXEC002.parallel_apis", "M:Lib.Par.For", """
            class C
            {
                private double _sum;

                void Run(double[] data) => Lib.Par.For(0, data.Length, (u, v) => { for (int i = u; i < v; i++) {|#0:_sum += data[i]|}; });
            }
            """,
            Diag(0, "Par.For", "updates", "field 'C._sum'", Loop("Par.For")));

    [Fact]
    public Task AwaitWithConfigureAwait_IsAJoin_NoReport()
        => Verify("""
            class C
            {
                private int _n;

                private C() { }

                public static async Task<C> CreateAsync()
                {
                    var c = new C();
                    await c.RunAsync();
                    return c;
                }

                private async Task RunAsync()
                {
                    var t = Task.Run(() => _n++);
                    await t.ConfigureAwait(false);
                    _n++;
                }
            }
            """);

    [Fact]
    public Task FieldTaskJoinedWithConfigureAwait_InOtherMember_NoReport()
        => Verify("""
            class Loop
            {
                private Task? _loop;
                private CancellationTokenSource? _cts;

                public static Loop Create()
                {
                    var h = new Loop();
                    h._loop = Task.Run(h.RunAsync);
                    return h;
                }

                private async Task RunAsync()
                {
                    _cts = new CancellationTokenSource();
                    await Task.Delay(1, _cts.Token);
                }

                public async Task CloseAsync()
                {
                    if (_loop != null) await _loop.ConfigureAwait(false);
                    _cts?.Dispose();
                    _cts = null;
                }
            }
            """);

    [Fact]
    public Task OneWriteReachedFromSeveralCalls_ReportedOnce_AtTheFirstCall()
        => Verify("""
            class Pump
            {
                private int _failures;

                public void Start()
                {
                    for (int i = 0; i < 2; i++)
                    {
                        Task.Run(() =>
                        {
                            try { Step(); } catch (InvalidOperationException) { {|#0:Fail()|}; }
                            try { Step(); } catch (TimeoutException) { Fail(); }
                            try { Step(); } catch (ArgumentException) { Fail(); }
                        });
                    }
                }

                private static void Step() { }

                private void Fail() => _failures++;
            }
            """,
            DiagAny(0));

    [Fact]
    public Task CalleeOnlyTheWorkCalls_ItsOtherAccessIsTheSameRun_NoReport()
        => Verify("""
            class Writer
            {
                private CancellationTokenSource? _cts;
                private Task? _task;

                public static Writer Create()
                {
                    var w = new Writer();
                    w._task = Task.Run(w.LoopAsync);
                    return w;
                }

                private async Task LoopAsync()
                {
                    for (int i = 0; i < 10; i++)
                    {
                        await FlushAsync();
                    }
                }

                private async Task FlushAsync()
                {
                    if (_cts is null || !_cts.TryReset())
                    {
                        _cts?.Dispose();
                        _cts = new CancellationTokenSource();
                    }

                    await Task.Delay(1, _cts.Token);
                }
            }
            """);

    [Fact]
    public Task CalleeAlsoCalledByAPublicMember_OtherAccessRaces_Reports()
        => Verify("""
            class Writer
            {
                private CancellationTokenSource? _cts;

                public void Start() => _ = Task.Run(LoopAsync);

                public Task FlushNowAsync() => FlushAsync();

                private async Task LoopAsync()
                {
                    for (int i = 0; i < 10; i++)
                    {
                        await {|#0:FlushAsync()|};
                    }
                }

                private async Task FlushAsync()
                {
                    if (_cts is null)
                    {
                        _cts = new CancellationTokenSource();
                    }

                    await Task.Delay(1, _cts.Token);
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task TakeLockHelperPair_ThatThrowsUnlessTaken_IsALock_NoReport()
        => Verify("""
            class Flags
            {
                private int _flags;

                private void TakeLock(ref bool taken)
                {
                    if (!taken)
                    {
                        Monitor.TryEnter(this, 10_000, ref taken);
                        if (!taken) throw new TimeoutException();
                    }
                }

                private void ReleaseLock(ref bool taken)
                {
                    if (taken)
                    {
                        Monitor.Exit(this);
                        taken = false;
                    }
                }

                public void Activate()
                {
                    bool taken = false;
                    try
                    {
                        TakeLock(ref taken);
                        _flags |= 1;
                    }
                    finally
                    {
                        ReleaseLock(ref taken);
                    }
                }

                public void StartWorker() => Task.Run(Work);

                private void Work()
                {
                    bool taken = false;
                    try
                    {
                        TakeLock(ref taken);
                        _flags &= ~1;
                    }
                    finally
                    {
                        ReleaseLock(ref taken);
                    }
                }
            }
            """);

    [Fact]
    public Task TakeLockHelper_WhoseTryEnterMayFailSilently_IsNoLock_Reports()
        => Verify("""
            class Flags
            {
                private int _flags;

                private void TakeLock(ref bool taken)
                {
                    if (!taken)
                    {
                        Monitor.TryEnter(this, 10_000, ref taken);
                    }
                }

                private void ReleaseLock(ref bool taken)
                {
                    if (taken)
                    {
                        Monitor.Exit(this);
                        taken = false;
                    }
                }

                public void Activate()
                {
                    bool taken = false;
                    try
                    {
                        TakeLock(ref taken);
                        _flags |= 1;
                    }
                    finally
                    {
                        ReleaseLock(ref taken);
                    }
                }

                public void StartWorker() => Task.Run(Work);

                private void Work()
                {
                    bool taken = false;
                    try
                    {
                        TakeLock(ref taken);
                        {|#0:_flags &= ~1|};
                    }
                    finally
                    {
                        ReleaseLock(ref taken);
                    }
                }
            }
            """,
            DiagAny(0));

    [Fact]
    public Task TakeLockHelper_ThrowingThroughALocalFunction_LocksCallersOfInsideLockHelpers_NoReport()
        => Verify("""
            internal class Writer
            {
                private int _state;

                protected void TakeLock(ref bool taken)
                {
                    if (!taken)
                    {
                        Monitor.TryEnter(this, 10_000, ref taken);
                        if (!taken) Throw();
                    }

                    static void Throw() => throw new TimeoutException("Unable to acquire the lock");
                }

                protected void ReleaseLock(ref bool taken)
                {
                    if (taken)
                    {
                        Monitor.Exit(this);
                        taken = false;
                    }
                }

                protected void SetInsideLock(int flags) => _state |= flags;

                protected void ClearInsideLock(int flags) => _state &= ~flags;

                public void Activate()
                {
                    bool taken = false;
                    try
                    {
                        TakeLock(ref taken);
                        SetInsideLock(1);
                    }
                    finally
                    {
                        ReleaseLock(ref taken);
                    }
                }

                public void Start() => Task.Run(Copy);

                private void Copy()
                {
                    bool taken = false;
                    try
                    {
                        TakeLock(ref taken);
                        ClearInsideLock(1);
                    }
                    finally
                    {
                        ReleaseLock(ref taken);
                    }
                }
            }
            """);

    /// <summary>Statistics whose counter every client's receiver stores back after an increment; the setter is internal (FRIEND: an InternalsVisibleTo or not).</summary>
    private const string StatisticsWithAnInternalSetter = """
        FRIEND
        public sealed class Stats
        {
            private long _received;

            public long Received { get => _received; internal set => _received = value; }

            internal void OnMessage() => _received = Interlocked.Increment(ref _received);
        }

        public sealed class Server
        {
            private readonly Stats _stats = new();

            // Handed out: 'Received' can run on the same Stats object as the work (a Stats nobody else could reach
            // would have no other side but the work's own other runs).
            public Stats Statistics => _stats;

            public void Accept(int clients)
            {
                for (int i = 0; i < clients; i++)
                {
                    Task.Run(() => {|#0:Receive()|});
                }
            }

            private void Receive() => _stats.OnMessage();
        }
        """;

    [Fact]
    public Task InternalSetterNothingCalls_IsNotNamedAsTheOtherSide_TheGetterIs()
        => Verify(
            StatisticsWithAnInternalSetter.Replace("FRIEND", string.Empty),
            Diag(0, "Task.Run", "calls 'Server.Receive', which calls 'Stats.OnMessage', which writes", "field 'Stats._received'", "'Received' reads it without a lock"));

    [Fact]
    public Task InternalSetterOfAnAssemblyWithFriends_IsNamedAsTheOtherSide()
        => Verify(
            StatisticsWithAnInternalSetter.Replace("FRIEND", "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"Tests\")]"),
            Diag(0, "Task.Run", "calls 'Server.Receive', which calls 'Stats.OnMessage', which writes", "field 'Stats._received'", "'Received' writes it without a lock"));

    [Fact]
    public Task ConditionalCallChain_IsFollowedLikeThePlainCall()
        => Verify(
            StatisticsWithAnInternalSetter.Replace("FRIEND", string.Empty).Replace("_stats.OnMessage();", "_stats?.OnMessage();"),
            Diag(0, "Task.Run", "calls 'Server.Receive', which calls 'Stats.OnMessage', which writes", "field 'Stats._received'", "'Received' reads it without a lock"));

    /// <summary>A tally whose Add the loop bodies call through '?.'.</summary>
    private const string Tally = """
        public sealed class Tally
        {
            private int _n;
            public void Add() => _n++;
        }

        """;

    [Fact]
    public Task ParallelFor_ConditionalCallOnSharedField_Reports()
        => Verify(Tally + """
            class C
            {
                private Tally? _tally = new Tally();

                void Run() => Parallel.For(0, 100, i => {|#0:_tally?.Add()|});
            }
            """,
            Diag(0, "Parallel.For", "calls 'Tally.Add', which increments", "field 'Tally._n'", Loop("Parallel.For")));

    [Fact]
    public Task ParallelFor_ConditionalCallOnObjectCreatedInTheBody_DoesNotReport()
        => Verify(Tally + """
            class C
            {
                void Run() => Parallel.For(0, 100, i =>
                {
                    Tally? tally = i > 0 ? new Tally() : null;
                    tally?.Add();
                });
            }
            """);
}
