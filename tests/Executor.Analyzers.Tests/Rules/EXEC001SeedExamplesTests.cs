using System.Threading.Tasks;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>The seed tutorial's three experiments, ported to C#: they only print, so EXEC001 stays silent.</summary>
public class EXEC001SeedExamplesTests
{
    [Fact]
    public async Task SeedExample1_OneTaskOneCallback_NoDiagnostics()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            static class Program
            {
                static void Task()
                {
                    Thread.Sleep(100);
                    Console.WriteLine($"Task: {Thread.CurrentThread.Name}");
                }

                static void Callback(Future future)
                {
                    Console.WriteLine($"Callback: {Thread.CurrentThread.Name}");
                }

                static void Main()
                {
                    using var tpe = new ThreadPoolExecutor();
                    var future = tpe.Submit(Task);
                    future.AddDoneCallback(Callback);
                }
            }
            """);
    }

    [Fact]
    public async Task SeedExample2_ManyTasksCompareThreads_NoDiagnostics()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            static class Program
            {
                static string Task()
                {
                    Thread.Sleep(100);
                    return Thread.CurrentThread.Name!;
                }

                static void Callback(Future<string> future)
                {
                    var name = future.Result();
                    var thread = Thread.CurrentThread;
                    var diff = name != thread.Name;
                    Console.WriteLine($"task: {name}, callback {thread.Name}, different: {diff}");
                }

                static void Main()
                {
                    using var tpe = new ThreadPoolExecutor(4);
                    for (int i = 0; i < 16; i++)
                    {
                        var future = tpe.Submit(Task);
                        future.AddDoneCallback(Callback);
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task SeedExample3_CallbackAfterCompletion_NoDiagnostics()
    {
        await VerifyCS.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using Executor;

            static class Program
            {
                static void Main()
                {
                    using var tpe = new ThreadPoolExecutor();
                    var future = tpe.Submit(() =>
                    {
                        Thread.Sleep(100);
                        Console.WriteLine($"Task: {Thread.CurrentThread.Name}");
                    });
                    Thread.Sleep(200);
                    future.AddDoneCallback(f => Console.WriteLine($"Callback: {Thread.CurrentThread.Name}"));
                }
            }
            """);
    }
}
