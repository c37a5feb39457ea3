using System.Text.Json;
using OnnxLowRank.Cli.Reports;

namespace OnnxLowRank.Bench;

/// <summary>
/// One `onnx-lowrank compress` of a model at a FLOP budget, in a child process: its cost (wall time, peak
/// memory) and its JSON report (sizes, kept fractions). <see cref="OutputPath"/> holds the compressed model
/// until the bench deletes it.
/// </summary>
internal sealed record CompressionRun(BenchModel Model, string Method, bool Calibrated, double KeepFlops, string OutputPath, long OutputBytes,
    ChildMeasurement? Measurement, RunReport? Report, string? Failure)
{
    public string Label => Calibrated ? $"{Method} + calibration" : Method;

    public bool Succeeded => Failure is null;

    /// <summary>The compressed share of the compressible layers' multiply-accumulates.</summary>
    public double? KeptFlopsFraction => Report?.Compression is { BudgetFlopsBefore: > 0 and var before, BudgetFlopsAfter: { } after } ? (double)after / before : null;

    /// <summary>Compresses <paramref name="model"/> and reads the report; a failed run carries the reason and the tail of its output.</summary>
    public static CompressionRun Measure(ChildProcesses children, string scratch, BenchModel model, string method, bool calibrated, double keepFlops)
    {
        var stem = $"{model.Name}-{method}{(calibrated ? "-calibrated" : "")}-{keepFlops:0.00}";
        var output = Path.Combine(scratch, stem + ".onnx");
        var reportPath = Path.Combine(scratch, stem + ".json");
        var args = new List<string>
        {
            "compress", model.Path, "-o", output, "--method", method, "--keep-flops", Text.Number(keepFlops),
            "--report", reportPath, "--quiet",
        };
        args.AddRange(model.DimensionArgs);
        if (calibrated) args.AddRange(model.Calibration!.AsCalibration(withNormalize: true));
        var (measurement, log) = children.RunCli(args);
        if (measurement is not { ExitCode: 0 } || !File.Exists(reportPath) || !File.Exists(output))
        {
            var failure = $"compress exited with {measurement?.ExitCode.ToString() ?? "no measurement"}: {Text.LastLines(log, 3)}";
            return new CompressionRun(model, method, calibrated, keepFlops, output, 0, measurement, null, failure);
        }
        var report = JsonSerializer.Deserialize<RunReport>(File.ReadAllText(reportPath), JsonReport.Options);
        return new CompressionRun(model, method, calibrated, keepFlops, output, new FileInfo(output).Length, measurement, report, null);
    }
}
