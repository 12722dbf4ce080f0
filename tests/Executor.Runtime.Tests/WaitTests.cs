using System;
using System.Collections.Generic;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary><see cref="Futures.Wait"/>: return conditions, timeouts, deduplication and argument checks.</summary>
public class WaitTests
{
    [Fact]
    public void AllCompletedReturnsWhenEveryFutureIsDone()
    {
        var executor = new ThreadPoolExecutor(2);
        using var gate = new ManualResetEventSlim();
        try
        {
            var futures = new List<Future>();
            for (int i = 0; i < 5; i++)
            {
                futures.Add(executor.Submit(() => TestUtil.Block(gate)));
            }

            var cancelled = new Future();
            cancelled.Cancel();
            futures.Add(cancelled);
            var failed = new Future();
            failed.SetException(new InvalidCastException());
            futures.Add(failed);

            var opener = TestUtil.Start(() =>
            {
                Thread.Sleep(50);
                gate.Set();
            });
            var result = Futures.Wait(futures, TestUtil.Timeout, ReturnWhen.AllCompleted);
            Assert.Equal(7, result.Done.Count);
            Assert.Empty(result.NotDone);
            Assert.All(futures, f => Assert.True(f.IsDone));
            Assert.True(opener.Join(TestUtil.Timeout));

            // The default is AllCompleted with no timeout.
            var again = Futures.Wait(futures);
            Assert.Equal(7, again.Done.Count);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void DuplicatesAreCountedOnce()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        a.SetResult(1);
        var result = Futures.Wait(new Future[] { a, a, b, b, a }, TimeSpan.FromMilliseconds(50));
        Assert.Single(result.Done);
        Assert.Contains(a, result.Done);
        Assert.Single(result.NotDone);
        Assert.Contains(b, result.NotDone);

        b.SetResult(2);
        var all = Futures.Wait(new Future[] { a, b, a, b }, TestUtil.Timeout);
        Assert.Equal(2, all.Done.Count);
        Assert.Empty(all.NotDone);
    }

    [Fact]
    public void TimeoutReturnsThePartialResultWithoutThrowing()
    {
        var done = new Future<int>();
        done.SetResult(1);
        var pending = new Future<int>();
        var running = new Future<int>();
        running.SetRunningOrNotifyCancel();

        var result = Futures.Wait(new Future[] { done, pending, running }, TimeSpan.FromMilliseconds(100));
        Assert.Equal(new HashSet<Future> { done }, new HashSet<Future>(result.Done));
        Assert.Equal(new HashSet<Future> { pending, running }, new HashSet<Future>(result.NotDone));

        var zero = Futures.Wait(new Future[] { done, pending }, TimeSpan.Zero);
        Assert.Single(zero.Done);
        Assert.Single(zero.NotDone);

        foreach (var when in new[] { ReturnWhen.FirstCompleted, ReturnWhen.FirstException })
        {
            var none = Futures.Wait(new Future[] { pending, running }, TimeSpan.FromMilliseconds(50), when);
            Assert.Empty(none.Done);
            Assert.Equal(2, none.NotDone.Count);
        }
    }

    [Fact]
    public void FirstCompletedReturnsAsSoonAsOneFinishes()
    {
        var executor = new ThreadPoolExecutor(3);
        using var slowGate = new ManualResetEventSlim();
        using var fastGate = new ManualResetEventSlim();
        try
        {
            var slow1 = executor.Submit(() => TestUtil.Block(slowGate));
            var slow2 = executor.Submit(() => TestUtil.Block(slowGate));
            var fast = executor.Submit(() => { TestUtil.Block(fastGate); return 3; });

            var opener = TestUtil.Start(() =>
            {
                Thread.Sleep(50);
                fastGate.Set();
            });

            // The slow ones stay blocked until after Wait returned, so returning at all proves it did not wait for them.
            var result = Futures.Wait(new Future[] { slow1, slow2, fast }, TestUtil.Timeout, ReturnWhen.FirstCompleted);
            Assert.Equal(new Future[] { fast }, result.Done);
            Assert.Equal(new HashSet<Future> { slow1, slow2 }, new HashSet<Future>(result.NotDone));
            Assert.True(opener.Join(TestUtil.Timeout));

            // Already done: returns at once.
            var immediate = Futures.Wait(new Future[] { slow1, fast }, TestUtil.Timeout, ReturnWhen.FirstCompleted);
            Assert.Contains(fast, immediate.Done);
        }
        finally
        {
            slowGate.Set();
            fastGate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void FirstCompletedCountsACancellation()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        var canceller = TestUtil.Start(() =>
        {
            Thread.Sleep(50);
            b.Cancel();
        });
        var result = Futures.Wait(new Future[] { a, b }, TestUtil.Timeout, ReturnWhen.FirstCompleted);
        Assert.Equal(new Future[] { b }, result.Done);
        Assert.Equal(new Future[] { a }, result.NotDone);
        Assert.True(canceller.Join(TestUtil.Timeout));
    }

    [Fact]
    public void FirstExceptionReturnsWhenOneThrows()
    {
        var executor = new ThreadPoolExecutor(3);
        using var slowGate = new ManualResetEventSlim();
        using var okGate = new ManualResetEventSlim();
        using var failGate = new ManualResetEventSlim();
        try
        {
            var slow = executor.Submit(() => TestUtil.Block(slowGate));
            var ok = executor.Submit(() => { TestUtil.Block(okGate); return 1; });
            var failing = executor.Submit(() => { TestUtil.Block(failGate); throw new InvalidCastException(); });
            var all = new Future[] { slow, ok, failing };

            // A successful completion does not end a FirstException wait.
            okGate.Set();
            ok.Result(TestUtil.Timeout);
            var stillWaiting = Futures.Wait(all, TimeSpan.FromMilliseconds(100), ReturnWhen.FirstException);
            Assert.Equal(new Future[] { ok }, stillWaiting.Done);

            var opener = TestUtil.Start(() =>
            {
                Thread.Sleep(50);
                failGate.Set();
            });
            var result = Futures.Wait(all, TestUtil.Timeout, ReturnWhen.FirstException);
            Assert.Equal(new HashSet<Future> { ok, failing }, new HashSet<Future>(result.Done));
            Assert.Equal(new Future[] { slow }, result.NotDone);
            Assert.True(opener.Join(TestUtil.Timeout));

            // Already failed: returns at once.
            var immediate = Futures.Wait(all, TestUtil.Timeout, ReturnWhen.FirstException);
            Assert.Contains(failing, immediate.Done);
            Assert.Contains(slow, immediate.NotDone);
        }
        finally
        {
            slowGate.Set();
            okGate.Set();
            failGate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void FirstExceptionReturnsWhenAllCompleteWithoutException()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        var cancelled = new Future<int>();
        cancelled.Cancel();
        var setter = TestUtil.Start(() =>
        {
            a.SetResult(1);
            Thread.Sleep(20);
            b.SetResult(2);
        });
        var result = Futures.Wait(new Future[] { a, b, cancelled }, TestUtil.Timeout, ReturnWhen.FirstException);
        Assert.Equal(3, result.Done.Count);
        Assert.Empty(result.NotDone);
        Assert.True(setter.Join(TestUtil.Timeout));
    }

    [Fact]
    public void EmptyInputReturnsEmptySets()
    {
        var result = Futures.Wait(Array.Empty<Future>(), TestUtil.Timeout);
        Assert.Empty(result.Done);
        Assert.Empty(result.NotDone);
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        var ok = new Future<int>();
        Assert.Equal("futures", Assert.Throws<ArgumentNullException>(() => Futures.Wait(null!)).ParamName);
        Assert.Equal("futures", Assert.Throws<ArgumentNullException>(() => Futures.Wait(new Future[] { ok, null! })).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => Futures.Wait(new Future[] { ok }, TimeSpan.FromSeconds(-1))).ParamName);
        Assert.Equal("returnWhen", Assert.Throws<ArgumentOutOfRangeException>(() => Futures.Wait(new Future[] { ok }, TimeSpan.Zero, (ReturnWhen)42)).ParamName);
    }

    [Fact]
    public void WaitDoesNotLeaveWaitersBehind()
    {
        // Many timed-out waits on the same future, then completion: every later Wait still sees it done.
        var future = new Future<int>();
        for (int i = 0; i < 50; i++)
        {
            Assert.Single(Futures.Wait(new Future[] { future }, TimeSpan.Zero).NotDone);
            Assert.Single(Futures.Wait(new Future[] { future }, TimeSpan.FromMilliseconds(1)).NotDone);
        }

        future.SetResult(1);
        Assert.Single(Futures.Wait(new Future[] { future }, TestUtil.Timeout).Done);
    }
}
