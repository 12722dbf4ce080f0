using System;
using System.Threading;
using Executor;

namespace DoneCallbackTour;

/// <summary>
/// Which thread runs a done callback? A C# replay of the three experiments of the Python tutorial
/// "ThreadPoolExecutor Thread That Runs Done Callback Functions", plus a fourth part on what that means for shared state.
/// </summary>
/// <remarks>
/// Parts 1-3 keep their callbacks free of shared state: a callback only reads its future's result, reads
/// <see cref="Thread.CurrentThread"/> and writes to the console, so analyzer rule EXEC001 has nothing to report.
/// Part 4 (<see cref="RacyCounterDemo"/>) races on purpose and is the only place EXEC001 warns about; part 5
/// (<see cref="WorkRaceDemo"/>) races the same way in a parallel loop body, the one place EXEC002 warns about.
/// Part 6 (<see cref="LoopVariableDemo"/>) captures a <c>for</c> variable on purpose: the only place EXEC003 warns about.
/// </remarks>
internal static class Program
{
    private static void Main()
    {
        // .NET leaves the main thread unnamed; name it like Python's so part 3 reads the same.
        Thread.CurrentThread.Name ??= "MainThread";

        OneTaskOneCallback();
        ManyTasksWithCallbacks();
        CallbackAddedAfterDone();
        RacyCounterDemo.Run();
        Console.WriteLine();
        WorkRaceDemo.Run();
        Console.WriteLine();
        LoopVariableDemo.Run();
    }

    /// <summary>Part 1: the worker that runs the task also runs its done callback.</summary>
    private static void OneTaskOneCallback()
    {
        Console.WriteLine("== Part 1: one task with a done callback ==");
        using (var executor = new ThreadPoolExecutor())
        {
            var future = executor.Submit(() =>
            {
                Thread.Sleep(200);
                Console.WriteLine($"Task: {Describe(Thread.CurrentThread)}");
            });
            future.AddDoneCallback(_ => Console.WriteLine($"Callback: {Describe(Thread.CurrentThread)}"));
        }

        // Dispose = Shutdown(wait: true): the task and its callback have run here.
        Console.WriteLine();
    }

    /// <summary>Part 2: 4 workers, 16 queued tasks; each callback still runs on the worker that ran its task.</summary>
    private static void ManyTasksWithCallbacks()
    {
        Console.WriteLine("== Part 2: 4 workers, 16 tasks, each with a done callback ==");
        using (var executor = new ThreadPoolExecutor(maxWorkers: 4))
        {
            for (int i = 0; i < 16; i++)
            {
                var future = executor.Submit(() =>
                {
                    Thread.Sleep(100);
                    return Thread.CurrentThread.Name ?? string.Empty;
                });
                future.AddDoneCallback(f =>
                {
                    string name = f.Result();
                    string callbackThread = Thread.CurrentThread.Name ?? string.Empty;
                    bool different = name != callbackThread;
                    Console.WriteLine($"task: {name}, callback {callbackThread}, different: {different}");
                });
            }
        }

        Console.WriteLine();
    }

    /// <summary>Part 3: a callback added after the task is done runs at once on the thread that adds it.</summary>
    private static void CallbackAddedAfterDone()
    {
        Console.WriteLine("== Part 3: a done callback added after the task completed ==");
        using (var executor = new ThreadPoolExecutor())
        {
            var future = executor.Submit(() =>
            {
                Thread.Sleep(100);
                Console.WriteLine($"Task: {Describe(Thread.CurrentThread)}");
            });

            // Wait long enough for the task to be done entirely (the tutorial sleeps too) ...
            Thread.Sleep(300);

            // ... and make sure of it, so the demo never depends on timing: Result() returns at once when done.
            future.Result();
            Console.WriteLine($"IsDone before AddDoneCallback: {future.IsDone}");
            future.AddDoneCallback(_ => Console.WriteLine($"Callback: {Describe(Thread.CurrentThread)}"));
        }

        Console.WriteLine();
    }

    /// <summary>Formats a thread like Python's <c>repr(Thread)</c>: name and managed id.</summary>
    internal static string Describe(Thread thread) =>
        $"<Thread({thread.Name ?? "<unnamed>"}, managed id {thread.ManagedThreadId})>";
}
