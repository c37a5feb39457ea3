namespace OnnxLowRank.Core.Pipeline;

/// <summary>A step of the pipeline finished: <paramref name="Done"/> of <paramref name="Total"/> units of <paramref name="Stage"/>.</summary>
public sealed record PipelineProgress(PipelineStage Stage, int Done, int Total);

/// <summary>The pipeline's stages, in order.</summary>
public enum PipelineStage
{
    Discovery,
    Measurement,

    /// <summary>Calibration batches run through the model; units are samples.</summary>
    Calibration,

    Spectra,

    /// <summary>Layers timed on their own (latency-aware); units are layers.</summary>
    Timing,

    /// <summary>Layers factorized alone at a grid of sizes and their damage to the outputs measured (sensitivity); units are layers.</summary>
    Sensitivity,

    Allocation,

    /// <summary>Layers refitted to the outputs of the compressed layers before them (sequential calibration); units are waves.</summary>
    Refit,

    Rewrite,
}
