using System;
using System.Threading;
using Executor;

namespace Executor.Runtime.ExitProbe;

/// <summary>
/// A child process for the runtime's process-exit tests: it leaves work (or idle workers) behind in an executor and
/// returns from <c>Main</c> without calling <c>Shutdown</c> or <c>Dispose</c>.
/// </summary>
internal static class Program
{
    /// <summary>The number of tasks the <c>pending</c> mode submits.</summary>
    private const int TaskCount = 4;

    private static int Main(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "pending";
        switch (mode)
        {
            case "pending":
                return Pending();
            case "idle":
                return Idle();
            default:
                Console.Error.WriteLine($"unknown mode '{mode}'");
                return 2;
        }
    }

    /// <summary>
    /// Submits tasks that finish after <c>Main</c> has returned (more tasks than workers, so some are still queued),
    /// each with a done callback, and returns without shutting the executor down.
    /// </summary>
    private static int Pending()
    {
        var executor = new ThreadPoolExecutor(maxWorkers: 2);
        var mainReturning = new ManualResetEventSlim();
        for (int i = 0; i < TaskCount; i++)
        {
            int n = i;
            var future = executor.Submit(() =>
            {
                // Finish only after Main has printed its last line and is returning.
                mainReturning.Wait();
                Thread.Sleep(200);
                Console.WriteLine($"task {n} done");
                return n;
            });
            future.AddDoneCallback(f => Console.WriteLine($"callback {n} result {f.Result()}"));
        }

        Console.WriteLine("main returning");
        mainReturning.Set();
        return 0;
    }

    /// <summary>Starts workers, lets every task finish so the workers are idle, and returns without shutdown.</summary>
    private static int Idle()
    {
        var executor = new ThreadPoolExecutor(maxWorkers: 3);
        using var allStarted = new CountdownEvent(3);
        var futures = new Future<int>[3];
        for (int i = 0; i < futures.Length; i++)
        {
            int n = i;
            futures[i] = executor.Submit(() =>
            {
                // Keep each task busy until all three run at once, so three workers are started.
                allStarted.Signal();
                if (!allStarted.Wait(TimeSpan.FromSeconds(30)))
                {
                    throw new TimeoutException("the three tasks did not run concurrently");
                }

                return n;
            });
        }

        int sum = 0;
        foreach (var future in futures)
        {
            sum += future.Result(TimeSpan.FromSeconds(30));
        }

        // Give the workers a moment to go back to waiting for work; the exit must not depend on it either way.
        Thread.Sleep(100);
        Console.WriteLine($"idle main returning sum {sum}");
        return 0;
    }
}
