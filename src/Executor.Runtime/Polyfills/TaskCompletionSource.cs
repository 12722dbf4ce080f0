#if !NET5_0_OR_GREATER
namespace System.Threading.Tasks
{
    /// <summary>The non-generic <c>TaskCompletionSource</c> of .NET 5+, over <see cref="TaskCompletionSource{TResult}"/>.</summary>
    internal sealed class TaskCompletionSource
    {
        private readonly TaskCompletionSource<object?> _source;

        public TaskCompletionSource(TaskCreationOptions creationOptions) => _source = new TaskCompletionSource<object?>(creationOptions);

        public Task Task => _source.Task;

        public bool TrySetResult() => _source.TrySetResult(null);

        public void SetResult() => _source.SetResult(null);

        public bool TrySetException(Exception exception) => _source.TrySetException(exception);

        public bool TrySetCanceled() => _source.TrySetCanceled();
    }
}
#endif
