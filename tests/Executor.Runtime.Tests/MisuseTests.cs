using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>
/// Issue 13, clause 5: misuse never crashes or hangs. Each of the four defects of the v1 review has its reproduction
/// here (Set* on an executor's future, two workers joining each other in Shutdown, a non-atomic cancelFutures
/// shutdown, a cancelled future keeping its closure), with the smaller ones (abandoned AsCompleted enumerators,
/// over-spawning workers, waits on the executor's own queued tasks).
/// </summary>
public class MisuseTests
{
    [Fact]
    public void SetOnARunningSubmittedFutureThrowsToTheCallerAndTheWorkerStillCompletesIt()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        try
        {
            var future = executor.Submit(() =>
            {
                TestUtil.Block(gate);
                return 42;
            });
            TestUtil.SpinUntil(() => future.IsRunning, "the task starts");

            // v1: these completed the future, then the worker's own SetResult threw on the worker: exit code 134.
            Assert.Throws<InvalidOperationException>(() => future.SetResult(7));
            Assert.Throws<InvalidOperationException>(() => future.SetException(new InvalidCastException()));
            Assert.Throws<InvalidOperationException>(() => ((Future)future).SetResult());
            var ex = Assert.Throws<InvalidOperationException>(() => future.SetRunningOrNotifyCancel());
            Assert.Contains("completed by its executor", ex.Message, StringComparison.Ordinal);
            Assert.True(future.IsRunning);

            gate.Set();
            Assert.Equal(42, future.Result(TestUtil.Timeout));
            Assert.Equal(FutureStatus.Succeeded, future.Status);
            Assert.Equal(5, executor.Submit(() => 5).Result(TestUtil.Timeout));
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void SetOnAFinishedOrQueuedSubmittedFutureThrowsAndTheFirstCompletionStands()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        try
        {
            // The worker completes first, the caller's Set* comes after.
            var finished = executor.Submit(() => "worker");
            Assert.Equal("worker", finished.Result(TestUtil.Timeout));
            Assert.Throws<InvalidOperationException>(() => finished.SetResult("caller"));
            Assert.Throws<InvalidOperationException>(() => finished.SetException(new InvalidCastException()));
            Assert.Equal("worker", finished.Result(TimeSpan.Zero));

            // The caller's Set* comes first, while the task is still queued; the worker then runs it as usual.
            var blocker = executor.Submit(() => TestUtil.Block(gate));
            var queued = executor.Submit(() => "worker");
            Assert.Throws<InvalidOperationException>(() => queued.SetResult("caller"));
            Assert.Throws<InvalidOperationException>(() => queued.SetRunningOrNotifyCancel());
            Assert.Equal(FutureStatus.Pending, queued.Status);
            gate.Set();
            Assert.Equal("worker", queued.Result(TestUtil.Timeout));
            blocker.Result(TestUtil.Timeout);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void TwoTasksCallingShutdownWithWaitOnTheirOwnPoolThrowInsteadOfJoiningEachOther()
    {
        var executor = new ThreadPoolExecutor(2);
        using var bothRunning = new CountdownEvent(2);
        try
        {
            // v1: each worker joined the other forever and the process could no longer exit.
            var tasks = Enumerable.Range(0, 2).Select(_ => executor.Submit(() =>
            {
                TestUtil.SignalAndWait(bothRunning);
                executor.Shutdown(wait: true);
            })).ToList();

            foreach (var task in tasks)
            {
                var ex = Assert.IsType<InvalidOperationException>(task.Exception(TestUtil.Timeout));
                Assert.Contains("Shutdown(wait: false)", ex.Message, StringComparison.Ordinal);
            }

            // Nothing was shut down by the failed calls.
            Assert.Equal(3, executor.Submit(() => 3).Result(TestUtil.Timeout));
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }

        Assert.True(executor.AllWorkersExited);
    }

    [Fact]
    public void ShutdownCancelFuturesCancelsEveryQueuedTaskBeforeTheFirstCancelCallbackRuns()
    {
        var executor = new ThreadPoolExecutor(2);
        using var blockersGate = new ManualResetEventSlim();
        int ran = 0;
        int cancelledWhenFirstCallbackRan = -1;
        bool workersFreeDuringCallback = false;
        try
        {
            var blockers = Enumerable.Range(0, 2).Select(_ => executor.Submit(() => TestUtil.Block(blockersGate))).ToList();
            TestUtil.SpinUntil(() => blockers.All(b => b.IsRunning), "both workers are busy");
            var queued = Enumerable.Range(0, 50).Select(_ => executor.Submit(() => { Interlocked.Increment(ref ran); })).ToList();

            // A slow first cancel callback: it frees the workers and waits until they are idle, which gave v1's
            // workers all the time they needed to take and run the tasks still queued behind it.
            queued[0].AddDoneCallback(_ =>
            {
                cancelledWhenFirstCallbackRan = queued.Count(f => f.IsCancelled);
                blockersGate.Set();
                workersFreeDuringCallback = Futures.Wait(blockers, TestUtil.Timeout).NotDone.Count == 0;
            });

            executor.Shutdown(wait: false, cancelFutures: true);

            Assert.True(workersFreeDuringCallback, "the blockers did not finish while the cancel callback ran");
            Assert.Equal(queued.Count, cancelledWhenFirstCallbackRan);
            Assert.All(queued, f => Assert.True(f.IsCancelled));
            TestUtil.ShutdownOrFail(executor);
            Assert.Equal(0, Volatile.Read(ref ran));
        }
        finally
        {
            blockersGate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void ShutdownWithWaitReturnsOnlyAfterTheCancelCallbacksOfAConcurrentCancelFuturesShutdown()
    {
        var executor = new ThreadPoolExecutor(1);
        using var blockerGate = new ManualResetEventSlim();
        using var callbackEntered = new ManualResetEventSlim();
        using var callbackGate = new ManualResetEventSlim();
        int waiterReturned = 0;
        try
        {
            var blocker = executor.Submit(() => TestUtil.Block(blockerGate));
            TestUtil.SpinUntil(() => blocker.IsRunning, "the worker is busy");
            var queued = executor.Submit(() => { });
            queued.AddDoneCallback(_ =>
            {
                callbackEntered.Set();
                TestUtil.Block(callbackGate);
            });

            var canceller = TestUtil.Start(() => executor.Shutdown(wait: false, cancelFutures: true), "canceller");
            TestUtil.WaitOrFail(callbackEntered, "the cancel callback to start");
            blockerGate.Set();
            var waiter = TestUtil.Start(
                () =>
                {
                    executor.Shutdown(wait: true);
                    Interlocked.Exchange(ref waiterReturned, 1);
                },
                "waiter");

            // The workers have exited (or will at once), but a cancel callback still runs: Shutdown(wait: true) must
            // not return. A wrong runtime returns within microseconds; give it plenty of time to show.
            Assert.False(waiter.Join(TimeSpan.FromMilliseconds(300)), "Shutdown(wait: true) returned while a cancel callback still ran");
            Assert.Equal(0, Volatile.Read(ref waiterReturned));

            callbackGate.Set();
            Assert.True(waiter.Join(TestUtil.Timeout), "Shutdown(wait: true) did not return after the callbacks finished");
            Assert.True(canceller.Join(TestUtil.Timeout), "the canceller did not return");
            Assert.True(queued.IsCancelled);
        }
        finally
        {
            blockerGate.Set();
            callbackGate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void CancelledAndCompletedFuturesDropTheirDelegateAndWhatItCaptured()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        try
        {
            var blocker = executor.Submit(() => TestUtil.Block(gate));
            var (cancelled, cancelledPayload) = SubmitCapturing(executor, static (e, p) => e.Submit(() => p.Length));
            var (cancelledState, cancelledStatePayload) = SubmitCapturing(executor, static (e, p) => e.Submit(static a => a.Length, p));
            var (cancelledToken, cancelledTokenPayload) = SubmitCapturing(executor, static (e, p) => e.Submit(_ => p.Length, new CancellationTokenSource().Token));
            var (completed, completedPayload) = SubmitCapturing(executor, static (e, p) => e.Submit(() => p.Length));
            Assert.True(cancelled.Cancel());
            Assert.True(cancelledState.Cancel());
            Assert.True(cancelledToken.Cancel());
            gate.Set();
            Assert.Equal(1 << 20, ((Future<int>)completed).Result(TestUtil.Timeout));
            blocker.Result(TestUtil.Timeout);

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            // v1: a cancelled future kept its delegate, so a 64 MiB closure stayed reachable through it.
            Assert.False(cancelledPayload.IsAlive, "a cancelled future keeps its delegate's closure alive");
            Assert.False(cancelledStatePayload.IsAlive, "a cancelled future keeps its state argument alive");
            Assert.False(cancelledTokenPayload.IsAlive, "a cancelled token future keeps its delegate's closure alive");
            Assert.False(completedPayload.IsAlive, "a completed future keeps its delegate's closure alive");
            GC.KeepAlive(cancelled);
            GC.KeepAlive(cancelledState);
            GC.KeepAlive(cancelledToken);
            GC.KeepAlive(completed);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Future Future, WeakReference Payload) SubmitCapturing(ThreadPoolExecutor executor, Func<ThreadPoolExecutor, byte[], Future> submit)
    {
        var payload = new byte[1 << 20];
        return (submit(executor, payload), new WeakReference(payload));
    }

    [Fact]
    public void AbandonedAsCompletedEnumeratorsLeaveNoWaitersOnTheFutures()
    {
        var neverDone = new Future<int>();
        const int Enumerators = 50;

        AbandonMany(neverDone, Enumerators);

        // v1: 814 dead waiters stayed registered on one long-lived future.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(0, neverDone.WaiterCount);

        // The disposed case releases at once, without the collector.
        using (var enumerator = Futures.AsCompleted([neverDone, CompletedWhenWaited(neverDone, 1)], TimeSpan.FromSeconds(30)).GetEnumerator())
        {
            Assert.True(enumerator.MoveNext());
            Assert.Equal(1, neverDone.WaiterCount);
        }

        Assert.Equal(0, neverDone.WaiterCount);
    }

    /// <summary>
    /// Abandons <paramref name="count"/> enumerators. They stay reachable until the loop ends, so a collection in the middle
    /// cannot release earlier waiters and make the count each helper thread waits for unreachable (that hung the test
    /// under load); in a method of its own, so that no local or temporary of the caller keeps one alive afterwards.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AbandonMany(Future<int> neverDone, int count)
    {
        var abandoned = new List<object>();
        for (int i = 0; i < count; i++)
        {
            abandoned.Add(AbandonAfterFirstItem(neverDone, i + 1));
        }

        Assert.Equal(count, neverDone.WaiterCount);
    }

    /// <summary>Takes one future from an AsCompleted enumerator that is registered on <paramref name="neverDone"/>, then drops it undisposed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static object AbandonAfterFirstItem(Future<int> neverDone, int expectedWaiters)
    {
        var other = CompletedWhenWaited(neverDone, expectedWaiters);
        var enumerator = Futures.AsCompleted([neverDone, other], TimeSpan.FromSeconds(30)).GetEnumerator();
        Assert.True(enumerator.MoveNext());
        Assert.Same(other, enumerator.Current);
        return enumerator;
    }

    /// <summary>A future completed by a helper thread once <paramref name="watched"/> has <paramref name="waiters"/> waiters: the enumerator is blocked by then.</summary>
    private static Future<int> CompletedWhenWaited(Future watched, int waiters)
    {
        var future = new Future<int>();
        TestUtil.Start(() =>
        {
            TestUtil.SpinUntil(() => watched.WaiterCount >= waiters, "the enumerator registers");
            future.SetResult(1);
        });
        return future;
    }

    [Fact]
    public void SequentialSubmitThenResultReusesOneWorker()
    {
        var executor = new ThreadPoolExecutor(8);
        try
        {
            // v1 started 14-35 threads for this loop (capped at maxWorkers): Submit saw no idle worker in the instant
            // between the previous task's completion and its worker announcing itself idle.
            for (int i = 0; i < 2_000; i++)
            {
                Assert.Equal(i, executor.Submit(static n => n, i).Result(TestUtil.Timeout));
            }

            Assert.Equal(1, executor.WorkerCount);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task SequentialSubmitThenAwaitReusesOneWorker()
    {
        var executor = new ThreadPoolExecutor(8);
        try
        {
            // An await continuation is dispatched to the .NET thread pool, so the worker has nothing left to run.
            for (int i = 0; i < 500; i++)
            {
                Assert.Equal(i, await executor.Submit(static n => n, i));
            }

            Assert.Equal(1, executor.WorkerCount);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void ATaskWaitingForATaskQueuedBehindItOnAOneWorkerPoolRunsItInline()
    {
        var executor = new ThreadPoolExecutor(1);
        var innerRuns = 0;
        var callbackThreads = new ConcurrentQueue<int>();
        try
        {
            // Python's documentation warns that this deadlocks; here the waiting worker runs the inner task itself.
            var outer = executor.Submit(() =>
            {
                int outerThread = TestUtil.CurrentThreadId;
                var inner = executor.Submit(() =>
                {
                    Interlocked.Increment(ref innerRuns);
                    return TestUtil.CurrentThreadId;
                });
                inner.AddDoneCallback(_ => callbackThreads.Enqueue(TestUtil.CurrentThreadId));
                int innerThread = inner.Result(TestUtil.Timeout);
                Assert.Equal(outerThread, innerThread);
                Assert.Equal([outerThread], callbackThreads);
                return inner;
            });

            var inner = outer.Result(TestUtil.Timeout);
            Assert.True(inner.IsCompletedSuccessfully);

            // The worker dequeues the inner task after the outer one and skips it: it ran once, its callback once.
            Assert.Equal(7, executor.Submit(() => 7).Result(TestUtil.Timeout));
            Assert.Equal(1, Volatile.Read(ref innerRuns));
            Assert.Single(callbackThreads);
            Assert.Equal(1, executor.WorkerCount);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void EveryBlockingWaitOnAWorkerRunsItsOwnExecutorsQueuedTasksInline()
    {
        var executor = new ThreadPoolExecutor(1);
        var other = new ThreadPoolExecutor(1);
        using var otherGate = new ManualResetEventSlim();
        try
        {
            var results = executor.Submit(() =>
            {
                var log = new List<string>();

                var forException = executor.Submit(() => throw new InvalidCastException());
                log.Add("Exception: " + forException.Exception(TestUtil.Timeout)!.GetType().Name);

                var forWait = Enumerable.Range(0, 3).Select(i => executor.Submit(() => i)).ToList();
                log.Add("Wait: " + Futures.Wait(forWait, TestUtil.Timeout).Done.Count);

                var forFirst = Enumerable.Range(0, 3).Select(i => executor.Submit(() => i)).ToList();
                log.Add("WaitFirst: " + (Futures.Wait(forFirst, TestUtil.Timeout, ReturnWhen.FirstCompleted).Done.Count >= 1));

                var forAsCompleted = Enumerable.Range(0, 3).Select(i => executor.Submit(() => i)).ToList();
                log.Add("AsCompleted: " + Futures.AsCompleted(forAsCompleted, TestUtil.Timeout).Count());

                log.Add("Map: " + string.Join(",", executor.Map(static x => x * 10, new[] { 1, 2, 3 }, TestUtil.Timeout)));

                // A future of another executor is not run inline: it runs on its own worker.
                var foreign = other.Submit(() => TestUtil.Block(otherGate));
                log.Add("Foreign inline: " + foreign.TryRunInline());
                otherGate.Set();
                foreign.Result(TestUtil.Timeout);
                return log;
            }).Result(TestUtil.Timeout);

            Assert.Equal(
                ["Exception: InvalidCastException", "Wait: 3", "WaitFirst: True", "AsCompleted: 3", "Map: 10,20,30", "Foreign inline: False"],
                results);
        }
        finally
        {
            otherGate.Set();
            TestUtil.ShutdownOrFail(executor);
            TestUtil.ShutdownOrFail(other);
        }
    }

    [Fact]
    public void ADoneCallbackOnAWorkerWaitingForItsExecutorsQueuedTaskRunsItInline()
    {
        var executor = new ThreadPoolExecutor(1);
        using var callbackDone = new ManualResetEventSlim();
        int? valueSeenInCallback = null;
        try
        {
            var first = executor.Submit(() => 1);
            first.AddDoneCallback(_ =>
            {
                valueSeenInCallback = executor.Submit(() => 2).Result(TestUtil.Timeout);
                callbackDone.Set();
            });
            TestUtil.WaitOrFail(callbackDone, "the callback");
            Assert.Equal(2, valueSeenInCallback);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void OutsideTheWorkersResultWaitsAndDoesNotRunTheTaskInline()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        try
        {
            var blocker = executor.Submit(() => TestUtil.Block(gate));
            var queued = executor.Submit(() => TestUtil.CurrentThreadId);
            Assert.False(queued.TryRunInline());
            Assert.Throws<TimeoutException>(() => queued.Result(TimeSpan.FromMilliseconds(20)));
            gate.Set();
            Assert.NotEqual(TestUtil.CurrentThreadId, queued.Result(TestUtil.Timeout));
            blocker.Result(TestUtil.Timeout);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }
}
