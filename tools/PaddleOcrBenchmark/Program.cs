// Compress-only quality on PaddleOCR's pretrained models (fetched and rendered by tools/fetch_paddleocr.sh
// and tools/render_text_images.py into models/cache/paddleocr/): for weight-only alds and data-aware
// auto (global-energy on whitened spectra, calibrated on the *-calib set), at each kept fraction of
// parameters, the output's relative L2 error against the original on the disjoint *-eval set, and
//   detector: agreement of the probability map thresholded at 0.3 (PaddleOCR's det_db_thresh), per
//             pixel and as the IoU of the text pixels;
//   classifier: top-1 agreement and accuracy against the rendered labels (0 upright, 1 turned).
// Each configuration is analysed once and compressed at every keep, as `onnx-lowrank sweep` does.
//
//   dotnet run -c Release --project tools/PaddleOcrBenchmark -- [--models det,cls] [--keep 0.3,0.4,...] [--threads N]

using System.Globalization;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Onnx;
using OnnxLowRank.Runtime;

var invariant = CultureInfo.InvariantCulture;
var models = new List<string> { "det", "cls" };
var keeps = new List<double> { 0.3, 0.4, 0.5, 0.6, 0.7, 0.8 };
var threads = 0;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--models": models = args[++i].Split(',').ToList(); break;
        case "--keep": keeps = args[++i].Split(',').Select(k => double.Parse(k, invariant)).ToList(); break;
        case "--threads": threads = int.Parse(args[++i], invariant); break;
        default:
            Console.Error.WriteLine("usage: PaddleOcrBenchmark [--models det,cls] [--keep 0.3,0.5] [--threads N]");
            return 2;
    }
}

var folder = Path.Combine(RepositoryRoot(), "models", "cache", "paddleocr");
var runner = new OnnxRuntimeModelRunner(new OnnxRuntimeRunnerOptions { IntraOpNumThreads = threads });
var pipeline = new CompressionPipeline(runner);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, ONNX Runtime {OnnxRuntimeEnvironment.Version}");

foreach (var name in models)
{
    var detector = name == "det";
    var modelPath = Path.Combine(folder, $"{name}.onnx");
    var model = OnnxModelFile.Load(modelPath);
    var evalPath = Path.Combine(folder, $"{name}-eval.npy");
    var labelsPath = detector ? null : Path.Combine(folder, $"{name}-eval-labels.npy");
    var calibrationPath = Path.Combine(folder, $"{name}-calib.npy");
    using var originalSession = runner.Open(model);
    var evaluation = DataSourceOpener.Open(evalPath, originalSession.Inputs, new DataSourceOptions { LabelsPath = labelsPath });
    var originalOutputs = Run(originalSession, evaluation);

    Console.WriteLine();
    Console.WriteLine($"{name}: {modelPath}, {evaluation.Count} evaluation samples from {Path.GetFileName(evalPath)}, calibration {Path.GetFileName(calibrationPath)}");
    Console.WriteLine(detector
        ? "| method | keep | kept weights | rel. L2 error | map agreement @0.3 | text IoU @0.3 |"
        : "| method | keep | kept weights | rel. L2 error | top-1 agreement | accuracy (original " + Accuracy(originalOutputs, evaluation) + ") |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");

    var configurations = new (string Label, PipelineOptions Options)[]
    {
        ("alds (weights only)", new PipelineOptions { Method = "alds" }),
        ("auto + calibration (global-energy, whitened)", new PipelineOptions
        {
            Method = "auto",
            Calibration = new CalibrationOptions(inputs => DataSourceOpener.Open(calibrationPath, inputs, new DataSourceOptions())) { BatchSize = 8 },
        }),
    };
    foreach (var (label, options) in configurations)
    {
        var analysis = pipeline.Analyze(model, options);
        foreach (var keep in keeps)
        {
            var result = pipeline.Compress(model, analysis, options with { KeepFraction = keep });
            using var session = runner.Open(result.Compression.Model);
            var outputs = Run(session, evaluation);
            var kept = (double)result.BudgetParametersAfter / result.Analysis.BudgetParameters;
            var error = RelativeError(originalOutputs, outputs);
            Console.WriteLine(detector
                ? string.Create(invariant, $"| {label} | {keep:0.0} | {kept:P1} | {error:0.0000} | {MapAgreement(originalOutputs, outputs):P2} | {TextIoU(originalOutputs, outputs):P2} |")
                : string.Create(invariant, $"| {label} | {keep:0.0} | {kept:P1} | {error:0.0000} | {TopOneAgreement(originalOutputs, outputs):P2} | {Accuracy(outputs, evaluation)} |"));
        }
    }
}
return 0;

