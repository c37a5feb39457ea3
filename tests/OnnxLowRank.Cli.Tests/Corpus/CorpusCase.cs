using OnnxLowRank.Onnx;

namespace OnnxLowRank.Cli.Tests.Corpus;

/// <summary>
/// One model of the real-model corpus, in ONNX's test-data layout: model.onnx and test_data_set_0/{input,output}_N.pb.
/// </summary>
/// <param name="DimensionArgs">--dim arguments that size the model's symbolic dimensions for analyze and compress.</param>
internal sealed record CorpusCase(string Name, string Folder, IReadOnlyList<string> DimensionArgs)
{
    public const string OnnxTestData = "/usr/share/libonnx-testdata/data";

    public string ModelPath => Path.Combine(Folder, "model.onnx");

    public string DataSet => Path.Combine(Folder, "test_data_set_0");

    public override string ToString() => Name;

    /// <summary>The torch exports committed under models/corpus/ (tools/export_corpus_models.py, provenance in models/README.md).</summary>
    public static IReadOnlyList<CorpusCase> Committed()
    {
        var root = Path.Combine(RepositoryFiles.Root, "models", "corpus");
        CorpusCase Case(string name, params string[] dims) => new(name, Path.Combine(root, name), dims.SelectMany(d => new[] { "--dim", d }).ToList());
        return
        [
            // The frames are stepped by a Loop whose body holds a Gemm: today that Gemm is skipped (inSubgraph) and the
            // Conv front end, the input gates and the head are compressed; once layers inside Loop bodies become
            // compressible it is compressed too, and every assertion here still holds. No --dim: at 1 frame it runs.
            Case("streaming_gru"),
            // Reflect padding needs more frames than it pads, so the model cannot run with its time axis at 1: a parameter
            // budget needs no run, and the written model is loaded but not run ("not run: dimension time has no size"),
            // with no --dim. The test then runs it on its real frames.
            Case("reflect_pad_tcn"),
            // Dynamic batch and sequence; runs at 1 token, so no --dim.
            Case("attention_block"),
        ];
    }

    /// <summary>
    /// The models of Debian's libonnx-testdata in which a Gemm, MatMul or Conv takes its weight from an initializer
    /// (as of 1.12 the pytorch-converted and pytorch-operator cases: in the node tests every weight is a graph input,
    /// and the real models are download links, not files).
    /// </summary>
    public static IReadOnlyList<CorpusCase> FromOnnxTestData()
    {
        if (!Directory.Exists(OnnxTestData)) Assert.Fail($"{OnnxTestData} is missing: install the Debian package libonnx-testdata (.ci/run does).");
        return Directory.EnumerateFiles(OnnxTestData, "model.onnx", SearchOption.AllDirectories)
            .Where(HasInitializerWeight)
            .Order(StringComparer.Ordinal)
            .Select(path => Path.GetDirectoryName(path)!)
            .Select(folder => new CorpusCase(Path.GetRelativePath(OnnxTestData, folder), folder, []))
            .ToList();
    }

    private static bool HasInitializerWeight(string modelPath)
    {
        var graph = OnnxModelFile.Load(modelPath).Graph;
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet();
        return graph.Node.Any(n => n.OpType is "Gemm" or "MatMul" or "Conv" && n.Input.Count > 1 && initializers.Contains(n.Input[1]));
    }
}
