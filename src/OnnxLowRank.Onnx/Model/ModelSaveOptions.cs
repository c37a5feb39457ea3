namespace OnnxLowRank.Onnx;

/// <summary>How <see cref="OnnxModelFile.Save"/> lays a model out on disk.</summary>
public sealed record ModelSaveOptions
{
    /// <summary>Move large initializers to a side file even when the model would fit inline.</summary>
    public bool UseExternalData { get; init; }

    /// <summary>Initializers whose raw_data is at least this many bytes go to the side file; smaller ones stay inline.</summary>
    public long ExternalThresholdBytes { get; init; } = 1024;

    /// <summary>Side file name (no folders), written next to the model; default "&lt;model file name&gt;.data".</summary>
    public string? ExternalDataFileName { get; init; }
}
