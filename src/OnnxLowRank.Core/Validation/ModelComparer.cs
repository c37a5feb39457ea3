using System.Diagnostics;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Validation;

/// <summary>
/// Runs an original and a compressed model on the same batches and measures how far the
/// compressed one's outputs move (agreement, accuracy, errors) and how fast each runs.
/// The two models run alternately on each batch so that drifting machine load affects both alike;
/// when the data gives too few runs for a stable median, the first batches run again, timed only
/// (<see cref="ComparisonOptions.MinTimedRuns"/>).
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
        // Kept for timing repeats: a few batches, already in memory while they are compared.
        var timingBatches = new List<DataBatch>();
        foreach (var batch in data.ReadBatches(options.BatchSize))
        {
            if (!warmedUp)
            {
                for (var w = 0; w < options.WarmupRuns; w++)
                {
                    UnsizedDataRun.Run(data, () => original.Run(batch.Inputs, outputs));
                    compressed.Run(batch.Inputs, outputs);
                }
                warmedUp = true;
            }
            var (a, b) = UnsizedDataRun.Run(data, () => RunBoth(original, compressed, batch, outputs, originalTimes, compressedTimes));
            var tokens = TokenPositions.Of(batch.Inputs, batch.TokenLengths);
            // A token model's [batch, width] output as wide as its per-token hidden states is a pooled text embedding
            // (BERT's pooler, a sentence embedding), whose argmax means nothing; logits would be as wide as the vocabulary.
            var hiddenWidths = tokens is null ? [] : outputs.Select(o => a[o]).Where(tokens.IsPerToken).Select(t => t.Shape[2]).Where(w => w != options.Vocabulary).ToHashSet();
            for (var i = 0; i < outputs.Count; i++)
            {
                var output = a[outputs[i]];
                var pooled = tokens is not null && output.Shape.Length == 2 && output.Shape[0] == tokens.Batch && hiddenWidths.Contains(output.Shape[1]);
                accumulators[i].Add(output, b[outputs[i]], batch.Labels, tokens, options.Vocabulary, pooled);
            }
            if (timingBatches.Count < TimingBatchesKept) timingBatches.Add(batch);
            samples += batch.Count;
            progress?.Report(samples);
        }
        TimeUntilSettled(original, compressed, timingBatches, outputs, originalTimes, compressedTimes);
        return new ModelComparison(
            data.Description, samples, options.BatchSize, data.HasLabels,
            accumulators.Select(acc => acc.Result()).ToList(),
            LatencySummary.From(originalTimes), LatencySummary.From(compressedTimes), Speedup(originalTimes, compressedTimes));
    }

    /// <summary>
    /// The median of the ratios of back-to-back runs (the i-th run of each model is on the same batch, one right
    /// after the other): load that drifts over the comparison touches both runs of a pair alike, which a ratio of
    /// the two medians does not cancel. Null below the minimum number of runs.
    /// </summary>
    private double? Speedup(List<double> originalTimes, List<double> compressedTimes)
    {
        if (originalTimes.Count < Math.Max(options.MinTimedRuns, 1)) return null;
        return LatencySummary.MedianOf(originalTimes.Zip(compressedTimes, (o, c) => o / c));
    }

    private const int TimingBatchesKept = 4;

    /// <summary>Runs the kept batches again, both models in turn, until each has its minimum runs and both together the minimum time, or the limit passes.</summary>
    private void TimeUntilSettled(IModelSession original, IModelSession compressed, List<DataBatch> batches, IReadOnlyList<string> outputs,
        List<double> originalTimes, List<double> compressedTimes)
    {
        var minimumMs = options.MinTimedDuration.TotalMilliseconds;
        // The time counts both models together: runs go in pairs, so a fast model beside a slow one would otherwise
        // be run until it alone had filled the minimum, dragging the slow one along to the limit.
        bool Settled() => originalTimes.Count >= options.MinTimedRuns && compressedTimes.Count >= options.MinTimedRuns
            && originalTimes.Sum() + compressedTimes.Sum() >= minimumMs;
        var clock = Stopwatch.StartNew();
        for (var i = 0; batches.Count > 0 && !Settled() && clock.Elapsed < options.TimingLimit; i++)
            RunBoth(original, compressed, batches[i % batches.Count], outputs, originalTimes, compressedTimes);
    }

    /// <summary>Runs both models on one batch, timed, alternating which goes first so neither always meets a warmer cache.</summary>
    private static (IReadOnlyDictionary<string, TensorData> Original, IReadOnlyDictionary<string, TensorData> Compressed) RunBoth(
        IModelSession original, IModelSession compressed, DataBatch batch, IReadOnlyList<string> outputs, List<double> originalTimes, List<double> compressedTimes)
    {
        if (originalTimes.Count % 2 == 0)
        {
            var a = Timed(original, batch, outputs, originalTimes);
            return (a, Timed(compressed, batch, outputs, compressedTimes));
        }
        var b = Timed(compressed, batch, outputs, compressedTimes);
        return (Timed(original, batch, outputs, originalTimes), b);
    }

    private static IReadOnlyDictionary<string, TensorData> Timed(IModelSession session, DataBatch batch, IReadOnlyList<string> outputs, List<double> times)
    {
        var watch = Stopwatch.StartNew();
        var result = session.Run(batch.Inputs, outputs);
        times.Add(watch.Elapsed.TotalMilliseconds);
        return result;
    }
}
