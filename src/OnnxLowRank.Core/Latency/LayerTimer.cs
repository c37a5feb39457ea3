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

    /// <summary>The layer's pair with k slices at rank j, in milliseconds.</summary>
    public double Pair(ModelProto source, CompressibleLayer layer, LayerInputShapes.Shape input, int sliceCount, int rank) =>
        Pair(SingleLayerModel.Build(source, layer.Node, input), sliceCount, rank);

    /// <summary>
    /// The layer whole, and its pair at <see cref="LatencyOptions.RanksPerSliceCount"/> ranks for every
    /// k up to <paramref name="maxSliceCount"/>, from the minimum rank to the highest the minimum saving
    /// allows. Along a k, ranks above the first one measured no faster than the layer are not timed:
    /// a higher rank only adds work.
    /// </summary>
    public LatencyProfile Profile(ModelProto source, CompressibleLayer layer, LayerInputShapes.Shape input, AllocationSettings settings, int maxSliceCount)
    {
        var single = SingleLayerModel.Build(source, layer.Node, input);
        var whole = ModelTimer.MedianMilliseconds(_runner, single, _options);
        var pairs = new Dictionary<int, IReadOnlyList<(int Rank, double Milliseconds)>>();
        foreach (var k in layer.SliceCounts(maxSliceCount))
        {
            var points = new List<(int, double)>();
            foreach (var rank in Ranks(layer.Geometry, k, settings))
            {
                var time = Pair(single, k, rank);
                points.Add((rank, time));
                if (time >= whole) break;
            }
            if (points.Count > 0) pairs[k] = points;
        }
        return new LatencyProfile(whole, pairs);
    }

    /// <summary>Evenly spread ranks from the minimum to the highest whose size the minimum saving allows; none when it allows none.</summary>
    private IEnumerable<int> Ranks(WeightGeometry geometry, int sliceCount, AllocationSettings settings)
    {
        var limit = (1 - settings.MinimumSaving) * geometry.OriginalParameters;
        var highest = geometry.MaxRank(sliceCount);
        while (highest >= settings.MinimumRank
               && (geometry.FactoredParameters(sliceCount, highest) > limit || geometry.FactoredParameters(sliceCount, highest) >= geometry.OriginalParameters))
            highest--;
        if (highest < settings.MinimumRank) return [];
        var count = _options.RanksPerSliceCount;
        return Enumerable.Range(0, count)
            .Select(i => settings.MinimumRank + (int)Math.Round((double)(highest - settings.MinimumRank) * i / (count - 1)))
            .Distinct();
    }

    private double Pair(ModelProto single, int sliceCount, int rank)
    {
        var layer = LayerDiscovery.Find(single).Layers.Single();
        var plan = new CompressionPlan([new LayerPlan(layer.NodeName, sliceCount, rank)], "timing");
        var pair = new LowRankCompressor(new RandomFactorizer(sliceCount * 65_537 + rank))
            .Compress(single, plan, new CompressionOptions { MaxDegreeOfParallelism = 1 }).Model;
        return ModelTimer.MedianMilliseconds(_runner, pair, _options);
    }
}
