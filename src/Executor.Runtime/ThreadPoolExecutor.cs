using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Executor;

/// <summary>
/// Runs submitted work on a bounded set of dedicated worker threads and returns a <see cref="Future"/> for each
/// piece of work; the .NET counterpart of Python's <c>concurrent.futures.ThreadPoolExecutor</c>.
/// </summary>
/// <remarks>
/// <para>Workers are started lazily: each <see cref="Submit(Action)"/> reuses an idle worker when there is one and
/// starts a new worker only otherwise, up to <see cref="MaxWorkers"/>. Workers are named
/// <c>ThreadPoolExecutor-{n}_{i}</c> (or <c>{threadNamePrefix}_{i}</c>).</para>
/// <para><b>Done callbacks</b> run on the worker that completes the task, or on the thread that registers them when
/// the future is already done; see <see cref="Future"/>. Callbacks of different tasks therefore run concurrently.</para>
/// <para><b>Waiting inside the executor.</b> A worker (running a task or a done callback) that waits for a future of
/// this same executor that has not started yet, through <c>Result</c>, <c>Exception</c>, <see cref="Futures.Wait"/>,
/// <see cref="Futures.AsCompleted"/> or <see cref="Map"/>, runs that task inline instead of waiting (like
/// <c>Task.Wait</c> inlining), so a task that waits for a task queued behind it cannot deadlock the pool, even with
/// one worker. The worker that later dequeues it skips it. The inlined task's callbacks run on the waiting worker,
/// the thread that completed it. <c>Shutdown(wait: true)</c> and <c>Dispose</c> on a worker of this executor throw
/// <see cref="InvalidOperationException"/>: the worker would wait for itself.</para>
/// <para><b>Process exit.</b> Workers are background threads, so an executor that is never shut down does not keep
/// the process alive. Work accepted before <c>Main</c> returns is not dropped: when the process exits normally,
/// every executor still alive is shut down with <c>wait: true</c>, so queued tasks and their callbacks run to
/// completion first (as Python joins its workers at exit).</para>
/// </remarks>
public sealed partial class ThreadPoolExecutor : IDisposable, IAsyncDisposable
{
    private static int s_executorCounter;
    private readonly Core _core;

    /// <summary>Initializes a new executor.</summary>
    /// <param name="maxWorkers">The largest number of worker threads; defaults to <c>min(32, ProcessorCount + 4)</c>.</param>
    /// <param name="threadNamePrefix">The prefix of worker thread names; defaults to <c>ThreadPoolExecutor-{n}</c>.</param>
    /// <param name="initializer">Runs once on each worker before its first task. If it throws, the pool becomes
    /// broken: pending and later work fails with <see cref="BrokenThreadPoolException"/>, whose inner exception is
    /// the initializer's.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is zero or negative.</exception>
    public ThreadPoolExecutor(int? maxWorkers = null, string? threadNamePrefix = null, Action? initializer = null)
    {
        if (maxWorkers is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, "maxWorkers must be greater than 0, or null for the default of min(32, ProcessorCount + 4).");
        }

