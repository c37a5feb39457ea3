using System.CommandLine;
using OnnxLowRank.Cli.Reports;
using OnnxLowRank.Cli.Terminal;
using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Commands;

/// <summary>
/// sweep MODEL --data DATA --keep 0.1:0.9:0.1 --methods alds,uniform: the model is analysed once,
/// then compressed at every keep fraction by every method, and each result compared with the original.
/// </summary>
internal sealed class SweepCommand
{
    private readonly Argument<string> _model = new("MODEL") { Description = "The .onnx model" };
    private readonly DataOptions _data = new("--data", "Inputs to compare on (same forms as diff --data)", required: true);
    private readonly Option<string> _keep = new("--keep")
    {
        Description = "Keep fractions: START:STOP:STEP or a comma list",
        DefaultValueFactory = _ => "0.1:0.9:0.1",
        HelpName = "FRACTIONS",
    };
    private readonly Option<string[]> _methods = new Option<string[]>("--methods")
    {
        Description = $"Allocators to compare, comma-separated or repeated (default: all of {string.Join(", ", BudgetedAllocators(calibrated: true))}; {SensitivityAllocator.RegistryName} only with --calibration)",
        HelpName = "NAMES",
    }.Allocators(commaLists: true);
    private readonly Option<string> _budget = new Option<string>("--budget")
    {
        Description = "What the keep fractions are fractions of",
        DefaultValueFactory = _ => "params",
        HelpName = "params|flops|latency",
    }.AcceptOnlyFromAmong("params", "flops", "latency");
    private readonly Option<bool> _latencyAware = new("--latency-aware")
    {
        Description = "Time each layer and its candidate pairs once (with --ep and --threads); no point keeps a pair slower than its layer (implied by --budget latency)",
    };
    private readonly PipelineArguments _pipeline = new();
    private readonly CalibrationArguments _calibration = new();
    private readonly EngineOptions _engine = new();
    private readonly Option<string?> _report = ReportOption.Create();

