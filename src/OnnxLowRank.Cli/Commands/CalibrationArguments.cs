using System.CommandLine;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Cli.Commands;

/// <summary>
/// --calibration DATA: inputs whose layer statistics make the decomposition data-aware (whitened
/// spectra, bias correction; auto then picks sensitivity). Read like --data, with its own limit.
/// </summary>
internal sealed class CalibrationArguments
{
    public Option<string?> Data { get; } = new("--calibration")
    {
        Description = "Calibration inputs for data-aware factorization (same forms as --data; training data, not the test set)",
        HelpName = "DATA",
    };

    public Option<int> Limit { get; } = new Option<int>("--calibration-limit")
    {
        Description = "Calibration samples to use at most",
        DefaultValueFactory = _ => 512,
        HelpName = "N",
    }.AtLeast(1);

    public Option<int> Offset { get; } = new Option<int>("--calibration-offset")
    {
        Description = "Calibration samples to skip first (to calibrate on another slice of the same file)",
        HelpName = "N",
    }.AtLeast(0);

    public Option<bool> NoRefit { get; } = new("--no-refit")
    {
        Description = "Factorize every layer for the original model's inputs instead of refitting each to the inputs the compressed layers before it give (faster; usually less accurate)",
    };

    public Option<bool> NoBiasCorrection { get; } = new("--no-bias-correction")
    {
        Description = "Leave biases as they are instead of shifting them to keep each layer's mean output on the calibration data",
    };

    public void AddTo(Command command)
    {
        command.Add(Data);
        command.Add(Limit);
        command.Add(Offset);
        command.Add(NoRefit);
        command.Add(NoBiasCorrection);
    }

    /// <summary>Whether calibrated factors are refitted layer by layer (<see cref="Core.Pipeline.PipelineOptions.RefitSequentially"/>).</summary>
    public bool Refits(ParseResult result) => !result.GetValue(NoRefit);

    /// <summary>True when --calibration was given.</summary>
    public bool Given(ParseResult result) => result.GetValue(Data) is not null;

    /// <summary>
    /// Calibration options, or null without --calibration. <paramref name="shared"/> supplies the
    /// normalisation, shapes, seed and tokenizer, which describe the model's input and so hold for both data sets;
    /// <paramref name="model"/> the tables its token inputs index.
    /// </summary>
    public CalibrationOptions? Read(ParseResult result, DataSourceOptions shared, int batchSize, ModelProto model)
    {
        if (result.GetValue(Data) is not { } data) return null;
        var options = shared with { LabelsPath = null, Slice = new DataSlice(result.GetValue(Offset), result.GetValue(Limit)), TableRows = TokenEmbeddings.TableRows(model) };
        return new CalibrationOptions(inputs => DataSourceOpener.Open(data, inputs, options))
        {
            BatchSize = batchSize,
            Seed = shared.Seed,
            CorrectBias = !result.GetValue(NoBiasCorrection),
        };
    }
}
