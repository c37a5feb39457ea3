using System.Diagnostics;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Publishing;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Core.Tests.Hostile;

/// <summary>Where a hostile model's journey ended.</summary>
internal enum TrialOutcome
{
    /// <summary>Loading refused it with a typed error.</summary>
    RefusedAtLoad,

    /// <summary>Analysis refused it (the engine could not run the input, a dimension could not be sized...).</summary>
    RefusedAtAnalysis,

    /// <summary>Allocation or rewriting refused it (an unreachable budget).</summary>
    RefusedAtCompression,

    /// <summary>The result was written, but the engine refuses it as it refuses the input: nothing to publish, never a corruption.</summary>
    EngineRefusesBoth,

    /// <summary>The result loads in the engine (and runs wherever the input runs).</summary>
    Published,
}

internal sealed record TrialResult(TrialOutcome Outcome, OnnxLowRankException? Error, CompressionResult? Compression, ModelProto? Output, TimeSpan Elapsed, long AllocatedBytes);

/// <summary>
/// Runs one model, however broken, along the compress command's path: load, analyze, compress (ALDS,
/// keep half the parameters), then either publish with <see cref="VerifiedModelWriter"/> (save, reload,
/// run) or, faster, serialize, reload and open in ONNX Runtime. A typed
/// <see cref="OnnxLowRankException"/> at any step is an accepted ending; any other exception, a hang
/// past the time limit, an allocation past the bound, or a result the engine refuses while it accepts
/// the input is a failure, reported by a <see cref="TrialFailure"/>.
/// </summary>
internal static class ModelTrial
{
    /// <summary>The compress command's defaults with ALDS at half the parameters, on one thread so allocations are this trial's.</summary>
    public static readonly PipelineOptions DefaultOptions = new() { Method = "alds", KeepFraction = 0.5, MaxDegreeOfParallelism = 1 };

    /// <summary>Bytes parsed without a folder (external data refused), the result checked in memory.</summary>
    public static TrialResult Run(byte[] bytes, PipelineOptions options, TimeSpan timeLimit, long allocationLimit) =>
        Guarded(() => Loaded(() => OnnxModelFile.Parse(bytes), options, publishTo: null), timeLimit, allocationLimit);

    /// <summary>A model file loaded as the CLI loads it, the result published as out.onnx in <paramref name="publishFolder"/>.</summary>
    public static TrialResult RunFile(string path, string publishFolder, PipelineOptions options, TimeSpan timeLimit, long allocationLimit) =>
        Guarded(() => Loaded(() => OnnxModelFile.Load(path), options, Path.Combine(publishFolder, "out.onnx")), timeLimit, allocationLimit);

    private static TrialResult Guarded(Func<TrialResult> trial, TimeSpan timeLimit, long allocationLimit)
    {
        var clock = Stopwatch.StartNew();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var worker = Task.Run(trial);
        // Waiting on the handle, not Task.Wait, so a faulted trial is inspected below instead of rethrown here.
        if (!((IAsyncResult)worker).AsyncWaitHandle.WaitOne(timeLimit))
            throw new TrialFailure($"still running after {timeLimit.TotalSeconds:0.#} s (a hang)");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        if (worker.Exception?.InnerException is { } crash)
            throw crash is TrialFailure ? crash : new TrialFailure($"crashed with {crash.GetType().Name}: {crash.Message}", crash);
        if (allocated > allocationLimit)
            throw new TrialFailure($"allocated {allocated / (1 << 20)} MiB, over the {allocationLimit / (1 << 20)} MiB bound");
        return worker.Result with { Elapsed = clock.Elapsed, AllocatedBytes = allocated };
    }

    private static TrialResult Loaded(Func<ModelProto> load, PipelineOptions options, string? publishTo)
    {
        ModelProto model;
        try
        {
            model = load();
        }
        catch (OnnxLowRankException e)
        {
            return Ended(TrialOutcome.RefusedAtLoad, e);
        }
        return AfterLoad(model, options, publishTo);
    }

