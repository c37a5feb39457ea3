using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Latency;

/// <summary>
/// Times layers one at a time in the runner's engine, with its execution provider and threads
/// (ALGORITHMS.md section 6): the node as it stands and the pair the rewrite would put in its place,
/// each as a model of its own on the layer's real input shape. Runs are sequential, so timings do
/// not compete with each other for cores.
/// </summary>
public sealed class LayerTimer
{
    private readonly IModelRunner _runner;
    private readonly LatencyOptions _options;

    public LayerTimer(IModelRunner runner, LatencyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        _runner = runner;
        _options = options ?? new LatencyOptions();
        _options.Validate();
    }

    /// <summary>The node of <paramref name="source"/> as it stands, in milliseconds.</summary>
    public double Whole(ModelProto source, NodeProto node, LayerInputShapes.Shape input) =>
        ModelTimer.MedianMilliseconds(_runner, SingleLayerModel.Build(source, node, input), _options);

    /// <summary>
    /// The layer whole and its pair with k slices at rank j, timed in alternation (see
    /// <see cref="ModelTimer.InterleavedMilliseconds"/>), in milliseconds.
    /// </summary>
    public (double Whole, double Pair) Compare(ModelProto source, CompressibleLayer layer, LayerInputShapes.Shape input, int sliceCount, int rank)
    {
        var single = SingleLayerModel.Build(source, layer.Node, input);
        return ModelTimer.InterleavedMilliseconds(_runner, single, PairModel(single, sliceCount, rank), _options);
    }

    /// <summary>
    /// The layer whole, and its pair at <see cref="LatencyOptions.RanksPerSliceCount"/> ranks for every
    /// k up to <paramref name="maxSliceCount"/>, from the minimum rank to the highest the minimum saving
    /// allows, on the layer's rank grid (<paramref name="convRankMultiple"/> for a Conv) and for the k that keep it. Each pair is timed in alternation with the layer; the layer's time is the median over all
    /// those windows, and each pair's time is scaled by the layer's time in the same window to that
    /// median, so drifting load on a shared machine does not turn into a false speedup or slowdown.
    /// Along a k, ranks above the first one measured no faster than the layer are not timed: a higher
    /// rank only adds work.
    /// </summary>
    public LatencyProfile Profile(ModelProto source, CompressibleLayer layer, LayerInputShapes.Shape input, AllocationSettings settings, int convRankMultiple, int maxSliceCount)
    {
        var single = SingleLayerModel.Build(source, layer.Node, input);
        var windows = new List<(int SliceCount, int Rank, double Whole, double Pair)>();
        var step = layer.RankStep(convRankMultiple);
        foreach (var k in layer.SliceCounts(maxSliceCount).Where(k => layer.SlicesKeepBlocks(k, step)))
        {
            foreach (var rank in Ranks(layer.Geometry, k, settings, step))
            {
                var (whole, pair) = ModelTimer.InterleavedMilliseconds(_runner, single, PairModel(single, k, rank), _options);
                windows.Add((k, rank, whole, pair));
                if (pair >= whole) break;
            }
        }
        if (windows.Count == 0)
            return new LatencyProfile(ModelTimer.MedianMilliseconds(_runner, single, _options), new Dictionary<int, IReadOnlyList<(int, double)>>());
        var reference = ModelTimer.Median(windows.Select(w => w.Whole).ToList());
        var pairs = windows.GroupBy(w => w.SliceCount).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<(int Rank, double Milliseconds)>)g.Select(w => (w.Rank, w.Pair * reference / w.Whole)).ToList());
        return new LatencyProfile(reference, pairs);
    }

    /// <summary>
    /// Evenly spread ranks on the grid of <paramref name="step"/>, from the lowest to the highest whose size the
    /// minimum saving allows; none when it allows none.
    /// </summary>
    private IEnumerable<int> Ranks(WeightGeometry geometry, int sliceCount, AllocationSettings settings, int step)
    {
        var limit = (1 - settings.MinimumSaving) * geometry.OriginalParameters;
        var lowest = (settings.MinimumRank + step - 1) / step * step;
        var highest = geometry.MaxRank(sliceCount) / step * step;
        while (highest >= lowest
               && (geometry.FactoredParameters(sliceCount, highest) > limit || geometry.FactoredParameters(sliceCount, highest) >= geometry.OriginalParameters))
            highest -= step;
        if (highest < lowest) return [];
        var count = _options.RanksPerSliceCount;
        var steps = (highest - lowest) / step;
        return Enumerable.Range(0, count)
            .Select(i => lowest + step * (int)Math.Round((double)steps * i / (count - 1)))
            .Distinct();
    }

    /// <summary>The single-layer model with its layer replaced by the pair the rewrite would write (random factors).</summary>
    private static ModelProto PairModel(ModelProto single, int sliceCount, int rank)
    {
        var layer = LayerDiscovery.Find(single).Layers.Single();
        var plan = new CompressionPlan([new LayerPlan(layer.NodeName, sliceCount, rank)], "timing");
        return new LowRankCompressor(new RandomFactorizer(sliceCount * 65_537 + rank))
            .Compress(single, plan, new CompressionOptions { MaxDegreeOfParallelism = 1 }).Model;
    }
}
