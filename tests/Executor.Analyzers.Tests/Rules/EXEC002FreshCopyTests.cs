using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify002 = Executor.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Executor.Analyzers.EXEC002UnsynchronizedWorkAccessAnalyzer>;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>
/// A captured variable that the work replaces with a new object before it writes through it
/// (<c>options = options.Copy(); options.Retry = false;</c>) writes to that copy, which no other thread holds.
/// </summary>
public class EXEC002FreshCopyTests
{
    private static string Source(string work, string copy = "public Options Copy() => new() { Retry = Retry, Limit = Limit };") => $$"""
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;

        public sealed class Options
        {
            public bool Retry { get; set; } = true;
            public int Limit { get; set; }
            public Inner Nested { get; } = new();
            {{copy}}
            public Options Configure(bool retry) { Retry = retry; return this; }
        }

        public sealed class Inner { public bool On { get; set; } public void Toggle() => On = !On; }

        public sealed class Store
        {
            private readonly Dictionary<string, Options> _items = new();

            public void Complete(string key, Task<int> pending, Options options)
            {
                _ = Task.Run(async () =>
                {
                    await pending.ConfigureAwait(false);
                    {{work}}
                    lock (_items) _items[key] = options;
                });
            }
        }
        """;

    private static DiagnosticResult Reported()
        => Verify002.Diagnostic().WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null);

    [Fact]
    public async Task ParameterReplacedByItsCopyBeforeTheWrite_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Source("options = options.Copy(); options.Retry = false;"));

    [Fact]
    public async Task ParameterReplacedByANewObjectBeforeTheWrite_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Source("options = new Options(); options.Retry = false;"));

    [Fact]
    public async Task ParameterReplacedByACopyFromABlockBodiedMethod_NoReport()
        => await Verify002.VerifyAnalyzerAsync(Source(
            "options = options.Copy(); options.Retry = false;",
            "public Options Copy() { if (Limit > 0) return new Options { Limit = Limit }; return new Options { Retry = Retry }; }"));

    [Fact]
    public async Task WriteBeforeTheCopy_Reports()
        => await Verify002.VerifyAnalyzerAsync(Source("{|#0:options.Retry = false|}; options = options.Copy();"), Reported());

    [Fact]
    public async Task CopyOnlyInABranch_Reports()
        => await Verify002.VerifyAnalyzerAsync(Source("if (options.Limit > 0) { options = options.Copy(); } {|#0:options.Retry = false|};"), Reported());

    [Fact]
    public async Task CopyThatReturnsTheSameObject_Reports()
        => await Verify002.VerifyAnalyzerAsync(Source("options = {|#1:options.Configure(true)|}; {|#0:options.Retry = false|};"),
            Reported(),
            Verify002.Diagnostic().WithLocation(1).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithMessage(null));

    [Fact]
    public async Task NestedObjectOfTheCopy_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source("options = options.Copy(); {|#0:options.Nested.On = false|};", "public Options Copy() => this;").Replace("public Options Copy() => this;", "public Options Copy() => new() { Retry = Retry };"),
            Reported());

    [Fact]
    public async Task VariableAlsoAssignedElsewhere_Reports()
        => await Verify002.VerifyAnalyzerAsync(
            Source("options = options.Copy(); {|#0:options.Retry = false|};").Replace("await pending.ConfigureAwait(false);", "await pending.ConfigureAwait(false); if (key.Length == 0) { options = new Options(); }"),
            Reported());
}
