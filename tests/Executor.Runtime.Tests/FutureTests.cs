using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>The <see cref="Future"/> and <see cref="Future{T}"/> state machine, results, exceptions and timeouts.</summary>
public class FutureTests
{
    [Fact]
    public void NewFutureIsPending()
    {
        var future = new Future<int>();
        Assert.False(future.IsDone);
        Assert.False(future.IsRunning);
        Assert.False(future.IsCancelled);
        Assert.Contains("pending", future.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void CancelPendingIsTrueAndIdempotent()
    {
        var future = new Future<int>();
        int callbacks = 0;
        future.AddDoneCallback(_ => callbacks++);
        Assert.True(future.Cancel());
        Assert.True(future.IsCancelled);
        Assert.True(future.IsDone);
        Assert.False(future.IsRunning);
        Assert.True(future.Cancel());
        Assert.True(future.Cancel());
        Assert.Equal(1, callbacks);
        Assert.Contains("cancelled", future.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void CancelRunningOrFinishedIsFalse()
    {
        var running = new Future<int>();
        Assert.True(running.SetRunningOrNotifyCancel());
        Assert.True(running.IsRunning);
        Assert.False(running.IsDone);
        Assert.False(running.Cancel());
        Assert.False(running.IsCancelled);
        Assert.Contains("running", running.ToString(), StringComparison.OrdinalIgnoreCase);

        running.SetResult(3);
        Assert.False(running.Cancel());
        Assert.False(running.IsCancelled);
        Assert.Equal(3, running.Result(TimeSpan.Zero));

        var failed = new Future();
        failed.SetException(new InvalidOperationException());
        Assert.False(failed.Cancel());
    }

    [Fact]
    public void CancelOfASubmittedTaskDependsOnItsState()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        int queuedRan = 0;
        try
        {
            var running = executor.Submit(() => { started.Set(); TestUtil.Block(gate); return 1; });
            var queued = executor.Submit(() => Interlocked.Increment(ref queuedRan));
            TestUtil.WaitOrFail(started, "the first task to start");

            Assert.True(running.IsRunning);
            Assert.False(running.Cancel());
            Assert.True(queued.Cancel());
            Assert.True(queued.Cancel());

            gate.Set();
            Assert.Equal(1, running.Result(TestUtil.Timeout));
            Assert.False(running.Cancel());
            TestUtil.ShutdownOrFail(executor);
            Assert.Equal(0, Volatile.Read(ref queuedRan));
            Assert.True(queued.IsCancelled);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void ResultAndExceptionTimeOutOnAPendingFuture()
    {
        var future = new Future<int>();
        Assert.Throws<TimeoutException>(() => future.Result(TimeSpan.FromMilliseconds(50)));
        Assert.Throws<TimeoutException>(() => future.Exception(TimeSpan.FromMilliseconds(50)));
        Assert.Throws<TimeoutException>(() => ((Future)future).Result(TimeSpan.FromMilliseconds(50)));
        Assert.False(future.IsDone);
    }

    [Fact]
    public void ZeroTimeoutOnAPendingFutureThrowsTimeout()
    {
        var future = new Future<int>();
        Assert.Throws<TimeoutException>(() => future.Result(TimeSpan.Zero));
        Assert.Throws<TimeoutException>(() => future.Exception(TimeSpan.Zero));
        Assert.Throws<TimeoutException>(() => ((Future)future).Result(TimeSpan.Zero));

        // Sub-millisecond timeouts round to zero and must behave the same.
        Assert.Throws<TimeoutException>(() => future.Result(TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void ResultWaitsForCompletionFromAnotherThread()
    {
        var future = new Future<string>();
        var setter = TestUtil.Start(() =>
        {
            Thread.Sleep(50);
            future.SetResult("late");
        });
        Assert.Equal("late", future.Result(TestUtil.Timeout));
        Assert.True(setter.Join(TestUtil.Timeout));
    }

    [Fact]
    public void ResultAndExceptionOnACancelledFutureThrowOperationCanceled()
    {
        var future = new Future<int>();
        future.Cancel();
        Assert.Throws<OperationCanceledException>(() => future.Result(TimeSpan.Zero));
        Assert.Throws<OperationCanceledException>(() => future.Result());
        Assert.Throws<OperationCanceledException>(() => future.Exception());
        Assert.Throws<OperationCanceledException>(() => ((Future)future).Result(TestUtil.Timeout));
    }

    [Fact]
    public void CancelWakesABlockedResultWithOperationCanceled()
    {
        var future = new Future<int>();
        var canceller = TestUtil.Start(() =>
        {
            Thread.Sleep(50);
            future.Cancel();
        });
        Assert.Throws<OperationCanceledException>(() => future.Result(TestUtil.Timeout));
        Assert.True(canceller.Join(TestUtil.Timeout));
    }

    [Fact]
    public void NegativeTimeoutThrowsArgumentOutOfRange()
    {
        var pending = new Future<int>();
        // -1 ms is Timeout.InfiniteTimeSpan, which means no limit; every other negative value is rejected.
        var negative = TimeSpan.FromMilliseconds(-2);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => pending.Result(negative)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => pending.Exception(negative)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ((Future)pending).Result(TimeSpan.FromSeconds(-5)));

        // The argument is validated whatever the state, so the outcome does not depend on a race with completion.
        var done = new Future<int>();
        done.SetResult(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => done.Result(negative));
        Assert.Throws<ArgumentOutOfRangeException>(() => done.Exception(negative));
    }

    [Fact]
    public void TaskExceptionIsRethrownAsItselfWithItsStackTrace()
    {
        var executor = new ThreadPoolExecutor(1);
        try
        {
            var future = executor.Submit<int>(ThrowingMethodForStackTrace);
            var ex = Assert.Throws<TaskFailureException>(() => future.Result(TestUtil.Timeout));
            Assert.Equal("from the task", ex.Message);
            Assert.Contains(nameof(ThrowingMethodForStackTrace), ex.StackTrace, StringComparison.Ordinal);

            // Exception() returns the very same instance, not a wrapper, and Result rethrows that instance every time.
            Assert.Same(ex, future.Exception(TimeSpan.Zero));
            Assert.Same(ex, Assert.Throws<TaskFailureException>(() => future.Result(TimeSpan.Zero)));
            Assert.Same(ex, Assert.Throws<TaskFailureException>(() => ((Future)future).Result(TimeSpan.Zero)));
            Assert.Contains(nameof(ThrowingMethodForStackTrace), ex.StackTrace, StringComparison.Ordinal);

            var actionFuture = executor.Submit(() => { ThrowingMethodForStackTrace(); });
            var actionEx = Assert.Throws<TaskFailureException>(() => actionFuture.Result(TestUtil.Timeout));
            Assert.Contains(nameof(ThrowingMethodForStackTrace), actionEx.StackTrace, StringComparison.Ordinal);
            Assert.Equal($"Future(Faulted: {nameof(TaskFailureException)})", actionFuture.ToString());
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ThrowingMethodForStackTrace() => throw new TaskFailureException("from the task");

    [Fact]
    public void ExceptionIsNullOnSuccessAndTheExceptionOnFailure()
    {
        var ok = new Future<int>();
        ok.SetResult(5);
        Assert.Null(ok.Exception(TimeSpan.Zero));
        Assert.Null(ok.Exception());

        var failed = new Future<int>();
        var boom = new ArithmeticException("boom");
        failed.SetException(boom);
        Assert.Same(boom, failed.Exception(TimeSpan.Zero));
        Assert.Same(boom, Assert.Throws<ArithmeticException>(() => failed.Result()));
        Assert.Equal("Future<int>(Faulted: ArithmeticException)", failed.ToString());

        var voidFuture = new Future();
        voidFuture.SetResult();
        Assert.Null(voidFuture.Exception(TimeSpan.Zero));
        voidFuture.Result(TimeSpan.Zero);
        Assert.Equal("Future(Succeeded)", voidFuture.ToString());
    }

    [Fact]
    public void CompletingTwiceThrowsInvalidOperation()
    {
        var future = new Future<int>();
        future.SetResult(1);
        Assert.Throws<InvalidOperationException>(() => future.SetResult(2));
        Assert.Throws<InvalidOperationException>(() => future.SetException(new InvalidCastException()));
        Assert.Throws<InvalidOperationException>(() => ((Future)future).SetResult());
        Assert.Equal(1, future.Result(TimeSpan.Zero));
        Assert.Null(future.Exception(TimeSpan.Zero));

        var failed = new Future();
        failed.SetException(new InvalidCastException());
        Assert.Throws<InvalidOperationException>(() => failed.SetResult());
        Assert.Throws<InvalidOperationException>(() => failed.SetException(new InvalidCastException()));
    }

    [Fact]
    public void SetResultAfterCancelThrowsInvalidOperation()
    {
        var future = new Future<int>();
        Assert.True(future.Cancel());
        Assert.Throws<InvalidOperationException>(() => future.SetResult(1));
        Assert.Throws<InvalidOperationException>(() => future.SetException(new InvalidCastException()));
        Assert.True(future.IsCancelled);

        var voidFuture = new Future();
        voidFuture.Cancel();
        Assert.Throws<InvalidOperationException>(() => voidFuture.SetResult());
    }

    [Fact]
    public void SetExceptionNullThrowsArgumentNull()
    {
        var future = new Future<int>();
        Assert.Equal("exception", Assert.Throws<ArgumentNullException>(() => future.SetException(null!)).ParamName);
        Assert.False(future.IsDone);
    }

    [Fact]
    public void AddDoneCallbackNullThrowsArgumentNull()
    {
        var future = new Future<int>();
        Assert.Throws<ArgumentNullException>(() => future.AddDoneCallback((Action<Future<int>>)null!));
        Assert.Throws<ArgumentNullException>(() => future.AddDoneCallback((Action<Future>)null!));
    }

    [Fact]
    public void SetRunningOrNotifyCancelFollowsTheStateMachine()
    {
        var pending = new Future<int>();
        Assert.True(pending.SetRunningOrNotifyCancel());
        Assert.True(pending.IsRunning);
        Assert.Throws<InvalidOperationException>(() => pending.SetRunningOrNotifyCancel());

        // Completing from running is allowed.
        pending.SetResult(9);
        Assert.Equal(9, pending.Result(TimeSpan.Zero));
        Assert.Throws<InvalidOperationException>(() => pending.SetRunningOrNotifyCancel());

        var cancelled = new Future();
        cancelled.Cancel();
        Assert.False(cancelled.SetRunningOrNotifyCancel());
        Assert.False(cancelled.SetRunningOrNotifyCancel());
        Assert.True(cancelled.IsCancelled);

        var failed = new Future();
        failed.SetException(new InvalidCastException());
        Assert.Throws<InvalidOperationException>(() => failed.SetRunningOrNotifyCancel());
    }

    [Fact]
    public void SetExceptionOnARunningFutureFinishesIt()
    {
        var future = new Future<int>();
        Assert.True(future.SetRunningOrNotifyCancel());
        var boom = new DivideByZeroException();
        future.SetException(boom);
        Assert.True(future.IsDone);
        Assert.False(future.IsRunning);
        Assert.Same(boom, future.Exception(TimeSpan.Zero));
    }

    [Fact]
    public void ToStringShowsTheResultTypeAndTheStatus()
    {
        var future = new Future<int>();
        Assert.Equal("Future<int>(Pending)", future.ToString());
        future.SetRunningOrNotifyCancel();
        Assert.Equal("Future<int>(Running)", future.ToString());
        future.SetResult(1);
        Assert.Equal("Future<int>(Succeeded)", future.ToString());

        var cancelled = new Future();
        cancelled.Cancel();
        Assert.Equal("Future(Cancelled)", cancelled.ToString());

        Assert.Equal("Future<List<string>>(Pending)", new Future<System.Collections.Generic.List<string>>().ToString());
        Assert.Equal("Future<int?[]>(Pending)", new Future<int?[]>().ToString());
        Assert.Equal("Future<Dictionary<string, int[,]>>(Pending)", new Future<System.Collections.Generic.Dictionary<string, int[,]>>().ToString());
    }

    [Fact]
    public void ToStringOfASubmittedTaskNamesTheResultTypeNotTheInternalWorkItem()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        try
        {
            var blocker = executor.Submit(() => TestUtil.Block(gate));
            var queued = executor.Submit(static (string s) => s.Length, "abc");
            TestUtil.SpinUntil(() => blocker.IsRunning, "the blocker starts");
            Assert.Equal("Future(Running)", blocker.ToString());
            Assert.Equal("Future<int>(Pending)", queued.ToString());
            gate.Set();
            Assert.Equal(3, queued.Result(TestUtil.Timeout));
            Assert.Equal("Future<int>(Succeeded)", queued.ToString());
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void StatusIsFaultedAndIsCompletedSuccessfullyFollowTheState()
    {
        var future = new Future<int>();
        Assert.Equal(FutureStatus.Pending, future.Status);
        Assert.False(future.IsFaulted);
        Assert.False(future.IsCompletedSuccessfully);
        future.SetRunningOrNotifyCancel();
        Assert.Equal(FutureStatus.Running, future.Status);
        future.SetResult(1);
        Assert.Equal(FutureStatus.Succeeded, future.Status);
        Assert.True(future.IsCompletedSuccessfully);
        Assert.False(future.IsFaulted);

        var failed = new Future();
        failed.SetException(new InvalidCastException());
        Assert.Equal(FutureStatus.Faulted, failed.Status);
        Assert.True(failed.IsFaulted);
        Assert.False(failed.IsCompletedSuccessfully);

        var cancelled = new Future<string>();
        cancelled.Cancel();
        Assert.Equal(FutureStatus.Cancelled, cancelled.Status);
        Assert.False(cancelled.IsFaulted);
        Assert.False(cancelled.IsCompletedSuccessfully);
    }

    [Fact]
    public void InfiniteTimeSpanMeansNoLimit()
    {
        var future = new Future<int>();
        var waiter = TestUtil.Start(() => Assert.Equal(7, future.Result(Timeout.InfiniteTimeSpan)));
        TestUtil.SpinUntil(() => future.BlockedWaiterCount == 1, "Result(InfiniteTimeSpan) blocks");
        future.SetResult(7);
        Assert.True(waiter.Join(TestUtil.Timeout), "Result(InfiniteTimeSpan) did not return");
        Assert.Null(future.Exception(Timeout.InfiniteTimeSpan));
        Assert.Single(Futures.Wait([future], Timeout.InfiniteTimeSpan).Done);
        Assert.Single(Futures.AsCompleted([future], Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void SubMillisecondTimeoutsWaitAtLeastTheirDuration()
    {
        var pending = new Future<int>();
        foreach (double ms in new[] { 0.3, 0.9, 1.0, 1.5 })
        {
            var timeout = TimeSpan.FromMilliseconds(ms);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.Throws<TimeoutException>(() => pending.Result(timeout));
            Assert.True(watch.Elapsed >= timeout, $"Result({ms} ms) gave up after {watch.Elapsed.TotalMilliseconds} ms");

            watch.Restart();
            Assert.Single(Futures.Wait([pending], timeout).NotDone);
            Assert.True(watch.Elapsed >= timeout, $"Wait({ms} ms) gave up after {watch.Elapsed.TotalMilliseconds} ms");

            watch.Restart();
            Assert.Throws<TimeoutException>(() => Futures.AsCompleted([pending], timeout).ToList());
            Assert.True(watch.Elapsed >= timeout, $"AsCompleted({ms} ms) gave up after {watch.Elapsed.TotalMilliseconds} ms");
        }
    }

    [Fact]
    public void DeadlineRoundsTheRestUpToWholeMillisecondsAndNeverStretchesToTheTickGranularity()
    {
        // Monitor.Wait takes milliseconds: the rest is rounded up (never 0 before the deadline) and computed from
        // Stopwatch, not Environment.TickCount64 (whose 4 ms steps on Linux turned a 1 ms timeout into ~4.5 ms).
        var deadline = Deadline.From(TimeSpan.FromMilliseconds(0.2), "timeout");
        int first = deadline.RemainingMilliseconds();
        Assert.True(first is 0 or 1, $"0.2 ms left was {first}");
        Assert.Equal(-1, Deadline.From(null, "timeout").RemainingMilliseconds());
        Assert.Equal(-1, Deadline.From(Timeout.InfiniteTimeSpan, "timeout").RemainingMilliseconds());
        Assert.Equal(0, Deadline.From(TimeSpan.Zero, "timeout").RemainingMilliseconds());
        Assert.InRange(Deadline.From(TimeSpan.FromMilliseconds(3), "timeout").RemainingMilliseconds(), 1, 3);
        Assert.Equal(int.MaxValue - 1, Deadline.From(TimeSpan.MaxValue, "timeout").RemainingMilliseconds());
    }

    /// <summary>An exception type used only by these tests, so a wrapped or substituted exception cannot pass.</summary>
    private sealed class TaskFailureException(string message) : Exception(message);
}
