namespace OnnxLowRank.Core.Tests.Pipeline;

/// <summary>Paths of the trained models and data slices committed under models/.</summary>
internal static class ReferenceModels
{
    public static string Root { get; } = FindRoot();

    public static string Path(string fileName) => System.IO.Path.Combine(Root, "models", fileName);

    public static IReadOnlyList<string> All { get; } = ["mlp.onnx", "resnet.onnx"];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "OnnxLowRank.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (holding OnnxLowRank.sln) is not above the test folder.");
    }
}
