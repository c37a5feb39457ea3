
namespace OnnxLowRank.Core.Analysis;

/// <summary>Which singular values describe a layer's truncation error.</summary>
public enum SpectrumKind
{
    /// <summary>Of the weight W itself: error measured in weight space.</summary>
    Weight,

    /// <summary>Of W S, S whitening the calibration inputs: error measured on the layer's outputs.</summary>
    DataAware,
}
