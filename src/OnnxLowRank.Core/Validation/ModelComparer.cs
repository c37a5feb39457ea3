using System.Diagnostics;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Validation;

/// <summary>
/// Runs an original and a compressed model on the same batches and measures how far the
/// compressed one's outputs move (agreement, accuracy, errors) and how fast each runs.
/// The two models run alternately on each batch so that drifting machine load affects both alike.
/// </summary>
public sealed class ModelComparer(ComparisonOptions options)
{
    /// <summary>Compares every output the original declares. <paramref name="progress"/> receives the samples done so far.</summary>
    public ModelComparison Compare(IModelSession original, IModelSession compressed, IDataSource data, IProgress<int>? progress = null)
    {
        var missingInputs = original.Inputs.Select(i => i.Name).Except(compressed.Inputs.Select(i => i.Name)).ToList();
        if (missingInputs.Count > 0)
            throw new InvalidModelException("The compressed model lacks an input of the original.", subject: missingInputs[0],
                advice: "compare a model with its own compressed version");
        var outputs = original.Outputs.Select(o => o.Name).ToList();
        var missingOutputs = outputs.Except(compressed.Outputs.Select(o => o.Name)).ToList();
        if (missingOutputs.Count > 0)
            throw new InvalidModelException("The compressed model lacks an output of the original.", subject: missingOutputs[0],
                advice: "compare a model with its own compressed version");

        var accumulators = outputs.Select(o => new OutputComparisonAccumulator(o)).ToList();
        var originalTimes = new List<double>();
        var compressedTimes = new List<double>();
        var samples = 0;
        var warmedUp = false;
        foreach (var batch in data.ReadBatches(options.BatchSize))
        {
            if (!warmedUp)
            {
                for (var w = 0; w < options.WarmupRuns; w++)
                {
                    original.Run(batch.Inputs, outputs);
                    compressed.Run(batch.Inputs, outputs);
                }
                warmedUp = true;
            }
            // Alternate which model goes first, so neither always meets a warmer cache.
            var originalFirst = originalTimes.Count % 2 == 0;
            IReadOnlyDictionary<string, TensorData> a, b;
            if (originalFirst)
            {
                a = Timed(original, batch, outputs, originalTimes);
                b = Timed(compressed, batch, outputs, compressedTimes);
            }
            else
            {
                b = Timed(compressed, batch, outputs, compressedTimes);
                a = Timed(original, batch, outputs, originalTimes);
            }
            for (var i = 0; i < outputs.Count; i++) accumulators[i].Add(a[outputs[i]], b[outputs[i]], batch.Labels);
            samples += batch.Count;
            progress?.Report(samples);
        }
        return new ModelComparison(
            data.Description, samples, options.BatchSize, data.HasLabels,
            accumulators.Select(acc => acc.Result()).ToList(),
            LatencySummary.From(originalTimes), LatencySummary.From(compressedTimes));
    }

    private static IReadOnlyDictionary<string, TensorData> Timed(IModelSession session, DataBatch batch, IReadOnlyList<string> outputs, List<double> times)
    {
        var watch = Stopwatch.StartNew();
        var result = session.Run(batch.Inputs, outputs);
        times.Add(watch.Elapsed.TotalMilliseconds);
        return result;
    }
}
