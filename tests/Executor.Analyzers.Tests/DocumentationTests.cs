using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Executor.Analyzers.Tests;

/// <summary>Every shipped rule has a help link to a doc page that exists, a README row, and a release-tracking entry.</summary>
public class DocumentationTests
{
    private static DiagnosticAnalyzer[] Analyzers() => typeof(EXEC001UnsynchronizedCallbackAccessAnalyzer).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToArray();

    [Fact]
    public void EveryDescriptor_HasHelpLinkToExistingDocPage_ReadmeRowAndReleaseEntry()
    {
        var root = RepositoryLayout.Root;
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var unshipped = File.ReadAllText(Path.Combine(root, "src", "Executor.Analyzers", "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(root, "src", "Executor.Analyzers", "AnalyzerReleases.Shipped.md"));
        var descriptors = Analyzers().SelectMany(a => a.SupportedDiagnostics).ToArray();
        Assert.NotEmpty(descriptors);

        foreach (var descriptor in descriptors)
        {
            Assert.StartsWith("EXEC", descriptor.Id, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(descriptor.HelpLinkUri), $"{descriptor.Id} has no help link");
            var expectedSuffix = $"docs/rules/{descriptor.Id}.md";
            Assert.EndsWith(expectedSuffix, descriptor.HelpLinkUri, StringComparison.Ordinal);
            var page = Path.Combine(root, "docs", "rules", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id}: missing doc page {page}");
            var text = File.ReadAllText(page);
            foreach (var section in new[] { "## Cause", "## Rule description", "## How to fix", "## When to suppress", "## Examples" })
            {
                Assert.Contains(section, text, StringComparison.Ordinal);
            }

            Assert.Contains($"| [{descriptor.Id}](docs/rules/{descriptor.Id}.md) |", readme, StringComparison.Ordinal);
            Assert.Contains(descriptor.Id + " |", unshipped, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DiagnosticIds_AreUniqueAcrossAnalyzers()
    {
        var ids = Analyzers().SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToArray();
        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
    }
}
