using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Gemm and MatMul inputs: each row of length K is one vector. Gemm's A is a matrix (M, K), or (K, M)
/// read by columns under transA; MatMul's X has any leading axes, all of them positions.
/// </summary>
internal sealed class RowLayout(int length, bool byColumns, bool lastAxisOnly) : InputVectorLayout
{
    public override long VectorCount(long[] shape)
    {
        var fits = lastAxisOnly
            ? shape.Length >= 1 && shape[^1] == length
            : shape.Length == 2 && shape[byColumns ? 0 : 1] == length;
        if (!fits)
            throw new InvalidOperationException($"An input of shape [{string.Join(",", shape)}] does not carry vectors of {length} features.");
        return shape.Aggregate(1L, (a, d) => a * d) / length;
    }

    public override void Fill(InputValues values, int group, long[] indices, RowMajorMatrix target)
    {
        var count = indices.Length;
        var vectors = VectorCount(values.Shape);
        for (var s = 0; s < count; s++)
        {
            var row = indices[s];
            for (var c = 0; c < length; c++)
                target.Values[c * count + s] = byColumns ? values[c * vectors + row] : values[row * length + c];
        }
    }
}
