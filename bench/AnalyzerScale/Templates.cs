namespace AnalyzerScale;

/// <summary>
/// Member templates for generated service classes. <c>id</c> makes member names unique within a class; <c>k</c> is a
/// small deterministic number that varies constants. Every template compiles against the fields that
/// <see cref="ProjectGenerator"/> declares in each service (and <c>ModuleStats</c>, <c>Order</c>, <c>Util</c>).
/// </summary>
internal static class Templates
{
    /// <summary>Members with no concurrent callback: LINQ, async/await, locks, pattern matching, local functions.</summary>
    public static readonly Template[] Plain =
    {
        new("linq-query", 0, 0, (id, k) => $$"""
            /// <summary>Revenue per customer above a quantity threshold.</summary>
            public int Query{{id}}(IReadOnlyList<Order> orders)
            {
                var totals = orders
                    .Where(o => o.Quantity > {{k}})
                    .GroupBy(o => o.Customer)
                    .Select(g => new { Customer = g.Key, Total = g.Sum(o => o.Price * o.Quantity) })
                    .OrderByDescending(x => x.Total)
                    .ThenBy(x => x.Customer, StringComparer.Ordinal)
                    .ToList();
                int result = 0;
                foreach (var t in totals)
                {
                    result = unchecked(result + (int)(t.Total % 97m));
                }

                return result;
            }
            """),
        new("async-whenall", 0, 0, (id, k) => $$"""
            public async Task<int> Load{{id}}Async(CancellationToken cancellationToken)
            {
                await Task.Delay({{k % 5}}, cancellationToken).ConfigureAwait(false);
                var values = await Task.WhenAll(Enumerable.Range(0, 4).Select(n => Util.ComputeAsync(n + {{k}}, cancellationToken))).ConfigureAwait(false);
                lock (_gate)
                {
                    _total += values.Sum();
                }

                return values.Length;
            }
            """),
        new("locked-cache", 0, 0, (id, k) => $$"""
            public string Describe{{id}}(string key)
            {
                lock (_gate)
                {
                    if (!_cache.TryGetValue(key, out var value))
                    {
                        value = key.Length * {{k}};
                        _cache[key] = value;
                    }

                    return $"{key}:{value}";
                }
            }
            """),
        new("switch-expression", 0, 0, (id, k) => $$"""
            private static int Classify{{id}}(object value) => value switch
            {
                int n when n > {{k}} => n,
                string s => s.Length,
                Order o => o.Quantity,
                _ => 0,
            };
            """),
        new("local-function", 0, 0, (id, k) => $$"""
            public int Fold{{id}}(int[] values)
            {
                Func<int, int> square = x => x * x + {{k}};
                int Accumulate(int seed)
                {
                    foreach (var v in values)
                    {
                        seed = unchecked(seed + square(v));
                    }

                    return seed;
                }

                return Accumulate(values.Length);
            }
            """),
        new("async-try", 0, 0, (id, k) => $$"""
            public async Task<string> Fetch{{id}}Async(string name, CancellationToken cancellationToken)
            {
                try
                {
                    var length = await Util.ComputeAsync(name.Length + {{k}}, cancellationToken).ConfigureAwait(false);
                    return name.PadLeft(length % 16 + 1, '*');
                }
                catch (OperationCanceledException)
                {
                    return string.Empty;
                }
                finally
                {
                    Interlocked.Increment(ref _ticks);
                }
            }
            """),
        new("property", 0, 0, (id, k) => $$"""
            public int Threshold{{id}}
            {
                get => _thresholds[{{k % 4}}];
                set
                {
                    if (value < 0)
                    {
                        throw new ArgumentOutOfRangeException(nameof(value));
                    }

                    _thresholds[{{k % 4}}] = value;
                }
            }
            """),
        new("linq-dictionary", 0, 0, (id, k) => $$"""
            public Dictionary<string, int> Index{{id}}(IEnumerable<Order> orders)
            {
                return orders
                    .Where(o => !string.IsNullOrEmpty(o.Customer))
                    .Select((o, i) => (o.Customer, Rank: i + {{k}}))
                    .GroupBy(p => p.Customer)
                    .ToDictionary(g => g.Key, g => g.Min(p => p.Rank), StringComparer.Ordinal);
            }
            """),
    };

