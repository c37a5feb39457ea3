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
/// input vectors themselves while they are fewer (<see cref="LayerInputAccumulator"/>).
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
        using var probe = ModelProbe.Open(runner, model, layers.Select(l => l.Node.Input[0]));
        var source = options.OpenSamples(probe.Inputs);

        var accumulators = layers.Select((l, i) => new LayerInputAccumulator(l, i)).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        var backend = LinearAlgebra.Default;
        var batchIndex = 0;
        var samples = 0;
        foreach (var batch in source.ReadBatches(options.BatchSize))
        {
            var tensors = UnsizedDataRun.Run(source, () => probe.Run(batch.Inputs)).ToDictionary(p => p.Key, p => new InputValues(p.Value));
            var index = batchIndex;
            Parallel.ForEach(accumulators, parallel, a => a.Add(tensors[a.Layer.Node.Input[0]], index, options, backend));
            batchIndex++;
            samples += batch.Count;
            progress?.Invoke(samples, source.Count);
        }
        return new CalibrationStatistics(source.Description, samples, accumulators.ToDictionary(a => a.Layer.NodeName, a => a.Result()))
        {
            RelativeRidge = options.RelativeRidge,
            CorrectBias = options.CorrectBias,
        };
    }
}
