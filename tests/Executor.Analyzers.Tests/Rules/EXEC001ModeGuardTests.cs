using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify001 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC001UnsynchronizedCallbackAccessAnalyzer>;
using Verify002 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// A member that refuses once the work exists: it throws when a readonly field is set, and the callback or work is
/// registered only where that field is known to be set (asserted, or tested by an enclosing <c>if</c>). Such a member
/// cannot run on an object whose callback exists, so it is nobody's other side. (Npgsql's <c>Password</c> setter against
/// its periodic password refresh.)
/// </summary>
public class EXEC001ModeGuardTests
{
    private const string Header = """
        using System;
        using System.Diagnostics;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private static string Source(string fields, string constructor, string setter, string extra = "") => Header + $$"""
        public sealed class Source : IDisposable
        {
            {{fields}}
            private readonly TimeSpan _interval;
            private Timer? _timer;
            private string? _password;

            public Source(Func<string>? provider, TimeSpan interval)
            {
                _provider = provider;
                _interval = interval;
                {{constructor}}
            }

            public string Password
            {
                set
                {
                    {{setter}}
                }
            }


            private void Refresh()
            {
                _password = _provider!();
                _timer?.Change(_interval, Timeout.InfiniteTimeSpan);
            }

            {{extra}}

            public void Dispose() => _timer?.Dispose();
        }
        """;

    private const string Refuse = """
                    if (_provider is not null)
                        throw new NotSupportedException("a provider is configured");
                    {|#1:_password = value|};
        """;

    private const string AssertedTimer = """
                if (_interval != default)
                {
                    Debug.Assert(_provider is not null);
                    _timer = new Timer(_ => {|#0:Refresh()|}, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
        """;

    private static DiagnosticResult Race(string other)
        => Verify001.Diagnostic().WithLocation(0).WithArguments("new Timer", "calls 'Source.Refresh', which writes", "field 'Source._password'", "without a lock", "'" + other + "' writes it without a lock").WithLocation(1);

    [Fact]
    public async Task SetterThrowsWhenTheProviderIsSet_TimerCreatedOnlyAfterAssertingIt_NoReport()
        => await Verify001.VerifyAnalyzerAsync(Source("private readonly Func<string>? _provider;", AssertedTimer, Refuse));

    [Fact]
    public async Task SetterThrowsWhenTheProviderIsSet_TimerCreatedInsideATestOfIt_NoReport()
        => await Verify001.VerifyAnalyzerAsync(Source("private readonly Func<string>? _provider;", """
                if (_provider != null && _interval != default)
                {
                    _timer = new Timer(_ => {|#0:Refresh()|}, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
        """, """
                    if (_provider != null || value.Length == 0)
                    {
                        throw new NotSupportedException("a provider is configured");
                    }

                    {|#1:_password = value|};
        """));

    [Fact]
    public async Task SetterThrowsWhenTheProviderIsSet_EarlyReturnWhenItIsNot_NoReport()
        => await Verify001.VerifyAnalyzerAsync(Source("private readonly Func<string>? _provider;", "Start();", Refuse, """
            private void Start()
            {
                if (_provider is null)
                {
                    return;
                }

                _timer = new Timer(_ => {|#0:Refresh()|}, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        """));

    [Fact]
    public async Task ProviderFieldIsNotReadonly_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("private Func<string>? _provider;", AssertedTimer, Refuse, "public void ClearProvider() => _provider = null;"),
            Race("Password"));

    [Fact]
    public async Task SetterThrowsOnADifferentField_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("private readonly Func<string>? _provider; private readonly Func<string>? _other = null;", AssertedTimer, """
                    if (_other is not null)
                        throw new NotSupportedException("another provider is configured");
                    {|#1:_password = value|};
        """),
            Race("Password"));

    [Fact]
    public async Task TimerCreatedWithoutKnowingTheProviderIsSet_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("private readonly Func<string>? _provider;", """
                _timer = new Timer(_ => {|#0:Refresh()|}, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        """, Refuse),
            Race("Password"));

    [Fact]
    public async Task GuardOnlyOnOneBranchOfTheSetter_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("private readonly Func<string>? _provider;", AssertedTimer, """
                    if (value.Length > 0)
                    {
                        if (_provider is not null)
                            throw new NotSupportedException("a provider is configured");
                    }

                    {|#1:_password = value|};
        """),
            Race("Password"));

    [Fact]
    public async Task GuardThrowsWhenTheProviderIsMissing_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("private readonly Func<string>? _provider;", AssertedTimer, """
                    if (_provider is null)
                        throw new NotSupportedException("no provider");
                    {|#1:_password = value|};
        """),
            Race("Password"));

    [Fact]
    public async Task GuardUnderAnAndCondition_Reports()
        => await Verify001.VerifyAnalyzerAsync(
            Source("private readonly Func<string>? _provider;", AssertedTimer, """
                    if (_provider is not null && value.Length == 0)
                        throw new NotSupportedException("empty");
                    {|#1:_password = value|};
        """),
            Race("Password"));

    [Fact]
    public async Task WorkStartedAfterAssertingTheProvider_SetterRefuses_EXEC002_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Header + """
            public sealed class Source
            {
                private readonly Func<string>? _provider;
                private readonly Task _first = Task.CompletedTask;
                private string? _password;

                public Source(Func<string>? provider, bool periodic)
                {
                    _provider = provider;
                    if (periodic)
                    {
                        Debug.Assert(_provider is not null);
                        _first = Task.Run(Refresh);
                    }
                }

                public string Password
                {
                    set
                    {
                        if (_provider is not null)
                            throw new NotSupportedException("a provider is configured");
                        {|#1:_password = value|};
                    }
                }


                private void Refresh() => _password = _provider!();
            }
            """);

    [Fact]
    public async Task WorkStartedWithoutTheAssertion_SetterRefuses_EXEC002_Reports()
        => await Verify002.VerifyAnalyzerAsync(Header + """
            public sealed class Source
            {
                private readonly Func<string>? _provider;
                private readonly Task _first = Task.CompletedTask;
                private string? _password;

                public Source(Func<string>? provider, bool periodic)
                {
                    _provider = provider;
                    if (periodic)
                    {
                        _first = Task.Run(Refresh);
                    }
                }

                public string Password
                {
                    set
                    {
                        if (_provider is not null)
                            throw new NotSupportedException("a provider is configured");
                        {|#1:_password = value|};
                    }
                }


                private void Refresh() => {|#0:_password = _provider?.Invoke()|};
            }
            """,
            Verify002.Diagnostic().WithLocation(0).WithArguments("Task.Run", "writes", "field 'Source._password'", "without a lock", "'Password' writes it without a lock").WithLocation(1));
}
