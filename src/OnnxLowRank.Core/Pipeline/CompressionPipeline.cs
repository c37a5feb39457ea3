using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Latency;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Sensitivity;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Pipeline;

/// <summary>
/// The whole job on a model in memory: find the compressible layers, measure their output sizes
/// in the engine, compute their spectra, allocate ranks under the budget, and rewrite.
/// Without a runner, FLOP figures are unavailable and only parameter or energy budgets work.
/// With calibration data (which needs a runner) the spectra and factors are data-aware (ALGORITHMS.md section 5).
/// </summary>
public sealed class CompressionPipeline(IModelRunner? runner = null)
{
    public ModelAnalysis Analyze(ModelProto model, PipelineOptions options, IProgress<PipelineProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        // Sensitivity is measured on calibration samples: without any it is refused before anything runs (resolving the job
        // refuses an allocator that needs it; asking for it outright is refused here).
        var measuresSensitivity = MeasuresSensitivity(options);
        if (measuresSensitivity)
        {
            _ = CompressionJob.Resolve(options);
            if (options.Calibration is null)
                throw new InvalidOptionsException("sensitivity is measured on calibration samples, and none were given", "give --calibration DATA");
        }
        var discovery = LayerDiscovery.Find(model, DiscoveryOptionsFor(model, options));
        var whole = WholeLayerFinder.Find(model.Graph, discovery.Skipped);
        if (options.TimesLayers) (discovery, whole) = WithoutUntimed(discovery, whole);
        measuresSensitivity |= AutoMeasuresSensitivity(model, options, discovery);
        progress?.Report(new PipelineProgress(PipelineStage.Discovery, 1, 1));

        IReadOnlyDictionary<string, long>? positions = null;
        IReadOnlyDictionary<string, SubgraphOutputPositions.Measurement> inSubgraphs = new Dictionary<string, SubgraphOutputPositions.Measurement>();
        // Running a model whose weights stay on disk (over 2 GB) loads all of them into the engine: its FLOPs are measured only for a FLOP budget.
        if (runner is not null && (options.Budget == BudgetKind.Flops || !DiskTensor.AnyIn(model)))
        {
            // An embedding's multiply-accumulates are its tied head's, V H a position of the logits; a lookup alone has none.
            var probes = discovery.Layers.Where(l => !l.InSubgraph && l.Kind != LayerKind.Embedding)
                .Select(l => new OutputPositions.Probe(l.NodeName, l.Node.Output[0], l.Geometry.OutputChannels))
                .Concat(discovery.Layers.Where(l => l.Head is not null).Select(l => new OutputPositions.Probe(l.NodeName, l.Head!.Node.Output[0], l.Geometry.OutputChannels)))
                .Concat(whole.Where(w => w.Scope.IsMain && !IsLookup(w)).Select(w => new OutputPositions.Probe(w.Skipped.NodeName, w.Node.Output[0], w.OutputChannels)))
                .ToList();
            // Only a FLOP budget needs the figures enough to run the model for them; otherwise shape inference answers or
            // the FLOPs stay unknown, so a model that cannot run at the default sizes still compresses. Layers inside
            // subgraphs are only measured by a run.
            var mayRun = options.Budget == BudgetKind.Flops;
            positions = OutputPositions.Measure(model, probes, runner, options.DimensionSizes, mayRun);
            var subgraphProbes = discovery.Layers.Where(l => l.InSubgraph)
                .Select(l => new SubgraphOutputPositions.Probe(l.NodeName, l.Scope, l.Node.Output[0], l.Geometry.OutputChannels, l.ElementType))
                .Concat(whole.Where(w => !w.Scope.IsMain).Select(w => new SubgraphOutputPositions.Probe(w.Skipped.NodeName, w.Scope, w.Node.Output[0], w.OutputChannels,
                    (TensorProto.Types.DataType)w.Scope.Constant(w.Node.Input[1])!.Value.Tensor.DataType)))
                .ToList();
            if (mayRun && subgraphProbes.Count > 0) inSubgraphs = SubgraphOutputPositions.Measure(model, subgraphProbes, runner, options.DimensionSizes);
            progress?.Report(new PipelineProgress(PipelineStage.Measurement, 1, 1));
        }
        long? PositionsOf(string name) => positions?.TryGetValue(name, out var p) == true ? p : inSubgraphs.GetValueOrDefault(name)?.Positions;
        long? WholePositionsOf(WholeLayerFinder.Found w) => IsLookup(w) ? 0 : PositionsOf(w.Skipped.NodeName);
        string? UncountedOf(string name) => inSubgraphs.GetValueOrDefault(name)?.Uncounted;

        CalibrationStatistics? calibration = null;
        if (options.Calibration is { } calibrationOptions)
        {
            // The engine cannot expose a subgraph's values, so layers inside one keep weight-only spectra and factors.
            calibration = CalibrationRun.Collect(model, discovery.Layers.Where(l => !l.InSubgraph).ToList(), RunnerForCalibration(options), calibrationOptions, options.MaxDegreeOfParallelism,
                (done, total) => progress?.Report(new PipelineProgress(PipelineStage.Calibration, done, total)));
        }

        var layers = new LayerAnalysis[discovery.Layers.Count];
        var done = 0;
        // One layer per core at most: left unbounded, the thread pool adds threads while long layers run, and every
        // extra layer in flight holds its weight and temporaries in double (a 2 GiB model's data-aware spectra
        // peaked at 4.8 GB resident with unbounded parallelism; docs/benchmarks.md).
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount,
        };
        // Layers are independent; results land in their own slot so the order stays the graph's.
        Parallel.For(0, layers.Length, parallel, i =>
        {
            var layer = discovery.Layers[i];
            var weight = WeightMatrixView.Of(layer);
            var analysis = new LayerAnalysis(layer, LayerSpectra.Of(layer, weight, options.Allocation.MaxSliceCount), PositionsOf(layer.NodeName))
            {
                UncountedCost = layer.Kind == LayerKind.Embedding && layer.Head is null ? LookupCostsNothing : UncountedOf(layer.NodeName),
            };
            if (calibration is not null && layer.InSubgraph)
                analysis = analysis with { WhiteningNotes = [SubgraphWeightOnly] };
            else if (calibration is not null && layer.Kind == LayerKind.Embedding)
                analysis = analysis with { DataAwareSliceSpectra = LayerSpectra.RowWeighted(layer, weight, calibration.Embeddings[layer.NodeName]) };
            else if (calibration is not null)
            {
                var whitened = LayerSpectra.Whitened(layer, weight, calibration.Layers[layer.NodeName], options.Allocation.MaxSliceCount,
                    calibration.RelativeRidge, calibration.CorrectBias, out var notes);
                analysis = analysis with { DataAwareSliceSpectra = whitened, WhiteningNotes = notes };
            }
            layers[i] = analysis;
            LargeTemporaries.Release();
            progress?.Report(new PipelineProgress(PipelineStage.Spectra, Interlocked.Increment(ref done), layers.Length));
        });

