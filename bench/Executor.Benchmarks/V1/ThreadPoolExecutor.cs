// Executor.Runtime v1 as of commit b38a2e0 (main before issue 13), copied unchanged except for the namespace,
// so the benchmarks compare v1 and v2 in the same BenchmarkDotNet run on the same (noisy) machine.
#pragma warning disable
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Executor.V1;

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
/// <para><b>Process exit.</b> Workers are background threads, so an executor that is never shut down does not keep
/// the process alive. Work accepted before <c>Main</c> returns is not dropped: when the process exits normally,
/// every executor still alive is shut down with <c>wait: true</c>, so queued tasks and their callbacks run to
/// completion first (as Python joins its workers at exit).</para>
/// </remarks>
public sealed class ThreadPoolExecutor : IDisposable, IAsyncDisposable
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
        _core?.Shutdown(wait: false, cancelFutures: false);
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
        ArgumentNullException.ThrowIfNull(fn);
        var future = new FuncWorkItem<T>(fn);
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
        ArgumentNullException.ThrowIfNull(fn);
        var future = new ActionWorkItem(fn);
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
        ArgumentNullException.ThrowIfNull(fn);
        var future = new StateFuncWorkItem<TState, T>(fn, state);
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
        ArgumentNullException.ThrowIfNull(fn);
        var future = new StateActionWorkItem<TState>(fn, state);
        _core.Enqueue(future);
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
    /// <see langword="null"/> waits without limit.</param>
    /// <returns>The results in input order. A task's exception is rethrown when its result is reached. Stopping the
    /// enumeration early (or an exception) cancels the tasks that have not started.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The executor has been shut down.</exception>
    /// <exception cref="TimeoutException">Thrown during enumeration when a result is not available before the timeout.</exception>
    public IEnumerable<TResult> Map<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(source);
        long ms = Future.ToMilliseconds(timeout, nameof(timeout));
        long deadline = ms < 0 ? long.MaxValue : Environment.TickCount64 + ms;
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

        return MapIterator(futures, ms >= 0, deadline);
    }

    /// <summary>
    /// Signals the executor to free its resources once pending work is done. Idempotent; later calls to
    /// <c>Submit</c> throw <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <param name="wait">If <see langword="true"/>, blocks until all accepted work (and its done callbacks) has run
    /// and the workers have exited.</param>
    /// <param name="cancelFutures">If <see langword="true"/>, cancels every task that has not started; their done
    /// callbacks run on the calling thread. Tasks already running are not interrupted.</param>
    /// <remarks>Calling with <paramref name="wait"/> from one of this executor's own workers (for example from a
    /// done callback) does not deadlock: that worker is not waited for.</remarks>
    public void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        _core.Shutdown(wait, cancelFutures);
        if (wait)
        {
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Shuts the executor down, waiting for accepted work: <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>Shuts the executor down and completes when all accepted work has run and the workers have exited, without blocking a thread.</summary>
    /// <returns>A task that completes when the workers have exited.</returns>
    public ValueTask DisposeAsync()
    {
        _core.Shutdown(wait: false, cancelFutures: false);
        GC.SuppressFinalize(this);
        return new ValueTask(_core.Terminated);
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

    private static IEnumerable<TResult> MapIterator<TResult>(List<Future<TResult>> futures, bool hasTimeout, long deadline)
    {
        int index = 0;
        try
        {
            for (; index < futures.Count; index++)
            {
                TimeSpan? remaining = null;
                if (hasTimeout)
                {
                    remaining = TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
                }

                yield return futures[index].Result(remaining);
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
    private sealed class Core
    {
        private static readonly ConcurrentDictionary<Core, byte> s_live = new();
        private static int s_processExitHooked;

        private readonly ConcurrentQueue<Future> _queue = new();
        private readonly SemaphoreSlim _wake = new(0);
        private readonly object _stateGate = new();
        private readonly List<Thread> _threads = new();
        private readonly string _prefix;
        private readonly Action? _initializer;
        private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _idle;
        private int _running;
        private volatile bool _shutdown;
        private volatile BrokenThreadPoolException? _broken;

        public Core(int maxWorkers, string prefix, Action? initializer)
        {
            MaxWorkers = maxWorkers;
            _prefix = prefix;
            _initializer = initializer;
        }

        public int MaxWorkers { get; }

        public Task Terminated => _terminated.Task;

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
                core.Shutdown(wait: true, cancelFutures: false);
            }
        }

        public void Enqueue(Future item)
        {
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
                    StartWorkerLocked();
                }
            }
        }

        public void Shutdown(bool wait, bool cancelFutures)
        {
            Thread[] threads;
            lock (_stateGate)
            {
                _shutdown = true;
                threads = _threads.ToArray();
                if (_running == 0)
                {
                    _terminated.TrySetResult();
                }
            }

            if (cancelFutures)
            {
                while (_queue.TryDequeue(out var item))
                {
                    item.Cancel();
                }
            }

            // Wake every worker so it sees the shutdown once the queue is drained.
            _wake.Release(Math.Max(1, threads.Length));

            if (wait)
            {
                var current = Thread.CurrentThread;
                foreach (var thread in threads)
                {
                    if (thread != current)
                    {
                        thread.Join();
                    }
                }
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

        private void StartWorkerLocked()
        {
            var thread = new Thread(WorkerLoop)
            {
                IsBackground = true,
                Name = $"{_prefix}_{_threads.Count}",
            };
            _threads.Add(thread);
            _running++;
            if (_threads.Count == 1)
            {
                s_live.TryAdd(this, 0);
                HookProcessExit();
            }

            thread.Start();
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
            try
            {
                if (_initializer is not null && !RunInitializer())
                {
                    return;
                }

                while (true)
                {
                    if (_queue.TryDequeue(out var item))
                    {
                        if (_broken is not null)
                        {
                            FailBroken(item);
                            continue;
                        }

                        item.Run();
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
                    if (!_queue.IsEmpty || _shutdown)
                    {
                        if (TryUnannounceIdle())
                        {
                            continue;
                        }
                    }

                    _wake.Wait();
                }
            }
            finally
            {
                lock (_stateGate)
                {
                    if (--_running == 0)
                    {
                        s_live.TryRemove(this, out _);
                        if (_shutdown)
                        {
                            _terminated.TrySetResult();
                        }
                    }
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
                    FailBroken(item);
                }

                _wake.Release(MaxWorkers);
                return false;
            }
        }

        private void FailBroken(Future item)
        {
            if (item.SetRunningOrNotifyCancel())
            {
                var broken = _broken!;
                item.SetException(new BrokenThreadPoolException(broken.Message, broken.InnerException));
            }
        }
    }

    private abstract class WorkItem<T> : Future<T>
    {
        internal sealed override void Run()
        {
            if (!SetRunningOrNotifyCancel())
            {
                return;
            }

            T result;
            try
            {
                result = Invoke();
            }
            catch (Exception ex)
            {
                Complete(ExceptionDispatchInfo.Capture(ex));
                return;
            }

            SetResult(result);
        }

        protected abstract T Invoke();
    }

    private sealed class FuncWorkItem<T>(Func<T> fn) : WorkItem<T>
    {
        private Func<T>? _fn = fn;

        protected override T Invoke()
        {
            var fn = _fn!;
            _fn = null;
            return fn();
        }
    }

    private sealed class StateFuncWorkItem<TState, T>(Func<TState, T> fn, TState state) : WorkItem<T>
    {
        private Func<TState, T>? _fn = fn;
        private TState _state = state;

        protected override T Invoke()
        {
            var fn = _fn!;
            var state = _state;
            _fn = null;
            _state = default!;
            return fn(state);
        }
    }

    private abstract class VoidWorkItem : Future
    {
        internal sealed override void Run()
        {
            if (!SetRunningOrNotifyCancel())
            {
                return;
            }

            try
            {
                Invoke();
            }
            catch (Exception ex)
            {
                Complete(ExceptionDispatchInfo.Capture(ex));
                return;
            }

            SetResult();
        }

        protected abstract void Invoke();
    }

    private sealed class ActionWorkItem(Action fn) : VoidWorkItem
    {
        private Action? _fn = fn;

        protected override void Invoke()
        {
            var fn = _fn!;
            _fn = null;
            fn();
        }
    }

    private sealed class StateActionWorkItem<TState>(Action<TState> fn, TState state) : VoidWorkItem
    {
        private Action<TState>? _fn = fn;
        private TState _state = state;

        protected override void Invoke()
        {
            var fn = _fn!;
            var state = _state;
            _fn = null;
            _state = default!;
            fn(state);
        }
    }
}
