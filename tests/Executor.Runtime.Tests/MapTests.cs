using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary><see cref="ThreadPoolExecutor.Map"/>: input order, timeout, exceptions and cancellation on abandonment.</summary>
public class MapTests
{
    [Fact]
    public void YieldsInInputOrderEvenWhenLaterItemsFinishFirst()
    {
        var executor = new ThreadPoolExecutor(4);
        var gates = Enumerable.Range(0, 4).Select(_ => new ManualResetEventSlim()).ToArray();
        var finishOrder = new ConcurrentQueue<int>();
        try
        {
            var results = executor.Map(
                i =>
                {
                    TestUtil.Block(gates[i]);
                    finishOrder.Enqueue(i);
                    return i * 10;
                },
                new[] { 0, 1, 2, 3 });

            // Finish them in reverse order, each only after the previous one finished.
            for (int i = 3; i >= 0; i--)
            {
                gates[i].Set();
                int expected = 4 - i;
                TestUtil.SpinUntil(() => finishOrder.Count == expected, $"item {i} finished");
            }

            Assert.Equal(new[] { 3, 2, 1, 0 }, finishOrder);
            Assert.Equal(new[] { 0, 10, 20, 30 }, results.ToList());
        }
        finally
        {
            foreach (var gate in gates)
            {
                gate.Set();
            }

            TestUtil.ShutdownOrFail(executor);
            foreach (var gate in gates)
            {
                gate.Dispose();
            }
        }
    }

