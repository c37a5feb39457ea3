using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Latency;

/// <summary>
/// Allocation on a timed analysis that never keeps a pair slower than its layer. The allocator only sees
/// pairs whose interpolated time beats the layer; then every chosen pair is timed at its exact (k, j), in
/// alternation with the layer, and scaled to the layer's profiled time. A
/// pair that is not faster adds that point to its layer's profile (so it and the ranks above are refused)
/// and the allocation runs again; under a latency budget every chosen time is added, and the allocation
/// runs until it only chooses measured points, so the budget holds against measured times, not
/// interpolated ones. After a few rounds a layer whose chosen pair is still not faster loses every pair
/// and stays whole. A budget that can then not be met throws <see cref="BudgetUnreachableException"/>.
/// </summary>
internal static class LatencyAwareAllocation
{
    private const int RefiningRounds = 4;

    /// <param name="allocate">The allocation on an analysis, under the job's allocator and budget.</param>
    public static (ModelAnalysis Analysis, AllocationResult Allocation, IReadOnlyList<LayerTiming> Timing) Allocate(
        ModelProto model, ModelAnalysis analysis, Func<ModelAnalysis, AllocationResult> allocate, BudgetKind budget, LayerTimer timer)
    {
        var layers = analysis.Layers.ToArray();
        var byLatency = budget == BudgetKind.Latency;
        var measured = new Dictionary<(string Layer, int SliceCount, int Rank), double>();
        for (var round = 0; ; round++)
        {
            var current = analysis with { Layers = layers };
            var allocation = allocate(current);
            var chosen = new Dictionary<string, double>();
            var settled = true;
            for (var i = 0; i < layers.Length; i++)
            {
                var choice = allocation.Layers[i];
                if (choice.IsWhole) continue;
                var latency = layers[i].Latency!;
                var key = (layers[i].Name, choice.SliceCount, choice.Rank);
                var isNew = !measured.TryGetValue(key, out var time);
                if (isNew)
                {
                    // Timed in alternation with the layer, then expressed against the layer's profiled time (see LayerTimer.Profile).
                    var (whole, pair) = timer.Compare(model, layers[i].Layer, latency.Input, choice.SliceCount, choice.Rank);
                    measured[key] = time = pair * latency.Profile.WholeMilliseconds / whole;
                }
                chosen[layers[i].Name] = time;
                var slower = time >= latency.Profile.WholeMilliseconds;
                if (!slower && !(byLatency && isNew)) continue;
                settled = false;
                var profile = !slower || round < RefiningRounds
                    ? latency.Profile.With(choice.SliceCount, choice.Rank, time)
                    : new LatencyProfile(latency.Profile.WholeMilliseconds, new Dictionary<int, IReadOnlyList<(int, double)>>());
                layers[i] = layers[i] with { Latency = latency with { Profile = profile } };
            }
            if (settled) return (current, allocation, Table(current, allocation, chosen));
        }
    }

    private static List<LayerTiming> Table(ModelAnalysis analysis, AllocationResult allocation, IReadOnlyDictionary<string, double> chosen)
    {
        var rows = new List<LayerTiming>();
        for (var i = 0; i < analysis.Layers.Count; i++)
        {
            var layer = analysis.Layers[i];
            var profile = layer.Latency!.Profile;
            var choice = allocation.Layers[i];
            if (!choice.IsWhole)
            {
                rows.Add(new LayerTiming(layer.Name, profile.WholeMilliseconds, chosen[layer.Name], choice.SliceCount, choice.Rank, LayerTiming.Faster));
                continue;
            }
            var anyFaster = profile.SliceCounts.Any(k => profile.Points(k).Any(p => p.Milliseconds < profile.WholeMilliseconds));
            rows.Add(new LayerTiming(layer.Name, profile.WholeMilliseconds, null, 0, 0, anyFaster ? LayerTiming.LeftWhole : LayerTiming.NoFasterPair));
        }
        foreach (var whole in analysis.WholeLayers)
            rows.Add(new LayerTiming(whole.Name, whole.Latency!.Profile.WholeMilliseconds, null, 0, 0, LayerTiming.NotCompressible));
        return rows;
    }
}
