using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC000InvalidOptionEntryAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>EXEC000: malformed or unmatched entries of EXEC001's list options in .editorconfig.</summary>
public class EXEC000InvalidOptionEntryTests
{
    private const string CallbackApis = "dotnet_code_quality.EXEC001.callback_apis";
    private const string ThreadSafeTypes = "dotnet_code_quality.EXEC001.thread_safe_types";
    private const string SerialTypes = "dotnet_code_quality.EXEC001.serial_types";

    private const string ApiForm = "'M:Namespace.Type.Method' (all overloads), 'M:Namespace.Type.Method(System.Action)' (one overload) or 'E:Namespace.Type.Event', separated by '|'";
    private const string TypeForm = "'T:Namespace.Type' (nested: 'T:Namespace.Outer.Inner', generic: 'T:Namespace.Type`1'), separated by '|'";

    // EXEC000 is reported at the start of the first file an entry applies to: {|#0:|} marks that spot.
    private const string Source = """
        {|#0:|}using System;

        namespace Messaging
        {
            public class Bus
            {
                public event EventHandler Received;
                public void Subscribe(Action<string> handler) { }
                public void Subscribe(string topic, Action<string> handler) { }
                public void Publish() { Received?.Invoke(this, EventArgs.Empty); }
                public void Map<T>(Func<T, T> f) { }
            }

            public class Cache<TKey> { public class Entry { } }

            public class Mailbox { }
        }
        """;

    private static DiagnosticResult Diag(string key, string entry, string problem, string expected)
        => VerifyCS.Diagnostic().WithLocation(0).WithArguments(key, entry, problem, expected);

    private static Task RunAsync(string editorConfig, params DiagnosticResult[] expected)
    {
        var test = new VerifyCS.Test { TestCode = Source };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*]\n" + editorConfig + "\n"));
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    [Fact]
    public async Task WellFormedEntries_ThatMatch_AreNotReported()
    {
        await RunAsync(
            $$"""
            {{CallbackApis}} = M:Messaging.Bus.Subscribe | M:Messaging.Bus.Subscribe(System.String,System.Action{System.String}) E:Messaging.Bus.Received | M:Messaging.Bus.Map``1 | M:System.Threading.Tasks.Task.ContinueWith | M:Messaging.Bus.Publish
            {{ThreadSafeTypes}} = T:Messaging.Cache`1 | T:Messaging.Cache`1.Entry | T:System.Collections.Concurrent.ConcurrentDictionary`2
            {{SerialTypes}} = T:Messaging.Mailbox
            """);
    }

    [Fact]
    public async Task NoOptions_NothingReported()
    {
        await VerifyCS.VerifyAnalyzerAsync(Source);
    }

    [Fact]
    public async Task SeverityFromTheFilesSection_Applies()
    {
        var test = new VerifyCS.Test { TestCode = Source };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", $"root = true\n\n[*]\n{SerialTypes} = Mailbox\ndotnet_diagnostic.EXEC000.severity = warning\n"));
        test.ExpectedDiagnostics.Add(Diag(SerialTypes, "Mailbox", "has no documentation ID prefix", TypeForm).WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        await test.RunAsync();
    }

    [Fact]
    public async Task Exec002WorkApis_AreChecked_MethodsOnly()
    {
        const string WorkApis = "dotnet_code_quality.EXEC002.work_apis";
        const string WorkForm = "'M:Namespace.Type.Method' (all overloads) or 'M:Namespace.Type.Method(System.Action)' (one overload), separated by '|'";
        await RunAsync(
            $"{WorkApis} = M:Messaging.Bus.Subscribe | E:Messaging.Bus.Received | M:Messaging.Bus.Fan",
            Diag(WorkApis, "E:Messaging.Bus.Received", "has the prefix 'E:', which this option does not take", WorkForm),
            Diag(WorkApis, "M:Messaging.Bus.Fan", "matches nothing in this compilation", WorkForm));
    }

    [Fact]
    public async Task MissingPrefix_IsReported_WithKeyEntryAndExpectedForm()
    {
        await RunAsync(
            $"{ThreadSafeTypes} = Messaging.Mailbox | T:Messaging.Mailbox",
            Diag(ThreadSafeTypes, "Messaging.Mailbox", "has no documentation ID prefix", TypeForm));
    }

    [Fact]
    public async Task CommasInsteadOfBars_AreReported_AsOneEntry()
    {
        await RunAsync(
            $"{CallbackApis} = M:Messaging.Bus.Subscribe,M:Messaging.Bus.Publish",
            Diag(CallbackApis, "M:Messaging.Bus.Subscribe,M:Messaging.Bus.Publish", "joins several entries with ',' (',' only separates the parameters inside '(...)')", ApiForm));
    }

    [Fact]
    public async Task WrongPrefix_ForTheOption_IsReported()
    {
        await RunAsync(
            $"""
            {SerialTypes} = M:Messaging.Bus.Publish
            {CallbackApis} = T:Messaging.Bus
            """,
            Diag(CallbackApis, "T:Messaging.Bus", "has the prefix 'T:', which this option does not take", ApiForm),
            Diag(SerialTypes, "M:Messaging.Bus.Publish", "has the prefix 'M:', which this option does not take", TypeForm));
    }

    [Fact]
    public async Task IdsThatMatchNothing_AreReported()
    {
        await RunAsync(
            $"""
            {CallbackApis} = M:Messaging.Bus.Subscrbe | E:Messaging.Bus.Sent | M:Messaging.Bus.Subscribe(System.Action) | M:Messaging.Nope.Subscribe
            {ThreadSafeTypes} = T:Messaging.Cache
            """,
            Diag(CallbackApis, "M:Messaging.Bus.Subscrbe", "matches nothing in this compilation", ApiForm),
            Diag(CallbackApis, "E:Messaging.Bus.Sent", "matches nothing in this compilation", ApiForm),
            Diag(CallbackApis, "M:Messaging.Bus.Subscribe(System.Action)", "matches nothing in this compilation", ApiForm),
            Diag(CallbackApis, "M:Messaging.Nope.Subscribe", "matches nothing in this compilation", ApiForm),
            Diag(ThreadSafeTypes, "T:Messaging.Cache", "matches nothing in this compilation", TypeForm));
    }

    [Fact]
    public async Task SameEntry_InSeveralFilesAndSections_IsReportedOnce_AtTheFirstFileItAppliesTo()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(("/src/A.cs", Source));
        test.TestState.Sources.Add(("/src/B.cs", "class B { }"));
        test.TestState.Sources.Add(("/other/C.cs", "{|#1:|}class C { }"));
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", $"root = true\n\n[*.cs]\n{ThreadSafeTypes} = Mailbox\n\n[/other/*.cs]\n{ThreadSafeTypes} = Mailbox | T:Messaging.Gone\n"));
        test.ExpectedDiagnostics.Add(Diag(ThreadSafeTypes, "Mailbox", "has no documentation ID prefix", TypeForm));
        test.ExpectedDiagnostics.Add(VerifyCS.Diagnostic().WithLocation(1).WithArguments(ThreadSafeTypes, "T:Messaging.Gone", "matches nothing in this compilation", TypeForm));
        await test.RunAsync();
    }

    [Fact]
    public void Descriptor_IsInfo_AndEnabledByDefault()
    {
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Info, EXEC000InvalidOptionEntryAnalyzer.Rule.DefaultSeverity);
        Assert.True(EXEC000InvalidOptionEntryAnalyzer.Rule.IsEnabledByDefault);
        Assert.Equal("EXEC000", EXEC000InvalidOptionEntryAnalyzer.Rule.Id);
    }
}
