using System.Linq;
using System.Threading.Tasks;
using Executor.Analyzers.Tests.Rules;
using Executor.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC003CapturedVariableChangedAfterHandOffAnalyzer, Executor.CodeFixes.EXEC003CapturedVariableChangedAfterHandOffCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>The EXEC003 fixes: copy the value before the hand-off; Volatile.Read/Volatile.Write for a stop flag.</summary>
public class EXEC003CapturedVariableChangedAfterHandOffCodeFixTests
{
    [Fact]
    public async Task ForVariable_EmbeddedStatement_BecomesBlockWithCopy()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using Executor;

            class Squares
            {
                static int Square(int x) => x * x;

                void Run(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++) pool.Submit(() => Square([|i|]));
                }
            }
            """, """
            using Executor;

            class Squares
            {
                static int Square(int x) => x * x;

                void Run(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        int iCopy = i;
                        pool.Submit(() => Square(iCopy));
                    }
                }
            }
            """, EXEC003CapturedVariableChangedAfterHandOffCodeFix.CopyBeforeHandOffKey);
    }

    [Fact]
    public async Task ForVariable_InBlock_CopyDeclaredJustBeforeTheStatement()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        Console.WriteLine("start");
                        var task = Task.Run(() => Console.WriteLine([|i|] + i));
                    }
                }
            }
            """, """
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        Console.WriteLine("start");
                        int iCopy = i;
                        var task = Task.Run(() => Console.WriteLine(iCopy + iCopy));
                    }
                }
            }
            """, EXEC003CapturedVariableChangedAfterHandOffCodeFix.CopyBeforeHandOffKey);
    }

    [Fact]
    public async Task ReassignedAfter_CopyBeforeTheHandOff()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    var text = "a";
                    Task.Run(() => Console.WriteLine([|text|]));
                    text = "b";
                }
            }
            """, """
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    var text = "a";
                    string textCopy = text;
                    Task.Run(() => Console.WriteLine(textCopy));
                    text = "b";
                }
            }
            """, EXEC003CapturedVariableChangedAfterHandOffCodeFix.CopyBeforeHandOffKey);
    }

    [Fact]
    public async Task VariableOnTheRightOfACompoundAssignmentInTheDelegate_IsOnlyRead_CopyOffered()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        Task.Run(() => { int total = 0; total += [|i|]; Console.WriteLine(total); });
                    }
                }
            }
            """, """
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        int iCopy = i;
                        Task.Run(() => { int total = 0; total += iCopy; Console.WriteLine(total); });
                    }
                }
            }
            """, EXEC003CapturedVariableChangedAfterHandOffCodeFix.CopyBeforeHandOffKey);
    }

    [Fact]
    public async Task FixAll_TwoHandOffsInOneBody_UniqueNames()
    {
        var test = new VerifyCS.Test
        {
            TestCode = """
                using System;
                using System.Threading.Tasks;
                using Executor;

                class Work
                {
                    void Run(ThreadPoolExecutor pool, int n)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            pool.Submit(() => Console.WriteLine([|i|]));
                            Task.Run(() => Console.WriteLine([|i|]));
                        }

                        for (int j = 0; j < n; j++) Task.Run(() => Console.WriteLine([|j|]));
                    }
                }
                """,
            FixedCode = """
                using System;
                using System.Threading.Tasks;
                using Executor;

                class Work
                {
                    void Run(ThreadPoolExecutor pool, int n)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            int iCopy = i;
                            pool.Submit(() => Console.WriteLine(iCopy));
                            int iCopy2 = i;
                            Task.Run(() => Console.WriteLine(iCopy2));
                        }

                        for (int j = 0; j < n; j++)
                        {
                            int jCopy = j;
                            Task.Run(() => Console.WriteLine(jCopy));
                        }
                    }
                }
                """,
            CodeActionEquivalenceKey = EXEC003CapturedVariableChangedAfterHandOffCodeFix.CopyBeforeHandOffKey,
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task CopyName_AvoidsNamesUsedInTheMember()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++) Task.Run(() => { int iCopy = 0; Console.WriteLine([|i|] + iCopy); });
                }
            }
            """, """
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        int iCopy2 = i;
                        Task.Run(() => { int iCopy = 0; Console.WriteLine(iCopy2 + iCopy); });
                    }
                }
            }
            """, EXEC003CapturedVariableChangedAfterHandOffCodeFix.CopyBeforeHandOffKey);
    }

    [Fact]
    public async Task StopFlag_UsesVolatileReadAndWrite()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    bool stop = false;
                    var worker = Task.Run(() =>
                    {
                        while (![|stop|])
                        {
                            System.Threading.Thread.SpinWait(10);
                        }
                    });
                    stop = true;
                    worker.Wait();
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    bool stop = false;
                    var worker = Task.Run(() =>
                    {
                        while (!Volatile.Read(ref stop))
                        {
                            System.Threading.Thread.SpinWait(10);
                        }
                    });
                    Volatile.Write(ref stop, true);
                    worker.Wait();
                }
            }
            """, EXEC003CapturedVariableChangedAfterHandOffCodeFix.UseVolatileKey);
    }

    [Fact]
    public async Task BoolReadOnce_VolatileNotCopy()
    {
        const string Source = """
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    bool cancelled = false;
                    Task.Run(() => { if (![|cancelled|]) Console.WriteLine("work"); });
                    cancelled = true;
                }
            }
            """;
        var noCopy = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = EXEC003CapturedVariableChangedAfterHandOffCodeFix.CopyBeforeHandOffKey };
        await noCopy.RunAsync();
        await VerifyCS.VerifyCodeFixAsync(Source, """
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    bool cancelled = false;
                    Task.Run(() => { if (!Volatile.Read(ref cancelled)) Console.WriteLine("work"); });
                    Volatile.Write(ref cancelled, true);
                }
            }
            """, EXEC003CapturedVariableChangedAfterHandOffCodeFix.UseVolatileKey);
    }

    [Fact]
    public async Task StopFlag_TwoWorkers_FixAllRewritesTheSharedWriteOnce()
    {
        var test = new VerifyCS.Test
        {
            TestCode = """
                using System.Threading;
                using System.Threading.Tasks;

                class Work
                {
                    void Run()
                    {
                        bool stop = false;
                        var a = Task.Run(() => { while (![|stop|]) { } });
                        var b = Task.Run(() => { while (![|stop|]) { } });
                        stop = true;
                        Task.WaitAll(a, b);
                    }
                }
                """,
            FixedCode = """
                using System.Threading;
                using System.Threading.Tasks;

                class Work
                {
                    void Run()
                    {
                        bool stop = false;
                        var a = Task.Run(() => { while (!Volatile.Read(ref stop)) { } });
                        var b = Task.Run(() => { while (!Volatile.Read(ref stop)) { } });
                        Volatile.Write(ref stop, true);
                        Task.WaitAll(a, b);
                    }
                }
                """,
            CodeActionEquivalenceKey = EXEC003CapturedVariableChangedAfterHandOffCodeFix.UseVolatileKey,
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task StopFlag_NoCopyFixOffered()
    {
        const string Source = """
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    bool stop = false;
                    Task.Run(() => { while (![|stop|]) { } });
                    stop = true;
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = EXEC003CapturedVariableChangedAfterHandOffCodeFix.CopyBeforeHandOffKey };
        await test.RunAsync();
    }

    [Fact]
    public async Task StopFlagWrittenInAnExpression_NoVolatileFix()
    {
        const string Source = """
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    bool stop = false;
                    Task.Run(() => { while (![|stop|]) { } });
                    Console.WriteLine(stop = true);
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source };
        await test.RunAsync();
    }

    [Fact]
    public async Task Collection_NoFix()
    {
        const string Source = """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    var items = new List<int> { 1 };
                    Task.Run(() => [|items|].Sum());
                    items.Add(2);
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source };
        await test.RunAsync();
    }

    [Fact]
    public async Task DelegateWritesTheVariable_NoFix()
    {
        const string Source = """
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run()
                {
                    int x = 1;
                    Task.Run(() => { Console.WriteLine([|x|]); x = 5; });
                    x = 2;
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source };
        await test.RunAsync();
    }

    [Fact]
    public async Task PeriodicTimer_NoFix()
    {
        const string Source = """
            using System;
            using System.Threading;

            class Work
            {
                Timer Run()
                {
                    int level = 1;
                    var timer = new Timer(_ => Console.WriteLine([|level|]), null, 0, 100);
                    level = 2;
                    return timer;
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source };
        await test.RunAsync();
    }

    [Fact]
    public async Task HandOffInTheForIncrementor_NoFix()
    {
        const string Source = """
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; Task.Run(() => Console.WriteLine([|i|])), i++)
                    {
                    }
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source };
        await test.RunAsync();
    }

    [Fact]
    public async Task Properties_CarryTheWriteTheDelegateAndTheStatement()
    {
        var diagnostics = await EXEC003PropertiesTests.AnalyzeAsync("""
            using System;
            using System.Threading.Tasks;

            class Work
            {
                void Run(int n)
                {
                    for (int i = 0; i < n; i++) Task.Run(() => Console.WriteLine(i));
                }
            }
            """);
        var diagnostic = Assert.Single(diagnostics);
        var source = diagnostic.Location.SourceTree!.ToString();
        Assert.Equal("i", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Equal(3, diagnostic.AdditionalLocations.Count);
        Assert.Equal("i++", Text(source, diagnostic.AdditionalLocations[0]));
        Assert.Equal("() => Console.WriteLine(i)", Text(source, diagnostic.AdditionalLocations[1]));
        Assert.Equal("Task.Run(() => Console.WriteLine(i));", Text(source, diagnostic.AdditionalLocations[2]));
        Assert.Equal("Copy", diagnostic.Properties["Fix"]);
        Assert.Equal("Loop", diagnostic.Properties["Kind"]);
        Assert.Equal("i", diagnostic.Properties["Variable"]);
    }

    [Fact]
    public async Task Properties_FlagCarriesEveryWrite()
    {
        var diagnostics = await EXEC003PropertiesTests.AnalyzeAsync("""
            using System.Threading.Tasks;

            class Work
            {
                void Run(bool early)
                {
                    bool stop = false;
                    Task.Run(() => { while (!stop) { } });
                    if (early) stop = true;
                    stop = true;
                }
            }
            """);
        var diagnostic = Assert.Single(diagnostics);
        var source = diagnostic.Location.SourceTree!.ToString();
        Assert.Equal("Volatile", diagnostic.Properties["Fix"]);
        Assert.Equal("Flag", diagnostic.Properties["Kind"]);
        // The reported write, the delegate, then what the fix rewrites: the worker's read and every write.
        Assert.Equal(new[] { "stop = true", "stop", "stop = true", "stop = true" }, diagnostic.AdditionalLocations.Where((_, i) => i != 1).Select(l => Text(source, l)));
        Assert.NotEqual(diagnostic.AdditionalLocations[3].SourceSpan, diagnostic.AdditionalLocations[4].SourceSpan);
    }

    private static string Text(string source, Microsoft.CodeAnalysis.Location location)
        => source.Substring(location.SourceSpan.Start, location.SourceSpan.Length);
}
