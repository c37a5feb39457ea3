namespace OnnxLowRank.Bench;

/// <summary>What a run measures: the models and, per section, how much. <see cref="For"/> gives the full and the quick plan.</summary>
internal sealed record BenchPlan(
    IReadOnlyList<BenchModel> Models,
    IReadOnlyList<double> InferenceKeeps,
    LatencySettings Latency,
    string SweepKeeps,
    int? SweepLimit,
    bool SpectraThroughput,
    bool PaddleOcrQuality,
    TimeSpan ChildLimit)
{
    /// <summary>Keep 0.5 of the FLOPs: the budget every method's cost is measured at.</summary>
    public const double CostKeep = 0.5;

    public static BenchPlan For(Repository repository, bool quick)
    {
        var data = repository.PathOf("models", "data");
        const string normalize = "0.2860,0.3530";
        // The quick run calibrates on a quarter of the slice: calibration dominates its data-aware compressions.
        var fmnistTrain = new DataSet(Path.Combine(data, "fmnist-train-512-images-idx3-ubyte.gz"), Normalize: normalize, CalibrationLimit: quick ? 128 : null);
        var fmnistTest = new DataSet(Path.Combine(data, "fmnist-test-2000-images-idx3-ubyte.gz"), Path.Combine(data, "fmnist-test-2000-labels-idx1-ubyte.gz"), normalize);
        var reference = new[] { "mlp", "resnet" }
            .Select(name => new BenchModel(name, repository.PathOf("models", name + ".onnx"), ModelOrigin.Reference, Methods.All, fmnistTrain, fmnistTest, [1, 32]))
            .ToList();
        if (quick)
            return new BenchPlan(reference, [0.75, 0.5, 0.25], LatencySettings.Quick, "0.3,0.6,0.9", 500, SpectraThroughput: false, PaddleOcrQuality: false,
                TimeSpan.FromMinutes(3));

        // resnet50 first (a target), vgg16 last (the longest).
        var torchvision = new[] { "resnet50", "resnet18", "mobilenet_v2", "vgg16" }.Select(name => new BenchModel(
            name, Path.Combine(repository.ModelsCache, name + ".onnx"), ModelOrigin.Torchvision,
            // Every method on every model; vgg16 (about two minutes a compression) is timed at batch 1 only, as issue #7 asks.
            Methods.All, null, null, name == "vgg16" ? [1] : [1, 32])).ToList();
        // PaddleOCR's quality comes from tools/PaddleOcrBenchmark (map agreement and IoU the CLI's sweep does not
        // compute), so no sweep here; the evaluation sets are listed so that a missing one is rendered. Height and
        // width are symbolic: FLOPs are counted at the rendered image size.
        var ocr = Path.Combine(repository.ModelsCache, "paddleocr");
        var paddle = new[]
        {
            new BenchModel("paddleocr-det", Path.Combine(ocr, "det.onnx"), ModelOrigin.PaddleOcr, Methods.All,
                new DataSet(Path.Combine(ocr, "det-calib.npy")), new DataSet(Path.Combine(ocr, "det-eval.npy")), [],
                ["p2o.DynamicDimension.1=320", "p2o.DynamicDimension.2=320"]),
            new BenchModel("paddleocr-cls", Path.Combine(ocr, "cls.onnx"), ModelOrigin.PaddleOcr, Methods.All,
                new DataSet(Path.Combine(ocr, "cls-calib.npy")), new DataSet(Path.Combine(ocr, "cls-eval.npy"), Path.Combine(ocr, "cls-eval-labels.npy")), [],
                ["p2o.DynamicDimension.1=48", "p2o.DynamicDimension.2=192"]),
        };
        return new BenchPlan([.. reference, .. torchvision.SkipLast(1), .. paddle, torchvision[^1]], [0.75, 0.5, 0.25], LatencySettings.Full, "0.1:0.9:0.1", null,
            SpectraThroughput: true, PaddleOcrQuality: true, TimeSpan.FromMinutes(20));
    }
}
