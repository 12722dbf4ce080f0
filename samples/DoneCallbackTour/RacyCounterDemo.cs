using System;
using System.Diagnostics;
using System.Threading;
using Executor;

namespace DoneCallbackTour;

/// <summary>
/// Part 4: done callbacks of different tasks run at the same time on different workers, so a callback that
/// updates shared state must synchronize. <see cref="RunRacy"/> does not (and EXEC001 says so when this sample is
/// built); <see cref="RunLocked"/> is the same code with a lock.
/// </summary>
internal sealed class RacyCounterDemo
{
    private const int Workers = 8;
    private const int Tasks = 16;
    private const int IncrementsPerCallback = 100_000;
    private const int Expected = Tasks * IncrementsPerCallback;

    private readonly object _gate = new();
    private int _racyCount;
    private int _lockedCount;

    public static void Run()
    {
        Console.WriteLine($"== Part 4: {Tasks} tasks on {Workers} workers, each done callback adds 1 to a shared int {IncrementsPerCallback:N0} times ==");
        var demo = new RacyCounterDemo();

        var stopwatch = Stopwatch.StartNew();
        int racy = demo.RunRacy();
        Console.WriteLine($"without a lock: expected {Expected:N0}, actual {racy:N0}, lost updates {Expected - racy:N0} ({stopwatch.ElapsedMilliseconds} ms)");

        stopwatch.Restart();
        int locked = demo.RunLocked();
        Console.WriteLine($"with a lock:    expected {Expected:N0}, actual {locked:N0}, lost updates {Expected - locked:N0} ({stopwatch.ElapsedMilliseconds} ms)");
    }

    /// <summary>
    /// RACY ON PURPOSE: every done callback runs <c>_racyCount += NextIncrement()</c> on whichever worker completed
    /// its task, concurrently with the other workers' callbacks and without a lock. C# reads <c>_racyCount</c>
    /// first, then calls <see cref="NextIncrement"/>, then writes the sum back, so whatever other callbacks add in
    /// between is overwritten: updates are lost. (A bare <c>_racyCount++</c> has the same bug with a window of a few
    /// instructions; the small amount of work in <see cref="NextIncrement"/> widens it so the loss shows on every
    /// run, even on a busy two-core machine.) EXEC001 reports the write below; this is the one deliberate warning
    /// of the sample.
    /// </summary>
    /// <returns>The final count, below <see cref="Expected"/>.</returns>
    public int RunRacy()
    {
        using var start = new ManualResetEventSlim(false);
        using (var executor = new ThreadPoolExecutor(Workers))
        {
            for (int t = 0; t < Tasks; t++)
            {
                // The task waits at the start gate, so the callback is registered while the task is pending and
                // runs on a worker (not here), at the same time as the other workers' callbacks.
                var future = executor.Submit(start.Wait);
                future.AddDoneCallback(_ =>
                {
                    for (int i = 0; i < IncrementsPerCallback; i++)
                    {
                        _racyCount += NextIncrement(); // EXEC001: unsynchronized read-modify-write of shared state.
                    }
                });
            }

            start.Set();
        }

        // Dispose = Shutdown(wait: true) joined the workers, so every callback has run.
        return _racyCount;
    }

    /// <summary>The fix: the same callbacks, updating the count only while holding <see cref="_gate"/>; no update is lost.</summary>
    /// <returns>The final count, always <see cref="Expected"/>.</returns>
    public int RunLocked()
    {
        using var start = new ManualResetEventSlim(false);
        using (var executor = new ThreadPoolExecutor(Workers))
        {
            for (int t = 0; t < Tasks; t++)
            {
                var future = executor.Submit(start.Wait);
                future.AddDoneCallback(_ =>
                {
                    for (int i = 0; i < IncrementsPerCallback; i++)
                    {
                        lock (_gate)
                        {
                            _lockedCount += NextIncrement();
                        }
                    }
                });
            }

            start.Set();
        }

        lock (_gate)
        {
            return _lockedCount;
        }
    }

    /// <summary>Stands for the work a real callback does between reading shared state and writing it back (~0.1 µs).</summary>
    private static int NextIncrement()
    {
        Thread.SpinWait(1);
        return 1;
    }
}
