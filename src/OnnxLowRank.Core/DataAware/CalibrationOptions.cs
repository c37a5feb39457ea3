using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Where calibration inputs come from and how much of each batch is kept (ALGORITHMS.md section 5).
/// The source is opened once the model's inputs are known, so a caller can hand over a file path
/// through <see cref="DataSourceOpener"/> without opening a session of its own.
/// </summary>
public sealed record CalibrationOptions
{
    public CalibrationOptions(Func<IReadOnlyList<ValueDescriptor>, IDataSource> openSource)
    {
        ArgumentNullException.ThrowIfNull(openSource);
        OpenSource = openSource;
    }

    /// <summary>Calibration from a source that is already open.</summary>
    public static CalibrationOptions From(IDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new CalibrationOptions(_ => source);
    }

    /// <summary>Opens the calibration samples for a model with the given inputs.</summary>
    public Func<IReadOnlyList<ValueDescriptor>, IDataSource> OpenSource { get; }

    /// <summary>Samples per model run.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Input vectors (Gemm and MatMul rows, Conv patches) kept per batch per layer; more are sampled
    /// down to this many, without replacement.
    /// </summary>
    public int MaxVectorsPerBatch { get; init; } = 4096;

    /// <summary>Seeds the sampling of input vectors, so a run is reproducible.</summary>
    public int Seed { get; init; }

    /// <summary>The ridge added to each block of the input second moment before its Cholesky factor, relative to its mean diagonal.</summary>
    public double RelativeRidge { get; init; } = Whitening.DefaultRelativeRidge;

    /// <summary>
    /// Shift each rewritten layer's bias by (W - W^) mean(x), so the layer's mean output over the calibration data is
    /// kept; whitening then uses the input covariance, since the mean's share of the error is corrected anyway.
    /// </summary>
    public bool CorrectBias { get; init; } = true;

    /// <summary>Opens the calibration samples for a model with the given inputs, refusing a source without any.</summary>
    internal IDataSource OpenSamples(IReadOnlyList<ValueDescriptor> inputs)
    {
        var source = OpenSource(inputs);
        if (source.Count == 0)
            throw new InvalidInputDataException("The calibration data holds no samples.", advice: "give calibration data with at least one sample");
        return source;
    }

    internal void Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"The calibration batch size must be at least 1, got {BatchSize}.");
        if (MaxVectorsPerBatch < 1) throw new ArgumentException($"MaxVectorsPerBatch must be at least 1, got {MaxVectorsPerBatch}.");
        if (!(RelativeRidge >= 0) || double.IsInfinity(RelativeRidge)) throw new ArgumentException($"RelativeRidge must be a finite value of 0 or more, got {RelativeRidge}.");
    }
}
