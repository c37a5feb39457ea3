using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>
/// Folds a factorization's output shift d = (W - W^) mean(x) into the bias of the pair's second node,
/// as a new initializer (the old one goes once nothing reads it). Gemm: Y = alpha A W^T + beta C, so C
/// gains (alpha / beta) d, broadcast to C's shape (a scalar or single-column C widens to N columns);
/// nothing changes at beta = 0. Conv: B gains d. A bias that is not a constant (or that a caller may
/// override as a graph input) is left as it is.
/// </summary>
internal static class BiasCorrection
{
    /// <summary>The C input for the second Gemm: the original's, a corrected copy, or a new one; null for none.</summary>
    public static string? GemmBias(RewriteScope scope, NodeProto node)
    {
        var original = node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
        if (scope.Factors.OutputShift is not { } shift) return original;
        var alpha = node.FloatAttribute("alpha", 1f);
        var beta = node.FloatAttribute("beta", 1f);
        if (beta == 0) return original;
        var scale = (double)alpha / beta;
        var n = shift.Length;
        if (original is null) return scope.AddInitializer("C", [n], shift.Select(d => scale * d).ToArray());

        if (ReadableConstant(scope, original) is not { } tensor) return original;
        var dims = tensor.Dims.ToArray();
        var values = TensorCodec.ToDoubles(tensor);
        var widened = dims.Length == 0 || dims[^1] == 1;
        if (!widened && dims[^1] != n) return original;
        long[] newDims = dims.Length == 0 ? [n] : [.. dims[..^1], n];
        var rows = values.Length / (widened ? 1 : n);
        var corrected = new double[rows * n];
        for (var r = 0; r < rows; r++)
            for (var o = 0; o < n; o++)
                corrected[r * n + o] = (widened ? values[r] : values[r * n + o]) + scale * shift[o];
        scope.Released.Add(original);
        return scope.AddInitializer("C", newDims, corrected);
    }

    /// <summary>The bias input for the second Conv: the original's, a corrected copy, or a new one; null for none.</summary>
    public static string? ConvBias(RewriteScope scope, NodeProto node)
    {
        var original = node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
        if (scope.Factors.OutputShift is not { } shift) return original;
        if (original is null) return scope.AddInitializer("B", [shift.Length], shift);
        if (ReadableConstant(scope, original) is not { } tensor || TensorCodec.ElementCount(tensor) != shift.Length) return original;
        var values = TensorCodec.ToDoubles(tensor);
        scope.Released.Add(original);
        return scope.AddInitializer("B", [shift.Length], values.Select((b, o) => b + shift[o]).ToArray());
    }

    private static TensorProto? ReadableConstant(RewriteScope scope, string name) =>
        scope.Graph.IsGraphInput(name) ? null : scope.Graph.Constant(name);
}
