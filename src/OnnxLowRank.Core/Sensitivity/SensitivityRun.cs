using System.Diagnostics;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Sensitivity;

/// <summary>
/// Measures each layer's sensitivity (ALGORITHMS.md section 13): the layer alone is factorized at each candidate size, by the
/// factorizer and rewrite compression uses, inside its <see cref="SuffixModel"/>; the suffix runs in the engine from the cached values
/// the original model computed there (<see cref="SuffixInputs"/>), and its output is compared with the original model's
/// (<see cref="OutputDamage"/>). Only the part after each layer runs, so a layer near the output costs little.
/// </summary>
public static class SensitivityRun
{
    /// <summary>Measures every main-graph layer that can shrink at its <see cref="CandidateSizes"/>.</summary>
    /// <param name="calibration">The calibration source and batch size; the first <see cref="SensitivityOptions.Samples"/> samples are used.</param>
    /// <param name="sizesOf">The sizes to measure for a layer.</param>
    /// <param name="progress">Called with the layers done and the total.</param>
    public static SensitivityMeasurement Measure(
        ModelProto model, IReadOnlyList<LayerAnalysis> layers, IModelRunner runner, CalibrationOptions calibration, ILayerFactorizer factorizer,
        DiscoveryOptions discovery, SensitivityOptions options, Func<LayerAnalysis, IReadOnlyList<CandidateSize>> sizesOf, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(factorizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sizesOf);
        options.Validate();
        var clock = Stopwatch.StartNew();
        // The first output only: it is what the model is for by exporters' convention (logits before a language model's present
        // keys and values, last_hidden_state before the pooler), and the others' measures come in other units (a relative error
        // of a key cache beside a divergence of logits), so a sum would let whichever is larger decide the allocation.
        var output = model.Graph.Output[0].Name;
        var measured = layers.Where(l => !l.Layer.InSubgraph && l.Layer.Geometry.CanShrink)
            .Select(l => (Analysis: l, Suffix: SuffixModel.Of(model, l.Layer.Node, l.Name, [output]), Sizes: sizesOf(l)))
            .Where(l => l.Sizes.Count > 0)
            .ToList();

        IDataSource source;
        using (var described = ModelProbe.Open(runner, model, [output])) source = calibration.OpenSamples(described.Inputs);
        var batches = SampleSubset.Read(source, options.Samples, calibration.BatchSize);
        var samples = batches.Sum(b => b.Count);
        var tokens = batches.Select(b => TokenPositions.Of(b.Inputs, b.TokenLengths)).ToList();
        var vocabulary = TokenEmbeddings.Vocabulary(model);

        // A layer that does not reach the output is not run, so nothing of its suffix is cached.
        IEnumerable<string> Cached(SuffixModel suffix) => suffix.Outputs.Count > 0 ? suffix.Inputs : [];
        var frontier = measured.SelectMany(l => Cached(l.Suffix)).Append(output).Distinct().ToList();
        var bytes = SuffixInputs.BytesPerSample(runner, model, frontier, batches[0], source);
        var groups = SuffixInputs.Groups(measured, l => Cached(l.Suffix).Append(output), bytes, samples, options.CacheBytes);
        DamageMeasure? measure = null;
        var results = new Dictionary<string, IReadOnlyList<SizedDamage>>();
        var done = 0;
        long cachedBytes = 0;
        foreach (var group in groups)
        {
            var values = group.SelectMany(l => Cached(l.Suffix)).Append(output).Distinct().ToList();
            cachedBytes = Math.Max(cachedBytes, values.Sum(v => bytes[v]) * samples);
            var cache = SuffixInputs.Collect(runner, model, values, batches, source);
            measure ??= Choose(cache, tokens, output, vocabulary);
            foreach (var (analysis, suffix, sizes) in group)
            {
                results[analysis.Name] = suffix.Outputs.Count == 0
                    ? sizes.Select(s => new SizedDamage(s.Fraction, s.SliceCount, s.Rank, s.Parameters, 0)).ToList()
                    : MeasureLayer(runner, suffix, cache, tokens, output, measure.Value, factorizer, discovery, options, analysis, sizes);
                progress?.Invoke(++done, measured.Count);
            }
        }
        return new SensitivityMeasurement(source.Description, output, measure ?? DamageMeasure.RelativeError, samples, options.Samples, results)
        {
            Elapsed = clock.Elapsed,
            CacheRuns = groups.Count,
            CachedBytes = cachedBytes,
        };
    }

    /// <summary>
    /// Measures one layer at each size: its factors once at the highest rank (cut for the others), the candidates' suffixes
    /// rewritten in parallel, then each candidate's suffix run over the cached batches.
    /// </summary>
    private static List<SizedDamage> MeasureLayer(
        IModelRunner runner, SuffixModel suffix, IReadOnlyList<IReadOnlyDictionary<string, TensorData>> cache, IReadOnlyList<TokenPositions?> tokens,
        string output, DamageMeasure measure, ILayerFactorizer factorizer, DiscoveryOptions discovery, SensitivityOptions options, LayerAnalysis layer,
        IReadOnlyList<CandidateSize> sizes)
    {
        var suffixModel = suffix.ToModel(name => cache[0][name].ElementType);
        // The distinct (k, j) only: two fractions of a small layer may round to one size.
        var distinct = sizes.Select(s => (s.SliceCount, s.Rank)).Distinct().ToList();
        var weight = WeightMatrixView.Of(layer.Layer);
        var factorizations = distinct.GroupBy(d => d.SliceCount)
            .SelectMany(k => factorizer.FactorizeAtRanks(layer.Layer, weight, k.Key, k.Select(d => d.Rank).ToList()))
            .ToList();
        var compressor = new LowRankCompressor(new PrecomputedFactorizer(factorizer, factorizations));
        var compression = new CompressionOptions { Discovery = discovery, Force = true, MeasuresErrors = false, MaxDegreeOfParallelism = 1 };
        var factored = new ModelProto[distinct.Count];
        Parallel.For(0, distinct.Count, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, i =>
        {
            var plan = new CompressionPlan([new LayerPlan(layer.Name, distinct[i].SliceCount, distinct[i].Rank)], "sensitivity");
            var result = compressor.Compress(suffixModel, plan, compression);
            if (result.Layers.Count != 1)
                throw new InvalidOperationException($"Layer '{layer.Name}' was not factorized inside its suffix: {string.Join("; ", result.Skipped.Select(s => s.Detail))}");
            factored[i] = result.Model;
        });

        var damage = new double[distinct.Count];
        for (var i = 0; i < distinct.Count; i++)
        {
            using var session = runner.Open(factored[i]);
            var accumulator = new OutputDamage(measure);
            for (var b = 0; b < cache.Count; b++)
            {
                var feeds = suffix.Inputs.ToDictionary(v => v, v => cache[b][v]);
                accumulator.Add(cache[b][output], session.Run(feeds, [output])[output], tokens[b]);
            }
            damage[i] = accumulator.Result();
            factored[i] = null!;
        }
        return sizes.Select(s => new SizedDamage(s.Fraction, s.SliceCount, s.Rank, s.Parameters, damage[distinct.IndexOf((s.SliceCount, s.Rank))])).ToList();
    }

    /// <summary>The measure of the output, chosen on the first batch.</summary>
    private static DamageMeasure Choose(IReadOnlyList<IReadOnlyDictionary<string, TensorData>> cache, IReadOnlyList<TokenPositions?> tokens, string output, long? vocabulary) =>
        OutputDamage.Choose(cache[0][output], tokens[0], vocabulary);
}
