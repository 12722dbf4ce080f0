using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>Issue 13, clause 2: tasks that take a <see cref="CancellationToken"/>, and waits that a token abandons.</summary>
public class CancellationTests
{
    [Fact]
    public void ATokenCancelledBeforeTheTaskStartsCancelsTheFutureAndRunsItsCallbacksOnTheCancellingThread()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource();
        int ran = 0;
        int callbackThread = 0;
        try
        {
            var blocker = executor.Submit(() => TestUtil.Block(gate));
            Future<int> future = executor.Submit(ct => Interlocked.Increment(ref ran), cts.Token);
            Future action = executor.Submit(ct => { Interlocked.Increment(ref ran); }, cts.Token);
            future.AddDoneCallback(_ => callbackThread = TestUtil.CurrentThreadId);

            int canceller = TestUtil.RunOnNewThread(cts.Cancel);
            Assert.True(future.IsCancelled);
            Assert.True(action.IsCancelled);
            Assert.Equal(canceller, callbackThread);
            Assert.Throws<OperationCanceledException>(() => future.Result(TimeSpan.Zero));

            gate.Set();
            blocker.Result(TestUtil.Timeout);
            Assert.Equal(5, executor.Submit(() => 5).Result(TestUtil.Timeout));
            Assert.Equal(0, Volatile.Read(ref ran));
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void AnAlreadyCancelledTokenCancelsTheFutureAtSubmit()
    {
        var executor = new ThreadPoolExecutor(1);
        try
        {
            int ran = 0;
            var future = executor.Submit(_ => Interlocked.Increment(ref ran), new CancellationToken(canceled: true));
            Assert.True(future.IsCancelled);
            Assert.Equal(FutureStatus.Cancelled, future.Status);
            Assert.Equal(1, executor.Submit(() => 1).Result(TestUtil.Timeout));
            Assert.Equal(0, Volatile.Read(ref ran));
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void TheTokenIsPassedToTheTaskAndItsOwnOperationCanceledExceptionCancelsTheFuture()
    {
        var executor = new ThreadPoolExecutor(1);
        using var cts = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        try
        {
            Assert.True(executor.Submit(ct => ct == cts.Token, cts.Token).Result(TestUtil.Timeout));

            // The task observes its token while running: cancelled, as a Task would be.
            var observing = executor.Submit(
                ct =>
                {
                    started.Set();
                    ct.WaitHandle.WaitOne(TestUtil.Timeout);
                    ct.ThrowIfCancellationRequested();
                    return 0;
                },
                cts.Token);
            TestUtil.WaitOrFail(started, "the task to start");
            Assert.False(observing.Cancel());
            cts.Cancel();
            Assert.Throws<OperationCanceledException>(() => observing.Result(TestUtil.Timeout));
            Assert.True(observing.IsCancelled);
            Assert.Equal(FutureStatus.Cancelled, observing.Status);

            // An OperationCanceledException for another token is a failure, as with Task.
            using var other = new CancellationTokenSource();
            other.Cancel();
            var foreign = executor.Submit(ct => other.Token.ThrowIfCancellationRequested(), CancellationToken.None);
            Assert.IsType<OperationCanceledException>(foreign.Exception(TestUtil.Timeout));
            Assert.True(foreign.IsFaulted);

            // Cancelled while running but not observed: the task's own outcome stands.
            using var late = new CancellationTokenSource();
            var ignoring = executor.Submit(ct => { late.Cancel(); return 9; }, late.Token);
            Assert.Equal(9, ignoring.Result(TestUtil.Timeout));
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void AStartedTaskIsNoLongerReferencedByItsToken()
    {
        var executor = new ThreadPoolExecutor(1);
        using var cts = new CancellationTokenSource();
        try
        {
            var weak = SubmitAndWait(executor, cts.Token);

            // Another task, so the worker's loop variable no longer holds the first one (a Debug build keeps it).
            executor.Submit(() => 0).Result(TestUtil.Timeout);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Assert.False(weak.IsAlive, "the token's registration keeps a finished future alive");
            GC.KeepAlive(cts);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference SubmitAndWait(ThreadPoolExecutor executor, CancellationToken token)
    {
        var future = executor.Submit(_ => 1, token);
        future.Result(TestUtil.Timeout);
        return new WeakReference(future);
    }

    [Fact]
    public void ATokenAbandonsResultExceptionWaitAndAsCompletedWithOperationCanceled()
    {
        var pending = new Future<int>();
        using (var cts = new CancellationTokenSource())
        {
            var waiter = TestUtil.Start(() => Assert.Throws<OperationCanceledException>(() => pending.Result(null, cts.Token)));
            TestUtil.SpinUntil(() => pending.BlockedWaiterCount == 1, "Result to block");
            cts.Cancel();
            Assert.True(waiter.Join(TestUtil.Timeout), "Result did not return when its token was cancelled");
        }

        var cancelled = new CancellationToken(canceled: true);
        Assert.Equal(cancelled, Assert.Throws<OperationCanceledException>(() => pending.Exception(TestUtil.Timeout, cancelled)).CancellationToken);
        Assert.Throws<OperationCanceledException>(() => ((Future)pending).Result(null, cancelled));
        Assert.Throws<OperationCanceledException>(() => Futures.Wait([pending], null, ReturnWhen.AllCompleted, cancelled));
        Assert.Throws<OperationCanceledException>(() => Futures.AsCompleted([pending], null, cancelled).ToList());

        using (var cts = new CancellationTokenSource())
        {
            var waiter = TestUtil.Start(() => Assert.Throws<OperationCanceledException>(() => Futures.Wait([pending], Timeout.InfiniteTimeSpan, ReturnWhen.FirstCompleted, cts.Token)));
            TestUtil.SpinUntil(() => pending.WaiterCount == 1, "Wait to block");
            cts.Cancel();
            Assert.True(waiter.Join(TestUtil.Timeout), "Wait did not return when its token was cancelled");
            Assert.Equal(0, pending.WaiterCount);
        }

        Assert.False(pending.IsDone);

        // A done future returns its outcome even when the token is already cancelled.
        var done = new Future<int>();
        done.SetResult(3);
        Assert.Equal(3, done.Result(null, cancelled));
    }

    [Fact]
    public async Task AsCompletedAsyncYieldsInCompletionOrderAndStopsWhenCancelled()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        var c = new Future<int>();
        c.SetResult(0);
        var seen = new List<Future>();
        await foreach (var future in Futures.AsCompletedAsync([a, b, c]))
        {
            seen.Add(future);
            if (seen.Count == 1)
            {
                b.SetResult(2);
            }
            else if (seen.Count == 2)
            {
                a.SetResult(1);
            }
        }

        Assert.Equal(new Future[] { c, b, a }, seen);

        var never = new Future<int>();
        using var cts = new CancellationTokenSource();
        var enumeration = Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var unused in Futures.AsCompletedAsync([never], cts.Token))
            {
            }
        });
        TestUtil.SpinUntil(() => never.WaiterCount == 1, "the async enumerator registers");
        cts.Cancel();
        await enumeration;
        Assert.Equal(0, never.WaiterCount);

        using var viaWithCancellation = new CancellationTokenSource();
        viaWithCancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var unused in Futures.AsCompletedAsync([never]).WithCancellation(viaWithCancellation.Token))
            {
            }
        });

        Assert.Equal("futures", Assert.Throws<ArgumentNullException>(() => Futures.AsCompletedAsync(null!)).ParamName);
    }

    [Fact]
    public void TokenSubmitsCheckTheirArguments()
    {
        using var executor = new ThreadPoolExecutor(1);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => executor.Submit((Func<CancellationToken, int>)null!, CancellationToken.None)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => executor.Submit((Action<CancellationToken>)null!, CancellationToken.None)).ParamName);
    }
}
