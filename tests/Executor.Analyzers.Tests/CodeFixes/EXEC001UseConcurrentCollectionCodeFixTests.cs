using System.Threading.Tasks;
using Executor.CodeFixes;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer, Executor.CodeFixes.EXEC001UnsynchronizedCallbackAccessCodeFix>;

namespace Executor.Analyzers.Tests.CodeFixes;

/// <summary>
/// The concurrent-collection fix: a private List or Dictionary field whose every use maps one-to-one onto a thread-safe
/// member becomes a ConcurrentQueue or ConcurrentDictionary; never when one use has no counterpart.
/// </summary>
public class EXEC001UseConcurrentCollectionCodeFixTests
{
    private const string Key = EXEC001UnsynchronizedCallbackAccessCodeFix.UseConcurrentCollectionKey;

    [Fact]
    public async Task ListUsedForAddAndEnumeration_BecomesConcurrentQueue()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using System.Linq;
            using Executor;

            class Log
            {
                private readonly List<string> _lines = new();

                public void Watch(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        pool.Submit(() => "done").AddDoneCallback(f => [|_lines.Add(f.Result())|]);
                    }
                }

                public int Count => _lines.Count;

                public string Dump() => string.Join("\n", _lines.Where(l => l.Length > 0));
            }
            """, """
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Linq;
            using Executor;

            class Log
            {
                private readonly ConcurrentQueue<string> _lines = new();

                public void Watch(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        pool.Submit(() => "done").AddDoneCallback(f => _lines.Enqueue(f.Result()));
                    }
                }

                public int Count => _lines.Count;

                public string Dump() => string.Join("\n", _lines.Where(l => l.Length > 0));
            }
            """, Key);
    }

    [Fact]
    public async Task DictionaryUsedThroughIndexerTryGetValueRemove_BecomesConcurrentDictionary()
    {
        await VerifyCS.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using Executor;

            class Cache
            {
                private readonly Dictionary<string, int> _sizes = new Dictionary<string, int>();

                public void Load(ThreadPoolExecutor pool, string[] keys)
                {
                    foreach (var key in keys)
                    {
                        pool.Submit(() => key.Length).AddDoneCallback(f => [|_sizes[key] = f.Result()|]);
                    }
                }

                public int Get(string key) => _sizes.TryGetValue(key, out var size) ? size : -1;

                public bool Forget(string key) => _sizes.Remove(key);
            }
            """, """
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using Executor;

            class Cache
            {
                private readonly ConcurrentDictionary<string, int> _sizes = new ConcurrentDictionary<string, int>();

                public void Load(ThreadPoolExecutor pool, string[] keys)
                {
                    foreach (var key in keys)
                    {
                        pool.Submit(() => key.Length).AddDoneCallback(f => _sizes[key] = f.Result());
                    }
                }

                public int Get(string key) => _sizes.TryGetValue(key, out var size) ? size : -1;

                public bool Forget(string key) => _sizes.TryRemove(key, out _);
            }
            """, Key);
    }

    [Theory]
    [InlineData("public string First => _lines[0];")]
    [InlineData("public void Reset() => _lines.Clear();")]
    [InlineData("public List<string> All => _lines;")]
    public async Task ListWithAUseThatHasNoCounterpart_NotOffered(string member)
    {
        string source = $$"""
            using System.Collections.Generic;
            using Executor;

            class Log
            {
                private readonly List<string> _lines = new();

                public void Watch(ThreadPoolExecutor pool, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        pool.Submit(() => "done").AddDoneCallback(f => [|_lines.Add(f.Result())|]);
                    }
                }

                {{member}}
            }
            """;
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Theory]
    [InlineData("public void Put(string k) => _sizes.Add(k, 0);")]
    [InlineData("public void Bump(string k) => _sizes[k] = _sizes[k] + 1;")]
    public async Task DictionaryWithAThrowingAddOrALostUpdate_NotOffered(string member)
    {
        string source = $$"""
            using System.Collections.Generic;
            using Executor;

            class Cache
            {
                private readonly Dictionary<string, int> _sizes = new();

                public void Load(ThreadPoolExecutor pool, string[] keys)
                {
                    foreach (var key in keys)
                    {
                        pool.Submit(() => key.Length).AddDoneCallback(f => [|_sizes[key] = f.Result()|]);
                    }
                }

                {{member}}
            }
            """;
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source, CodeActionEquivalenceKey = Key };
        await test.RunAsync();
    }

    [Fact]
    public async Task PreferredFixConcurrentCollection_PutsTheSwapFirst()
    {
        var test = new VerifyCS.Test
        {
            TestCode = """
                using System.Collections.Generic;
                using Executor;

                class Log
                {
                    private readonly List<int> _codes = new();

                    public void Watch(ThreadPoolExecutor pool, int n)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            pool.Submit(() => 1).AddDoneCallback(f => [|_codes.Add(f.Result())|]);
                        }
                    }
                }
                """,
            FixedCode = """
                using System.Collections.Concurrent;
                using System.Collections.Generic;
                using Executor;

                class Log
                {
                    private readonly ConcurrentQueue<int> _codes = new();

                    public void Watch(ThreadPoolExecutor pool, int n)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            pool.Submit(() => 1).AddDoneCallback(f => _codes.Enqueue(f.Result()));
                        }
                    }
                }
                """,
            CodeActionIndex = 0,
        };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\n" + EXEC001UnsynchronizedCallbackAccessCodeFix.PreferredFixKey + " = concurrent_collection\n"));
        await test.RunAsync();
    }
}
