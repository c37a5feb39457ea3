using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// What the accumulators of a layer's input share: the layer, how its input splits into vectors, which vectors of a
/// batch are kept (seeded by layer and batch, so the original and the compressed model give up the same positions),
/// per-group sums and the count of vectors kept.
/// </summary>
internal abstract class LayerInputSums
{
    private readonly InputVectorLayout _layout;
    private readonly int _layerIndex;

    protected LayerInputSums(CompressibleLayer layer, int layerIndex)
    {
        Layer = layer;
        _layerIndex = layerIndex;
        _layout = InputVectorLayout.For(layer);
        Columns = layer.Geometry.GroupColumns;
    }

    public CompressibleLayer Layer { get; }

    /// <summary>The length of an input vector of one group.</summary>
    protected int Columns { get; }

    /// <summary>Input vectors kept so far.</summary>
    protected long Count { get; private set; }

    /// <summary>One zeroed array of <paramref name="length"/> per group.</summary>
    protected double[][] PerGroup(int length) => Enumerable.Range(0, Layer.Geometry.Groups).Select(_ => new double[length]).ToArray();

    /// <summary>The positions of the input vectors this batch contributes, counted as kept; empty when it has none.</summary>
    protected long[] Sample(long[] shape, int batchIndex, CalibrationOptions options)
    {
        var indices = SampleSelection.Choose(_layout.VectorCount(shape), options.MaxVectorsPerBatch, SampleSelection.For(options.Seed, _layerIndex, batchIndex));
        Count += indices.Length;
        return indices;
    }

    /// <summary>Writes the vectors at <paramref name="indices"/> of <paramref name="group"/> into the columns of <paramref name="target"/>.</summary>
    protected void Fill(InputValues values, int group, long[] indices, RowMajorMatrix target) => _layout.Fill(values, group, indices, target);

    /// <summary>Adds each row's total of <paramref name="vectors"/> (one vector a column) to <paramref name="sums"/>.</summary>
    protected static void AddRowTotals(RowMajorMatrix vectors, double[] sums)
    {
        for (var c = 0; c < sums.Length; c++)
        {
            var total = 0.0;
            foreach (var v in vectors.Values.AsSpan(c * vectors.Columns, vectors.Columns)) total += v;
            sums[c] += total;
        }
    }
}
