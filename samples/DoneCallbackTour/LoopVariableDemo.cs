using System;
using System.Collections.Generic;
using System.Linq;
using Executor;

namespace DoneCallbackTour;

/// <summary>
/// Part 6: a <c>for</c> loop hands its variable, not its value, to the pool. The tasks read <c>i</c> when they run,
/// after the loop's <c>i++</c> may have moved on, so they can square a later value (even 4, one past the last index).
/// Analyzer rule EXEC003 warns at the racy read, and only there; its code fix copies i before the hand-off, like the
/// second loop does.
/// </summary>
internal static class LoopVariableDemo
{
    public static void Run()
    {
        Console.WriteLine("== Part 6: a for variable captured by submitted tasks ==");
        using var pool = new ThreadPoolExecutor(maxWorkers: 2);

        var captured = new List<Future<int>>();
        for (int i = 0; i < 4; i++)
        {
            captured.Add(pool.Submit(() => Square(i)));
        }

        var copied = new List<Future<int>>();
        for (int i = 0; i < 4; i++)
        {
            int n = i;
            copied.Add(pool.Submit(() => Square(n)));
        }

        Console.WriteLine("captured i: " + string.Join(", ", captured.Select(f => f.Result())) + " (timing-dependent: later values, up to 16)");
        Console.WriteLine("copied i:   " + string.Join(", ", copied.Select(f => f.Result())));
    }

    private static int Square(int x) => x * x;
}
