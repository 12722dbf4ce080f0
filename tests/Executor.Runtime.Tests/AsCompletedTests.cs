using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary><see cref="Futures.AsCompleted"/>: order, timeouts and argument checks.</summary>
public class AsCompletedTests
{
    [Fact]
    public void YieldsFinishedFuturesFirstThenInCompletionOrder()
    {
        var done1 = new Future<int>();
        done1.SetResult(1);
        var done2 = new Future<int>();
        done2.Cancel();
        var late1 = new Future<int>();
        var late2 = new Future<int>();
        var late3 = new Future<int>();

        var yielded = new List<Future>();
        using var enumerator = Futures.AsCompleted(new Future[] { late1, done1, late2, done2, late3 }, TestUtil.Timeout).GetEnumerator();

        // The already-done futures come first, before anything else completes.
        Assert.True(enumerator.MoveNext());
        yielded.Add(enumerator.Current);
        Assert.True(enumerator.MoveNext());
        yielded.Add(enumerator.Current);
        Assert.Equal(new HashSet<Future> { done1, done2 }, new HashSet<Future>(yielded));

        // Then strictly in the order the test completes them, each completed only once the previous one was seen.
        foreach (var next in new Future<int>[] { late2, late3, late1 })
        {
            var completer = TestUtil.Start(() =>
            {
                Thread.Sleep(20);
                next.SetResult(0);
            });
            Assert.True(enumerator.MoveNext());
            Assert.Same(next, enumerator.Current);
            Assert.True(completer.Join(TestUtil.Timeout));
        }

        Assert.False(enumerator.MoveNext());
    }

    [Fact]
    public void YieldsSubmittedTasksInCompletionOrder()
    {
        var executor = new ThreadPoolExecutor(3);
        var gates = Enumerable.Range(0, 3).Select(_ => new ManualResetEventSlim()).ToArray();
        try
        {
            var futures = gates.Select(g => executor.Submit(() => TestUtil.Block(g))).ToArray();
            var order = new[] { 2, 0, 1 };
            var yielded = new List<Future>();
            int seen = 0;
            var opener = TestUtil.Start(() =>
            {
                for (int k = 0; k < order.Length; k++)
                {
                    gates[order[k]].Set();

                    // Open the next gate only after this future was yielded, so the completion order is fixed.
                    if (!SpinWait.SpinUntil(() => Volatile.Read(ref seen) > k, TestUtil.Timeout))
                    {
                        return;
                    }
                }
            });

            foreach (var future in Futures.AsCompleted(futures, TestUtil.Timeout))
            {
                yielded.Add(future);
                Interlocked.Increment(ref seen);
            }

            Assert.True(opener.Join(TestUtil.Timeout));
            Assert.Equal(order.Select(i => (Future)futures[i]), yielded);
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
    public void TimeoutThrowsNamingTheUnfinishedCount()
    {
        var done = new Future<int>();
        done.SetResult(1);
        var pending1 = new Future<int>();
        var pending2 = new Future<int>();

        var yielded = new List<Future>();
        var ex = Assert.Throws<TimeoutException>(() =>
        {
            foreach (var future in Futures.AsCompleted(new Future[] { pending1, done, pending2 }, TimeSpan.FromMilliseconds(100)))
            {
                yielded.Add(future);
            }
        });
        Assert.Contains("2 (of 3) futures unfinished", ex.Message, StringComparison.Ordinal);

        // The finished one was still yielded before the timeout.
        Assert.Equal(new Future[] { done }, yielded);
    }

    [Fact]
    public void TimeoutCountsFromTheCallNotFromEnumeration()
    {
        var pending = new Future<int>();
        var done = new Future<int>();
        done.SetResult(0);
        var sequence = Futures.AsCompleted(new Future[] { done, pending }, TimeSpan.FromMilliseconds(2000));

        // Let the whole timeout pass before enumerating.
        Thread.Sleep(2300);
        using var enumerator = sequence.GetEnumerator();
        Assert.True(enumerator.MoveNext());
        Assert.Same(done, enumerator.Current);

        // The deadline has passed, so the pending future times out at once. Were the timeout counted from the start of
        // enumeration, MoveNext would still be waiting when this completes the future, and would yield it instead.
        var completer = TestUtil.Start(() =>
        {
            Thread.Sleep(1500);
            pending.SetResult(1);
        });
        var ex = Assert.Throws<TimeoutException>(() => enumerator.MoveNext());
        Assert.Contains("1 (of 2) futures unfinished", ex.Message, StringComparison.Ordinal);
        Assert.True(completer.Join(TestUtil.Timeout));
    }

    [Fact]
    public void DuplicatesAreYieldedOnce()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        a.SetResult(1);
        b.SetResult(2);
        var yielded = Futures.AsCompleted(new Future[] { a, b, a, a, b }).ToList();
        Assert.Equal(2, yielded.Count);
        Assert.Equal(new HashSet<Future> { a, b }, new HashSet<Future>(yielded));
    }

    [Fact]
    public void InvalidArgumentsThrowAtTheCall()
    {
        var ok = new Future<int>();

        // Not deferred to enumeration.
        Assert.Equal("futures", Assert.Throws<ArgumentNullException>(() => Futures.AsCompleted(null!)).ParamName);
        Assert.Equal("futures", Assert.Throws<ArgumentNullException>(() => Futures.AsCompleted(new Future[] { ok, null! })).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => Futures.AsCompleted(new Future[] { ok }, TimeSpan.FromMilliseconds(-5))).ParamName);
    }

    [Fact]
    public void EmptyInputYieldsNothing()
    {
        Assert.Empty(Futures.AsCompleted(Array.Empty<Future>(), TimeSpan.Zero));
    }

    [Fact]
    public void AbandonedEnumerationDoesNotBreakLaterCompletion()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        a.SetResult(1);
        foreach (var future in Futures.AsCompleted(new Future[] { a, b }, TestUtil.Timeout))
        {
            Assert.Same(a, future);
            break;
        }

        b.SetResult(2);
        Assert.Equal(2, Futures.AsCompleted(new Future[] { a, b }, TestUtil.Timeout).Count());
    }
}