// Every sample's first output, flattened per sample, with its label when there is one.
static List<(float[] Values, int Classes, int? Label)> Run(IModelSession session, IDataSource source)
{
    var rows = new List<(float[], int, int?)>();
    var output = session.Outputs[0].Name;
    foreach (var batch in source.ReadBatches(8))
    {
        var tensor = session.Run(batch.Inputs, [output])[output];
        var values = tensor.AsFloats();
        var perSample = values.Length / batch.Count;
        for (var s = 0; s < batch.Count; s++)
            rows.Add((values.AsSpan(s * perSample, perSample).ToArray(), (int)tensor.Shape[^1], batch.Labels?[s]));
    }
    return rows;
}

static double RelativeError(List<(float[] Values, int Classes, int? Label)> original, List<(float[] Values, int Classes, int? Label)> compressed)
{
    double error = 0, norm = 0;
    for (var s = 0; s < original.Count; s++)
    {
        for (var i = 0; i < original[s].Values.Length; i++)
        {
            double a = original[s].Values[i], d = a - compressed[s].Values[i];
            error += d * d;
            norm += a * a;
        }
    }
    return Math.Sqrt(error / norm);
}

// PaddleOCR's DB post-processing binarizes the probability map at det_db_thresh = 0.3.
static double MapAgreement(List<(float[] Values, int Classes, int? Label)> original, List<(float[] Values, int Classes, int? Label)> compressed)
{
    long same = 0, total = 0;
    for (var s = 0; s < original.Count; s++)
    {
        for (var i = 0; i < original[s].Values.Length; i++)
        {
            if (original[s].Values[i] > 0.3f == compressed[s].Values[i] > 0.3f) same++;
            total++;
        }
    }
    return (double)same / total;
}

static double TextIoU(List<(float[] Values, int Classes, int? Label)> original, List<(float[] Values, int Classes, int? Label)> compressed)
{
    long both = 0, either = 0;
    for (var s = 0; s < original.Count; s++)
    {
        for (var i = 0; i < original[s].Values.Length; i++)
        {
            bool a = original[s].Values[i] > 0.3f, b = compressed[s].Values[i] > 0.3f;
            if (a && b) both++;
            if (a || b) either++;
        }
    }
    return either == 0 ? 1 : (double)both / either;
}

static double TopOneAgreement(List<(float[] Values, int Classes, int? Label)> original, List<(float[] Values, int Classes, int? Label)> compressed) =>
    (double)original.Zip(compressed).Count(p => ArgMax(p.First.Values) == ArgMax(p.Second.Values)) / original.Count;

static string Accuracy(List<(float[] Values, int Classes, int? Label)> outputs, IDataSource source) =>
    source.HasLabels ? ((double)outputs.Count(o => ArgMax(o.Values) == o.Label) / outputs.Count).ToString("P2", CultureInfo.InvariantCulture) : "-";

static int ArgMax(float[] values)
{
    var best = 0;
    for (var i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
    return best;
}

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "OnnxLowRank.sln"))) return directory.FullName;
    }
    throw new DirectoryNotFoundException("Run from inside the repository: models/cache/paddleocr/ is found from OnnxLowRank.sln's folder.");
}
