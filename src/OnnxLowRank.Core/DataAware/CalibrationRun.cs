using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Runs calibration batches through the engine with every layer's input exposed and accumulates each
/// layer's input statistics (ALGORITHMS.md section 5), one batch at a time. Memory is one batch's
/// exposed activations (as the engine returns them) plus, per layer, its c_g * prod(kernel) squared sums, or the sampled
/// input vectors themselves while they are fewer (<see cref="LayerInputAccumulator"/>). An embedding's input is its
/// token ids: it gets the lookup count of each row of its table instead (<see cref="TokenFrequencies"/>).
/// </summary>
public static class CalibrationRun
{
    /// <param name="progress">Called with the samples done so far and the total, after each batch.</param>
    public static CalibrationStatistics Collect(
        ModelProto model, IReadOnlyList<CompressibleLayer> layers, IModelRunner runner, CalibrationOptions options,
        int maxDegreeOfParallelism = -1, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var embeddings = layers.Where(l => l.Kind == LayerKind.Embedding).ToList();
        var vectorLayers = layers.Where(l => l.Kind != LayerKind.Embedding).ToList();
        using var probe = ModelProbe.Open(runner, model, vectorLayers.Select(l => l.Node.Input[0]).Concat(embeddings.Select(l => l.Node.Input[1])));
        var source = options.OpenSamples(probe.Inputs);
        var mask = probe.Inputs.Select(i => i.Name).FirstOrDefault(n => TokenInputs.RoleOf(n) == TokenInputRole.AttentionMask);

        // Each layer samples by its place among the layers with input vectors, so embeddings change no other layer's samples.
        var accumulators = vectorLayers.Select((l, i) => new LayerInputAccumulator(l, i)).ToArray();
        var counters = embeddings.Select(l => new TokenCounter(l.Geometry.OutputChannels)).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        var backend = LinearAlgebra.Default;
        var batchIndex = 0;
        var samples = 0;
        foreach (var batch in source.ReadBatches(options.BatchSize))
        {
            var values = UnsizedDataRun.Run(source, () => probe.Run(batch.Inputs));
            var tensors = vectorLayers.Select(l => l.Node.Input[0]).Distinct().ToDictionary(v => v, v => new InputValues(values[v]));
            var index = batchIndex;
            Parallel.ForEach(accumulators, parallel, a => a.Add(tensors[a.Layer.Node.Input[0]], index, options, backend));
            for (var i = 0; i < counters.Length; i++)
                counters[i].Add(values[embeddings[i].Node.Input[1]], mask is not null ? batch.Inputs.GetValueOrDefault(mask) : null);
            batchIndex++;
            samples += batch.Count;
            progress?.Invoke(samples, source.Count);
        }
        return new CalibrationStatistics(source.Description, samples, accumulators.ToDictionary(a => a.Layer.NodeName, a => a.Result()))
        {
            RelativeRidge = options.RelativeRidge,
            CorrectBias = options.CorrectBias,
            Embeddings = embeddings.Select((l, i) => (l.NodeName, counters[i].Result())).ToDictionary(p => p.NodeName, p => p.Item2),
        };
    }
}
