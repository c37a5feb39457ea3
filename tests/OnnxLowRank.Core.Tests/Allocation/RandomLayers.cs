using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

/// <summary>
/// Builds allocator inputs the way layer discovery will: a weight per group, cut into k contiguous
/// input-channel slices, each block's singular values from a dense MathNet SVD.
/// </summary>
internal static class RandomLayers
{
    /// <summary>A layer from real random weights with a decaying spectrum, with every k dividing c_g up to maxK.</summary>
    public static AllocationLayer FromWeights(Random random, string name, int groups, int outputsPerGroup, int inputsPerGroup, int kernel, double costPerParameter, int maxK = 8)
    {
        var columns = inputsPerGroup * kernel;
        var weights = Enumerable.Range(0, groups).Select(_ => DecayingMatrix(random, outputsPerGroup, columns)).ToArray();
        var norm = weights.Max(w => SingularValues(w)[0]);
        var options = new List<SliceOption>();
        for (var k = 1; k <= Math.Min(maxK, inputsPerGroup); k++)
        {
            if (inputsPerGroup % k != 0) continue;
            var sliceColumns = columns / k;
            var spectra = new List<double[]>();
            foreach (var w in weights)
                for (var i = 0; i < k; i++)
                    spectra.Add(SingularValues(w.SubMatrix(0, outputsPerGroup, i * sliceColumns, sliceColumns)));
            options.Add(new SliceOption(k, groups, outputsPerGroup, sliceColumns, spectra, norm));
        }
        return new AllocationLayer(name, (long)groups * outputsPerGroup * columns, costPerParameter, options);
    }

    /// <summary>A plain-SVD layer (k = 1, one group) with a synthetic geometrically decaying spectrum.</summary>
    public static AllocationLayer Synthetic(Random random, string name, int rows, int columns, double costPerParameter)
    {
        var rank = Math.Min(rows, columns);
        var decay = 0.7 + 0.29 * random.NextDouble();
        var spectrum = new double[rank];
        spectrum[0] = 0.5 + random.NextDouble();
        for (var i = 1; i < rank; i++) spectrum[i] = spectrum[i - 1] * decay * (0.9 + 0.1 * random.NextDouble());
        return new AllocationLayer(name, (long)rows * columns, costPerParameter, [new SliceOption(1, 1, rows, columns, [spectrum], spectrum[0])]);
    }

    /// <summary>Gaussian entries, columns scaled down along the input so slices differ, plus a low-rank part.</summary>
    private static Matrix<double> DecayingMatrix(Random random, int rows, int columns)
    {
        var noise = Matrix<double>.Build.Dense(rows, columns, (_, _) => Gaussian(random) * 0.05);
        var lowRank = Matrix<double>.Build.Dense(rows, columns);
        var terms = Math.Min(rows, columns);
        for (var t = 0; t < terms; t++)
        {
            var scale = Math.Pow(0.6, t);
            var u = Vector<double>.Build.Dense(rows, _ => Gaussian(random));
            var v = Vector<double>.Build.Dense(columns, c => Gaussian(random) * Math.Pow(0.97, c));
            lowRank += scale * u.OuterProduct(v);
        }
        return lowRank + noise;
    }

    public static double[] SingularValues(Matrix<double> matrix) => matrix.Svd(computeVectors: false).S.ToArray();

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
