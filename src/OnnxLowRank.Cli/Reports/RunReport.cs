using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Validation;

namespace OnnxLowRank.Cli.Reports;

/// <summary>
/// The document every report format renders: one per command run. Its JSON form is the stable
/// schema described in docs/report-schema.md; fields are only ever added, and a change that
/// breaks readers raises <see cref="SchemaVersion"/>.
/// </summary>
public sealed record RunReport
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public string Tool { get; init; } = "onnx-lowrank";

    public required string ToolVersion { get; init; }

    /// <summary>diff, compress, sweep or analyze.</summary>
    public required string Command { get; init; }

    public required DateTimeOffset CreatedUtc { get; init; }

    /// <summary>False when a quality gate failed.</summary>
    public bool Passed { get; init; } = true;

    public required ModelSummary Original { get; init; }

    public ModelSummary? Compressed { get; init; }

    /// <summary>compress: null when the written model ran once in ONNX Runtime; else why it was only loaded.</summary>
    public string? NotRunReason { get; init; }

    public ComparisonSection? Comparison { get; init; }

    public IReadOnlyList<GateOutcome> Gates { get; init; } = [];

    /// <summary>compress: the budget and the rewritten layers.</summary>
    public CompressionSection? Compression { get; init; }

    /// <summary>compress without a keep option, gated: every step of the search for the smallest passing fraction.</summary>
    public SearchSection? Search { get; init; }

    /// <summary>compress with --calibration and --validate: how many validation samples the calibration data holds too.</summary>
    public SampleOverlap? CalibrationOverlap { get; init; }

    /// <summary>sweep: one point per method and keep fraction.</summary>
    public SweepSection? Sweep { get; init; }

    /// <summary>analyze: the layers and their spectra.</summary>
    public AnalysisSection? Analysis { get; init; }
}

/// <summary>A model file: where it is, its size on disk, and its stored parameters (initializers and Constant tensors).</summary>
public sealed record ModelSummary(string Path, long FileBytes, long Parameters);

/// <summary>How the compressed model's outputs compare with the original's, and how fast each ran.</summary>
public sealed record ComparisonSection(
    string Data,
    int Samples,
    int BatchSize,
    bool HasLabels,
    IReadOnlyList<OutputComparison> Outputs,
    LatencySummary OriginalLatency,
    LatencySummary CompressedLatency,
    double? Speedup)
{
    public static ComparisonSection From(ModelComparison c) =>
        new(c.Data, c.Samples, c.BatchSize, c.HasLabels, c.Outputs, c.Original, c.Compressed, c.Speedup);
}
