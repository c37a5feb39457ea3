using System.Runtime.CompilerServices;

namespace OnnxLowRank.Cli.Tests;

/// <summary>The repository's models and data, found from the test directory or, with --artifacts-path builds, from this source file.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Model(string name) => Require(Path.Combine(Root, "models", name));

    public static string Data(string name) => Require(Path.Combine(Root, "models", "data", name));

    public static string TestImages => Data("fmnist-test-2000-images-idx3-ubyte.gz");

    public static string TestLabels => Data("fmnist-test-2000-labels-idx1-ubyte.gz");

    /// <summary>Fashion-MNIST normalisation the reference models were trained with (models/README.md).</summary>
    public const string Normalization = "0.2860,0.3530";

    private static string Require(string path)
    {
        if (!File.Exists(path)) Assert.Fail($"{path} is missing; models/ holds the reference models and data (see models/README.md and tools/).");
        return path;
    }

    private static string FindRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { TestContext.CurrentContext.TestDirectory, Path.GetDirectoryName(sourceFile) })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OnnxLowRank.sln"))) return dir.FullName;
            }
        }
        throw new InvalidOperationException("OnnxLowRank.sln not found above the test directory or the test sources.");
    }
}
