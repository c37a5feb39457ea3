using System.Runtime.CompilerServices;

namespace OnnxLowRank.Core.Tests.Data;

/// <summary>Where the tests find the repository's files and ONNX's test vectors.</summary>
internal static class TestFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Fixture(string name) => Path.Combine(RepositoryRoot, "tests", "OnnxLowRank.Core.Tests", "Data", "Fixtures", name);

    public static string ModelData(string name)
    {
        var path = Path.Combine(RepositoryRoot, "models", "data", name);
        if (!File.Exists(path)) Assert.Fail($"{path} is missing; models/data/ holds the Fashion-MNIST slices (see models/README.md).");
        return path;
    }

    public static string OnnxTestCase(string relative)
    {
        var path = Path.Combine("/usr/share/libonnx-testdata/data", relative);
        if (!Directory.Exists(path)) Assert.Fail($"{path} is missing: install the Debian package libonnx-testdata.");
        return path;
    }

    // The test directory lies in the tree for a plain build; with --artifacts-path it does not,
    // and this source file's own compile-time path finds the tree instead.
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
