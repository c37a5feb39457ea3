using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Sensitivity;

/// <summary>
/// The damage sums of one output over the subset, batch by batch, in double (<see cref="DamageMeasure"/>). The measure is chosen
/// once from the original output's shape (<see cref="Choose"/>), so every layer and size of a model is scored in the same unit and
/// the allocator may add them up.
/// </summary>
internal sealed class OutputDamage(DamageMeasure measure)
{
    private double _sum;
    private long _count;
    private double _squaredOriginal;

    /// <summary>
    /// A token model's per-token output is a language model's logits when as wide as its vocabulary (divergence) and otherwise an
    /// embedding (cosine after pooling over real tokens); other logits, classes on the last axis of a rank 1 to 3 output, are scored by
    /// divergence; anything else (one value per row, image-shaped maps of rank 4 and more) by relative error. Only the measured output is
    /// seen, so a pooled [batch, width] embedding listed first would count as logits; exporters list the per-token states first.
    /// </summary>
    public static DamageMeasure Choose(TensorData output, TokenPositions? tokens, long? vocabulary)
    {
        if (tokens is not null && tokens.IsPerToken(output)) return output.Shape[2] == vocabulary ? DamageMeasure.Divergence : DamageMeasure.EmbeddingCosine;
        return output.Shape.Length is >= 1 and <= 3 && output.Shape[^1] > 1 ? DamageMeasure.Divergence : DamageMeasure.RelativeError;
    }

    public void Add(TensorData original, TensorData compressed, TokenPositions? tokens)
    {
        if (!original.Shape.SequenceEqual(compressed.Shape))
            throw new InvalidOperationException($"The factorized suffix returned shape [{string.Join(",", compressed.Shape)}], the model [{string.Join(",", original.Shape)}].");
        var a = original.ToDoubles();
        var b = compressed.ToDoubles();
        var perToken = tokens is not null && tokens.IsPerToken(original);
        var width = original.Shape.Length == 0 ? 1 : (int)original.Shape[^1];
        switch (measure)
        {
            case DamageMeasure.Divergence:
                for (var row = 0; row < a.Length / width; row++)
                {
                    if (perToken && !tokens!.Real[row]) continue;
                    _sum += Divergence(a, b, (long)row * width, width);
                    _count++;
                }
                break;
            case DamageMeasure.EmbeddingCosine:
                for (var text = 0; text < tokens!.Batch; text++)
                {
                    var pooledA = new double[width];
                    var pooledB = new double[width];
                    var any = false;
                    for (var t = 0; t < tokens.Sequence; t++)
                    {
                        var position = text * tokens.Sequence + t;
                        if (!tokens.Real[position]) continue;
                        any = true;
                        for (var i = 0; i < width; i++)
                        {
                            pooledA[i] += a[(long)position * width + i];
                            pooledB[i] += b[(long)position * width + i];
                        }
                    }
                    if (!any) continue;
                    // The mean's 1/n scales both sums alike and leaves their cosine as it is.
                    _sum += 1 - VectorMath.Cosine(pooledA, pooledB, 0, 0, width);
                    _count++;
                }
                break;
            default:
                for (var i = 0; i < a.Length; i++)
                {
                    _sum += (a[i] - b[i]) * (a[i] - b[i]);
                    _squaredOriginal += a[i] * a[i];
                }
                break;
        }
    }

    /// <summary>The mean over rows or texts, or the relative squared error; 0 before anything was added. Never below 0 (rounding aside, it cannot be).</summary>
    public double Result() => Math.Max(0, measure switch
    {
        DamageMeasure.RelativeError => _squaredOriginal > 0 ? _sum / _squaredOriginal : _sum > 0 ? double.PositiveInfinity : 0,
        _ => _count > 0 ? _sum / _count : 0,
    });

    /// <summary>
    /// KL(p || q) of one row. Logits become distributions by a softmax; a row that already is one (non-negative, summing to 1, as a
    /// model ending in Softmax returns) is taken as it is, its zero entries contributing nothing, with q floored so a zero there stays finite.
    /// </summary>
    private static double Divergence(double[] a, double[] b, long start, int width)
    {
        if (IsDistribution(a, start, width))
        {
            var kl = 0.0;
            for (var i = 0; i < width; i++)
            {
                var p = a[start + i];
                if (p > 0) kl += p * (Math.Log(p) - Math.Log(Math.Max(b[start + i], 1e-12)));
            }
            return kl;
        }
        var logZa = VectorMath.LogSumExp(a, start, width);
        var logZb = VectorMath.LogSumExp(b, start, width);
        var sum = 0.0;
        for (var i = 0; i < width; i++)
        {
            var logP = a[start + i] - logZa;
            sum += Math.Exp(logP) * (logP - (b[start + i] - logZb));
        }
        return sum;
    }

    private static bool IsDistribution(double[] values, long start, int width)
    {
        var total = 0.0;
        for (var i = 0; i < width; i++)
        {
            if (values[start + i] < 0) return false;
            total += values[start + i];
        }
        return Math.Abs(total - 1) < 1e-3;
    }
}
