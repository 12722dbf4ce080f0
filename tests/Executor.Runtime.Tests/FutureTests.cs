using System;
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
        var negative = TimeSpan.FromMilliseconds(-1);
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
            Assert.Contains("state=finished", actionFuture.ToString(), StringComparison.Ordinal);
            Assert.Contains(nameof(TaskFailureException), actionFuture.ToString(), StringComparison.Ordinal);
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
        Assert.Contains("state=finished", failed.ToString(), StringComparison.Ordinal);
        Assert.Contains("ArithmeticException", failed.ToString(), StringComparison.Ordinal);

        var voidFuture = new Future();
        voidFuture.SetResult();
        Assert.Null(voidFuture.Exception(TimeSpan.Zero));
        voidFuture.Result(TimeSpan.Zero);
        Assert.Contains("finished", voidFuture.ToString(), StringComparison.OrdinalIgnoreCase);
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
    public void ToStringContainsTheState()
    {
        var future = new Future<int>();
        Assert.Contains("state=pending", future.ToString(), StringComparison.Ordinal);
        future.SetRunningOrNotifyCancel();
        Assert.Contains("state=running", future.ToString(), StringComparison.Ordinal);
        future.SetResult(1);
        Assert.Contains("state=finished", future.ToString(), StringComparison.Ordinal);

        var cancelled = new Future();
        cancelled.Cancel();
        Assert.Contains("state=cancelled", cancelled.ToString(), StringComparison.Ordinal);
    }

    /// <summary>An exception type used only by these tests, so a wrapped or substituted exception cannot pass.</summary>
    private sealed class TaskFailureException(string message) : Exception(message);
}
