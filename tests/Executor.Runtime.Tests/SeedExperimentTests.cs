using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>
/// The three experiments of the tutorial "ThreadPoolExecutor Thread That Runs Done Callback Functions", made
/// deterministic: instead of sleeping and hoping, tasks wait on a gate that opens once the callbacks are registered.
/// </summary>
public class SeedExperimentTests
{
    [Fact]
    public void OneTaskAndItsCallbackReportTheSameWorkerThread()
    {
        var executor = new ThreadPoolExecutor();
        using var registered = new ManualResetEventSlim();
        string? callbackThreadName = null;
        int callbackThreadId = 0;
        try
        {
            var future = executor.Submit(() =>
            {
                TestUtil.Block(registered);
                return (Thread.CurrentThread.Name, TestUtil.CurrentThreadId);
            });
            future.AddDoneCallback(_ =>
            {
                callbackThreadName = Thread.CurrentThread.Name;
                callbackThreadId = TestUtil.CurrentThreadId;
            });
            registered.Set();
            TestUtil.ShutdownOrFail(executor);

            var (taskName, taskId) = future.Result(TimeSpan.Zero);
            Assert.Equal(taskId, callbackThreadId);
            Assert.Equal(taskName, callbackThreadName);
            Assert.Matches(@"^ThreadPoolExecutor-\d+_0$", taskName);
        }
        finally
        {
            registered.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void SixteenTasksOnFourWorkersEachCallbackRunsOnItsTasksThread()
    {
        var executor = new ThreadPoolExecutor(4);
        using var allRegistered = new ManualResetEventSlim();
        var callbackThreads = new int[16];
        var callbackNames = new string?[16];
        try
        {
            var futures = new List<Future<(string? Name, int Id)>>();
            for (int i = 0; i < 16; i++)
            {
                int n = i;
                var future = executor.Submit(() =>
                {
                    TestUtil.Block(allRegistered);
                    return (Thread.CurrentThread.Name, TestUtil.CurrentThreadId);
                });
                future.AddDoneCallback(f =>
                {
                    // As in the tutorial, the callback compares its own thread with the one the task reported.
                    callbackThreads[n] = TestUtil.CurrentThreadId;
                    callbackNames[n] = Thread.CurrentThread.Name;
                });
                futures.Add(future);
            }

            // No task can complete before every callback is registered.
            Assert.All(futures, f => Assert.False(f.IsDone));
            allRegistered.Set();
            TestUtil.ShutdownOrFail(executor);

            for (int i = 0; i < 16; i++)
            {
                var (name, id) = futures[i].Result(TimeSpan.Zero);
                Assert.Equal(id, callbackThreads[i]);
                Assert.Equal(name, callbackNames[i]);
            }

            // The tasks were spread over the four workers, and only those.
            var workerIds = futures.Select(f => f.Result(TimeSpan.Zero).Id).Distinct().ToList();
            Assert.Equal(4, executor.WorkerCount);
            Assert.InRange(workerIds.Count, 1, 4);
            Assert.DoesNotContain(TestUtil.CurrentThreadId, workerIds);
            Assert.Subset(new HashSet<string>(executor.WorkerNames), new HashSet<string>(callbackNames.Select(n => n!)));
        }
        finally
        {
            allRegistered.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void CallbackAddedAfterTheTaskIsDoneRunsOnTheCallingThread()
    {
        var executor = new ThreadPoolExecutor();
        try
        {
            var future = executor.Submit(() => TestUtil.CurrentThreadId);

            // Instead of sleep(2): wait for the result, so the task is certainly done.
            int taskThread = future.Result(TestUtil.Timeout);
            Assert.True(future.IsDone);

            int callbackThread = 0;
            string? callbackName = "unset";
            future.AddDoneCallback(_ =>
            {
                callbackThread = TestUtil.CurrentThreadId;
                callbackName = Thread.CurrentThread.Name;
            });

            Assert.Equal(TestUtil.CurrentThreadId, callbackThread);
            Assert.NotEqual(taskThread, callbackThread);
            Assert.Equal(Thread.CurrentThread.Name, callbackName);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }
}
