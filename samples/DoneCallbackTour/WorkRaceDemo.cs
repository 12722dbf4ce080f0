using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace DoneCallbackTour;

/// <summary>
/// Part 5: work itself races too. A <c>Parallel.For</c> body runs on several threads at once, so adding to a shared
/// field from it loses updates exactly like the callbacks of part 4. <see cref="RunRacy"/> does (and EXEC002 says so
/// when this sample is built); <see cref="RunThreadLocal"/> keeps a subtotal per thread and merges it once per thread.
/// </summary>
internal sealed class WorkRaceDemo
{
    private const int Items = 400_000;

    private long _racyTotal;

    public static void Run()
    {
        Console.WriteLine($"== Part 5: Parallel.For over {Items:N0} items, each adds 1 to a shared long ==");
        var demo = new WorkRaceDemo();

        var stopwatch = Stopwatch.StartNew();
        long racy = demo.RunRacy();
        Console.WriteLine($"work without a lock: expected {Items:N0}, actual {racy:N0}, lost updates {Items - racy:N0} ({stopwatch.ElapsedMilliseconds} ms)");

        stopwatch.Restart();
        long local = RunThreadLocal();
        Console.WriteLine($"thread-local sums:   expected {Items:N0}, actual {local:N0}, lost updates {Items - local:N0} ({stopwatch.ElapsedMilliseconds} ms)");
    }

    /// <summary>
    /// RACY ON PURPOSE: every iteration reads <c>_racyTotal</c>, calls <see cref="Weight"/>, and writes the sum back,
    /// on whichever thread <c>Parallel.For</c> runs it; what other iterations add in between is overwritten. EXEC002
    /// reports the write below (the other side: another run of the same body).
    /// </summary>
    /// <returns>The final total, usually below <see cref="Items"/> on a machine with more than one core.</returns>
    public long RunRacy()
    {
        Parallel.For(0, Items, i =>
        {
            _racyTotal += Weight(i); // EXEC002: unsynchronized read-modify-write from a parallel loop body.
        });

        // Parallel.For returns after every iteration has run: reading the total here is ordered after them.
        return _racyTotal;
    }

    /// <summary>The idiomatic fix: a subtotal per thread (no sharing in the body), merged with one atomic add per thread.</summary>
    /// <returns>The final total, always <see cref="Items"/>.</returns>
    public static long RunThreadLocal()
    {
        long total = 0;
        Parallel.For(0, Items, () => 0L, (i, _, subtotal) => subtotal + Weight(i), subtotal => Interlocked.Add(ref total, subtotal));
        return total;
    }

    /// <summary>Stands for the work an iteration does between reading the total and writing it back.</summary>
    private static long Weight(int item)
    {
        Thread.SpinWait(1);
        return item >= 0 ? 1 : 0;
    }
}
