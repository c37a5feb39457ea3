using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Factorization;

/// <summary>
/// The other factor order for a Conv (<see cref="FactorOrder.InputFirst"/>): W (f x c x kernel) unfolded as
/// W_B = (f K) x c, K = prod(kernel), and factored by its truncated SVD, W_B ~ P Q with Q (j x c) a 1x1 Conv
/// and P (f K x j) a k x k Conv from j channels with the layer's pads, strides and bias. Zero padding commutes
/// with a 1x1 Conv without bias, so the pair computes exactly the Conv by the weight P Q folded back.
/// <para>
/// It is offered where it is a drop-in for the kernel-first pair at the same rank: a plain Conv (one group, one
/// slice) with as many inputs as outputs (so both pairs have j (f + c K) weights) whose output has its input's
/// spatial size (strides and dilations 1, padding (kernel - 1) / 2 per side), so the 1x1 Conv runs on as many
/// positions as the kernel-first pair's Convs and the FLOPs match too. On the bundled CNN's 28x28 layers the
/// pair is both more accurate and faster: its k x k Conv writes f channels, not j, which suits ONNX Runtime's
/// blocked kernels (docs/benchmarks.md, "The other factor order").
/// </para>
/// </summary>
public static class InputFirstConv
{
    /// <summary>Whether the input-first pair at k slices is a drop-in for the kernel-first one (see the class).</summary>
    public static bool Allows(CompressibleLayer layer, int sliceCount)
    {
        var g = layer.Geometry;
        if (layer.Kind != LayerKind.Conv || sliceCount != 1 || g.Groups != 1 || g.InputChannels != g.OutputChannels || g.KernelSize == 1)
            return false;
        var rank = g.KernelShape.Count;
        var (strides, dilations, pads, autoPad) = ConvAttributes.Of(layer);
        if (strides is not null && strides.Any(s => s != 1) || dilations is not null && dilations.Any(d => d != 1)) return false;
        if (g.KernelShape.Any(k => k % 2 == 0)) return false;
        if (autoPad is "SAME_UPPER" or "SAME_LOWER") return true;
        if (autoPad is not ("NOTSET" or "")) return false;
        return pads is not null && pads.Length == 2 * rank
            && Enumerable.Range(0, rank).All(a => pads[a] == (g.KernelShape[a] - 1) / 2 && pads[a + rank] == pads[a]);
    }

    /// <summary>The input-first factors of the layer at rank j, the truncated SVD of W_B, with their error measured.</summary>
    public static LayerFactorization Factorize(WeightMatrixView weight, int rank)
    {
        var factors = Factors(weight, rank);
        // The unfolded weight goes before the error decodes it again (19 MB each for resnet50's widest 3x3 Convs). It
        // dies with Factors' frame: a local of this method could stay reachable until the method returns.
        LargeTemporaries.Release();
        return new LayerFactorization(weight.Geometry, 1, rank, [factors], FactorOrder.InputFirst)
        {
            MeasuredRelativeError = FactorizationError.InputFirst(weight, factors),
        };
    }

    private static LowRankFactors Factors(WeightMatrixView weight, int rank)
    {
        var g = weight.Geometry;
        return TruncatedSvd.Factor(InputUnfolding(weight.Group(0), g.OutputChannels, g.InputChannels, g.KernelSize), rank);
    }

    /// <summary>W_B[o K + t, c] = W_A[o, c K + t]: the f x (c K) weight matrix unfolded the other way.</summary>
    public static RowMajorMatrix InputUnfolding(RowMajorMatrix kernelFirst, int outputs, int inputs, int kernelSize)
    {
        var unfolded = new RowMajorMatrix(outputs * kernelSize, inputs);
        for (var o = 0; o < outputs; o++)
            for (var c = 0; c < inputs; c++)
                for (var t = 0; t < kernelSize; t++)
                    unfolded[o * kernelSize + t, c] = kernelFirst[o, c * kernelSize + t];
        return unfolded;
    }

    /// <summary>W_A -= P Q folded back to the f x (c K) layout: the weight the input-first pair computes.</summary>
    public static void SubtractProduct(RowMajorMatrix kernelFirst, LowRankFactors factors, int kernelSize)
    {
        var product = LinearAlgebra.Default.Multiply(factors.P, false, factors.Q, false);
        int outputs = kernelFirst.Rows, inputs = factors.Q.Columns;
        for (var o = 0; o < outputs; o++)
            for (var c = 0; c < inputs; c++)
                for (var t = 0; t < kernelSize; t++)
                    kernelFirst[o, c * kernelSize + t] -= product[o * kernelSize + t, c];
    }
}
