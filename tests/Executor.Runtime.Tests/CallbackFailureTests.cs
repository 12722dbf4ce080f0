using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>
/// Tests that subscribe to the static <see cref="Futures.CallbackFailed"/> event, redirect <see cref="Console.Error"/>,
/// or make callbacks throw in bulk. They run alone, never in parallel with any other test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CallbackFailedCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "CallbackFailed";
}

/// <summary>Contract clause (4): a throwing callback never kills the worker or stops later callbacks, and is reported.</summary>
[Collection(CallbackFailedCollection.Name)]
public class CallbackFailureTests
{
    [Fact]
    public void ThrowingCallbackIsReportedAndLaterCallbacksStillRun()
    {
        var reports = new ConcurrentQueue<CallbackExceptionEventArgs>();
        var reporterThreads = new ConcurrentQueue<int>();
        object? sender = "not called";
        EventHandler<CallbackExceptionEventArgs> handler = (s, e) =>
        {
            sender = s;
            reports.Enqueue(e);
            reporterThreads.Enqueue(TestUtil.CurrentThreadId);
        };
        Futures.CallbackFailed += handler;
        try
        {
            var future = new Future<int>();
            var order = new List<string>();
            var first = new CallbackFailure("first");
            var second = new CallbackFailure("second");
            future.AddDoneCallback(_ => order.Add("a"));
            future.AddDoneCallback(_ => { order.Add("b"); throw first; });
            future.AddDoneCallback(_ => order.Add("c"));
            future.AddDoneCallback((Future _) => { order.Add("d"); throw second; });
            future.AddDoneCallback(_ => order.Add("e"));

            int completer = TestUtil.RunOnNewThread(() => future.SetResult(1));

            Assert.Equal(new[] { "a", "b", "c", "d", "e" }, order);
            Assert.Equal(2, reports.Count);
            var list = reports.ToList();
            Assert.Same(future, list[0].Future);
            Assert.Same(first, list[0].Exception);
            Assert.Same(future, list[1].Future);
            Assert.Same(second, list[1].Exception);
            Assert.Null(sender);

            // Reported on the thread that ran the failing callback.
            Assert.All(reporterThreads, id => Assert.Equal(completer, id));

            // The failure did not leak into the future.
            Assert.Equal(1, future.Result(TimeSpan.Zero));
            Assert.Null(future.Exception(TimeSpan.Zero));

            // A callback added after completion that throws is reported too, and does not reach AddDoneCallback's caller.
            var late = new CallbackFailure("late");
            future.AddDoneCallback(_ => throw late);
            Assert.Equal(3, reports.Count);
            Assert.Same(late, reports.Last().Exception);
            Assert.Equal(TestUtil.CurrentThreadId, reporterThreads.Last());
        }
        finally
        {
            Futures.CallbackFailed -= handler;
        }
    }

    [Fact]
    public void ThrowingCallbackDoesNotKillTheWorker()
    {
        var reports = new ConcurrentQueue<CallbackExceptionEventArgs>();
        EventHandler<CallbackExceptionEventArgs> handler = (_, e) => reports.Enqueue(e);
        Futures.CallbackFailed += handler;
        var executor = new ThreadPoolExecutor(1);
        using var registered = new ManualResetEventSlim();
        try
        {
            var boom = new CallbackFailure("from the callback");
            int laterCallbackThread = 0;
            var first = executor.Submit(() => { TestUtil.Block(registered); return TestUtil.CurrentThreadId; });
            first.AddDoneCallback(_ => throw boom);
            first.AddDoneCallback(_ => laterCallbackThread = TestUtil.CurrentThreadId);
            registered.Set();

            int firstThread = first.Result(TestUtil.Timeout);

            // The same worker keeps running later tasks.
            var later = Enumerable.Range(0, 5).Select(_ => executor.Submit(() => TestUtil.CurrentThreadId)).ToList();
            Assert.All(later, f => Assert.Equal(firstThread, f.Result(TestUtil.Timeout)));
            Assert.Equal(1, executor.WorkerCount);
            Assert.Equal(firstThread, Volatile.Read(ref laterCallbackThread));
            Assert.Equal(new[] { "ThreadPoolExecutor" }, executor.WorkerNames.Select(n => n.Split('-')[0]));

            var report = Assert.Single(reports);
            Assert.Same(first, report.Future);
            Assert.Same(boom, report.Exception);
        }
        finally
        {
            registered.Set();
            Futures.CallbackFailed -= handler;
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void ThrowingCallbackOfACancelledFutureDoesNotBreakCancelOrShutdown()
    {
        var reports = new ConcurrentQueue<CallbackExceptionEventArgs>();
        EventHandler<CallbackExceptionEventArgs> handler = (_, e) => reports.Enqueue(e);
        Futures.CallbackFailed += handler;
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        try
        {
            executor.Submit(() => TestUtil.Block(gate));
            var queued = Enumerable.Range(0, 3).Select(_ => executor.Submit(() => 1)).ToList();
            foreach (var future in queued)
            {
                future.AddDoneCallback(_ => throw new CallbackFailure("cancel"));
            }

            Assert.True(queued[0].Cancel());
            executor.Shutdown(wait: false, cancelFutures: true);
            Assert.All(queued, f => Assert.True(f.IsCancelled));
            Assert.Equal(3, reports.Count);
            Assert.Equal(new HashSet<Future>(queued), new HashSet<Future>(reports.Select(r => r.Future)));
        }
        finally
        {
            gate.Set();
            Futures.CallbackFailed -= handler;
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void WithoutAHandlerTheFailureIsWrittenToStandardError()
    {
        var original = Console.Error;
        var captured = new StringWriter();
        Console.SetError(TextWriter.Synchronized(captured));
        try
        {
            var future = new Future<int>();
            future.AddDoneCallback(_ => throw new CallbackFailure("unhandled-marker-7f3a"));
            bool laterRan = false;
            future.AddDoneCallback(_ => laterRan = true);
            future.SetResult(1);

            Assert.True(laterRan);
            string text = captured.ToString();
            Assert.Contains("unhandled-marker-7f3a", text, StringComparison.Ordinal);
            Assert.Contains(nameof(CallbackFailure), text, StringComparison.Ordinal);
        }
        finally
        {
            Console.SetError(original);
        }
    }

    [Fact]
    public void AThrowingHandlerIsWrittenToStandardErrorAndDoesNotStopCallbacks()
    {
        var original = Console.Error;
        var captured = new StringWriter();
        Console.SetError(TextWriter.Synchronized(captured));
        EventHandler<CallbackExceptionEventArgs> handler = (_, _) => throw new CallbackFailure("handler-marker-91c2");
        Futures.CallbackFailed += handler;
        try
        {
            var future = new Future<int>();
            future.AddDoneCallback(_ => throw new CallbackFailure("callback-marker-55e0"));
            bool laterRan = false;
            future.AddDoneCallback(_ => laterRan = true);
            TestUtil.RunOnNewThread(() => future.SetResult(1));

            Assert.True(laterRan);
            string text = captured.ToString();
            Assert.Contains("handler-marker-91c2", text, StringComparison.Ordinal);
            Assert.Contains("callback-marker-55e0", text, StringComparison.Ordinal);
        }
        finally
        {
            Futures.CallbackFailed -= handler;
            Console.SetError(original);
        }
    }

    /// <summary>An exception type only these tests throw.</summary>
    internal sealed class CallbackFailure(string message) : Exception(message);
}
