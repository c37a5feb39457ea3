using System.CommandLine;
using OnnxLowRank.Cli.Reports;
using OnnxLowRank.Cli.Terminal;
using OnnxLowRank.Onnx;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Commands;

/// <summary>
/// diff ORIGINAL COMPRESSED --data DATA: runs both models on the same inputs and reports
/// agreement, accuracy, errors and latency; quality gates turn the result into an exit code.
/// </summary>
internal sealed class DiffCommand
{
    private readonly Argument<string> _original = new("ORIGINAL") { Description = "The original .onnx model" };
    private readonly Argument<string> _compressed = new("COMPRESSED") { Description = "The model to compare with it" };
    private readonly DataOptions _data = new("--data", "Inputs: an IDX images file, .npy/.npz, a folder of ONNX .pb tensors, text (.txt, with --tokenizer), or 'random'", required: true);
    private readonly DimensionOption _dimensions = new();
    private readonly EngineOptions _engine = new();
    private readonly GateOptions _gates = new();
    private readonly Option<string?> _report = ReportOption.Create();

    public Command Build()
    {
        var command = new Command("diff", "Compare a compressed model with the original on the same inputs");
        command.Add(_original);
        command.Add(_compressed);
        _data.AddTo(command);
        _dimensions.AddTo(command);
        _engine.AddTo(command);
        _gates.AddTo(command);
        command.Add(_report);
        return command;
    }

    public int Execute(ParseResult result, ConsoleSession console)
    {
        var originalPath = result.GetRequiredValue(_original);
        var compressedPath = result.GetRequiredValue(_compressed);
        var dataOptions = _data.Read(result, _dimensions);
        var gate = _gates.Read(result);
        var original = OnnxModelFile.Load(originalPath);
        var compressed = OnnxModelFile.Load(compressedPath);
        var runner = new OnnxRuntimeModelRunner(_engine.Read(result));

        var comparison = ComparisonRun.Compare(console, runner, original, compressed, result.GetRequiredValue(_data.Data), dataOptions, result.GetValue(_data.Batch));
        var outcomes = gate.Evaluate(comparison);
        var report = new RunReport
        {
            ToolVersion = CliApplication.Version,
            Command = "diff",
            CreatedUtc = DateTimeOffset.UtcNow,
            Passed = outcomes.All(o => o.Passed),
            Original = ModelSummaries.Of(originalPath, original),
            Compressed = ModelSummaries.Of(compressedPath, compressed),
            Comparison = ComparisonSection.From(comparison),
            Gates = outcomes,
        };
        return ReportPresentation.Finish(console, report, result.GetValue(_report));
    }
}
