using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>Helpers that keep every blocking wait in the tests bounded: a hang fails the test instead.</summary>
internal static class TestUtil
{
    /// <summary>The bound on any single wait in a test. Generous: on a correct runtime nothing comes close.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Asserts that <paramref name="evt"/> is set within <see cref="Timeout"/>.</summary>
    public static void WaitOrFail(ManualResetEventSlim evt, string what)
    {
        Assert.True(evt.Wait(Timeout), $"timed out waiting for {what}");
    }

    /// <summary>Asserts that <paramref name="evt"/> reaches zero within <see cref="Timeout"/>.</summary>
    public static void WaitOrFail(CountdownEvent evt, string what)
    {
        Assert.True(evt.Wait(Timeout), $"timed out waiting for {what} ({evt.CurrentCount} left)");
    }

    /// <summary>
    /// Blocks a task running on a worker until the test opens <paramref name="gate"/>. Throws (failing the task's
    /// future) rather than hanging when the gate is never opened.
    /// </summary>
    public static void Block(ManualResetEventSlim gate)
    {
        if (!gate.Wait(Timeout))
        {
            throw new TimeoutException("the test never opened the gate");
        }
    }

    /// <summary>Signals <paramref name="evt"/> and waits until every participant has signalled it; throws on timeout.</summary>
    public static void SignalAndWait(CountdownEvent evt)
    {
        evt.Signal();
        if (!evt.Wait(Timeout))
        {
            throw new TimeoutException("not every participant arrived");
        }
    }

    /// <summary>Asserts that <paramref name="condition"/> becomes true within <see cref="Timeout"/>.</summary>
    public static void SpinUntil(Func<bool> condition, string what)
    {
        Assert.True(SpinWait.SpinUntil(condition, Timeout), $"timed out waiting until {what}");
    }

    /// <summary>
    /// Calls <c>Shutdown(wait: true)</c> on a helper thread and fails the test if it does not return in time, so a
    /// runtime bug that never finishes work cannot hang the suite.
    /// </summary>
    public static void ShutdownOrFail(ThreadPoolExecutor executor, bool cancelFutures = false)
    {
        RunOnNewThread(() => executor.Shutdown(wait: true, cancelFutures: cancelFutures), "Shutdown(wait: true)");
    }

    /// <summary>Runs <paramref name="action"/> on a new thread, waits for it (bounded) and rethrows its exception.</summary>
    /// <returns>The managed thread id of the thread that ran the action.</returns>
    public static int RunOnNewThread(Action action, string what = "the helper thread")
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                error = ex;
            }
        })
        {
            IsBackground = true,
            Name = "test helper",
        };
        thread.Start();
        Assert.True(thread.Join(Timeout), $"{what} did not finish");
        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return thread.ManagedThreadId;
    }

    /// <summary>
    /// Starts <paramref name="action"/> on a new background thread and returns it without waiting. An exception in the
    /// action is captured (never left unhandled, which would kill the test process) and rethrown by
    /// <see cref="HelperThread.Join"/>.
    /// </summary>
    public static HelperThread Start(Action action, string name = "test helper") => new(action, name);

    /// <summary>Gets the managed id of the calling thread.</summary>
    public static int CurrentThreadId => Environment.CurrentManagedThreadId;
}

/// <summary>A background thread started by <see cref="TestUtil.Start"/>.</summary>
internal sealed class HelperThread
{
    private readonly Thread _thread;
    private Exception? _error;

    public HelperThread(Action action, string name)
    {
        _thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                _error = ex;
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        _thread.Start();
    }

    /// <summary>Waits for the thread; returns false on timeout, and rethrows the action's exception once it has finished.</summary>
    public bool Join(TimeSpan timeout)
    {
        if (!_thread.Join(timeout))
        {
            return false;
        }

        if (_error is not null)
        {
            ExceptionDispatchInfo.Throw(_error);
        }

        return true;
    }
}
