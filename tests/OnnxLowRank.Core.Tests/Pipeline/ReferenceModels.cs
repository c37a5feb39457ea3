using OnnxLowRank.Core.Tests.Support;

namespace OnnxLowRank.Core.Tests.Pipeline;

/// <summary>The trained models committed under models/.</summary>
internal static class ReferenceModels
{
    public static IReadOnlyList<string> All { get; } = ["mlp.onnx", "resnet.onnx"];

    public static string Path(string fileName) => RepositoryFiles.Model(fileName);
}
