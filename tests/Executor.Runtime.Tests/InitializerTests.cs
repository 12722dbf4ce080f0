using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>The worker initializer: runs once per worker before its first task; a failing one breaks the pool.</summary>
public class InitializerTests
{
    [ThreadStatic]
    private static bool t_initialized;

    [Fact]
    public void InitializerRunsOncePerWorkerOnThatWorkerBeforeItsFirstTask()
    {
        const int max = 3;
        int initCount = 0;
        var initThreads = new ConcurrentBag<int>();
        var executor = new ThreadPoolExecutor(max, initializer: () =>
        {
            Interlocked.Increment(ref initCount);
            initThreads.Add(TestUtil.CurrentThreadId);
            t_initialized = true;
        });
        using var allStarted = new CountdownEvent(max);
        try
        {
            // Three tasks that only finish once all three run at once force three workers.
            var first = Enumerable.Range(0, max)
                .Select(_ => executor.Submit(() =>
                {
                    bool initializedBefore = t_initialized;
                    TestUtil.SignalAndWait(allStarted);
                    return (Thread: TestUtil.CurrentThreadId, Initialized: initializedBefore);
                }))
                .ToList();
            var more = Enumerable.Range(0, 30)
                .Select(_ => executor.Submit(() => (Thread: TestUtil.CurrentThreadId, Initialized: t_initialized)))
                .ToList();

            var results = first.Concat(more).Select(f => f.Result(TestUtil.Timeout)).ToList();
            Assert.All(results, r => Assert.True(r.Initialized, "a task ran on a worker whose initializer had not run"));
            Assert.Equal(max, executor.WorkerCount);
            Assert.Equal(max, Volatile.Read(ref initCount));

            // Each worker ran the initializer itself, exactly once.
            var initIds = initThreads.ToList();
            Assert.Equal(max, initIds.Distinct().Count());
            Assert.Equal(first.Select(f => f.Result(TimeSpan.Zero).Thread).OrderBy(i => i), initIds.OrderBy(i => i));
            Assert.Subset(new HashSet<int>(initIds), new HashSet<int>(results.Select(r => r.Thread)));

            // The test thread never ran it.
            Assert.DoesNotContain(TestUtil.CurrentThreadId, initIds);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }

        Assert.Equal(max, Volatile.Read(ref initCount));
    }

    [Fact]
    public void FailingInitializerBreaksThePool()
    {
        using var release = new ManualResetEventSlim();
        using var initStarted = new ManualResetEventSlim();
        var boom = new InvalidTimeZoneException("initializer failed");
        int taskRuns = 0;
        var executor = new ThreadPoolExecutor(1, initializer: () =>
        {
            initStarted.Set();
            TestUtil.Block(release);
            throw boom;
        });
        try
        {
            // The one worker is stuck in its initializer, so all of these are still queued when it fails.
            var futures = Enumerable.Range(0, 4).Select(i => executor.Submit(() => Interlocked.Increment(ref taskRuns))).ToList();
            TestUtil.WaitOrFail(initStarted, "the initializer to start");
            var callbackSawBroken = new ConcurrentBag<bool>();
            using var callbacksRan = new CountdownEvent(futures.Count);
            foreach (var future in futures)
            {
                future.AddDoneCallback(f =>
                {
                    callbackSawBroken.Add(f.Exception(TimeSpan.Zero) is BrokenThreadPoolException);
                    callbacksRan.Signal();
                });
            }

            release.Set();

            foreach (var future in futures)
            {
                var ex = future.Exception(TestUtil.Timeout);
                var broken = Assert.IsType<BrokenThreadPoolException>(ex);
                Assert.Same(boom, broken.InnerException);
                var thrown = Assert.Throws<BrokenThreadPoolException>(() => future.Result(TimeSpan.Zero));
                Assert.Same(boom, thrown.InnerException);
                Assert.False(future.IsCancelled);
            }

            // Callbacks run after the state is visible as done, so wait for them rather than assume they finished.
            Assert.True(callbacksRan.Wait(TestUtil.Timeout), "the done callbacks did not all run");
            Assert.Equal(4, callbackSawBroken.Count);
            Assert.All(callbackSawBroken, Assert.True);
            Assert.Equal(0, Volatile.Read(ref taskRuns));

            // Later submits are refused with the same kind of exception.
            var later = Assert.Throws<BrokenThreadPoolException>(() => executor.Submit(() => 1));
            Assert.Same(boom, later.InnerException);
            Assert.Throws<BrokenThreadPoolException>(() => executor.Submit(() => { }));
            Assert.Throws<BrokenThreadPoolException>(() => executor.Submit<int>(_ => { }, 1));
            Assert.Throws<BrokenThreadPoolException>(() => executor.Submit<int, int>(x => x, 1));
        }
        finally
        {
            release.Set();
            TestUtil.ShutdownOrFail(executor);
        }

        Assert.True(executor.AllWorkersExited);
    }

    [Fact]
    public void BrokenThreadPoolExceptionIsAnInvalidOperationException()
    {
        Assert.True(typeof(InvalidOperationException).IsAssignableFrom(typeof(BrokenThreadPoolException)));
        var inner = new InvalidCastException();
        InvalidOperationException ex = new BrokenThreadPoolException("m", inner);
        Assert.Equal("m", ex.Message);
        Assert.Same(inner, ex.InnerException);
        Assert.False(string.IsNullOrEmpty(new BrokenThreadPoolException().Message));
        Assert.Equal("only", new BrokenThreadPoolException("only").Message);
    }

    [Fact]
    public void BrokenPoolSubmitIsCaughtAsInvalidOperation()
    {
        var executor = new ThreadPoolExecutor(1, initializer: () => throw new InvalidProgramException("init"));
        try
        {
            var future = executor.Submit(() => 1);
            Assert.IsType<BrokenThreadPoolException>(future.Exception(TestUtil.Timeout));

            // Callers that handle "cannot submit" generically catch InvalidOperationException.
            var ex = Assert.ThrowsAny<InvalidOperationException>(() => executor.Submit(() => 2));
            Assert.IsType<BrokenThreadPoolException>(ex);
            Assert.IsType<InvalidProgramException>(ex.InnerException);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }
}