        int workers = maxWorkers ?? Math.Min(32, Environment.ProcessorCount + 4);
        int number = Interlocked.Increment(ref s_executorCounter) - 1;
        string prefix = string.IsNullOrEmpty(threadNamePrefix) ? $"ThreadPoolExecutor-{number}" : threadNamePrefix!;
        _core = new Core(workers, prefix, initializer);
    }

    /// <summary>Finalizes the executor: lets idle workers of an executor that was dropped without shutdown exit once its queue is drained.</summary>
    ~ThreadPoolExecutor()
    {
        // _core is null when the constructor threw; an exception here would kill the process.
        _core?.Shutdown(wait: false, cancelFutures: false, fromProcessExit: false);
    }

    /// <summary>Gets the largest number of worker threads this executor uses.</summary>
    public int MaxWorkers => _core.MaxWorkers;

    /// <summary>Schedules <paramref name="fn"/> to run on a worker and returns a future for its result.</summary>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="fn">The function to run.</param>
    /// <returns>A future that completes with the function's result or exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    /// <exception cref="BrokenThreadPoolException">A worker initializer failed.</exception>
    public Future<T> Submit<T>(Func<T> fn)
    {
        Guard.NotNull(fn, nameof(fn));
        var future = new FuncWorkItem<T>(_core, fn);
        _core.Enqueue(future);
        GC.KeepAlive(this); // Else an optimized caller's last use of the executor lets its finalizer shut it down mid-submit.
        return future;
    }

    /// <summary>Schedules <paramref name="fn"/> to run on a worker and returns a future for its completion.</summary>
    /// <param name="fn">The action to run.</param>
    /// <returns>A future that completes when the action returns or throws.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    /// <exception cref="BrokenThreadPoolException">A worker initializer failed.</exception>
    public Future Submit(Action fn)
    {
        Guard.NotNull(fn, nameof(fn));
        var future = new ActionWorkItem(_core, fn);
        _core.Enqueue(future);
        GC.KeepAlive(this); // Else an optimized caller's last use of the executor lets its finalizer shut it down mid-submit.
        return future;
    }

    /// <summary>Schedules <paramref name="fn"/> with an argument, avoiding a closure allocation.</summary>
    /// <typeparam name="TState">The type of the argument.</typeparam>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="fn">The function to run.</param>
    /// <param name="state">The argument passed to <paramref name="fn"/>.</param>
    /// <returns>A future that completes with the function's result or exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    /// <exception cref="BrokenThreadPoolException">A worker initializer failed.</exception>
    public Future<T> Submit<TState, T>(Func<TState, T> fn, TState state)
    {
        Guard.NotNull(fn, nameof(fn));
        var future = new StateFuncWorkItem<TState, T>(_core, fn, state);
        _core.Enqueue(future);
        GC.KeepAlive(this); // Else an optimized caller's last use of the executor lets its finalizer shut it down mid-submit.
        return future;
    }

    /// <summary>Schedules <paramref name="fn"/> with an argument, avoiding a closure allocation.</summary>
    /// <typeparam name="TState">The type of the argument.</typeparam>
    /// <param name="fn">The action to run.</param>
    /// <param name="state">The argument passed to <paramref name="fn"/>.</param>
    /// <returns>A future that completes when the action returns or throws.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    /// <exception cref="BrokenThreadPoolException">A worker initializer failed.</exception>
    public Future Submit<TState>(Action<TState> fn, TState state)
    {
        Guard.NotNull(fn, nameof(fn));
        var future = new StateActionWorkItem<TState>(_core, fn, state);
        _core.Enqueue(future);
        GC.KeepAlive(this); // Else an optimized caller's last use of the executor lets its finalizer shut it down mid-submit.
        return future;
    }

    /// <summary>Schedules a cancellable function: <paramref name="cancellationToken"/> cancels it until it starts and is passed to it.</summary>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="fn">The function to run; it receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the future if cancelled before the task starts (its done callbacks
    /// then run on the thread that cancels the token). If <paramref name="fn"/> throws
    /// <see cref="OperationCanceledException"/> for this token, the future ends cancelled, as a <see cref="Task"/> does.</param>
    /// <returns>A future that completes with the function's result or exception, or is cancelled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    /// <exception cref="BrokenThreadPoolException">A worker initializer failed.</exception>
    public Future<T> Submit<T>(Func<CancellationToken, T> fn, CancellationToken cancellationToken)
    {
        Guard.NotNull(fn, nameof(fn));
        var future = new TokenFuncWorkItem<T>(_core, fn, cancellationToken);

        // Registered before the task is queued, so a token cancelled already cancels it before any worker can start it.
        future.AttachToken();
        try
        {
            _core.Enqueue(future);
        }
        catch
        {
            future.DetachToken();
            throw;
        }

        GC.KeepAlive(this); // Else an optimized caller's last use of the executor lets its finalizer shut it down mid-submit.
        return future;
    }

    /// <summary>Schedules a cancellable action: <paramref name="cancellationToken"/> cancels it until it starts and is passed to it.</summary>
    /// <param name="fn">The action to run; it receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the future if cancelled before the task starts (its done callbacks
    /// then run on the thread that cancels the token). If <paramref name="fn"/> throws
    /// <see cref="OperationCanceledException"/> for this token, the future ends cancelled, as a <see cref="Task"/> does.</param>
    /// <returns>A future that completes when the action returns or throws, or is cancelled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    /// <exception cref="BrokenThreadPoolException">A worker initializer failed.</exception>
    public Future Submit(Action<CancellationToken> fn, CancellationToken cancellationToken)
    {
        Guard.NotNull(fn, nameof(fn));
        var future = new TokenActionWorkItem(_core, fn, cancellationToken);

        // Registered before the task is queued, so a token cancelled already cancels it before any worker can start it.
        future.AttachToken();
        try
        {
            _core.Enqueue(future);
        }
        catch
        {
            future.DetachToken();
            throw;
        }

        GC.KeepAlive(this); // Else an optimized caller's last use of the executor lets its finalizer shut it down mid-submit.
        return future;
    }

    /// <summary>
    /// Applies <paramref name="fn"/> to every element concurrently and yields the results in input order, like
    /// Python's <c>Executor.map</c>.
    /// </summary>
    /// <typeparam name="TSource">The type of the inputs.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="fn">The function to apply.</param>
    /// <param name="source">The inputs. All of them are submitted when <see cref="Map"/> is called.</param>
    /// <param name="timeout">The total time enumeration may take, counted from the call to <see cref="Map"/>;
    /// <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    /// <returns>The results in input order. A task's exception is rethrown when its result is reached. Stopping the
    /// enumeration early (or an exception) cancels the tasks that have not started.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    /// <exception cref="TimeoutException">Thrown during enumeration when a result is not available before the timeout.</exception>
    public IEnumerable<TResult> Map<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null)
    {
        Guard.NotNull(fn, nameof(fn));
        Guard.NotNull(source, nameof(source));
        var deadline = Deadline.From(timeout, nameof(timeout));
        var futures = new List<Future<TResult>>();
        try
        {
            foreach (var item in source)
            {
                futures.Add(Submit(fn, item));
            }
        }
        catch
        {
            CancelAll(futures, 0);
            throw;
        }

        return MapIterator(futures, deadline, timeout);
    }

    /// <summary>
    /// Signals the executor to free its resources once pending work is done. Idempotent; later calls to
    /// <c>Submit</c> throw <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <param name="wait">If <see langword="true"/>, blocks until all accepted work (and its done callbacks) has run,
    /// the workers have exited, and the done callbacks of futures cancelled by any <c>cancelFutures</c> shutdown have
    /// finished.</param>
    /// <param name="cancelFutures">If <see langword="true"/>, cancels every task that has not started: all of them
    /// are cancelled first, so no worker can start one, and then their done callbacks run on the calling thread. Tasks
    /// already running are not interrupted.</param>
    /// <exception cref="InvalidOperationException"><paramref name="wait"/> is <see langword="true"/> and the caller is
    /// one of this executor's workers (a task or a done callback), which would wait for itself; use
    /// <c>Shutdown(wait: false)</c> there.</exception>
    public void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        _core.Shutdown(wait, cancelFutures, fromProcessExit: false);
        if (wait)
        {
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Shuts the executor down, waiting for accepted work: <c>Shutdown(wait: true)</c>.</summary>
    /// <exception cref="InvalidOperationException">Called on one of this executor's workers; use <c>Shutdown(wait: false)</c> there.</exception>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>Shuts the executor down and completes when all accepted work has run and the workers have exited, without blocking a thread.</summary>
    /// <returns>A task that completes when the workers have exited.</returns>
    public ValueTask DisposeAsync()
    {
        _core.Shutdown(wait: false, cancelFutures: false, fromProcessExit: false);
        GC.SuppressFinalize(this);
        return new ValueTask(_core.Terminated);
    }

    /// <summary>Gets a value indicating whether the calling thread is a worker of any executor.</summary>
    internal static bool IsOnWorkerThread => Core.Current is not null;

    /// <summary>Submits a done callback of <paramref name="future"/> to this executor (see <see cref="Future.AddDoneCallback(Action{Future}, ThreadPoolExecutor)"/>).</summary>
    internal void DispatchCallback(Delegate callback, Future future)
    {
        try
        {
            _core.Enqueue(new CallbackWorkItem(_core, callback, future));
        }
        catch (InvalidOperationException ex)
        {
            Futures.ReportCallbackFailure(
                future,
                new InvalidOperationException($"A done callback of {future} was not run: its executor '{_core.Prefix}' rejected it ({ex.Message}).", ex));
        }

        GC.KeepAlive(this);
    }

    /// <summary>Gets the number of worker threads started so far (for tests and diagnostics).</summary>
    internal int WorkerCount => _core.WorkerCount;

    /// <summary>Gets the names of the worker threads started so far.</summary>
    internal IReadOnlyList<string> WorkerNames => _core.WorkerNames;

    /// <summary>Gets the number of workers that have announced they are idle and not yet been claimed by a submit (for tests).</summary>
    internal int IdleWorkerCount => _core.IdleWorkerCount;

    /// <summary>Gets a value indicating whether every worker thread started so far has terminated (for tests).</summary>
    internal bool AllWorkersExited => _core.AllWorkersExited;

    private static void CancelAll<TResult>(List<Future<TResult>> futures, int from)
    {
        for (int i = from; i < futures.Count; i++)
        {
            futures[i].Cancel();
        }
    }

    private static IEnumerable<TResult> MapIterator<TResult>(List<Future<TResult>> futures, Deadline deadline, TimeSpan? timeout)
    {
        int index = 0;
        try
        {
            for (; index < futures.Count; index++)
            {
                var future = futures[index];
                future.WaitDone(deadline, default, timeout);
                yield return future.Result(TimeSpan.Zero);
            }
        }
        finally
        {
            // From index, not index + 1: when the wait for item index timed out, it may not have started either.
            // (After a break, item index was yielded, so it is done and Cancel is a no-op.)
            CancelAll(futures, index);
        }
    }

    /// <summary>
    /// The state shared with the worker threads. Workers reference only this, never the executor, so an executor
    /// dropped without shutdown can be finalized and its idle workers released.
    /// </summary>
    internal sealed class Core
    {
        private static readonly ConcurrentDictionary<Core, byte> s_live = new();
        private static int s_processExitHooked;

        [ThreadStatic]
        private static Core? t_current;

        // The executors whose Shutdown(cancelFutures: true) is running callbacks on this thread (rarely more than one).
        [ThreadStatic]
        private static List<Core>? t_cancelling;

        private readonly ConcurrentQueue<Future> _queue = new();
        private readonly SemaphoreSlim _wake = new(0);
        private readonly object _stateGate = new();
        private readonly List<Thread> _threads = new();
        private readonly Action? _initializer;
        private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _idle;
        private int _running;
        private int _starting;
        private int _cancellers;
        private volatile bool _shutdown;
        private volatile BrokenThreadPoolException? _broken;

        public Core(int maxWorkers, string prefix, Action? initializer)
        {
            MaxWorkers = maxWorkers;
            Prefix = prefix;
            Tag = new KeyValuePair<string, object?>(ExecutorMetrics.ExecutorTag, prefix);
            _initializer = initializer;
        }

        /// <summary>Gets the executor whose worker the calling thread is, if any.</summary>
        public static Core? Current => t_current;

        /// <summary>Gets the executors that have live workers.</summary>
        public static ICollection<Core> Live => s_live.Keys;

        public int MaxWorkers { get; }

        public string Prefix { get; }

        /// <summary>Gets the metrics tag naming this executor.</summary>
        public KeyValuePair<string, object?> Tag { get; }

        public bool IsCurrentWorker => t_current == this;

        public Task Terminated => _terminated.Task;

        public int QueueLength => _queue.Count;

        public int ActiveWorkerCount => Math.Max(0, Volatile.Read(ref _running) - Volatile.Read(ref _idle));

        public int WorkerCount
        {
            get
            {
                lock (_stateGate)
                {
                    return _threads.Count;
                }
            }
        }

        public IReadOnlyList<string> WorkerNames
        {
            get
            {
                lock (_stateGate)
                {
                    return _threads.ConvertAll(t => t.Name ?? string.Empty);
                }
            }
        }

        public int IdleWorkerCount => Volatile.Read(ref _idle);

        public bool AllWorkersExited
        {
            get
            {
                lock (_stateGate)
                {
                    return _threads.TrueForAll(t => !t.IsAlive);
                }
            }
        }

        public static void ShutdownAll()
        {
            foreach (var core in s_live.Keys)
            {
                core.Shutdown(wait: true, cancelFutures: false, fromProcessExit: true);
            }
        }

        public void Enqueue(Future item)
        {
            Thread? toStart = null;
            if (ExecutorMetrics.QueueWait.Enabled)
            {
                item.OnEnqueued(Stopwatch.GetTimestamp());
            }

            lock (_stateGate)
            {
                if (_broken is { } broken)
                {
                    throw new BrokenThreadPoolException(broken.Message, broken.InnerException);
                }

                if (_shutdown)
                {
                    throw new InvalidOperationException("Cannot schedule new futures after shutdown.");
                }

                _queue.Enqueue(item);
                if (!TryWakeIdleWorker() && _threads.Count < MaxWorkers)
                {
                    toStart = AddWorkerLocked();
                }
            }

            ExecutorMetrics.Add(ExecutorMetrics.Submitted, this);
            if (toStart is not null)
            {
                StartWorker(toStart);
            }
        }

        /// <summary>
        /// Announces the calling worker idle before it completes its task, when nothing is queued and the completion
        /// runs no user code: a caller woken by the completion that submits again finds this worker instead of
        /// starting another. The caller holds the future's lock, so no callback can be added in between.
        /// </summary>
        public bool TryAnnounceIdleEarly()
        {
            if (!_queue.IsEmpty || _shutdown)
            {
                return false;
            }

            Interlocked.Increment(ref _idle);
            return true;
        }

        public void Shutdown(bool wait, bool cancelFutures, bool fromProcessExit)
        {
            if (wait && !fromProcessExit && t_current == this)
            {
                throw new InvalidOperationException(
                    "Shutdown(wait: true) (or Dispose) was called on one of this executor's own worker threads, from a task or a done callback; it would wait for itself. Use Shutdown(wait: false) there: the executor still finishes the accepted work.");
            }

            List<Future>? cancelled = null;
            int threadCount;
            lock (_stateGate)
            {
                _shutdown = true;
                if (cancelFutures)
                {
                    // First cancel every queued task, before any callback runs, so no worker can start one of them
                    // while a slow cancel callback runs; then run their callbacks outside the lock.
                    _cancellers++;
                    (t_cancelling ??= new List<Core>(1)).Add(this);
                    while (_queue.TryDequeue(out var item))
                    {
                        if (item.TryCancelDeferringCallbacks())
                        {
                            (cancelled ??= new List<Future>()).Add(item);
                        }
                    }
                }

                threadCount = _threads.Count;
                TryTerminateLocked();
            }

            if (cancelFutures)
            {
                try
                {
                    if (cancelled is not null)
                    {
                        foreach (var item in cancelled)
                        {
                            item.FinishDeferredCancel();
                        }
                    }
                }
                finally
                {
                    lock (_stateGate)
                    {
                        _cancellers--;
                        t_cancelling!.Remove(this);
                        Monitor.PulseAll(_stateGate);
                        TryTerminateLocked();
                    }
                }
            }

            // Wake every worker so it sees the shutdown once the queue is drained.
            _wake.Release(Math.Max(1, threadCount));

            if (wait)
            {
                Thread[] threads;
                lock (_stateGate)
                {
                    while (_starting > 0)
                    {
                        Monitor.Wait(_stateGate);
                    }

                    threads = _threads.ToArray();
                }

                var current = Thread.CurrentThread;
                foreach (var thread in threads)
                {
                    if (thread != current)
                    {
                        thread.Join();
                    }
                }

                lock (_stateGate)
                {
                    // Cancel callbacks of another Shutdown(cancelFutures: true); not those this thread runs itself.
                    while (_cancellers > OwnCancellers())
                    {
                        Monitor.Wait(_stateGate);
                    }
                }
            }
        }

        private int OwnCancellers()
        {
            int own = 0;
            if (t_cancelling is { } list)
            {
                foreach (var core in list)
                {
                    if (core == this)
                    {
                        own++;
                    }
                }
            }

            return own;
        }

        private void TryTerminateLocked()
        {
            if (_shutdown && _running == 0 && _cancellers == 0)
            {
                _terminated.TrySetResult();
            }
        }

        private bool TryWakeIdleWorker()
        {
            while (true)
            {
                int idle = Volatile.Read(ref _idle);
                if (idle == 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _idle, idle - 1, idle) == idle)
                {
                    _wake.Release();
                    return true;
                }
            }
        }

        private Thread AddWorkerLocked()
        {
            var thread = new Thread(WorkerLoop)
            {
                IsBackground = true,
                Name = $"{Prefix}_{_threads.Count}",
            };
            _threads.Add(thread);
            _running++;
            _starting++;
            if (_threads.Count == 1)
            {
                s_live.TryAdd(this, 0);
                HookProcessExit();
            }

            return thread;
        }

        /// <summary>Starts a worker outside the executor's lock, so submitters and workers are not held up meanwhile.</summary>
        private void StartWorker(Thread thread)
        {
            bool started = false;
            try
            {
                thread.Start();
                started = true;
            }
            finally
            {
                lock (_stateGate)
                {
                    if (!started)
                    {
                        _threads.Remove(thread);
                        _running--;
                        TryTerminateLocked();
                    }

                    if (--_starting == 0)
                    {
                        Monitor.PulseAll(_stateGate);
                    }
                }
            }
        }

        private static void HookProcessExit()
        {
            if (Interlocked.Exchange(ref s_processExitHooked, 1) == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += static (_, _) => ShutdownAll();
            }
        }

        private void WorkerLoop()
        {
            t_current = this;
            try
            {
                if (_initializer is not null && !RunInitializer())
                {
                    return;
                }

                // True when the last task announced this worker idle before completing (see TryAnnounceIdleEarly).
                bool announced = false;
                while (true)
                {
                    if (!announced)
                    {
                        if (_queue.TryDequeue(out var item))
                        {
                            if (_broken is not null)
                            {
                                item.FailUnstarted(new BrokenThreadPoolException(_broken.Message, _broken.InnerException));
                                continue;
                            }

                            announced = item.Run(onWorker: true);
                            continue;
                        }

                        if (_shutdown || _broken is not null)
                        {
                            // A submit accepted just before the shutdown may have enqueued after the TryDequeue above. The
                            // flag is set under the lock after every accepted enqueue, so looking again now sees them all.
                            if (!_queue.IsEmpty)
                            {
                                continue;
                            }

                            return;
                        }

                        // Announce that this worker is idle, then look again so a submit that raced with us is not missed.
                        Interlocked.Increment(ref _idle);
                    }

                    announced = false;
                    if (!_queue.IsEmpty || _shutdown || _broken is not null)
                    {
                        if (TryUnannounceIdle())
                        {
                            continue;
                        }
                    }

                    // Either nothing to do, or a submitter claimed this announcement and released the semaphore for it.
                    _wake.Wait();
                }
            }
            finally
            {
                t_current = null;
                lock (_stateGate)
                {
                    if (--_running == 0)
                    {
                        s_live.TryRemove(this, out _);
                    }

                    TryTerminateLocked();
                }
            }
        }

        /// <summary>Takes back one idle announcement; fails when a submitter already claimed it (and released the semaphore for it).</summary>
        private bool TryUnannounceIdle()
        {
            while (true)
            {
                int idle = Volatile.Read(ref _idle);
                if (idle == 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _idle, idle - 1, idle) == idle)
                {
                    return true;
                }
            }
        }

        private bool RunInitializer()
        {
            try
            {
                _initializer!();
                return true;
            }
            catch (Exception ex)
            {
                lock (_stateGate)
                {
                    _broken ??= new BrokenThreadPoolException("A thread initializer failed, the thread pool is not usable anymore.", ex);
                }

                while (_queue.TryDequeue(out var item))
                {
                    item.FailUnstarted(new BrokenThreadPoolException(_broken.Message, _broken.InnerException));
                }

                _wake.Release(MaxWorkers);
                return false;
            }
        }
    }
}
