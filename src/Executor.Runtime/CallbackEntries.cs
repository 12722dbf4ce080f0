using System;
using System.Threading;
using System.Threading.Tasks;

namespace Executor;

/// <summary>A done-callback entry that is not a plain user delegate.</summary>
internal abstract class CallbackEntry
{
    public abstract void Invoke(Future future);
}

/// <summary>A user callback to submit to an executor when the future is done.</summary>
internal sealed class ExecutorCallback(Delegate callback, ThreadPoolExecutor executor) : CallbackEntry
{
    public override void Invoke(Future future) => executor.DispatchCallback(callback, future);
}

/// <summary>Completes a task when the future is done (<see cref="Future.AsTask"/>).</summary>
internal sealed class TaskBridge<TResult>() : CallbackEntry
{
    private readonly TaskCompletionSource<TResult> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _source.Task;

    public override void Invoke(Future future) => future.TransferTo(_source);
}

/// <summary>An await continuation with the context it must resume on (a bare <see cref="Action"/> when there is none).</summary>
internal sealed class AwaitContinuation
{
    private static readonly ContextCallback s_runAction = static s => ((Action)s!)();
    private readonly Action _continuation;
    private readonly object? _scheduler;
    private readonly ExecutionContext? _context;

    private AwaitContinuation(Action continuation, object? scheduler, ExecutionContext? context)
    {
        _continuation = continuation;
        _scheduler = scheduler;
        _context = context;
    }

    /// <summary>Captures where the continuation must run: the current synchronization context or non-default task scheduler, if any.</summary>
    public static object Create(Action continuation, bool flowExecutionContext)
    {
        object? scheduler = null;
        var syncContext = SynchronizationContext.Current;
        if (syncContext is not null && syncContext.GetType() != typeof(SynchronizationContext))
        {
            scheduler = syncContext;
        }
        else if (TaskScheduler.Current != TaskScheduler.Default)
        {
            scheduler = TaskScheduler.Current;
        }

        var context = flowExecutionContext ? ExecutionContext.Capture() : null;
        return scheduler is null && context is null ? continuation : new AwaitContinuation(continuation, scheduler, context);
    }

    public void Dispatch()
    {
        switch (_scheduler)
        {
            case SynchronizationContext syncContext:
                syncContext.Post(static s => ((AwaitContinuation)s!).RunHere(), this);
                break;
            case TaskScheduler scheduler:
                System.Threading.Tasks.Task.Factory.StartNew(static s => ((AwaitContinuation)s!).RunHere(), this, CancellationToken.None, TaskCreationOptions.None, scheduler);
                break;
            default:
                ThreadPool.UnsafeQueueUserWorkItem(static s => ((AwaitContinuation)s!).RunHere(), this);
                break;
        }
    }

    private void RunHere()
    {
        if (_context is null)
        {
            _continuation();
        }
        else
        {
            ExecutionContext.Run(_context, s_runAction, _continuation);
        }
    }
}
