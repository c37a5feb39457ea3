using System.CommandLine;
using OnnxLowRank.Cli.Reports;
using OnnxLowRank.Cli.Terminal;
using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Publishing;
using OnnxLowRank.Core.Search;
using OnnxLowRank.Core.Validation;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Commands;

/// <summary>
/// compress MODEL -o OUT: allocate ranks under a budget, rewrite the layers into low-rank pairs,
/// save; with --validate DATA, compare the result with the original and apply the gates. With a gate and no keep
/// option, search for the smallest keep fraction that passes (<see cref="GateSearch"/>).
/// </summary>
internal sealed class CompressCommand
{
    private readonly Argument<string> _model = new("MODEL") { Description = "The .onnx model to compress" };
    private readonly Option<string> _output = new("--output", "-o") { Description = "Where to write the compressed model", Required = true, HelpName = "OUT" };
    private readonly Option<string> _method = new Option<string>("--method")
    {
        Description = "Rank allocator",
        DefaultValueFactory = _ => RankAllocators.Auto,
        HelpName = string.Join("|", [RankAllocators.Auto, .. RankAllocators.Names]),
    }.Allocators();
    private readonly Option<double?> _keepParams = new Option<double?>("--keep-params") { Description = "Keep this fraction of the compressible layers' weights (default 0.5)", HelpName = "R" }.Between(0, 1);
    private readonly Option<double?> _keepFlops = new Option<double?>("--keep-flops") { Description = "Keep this fraction of their multiply-accumulates", HelpName = "R" }.Between(0, 1);
    private readonly Option<double?> _keepLatency = new Option<double?>("--keep-latency")
    {
        Description = "Keep this fraction of the summed per-layer time, each layer timed on its own in the engine (implies --latency-aware)",
        HelpName = "R",
    }.Between(0, 1);
    private readonly Option<bool> _latencyAware = new("--latency-aware")
    {
        Description = "Time each layer and its candidate pairs in the engine (with --provider and --threads); never keep a pair slower than its layer",
    };
    private readonly Option<double?> _energy = new Option<double?>("--energy") { Description = "No global budget: keep this share of each layer's energy (ARSVD)", HelpName = "T" }.Between(0, 1);
    private readonly PipelineArguments _pipeline = new();
    private readonly CalibrationArguments _calibration = new();
    private readonly DataOptions _validate = new("--validate", "Compare with the original on these inputs (same forms as diff --data)", required: false);
    private readonly EngineOptions _engine = new();
    private readonly GateOptions _gates = new();
    private readonly Option<string?> _report = ReportOption.Create();
    private readonly Option<bool> _force = new("--force") { Description = "Allow -o to be the input model (it is replaced atomically, never written in place)" };
    private readonly Option<bool> _externalData = new("--external-data") { Description = "Store the weights in a side file beside the model (ONNX external data)" };
    private readonly Option<string?> _planOut = new("--plan-out")
    {
        Description = "Write the chosen per-layer sizes (k, rank, factor order) as JSON, to review, edit or re-apply with --plan",
        HelpName = "FILE",
    };
    private readonly Option<string?> _plan = new("--plan")
    {
        Description = "Apply the per-layer sizes of a plan written by --plan-out instead of allocating (no budget or method options)",
        HelpName = "FILE",
    };
    private readonly Option<string?> _budget = new Option<string?>("--budget")
    {
        Description = "With a gate and no keep option: what the searched keep fraction counts (default params)",
        HelpName = "params|flops|latency",
    }.AcceptOnlyFromAmong("params", "flops", "latency");
    private readonly Option<double?> _searchLow = new Option<double?>("--search-low")
    {
        Description = $"With a gate and no keep option: the smallest keep fraction the search considers (default {new KeepSearchOptions().Low})",
        HelpName = "R",
    }.Between(0, 1);
    private readonly Option<double?> _searchTolerance = new Option<double?>("--search-tolerance")
    {
        Description = $"With a gate and no keep option: stop when the passing and failing fractions are this close (default {new KeepSearchOptions().Tolerance})",
        HelpName = "R",
    }.Between(0, 1);