    /// <summary>Members that register concurrent callbacks that are safe (locks, Interlocked, locals, thread-safe types).</summary>
    public static readonly Template[] SafeCallbacks =
    {
        new("done-callback-lock", 1, 0, (id, k) => $$"""
            public void SubmitCounted{{id}}(int input)
            {
                var future = _pool.Submit(() => Compute(input + {{k}}));
                future.AddDoneCallback(f =>
                {
                    var value = f.Result();
                    lock (_gate)
                    {
                        _count++;
                        _total += value;
                    }
                });
            }
            """),
        new("done-callback-interlocked", 1, 0, (id, k) => $$"""
            public void SubmitSummed{{id}}(int input) =>
                _pool.Submit(() => Compute(input * {{k}})).AddDoneCallback(f => Interlocked.Add(ref _total, f.Result()));
            """),
        new("continuewith-locals", 1, 0, (id, k) => $$"""
            public Task Continue{{id}}Async(Task<int> source)
            {
                return source.ContinueWith(
                    t =>
                    {
                        var local = new List<int> { t.Result, {{k}} };
                        local.Add(local.Sum());
                        Interlocked.Exchange(ref _last, local.Count);
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
            """),
        new("register-concurrent-queue", 1, 0, (id, k) => $$"""
            public CancellationTokenRegistration Watch{{id}}(CancellationToken token)
            {
                return token.Register(() => _queue.Enqueue({{k}}));
            }
            """),
        new("timer-lock", 1, 0, (id, k) => $$"""
            public Timer StartTicker{{id}}()
            {
                return new Timer(
                    _ =>
                    {
                        lock (_gate)
                        {
                            _items.Add("tick{{id}}");
                        }
                    },
                    null,
                    {{k}},
                    Timeout.Infinite);
            }
            """),
        new("timers-elapsed", 1, 0, (id, k) => $$"""
            public System.Timers.Timer Poll{{id}}()
            {
                var timer = new System.Timers.Timer({{k + 1}});
                timer.Elapsed += (sender, e) => Interlocked.Increment(ref _ticks);
                timer.AutoReset = true;
                return timer;
            }
            """),
        new("threadpool-volatile", 1, 0, (id, k) => $$"""
            public bool Queue{{id}}(int[] data)
            {
                return ThreadPool.QueueUserWorkItem(_ =>
                {
                    var sum = data.Where(x => x % {{k % 7 + 2}} == 0).Sum();
                    Volatile.Write(ref _last, sum);
                });
            }
            """),
        new("done-callback-locked-helper", 1, 0, (id, k) => $$"""
            public void SubmitRecorded{{id}}(int input)
            {
                _pool.Submit(() => input * {{k}}).AddDoneCallback(f => RecordSafe(f.Result()));
            }
            """),
        new("done-callback-cross-file", 2, 0, (id, k) => $$"""
            public void SubmitStats{{id}}(int input)
            {
                var future = _pool.Submit(() => Compute(input - {{k}}));
                future.AddDoneCallback(f => _stats.RecordLocked(f.Result()));
                future.AddDoneCallback(_stats.OnDone);
            }
            """),
        new("done-callback-captured-local", 1, 0, (id, k) => $$"""
            public void SubmitLabeled{{id}}(string prefix)
            {
                var label = prefix + "-{{id}}";
                _pool.Submit(() => label.Length + {{k}}).AddDoneCallback(f => Console.WriteLine(label + ": " + f.Result()));
            }
            """),
        new("async-bridge", 2, 0, (id, k) => $$"""
            public async Task<int> Await{{id}}Async(CancellationToken cancellationToken)
            {
                var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (cancellationToken.Register(() => tcs.TrySetCanceled(cancellationToken)))
                {
                    _pool.Submit(() => Compute({{k}})).AddDoneCallback(f => tcs.TrySetResult(f.Result()));
                    return await tcs.Task.ConfigureAwait(false);
                }
            }
            """),
    };

    /// <summary>Members that register one unsafe callback each; each must produce exactly one EXEC001.</summary>
    public static readonly Template[] UnsafeCallbacks =
    {
        new("unsafe-increment", 1, 1, (id, k) => $$"""
            public void SubmitUnsafeCount{{id}}(int input)
            {
                _pool.Submit(() => Compute(input + {{k}})).AddDoneCallback(f => _count++);
            }
            """),
        new("unsafe-list-add", 1, 1, (id, k) => $$"""
            public Task ContinueUnsafe{{id}}Async(Task<int> source)
            {
                return source.ContinueWith(t => _items.Add("done{{k}}:" + t.Result), TaskScheduler.Default);
            }
            """),
        new("unsafe-timer-compound", 1, 1, (id, k) => $$"""
            public Timer StartUnsafeTicker{{id}}()
            {
                return new Timer(_ => _total += {{k}}, null, {{k}}, Timeout.Infinite);
            }
            """),
        new("unsafe-helper", 1, 1, (id, k) => $$"""
            public void SubmitUnsafeRecorded{{id}}(int input)
            {
                _pool.Submit(() => input + {{k}}).AddDoneCallback(f => RecordUnsafe(f.Result()));
            }
            """),
        new("unsafe-cross-file", 1, 1, (id, k) => $$"""
            public CancellationTokenRegistration WatchUnsafe{{id}}(CancellationToken token)
            {
                return token.Register(() => _stats.Bump());
            }
            """),
        new("unsafe-threadpool-write", 1, 1, (id, k) => $$"""
            public bool QueueUnsafe{{id}}(int value)
            {
                return ThreadPool.QueueUserWorkItem(_ => _last = value + {{k}});
            }
            """),
    };
}

/// <summary>One member template: how many callbacks it registers and how many EXEC001 diagnostics it must produce.</summary>
internal sealed class Template
{
    public Template(string name, int callbacks, int expectedDiagnostics, System.Func<int, int, string> render)
    {
        Name = name;
        Callbacks = callbacks;
        ExpectedDiagnostics = expectedDiagnostics;
        Render = render;
    }

    public string Name { get; }

    public int Callbacks { get; }

    public int ExpectedDiagnostics { get; }

    public System.Func<int, int, string> Render { get; }
}
