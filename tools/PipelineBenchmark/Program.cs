// Measures the cost of the whole compression job (load, spectra for every k, allocation, rewrite,
// save) per model and method. Each measurement runs in a fresh child process, so the peak
// resident memory it reports belongs to that one job alone.
//
//   dotnet run -c Release --project tools/PipelineBenchmark -- [--methods alds,svd-energy] [--keep 0.5] MODEL.onnx...

using System.Diagnostics;
using System.Globalization;
using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Onnx;

var invariant = CultureInfo.InvariantCulture;
if (args is ["--single", var modelPath, var methodName, var keepText])
{
    Console.WriteLine(MeasureOnce(modelPath, methodName, double.Parse(keepText, invariant)));
    return 0;
}

var methods = new List<string> { "alds" };
var keep = 0.5;
var models = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--methods": methods = args[++i].Split(',').ToList(); break;
        case "--keep": keep = double.Parse(args[++i], invariant); break;
        default: models.Add(args[i]); break;
    }
}
if (models.Count == 0)
{
    Console.Error.WriteLine("usage: PipelineBenchmark [--methods alds,svd-energy,...] [--keep 0.5] MODEL.onnx...");
    return 2;
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; budget: keep {keep:0.##} of parameters");
Console.WriteLine("| model | file MiB | method | layers | load s | analyze s | allocate s | rewrite s | save s | total s | peak RSS after load / analyze / rewrite MiB | peak RSS MiB | peak / file |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var model in models)
{
    foreach (var method in methods)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        // Under `dotnet run` this process is its app host, which takes no assembly argument; under `dotnet X.dll` the host needs it.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in new[] { "--single", model, method, keep.ToString(invariant) }) start.ArgumentList.Add(argument);
        var child = Process.Start(start)!;
        var line = child.StandardOutput.ReadToEnd().Trim();
        child.WaitForExit();
        Console.WriteLine(child.ExitCode == 0 ? line : $"| {Path.GetFileName(model)} | | {method} | failed with exit code {child.ExitCode} | | | | | | | | | |");
    }
}
return 0;

static string MeasureOnce(string modelPath, string method, double keep)
{
    var clock = Stopwatch.StartNew();
    var model = OnnxModelFile.Load(modelPath);
    var load = clock.Elapsed.TotalSeconds;
    var peakAfterLoad = PeakMiB();

    // No model runner: a parameter budget needs no engine run, so this times our own code alone.
    var pipeline = new CompressionPipeline();
    var options = new PipelineOptions { Method = method, Budget = BudgetKind.Parameters, KeepFraction = keep };
    clock.Restart();
    var analysis = pipeline.Analyze(model, options);
    var analyze = clock.Elapsed.TotalSeconds;
    var peakAfterAnalyze = PeakMiB();
    clock.Restart();
    // Allocating alone first times it apart from the rewrite; the pipeline then allocates again (cheap) and rewrites.
    CompressionPipeline.Allocate(analysis, CompressionJob.Resolve(options));
    var allocate = clock.Elapsed.TotalSeconds;
    clock.Restart();
    var result = pipeline.Compress(model, analysis, options);
    var rewrite = clock.Elapsed.TotalSeconds - allocate;
    var peakAfterRewrite = PeakMiB();

    var output = Path.Combine(Path.GetTempPath(), $"pipeline-benchmark-{Environment.ProcessId}.onnx");
    clock.Restart();
    OnnxModelFile.Save(result.Compression.Model, output);
    var save = clock.Elapsed.TotalSeconds;
    File.Delete(output);

    // The file a link points to: models/cache holds links to shared exports.
    var fileMiB = new FileInfo(RealPath.Of(modelPath)).Length / 1048576.0;
    var peakMiB = PeakMiB();
    var total = load + analyze + allocate + rewrite + save;
    return string.Create(CultureInfo.InvariantCulture,
        $"| {Path.GetFileName(modelPath)} | {fileMiB:0.0} | {method} | {analysis.Layers.Count} | {load:0.00} | {analyze:0.00} | {allocate:0.00} | {rewrite:0.00} | {save:0.00} | {total:0.00} | {peakAfterLoad:0} / {peakAfterAnalyze:0} / {peakAfterRewrite:0} | {peakMiB:0} | {peakMiB / fileMiB:0.00} |");
}

/// <summary>The process's peak resident memory so far: a high-water mark, so each stage's figure includes the ones before.</summary>
static double PeakMiB() => Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
