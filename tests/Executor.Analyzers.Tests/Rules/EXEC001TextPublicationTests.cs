using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify001 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;
using Verify002 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// Text published by a lone store of a computed, non-null string races only with reads: the reader gets the old text or
/// the new one. Constants (a string used as a state), stores that may write null, a second writer and a loop waiting
/// on the field are still reported.
/// </summary>
public class EXEC001TextPublicationTests
{
    private static string Source(string store, string reader, string extra = "", string period = "Timeout.Infinite") => $$"""
        #nullable enable
        using System;
        using System.Threading;

        public sealed class Credentials : IDisposable
        {
            private readonly Func<string> _provider;
            private readonly Func<string?> _maybe = () => null;
            private readonly Timer _timer;
            private string _password = "";

            public Credentials(Func<string> provider)
            {
                _provider = provider;
                _timer = new Timer(_ => {|#0:Refresh()|}, null, 1000, {{period}});
            }

            private void Refresh()
            {
                {{store}}
            }

            public string Read()
            {
                {{reader}}
            }

            {{extra}}

            public void Dispose() => _timer.Dispose();
        }
        """;

    [Fact]
    public async Task TimerStoresAComputedPassword_ReaderUsesIt_NoReport()
        => await Verify001.VerifyAnalyzerAsync(Source("_password = _provider();", "return \"Password=\" + _password;"));

    [Fact]
    public async Task TimerStoresAnInterpolatedString_ReaderChecksThenUses_NoReport()
        => await Verify001.VerifyAnalyzerAsync(Source("_password = $\"{_provider()}-{Environment.TickCount}\";", "return _password.Length > 0 ? _password : \"none\";"));

    [Fact]
    public async Task CallbackReadsText_OtherSideStoresComputedText_NoReport()
        => await Verify001.VerifyAnalyzerAsync("""
            #nullable enable
            using System;
            using System.Threading;

            public sealed class Status : IDisposable
            {
                private readonly Timer _timer;
                private string _text = "";

                public Status() => _timer = new Timer(_ => Console.WriteLine(_text), null, 1000, 1000);

                public void Update(int done, int total) => _text = $"{done} of {total}";

                public void Dispose() => _timer.Dispose();
            }
            """);

    [Fact]
    public async Task TimerStoresConstantStates_ReaderDecidesOnThem_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("if (_password == \"open\") { _password = \"closed\"; } else { _password = \"open\"; }", "return _password == \"open\" ? \"yes\" : \"no\";"),
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task TimerMayStoreNull_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("_password = _maybe();", "return _password ?? \"none\";").Replace("private string _password", "private string? _password"),
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task NullableAnalysisOff_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("_password = _provider();", "return _password;").Replace("#nullable enable", "#nullable disable").Replace("string?", "string"),
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task AnotherWriterStoresText_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("_password = _provider();", "return _password;", "public void Set(string value) => _password = value + \"!\";")
                ,
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task ReaderLoopsUntilTheTextArrives_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("_password = _provider();", "while (_password.Length == 0) { Thread.Yield(); } return _password;")
                ,
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task StoreThatAlsoReadsTheField_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("_password = _password + _provider();", "return _password;")
                ,
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task PeriodicTimerStoresComputedText_AnotherRunOnlyStoresToo_NoReport()
        => await Verify001.VerifyAnalyzerAsync(Source("_password = _provider();", "return _password;", period: "1000"));

    [Fact]
    public async Task PeriodicTimerUpdatesTextFromItself_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("_password = _password + _provider();", "return \"x\";", period: "1000"),
            Verify001.Diagnostic().WithLocation(0).WithArguments("new Timer", "calls 'Credentials.Refresh', which writes", "field 'Credentials._password'", "without a lock", "another run of the same callback can do the same (the timer is periodic)"));

    // ---- a new object with readonly fields -----------------------------------------------------------------------

    private static string Holder(string type, string store = "_last = new Box(t.Exception!)") => $$"""
        #nullable enable
        using System;
        using System.Threading.Tasks;

        {{type}}

        public sealed class Scheduler
        {
            private Box _last = new Box(new Exception("none"));

            public Box Last => _last;

            public void Run(Action action)
            {
                Task.Run(action).ContinueWith(t => {|#0:{{store}}|}, TaskContinuationOptions.OnlyOnFaulted);
            }
        }
        """;

    [Fact]
    public async Task LastExceptionInANewImmutableObject_NoReport()
        => await Verify001.VerifyAnalyzerAsync(Holder("public sealed class Box { private readonly Exception _e; public Box(Exception e) => _e = e; public Exception Value => _e; }"));

    [Fact]
    public async Task LastExceptionInANewRecordWithInitProperties_NoReport()
        => await Verify001.VerifyAnalyzerAsync(Holder("public sealed record Box(Exception Value);"));

    [Fact]
    public async Task NewObjectWithAMutableField_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Holder("public sealed class Box { public Exception E; public Box(Exception e) => E = e; }"),
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task NewObjectWithASettableProperty_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Holder("public sealed class Box { public Exception E { get; set; } public Box(Exception e) => E = e; }"),
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task ImmutableStructStore_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Holder("public readonly struct Box { private readonly Exception _e; private readonly long _at; public Box(Exception e) { _e = e; _at = 1; } }"),
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task ExistingObjectStored_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Holder("public sealed class Box { private readonly Exception _e; public Box(Exception e) => _e = e; public static readonly Box Failed = new(new Exception()); }", "_last = Box.Failed"),
            Verify001.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task WorkStoresComputedText_ReaderUsesIt_EXEC002_NoReport()
        => await Verify002.VerifyAnalyzerAsync("""
            #nullable enable
            using System;
            using System.Threading.Tasks;

            public sealed class Loader
            {
                private string _name = "";
                private Task _load = Task.CompletedTask;

                public Loader(Func<string> fetch) => _load = Task.Run(() => { _name = fetch(); });

                public string Name => _name;
            }
            """);

    [Fact]
    public async Task WorkStoresComputedText_AnotherMemberStoresToo_EXEC002_Reports()
        => await Verify002.VerifyAnalyzerAsync("""
            #nullable enable
            using System;
            using System.Threading.Tasks;

            public sealed class Loader
            {
                private string _name = "";
                private Task _load = Task.CompletedTask;

                public Loader(Func<string> fetch) => _load = Task.Run(() => { {|#0:_name = fetch()|}; });

                public string Name { get => _name; set => _name = value + "?"; }
            }
            """,
            Verify002.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));
}
