using System.CommandLine;
using OnnxLowRank.Cli.Reports;
using OnnxLowRank.Cli.Terminal;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Onnx;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Commands;

/// <summary>
/// analyze MODEL: every compressible layer with its size, FLOPs (measured in ONNX Runtime) and how
/// far its spectrum lets it shrink; with calibration data, each layer's measured damage to the outputs at
/// a quarter, half and three quarters of its size; every skipped node with the reason.
/// </summary>
internal sealed class AnalyzeCommand
{
    private readonly Argument<string> _model = new("MODEL") { Description = "The .onnx model" };
    private readonly Option<bool> _json = new("--json") { Description = "Print the report as JSON on standard output instead of tables" };
    private readonly PipelineArguments _pipeline = new();
    private readonly CalibrationArguments _calibration = new();
    private readonly Option<string?> _normalize = new("--normalize") { Description = "Image normalisation for IDX calibration data, e.g. 0.2860,0.3530", HelpName = "MEAN,STD" };
    private readonly TextOptions _text = new();
    private readonly EngineOptions _engine = new();
    private readonly Option<string?> _report = ReportOption.Create();

    public Command Build()
    {
        var command = new Command("analyze", "Show each compressible layer's size, FLOPs and spectrum, and why other nodes are skipped");
        command.Add(_model);
        command.Add(_json);
        _pipeline.AddTo(command);
        _calibration.AddTo(command);
        command.Add(_normalize);
        _text.AddTo(command);
        _engine.AddTo(command);
        command.Add(_report);
        return command;
    }

    public int Execute(ParseResult result, ConsoleSession console)
    {
        var path = result.GetRequiredValue(_model);
        var model = OnnxModelFile.Load(path);
        var pipeline = new CompressionPipeline(new OnnxRuntimeModelRunner(_engine.Read(result)));
        var calibration = _calibration.Read(result, Shared(result), batchSize: 32, model);
        // With calibration data every layer's damage to the outputs is measured too, so the report shows which layers to leave whole.
        var options = _pipeline.Read(result) with { Calibration = calibration, MeasureSensitivity = calibration is not null };
        var analysis = console.WithProgress(report => ModelErrors.Naming(path, () => pipeline.Analyze(model, options, PipelineProgressBridge.To(report))));
        var runReport = new RunReport
        {
            ToolVersion = CliApplication.Version,
            Command = "analyze",
            CreatedUtc = DateTimeOffset.UtcNow,
            Original = ModelSummaries.Of(path, model),
            Analysis = AnalysisSection.From(analysis),
        };
        if (result.GetValue(_json))
        {
            console.Stdout.Write(JsonReport.Render(runReport));
            if (result.GetValue(_report) is { } file) ReportFile.Write(runReport, file);
            return ExitCode.Success;
        }
        return ReportPresentation.Finish(console, runReport, result.GetValue(_report));
    }

    private DataSourceOptions Shared(ParseResult result) => _text.Apply(result, new()
    {
        Dimensions = _pipeline.Dimensions.Read(result),
        Normalization = result.GetValue(_normalize) is { } text ? PixelNormalization.Parse(text) : PixelNormalization.UnitRange,
    });
}
