// Measures what per-layer sensitivity costs (issue #18): the calibrated analysis, then the measurement alone (suffix inputs
// cached, every layer factorized at every size of the default grid, each suffix run over the samples), wall and CPU time,
// peak memory; and the caching trade-off, all layers' suffix inputs in one run against a run of the whole model per layer.
//
//   dotnet run -c Release --project tools/SensitivityBenchmark -- [--samples 128] [MODEL.onnx CALIBRATION MEAN,STD]
//
// With no model it measures models/resnet.onnx on the Fashion-MNIST training slice, normalised as README's commands do.

using System.Diagnostics;
using System.Globalization;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Sensitivity;
using OnnxLowRank.Onnx;
using OnnxLowRank.Runtime;

var invariant = CultureInfo.InvariantCulture;
var samples = SensitivityOptions.DefaultSamples;
var positional = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--samples") samples = int.Parse(args[++i], invariant);
    else positional.Add(args[i]);
}
var root = Repository();
var (modelPath, dataPath, normalization) = positional is [var m, var d, var n]
    ? (m, d, n)
    : (Path.Combine(root, "models", "resnet.onnx"), Path.Combine(root, "models", "data", "fmnist-train-512-images-idx3-ubyte.gz"), "0.2860,0.3530");

var model = OnnxModelFile.Load(modelPath);
var runner = new OnnxRuntimeModelRunner();
var calibration = new CalibrationOptions(inputs => DataSourceOpener.Open(dataPath, inputs, new DataSourceOptions { Normalization = PixelNormalization.Parse(normalization) }));
var options = new PipelineOptions { Calibration = calibration, Method = "global-energy" };
var clock = Stopwatch.StartNew();
var analysis = new CompressionPipeline(runner).Analyze(model, options);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}; {Path.GetFileName(modelPath)}, {analysis.Layers.Count} layers");
Console.WriteLine(string.Create(invariant, $"calibrated analysis ({analysis.Calibration!.Samples} samples): {clock.Elapsed.TotalSeconds:0.0} s"));

var factorizer = CompressionJob.Resolve(options).Factorizer(analysis.Calibration);
var sensitivity = new SensitivityOptions { Samples = samples };
Console.WriteLine("| cache | samples | layers | sizes measured | cache runs | cached MiB | wall s | CPU s | peak RSS MiB |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var (label, cacheBytes) in new[] { ("all layers in one run", sensitivity.CacheBytes), ("one run per layer", 0L) })
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var result = SensitivityRun.Measure(model, analysis.Layers, runner, calibration, factorizer, new DiscoveryOptions(), sensitivity with { CacheBytes = cacheBytes },
        l => CandidateSizes.For(l, sensitivity.Fractions, options.Allocation, options.ConvRankMultiple));
    var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
    var sizes = result.Layers.Values.Sum(l => l.Select(s => (s.SliceCount, s.Rank)).Distinct().Count());
    Console.WriteLine(string.Create(invariant,
        $"| {label} | {result.Samples} | {result.Layers.Count} | {sizes} | {result.CacheRuns} | {result.CachedBytes / 1048576.0:0.0} | {result.Elapsed.TotalSeconds:0.0} | {cpuSeconds:0.0} | {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} |"));
}
return 0;

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

static string Repository()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "OnnxLowRank.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run from inside the repository.");
}
