using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Validation;

namespace OnnxLowRank.Core.Tests.Validation;

public class ModelComparerTests
{
    // Five samples x = (i, 4 - i), all labelled 0.
    private sealed class Samples : IDataSource
    {
        public string Description => "five samples";
        public int Count => 5;
        public bool HasLabels => true;

        public IEnumerable<DataBatch> ReadBatches(int batchSize)
        {
            for (var start = 0; start < Count; start += batchSize)
            {
                var n = Math.Min(batchSize, Count - start);
                var x = Enumerable.Range(start, n).SelectMany(i => new float[] { i, 4 - i }).ToArray();
                yield return new DataBatch(new Dictionary<string, TensorData> { ["x"] = TensorData.FromFloats([n, 2], x) }, n, new int[n]);
            }
        }
    }

    [Test]
    public void Compares_outputs_over_all_batches_and_times_each_run()
    {
        // Original: y = x; argmax per sample (0,4),(1,3),(2,2),(3,1),(4,0) = 1,1,0,0,0 (a tie takes the first).
        // Compressed: y = (x0 + 2, x1) = (2,4),(3,3),(4,2),(5,1),(6,0) = 1,0,0,0,0.
        // Agreement 4/5; accuracy vs labels 0: original 3/5, compressed 4/5.
        // Errors: d = (-2, 0) per sample: max 2, ||d||^2 = 20, ||a||^2 = 16+10+8+10+16 = 60.
        using var original = new ScriptedSession(x => x, 2);
        using var compressed = new ScriptedSession(x => [x[0] + 2, x[1]], 2);
        // No timing repeats here: the runs counted below are the comparison's own.
        var comparer = new ModelComparer(new ComparisonOptions { BatchSize = 2, WarmupRuns = 3, MinTimedRuns = 0, MinTimedDuration = TimeSpan.Zero });

        var result = comparer.Compare(original, compressed, new Samples());

        var y = result.Outputs.Single();
        Assert.That(result.Samples, Is.EqualTo(5));
        Assert.That(y.TopOneAgreement, Is.EqualTo(0.8));
        Assert.That(y.OriginalAccuracy, Is.EqualTo(0.6));
        Assert.That(y.CompressedAccuracy, Is.EqualTo(0.8));
        Assert.That(y.AccuracyDropPoints, Is.EqualTo(-20.0).Within(1e-9));
        Assert.That(y.MaxAbsoluteError, Is.EqualTo(2.0));
        Assert.That(y.RelativeL2Error, Is.EqualTo(Math.Sqrt(20.0 / 60.0)).Within(1e-12));
        // Three batches timed; warm-up runs happen but are not timed.
        Assert.That(result.Original.Runs, Is.EqualTo(3));
        Assert.That(result.Compressed.Runs, Is.EqualTo(3));
        Assert.That(original.Runs, Is.EqualTo(6));
        Assert.That(result.Speedup, Is.GreaterThan(0));
    }

    [Test]
    public void Too_few_batches_for_a_stable_median_are_run_again_for_timing_only()
    {
        using var original = new ScriptedSession(x => x, 2);
        using var compressed = new ScriptedSession(x => [x[0] + 2, x[1]], 2);
        var options = new ComparisonOptions { BatchSize = 2, WarmupRuns = 1, MinTimedRuns = 20, MinTimedDuration = TimeSpan.Zero };

        var result = new ModelComparer(options).Compare(original, compressed, new Samples());

        // The quality figures are those of one pass over the five samples ...
        Assert.That(result.Samples, Is.EqualTo(5));
        Assert.That(result.Outputs.Single().TopOneAgreement, Is.EqualTo(0.8));
        // ... while each model was timed 20 times (3 batches, then repeats), besides its warm-up run.
        Assert.That(result.Original.Runs, Is.EqualTo(20));
        Assert.That(result.Compressed.Runs, Is.EqualTo(20));
        Assert.That(original.Runs, Is.EqualTo(21));
        Assert.That(result.Speedup, Is.Not.Null);
    }

