using MathNet.Numerics.LinearAlgebra;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Tests.Support;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.DataAware;

/// <summary>
/// Data-aware embeddings: calibration counts the rows a Gather looks up (padding left out), and the factors minimise
/// the count-weighted row error, checked against a weighted SVD written with MathNet.
/// </summary>
public class RowWeightedEmbeddingTests
{
    private const int Vocabulary = 40;
    private const int Width = 6;

    private static (Onnx.Protos.ModelProto Model, CompressibleLayer Layer) Lookup()
    {
        var b = new ModelBuilder();
        b.IndexInput("attention_mask", 2, 4);
        b.Node("Gather", "embed", [b.Initializer("E", [Vocabulary, Width], RandomValues.Normal(21, Vocabulary * Width)), b.IndexInput("input_ids", 2, 4)], b.Output("X"));
        var model = b.Build();
        return (model, LayerDiscovery.Find(model).Layers.Single());
    }

    private static TensorData Int64s(params long[] values) => new(DataType.Int64, [2, 4], values);

    [Test]
    public void CalibrationCountsTheRowsLookedUpWhereTheMaskKeepsThem()
    {
        var (model, layer) = Lookup();
        // Two batches; the masked positions (padding, id 0) are not lookups that count.
        var batches = new[]
        {
            new Dictionary<string, TensorData> { ["input_ids"] = Int64s(5, 7, 5, 0, 9, 0, 0, 0), ["attention_mask"] = Int64s(1, 1, 1, 0, 1, 0, 0, 0) },
            new Dictionary<string, TensorData> { ["input_ids"] = Int64s(7, 7, 3, 39, 1, 2, 0, 0), ["attention_mask"] = Int64s(1, 1, 1, 1, 1, 1, 1, 0) },
        };

        var statistics = CalibrationRun.Collect(model, [layer], Engine.Runner, CalibrationOptions.From(new FixedBatches(batches)));

        var expected = new long[Vocabulary];
        foreach (var id in new[] { 5, 7, 5, 9, 7, 7, 3, 39, 1, 2, 0 }) expected[id]++;
        var frequencies = statistics.Embeddings["embed"];
        Assert.That(frequencies.Counts, Is.EqualTo(expected));
        Assert.That(frequencies.Lookups, Is.EqualTo(11));
        Assert.That(statistics.Layers, Is.Empty, "a lookup has no input vectors");
    }

    [Test]
    public void FactorsAreTheRowWeightedSvdAndKeepUnseenRows()
    {
        const int rank = 2;
        var (_, layer) = Lookup();
        var counts = Enumerable.Range(0, Vocabulary).Select(t => t < 5 ? 100L * (t + 1) : t % 3 == 0 ? 0L : 1L).ToArray();
        var frequencies = new TokenFrequencies(counts);
        var table = DenseReference.RowMajor(Vocabulary, Width, Onnx.TensorCodec.ToDoubles(layer.Weight));
        // The reference: minimise sum_t w_t ||E_t - E^_t||^2 with w_t = (count + 1) / (lookups + V), by the SVD of D E.
        var weights = counts.Select(c => (c + 1.0) / (counts.Sum() + Vocabulary)).ToArray();
        var d = Matrix<double>.Build.DenseOfDiagonalArray(weights.Select(Math.Sqrt).ToArray());
        var svd = (d * table).Svd(computeVectors: true);
        var best = d.Inverse() * svd.U.SubMatrix(0, Vocabulary, 0, rank) * Matrix<double>.Build.DenseOfDiagonalArray(svd.S.SubVector(0, rank).ToArray())
            * svd.VT.SubMatrix(0, rank, 0, Width);

        var factorizer = new WhitenedFactorizer(new Dictionary<string, LayerInputStatistics>(), embeddings: new Dictionary<string, TokenFrequencies> { ["embed"] = frequencies });
        var factors = factorizer.Factorize(layer, WeightMatrixView.Of(layer), 1, rank)[0, 0];
        var approximation = DenseReference.RowMajor(Vocabulary, rank, factors.P.Values) * DenseReference.RowMajor(rank, Width, factors.Q.Values);
        var plain = table - DenseReference.Residual(table, 1, 1, rank);

        double WeightedError(Matrix<double> e) => Enumerable.Range(0, Vocabulary).Sum(t => weights[t] * (table.Row(t) - e.Row(t)).L2Norm() * (table.Row(t) - e.Row(t)).L2Norm());
        Assert.Multiple(() =>
        {
            Assert.That((approximation - best).Enumerate().Max(Math.Abs), Is.LessThan(1e-9 * table.Enumerate().Max(Math.Abs)));
            Assert.That(WeightedError(approximation), Is.LessThan(WeightedError(plain)), "frequent rows are kept better than by the plain SVD");
            foreach (var unseen in Enumerable.Range(0, Vocabulary).Where(t => counts[t] == 0))
                Assert.That((table.Row(unseen) - approximation.Row(unseen)).L2Norm(), Is.LessThan(table.Row(unseen).L2Norm()), $"row {unseen} is not zeroed");
        });
    }
}