    public Command Build()
    {
        var command = new Command("sweep", "Compress at many budgets with several methods and compare each result with the original");
        command.Add(_model);
        _data.AddTo(command);
        command.Add(_keep);
        command.Add(_methods);
        command.Add(_budget);
        command.Add(_latencyAware);
        _pipeline.AddTo(command);
        _calibration.AddTo(command);
        _engine.AddTo(command);
        command.Add(_report);
        _keep.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && KeepFractions.Parse(r.Tokens[0].Value) is null)
                r.AddError($"--keep '{r.Tokens[0].Value}' is not START:STOP:STEP or a comma list of fractions in (0, 1].");
        });
        return command;
    }

    public int Execute(ParseResult result, ConsoleSession console)
    {
        var path = result.GetRequiredValue(_model);
        var keeps = KeepFractions.Parse(result.GetRequiredValue(_keep))!;
        var methods = OptionRules.AllocatorNames(result.GetValue(_methods) ?? []).ToList();
        if (methods.Count == 0) methods = BudgetedAllocators(_calibration.Given(result)).ToList();
        var budget = result.GetValue(_budget) switch
        {
            "flops" => BudgetKind.Flops,
            "latency" => BudgetKind.Latency,
            _ => BudgetKind.Parameters,
        };
        var model = OnnxModelFile.Load(path);
        var dataOptions = _data.Read(result, _pipeline.Dimensions) with { TableRows = TokenEmbeddings.TableRows(model) };
        var batch = result.GetValue(_data.Batch);
        var calibration = _calibration.Read(result, dataOptions, batch, model);
        var baseOptions = _pipeline.Read(result) with
        {
            Budget = budget,
            Calibration = calibration,
            LatencyAware = result.GetValue(_latencyAware),
            RefitSequentially = _calibration.Refits(result),
            // Layers are timed once for every method: with one that uses slices among them, slicings k > 1 are timed too.
            Method = methods.Select(m => RankAllocators.Resolve(m, calibration is not null)).FirstOrDefault(a => a.UsesSlices)?.Name ?? RankAllocators.Auto,
            // Sensitivity is measured once too, when a method among them chooses by it.
            MeasureSensitivity = methods.Any(m => RankAllocators.Resolve(m, calibration is not null).NeedsMeasuredDamage),
        };

        var runner = new OnnxRuntimeModelRunner(_engine.Read(result));
        var pipeline = new CompressionPipeline(runner);
        using var originalSession = runner.Open(model);
        var source = DataSourceOpener.Open(result.GetRequiredValue(_data.Data), originalSession.Inputs, dataOptions);

        var points = new List<SweepPoint>();
        double? originalAccuracy = null, originalMedian = null, originalPerplexity = null;
        console.WithProgress(report =>
        {
            var analysis = ModelErrors.Naming(path, () => pipeline.Analyze(model, baseOptions, PipelineProgressBridge.To(report)));
            var total = methods.Count * keeps.Count;
            foreach (var method in methods)
            {
                foreach (var keep in keeps)
                {
                    points.Add(Point(pipeline, runner, model, analysis, baseOptions with { Method = method, KeepFraction = keep }, originalSession, source, batch, report,
                        ref originalAccuracy, ref originalMedian, ref originalPerplexity));
                    report("sweep", points.Count, total);
                }
            }
            return points;
        });

        var runReport = new RunReport
        {
            ToolVersion = CliApplication.Version,
            Command = "sweep",
            CreatedUtc = DateTimeOffset.UtcNow,
            Original = ModelSummaries.Of(path, model),
            Sweep = new SweepSection(budget switch { BudgetKind.Flops => "flops", BudgetKind.Latency => "latency", _ => "parameters" }, source.Description, source.Count, originalAccuracy, originalMedian, points, originalPerplexity),
        };
        return ReportPresentation.Finish(console, runReport, result.GetValue(_report));
    }

    private static SweepPoint Point(CompressionPipeline pipeline, OnnxRuntimeModelRunner runner, Onnx.Protos.ModelProto model, ModelAnalysis analysis,
        PipelineOptions options, Core.Execution.IModelSession originalSession, IDataSource source, int batch, Action<string, double, double> report,
        ref double? originalAccuracy, ref double? originalMedian, ref double? originalPerplexity)
    {
        PipelineResult compressed;
        try
        {
            compressed = pipeline.Compress(model, analysis, options);
        }
        catch (BudgetUnreachableException e)
        {
            // One unreachable budget is a finding of the sweep, not a failure of it.
            return new SweepPoint(options.Method, options.KeepFraction, null, null, null, null, null, null, null, null, null, null, e.Reason);
        }
        using var session = runner.Open(compressed.Compression.Model);
        var comparison = ComparisonRun.Compare(originalSession, session, source, batch, TokenEmbeddings.Vocabulary(model), report, "comparing", briefTiming: true);
        var primary = comparison.Primary;
        var tokens = comparison.Outputs.Select(o => o.Tokens).FirstOrDefault(t => t is not null);
        originalAccuracy ??= primary?.OriginalAccuracy;
        originalPerplexity ??= tokens?.OriginalPerplexity;
        originalMedian ??= comparison.Original.MedianMs;
        return new SweepPoint(
            compressed.Allocation.Allocator, options.KeepFraction, compressed.Allocation.KeptFraction, compressed.BudgetParametersAfter, compressed.BudgetFlopsAfter,
            compressed.Allocation.MaxErrorBound, primary?.TopOneAgreement, primary?.CompressedAccuracy, primary?.AccuracyDropPoints, primary?.RelativeL2Error,
            comparison.Compressed.MedianMs, comparison.Speedup, null, tokens?.MeanPooledCosine, tokens?.CompressedPerplexity);
    }

    /// <summary>
    /// The allocators a sweep over keep fractions compares by default: those that need a budget, and of those the one
    /// that measures damage only with calibration data. One with a rule of its own (ARSVD's energy share) can be swept
    /// too, but only when named.
    /// </summary>
    private static IEnumerable<string> BudgetedAllocators(bool calibrated) =>
        RankAllocators.All.Where(a => a.NeedsBudget && (calibrated || !a.NeedsMeasuredDamage)).Select(a => a.Name);
}
