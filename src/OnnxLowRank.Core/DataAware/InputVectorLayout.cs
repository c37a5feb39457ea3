using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;
using OnnxLowRank.Onnx;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// How a layer's input tensor splits into the vectors its weight matrix multiplies: rows for Gemm and
/// MatMul, im2col patches for Conv. A vector has the weight matrix's column layout.
/// </summary>
internal abstract class InputVectorLayout
{
    public static InputVectorLayout For(CompressibleLayer layer) => layer.Kind switch
    {
        LayerKind.Gemm => new RowLayout(layer.Geometry.InputChannels, byColumns: layer.Node.IntAttribute("transA", 0) != 0, lastAxisOnly: false),
        LayerKind.MatMul => new RowLayout(layer.Geometry.InputChannels, byColumns: false, lastAxisOnly: true),
        _ => new ConvPatchLayout(layer),
    };

    /// <summary>How many input vectors a tensor of this shape holds; throws when the shape does not fit the layer.</summary>
    public abstract long VectorCount(long[] shape);

    /// <summary>
    /// Writes input vectors <paramref name="indices"/> of <paramref name="group"/> into the columns of
    /// <paramref name="target"/> (vector length x indices.Length).
    /// </summary>
    public abstract void Fill(InputValues values, int group, long[] indices, RowMajorMatrix target);
}
