using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Executor.Analyzers.Tests.Verifiers;

/// <summary>The one analyzer verifier: .NET 8 reference assemblies plus the real Executor.Runtime.</summary>
public static class CSharpAnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static DiagnosticResult Diagnostic() => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic();

    public static DiagnosticResult Diagnostic(string diagnosticId) => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic(diagnosticId);

    public static Task VerifyAnalyzerAsync([StringSyntax("C#-test")] string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    public sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        public Test()
        {
            TestReferences.Apply(this);
        }
    }
}

/// <summary>Reference assemblies and the runtime reference shared by every verifier.</summary>
internal static class TestReferences
{
    public static ReferenceAssemblies Net80 { get; } = ReferenceAssemblies.Net.Net80;

    /// <summary>.NET 9 reference assemblies (System.Threading.Lock). The library's Net90 preset pins a version this registry lacks.</summary>
    public static ReferenceAssemblies Net90 { get; } = new ReferenceAssemblies(
        "net9.0",
        new PackageIdentity("Microsoft.NETCore.App.Ref", "9.0.16"),
        System.IO.Path.Combine("ref", "net9.0"));

    /// <summary>The running framework's assemblies plus Executor.Runtime, for tests that build compilations by hand.</summary>
    public static System.Collections.Immutable.ImmutableArray<MetadataReference> FrameworkAndRuntime => FrameworkAndRuntimeLazy.Value;

    private static readonly System.Lazy<System.Collections.Immutable.ImmutableArray<MetadataReference>> FrameworkAndRuntimeLazy = new(() =>
        System.Collections.Immutable.ImmutableArray.CreateRange(
            System.Linq.Enumerable.Append(
                System.Linq.Enumerable.Select(
                    ((string)System.AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(System.IO.Path.PathSeparator),
                    path => (MetadataReference)MetadataReference.CreateFromFile(path)),
                MetadataReference.CreateFromFile(typeof(Executor.ThreadPoolExecutor).Assembly.Location))));

    public static void Apply<TVerifier>(AnalyzerTest<TVerifier> test)
        where TVerifier : IVerifier, new()
    {
        test.ReferenceAssemblies = Net80;
        test.TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(Executor.ThreadPoolExecutor).Assembly.Location));
    }
}
