using OnnxLowRank.Core.Layers;

namespace OnnxLowRank.Core.Planning;

/// <summary>
/// The (k, j) chosen for each layer to be factorized; layers not listed stay as they are.
/// <see cref="Method"/> names the allocator that chose them and is written into the rewritten nodes.
/// </summary>
public sealed class CompressionPlan
{
    public CompressionPlan(IEnumerable<LayerPlan> layers, string method = "manual")
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        Layers = layers.ToList();
        var repeated = Layers.GroupBy(l => l.NodeName).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new ArgumentException($"The plan lists layer '{repeated.Key}' {repeated.Count()} times.", nameof(layers));
        foreach (var layer in Layers)
        {
            if (layer.SliceCount < 1 || layer.Rank < 1)
                throw new ArgumentException($"Layer '{layer.NodeName}' is planned with k = {layer.SliceCount}, j = {layer.Rank}; both must be at least 1.", nameof(layers));
        }
        Method = method;
    }

    public IReadOnlyList<LayerPlan> Layers { get; }

    public string Method { get; }

    /// <summary>
    /// Every layer at rank round(<paramref name="ratio"/> * its full rank), at least 1, without slicing.
    /// </summary>
    public static CompressionPlan UniformRatio(IEnumerable<CompressibleLayer> layers, double ratio)
    {
        if (!(ratio > 0 && ratio <= 1))
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "A rank ratio lies in (0, 1].");
        return new CompressionPlan(
            layers.Select(l => new LayerPlan(l.NodeName, 1, Math.Clamp((int)Math.Round(ratio * l.Geometry.MaxRank(1)), 1, l.Geometry.MaxRank(1)))),
            "uniform");
    }

    /// <summary>Every layer exact: the largest rank for the given slice count (k must divide each layer's c_g; 1 always does).</summary>
    public static CompressionPlan FullRank(IEnumerable<CompressibleLayer> layers, int sliceCount = 1) =>
        new(layers.Select(l => new LayerPlan(l.NodeName, sliceCount, l.Geometry.MaxRank(sliceCount))), "full-rank");
}
