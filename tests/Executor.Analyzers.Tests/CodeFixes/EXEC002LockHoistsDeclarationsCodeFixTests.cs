using System.Threading.Tasks;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer, Executor.CodeFixes.EXEC002UnsynchronizedWorkAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>
/// The lock on every side reaches a side that is a local declaration (<c>var copy = _threads.ToArray();</c>): the
/// declaration stays before the lock and its initialization moves in, so the variable stays in scope after it.
/// </summary>
public class EXEC002LockHoistsDeclarationsCodeFixTests
{
    private const string Key = Executor.CodeFixes.EXEC002UnsynchronizedWorkAccessCodeFix.WrapInLockKey;

    [Fact]
    public async Task ThreadListSnapshotInADeclaration_DeclarationHoisted_EverySideLocked()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class Watchers
            {
                private readonly List<Thread> _threads = new();

                public void Restart()
                {
                    Task.Factory.StartNew(() => [|_threads.Add(Thread.CurrentThread)|]);
                }

                public void JoinAll()
                {
                    var copy = _threads.ToArray();
                    foreach (var t in copy)
                    {
                        t.Join();
                    }
                }
            }
            """, """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class Watchers
            {
                private readonly object _gate = new object();
                private readonly List<Thread> _threads = new();

                public void Restart()
                {
                    Task.Factory.StartNew(() =>
                    {
                        lock (_gate)
                        {
                            _threads.Add(Thread.CurrentThread);
                        }
                    });
                }

                public void JoinAll()
                {
                    Thread[] copy;
                    lock (_gate)
                    {
                        copy = _threads.ToArray();
                    }
                    foreach (var t in copy)
                    {
                        t.Join();
                    }
                }
            }
            """, Key);
    }

    [Fact]
    public async Task UsingDeclarationSide_NotSplit_NoLock()
    {
        const string Source = """
            using System.IO;
            using System.Threading.Tasks;

            class Logs
            {
                private MemoryStream _current = new();

                public void Rotate() => Task.Run(() => [|_current = new MemoryStream()|]);

                public long Flush()
                {
                    using var copy = _current;
                    return copy.Length;
                }
            }
            """;
        var test = new VerifyCS.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task NewLockField_FollowsTheConventionMostFieldsUse()
    {
        // Two fields without a prefix and one with '_': the new field has no prefix either.
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class Watchers
            {
                private readonly List<Thread> threads = new();
                private readonly string name = "w";
                private readonly int _id = 1;

                public string Describe() => name + _id;

                public void Restart() => Task.Factory.StartNew(() => [|threads.Add(Thread.CurrentThread)|]);

                public int Count() => threads.Count;
            }
            """, """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class Watchers
            {
                private readonly object gate = new object();
                private readonly List<Thread> threads = new();
                private readonly string name = "w";
                private readonly int _id = 1;

                public string Describe() => name + _id;

                public void Restart() => Task.Factory.StartNew(() =>
                {
                    lock (gate)
                    {
                        threads.Add(Thread.CurrentThread);
                    }
                });

                public int Count()
                {
                    lock (gate)
                    {
                        return threads.Count;
                    }
                }
            }
            """, Key);
    }
}
