using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Runs the calibration samples through the original model and a partly compressed one, batch by batch, with the
/// given layers' inputs exposed in both, and accumulates each layer's <see cref="PairedInputStatistics"/>.
/// The layers' input values must have the same names in both models (rewrites keep the names of the values
/// they produce). Memory is one batch's exposed activations of both models plus, per layer and group, three
/// columns x columns sums.
/// </summary>
public static class PairedCalibrationRun
{
    /// <param name="layerIndices">Per layer, its index among the model's compressible layers: it seeds the sampled positions.</param>
    public static IReadOnlyDictionary<string, PairedInputStatistics> Collect(
        ModelProto original, ModelProto compressed, IReadOnlyList<CompressibleLayer> layers, IReadOnlyList<int> layerIndices,
        IModelRunner runner, CalibrationOptions options, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(compressed);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(options);
        if (layers.Count != layerIndices.Count) throw new ArgumentException($"{layers.Count} layers and {layerIndices.Count} indices.", nameof(layerIndices));
        options.Validate();
        var values = layers.Select(l => l.Node.Input[0]).Distinct().ToList();
        using var originalProbe = ModelProbe.Open(runner, original, values);
        using var compressedProbe = ModelProbe.Open(runner, compressed, values);
        var source = options.OpenSamples(originalProbe.Inputs);

        var accumulators = layers.Select((l, i) => new PairedInputAccumulator(l, layerIndices[i])).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        var backend = LinearAlgebra.Default;
        var batchIndex = 0;
        foreach (var batch in source.ReadBatches(options.BatchSize))
        {
            var originalValues = UnsizedDataRun.Run(source, () => originalProbe.Run(batch.Inputs));
            var compressedValues = compressedProbe.Run(batch.Inputs);
            var index = batchIndex;
            Parallel.ForEach(accumulators, parallel, a =>
            {
                var value = a.Layer.Node.Input[0];
                a.Add(new InputValues(originalValues[value]), new InputValues(compressedValues[value]), index, options, backend);
            });
            batchIndex++;
        }
        return accumulators.ToDictionary(a => a.Layer.NodeName, a => a.Result());
    }
}
