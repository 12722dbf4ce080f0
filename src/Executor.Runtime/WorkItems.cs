using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Executor;

/// <content>The work items: the futures <see cref="ThreadPoolExecutor"/> returns, which also carry the work.</content>
public sealed partial class ThreadPoolExecutor
{
    /// <summary>A task with a result. It drops its delegate (and what it captured) once started or cancelled.</summary>
    private abstract class WorkItem<T> : Future<T>
    {
        private readonly Core _owner;
        private long _enqueuedAt;

        protected WorkItem(Core owner)
            : base(lockOnSelf: true)
        {
            _owner = owner;
        }

        internal sealed override Core OwnerCore => _owner;

        internal sealed override void OnEnqueued(long timestamp) => _enqueuedAt = timestamp;

        internal sealed override bool Run(bool onWorker)
        {
            if (!TryStart())
            {
                // Cancelled, or already run inline by a worker that waited for it.
                return false;
            }

            ExecutorMetrics.RecordQueueWait(_owner, _enqueuedAt);
            OnStarted();
            T result;
            FutureStatus outcome;
            bool announced;
            try
            {
                result = Invoke();
            }
            catch (Exception ex)
            {
                lock (Gate)
                {
                    announced = onWorker && HasNoSynchronousCallbacksLocked() && _owner.TryAnnounceIdleEarly();
                    if (IsOwnCancellation(ex))
                    {
                        CancelRunningLocked();
                        outcome = FutureStatus.Cancelled;
                    }
                    else
                    {
                        FinishLocked(ExceptionDispatchInfo.Capture(ex));
                        outcome = FutureStatus.Faulted;
                    }
                }

                Finish(outcome);
                return announced;
            }

            lock (Gate)
            {
                announced = onWorker && HasNoSynchronousCallbacksLocked() && _owner.TryAnnounceIdleEarly();
                SetResultLocked(result);
            }

            Finish(FutureStatus.Succeeded);
            return announced;
        }

        /// <summary>Runs the delegate; implementations clear their fields first, so nothing captured outlives the run.</summary>
        protected abstract T Invoke();

        /// <summary>Drops the delegate and its argument of a task that will never run.</summary>
        protected abstract void ReleaseWork();

        /// <summary>True when <paramref name="exception"/> is the operation observing its own cancellation token.</summary>
        protected virtual bool IsOwnCancellation(Exception exception) => false;

        private protected override void OnCancelled()
        {
            ReleaseWork();
            ExecutorMetrics.RecordOutcome(_owner, FutureStatus.Cancelled);
        }

        private void Finish(FutureStatus outcome)
        {
            ExecutorMetrics.RecordOutcome(_owner, outcome);
            InvokeCallbacks();
        }
    }

    /// <summary>A task without a result; the twin of <see cref="WorkItem{T}"/>.</summary>
    private abstract class VoidWorkItem : Future
    {
        private readonly Core _owner;
        private long _enqueuedAt;

        protected VoidWorkItem(Core owner)
            : base(lockOnSelf: true)
        {
            _owner = owner;
        }

        internal sealed override Core OwnerCore => _owner;

        internal sealed override void OnEnqueued(long timestamp) => _enqueuedAt = timestamp;

        internal sealed override bool Run(bool onWorker)
        {
            if (!TryStart())
            {
                // Cancelled, or already run inline by a worker that waited for it.
                return false;
            }

            ExecutorMetrics.RecordQueueWait(_owner, _enqueuedAt);
            OnStarted();
            ExceptionDispatchInfo? failure = null;
            bool cancelled = false;
            try
            {
                Invoke();
            }
            catch (Exception ex)
            {
                cancelled = IsOwnCancellation(ex);
                failure = cancelled ? null : ExceptionDispatchInfo.Capture(ex);
            }

            bool announced;
            lock (Gate)
            {
                announced = onWorker && HasNoSynchronousCallbacksLocked() && _owner.TryAnnounceIdleEarly();
                if (cancelled)
                {
                    CancelRunningLocked();
                }
                else
                {
                    FinishLocked(failure);
                }
            }

            ExecutorMetrics.RecordOutcome(_owner, cancelled ? FutureStatus.Cancelled : failure is null ? FutureStatus.Succeeded : FutureStatus.Faulted);
            InvokeCallbacks();
            return announced;
        }

        /// <summary>Runs the delegate; implementations clear their fields first, so nothing captured outlives the run.</summary>
        protected abstract void Invoke();

        /// <summary>Drops the delegate and its argument of a task that will never run.</summary>
        protected abstract void ReleaseWork();

        /// <summary>True when <paramref name="exception"/> is the operation observing its own cancellation token.</summary>
        protected virtual bool IsOwnCancellation(Exception exception) => false;

        private protected override void OnCancelled()
        {
            ReleaseWork();
            ExecutorMetrics.RecordOutcome(_owner, FutureStatus.Cancelled);
        }
    }

    private sealed class FuncWorkItem<T>(Core owner, Func<T> fn) : WorkItem<T>(owner)
    {
        private Func<T>? _fn = fn;