        var wholeLayers = whole.Select(w => new WholeLayer(w.Skipped.NodeName, w.Node.OpType, w.Parameters, WholePositionsOf(w))
        {
            UncountedCost = UncountedOf(w.Skipped.NodeName),
        }).ToList();
        if (options.TimesLayers) TimeLayers(model, layers, wholeLayers, whole.Select(w => w.Node).ToList(), CompressionJob.Resolve(options), progress);
        var sensitivity = measuresSensitivity ? MeasureSensitivity(model, layers, CompressionJob.Resolve(options), calibration!, progress) : null;
        return new ModelAnalysis(layers, wholeLayers, discovery.Skipped) { Calibration = calibration, Sensitivity = sensitivity };
    }

    /// <summary>
    /// Whether auto measures sensitivity, and so allocates by it: with calibration data and a budget, when every compressible
    /// layer can be measured (none inside a subgraph, whose suffix the engine cannot start) and the weights are in memory
    /// (a model over 2 GB would be loaded into the engine whole for the cache).
    /// </summary>
    private static bool AutoMeasuresSensitivity(ModelProto model, PipelineOptions options, DiscoveryResult discovery) =>
        options.Plan is null && options.Calibration is not null && options.Budget != BudgetKind.Energy
        && options.Method.Equals(RankAllocators.Auto, StringComparison.OrdinalIgnoreCase)
        && discovery.Layers.All(l => !l.InSubgraph) && !DiskTensor.AnyIn(model);

    /// <summary>Whether the analysis measures sensitivity: asked for, or the allocator named chooses by measured damage.</summary>
    private static bool MeasuresSensitivity(PipelineOptions options) =>
        options.Plan is null && (options.MeasureSensitivity || RankAllocators.Find(options.Method) is { NeedsMeasuredDamage: true });

    /// <summary>
    /// Each main-graph layer factorized alone, by the job's factorizer, at the candidate sizes of the allocation grid, its damage to the
    /// model's output measured in the engine (ALGORITHMS.md section 13); sets each measured layer's <see cref="LayerAnalysis.Sensitivity"/>.
    /// Layers inside subgraphs are not measured: the engine cannot feed a suffix that starts inside one. Only plain SVD (k = 1) is
    /// measured, as <see cref="SensitivityAllocator"/> explains.
    /// </summary>
    private SensitivityMeasurement MeasureSensitivity(ModelProto model, LayerAnalysis[] layers, CompressionJob job, CalibrationStatistics calibration,
        IProgress<PipelineProgress>? progress)
    {
        var options = job.Options;
        var sensitivityOptions = options.Sensitivity with { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        var measurement = SensitivityRun.Measure(model, layers, RunnerForCalibration(options), options.Calibration!, job.Factorizer(calibration),
            DiscoveryOptionsFor(model, options), sensitivityOptions,
            l => CandidateSizes.For(l, sensitivityOptions.Fractions, options.Allocation with { MaxSliceCount = 1 }, job.ConvRankMultiple),
            (done, total) => progress?.Report(new PipelineProgress(PipelineStage.Sensitivity, done, total)));
        for (var i = 0; i < layers.Length; i++)
        {
            if (!measurement.Layers.TryGetValue(layers[i].Name, out var sizes)) continue;
            layers[i] = layers[i] with
            {
                Sensitivity = sizes.DistinctBy(s => (s.SliceCount, s.Rank)).Select(s => new MeasuredDamage(s.SliceCount, s.Rank, s.Damage)).ToList(),
            };
        }
        return measurement;
    }

    /// <summary>The note a layer inside a subgraph carries when the compression is data-aware.</summary>
    public const string SubgraphWeightOnly = "weight-only: inside a subgraph, whose inputs calibration cannot capture";

    /// <summary>Why a FLOP budget leaves an embedding without a tied head whole (<see cref="SkipReason.NoFlopsToSave"/>).</summary>
    public const string LookupCostsNothing = "a lookup multiplies nothing, and its factors would add r * H multiply-accumulates a token";

    /// <summary>A whole embedding Gather: it costs no multiply-accumulates, so it counts 0 FLOPs (its parameters count in full).</summary>
    private static bool IsLookup(WholeLayerFinder.Found whole) => whole.Node.OpType == "Gather";

    /// <summary>
    /// Latency-aware analysis times each layer on the input shape a run gives it, which the engine cannot expose inside
    /// a subgraph: such layers, compressible or whole, are left whole and out of the budget, reported as not timed.
    /// </summary>
    private static (DiscoveryResult, IReadOnlyList<WholeLayerFinder.Found>) WithoutUntimed(DiscoveryResult discovery, IReadOnlyList<WholeLayerFinder.Found> whole)
    {
        const string Detail = "Inside a subgraph: latency-aware analysis cannot time it on its input shape, so it is left whole and out of the budget.";
        // The layer timer builds single-layer models around a layer's input vectors; an embedding's input is token ids.
        const string LookupDetail = "An embedding lookup: latency-aware analysis times layers on input vectors, not token ids, so it is left whole and out of the budget.";
        bool Untimed(CompressibleLayer l) => l.InSubgraph || l.Kind == LayerKind.Embedding;
        bool UntimedWhole(WholeLayerFinder.Found w) => !w.Scope.IsMain || IsLookup(w);
        var untimed = discovery.Layers.Where(Untimed)
            .Select(l => new SkippedNode(l.NodeName, l.Node.OpType, SkipReason.NotTimed, l.InSubgraph ? Detail : LookupDetail));
        var skipped = discovery.Skipped.Select(s => whole.FirstOrDefault(w => w.Skipped == s) is { } w && UntimedWhole(w)
            ? s with { Reason = SkipReason.NotTimed, Detail = $"{s.Detail} {(w.Scope.IsMain ? LookupDetail : Detail)}" }
            : s);
        return (new DiscoveryResult(discovery.Layers.Where(l => !Untimed(l)).ToList(), [.. skipped, .. untimed]), whole.Where(w => !UntimedWhole(w)).ToList());
    }

    /// <summary>
    /// Times every layer on its own on its real input shape (ALGORITHMS.md section 6): compressible layers
    /// whole and at a few ranks per k the allocator may use, layers that stay whole as they stand.
    /// </summary>
    private void TimeLayers(
        ModelProto model, LayerAnalysis[] layers, List<WholeLayer> wholeLayers, IReadOnlyList<NodeProto> wholeNodes, CompressionJob job,
        IProgress<PipelineProgress>? progress)
    {
        var options = job.Options;
        var timingRunner = runner ?? throw new ArgumentException("Latency-aware compression needs a model runner to time layers in.", nameof(options));
        var shapes = LayerInputShapes.Measure(model, layers.Select(l => l.Layer.Node.Input[0]).Concat(wholeNodes.Select(n => n.Input[0])).ToList(),
            timingRunner, options.DimensionSizes);
        var timer = new LayerTimer(timingRunner, options.Latency);
        // Only an allocator that uses slices needs pairs at k > 1; the others need the pairs of plain SVD alone.
        var sliceCap = job.TimedSliceCount;
        var total = layers.Length + wholeLayers.Count;
        for (var i = 0; i < layers.Length; i++)
        {
            var input = shapes[layers[i].Layer.Node.Input[0]];
            var profile = layers[i].Layer.Geometry.CanShrink
                ? timer.Profile(model, layers[i].Layer, input, options.Allocation, options.ConvRankMultiple, sliceCap)
                : new LatencyProfile(timer.Whole(model, layers[i].Layer.Node, input), new Dictionary<int, IReadOnlyList<(int, double)>>());
            layers[i] = layers[i] with { Latency = new LayerLatency(input, profile) };
            progress?.Report(new PipelineProgress(PipelineStage.Timing, i + 1, total));
        }
        for (var i = 0; i < wholeLayers.Count; i++)
        {
            var input = shapes[wholeNodes[i].Input[0]];
            var profile = new LatencyProfile(timer.Whole(model, wholeNodes[i], input), new Dictionary<int, IReadOnlyList<(int, double)>>());
            wholeLayers[i] = wholeLayers[i] with { Latency = new LayerLatency(input, profile) };
            progress?.Report(new PipelineProgress(PipelineStage.Timing, layers.Length + i + 1, total));
        }
    }

    public PipelineResult Compress(ModelProto model, PipelineOptions options, IProgress<PipelineProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Budget == BudgetKind.Flops && runner is null)
            throw new ArgumentException("A FLOP budget needs a model runner to measure each layer's output size.", nameof(options));
        if (options.TimesLayers && runner is null)
            throw new ArgumentException("Latency-aware compression needs a model runner to time layers in.", nameof(options));
        if (options.Calibration is not null) _ = RunnerForCalibration(options);
        // A bad method or budget, or options that do not go together, fail here, before the expensive analysis.
        _ = CompressionJob.Resolve(options);
        var analysis = Analyze(model, options, progress);
        var excluded = analysis.Skipped.Count(s => s.Reason == SkipReason.Excluded);
        try
        {
            return Compress(model, analysis, options, progress);
        }
        catch (BudgetUnreachableException e) when (analysis.Layers.Count == 0 && excluded > 0)
        {
            // No budget below everything is reachable then; the exclusion, not the budget, is what to change.
            throw new InvalidOptionsException(
                $"every compressible layer is excluded ({excluded} matched the exclusion patterns), so no budget below 1 can be met",
                "exclude fewer layers; 'analyze' lists the layers by name", inner: e);
        }
        catch (BudgetUnreachableException e) when (analysis.Layers.Count == 0)
        {
            // Only layers that stay whole are left: say why each was skipped, not what share was reachable.
            var reasons = analysis.Skipped.GroupBy(s => s.Reason).Select(g => $"{g.Key} {g.Count()}");
            throw new InvalidOptionsException(
                $"no layer can be factorized (skipped: {string.Join(", ", reasons)}), so no budget below 1 can be met",
                "'analyze' lists every skipped layer with its reason", inner: e);
        }
    }

    /// <summary>
    /// Compresses with an analysis made earlier by <see cref="Analyze"/> on the same model and
    /// discovery options (a sweep analyses once and allocates many times).
    /// </summary>
    public PipelineResult Compress(ModelProto model, ModelAnalysis analysis, PipelineOptions options, IProgress<PipelineProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(options);
        var job = CompressionJob.Resolve(options, analysis.Calibration is not null, analysis.IsTimed, analysis.Sensitivity is not null);
        var allocator = job.Allocator;
        IReadOnlyList<LayerTiming>? timing = null;
        AllocationResult allocation;
        // Without measurements the allocator would keep every layer whole and call the budget unreachable.
        if (options.Plan is null && allocator.NeedsMeasuredDamage && analysis.Sensitivity is null)
            throw new ArgumentException($"Method '{allocator.Name}' needs an analysis that measured sensitivity (PipelineOptions.MeasureSensitivity).", nameof(options));
        if (options.Plan is { } planned)
        {
            allocation = PlannedAllocation.From(analysis, planned, options.PlanPath);
        }
        else if (analysis.IsTimed)
        {
            var timer = new LayerTimer(runner ?? throw new ArgumentException("A timed analysis needs a model runner to check the chosen pairs.", nameof(options)), options.Latency);
            (analysis, allocation, timing) = LatencyAwareAllocation.Allocate(
                model, analysis, current => Allocate(current, job), options.Budget, timer);
        }
        else
        {
            if (options.Budget == BudgetKind.Latency)
                throw new ArgumentException("A latency budget needs an analysis that timed the layers (latency-aware options).", nameof(options));
            allocation = Allocate(analysis, job);
        }
        progress?.Report(new PipelineProgress(PipelineStage.Allocation, 1, 1));

        var plan = new CompressionPlan(
            // Whole layers enter the allocator without options, so only compressible layers come back factorized.
            allocation.Layers.Where(l => !l.IsWhole)
                .Select(l => new LayerPlan(l.Name, l.SliceCount, l.Rank)),
            options.Plan?.Method ?? allocator.Name);
        var compressionOptions = new CompressionOptions
        {
            Discovery = DiscoveryOptionsFor(model, options),
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
        };
        // With calibration data every layer is refitted to the inputs the compressed layers before it hand on.
        var factorizer = job.Factorizer(analysis.Calibration);
        var compression = job.Refits
            ? SequentialRefit.Compress(model, plan, RunnerForCalibration(options), options.Calibration!, factorizer, compressionOptions,
                analysis.Calibration!.Layers.ToDictionary(l => l.Key, l => l.Value.VectorCount),
                (done, total) => progress?.Report(new PipelineProgress(PipelineStage.Refit, done, total)))
            : new LowRankCompressor(factorizer).Compress(model, plan, compressionOptions);
        // A FLOP budget leaves alone the layers whose FLOPs it cannot count, and a timed analysis the layers it could not
        // time; the compressor sees neither reason, so they are reported here, in place of whatever it says of them.
        var uncounted = analysis.Layers.Except(analysis.CountedLayers(options.Budget))
            .Select(l => new SkippedNode(l.Name, l.Layer.Node.OpType, l.Layer.Kind == LayerKind.Embedding ? SkipReason.NoFlopsToSave : SkipReason.UncountedCost,
                $"Left whole under a FLOP budget: {l.UncountedCost}."))
            .Concat(analysis.Skipped.Where(s => s.Reason == SkipReason.NotTimed))
            .ToList();
        var restated = uncounted.Select(s => s.NodeName).ToHashSet();
        compression = compression with { Skipped = [.. compression.Skipped.Where(s => !restated.Contains(s.NodeName)), .. uncounted] };
        progress?.Report(new PipelineProgress(PipelineStage.Rewrite, 1, 1));
        return new PipelineResult(analysis, allocation, plan, compression, ModelParameters.Count(model), ModelParameters.Count(compression.Model)) { Timing = timing };
    }

    /// <summary>
    /// Runs the allocator over the analysed layers; whole layers enter with no options, so they count at full size.
    /// Conv ranks are chosen on the coarsest grid that serves the budget: the multiple of
    /// <see cref="PipelineOptions.ConvRankMultiple"/>, else its divisors from the largest down to 1. A grid that
    /// cannot reach the budget (small Convs, low keep fractions), or whose allocation falls more than
    /// <see cref="GridShortfall"/> of the total below the target (too few ranks to fill it), gives way to the next.
    /// The result names the multiple used.
    /// </summary>
    public static AllocationResult Allocate(ModelAnalysis analysis, CompressionJob job)
    {
        var allocator = job.Allocator;
        var budgetKind = job.Options.Budget;
        var budget = job.Budget;
        var settings = job.Settings;
        var asked = job.ConvRankMultiple;
        var multiples = Enumerable.Range(1, asked).Where(d => asked % d == 0).OrderDescending();
        foreach (var multiple in multiples)
        {
            var grid = settings with { ConvRankMultiple = multiple };
            var layers = analysis.CountedLayers(budgetKind).Select(l => l.ToAllocationLayer(budgetKind, multiple))
                .Concat(analysis.CountedWholeLayers(budgetKind).Select(w => w.ToAllocationLayer(budgetKind)))
                .ToList();
            AllocationResult result;
            try
            {
                result = allocator.Allocate(layers, budget, grid) with { ConvRankMultiple = multiple };
            }
            catch (BudgetUnreachableException) when (multiple > 1)
            {
                continue;
            }
            if (multiple == 1 || result.TargetCost is not { } target || result.KeptCost >= target - GridShortfall * result.TotalCost)
                return result;
        }
        throw new InvalidOperationException("The last grid, multiple 1, always returns or throws.");
    }

    /// <summary>How far below the target (a share of the total) a Conv rank grid may leave the kept cost before a finer grid is tried.</summary>
    public const double GridShortfall = 0.01;

    private IModelRunner RunnerForCalibration(PipelineOptions options) => runner
        ?? throw new ArgumentException("Calibration data needs a model runner to run it through the model.", nameof(options));

    private static DiscoveryOptions DiscoveryOptionsFor(ModelProto model, PipelineOptions options)
    {
        var names = GraphScope.All(model.Graph).SelectMany(s => LayerNames.Of(s.Graph).Select(s.NameOf));
        var excluded = names.Where(n => options.Exclude.Any(p => LayerNamePattern.Matches(p, n))).ToHashSet();
        // IR 3 made every initializer a graph input as well (IR 4 dropped the rule), so there the listing is the format's,
        // not a sign that callers feed the weight: such weights are constants, and their inputs go with them.
        var initializerInputsAreConstants = options.RemoveInitializerInputs || model.IrVersion is >= 1 and < 4;
        return new DiscoveryOptions { RemoveInitializerInputs = initializerInputsAreConstants, ExcludedNodes = excluded };
    }
}
