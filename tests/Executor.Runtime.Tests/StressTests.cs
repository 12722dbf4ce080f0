using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>
/// Bounded stress: many tasks, random cancels, throwing and nesting callbacks, and shutdown racing with submit.
/// In the non-parallel collection because its throwing callbacks are counted through <see cref="Futures.CallbackFailed"/>.
/// </summary>
[Collection(CallbackFailedCollection.Name)]
public class StressTests
{
    private const int Tasks = 20_000;
    private const int AfterShutdown = 100;

    [Fact]
    public void ManyTasksWithCancelsThrowingCallbacksAndAShutdownRacingWithSubmit()
    {
        const int capacity = Tasks + AfterShutdown;
        var executor = new ThreadPoolExecutor(4);
        var futures = new Future<int>?[capacity];
        var ran = new int[capacity];
        var callbackRuns = new int[capacity];
        var nestedRuns = new int[capacity];
        var throwingRuns = new int[capacity];
        var hasThrowingCallback = new bool[capacity];
        int notDoneInCallback = 0;
        int wrongResultInCallback = 0;
        int expectedFailures = 0;
        int reportedFailures = 0;
        int foreignFailures = 0;
        int rejected = 0;
        int rejectedAfterShutdownReturned = 0;
        var unexpectedErrors = new ConcurrentQueue<Exception>();
        int submittedCount = 0;
        using var halfway = new ManualResetEventSlim();
        using var shutdownReturned = new ManualResetEventSlim();
        using var submitterDone = new ManualResetEventSlim();
        using var blockersGate = new ManualResetEventSlim();

        EventHandler<CallbackExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception is StressCallbackException sce && ReferenceEquals(futures[sce.Index], e.Future))
            {
                Interlocked.Increment(ref reportedFailures);
            }
            else
            {
                Interlocked.Increment(ref foreignFailures);
            }
        };
        Futures.CallbackFailed += handler;
        try
        {
            // Hold all four workers until halfway, so everything submitted in the first half is still queued then: the
            // early cancels below must succeed, and Shutdown(cancelFutures) races with workers draining a long queue.
            var blockers = Enumerable.Range(0, 4).Select(_ => executor.Submit(() => TestUtil.Block(blockersGate))).ToList();

            var submitter = TestUtil.Start(
                () =>
                {
                    try
                    {
                        var random = new Random(12345);
                        for (int i = 0; i < capacity; i++)
                        {
                            if (i == Tasks / 2)
                            {
                                halfway.Set();
                            }

                            bool afterShutdown = i >= Tasks;
                            if (i == Tasks && !shutdownReturned.Wait(TestUtil.Timeout))
                            {
                                unexpectedErrors.Enqueue(new TimeoutException("shutdown never returned"));
                                return;
                            }

                            Future<int> future;
                            try
                            {
                                future = executor.Submit(
                                    static state =>
                                    {
                                        Interlocked.Increment(ref state.Ran[state.Index]);
                                        if (state.Index % 11 == 0)
                                        {
                                            throw new StressTaskException(state.Index);
                                        }

                                        return state.Index * 2;
                                    },
                                    (Ran: ran, Index: i));
                            }
                            catch (Exception ex) when (ex.GetType() == typeof(InvalidOperationException))
                            {
                                Interlocked.Increment(ref rejected);
                                if (afterShutdown)
                                {
                                    Interlocked.Increment(ref rejectedAfterShutdownReturned);
                                }

                                continue;
                            }

                            if (afterShutdown)
                            {
                                unexpectedErrors.Enqueue(new InvalidOperationException($"submit {i} after Shutdown returned was accepted"));
                            }

                            int n = i;
                            if (random.Next(4) == 0)
                            {
                                hasThrowingCallback[n] = true;
                                Interlocked.Increment(ref expectedFailures);
                            }

                            Volatile.Write(ref futures[n], future);
                            Volatile.Write(ref submittedCount, n + 1);

                            future.AddDoneCallback(f =>
                            {
                                Interlocked.Increment(ref callbackRuns[n]);
                                if (!f.IsDone)
                                {
                                    Interlocked.Increment(ref notDoneInCallback);
                                }

                                if (!f.IsCancelled && f.Exception(TimeSpan.Zero) is null && f.Result(TimeSpan.Zero) != n * 2)
                                {
                                    Interlocked.Increment(ref wrongResultInCallback);
                                }

                                // A callback that adds a callback: the future is done, so it runs at once, here.
                                f.AddDoneCallback(_ => Interlocked.Increment(ref nestedRuns[n]));
                            });

                            if (hasThrowingCallback[n])
                            {
                                future.AddDoneCallback(_ =>
                                {
                                    Interlocked.Increment(ref throwingRuns[n]);
                                    throw new StressCallbackException(n);
                                });
                            }

                            if (i < Tasks / 2 && i % 13 == 0 && !future.Cancel())
                            {
                                unexpectedErrors.Enqueue(new InvalidOperationException($"could not cancel queued future {n}"));
                            }
                        }
                    }
                    catch (Exception ex)
                    {
                        unexpectedErrors.Enqueue(ex);
                    }
                    finally
                    {
                        submitterDone.Set();
                    }
                },
                "stress submitter");

            var canceller = TestUtil.Start(
                () =>
                {
                    try
                    {
                        var random = new Random(54321);
                        for (int k = 0; !submitterDone.IsSet; k++)
                        {
                            int count = Volatile.Read(ref submittedCount);
                            if (count > 0)
                            {
                                Volatile.Read(ref futures[random.Next(count)])?.Cancel();
                            }

                            if (k % 64 == 0)
                            {
                                Thread.Yield();
                            }
                        }
                    }
                    catch (Exception ex)
                    {
                        unexpectedErrors.Enqueue(ex);
                    }
                },
                "stress canceller");

            TestUtil.WaitOrFail(halfway, "half of the tasks to be submitted");
            blockersGate.Set();
            executor.Shutdown(wait: false, cancelFutures: true);
            shutdownReturned.Set();

            Assert.True(submitter.Join(TestUtil.Timeout), "the submitter hung");
            Assert.True(canceller.Join(TestUtil.Timeout), "the canceller hung");
            TestUtil.ShutdownOrFail(executor);

            Assert.Empty(unexpectedErrors);
            Assert.All(blockers, b => Assert.Null(b.Exception(TimeSpan.Zero)));
            Assert.True(executor.AllWorkersExited, "a worker thread is still alive after Shutdown(wait: true)");
            Assert.InRange(executor.WorkerCount, 1, executor.MaxWorkers);
            Assert.Equal(AfterShutdown, rejectedAfterShutdownReturned);

            int accepted = 0;
            int cancelled = 0;
            for (int i = 0; i < capacity; i++)
            {
                var future = futures[i];
                if (future is null)
                {
                    Assert.Equal(0, ran[i]);
                    continue;
                }

                accepted++;
                Assert.True(future.IsDone, $"future {i} is not done after Shutdown(wait: true)");
                Assert.Equal(1, callbackRuns[i]);
                Assert.Equal(1, nestedRuns[i]);
                Assert.Equal(hasThrowingCallback[i] ? 1 : 0, throwingRuns[i]);
                if (future.IsCancelled)
                {
                    cancelled++;
                    Assert.Equal(0, ran[i]);
                }
                else
                {
                    Assert.Equal(1, ran[i]);
                    if (i % 11 == 0)
                    {
                        Assert.Equal(i, Assert.IsType<StressTaskException>(future.Exception(TimeSpan.Zero)).Index);
                    }
                    else
                    {
                        Assert.Equal(i * 2, future.Result(TimeSpan.Zero));
                    }
                }
            }

            Assert.Equal(capacity, accepted + rejected);
            Assert.InRange(accepted, Tasks / 2, Tasks);
            Assert.Equal(0, notDoneInCallback);
            Assert.Equal(0, wrongResultInCallback);
            Assert.Equal(Volatile.Read(ref expectedFailures), Volatile.Read(ref reportedFailures));
            Assert.Equal(0, Volatile.Read(ref foreignFailures));
            Assert.True(cancelled > 0, "nothing was cancelled; the stress did not exercise cancellation");
        }
        finally
        {
            Futures.CallbackFailed -= handler;
            blockersGate.Set();
            shutdownReturned.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void ConcurrentSubmittersWaitersAndAsCompletedSeeEveryFutureOnce()
    {
        const int perSubmitter = 2_000;
        const int submitters = 4;
        var executor = new ThreadPoolExecutor(4);
        try
        {
            var all = new ConcurrentQueue<Future<int>>();
            var errors = new ConcurrentQueue<Exception>();
            using var start = new CountdownEvent(submitters);
            var threads = Enumerable.Range(0, submitters).Select(s => TestUtil.Start(
                () =>
                {
                    try
                    {
                        TestUtil.SignalAndWait(start);
                        var mine = new List<Future<int>>();
                        for (int i = 0; i < perSubmitter; i++)
                        {
                            int value = (s * perSubmitter) + i;
                            var future = executor.Submit(() => value);
                            mine.Add(future);
                            all.Enqueue(future);
                        }

                        // Every submitter also consumes its own futures, racing with their completion.
                        var seen = new HashSet<Future>(Futures.AsCompleted(mine, TestUtil.Timeout));
                        if (seen.Count != perSubmitter)
                        {
                            throw new InvalidOperationException($"AsCompleted yielded {seen.Count} of {perSubmitter}");
                        }
                    }
                    catch (Exception ex)
                    {
                        errors.Enqueue(ex);
                    }
                },
                $"submitter {s}")).ToList();

            foreach (var thread in threads)
            {
                Assert.True(thread.Join(TestUtil.Timeout), "a submitter hung");
            }

            Assert.Empty(errors);

            var result = Futures.Wait(all, TestUtil.Timeout);
            Assert.Equal(submitters * perSubmitter, result.Done.Count);
            Assert.Empty(result.NotDone);
            Assert.Equal(
                Enumerable.Range(0, submitters * perSubmitter),
                all.Select(f => f.Result(TimeSpan.Zero)).OrderBy(v => v));
            Assert.InRange(executor.WorkerCount, 1, executor.MaxWorkers);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }

        Assert.True(executor.AllWorkersExited);
    }

    [Fact]
    public void AwaitsTokensCancelledAtRandomInlineWaitsAndDispatchedCallbacksEachRunExactlyOnce()
    {
        const int Count = 5_000;
        const int Sources = 16;
        var executor = new ThreadPoolExecutor(4);
        var callbackExecutor = new ThreadPoolExecutor(1);
        var sources = Enumerable.Range(0, Sources).Select(_ => new CancellationTokenSource()).ToArray();
        var futures = new Future<int>?[Count];
        var children = new Future<int>?[Count];
        var ran = new int[Count];
        var childRan = new int[Count];
        var callbacks = new int[Count];
        var dispatched = new int[Count];
        var continuations = new int[Count];
        var awaits = new Task?[Count];
        var errors = new ConcurrentQueue<Exception>();
        using var dispatchedAll = new CountdownEvent(Count);
        using var continuedAll = new CountdownEvent(Count);
        try
        {
            var submitter = TestUtil.Start(
                () =>
                {
                    try
                    {
                        for (int i = 0; i < Count; i++)
                        {
                            if (i == Count / 2)
                            {
                                // Whatever the canceller's timing, the later tasks on this token are cancelled at submit.
                                sources[0].Cancel();
                            }

                            int n = i;
                            Future<int> future;
                            if (n % 3 == 0)
                            {
                                // Cancellable: cancelled before it starts, while it runs (observed or not), or never.
                                future = executor.Submit(
                                    ct =>
                                    {
                                        Interlocked.Increment(ref ran[n]);
                                        if (n % 2 == 0)
                                        {
                                            ct.ThrowIfCancellationRequested();
                                        }

                                        return n;
                                    },
                                    sources[n % Sources].Token);
                            }
                            else if (n % 7 == 1)
                            {
                                // A task that waits for a task of its own executor: run inline when still queued.
                                future = executor.Submit(() =>
                                {
                                    Interlocked.Increment(ref ran[n]);
                                    var child = executor.Submit(() =>
                                    {
                                        Interlocked.Increment(ref childRan[n]);
                                        return n;
                                    });
                                    Volatile.Write(ref children[n], child);
                                    return child.Result(TestUtil.Timeout);
                                });
                            }
                            else
                            {
                                future = executor.Submit(() =>
                                {
                                    Interlocked.Increment(ref ran[n]);
                                    return n;
                                });
                            }

                            Volatile.Write(ref futures[n], future);
                            future.AddDoneCallback(_ => Interlocked.Increment(ref callbacks[n]));
                            future.AddDoneCallback(
                                _ =>
                                {
                                    Interlocked.Increment(ref dispatched[n]);
                                    dispatchedAll.Signal();
                                },
                                callbackExecutor);
                            awaits[n] = AwaitAndCount(future, continuations, n, continuedAll);
                        }
                    }
                    catch (Exception ex)
                    {
                        errors.Enqueue(ex);
                    }
                },
                "stress submitter");

            var canceller = TestUtil.Start(
                () =>
                {
                    var random = new Random(777);
                    foreach (int k in Enumerable.Range(0, Sources).OrderBy(_ => random.Next()))
                    {
                        for (int spin = random.Next(20_000); spin > 0; spin--)
                        {
                            Thread.SpinWait(10);
                        }

                        sources[k].Cancel();
                    }
                },
                "stress canceller");

            // Watchdog: every wait below is bounded, so a lost wake-up or a deadlock fails instead of hanging.
            Assert.True(submitter.Join(TestUtil.Timeout), "the submitter hung");
            Assert.True(canceller.Join(TestUtil.Timeout), "the canceller hung");
            Assert.Empty(errors);
            TestUtil.WaitOrFail(continuedAll, "the await continuations");
            TestUtil.WaitOrFail(dispatchedAll, "the dispatched callbacks");
            TestUtil.ShutdownOrFail(executor);
            TestUtil.ShutdownOrFail(callbackExecutor);

            int cancelled = 0;
            for (int i = 0; i < Count; i++)
            {
                var future = futures[i]!;
                Assert.True(future.IsDone, $"future {i} is not done");
                Assert.Equal(1, callbacks[i]);
                Assert.Equal(1, dispatched[i]);
                Assert.Equal(1, continuations[i]);
                Assert.InRange(ran[i], 0, 1);
                if (future.IsCancelled)
                {
                    cancelled++;
                    Assert.Equal(0, i % 3);
                }
                else
                {
                    Assert.Equal(1, ran[i]);
                    Assert.Equal(i, future.Result(TimeSpan.Zero));
                }

                if (children[i] is { } child)
                {
                    Assert.Equal(1, childRan[i]);
                    Assert.Equal(i, child.Result(TimeSpan.Zero));
                }
            }

            Assert.True(cancelled > 0, "no token cancelled anything; the stress did not exercise cancellation");
            Assert.True(executor.AllWorkersExited && callbackExecutor.AllWorkersExited, "a worker thread leaked");
            Assert.InRange(executor.WorkerCount, 1, executor.MaxWorkers);
            Assert.Equal(1, callbackExecutor.WorkerCount);
        }
        finally
        {
            foreach (var source in sources)
            {
                source.Cancel();
            }

            TestUtil.ShutdownOrFail(executor);
            TestUtil.ShutdownOrFail(callbackExecutor);
            foreach (var source in sources)
            {
                source.Dispose();
            }
        }
    }

    private static async Task AwaitAndCount(Future<int> future, int[] continuations, int index, CountdownEvent continued)
    {
        try
        {
            await future;
        }
        catch (OperationCanceledException)
        {
        }

        Interlocked.Increment(ref continuations[index]);
        continued.Signal();
    }

    /// <summary>The exception the stress tasks throw.</summary>
    private sealed class StressTaskException(int index) : Exception($"task {index}")
    {
        public int Index { get; } = index;
    }

    /// <summary>The exception the stress callbacks throw.</summary>
    private sealed class StressCallbackException(int index) : Exception($"callback {index}")
    {
        public int Index { get; } = index;
    }
}
