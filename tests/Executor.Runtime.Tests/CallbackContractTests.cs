using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>
/// The callback-thread contract documented on <see cref="Future"/>, clause by clause (clause 4, callback failures,
/// is in <see cref="CallbackFailureTests"/>; clause 6, process exit, in <see cref="ProcessExitTests"/>).
/// </summary>
public class CallbackContractTests
{
    // (1) A callback added before completion runs on the thread that completes the future.

    [Fact]
    public void CallbackAddedBeforeCompletionRunsOnTheWorkerThatRanTheTask()
    {
        var executor = new ThreadPoolExecutor(2);
        using var registered = new ManualResetEventSlim();
        using var callbackRan = new ManualResetEventSlim();
        int callbackThread = 0;
        try
        {
            var future = executor.Submit(() =>
            {
                // Do not complete until the callback is registered, so it is registered before completion.
                TestUtil.Block(registered);
                return TestUtil.CurrentThreadId;
            });
            future.AddDoneCallback(_ =>
            {
                callbackThread = TestUtil.CurrentThreadId;
                callbackRan.Set();
            });
            Assert.False(future.IsDone);
            registered.Set();

            int taskThread = future.Result(TestUtil.Timeout);
            TestUtil.WaitOrFail(callbackRan, "the callback");
            Assert.Equal(taskThread, Volatile.Read(ref callbackThread));
            Assert.NotEqual(TestUtil.CurrentThreadId, taskThread);
        }
        finally
        {
            registered.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void CallbackHasRunBeforeResultReturnsForSubmittedWork()
    {
        // The worker runs the callbacks right after completing; Shutdown(wait: true) cannot return before they ran.
        var executor = new ThreadPoolExecutor(1);
        using var registered = new ManualResetEventSlim();
        int ran = 0;
        try
        {
            var future = executor.Submit(() => TestUtil.Block(registered));
            future.AddDoneCallback(_ => Interlocked.Increment(ref ran));
            registered.Set();
            TestUtil.ShutdownOrFail(executor);
            Assert.Equal(1, Volatile.Read(ref ran));
        }
        finally
        {
            registered.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void CallbackAddedBeforeSetResultRunsOnTheCallerOfSetResult()
    {
        var future = new Future<int>();
        int callbackThread = 0;
        bool doneInsideSetResult = false;
        future.AddDoneCallback(_ => callbackThread = TestUtil.CurrentThreadId);
        int setterThread = TestUtil.RunOnNewThread(() =>
        {
            future.SetResult(1);

            // Synchronous: it has run by the time SetResult returns.
            doneInsideSetResult = callbackThread == TestUtil.CurrentThreadId;
        });
        Assert.True(doneInsideSetResult);
        Assert.Equal(setterThread, callbackThread);
        Assert.NotEqual(TestUtil.CurrentThreadId, callbackThread);
    }

    [Fact]
    public void CallbackAddedBeforeSetExceptionRunsOnTheCallerOfSetException()
    {
        var future = new Future();
        int callbackThread = 0;
        future.AddDoneCallback(_ => callbackThread = TestUtil.CurrentThreadId);
        int setterThread = TestUtil.RunOnNewThread(() =>
        {
            future.SetException(new InvalidCastException());
            Assert.Equal(TestUtil.CurrentThreadId, callbackThread);
        });
        Assert.Equal(setterThread, callbackThread);
    }

    [Fact]
    public void CallbackAddedBeforeCancelRunsOnTheCallerOfCancel()
    {
        var future = new Future<int>();
        int callbackThread = 0;
        future.AddDoneCallback(_ => callbackThread = TestUtil.CurrentThreadId);
        int cancellerThread = TestUtil.RunOnNewThread(() =>
        {
            Assert.True(future.Cancel());
            Assert.Equal(TestUtil.CurrentThreadId, callbackThread);
        });
        Assert.Equal(cancellerThread, callbackThread);
    }

    [Fact]
    public void CallbackOfAQueuedTaskCancelledByCancelRunsOnTheCaller()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        int callbackThread = 0;
        try
        {
            executor.Submit(() => TestUtil.Block(gate));
            var queued = executor.Submit(() => 1);
            queued.AddDoneCallback(_ => callbackThread = TestUtil.CurrentThreadId);
            int cancellerThread = TestUtil.RunOnNewThread(() => Assert.True(queued.Cancel()));
            Assert.Equal(cancellerThread, callbackThread);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void CallbacksOfFuturesCancelledByShutdownRunOnTheCallerOfShutdown()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var callbackThreads = new ConcurrentQueue<int>();
        try
        {
            var running = executor.Submit(() => { started.Set(); TestUtil.Block(gate); });
            TestUtil.WaitOrFail(started, "the blocking task to start");
            var queued = Enumerable.Range(0, 3).Select(_ => executor.Submit(() => 0)).ToList();
            foreach (var future in queued)
            {
                future.AddDoneCallback(_ => callbackThreads.Enqueue(TestUtil.CurrentThreadId));
            }

            int shutdownThread = TestUtil.RunOnNewThread(() =>
            {
                executor.Shutdown(wait: false, cancelFutures: true);
                Assert.Equal(3, callbackThreads.Count);
            });
            Assert.All(queued, f => Assert.True(f.IsCancelled));
            Assert.Equal(Enumerable.Repeat(shutdownThread, 3), callbackThreads);
            Assert.False(running.IsDone);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    // (2) A callback added after completion runs immediately, synchronously, on the thread that adds it.

    [Fact]
    public void CallbackAddedAfterCompletionRunsSynchronouslyOnTheAddingThread()
    {
        var executor = new ThreadPoolExecutor(1);
        try
        {
            var future = executor.Submit(() => TestUtil.CurrentThreadId);
            int workerThread = future.Result(TestUtil.Timeout);
            int callbackThread = 0;
            int result = 0;
            future.AddDoneCallback(f =>
            {
                callbackThread = TestUtil.CurrentThreadId;
                result = f.Result(TimeSpan.Zero);
            });

            // Not "eventually": it ran before AddDoneCallback returned, on this thread.
            Assert.Equal(TestUtil.CurrentThreadId, callbackThread);
            Assert.NotEqual(workerThread, callbackThread);
            Assert.Equal(workerThread, result);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void CallbackAddedAfterSetResultOrCancelRunsOnTheAddingThread()
    {
        var finished = new Future<int>();
        TestUtil.RunOnNewThread(() => finished.SetResult(1));
        var cancelled = new Future();
        TestUtil.RunOnNewThread(() => cancelled.Cancel());

        foreach (var future in new Future[] { finished, cancelled })
        {
            int callbackThread = 0;
            future.AddDoneCallback(_ => callbackThread = TestUtil.CurrentThreadId);
            Assert.Equal(TestUtil.CurrentThreadId, callbackThread);
        }
    }

    // (3) Registration order, exactly once, and the future is done inside the callback.

    [Fact]
    public void CallbacksRunInRegistrationOrderExactlyOnce()
    {
        var future = new Future<int>();
        var order = new List<int>();
        for (int i = 0; i < 5; i++)
        {
            int n = i;
            if (i % 2 == 0)
            {
                future.AddDoneCallback((Future<int> _) => order.Add(n));
            }
            else
            {
                future.AddDoneCallback((Future _) => order.Add(n));
            }
        }

        future.SetResult(1);
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, order);

        // Later registrations run at once, after the earlier ones, and nothing runs twice.
        future.AddDoneCallback(_ => order.Add(5));
        future.AddDoneCallback((Future _) => order.Add(6));
        Assert.Throws<InvalidOperationException>(() => future.SetResult(2));
        future.Cancel();
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5, 6 }, order);
    }

    [Fact]
    public void CallbacksOfASubmittedTaskRunInRegistrationOrderExactlyOnce()
    {
        var executor = new ThreadPoolExecutor(2);
        using var registered = new ManualResetEventSlim();
        var order = new ConcurrentQueue<int>();
        try
        {
            var future = executor.Submit(() => TestUtil.Block(registered));
            for (int i = 0; i < 20; i++)
            {
                int n = i;
                future.AddDoneCallback(_ => order.Enqueue(n));
            }

            registered.Set();
            TestUtil.ShutdownOrFail(executor);
            Assert.Equal(Enumerable.Range(0, 20), order);
        }
        finally
        {
            registered.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void InsideACallbackTheFutureIsDoneAndResultDoesNotBlock()
    {
        var executor = new ThreadPoolExecutor(1);
        using var registered = new ManualResetEventSlim();
        var seen = new ConcurrentQueue<string>();
        try
        {
            var ok = executor.Submit(() => { TestUtil.Block(registered); return 17; });
            var failing = executor.Submit<int>(() => throw new InvalidCastException("x"));
            ok.AddDoneCallback(f =>
            {
                // Result(TimeSpan.Zero) throws TimeoutException if the future were not done yet.
                seen.Enqueue($"ok done={f.IsDone} running={f.IsRunning} result={f.Result(TimeSpan.Zero)}");
            });
            failing.AddDoneCallback(f =>
            {
                seen.Enqueue($"failing done={f.IsDone} exception={f.Exception(TimeSpan.Zero)?.GetType().Name}");
            });
            var standalone = new Future<string>();
            standalone.AddDoneCallback(f => seen.Enqueue($"standalone done={f.IsDone} result={f.Result(TimeSpan.Zero)}"));
            var cancelled = new Future<string>();
            cancelled.AddDoneCallback(f => seen.Enqueue($"cancelled done={f.IsDone} cancelled={f.IsCancelled}"));

            registered.Set();
            standalone.SetResult("s");
            cancelled.Cancel();
            TestUtil.ShutdownOrFail(executor);

            Assert.Equal(
                new[]
                {
                    "cancelled done=True cancelled=True",
                    "failing done=True exception=InvalidCastException",
                    "ok done=True running=False result=17",
                    "standalone done=True result=s",
                },
                seen.OrderBy(s => s, StringComparer.Ordinal));
        }
        finally
        {
            registered.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void ACallbackCanAddAnotherCallbackWhichRunsAtOnce()
    {
        var future = new Future<int>();
        var order = new List<string>();
        future.AddDoneCallback(f =>
        {
            order.Add("outer-start");
            f.AddDoneCallback(_ => order.Add("inner"));
            order.Add("outer-end");
        });
        future.AddDoneCallback(_ => order.Add("second"));
        future.SetResult(1);
        Assert.Equal(new[] { "outer-start", "inner", "outer-end", "second" }, order);
    }

    // (5) A future cancelled while queued is done at once for Wait and AsCompleted (CPython bug #92001).

    [Fact]
    public void FuturesCancelledByShutdownAreSeenAsDoneByWaitAndAsCompleted()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        try
        {
            var running = executor.Submit(() => { started.Set(); TestUtil.Block(gate); return -1; });
            TestUtil.WaitOrFail(started, "the blocking task to start");
            var queued = Enumerable.Range(0, 4).Select(i => executor.Submit(() => i)).ToList();

            // A waiter already blocked when the cancellation happens must be woken by it.
            DoneAndNotDone? early = null;
            var waiter = TestUtil.Start(() => early = Futures.Wait(queued, TestUtil.Timeout));
            Thread.Sleep(50);

            executor.Shutdown(wait: false, cancelFutures: true);

            Assert.True(waiter.Join(TestUtil.Timeout), "Wait did not return after the futures were cancelled");
            Assert.NotNull(early);
            Assert.Equal(4, early!.Done.Count);
            Assert.Empty(early.NotDone);

            var all = queued.Cast<Future>().Append(running).ToList();
            var result = Futures.Wait(queued, TestUtil.Timeout);
            Assert.Equal(4, result.Done.Count);
            Assert.All(queued, f => Assert.Contains(f, result.Done));
            Assert.All(result.Done, f => Assert.True(f.IsCancelled));

            var partial = Futures.Wait(all, TimeSpan.FromMilliseconds(100));
            Assert.Equal(4, partial.Done.Count);
            Assert.Equal(new Future[] { running }, partial.NotDone);

            var first = Futures.Wait(all, TestUtil.Timeout, ReturnWhen.FirstCompleted);
            Assert.NotEmpty(first.Done);

            var yielded = Futures.AsCompleted(queued, TestUtil.Timeout).ToList();
            Assert.Equal(4, yielded.Count);
            Assert.Equal(new HashSet<Future>(queued), new HashSet<Future>(yielded));

            gate.Set();
            Assert.Equal(5, Futures.AsCompleted(all, TestUtil.Timeout).Count());
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void FutureCancelledWhileAWaiterBlocksWakesAsCompleted()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        var yielded = new ConcurrentQueue<Future>();
        var consumer = TestUtil.Start(() =>
        {
            foreach (var f in Futures.AsCompleted(new Future[] { a, b }, TestUtil.Timeout))
            {
                yielded.Enqueue(f);
            }
        });
        Thread.Sleep(50);
        a.Cancel();
        TestUtil.SpinUntil(() => yielded.Count == 1, "the cancelled future is yielded");
        b.Cancel();
        Assert.True(consumer.Join(TestUtil.Timeout));
        Assert.Equal(new Future[] { a, b }, yielded);
    }
}
