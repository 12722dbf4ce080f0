using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace Executor.Runtime.Tests;

/// <summary>
/// Contract clause 6, process exit: work accepted before <c>Main</c> returns still runs with its callbacks, and idle
/// workers do not keep the process alive. Runs the Executor.Runtime.ExitProbe program as a child process.
/// </summary>
public class ProcessExitTests
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PendingWorkAndCallbacksRunBeforeTheProcessExits()
    {
        var (exitCode, stdout, stderr) = await RunProbeAsync("pending");
        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains("main returning", stdout, StringComparison.Ordinal);
        for (int i = 0; i < 4; i++)
        {
            Assert.Contains($"task {i} done", stdout, StringComparison.Ordinal);
            Assert.Contains($"callback {i} result {i}", stdout, StringComparison.Ordinal);
        }

        // The tasks wait until Main has printed its last line, then sleep before printing: they finish after Main.
        Assert.True(
            stdout.IndexOf("main returning", StringComparison.Ordinal) < stdout.IndexOf("task 0 done", StringComparison.Ordinal),
            $"expected the tasks to finish after Main returned:\n{stdout}");
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public async Task IdleWorkersDoNotKeepTheProcessAlive()
    {
        // Were the workers foreground threads, or not told to stop at exit, the child would never exit and the
        // timeout below would fail the test.
        var (exitCode, stdout, stderr) = await RunProbeAsync("idle");
        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains("idle main returning sum 3", stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public async Task UnknownModeFailsSoTheProbeIsReallyRun()
    {
        var (exitCode, _, stderr) = await RunProbeAsync("no-such-mode");
        Assert.Equal(2, exitCode);
        Assert.Contains("unknown mode", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunProbeAsync(string mode)
    {
        string probe = Path.Combine(AppContext.BaseDirectory, "Executor.Runtime.ExitProbe.dll");
        Assert.True(File.Exists(probe), $"probe not found at {probe}");

        // The dotnet CLI tells child processes which host it is; fall back to the one on PATH.
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(probe);
        info.ArgumentList.Add(mode);

        using var process = Process.Start(info);
        Assert.NotNull(process);
        process!.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ChildTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the probe ({mode}) did not exit within {ChildTimeout}; output so far is lost");
        }

        string output = await stdout.WaitAsync(ChildTimeout);
        string error = await stderr.WaitAsync(ChildTimeout);
        return (process.ExitCode, output, error);
    }
}