    [Test]
    public void A_model_too_slow_for_the_timing_limit_has_no_speedup()
    {
        using var original = new ScriptedSession(x => x, 2);
        using var slow = new ScriptedSession(x => { Thread.Sleep(30); return x; }, 2);
        var options = new ComparisonOptions { BatchSize = 5, WarmupRuns = 0, MinTimedRuns = 20, TimingLimit = TimeSpan.FromMilliseconds(100) };

        var result = new ModelComparer(options).Compare(original, slow, new Samples());

        Assert.That(result.Compressed.Runs, Is.LessThan(20));
        Assert.That(result.Speedup, Is.Null, "a median of fewer than 20 runs is not reported as a speedup");
    }

    [Test]
    public void Gates_pass_and_fail_on_the_primary_output()
    {
        using var original = new ScriptedSession(x => x, 2);
        using var compressed = new ScriptedSession(x => [x[0] + 2, x[1]], 2);
        var result = new ModelComparer(new ComparisonOptions { MinTimedDuration = TimeSpan.Zero }).Compare(original, compressed, new Samples());

        var outcomes = new QualityGate(MaxAccuracyDropPoints: 0.5, MinAgreement: 0.9).Evaluate(result);
        Assert.That(outcomes.Select(o => (o.Name, o.Passed)), Is.EqualTo(new[] { ("max-accuracy-drop", true), ("min-agreement", false) }));
        Assert.That(outcomes[1].Actual, Is.EqualTo(0.8));
    }

    [Test]
    public void An_accuracy_gate_without_labels_is_a_data_error()
    {
        var comparison = new ModelComparison("d", 1, 1, false,
            [new OutputComparison("y", 2, 1, true, 1.0, null, null, 0, 0, 1)], LatencySummary.From([1.0]), LatencySummary.From([1.0]));
        Assert.Throws<InvalidInputDataException>(() => new QualityGate(MaxAccuracyDropPoints: 1).Evaluate(comparison));
    }
    [Test]
    public void A_drop_of_exactly_the_threshold_passes_though_the_difference_of_two_ratios_rounds_above_it()
    {
        // 945 and 940 right of 1,000: (0.945 - 0.94) x 100 is 0.5000000000000004 in doubles.
        var comparison = new ModelComparison("d", 1000, 1, true,
            [new OutputComparison("y", 10000, 1000, true, 0.99, 0.945, 0.94, 0, 0, 1)], LatencySummary.From([1.0]), LatencySummary.From([1.0]));
        Assert.That(comparison.Primary!.AccuracyDropPoints, Is.GreaterThan(0.5));
        Assert.That(new QualityGate(MaxAccuracyDropPoints: 0.5).Evaluate(comparison).Single().Passed, Is.True);
        Assert.That(new QualityGate(MaxAccuracyDropPoints: 0.4).Evaluate(comparison).Single().Passed, Is.False);
    }

    [Test]
    public void A_cosine_gate_reads_the_mean_pooled_cosine_of_an_embedding_output_and_refuses_an_output_without_one()
    {
        static ModelComparison With(TokenMetrics? tokens) => new("d", 4, 1, false,
            [new OutputComparison("hidden", 128, 0, false, null, null, null, 0, 0, 1, tokens)], LatencySummary.From([1.0]), LatencySummary.From([1.0]));
        var embedding = With(new TokenMetrics(TokenOutputKind.Embedding, 40, 0.991, 0.98, null, null, null));
        Assert.That(new QualityGate(MinCosine: 0.99).Evaluate(embedding).Single(), Is.EqualTo(new GateOutcome("min-cosine", 0.99, 0.991, true, "mean-pooled cosine 0.991 >= 0.99")));
        Assert.That(new QualityGate(MinCosine: 0.995).Evaluate(embedding).Single().Passed, Is.False);
        var logits = With(new TokenMetrics(TokenOutputKind.Logits, 40, null, null, 0.9, 10, 11));
        Assert.Throws<InvalidInputDataException>(() => new QualityGate(MinCosine: 0.9).Evaluate(logits));
        Assert.Throws<InvalidInputDataException>(() => new QualityGate(MinCosine: 0.9).Evaluate(With(null)));
    }
}
