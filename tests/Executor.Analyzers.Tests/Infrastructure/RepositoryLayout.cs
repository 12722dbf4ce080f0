using System;
using System.IO;

namespace Executor.Analyzers.Tests;

/// <summary>
/// Locates the repository checkout from the test's output directory.
/// <c>[CallerFilePath]</c> is not usable: CI builds set <c>ContinuousIntegrationBuild</c>, which maps source paths to <c>/_/</c>.
/// </summary>
internal static class RepositoryLayout
{
    private const string Marker = "Analyzers.sln";

    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>Gets the directory that holds <c>Analyzers.sln</c>.</summary>
    public static string Root => LazyRoot.Value;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, Marker)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No {Marker} found in '{AppContext.BaseDirectory}' or any parent directory; run the tests from a repository checkout.");
    }
}