    [Fact]
    public void ManyItemsComeBackInOrder()
    {
        var executor = new ThreadPoolExecutor(4);
        try
        {
            var input = Enumerable.Range(0, 500).ToList();
            var output = executor.Map(x => x * x, input, TestUtil.Timeout).ToList();
            Assert.Equal(input.Select(x => x * x), output);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void AllItemsAreSubmittedAtTheCall()
    {
        var executor = new ThreadPoolExecutor(2);
        using var allRan = new CountdownEvent(3);
        try
        {
            // Never enumerated: the work still runs, like Python's map.
            _ = executor.Map(x => { allRan.Signal(); return x; }, new[] { 1, 2, 3 });
            TestUtil.WaitOrFail(allRan, "all items to run without enumeration");
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void TimeoutCountsFromTheCall()
    {
        var executor = new ThreadPoolExecutor(2);
        using var gate = new ManualResetEventSlim();
        try
        {
            var results = executor.Map(x => { TestUtil.Block(gate); return x; }, new[] { 1, 2 }, TimeSpan.FromMilliseconds(2000));

            // Let the whole timeout pass before enumerating.
            Thread.Sleep(2300);

            // The deadline has passed, so the first item times out at once. Were the timeout counted from enumeration,
            // the wait would still be running when this opens the gate, and the first result would be yielded.
            var opener = TestUtil.Start(() =>
            {
                Thread.Sleep(1500);
                gate.Set();
            });
            Assert.Throws<TimeoutException>(() => results.First());
            Assert.True(opener.Join(TestUtil.Timeout));
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void TimeoutYieldsWhatIsReadyThenThrows()
    {
        var executor = new ThreadPoolExecutor(2);
        using var gate = new ManualResetEventSlim();
        try
        {
            var results = executor.Map(x => { if (x == 2) { TestUtil.Block(gate); } return x; }, new[] { 1, 2 }, TimeSpan.FromSeconds(2));
            var got = new List<int>();
            Assert.Throws<TimeoutException>(() =>
            {
                foreach (int r in results)
                {
                    got.Add(r);
                }
            });
            Assert.Equal(new[] { 1 }, got);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void TimeoutCancelsTheItemsThatHaveNotStarted()
    {
        // One worker, held by unrelated work: every mapped item is still queued when the timeout hits.
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        var ran = new ConcurrentQueue<int>();
        try
        {
            var blocker = executor.Submit(() => TestUtil.Block(gate));
            var results = executor.Map(x => { ran.Enqueue(x); return x; }, new[] { 0, 1, 2 }, TimeSpan.FromMilliseconds(100));
            Assert.Throws<TimeoutException>(() => results.ToList());

            gate.Set();
            blocker.Result(TestUtil.Timeout);
            TestUtil.ShutdownOrFail(executor);

            // Including the item whose wait timed out: it had not started either.
            Assert.Empty(ran);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void TaskExceptionSurfacesOnlyWhenItsItemIsReached()
    {
        var executor = new ThreadPoolExecutor(2);
        try
        {
            var results = executor.Map(x => x == 2 ? throw new MapItemException(x) : x, new[] { 0, 1, 2, 3 });
            var got = new List<int>();
            var ex = Assert.Throws<MapItemException>(() =>
            {
                foreach (int r in results)
                {
                    got.Add(r);
                }
            });
            Assert.Equal(2, ex.Item);
            Assert.Equal(new[] { 0, 1 }, got);
        }
        finally
        {
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void AbandoningTheEnumerationCancelsItemsThatHaveNotStarted()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        using var secondStarted = new ManualResetEventSlim();
        var ran = new ConcurrentQueue<int>();
        try
        {
            var results = executor.Map(
                x =>
                {
                    ran.Enqueue(x);
                    if (x == 1)
                    {
                        secondStarted.Set();
                        TestUtil.Block(gate);
                    }

                    return x;
                },
                Enumerable.Range(0, 6));

            foreach (int r in results)
            {
                Assert.Equal(0, r);

                // Item 1 now runs (and cannot be cancelled); items 2..5 wait behind it on the single worker.
                TestUtil.WaitOrFail(secondStarted, "item 1 to start");
                break;
            }

            gate.Set();
            TestUtil.ShutdownOrFail(executor);

            // The function never ran for the items cancelled by the break.
            Assert.Equal(new[] { 0, 1 }, ran);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void ATaskExceptionCancelsTheItemsAfterIt()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        var ran = new ConcurrentQueue<int>();
        try
        {
            var results = executor.Map(
                x =>
                {
                    ran.Enqueue(x);
                    if (x == 1)
                    {
                        throw new MapItemException(x);
                    }

                    if (x == 2)
                    {
                        TestUtil.Block(gate);
                    }

                    return x;
                },
                Enumerable.Range(0, 6));

            Assert.Throws<MapItemException>(() => results.ToList());
            gate.Set();
            TestUtil.ShutdownOrFail(executor);

            // Item 2 may or may not have started when item 1's exception was seen; items 3..5 never did.
            Assert.DoesNotContain(3, ran);
            Assert.DoesNotContain(4, ran);
            Assert.DoesNotContain(5, ran);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }
    }

    [Fact]
    public void InvalidArgumentsThrowAtTheCall()
    {
        using var executor = new ThreadPoolExecutor(1);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => executor.Map<int, int>(null!, new[] { 1 })).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => executor.Map<int, int>(x => x, null!)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => executor.Map<int, int>(x => x, new[] { 1 }, TimeSpan.FromSeconds(-1))).ParamName);
        Assert.Equal(0, executor.WorkerCount);
    }

    [Fact]
    public void SourceThatThrowsCancelsWhatWasSubmitted()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        var ran = new ConcurrentQueue<int>();
        try
        {
            var blocker = executor.Submit(() => TestUtil.Block(gate));
            Assert.Throws<FormatException>(() => executor.Map(x => { ran.Enqueue(x); return x; }, FailingSource()));
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
            Assert.Empty(ran);
        }
        finally
        {
            gate.Set();
            TestUtil.ShutdownOrFail(executor);
        }

        static IEnumerable<int> FailingSource()
        {
            yield return 1;
            yield return 2;
            throw new FormatException("source failed");
        }
    }

    /// <summary>An exception a mapped item throws.</summary>
    private sealed class MapItemException(int item) : Exception($"item {item}")
    {
        public int Item { get; } = item;
    }
}