    private static TrialResult AfterLoad(ModelProto model, PipelineOptions options, string? publishTo)
    {
        var pipeline = new CompressionPipeline(Engine.Runner);
        ModelAnalysis analysis;
        try
        {
            analysis = pipeline.Analyze(model, options);
        }
        catch (OnnxLowRankException e)
        {
            return Ended(TrialOutcome.RefusedAtAnalysis, e);
        }
        CompressionResult compression;
        try
        {
            compression = pipeline.Compress(model, analysis, options).Compression;
        }
        catch (OnnxLowRankException e)
        {
            return Ended(TrialOutcome.RefusedAtCompression, e);
        }

        ModelProto output;
        IModelSession compressedSession;
        try
        {
            if (publishTo is not null)
            {
                new VerifiedModelWriter(Engine.Runner).Write(compression.Model, publishTo);
                output = OnnxModelFile.Load(publishTo);
            }
            // Our own output must always load back through our own reader.
            else output = OnnxModelFile.Parse(OnnxModelFile.ToBytes(compression.Model));
            compressedSession = Engine.Runner.Open(output);
        }
        catch (OnnxRuntimeException e)
        {
            if (EngineAccepts(model))
                throw new TrialFailure($"ONNX Runtime loads the input but refuses the compressed model: {e.Message}", e);
            return new TrialResult(TrialOutcome.EngineRefusesBoth, e, compression, null, default, 0);
        }
        using (compressedSession) CompareRuns(model, compressedSession, compression);
        return new TrialResult(TrialOutcome.Published, null, compression, output, default, 0);
    }

    /// <summary>
    /// Where the input runs on zeros, the result must run too, with outputs of the same names and shapes;
    /// with no layer rewritten, with the same values.
    /// </summary>
    private static void CompareRuns(ModelProto input, IModelSession compressed, CompressionResult compression)
    {
        IReadOnlyDictionary<string, TensorData> expected;
        Dictionary<string, TensorData> feeds;
        try
        {
            using var original = Engine.Runner.Open(input);
            if (original.Inputs.Any(i => TensorData.ClrTypeOf(i.ElementType) is null)) return;
            feeds = original.Inputs.ToDictionary(i => i.Name, i => OutputPositions.ZeroTensor(i, DimensionSizes.None.Resolve(original.Inputs).Shapes[i.Name]));
            expected = original.Run(feeds);
        }
        catch (OnnxLowRankException)
        {
            return;
        }
        IReadOnlyDictionary<string, TensorData> actual;
        try
        {
            actual = compressed.Run(feeds);
        }
        catch (OnnxRuntimeException e)
        {
            throw new TrialFailure($"the input runs on zeros but the compressed model fails: {e.Message}", e);
        }
        if (!actual.Keys.Order().SequenceEqual(expected.Keys.Order()))
            throw new TrialFailure($"outputs changed from [{string.Join(",", expected.Keys)}] to [{string.Join(",", actual.Keys)}]");
        foreach (var (name, value) in expected)
        {
            if (!actual[name].Shape.SequenceEqual(value.Shape))
                throw new TrialFailure($"output '{name}' changed shape from [{string.Join(",", value.Shape)}] to [{string.Join(",", actual[name].Shape)}]");
            if (compression.Layers.Count == 0 && !ValuesEqual(actual[name].Values, value.Values))
                throw new TrialFailure($"output '{name}' changed although no layer was rewritten");
        }
    }

    // Element Equals, unlike ==, holds for NaN against NaN: a NaN the input computes must stay a NaN.
    private static bool ValuesEqual(Array a, Array b) => System.Collections.StructuralComparisons.StructuralEqualityComparer.Equals(a, b);

    private static bool EngineAccepts(ModelProto model)
    {
        try
        {
            using var session = Engine.Runner.Open(model);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    private static TrialResult Ended(TrialOutcome outcome, OnnxLowRankException error) => new(outcome, error, null, null, default, 0);
}

/// <summary>A trial that ended in a crash, a hang, an allocation past the bound or a corrupted result.</summary>
internal sealed class TrialFailure(string message, Exception? inner = null) : Exception(message, inner);
