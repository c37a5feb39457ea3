using System.Text.Json;
using OnnxLowRank.Cli.Reports;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Bench;

/// <summary>
/// One model of the real-model corpus through the three steps a user takes: `analyze`, `compress --keep-params 0.7`,
/// each in a child process, then the written model loaded in ONNX Runtime here. A refusal with a typed reason (exit 2,
/// one error line) is an outcome, not a problem; anything else that stops a step is a failure.
/// </summary>
/// <param name="Layers">Compressible layers analyze found; null when analyze did not finish.</param>
/// <param name="Compressed">Layers compress factorized; null when it wrote nothing.</param>
/// <param name="Skipped">Nodes analyze skipped, counted by reason.</param>
/// <param name="Seconds">Wall time of analyze and compress together (the children's own clocks, process start left out).</param>
/// <param name="Outcome">"compressed + verified", "compressed + loaded (not run: ...)", "skipped: REASON" or "FAILED ...".</param>
internal sealed record CorpusRun(BenchModel Model, int? Layers, int? Compressed, IReadOnlyDictionary<string, int> Skipped, double Seconds, string Outcome,
    bool Failed)
{
    public const double KeepParams = 0.7;

    public bool Verified => Compressed is not null && !Failed;

    public static CorpusRun Measure(ChildProcesses children, string scratch, BenchModel model)
    {
        var stem = Path.Combine(scratch, $"corpus-{model.Name}");
        var analysisPath = stem + "-analyze.json";
        var (analyze, analyzeLog) = children.RunCli(["analyze", model.Path, "--report", analysisPath, "--quiet", .. model.DimensionArgs]);
        var seconds = analyze?.Seconds ?? 0;
        if (analyze is not { ExitCode: 0 } || !File.Exists(analysisPath))
            return Stopped(model, null, new Dictionary<string, int>(), seconds, "analyze", analyze, analyzeLog);
        var analysis = Read(analysisPath).Analysis!;
        var skipped = analysis.Skipped.GroupBy(s => s.Reason).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());

        var output = stem + ".onnx";
        var reportPath = stem + "-compress.json";
        var (compress, compressLog) = children.RunCli(
            ["compress", model.Path, "-o", output, "--keep-params", Text.Number(KeepParams), "--report", reportPath, "--quiet", .. model.DimensionArgs]);
        seconds += compress?.Seconds ?? 0;
        if (compress is not { ExitCode: 0 } || !File.Exists(reportPath) || !File.Exists(output))
            return Stopped(model, analysis.Layers.Count, skipped, seconds, "compress", compress, compressLog);
        var written = Read(reportPath);
        var compressed = written.Compression!.Layers.Count;
        var outcome = written.NotRunReason is { } notRun ? $"compressed + loaded (not run: {notRun})" : "compressed + verified";
        try
        {
            // The third step, apart from the tool: the official package loads the written file as a user's program would.
            using (OnnxRuntimeSessions.Open(output)) { }
            return new CorpusRun(model, analysis.Layers.Count, compressed, skipped, seconds, outcome, Failed: false);
        }
        catch (OnnxRuntimeException e)
        {
            return new CorpusRun(model, analysis.Layers.Count, compressed, skipped, seconds, $"FAILED: ONNX Runtime does not load the output: {e.Message}", Failed: true);
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>A step that ended early: exit 2 is the tool's typed refusal (its error line is the reason); any other end is a failure.</summary>
    private static CorpusRun Stopped(BenchModel model, int? layers, IReadOnlyDictionary<string, int> skipped, double seconds, string step,
        ChildMeasurement? measurement, string log)
    {
        var said = ErrorLine(log);
        return measurement is { ExitCode: 2 }
            ? new CorpusRun(model, layers, null, skipped, seconds, $"skipped: {step}: {said}", Failed: false)
            : new CorpusRun(model, layers, null, skipped, seconds, $"FAILED: {step} exited with {measurement?.ExitCode.ToString() ?? "no measurement"}: {said}", Failed: true);
    }

    private static string ErrorLine(string log) =>
        log.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal))?["error: ".Length..]
        ?? Text.LastLines(log, 1).Trim();

    private static RunReport Read(string path) => JsonSerializer.Deserialize<RunReport>(File.ReadAllText(path), JsonReport.Options)!;
}
