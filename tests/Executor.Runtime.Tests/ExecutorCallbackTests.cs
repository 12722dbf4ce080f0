using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>Issue 13, clause 3: <c>AddDoneCallback(callback, executor)</c> runs the callback on a worker of the executor you choose.</summary>
[Collection(CallbackFailedCollection.Name)]
public class ExecutorCallbackTests
{
    [Fact]
    public void TheCallbackRunsOnAWorkerOfTheChosenExecutorWhetherAddedBeforeOrAfterCompletion()
    {
        var pool = new ThreadPoolExecutor(2, threadNamePrefix: "tasks");
        var callbacks = new ThreadPoolExecutor(1, threadNamePrefix: "callbacks");
        using var gate = new ManualResetEventSlim();
        using var ran = new CountdownEvent(3);
        var names = new ConcurrentQueue<string?>();
        Future<int>? seenTyped = null;
        try
        {
            var future = pool.Submit(() =>
            {
                TestUtil.Block(gate);
                return 5;
            });
            future.AddDoneCallback(
                f =>
                {
                    seenTyped = f;
                    names.Enqueue(Thread.CurrentThread.Name);
                    ran.Signal();
                },
                callbacks);
            ((Future)future).AddDoneCallback(_ => { names.Enqueue(Thread.CurrentThread.Name); ran.Signal(); }, callbacks);
            gate.Set();
            future.Result(TestUtil.Timeout);

            // Already done: still submitted to the executor, not run on the adding thread.
            future.AddDoneCallback(_ => { names.Enqueue(Thread.CurrentThread.Name); ran.Signal(); }, callbacks);
            TestUtil.WaitOrFail(ran, "the dispatched callbacks");
            Assert.All(names, name => Assert.Equal("callbacks_0", name));
            Assert.Same(future, seenTyped);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(pool);
            TestUtil.ShutdownOrFail(callbacks);
        }
    }

    [Fact]
    public void CallbacksDispatchedToAOneWorkerExecutorRunOneAtATime()
    {
        var pool = new ThreadPoolExecutor(4);
        var serial = new ThreadPoolExecutor(1);
        const int Count = 200;
        using var allRan = new CountdownEvent(Count);
        int inside = 0;
        int maxInside = 0;
        int unguarded = 0;
        try
        {
            for (int i = 0; i < Count; i++)
            {
                pool.Submit(() => Thread.Yield()).AddDoneCallback(
                    _ =>
                    {
                        int now = Interlocked.Increment(ref inside);
                        InterlockedMax(ref maxInside, now);
                        unguarded++; // Safe only because the callbacks are serial.
                        Thread.Yield();
                        Interlocked.Decrement(ref inside);
                        allRan.Signal();
                    },
                    serial);
            }

            TestUtil.WaitOrFail(allRan, "every callback");
            Assert.Equal(1, maxInside);
            Assert.Equal(Count, unguarded);
        }
        finally
        {
            TestUtil.ShutdownOrFail(pool);
            TestUtil.ShutdownOrFail(serial);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    [Fact]
    public void AThrowingOrRejectedDispatchedCallbackIsReportedAndNeverSwallowed()
    {
        var callbacks = new ThreadPoolExecutor(1);
        var reports = new ConcurrentQueue<CallbackExceptionEventArgs>();
        EventHandler<CallbackExceptionEventArgs> handler = (_, e) => reports.Enqueue(e);
        Futures.CallbackFailed += handler;
        try
        {
            var future = new Future<int>();
            var boom = new InvalidCastException("from the callback");
            future.AddDoneCallback(_ => throw boom, callbacks);
            future.SetResult(1);
            TestUtil.SpinUntil(() => reports.Count == 1, "the failure to be reported");
            Assert.Same(future, reports.Single().Future);
            Assert.Same(boom, reports.Single().Exception);

            // A shut-down executor rejects the callback: it does not run, and the rejection is reported.
            TestUtil.ShutdownOrFail(callbacks);
            int ran = 0;
            var late = new Future();
            late.AddDoneCallback(_ => Interlocked.Increment(ref ran), callbacks);
            late.SetResult();
            Assert.Equal(2, reports.Count);
            var rejection = reports.Last();
            Assert.Same(late, rejection.Future);
            Assert.Contains("was not run", Assert.IsType<InvalidOperationException>(rejection.Exception).Message, StringComparison.Ordinal);
            Assert.Equal(0, ran);
        }
        finally
        {
            Futures.CallbackFailed -= handler;
            TestUtil.ShutdownOrFail(callbacks);
        }
    }

    [Fact]
    public void NullArgumentsAreNamed()
    {
        using var executor = new ThreadPoolExecutor(1);
        var future = new Future<int>();
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => future.AddDoneCallback((Action<Future<int>>)null!, executor)).ParamName);
        Assert.Equal("executor", Assert.Throws<ArgumentNullException>(() => future.AddDoneCallback(_ => { }, null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => ((Future)future).AddDoneCallback(null!, executor)).ParamName);
        Assert.Equal("executor", Assert.Throws<ArgumentNullException>(() => ((Future)future).AddDoneCallback(_ => { }, null!)).ParamName);
    }
}
