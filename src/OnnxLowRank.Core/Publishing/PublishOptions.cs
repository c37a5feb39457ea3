using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx;

namespace OnnxLowRank.Core.Publishing;

/// <summary>How <see cref="VerifiedModelWriter"/> writes and checks a model.</summary>
public sealed record PublishOptions
{
    /// <summary>The file the model was compressed from; the writer refuses to replace it unless <see cref="Force"/>.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Allow the destination to be the source model; it is then replaced atomically, never written in place.</summary>
    public bool Force { get; init; }

    /// <summary>Layout on disk (external data); null means inline when the model fits protobuf's 2 GB limit.</summary>
    public ModelSaveOptions? Save { get; init; }

    /// <summary>Sizes for symbolic input dimensions in the verification run; a dimension without one runs at 1.</summary>
    public DimensionSizes DimensionSizes { get; init; } = DimensionSizes.None;
}
