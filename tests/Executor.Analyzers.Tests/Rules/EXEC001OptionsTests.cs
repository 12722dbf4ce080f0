using System.Threading.Tasks;
using Xunit;
using static Executor.Analyzers.Tests.Rules.EXEC001CallbackSourcesTests;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>EXEC001's .editorconfig options.</summary>
public class EXEC001OptionsTests
{
    private const string OtherCallback = "a callback in 'Run' increments it without a lock";

    private const string BusSource = """
        using System;

        namespace Messaging
        {
            public class Bus
            {
                public void Subscribe(Action<string> handler) { }
                public void Subscribe(string topic, Action<string> handler) { }
                public event EventHandler? Received;
            }
        }

        class Listener
        {
            private int _seen;

            void Run(Messaging.Bus bus)
            {
                bus.Subscribe(m => {|#0:_seen++|});
                bus.Subscribe("t", m => {|#1:_seen++|});
                bus.Received += (s, e) => {|#2:_seen++|};
            }
        }
        """;

    private static Task RunAsync(string source, string editorConfig, params Microsoft.CodeAnalysis.Testing.DiagnosticResult[] expected)
    {
        var test = new VerifyCS.Test { TestCode = source };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*]\n" + editorConfig + "\n"));
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    [Fact]
    public async Task CallbackApis_AllOverloadsByName_AndEvent()
    {
        await RunAsync(
            BusSource,
            "dotnet_code_quality.EXEC001.callback_apis = M:Messaging.Bus.Subscribe | E:Messaging.Bus.Received",
            Diag(0, "Bus.Subscribe", "increments", "field 'Listener._seen'", OtherCallback),
            Diag(1, "Bus.Subscribe", "increments", "field 'Listener._seen'", OtherCallback),
            Diag(2, "Bus.Received", "increments", "field 'Listener._seen'", OtherCallback));
    }

    [Fact]
    public async Task CallbackApis_OneOverloadBySignature()
    {
        await RunAsync(
            BusSource.Replace("{|#0:_seen++|}", "_seen++").Replace("{|#2:_seen++|}", "_seen++"),
            "dotnet_code_quality.EXEC001.callback_apis = M:Messaging.Bus.Subscribe(System.String,System.Action{System.String})",
            Diag(1, "Bus.Subscribe", "increments", "field 'Listener._seen'", "a lambda in 'Run' increments it without a lock after registering the callback, with no join in between"));
    }

    [Fact]
    public async Task CallbackApis_MethodGroupPassedToListedApi_Reports()
    {
        // Method groups are bound only when the call's name can be a callback API: the option's names count.
        await RunAsync(
            """
            using System;

            namespace Messaging
            {
                public class Bus
                {
                    public void Subscribe(Action<string> handler) { }
                    public void Publish(Action<string> handler) { }
                }
            }

            class Listener
            {
                private int _seen;
                private int _published;

                void Run(Messaging.Bus bus)
                {
                    for (int i = 0; i < 2; i++) bus.Subscribe(OnMessage);
                    for (int i = 0; i < 2; i++) bus.Publish(OnPublished);
                }

                private void OnMessage(string m) => {|#0:_seen++|};

                private void OnPublished(string m) => _published++;
            }
            """,
            "dotnet_code_quality.EXEC001.callback_apis = M:Messaging.Bus.Subscribe(System.Action{System.String})",
            Diag(0, "Bus.Subscribe", "increments", "field 'Listener._seen'", "another run of the same callback can do the same (it is registered in a loop)"));
    }

    [Fact]
    public async Task WithoutOption_UserApiIsNotACallback()
    {
        await RunAsync(
            BusSource.Replace("{|#0:_seen++|}", "_seen++").Replace("{|#1:_seen++|}", "_seen++").Replace("{|#2:_seen++|}", "_seen++"),
            "dotnet_code_quality.EXEC001.callback_apis = M:Messaging.Other.Subscribe");
    }

    [Fact]
    public async Task IncludeDotNetCallbackApisFalse_SilencesBuiltInApis_ButNotExecutor()
    {
        await RunAsync(
            """
            using System.Threading;
            using System.Threading.Tasks;
            using Executor;

            class Worker
            {
                private int _count;

                void Run(Task task, CancellationToken token, ThreadPoolExecutor pool)
                {
                    task.ContinueWith(t => _count++);
                    token.Register(() => _count++);
                    ThreadPool.QueueUserWorkItem(_ => _count++);
                    pool.Submit(() => 1).AddDoneCallback(f => {|#0:_count++|});
                }
            }
            """,
            "dotnet_code_quality.EXEC001.include_dotnet_callback_apis = false",
            Diag(0, "Future<int>.AddDoneCallback", "increments", "field 'Worker._count'"));
    }

    [Fact]
    public async Task ThreadSafeTypes_SilencesCallsAndFieldsOfListedType()
    {
        await RunAsync(
            """
            using Executor;

            namespace App
            {
                class Tally
                {
                    public int Hits;
                    public void Add() => Hits++;
                }

                class Worker
                {
                    private readonly Tally _tally = new Tally();

                    void Run(ThreadPoolExecutor pool) => pool.Submit(() => 1).AddDoneCallback(f =>
                    {
                        _tally.Add();
                        _tally.Hits++;
                    });
                }
            }
            """,
            "dotnet_code_quality.EXEC001.thread_safe_types = T:App.Tally");
    }
}
