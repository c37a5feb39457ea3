using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Sequential calibration (ALGORITHMS.md section 5): applies a plan in waves, in graph order, so that every layer is
/// factorized for the inputs it really gets once the layers before it are compressed. Wave w holds the planned
/// layers with w planned layers on the longest path above them. Wave 0 sees the original inputs and takes the
/// plain data-aware factors; before each later wave the model is rewritten with the factors fixed so far, the
/// calibration samples run through it and through the original (<see cref="PairedCalibrationRun"/>), and the wave's
/// layers are refitted (<see cref="RefitFactorizer"/>). Costs two calibration passes per wave through the part of
/// both models above the wave (<see cref="UpstreamModel"/>).
/// </summary>
public static class SequentialRefit
{
    /// <param name="first">The factorizer of wave 0 and of layers the refit leaves to it.</param>
    /// <param name="sampled">
    /// Per layer, the input vectors calibration sampled (paired runs sample as many): a wave none of whose layers has
    /// <see cref="RefitFactorizer.DefaultMinimumVectorsPerColumn"/> per column would be left to <paramref name="first"/>
    /// anyway, so it is not run. Null runs every wave.
    /// </param>
    /// <param name="progress">Called with the waves done so far and their total.</param>
    public static CompressionResult Compress(
        ModelProto model, CompressionPlan plan, IModelRunner runner, CalibrationOptions calibration, ILayerFactorizer first,
        CompressionOptions options, IReadOnlyDictionary<string, long>? sampled = null, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(options);
        var discovery = LayerDiscovery.Find(model, options.Discovery);
        var indices = discovery.Layers.Select((l, i) => (l.NodeName, i)).ToDictionary(p => p.NodeName, p => p.i);
        // Only layers the compressor will rewrite change what later layers see (it skips pairs that are not smaller).
        var entries = plan.Layers
            .Where(p => discovery.Find(p.NodeName) is { } l && (options.Force || l.Geometry.FactoredParameters(p.SliceCount, p.Rank) < l.Geometry.OriginalParameters))
            .ToDictionary(p => p.NodeName);
        var waves = Waves(model.Graph, discovery.Layers.Where(l => entries.ContainsKey(l.NodeName)).ToList());

        var fixedFactors = new Dictionary<string, LayerFactorization>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        for (var w = 0; w < waves.Count; w++)
        {
            var layers = waves[w];
            var factorizer = first;
            var refits = sampled is null || layers.Any(l =>
                sampled.GetValueOrDefault(l.NodeName) >= (long)RefitFactorizer.DefaultMinimumVectorsPerColumn * l.Geometry.GroupColumns);
            if (fixedFactors.Count > 0 && refits)
            {
                var done = new CompressionPlan(plan.Layers.Where(p => fixedFactors.ContainsKey(p.NodeName)), plan.Method);
                var partial = new LowRankCompressor(new FixedFactors(fixedFactors, first)).Compress(model, done, options).Model;
                var inputs = layers.Select(l => l.Node.Input[0]).Distinct().ToList();
                var paired = PairedCalibrationRun.Collect(UpstreamModel.Of(model, inputs), UpstreamModel.Of(partial, inputs), layers, layers.Select(l => indices[l.NodeName]).ToList(), runner, calibration,
                    options.MaxDegreeOfParallelism);
                factorizer = new RefitFactorizer(paired, first, calibration.RelativeRidge, calibration.CorrectBias);
            }
            var factors = new LayerFactorization[layers.Count];
            Parallel.For(0, layers.Count, parallel, i =>
            {
                var entry = entries[layers[i].NodeName];
                factors[i] = factorizer.Factorize(layers[i], WeightMatrixView.Of(layers[i]), entry.SliceCount, entry.Rank);
            });
            for (var i = 0; i < layers.Count; i++) fixedFactors[layers[i].NodeName] = factors[i];
            progress?.Invoke(w + 1, waves.Count);
        }
        return new LowRankCompressor(new FixedFactors(fixedFactors, first)).Compress(model, plan, options);
    }

    /// <summary>
    /// The layers grouped by how many of them lie on the longest path above each (graph order is topological).
    /// Layers of one wave never feed each other, so they can be refitted from one pass.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<CompressibleLayer>> Waves(GraphProto graph, IReadOnlyList<CompressibleLayer> layers)
    {
        var byNode = new Dictionary<NodeProto, CompressibleLayer>(ReferenceEqualityComparer.Instance);
        // An embedding has no calibration statistics either (its input is token ids): wave 0, like a subgraph's layer.
        foreach (var layer in layers.Where(l => l.Kind != LayerKind.Embedding)) byNode[layer.Node] = layer;
        var depth = new Dictionary<string, int>();
        var wave = new Dictionary<CompressibleLayer, int>();
        foreach (var node in graph.Node)
        {
            var above = node.Input.Where(v => v.Length > 0).Select(v => depth.GetValueOrDefault(v)).DefaultIfEmpty(0).Max();
            if (byNode.TryGetValue(node, out var compressible)) wave[compressible] = above++;
            foreach (var output in node.Output) depth[output] = above;
        }
        // A subgraph's layer has no calibration statistics (its inputs cannot be captured), so it takes the first
        // factorizer's weight-only factors: wave 0, whose factors are never refitted.
        return layers.GroupBy(l => wave.GetValueOrDefault(l)).OrderBy(g => g.Key).Select(g => (IReadOnlyList<CompressibleLayer>)g.ToList()).ToList();
    }

    /// <summary>Hands the compressor factors computed already, by layer name, under the name of the factorizer that computed them.</summary>
    private sealed class FixedFactors(IReadOnlyDictionary<string, LayerFactorization> factors, ILayerFactorizer source) : ILayerFactorizer
    {
        public string Name => source.Name;

        public bool IsPlainSvd => source.IsPlainSvd;

        public LayerFactorization Factorize(CompressibleLayer layer, WeightMatrixView weight, int sliceCount, int rank) =>
            factors.TryGetValue(layer.NodeName, out var f) && f.SliceCount == sliceCount && f.Rank == rank
                ? f
                : throw new InvalidOperationException($"No factors of '{layer.NodeName}' at k = {sliceCount}, rank {rank} were computed.");
    }
}
