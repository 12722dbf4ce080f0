using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>Issue 13, clause 1: <c>await future</c> and <c>AsTask()</c>, whose continuations never run inline on the completing worker.</summary>
public class AwaitTests
{
    [Fact]
    public async Task AwaitReturnsTheResultRethrowsTheTasksOwnExceptionAndThrowsOperationCanceledWhenCancelled()
    {
        var executor = new ThreadPoolExecutor(2);
        using var gate = new ManualResetEventSlim();
        try
        {
            Assert.Equal(6, await executor.Submit(() => 2 * 3));
            await executor.Submit(() => { });

            var boom = new InvalidCastException("boom");
            Assert.Same(boom, await Assert.ThrowsAsync<InvalidCastException>(async () => await executor.Submit(() => throw boom)));
            Assert.Same(boom, await Assert.ThrowsAsync<InvalidCastException>(async () => await executor.Submit(new Func<int>(() => throw boom))));

            var blocker = executor.Submit(() => TestUtil.Block(gate));
            var blocker2 = executor.Submit(() => TestUtil.Block(gate));
            var queued = executor.Submit(() => 1);
            var awaiting = Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queued);
            Assert.True(queued.Cancel());
            await awaiting;
            gate.Set();
            await blocker;
            await blocker2;

            // A standalone future completed by SetResult is awaitable too.
            var standalone = new Future<string>();
            var pending = AwaitAsync(standalone);
            standalone.SetResult("set");
            Assert.Equal("set", await pending);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    private static async Task<string> AwaitAsync(Future<string> future) => await future;

    [Fact]
    public async Task TheContinuationRunsOffTheWorkerSoTheWorkerMovesOnWhileItRuns()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        using var nextTaskRan = new ManualResetEventSlim();
        try
        {
            var first = executor.Submit(() =>
            {
                TestUtil.Block(gate);
                return TestUtil.CurrentThreadId;
            });
            _ = executor.Submit(nextTaskRan.Set);
            var continuation = ContinueAsync(first, nextTaskRan);
            Assert.False(continuation.IsCompleted);
            gate.Set();

            // Inline on the only worker, the continuation would wait for a task that worker can never reach.
            var (workerThread, continuationThread, sawNextTask) = await continuation;
            Assert.True(sawNextTask, "the worker did not run the next task while the continuation ran");
            Assert.NotEqual(workerThread, continuationThread);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    private static async Task<(int Worker, int Continuation, bool SawNextTask)> ContinueAsync(Future<int> future, ManualResetEventSlim nextTaskRan)
    {
        int worker = await future;
        return (worker, TestUtil.CurrentThreadId, nextTaskRan.Wait(TestUtil.Timeout));
    }

    [Fact]
    public void OnCompletedPostsToTheCapturedSynchronizationContextEvenWhenTheFutureIsAlreadyDone()
    {
        var context = new CountingContext();
        var pendingFuture = new Future<int>();
        var doneFuture = new Future<int>();
        doneFuture.SetResult(1);
        using var ran = new CountdownEvent(2);
        var threads = new ConcurrentQueue<int>();
        int registeringThread = TestUtil.RunOnNewThread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            pendingFuture.GetAwaiter().OnCompleted(() => { threads.Enqueue(TestUtil.CurrentThreadId); ran.Signal(); });
            doneFuture.GetAwaiter().UnsafeOnCompleted(() => { threads.Enqueue(TestUtil.CurrentThreadId); ran.Signal(); });
        });

        int completer = TestUtil.RunOnNewThread(() => pendingFuture.SetResult(2));
        TestUtil.WaitOrFail(ran, "both continuations");
        Assert.Equal(2, context.Posts);
        Assert.DoesNotContain(completer, threads);
        Assert.DoesNotContain(registeringThread, threads);
    }

    [Fact]
    public async Task ExecutionContextFlowsAcrossTheAwait()
    {
        var executor = new ThreadPoolExecutor(1);
        var local = new AsyncLocal<string>();
        try
        {
            local.Value = "flowed";
            await executor.Submit(() => Thread.Sleep(1));
            Assert.Equal("flowed", local.Value);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public async Task AsTaskMirrorsTheOutcomeAndRunsItsContinuationsAsynchronously()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        try
        {
            var future = executor.Submit(() =>
            {
                TestUtil.Block(gate);
                return TestUtil.CurrentThreadId;
            });
            Task<int> task = future.AsTask();
            var continuationThread = task.ContinueWith(_ => TestUtil.CurrentThreadId, TaskContinuationOptions.ExecuteSynchronously);
            gate.Set();
            int worker = await task;
            Assert.NotEqual(worker, await continuationThread);

            var boom = new ArithmeticException();
            Assert.Same(boom, await Assert.ThrowsAsync<ArithmeticException>(() => executor.Submit(() => throw boom).AsTask()));

            var cancelled = new Future<int>();
            cancelled.Cancel();
            Assert.True(cancelled.AsTask().IsCanceled);
            Assert.True(((Future)cancelled).AsTask().IsCanceled);

            var done = new Future();
            done.SetResult();
            await done.AsTask();
            Assert.True(done.AsTask().IsCompletedSuccessfully);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    /// <summary>Records posts and runs them on the thread pool with itself installed, like a UI context would on its thread.</summary>
    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ =>
            {
                SetSynchronizationContext(this);
                d(state);
            });
        }
    }
}
