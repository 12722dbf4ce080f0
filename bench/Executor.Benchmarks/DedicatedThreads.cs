using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace Executor.Benchmarks;

/// <summary>
/// The hand-rolled baseline: N dedicated threads take TaskCompletionSources from a shared BlockingCollection, run
/// the work stored as the source's state, and complete the source (running ExecuteSynchronously continuations on
/// that thread, as our executor runs done callbacks on the worker).
/// </summary>
internal static class DedicatedThreads
{
    public static (BlockingCollection<TaskCompletionSource> Queue, Thread[] Threads) Start(int count)
    {
        var queue = new BlockingCollection<TaskCompletionSource>(new ConcurrentQueue<TaskCompletionSource>());
        var threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            threads[i] = new Thread(() => Loop(queue)) { IsBackground = true, Name = $"Dedicated_{i}" };
            threads[i].Start();
        }

        return (queue, threads);
    }

    public static void Stop(BlockingCollection<TaskCompletionSource> queue, Thread[] threads)
    {
        queue.CompleteAdding();
        foreach (var thread in threads)
        {
            thread.Join();
        }

        queue.Dispose();
    }

    private static void Loop(BlockingCollection<TaskCompletionSource> queue)
    {
        foreach (var source in queue.GetConsumingEnumerable())
        {
            try
            {
                ((Action)source.Task.AsyncState!)();
                source.SetResult();
            }
            catch (Exception ex)
            {
                source.SetException(ex);
            }
        }
    }
}
