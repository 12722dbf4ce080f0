using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Executor;

/// <summary>
/// The <c>Executor</c> meter (<see cref="System.Diagnostics.Metrics"/>): watch it with
/// <c>dotnet-counters monitor --counters Executor -p PID</c> or any <see cref="MeterListener"/> / OpenTelemetry
/// exporter. Every measurement is tagged <c>executor.name</c> with the executor's thread-name prefix. When nothing
/// listens, an instrument costs a field read per event and allocates nothing.
/// </summary>
internal static class ExecutorMetrics
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "Executor";

    /// <summary>The tag that names the executor (its thread-name prefix).</summary>
    public const string ExecutorTag = "executor.name";

    public static readonly Meter Meter = new(MeterName, typeof(ExecutorMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> Submitted = Meter.CreateCounter<long>(
        "executor.tasks.submitted", "{task}", "Tasks accepted by Submit or Map (done callbacks dispatched to an executor included).");

    public static readonly Counter<long> Completed = Meter.CreateCounter<long>(
        "executor.tasks.completed", "{task}", "Tasks that ran to the end, successfully or not (executor.tasks.failed counts those that threw).");

    public static readonly Counter<long> Failed = Meter.CreateCounter<long>(
        "executor.tasks.failed", "{task}", "Tasks whose operation threw an exception (also counted as completed).");

    public static readonly Counter<long> Cancelled = Meter.CreateCounter<long>(
        "executor.tasks.cancelled", "{task}", "Tasks cancelled before they started, or whose operation observed its cancellation token.");

    public static readonly Counter<long> CallbackFailures = Meter.CreateCounter<long>(
        "executor.callbacks.failed", "{callback}", "Done callbacks that threw or could not be dispatched (reported through Futures.CallbackFailed).");

    public static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>(
        "executor.queue.wait_time", "s", "Time from Submit until a worker (or an inline wait) started the task.");

    static ExecutorMetrics()
    {
        Meter.CreateObservableUpDownCounter("executor.queue.length", () => Observe(static c => c.QueueLength), "{task}", "Tasks queued and not yet taken by a worker.");
        Meter.CreateObservableUpDownCounter("executor.workers.active", () => Observe(static c => c.ActiveWorkerCount), "{thread}", "Worker threads running a task or a callback.");
        Meter.CreateObservableUpDownCounter("executor.workers.idle", () => Observe(static c => c.IdleWorkerCount), "{thread}", "Worker threads waiting for work.");
    }

    /// <summary>Records the outcome of a task of <paramref name="core"/>.</summary>
    public static void RecordOutcome(ThreadPoolExecutor.Core core, FutureStatus status)
    {
        switch (status)
        {
            case FutureStatus.Succeeded:
                Add(Completed, core);
                break;
            case FutureStatus.Faulted:
                Add(Completed, core);
                Add(Failed, core);
                break;
            case FutureStatus.Cancelled:
                Add(Cancelled, core);
                break;
        }
    }

    public static void Add(Counter<long> counter, ThreadPoolExecutor.Core? core)
    {
        if (counter.Enabled)
        {
            if (core is null)
            {
                counter.Add(1);
            }
            else
            {
                counter.Add(1, core.Tag);
            }
        }
    }

    /// <summary>Records the queue wait of a task enqueued at <paramref name="enqueuedAt"/> (a <see cref="Stopwatch"/> timestamp; 0 when nobody listened then).</summary>
    public static void RecordQueueWait(ThreadPoolExecutor.Core core, long enqueuedAt)
    {
        if (enqueuedAt != 0 && QueueWait.Enabled)
        {
            QueueWait.Record((Stopwatch.GetTimestamp() - enqueuedAt) / (double)Stopwatch.Frequency, core.Tag);
        }
    }

    private static IEnumerable<Measurement<int>> Observe(System.Func<ThreadPoolExecutor.Core, int> read)
    {
        foreach (var core in ThreadPoolExecutor.Core.Live)
        {
            yield return new Measurement<int>(read(core), core.Tag);
        }
    }
}
