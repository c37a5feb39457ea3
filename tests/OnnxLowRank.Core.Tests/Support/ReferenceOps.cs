using MathNet.Numerics.LinearAlgebra;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>Plain double-precision Conv and matrix products, written from the ONNX operator definitions.</summary>
internal static class ReferenceOps
{
    /// <summary>X W^T over the last axis of X (MatMul by B = W^T); with <paramref name="transposeX"/> X is 2-D and used transposed (Gemm's transA).</summary>
    public static double[] Linear(double[] x, long[] xShape, Matrix<double> w, bool transposeX = false, double alpha = 1)
    {
        int inner = w.ColumnCount, outer = w.RowCount;
        Matrix<double> rows;
        if (transposeX)
            rows = Matrix<double>.Build.Dense((int)xShape[1], (int)xShape[0], (r, c) => x[c * xShape[1] + r]);
        else
            rows = Matrix<double>.Build.Dense(x.Length / inner, inner, (r, c) => x[r * inner + c]);
        var y = alpha * rows * w.Transpose();
        Assert.That(y.ColumnCount, Is.EqualTo(outer));
        return DenseReference.ToRowMajor(y);
    }

    /// <summary>
    /// ONNX Conv without bias: x (N, C, d1..dn), weight (F, C/group, k1..kn), explicit pads
    /// [begin_1..begin_n, end_1..end_n].
    /// </summary>
    public static double[] Conv(double[] x, long[] xShape, double[] weight, long[] wShape, int group, long[] strides, long[] pads, long[] dilations)
    {
        var n = xShape.Length - 2;
        long batch = xShape[0], channels = xShape[1], filters = wShape[0], groupChannels = wShape[1];
        var inSpatial = xShape[2..];
        var kernel = wShape[2..];
        var outSpatial = new long[n];
        for (var a = 0; a < n; a++)
            outSpatial[a] = (inSpatial[a] + pads[a] + pads[a + n] - dilations[a] * (kernel[a] - 1) - 1) / strides[a] + 1;
        long outSize = outSpatial.Aggregate(1L, (p, d) => p * d), inSize = inSpatial.Aggregate(1L, (p, d) => p * d);
        long kernelSize = kernel.Aggregate(1L, (p, d) => p * d);
        var filtersPerGroup = filters / group;
        var y = new double[batch * filters * outSize];
        var outPos = new long[n];
        var kPos = new long[n];
        for (long b = 0; b < batch; b++)
            for (long f = 0; f < filters; f++)
            {
                var g = f / filtersPerGroup;
                for (long o = 0; o < outSize; o++)
                {
                    Unravel(o, outSpatial, outPos);
                    double sum = 0;
                    for (long ci = 0; ci < groupChannels; ci++)
                    {
                        var c = g * groupChannels + ci;
                        for (long kk = 0; kk < kernelSize; kk++)
                        {
                            Unravel(kk, kernel, kPos);
                            long offset = 0;
                            var inside = true;
                            for (var a = 0; a < n && inside; a++)
                            {
                                var p = outPos[a] * strides[a] - pads[a] + kPos[a] * dilations[a];
                                inside = p >= 0 && p < inSpatial[a];
                                offset = offset * inSpatial[a] + p;
                            }
                            if (inside)
                                sum += weight[(f * groupChannels + ci) * kernelSize + kk] * x[(b * channels + c) * inSize + offset];
                        }
                    }
                    y[(b * filters + f) * outSize + o] = sum;
                }
            }
        Assert.That(channels, Is.EqualTo(groupChannels * group), "input channels");
        return y;
    }

    private static void Unravel(long index, long[] shape, long[] position)
    {
        for (var a = shape.Length - 1; a >= 0; a--)
        {
            position[a] = index % shape[a];
            index /= shape[a];
        }
    }
}
