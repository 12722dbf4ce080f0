using System.Reflection;
using System.Runtime.Versioning;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>Proves that this test project runs the contract tests against the runtime's netstandard2.0 build.</summary>
public class NetStandardAssetTests
{
    [Fact]
    public void Runtime_under_test_is_the_netstandard20_build()
    {
        var framework = typeof(ThreadPoolExecutor).Assembly.GetCustomAttribute<TargetFrameworkAttribute>();
        Assert.Equal(".NETStandard,Version=v2.0", framework?.FrameworkName);
    }

    [Fact]
    public void Wait_returns_sets_through_the_polyfilled_interface()
    {
        using var pool = new ThreadPoolExecutor(2);
        var futures = new[] { pool.Submit(() => 1), pool.Submit(() => 2) };
        var result = Futures.Wait(futures);
        Assert.Equal(2, result.Done.Count);
        Assert.True(result.Done.Contains(futures[0]));
        Assert.True(result.Done.SetEquals(futures));
        Assert.Empty(result.NotDone);
        var copy = result with { NotDone = result.Done };
        Assert.Same(result.Done, copy.NotDone);
    }
}