    public Command Build()
    {
        var command = new Command("compress", "Factorize layers into low-rank pairs under a budget and save the model");
        command.Add(_model);
        command.Add(_output);
        command.Add(_method);
        command.Add(_keepParams);
        command.Add(_keepFlops);
        command.Add(_keepLatency);
        command.Add(_energy);
        command.Add(_latencyAware);
        _pipeline.AddTo(command);
        _calibration.AddTo(command);
        _validate.AddTo(command);
        _engine.AddTo(command);
        _gates.AddTo(command);
        command.Add(_report);
        command.Add(_force);
        command.Add(_externalData);
        command.Add(_planOut);
        command.Add(_plan);
        command.Add(_budget);
        command.Add(_searchLow);
        command.Add(_searchTolerance);
        command.Validators.Add(result =>
        {
            var allocating = new Option[] { _keepParams, _keepFlops, _keepLatency, _energy, _method, _latencyAware }
                .Where(o => result.GetResult(o) is { Implicit: false }).ToList();
            if (result.GetResult(_plan) is { Implicit: false } && allocating.Count > 0)
                result.AddError($"--plan gives every layer's size; drop {string.Join(" and ", allocating.Select(o => o.Name))}.");
            var budgets = new Option[] { _keepParams, _keepFlops, _keepLatency, _energy }.Where(o => result.GetResult(o) is { Implicit: false }).ToList();
            if (budgets.Count > 1) result.AddError($"Give one budget: {string.Join(" or ", budgets.Select(b => b.Name))}, not both.");
            var gates = _gates.AnyGiven(result);
            if (gates && result.GetResult(_validate.Data) is null) result.AddError("Gates need --validate DATA to measure against.");
            var searchOptions = new Option[] { _budget, _searchLow, _searchTolerance }.Where(o => result.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
            if (searchOptions.Count == 0) return;
            var named = string.Join(" and ", searchOptions);
            if (budgets.Count > 0)
                result.AddError($"{named} belong to the search for a keep fraction, and {string.Join(" and ", budgets.Select(b => b.Name))} gives one; drop one or the other.");
            else if (result.GetResult(_plan) is { Implicit: false })
                result.AddError($"--plan gives every layer's size, so there is nothing to search; drop {named}.");
            else if (!gates)
                result.AddError($"{named} belong to the search for the smallest passing keep fraction, which needs a gate (--max-accuracy-drop, --min-agreement or --min-cosine) and --validate DATA.");
            if (result.GetValue(_searchLow) is { } low && !(low > 0 && low < SearchHigh))
                result.AddError($"--search-low must lie above 0 and below {SearchHigh}.");
            if (result.GetValue(_searchTolerance) is { } tolerance && !(tolerance > 0 && tolerance <= 0.5))
                result.AddError("--search-tolerance must lie above 0 and at most 0.5.");
        });
        return command;
    }

    public int Execute(ParseResult result, ConsoleSession console)
    {
        var path = result.GetRequiredValue(_model);
        var outputPath = result.GetRequiredValue(_output);
        // Refuse to overwrite the input before the expensive work, not after it.
        VerifiedModelWriter.CheckDestination(path, outputPath, result.GetValue(_force));
        var planPath = result.GetValue(_plan);
        // A plan that cannot be read fails before the model is even loaded.
        var plan = planPath is null ? null : PlanFile.Read(planPath);
        var model = OnnxModelFile.Load(path);
        var validateOptions = _validate.Read(result, _pipeline.Dimensions);
        var options = Budget(result, _pipeline.Read(result) with
        {
            Method = result.GetRequiredValue(_method),
            LatencyAware = result.GetValue(_latencyAware),
            Calibration = _calibration.Read(result, validateOptions, result.GetValue(_validate.Batch), model),
            RefitSequentially = _calibration.Refits(result),
            Plan = plan,
            PlanPath = planPath,
        });
        var runner = new OnnxRuntimeModelRunner(_engine.Read(result));
        var data = result.GetValue(_validate.Data);
        // Weights left on disk are compared from the input's own data file, which writing over the input replaces.
        if (data is not null && DiskTensor.AnyIn(model) && RealPath.Same(path, outputPath))
        {
            throw new UsageException("--validate compares against the input's weights in its data file, which writing over the input replaces",
                Path.GetFullPath(path), advice: "write the compressed model to another path with -o");
        }
        validateOptions = validateOptions with { TableRows = TokenEmbeddings.TableRows(model) };
        var overlap = data is not null && options.Calibration is { } calibration ? MeasureOverlap(console, model, calibration, data, validateOptions) : null;

        var gate = _gates.Read(result);
        WrittenModel compressed;
        ModelComparison? comparison = null;
        IReadOnlyList<GateOutcome> outcomes = [];
        SearchSection? search = null;
        if (data is not null && gate.Any && plan is null && !KeepGiven(result))
        {
            using var originalSession = runner.Open(model);
            var validation = DataSourceOpener.Open(data, originalSession.Inputs, validateOptions);
            var found = GateSearch.Run(console, runner, path, model, options, gate, SearchOptions(result), originalSession, validation, result.GetValue(_validate.Batch));
            compressed = Write(result, path, outputPath, model, options with { KeepFraction = found.Section.ChosenKeepFraction }, runner, found.Compressed, validating: false);
            (comparison, outcomes, search) = (found.Comparison, found.Gates, found.Section);
        }
        else
        {
            compressed = CompressAndWrite(result, path, outputPath, model, options, runner, console, validating: data is not null);
            if (data is not null)
            {
                comparison = ComparisonRun.Compare(console, runner, compressed.Original!, compressed.Model, data, validateOptions, result.GetValue(_validate.Batch),
                    "validating", path, outputPath);
                outcomes = gate.Evaluate(comparison);
            }
        }
        var report = new RunReport
        {
            ToolVersion = CliApplication.Version,
            Command = "compress",
            CreatedUtc = DateTimeOffset.UtcNow,
            Passed = outcomes.All(o => o.Passed),
            Original = compressed.OriginalSummary,
            Compressed = compressed.CompressedSummary,
            NotRunReason = compressed.NotRunReason,
            Compression = compressed.Section,
            Comparison = comparison is null ? null : ComparisonSection.From(comparison),
            Gates = outcomes,
            Search = search,
            CalibrationOverlap = overlap,
        };
        if (compressed.NotRunReason is { } notRun) console.Info($"not run: {notRun}");
        if (result.GetValue(_planOut) is { } planOut)
        {
            PlanFile.Write(planOut, compressed.Plan);
            console.Info($"wrote plan {planOut}: {compressed.Plan.Layers.Count} layers");
        }
        console.Info($"wrote {outputPath}: {ReportText.Count(compressed.ParametersBefore)} -> {ReportText.Count(compressed.ParametersAfter)} parameters");
        return ReportPresentation.Finish(console, report, result.GetValue(_report));
    }

    /// <summary>
    /// Counts the validation samples that are calibration samples too, and warns when there are any: the factors were
    /// fitted to those, so the validation figures flatter the model. Samples are compared by content
    /// (<see cref="SampleOverlap"/>), which catches a shared slice of one file and a copy of it in another alike.
    /// </summary>
    private static SampleOverlap MeasureOverlap(ConsoleSession console, ModelProto model, CalibrationOptions calibration, string data, DataSourceOptions validateOptions)
    {
        var inputs = DeclaredInputs.Of(model);
        var overlap = SampleOverlap.Measure(calibration.OpenSource(inputs), DataSourceOpener.Open(data, inputs, validateOptions));
        if (overlap.SharedSamples > 0)
        {
            console.Info($"warning: {overlap.SharedSamples} of the {overlap.ValidationSamples} validation samples are calibration samples too;"
                + " the factors were fitted to them, so validation flatters the model (give --validate data apart from --calibration, e.g. another --offset)");
        }
        return overlap;
    }

    /// <summary>True when the command line names the budget (a keep fraction or an energy share), so there is nothing to search.</summary>
    private bool KeepGiven(ParseResult result) =>
        new Option[] { _keepParams, _keepFlops, _keepLatency, _energy }.Any(o => result.GetResult(o) is { Implicit: false });

    private KeepSearchOptions SearchOptions(ParseResult result)
    {
        var defaults = new KeepSearchOptions();
        return defaults with
        {
            Low = result.GetValue(_searchLow) ?? defaults.Low,
            Tolerance = result.GetValue(_searchTolerance) ?? defaults.Tolerance,
        };
    }

    /// <summary>The highest fraction the search tries, and the bound --search-low stays below.</summary>
    private static readonly double SearchHigh = new KeepSearchOptions().High;

    /// <summary>Compresses the model and writes the result; the compression itself is not kept beyond what <see cref="Write"/> keeps.</summary>
    private WrittenModel CompressAndWrite(ParseResult result, string path, string outputPath, ModelProto model, PipelineOptions options,
        OnnxRuntimeModelRunner runner, ConsoleSession console, bool validating)
    {
        var compressed = console.WithProgress(report => ModelErrors.Naming(path, () => new CompressionPipeline(runner).Compress(model, options, PipelineProgressBridge.To(report))));
        return Write(result, path, outputPath, model, options, runner, compressed, validating);
    }

    /// <summary>
    /// Writes a compression and keeps what the rest of the command needs. The original model (and the analysis, which
    /// reaches its weights) stays alive only when validation compares against it: otherwise the collector can take it back
    /// before verification loads the written model into ONNX Runtime. The compressed model stays alive only when
    /// validation runs it from memory: one whose input kept its weights on disk (over 2 GB) is validated from the written
    /// file, and its factors would otherwise sit beside ONNX Runtime's copy of them.
    /// </summary>
    private WrittenModel Write(ParseResult result, string path, string outputPath, ModelProto model, PipelineOptions options,
        OnnxRuntimeModelRunner runner, PipelineResult compressed, bool validating)
    {
        var weightsOnDisk = DiskTensor.AnyIn(model);
        var published = new VerifiedModelWriter(runner).Write(compressed.Compression.Model, outputPath, new PublishOptions
        {
            SourcePath = path,
            Force = result.GetValue(_force),
            // A model whose weights had to stay on disk (over 2 GB) gets an output in the same layout: ONNX Runtime then
            // reads the output's weights from their file when verifying it, instead of parsing them from the model.
            Save = result.GetValue(_externalData) || weightsOnDisk ? new ModelSaveOptions { UseExternalData = true } : null,
            DimensionSizes = options.DimensionSizes,
        });
        return new WrittenModel(
            validating && !weightsOnDisk ? compressed.Compression.Model : null,
            validating ? model : null,
            ModelSummaries.Of(path, model),
            ModelSummaries.Of(outputPath, compressed.Compression.Model),
            CompressionSection.From(compressed, options),
            PlanDocument.Of(compressed),
            compressed.ParametersBefore,
            compressed.ParametersAfter,
            published.NotRunReason);
    }

    /// <param name="Model">The compressed model, when validation runs it from memory; else null.</param>
    /// <param name="Original">The input model, when validation needs it; else null.</param>
    /// <param name="Plan">The sizes chosen, as --plan-out writes them.</param>
    /// <param name="NotRunReason">Why the written model was loaded but not run, or null when it ran.</param>
    private sealed record WrittenModel(
        ModelProto? Model, ModelProto? Original, ModelSummary OriginalSummary, ModelSummary CompressedSummary, CompressionSection Section,
        PlanFile.Document Plan, long ParametersBefore, long ParametersAfter, string? NotRunReason);

    private PipelineOptions Budget(ParseResult result, PipelineOptions options)
    {
        // Without a keep option a gated compression searches the fraction; --budget says of what.
        switch (result.GetValue(_budget))
        {
            case "flops": return options with { Budget = BudgetKind.Flops };
            case "latency": return options with { Budget = BudgetKind.Latency, LatencyAware = true };
        }
        if (result.GetValue(_energy) is { } energy) return options with { Budget = BudgetKind.Energy, EnergyThreshold = energy };
        if (result.GetValue(_keepFlops) is { } flops) return options with { Budget = BudgetKind.Flops, KeepFraction = flops };
        if (result.GetValue(_keepLatency) is { } latency) return options with { Budget = BudgetKind.Latency, KeepFraction = latency, LatencyAware = true };
        return options with { Budget = BudgetKind.Parameters, KeepFraction = result.GetValue(_keepParams) ?? options.KeepFraction };
    }
}
