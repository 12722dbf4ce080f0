using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Executor.Analyzers.Tests.Rules;

/// <summary>EXEC001 recognizes BCL and Executor types by namespace and metadata name, not by symbol lookup.</summary>
public class KnownTypesTests
{
    private static readonly CSharpCompilation Compilation = CSharpCompilation.Create(
        "KnownTypesTest",
        new[]
        {
            CSharpSyntaxTree.ParseText("""
                namespace Acme.System.Threading { public class Monitor { } }
                namespace Acme { public class Outer { public class Monitor { } } }
                namespace System.Threading.Tasks { public class Task<T1, T2> { } }
                """),
        },
        Executor.Analyzers.Tests.Verifiers.TestReferences.FrameworkAndRuntime,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    private static INamedTypeSymbol Type(string metadataName)
        => Compilation.GetTypeByMetadataName(metadataName) ?? throw new Xunit.Sdk.XunitException("missing " + metadataName);

    [Fact]
    public void Matches_TheBclTypesAndTheirConstructions()
    {
        var types = KnownTypes.Instance;
        Assert.True(types.Monitor.Matches(Type("System.Threading.Monitor")));
        Assert.True(types.Task.Matches(Type("System.Threading.Tasks.Task")));
        var taskOfInt = Type("System.Threading.Tasks.Task`1").Construct(Compilation.GetSpecialType(SpecialType.System_Int32));
        Assert.True(types.TaskOfT.Matches(taskOfInt));
        Assert.False(types.Task.Matches(taskOfInt));
        Assert.True(types.IsNonThreadSafeCollection(Type("System.Collections.Generic.List`1")));
        Assert.True(types.IsNonThreadSafeCollection(Type("System.Text.StringBuilder")));
        Assert.True(types.Future.Matches(Type("Executor.Future")));
    }

    [Fact]
    public void DoesNotMatch_LookAlikesInOtherNamespacesNestedTypesOrOtherArities()
    {
        var types = KnownTypes.Instance;
        Assert.False(types.Monitor.Matches(Type("Acme.System.Threading.Monitor")));
        Assert.False(types.Monitor.Matches(Type("Acme.Outer+Monitor")));
        Assert.False(types.TaskOfT.Matches(Type("System.Threading.Tasks.Task`2")));
        Assert.False(types.IsNonThreadSafeCollection(Type("System.Collections.Concurrent.ConcurrentQueue`1")));
        Assert.False(types.IsNonThreadSafeCollection(null));
        Assert.False(types.Monitor.Matches(Compilation.GetSpecialType(SpecialType.System_Int32)));
        Assert.Empty(Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
