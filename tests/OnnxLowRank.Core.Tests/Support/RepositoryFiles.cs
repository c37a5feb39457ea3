using System.Runtime.CompilerServices;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>Files committed to the repository (models/), found from this source file, wherever the build output lives.</summary>
internal static class RepositoryFiles
{
    public static string Model(string name)
    {
        var path = Path.Combine(Root(), "models", name);
        if (!File.Exists(path))
            Assert.Fail($"{path} is missing: it is produced by tools/train_reference_models.py and committed with the repository.");
        return path;
    }

    /// <summary>A folder of the repository, e.g. src/OnnxLowRank.Core, for tests that read the sources themselves.</summary>
    public static string Folder(string relativePath) => Path.Combine(Root(), relativePath);

    private static string Root([CallerFilePath] string sourceFile = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(sourceFile)!); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OnnxLowRank.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No OnnxLowRank.sln above {sourceFile}.");
    }
}