        protected override T Invoke()
        {
            var fn = _fn!;
            _fn = null;
            return fn();
        }

        protected override void ReleaseWork() => _fn = null;
    }

    private sealed class StateFuncWorkItem<TState, T>(Core owner, Func<TState, T> fn, TState state) : WorkItem<T>(owner)
    {
        private Func<TState, T>? _fn = fn;
        private TState _state = state;

        protected override T Invoke()
        {
            var fn = _fn!;
            var state = _state;
            ReleaseWork();
            return fn(state);
        }

        protected override void ReleaseWork()
        {
            _fn = null;
            _state = default!;
        }
    }

    private sealed class ActionWorkItem(Core owner, Action fn) : VoidWorkItem(owner)
    {
        private Action? _fn = fn;

        protected override void Invoke()
        {
            var fn = _fn!;
            _fn = null;
            fn();
        }

        protected override void ReleaseWork() => _fn = null;
    }

    private sealed class StateActionWorkItem<TState>(Core owner, Action<TState> fn, TState state) : VoidWorkItem(owner)
    {
        private Action<TState>? _fn = fn;
        private TState _state = state;

        protected override void Invoke()
        {
            var fn = _fn!;
            var state = _state;
            ReleaseWork();
            fn(state);
        }

        protected override void ReleaseWork()
        {
            _fn = null;
            _state = default!;
        }
    }

    private sealed class TokenFuncWorkItem<T>(Core owner, Func<CancellationToken, T> fn, CancellationToken token) : WorkItem<T>(owner)
    {
        private Func<CancellationToken, T>? _fn = fn;
        private TokenLink _link = new(token);

        public void AttachToken() => _link.Attach(this, Gate);

        public void DetachToken() => _link.Detach(Gate);

        protected override T Invoke()
        {
            var fn = _fn!;
            _fn = null;
            return fn(_link.Token);
        }

        protected override void ReleaseWork()
        {
            _fn = null;
            _link.Detach(Gate);
        }

        protected override bool IsOwnCancellation(Exception exception) => _link.IsOwnCancellation(exception);

        private protected override void OnStarted() => _link.Detach(Gate);
    }

    private sealed class TokenActionWorkItem(Core owner, Action<CancellationToken> fn, CancellationToken token) : VoidWorkItem(owner)
    {
        private Action<CancellationToken>? _fn = fn;
        private TokenLink _link = new(token);

        public void AttachToken() => _link.Attach(this, Gate);

        public void DetachToken() => _link.Detach(Gate);

        protected override void Invoke()
        {
            var fn = _fn!;
            _fn = null;
            fn(_link.Token);
        }

        protected override void ReleaseWork()
        {
            _fn = null;
            _link.Detach(Gate);
        }

        protected override bool IsOwnCancellation(Exception exception) => _link.IsOwnCancellation(exception);

        private protected override void OnStarted() => _link.Detach(Gate);
    }

    /// <summary>Runs a done callback of another future on this executor's worker; reports its exception, never fails.</summary>
    private sealed class CallbackWorkItem(Core owner, Delegate callback, Future future) : VoidWorkItem(owner)
    {
        private Delegate? _callback = callback;
        private Future? _future = future;

        protected override void Invoke()
        {
            var callback = _callback!;
            var future = _future!;
            ReleaseWork();
            try
            {
                future.InvokeTyped(callback);
            }
            catch (Exception ex)
            {
                Futures.ReportCallbackFailure(future, ex);
            }
        }

        protected override void ReleaseWork()
        {
            _callback = null;
            _future = null;
        }

        private protected override void OnCancelled()
        {
            var future = _future;
            base.OnCancelled();
            if (future is not null)
            {
                Futures.ReportCallbackFailure(
                    future,
                    new OperationCanceledException($"A done callback of {future} was not run: its executor was shut down with cancelFutures: true before the callback started."));
            }
        }
    }

    /// <summary>The registration of a task on its cancellation token, removed once the task starts or is cancelled.</summary>
    private struct TokenLink(CancellationToken token)
    {
        private CancellationTokenRegistration _registration;

        public readonly CancellationToken Token => token;

        /// <summary>Registers the future to be cancelled with the token; if the token is already cancelled, cancels it now.</summary>
        public void Attach(Future future, object gate)
        {
            if (!token.CanBeCanceled)
            {
                return;
            }

            var registration = token.Register(static f => ((Future)f!).Cancel(), future);
            bool keep;
            lock (gate)
            {
                keep = future.Status == FutureStatus.Pending;
                if (keep)
                {
                    _registration = registration;
                }
            }

            if (!keep)
            {
                registration.Dispose();
            }
        }

        /// <summary>Removes the registration; outside the future's lock, because Dispose waits for a running token callback, which takes that lock.</summary>
        public void Detach(object gate)
        {
            CancellationTokenRegistration registration;
            lock (gate)
            {
                registration = _registration;
                _registration = default;
            }

            registration.Dispose();
        }

        public readonly bool IsOwnCancellation(Exception exception) =>
            exception is OperationCanceledException oce && oce.CancellationToken == token && token.IsCancellationRequested;
    }
}
