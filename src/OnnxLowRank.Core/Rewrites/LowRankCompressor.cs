using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Numerics;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>
/// Applies a <see cref="CompressionPlan"/> to a model: factors the planned layers (in parallel),
/// then replaces each by its pair of nodes (sequentially, in graph order), in the graph the layer lives in (the main
/// graph, or an If, Loop or Scan subgraph, whose new factors become that subgraph's initializers). The input model is never changed;
/// the result shares the input's tensors that it keeps (see <see cref="CopyForRewrite"/>).
/// </summary>
public sealed class LowRankCompressor(ILayerFactorizer? factorizer = null)
{
    private readonly ILayerFactorizer _factorizer = factorizer ?? new WeightSvdFactorizer();

    public CompressionResult Compress(ModelProto model, CompressionPlan plan, CompressionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        options ??= new CompressionOptions();
        var copy = CopyForRewrite(model);
        var discovery = LayerDiscovery.Find(copy, options.Discovery);
        var skipped = discovery.Skipped.ToList();
        var planned = plan.Layers.ToDictionary(p => p.NodeName);
        foreach (var name in planned.Keys.Where(n => discovery.Find(n) is null))
        {
            var why = discovery.Skipped.FirstOrDefault(s => s.NodeName == name);
            throw new ArgumentException(why is null
                ? $"The plan names layer '{name}', which is not a Gemm, MatMul, Conv or embedding Gather of this model."
                : $"The plan names layer '{name}', which cannot be factorized: {why.Detail}", nameof(plan));
        }

        var work = new List<(CompressibleLayer Layer, LayerPlan Plan)>();
        foreach (var layer in discovery.Layers)
        {
            if (!planned.TryGetValue(layer.NodeName, out var entry)) continue;
            Validate(layer, entry);
            var size = layer.Geometry.FactoredParameters(entry.SliceCount, entry.Rank);
            if (size >= layer.Geometry.OriginalParameters && !options.Force)
            {
                skipped.Add(new SkippedNode(layer.NodeName, layer.Node.OpType, SkipReason.NotBeneficial,
                    $"k = {entry.SliceCount}, rank {entry.Rank} needs {size} parameters, the weight has {layer.Geometry.OriginalParameters}."));
                continue;
            }
            work.Add((layer, entry));
        }

        var outcomes = new List<LayerOutcome>(work.Count);
        if (work.Count > 0)
        {
            var opset = DefaultOpset(copy);
            var names = new UniqueNames(copy.Graph);
            var method = _factorizer.IsPlainSvd ? plan.Method : $"{plan.Method}+{_factorizer.Name}";
            // Each rewrite edits the graph its layer lives in: a subgraph's pair and factors go into that subgraph.
            var edits = new Dictionary<GraphScope, GraphEdits>();
            var released = new HashSet<string>();
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
            // Factors are computed in double, one layer per thread at a time, and encoded into the model's tensors
            // before the next few: holding more layers' factors at once raises the peak memory (docs/benchmarks.md).
            var chunk = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount;
            for (var start = 0; start < work.Count; start += chunk)
            {
                var count = Math.Min(chunk, work.Count - start);
                var factors = new LayerFactorization[count];
                var errors = new double[count];
                Parallel.For(0, count, parallel, i =>
                {
                    var (layer, entry) = work[start + i];
                    var weight = WeightMatrixView.Of(layer);
                    factors[i] = _factorizer.Factorize(layer, weight, entry.SliceCount, entry.Rank);
                    // The factorization's temporaries go before the error decodes the weight again (for vgg16's first
                    // classifier layer, 822 MB in double each time).
                    LargeTemporaries.Release();
                    errors[i] = options.MeasuresErrors ? FactorizationError.Relative(weight, factors[i]) : double.NaN;
                    LargeTemporaries.Release();
                });
                for (var i = 0; i < count; i++)
                {
                    var layer = work[start + i].Layer;
                    if (!edits.TryGetValue(layer.Scope, out var edit)) edits.Add(layer.Scope, edit = new GraphEdits());
                    var scope = new RewriteScope(layer, factors[i], method, errors[i], opset, names, edit.Initializers, layer.Scope.Index, released);
                    if (layer.Kind == LayerKind.Embedding)
                    {
                        foreach (var (node, replacement) in EmbeddingRewrite.Rewrite(scope)) edit.Replacements[node] = replacement;
                        // The head's Transpose of the table goes with the table.
                        if (layer.Head?.Transpose is { } transpose) released.Add(transpose.Output[0]);
                    }
                    else
                    {
                        edit.Replacements[layer.Node] = layer.Kind switch
                        {
                            LayerKind.Gemm => GemmRewrite.Rewrite(scope),
                            LayerKind.MatMul => MatMulRewrite.Rewrite(scope),
                            _ => ConvRewrite.Rewrite(scope),
                        };
                    }
                    released.Add(layer.WeightInput);
                    released.Add(layer.ConstantName);
                    outcomes.Add(new LayerOutcome(layer.NodeName, layer.Kind, factors[i].SliceCount, factors[i].Rank,
                        layer.Geometry.OriginalParameters, factors[i].Parameters, errors[i], factors[i].Order));
                }
            }
            // Innermost graphs first: a subgraph's layer may have read a weight of an enclosing graph, which can go
            // only once the subgraph no longer reads it, so every graph above an edited one is spliced after it.
            var graphs = edits.Keys.SelectMany(Ancestry).Distinct().OrderByDescending(s => s.Route.Count);
            foreach (var scope in graphs)
            {
                var edit = edits.GetValueOrDefault(scope) ?? new GraphEdits();
                GraphSplice.Apply(scope.Graph, edit.Replacements, edit.Initializers, released);
            }
        }
        return new CompressionResult(copy, outcomes, skipped);
    }

    /// <summary>
    /// A copy of <paramref name="model"/> for the rewrite to edit: its own graph, with its own lists, nodes and value
    /// infos, sharing the input's initializer tensors, which nothing here edits (rewrites add new tensors and drop old
    /// ones). A deep clone would hold a second copy of every weight until the end of the rewrite (docs/benchmarks.md).
    /// A node's clone is deep, so the initializers of a subgraph (an If, Loop or Scan body it holds) are copied: the
    /// rewrite edits subgraphs in place too, and exporters keep their weights in the main graph anyway.
    /// </summary>
    private static ModelProto CopyForRewrite(ModelProto model)
    {
        // MergeFrom builds new messages for singular fields (the graph) and appends repeated fields' messages by reference.
        var copy = new ModelProto();
        copy.MergeFrom(model);
        if (copy.Graph is not { } graph) return copy;
        CloneEach(graph.Node);
        CloneEach(graph.Input);
        CloneEach(graph.Output);
        CloneEach(graph.ValueInfo);
        return copy;
    }

    private static void CloneEach<T>(Google.Protobuf.Collections.RepeatedField<T> items) where T : Google.Protobuf.IDeepCloneable<T>
    {
        for (var i = 0; i < items.Count; i++) items[i] = items[i].Clone();
    }

    private static void Validate(CompressibleLayer layer, LayerPlan entry)
    {
        if (!layer.SliceCounts().Contains(entry.SliceCount))
            throw new ArgumentException(
                $"Layer '{layer.NodeName}' cannot be cut into {entry.SliceCount} slices; it allows {string.Join(", ", layer.SliceCounts())}.", nameof(entry));
        var maxRank = layer.Geometry.MaxRank(entry.SliceCount);
        if (entry.Rank > maxRank)
            throw new ArgumentException(
                $"Layer '{layer.NodeName}' with {entry.SliceCount} slices has rank at most {maxRank}, the plan asks for {entry.Rank}.", nameof(entry));
    }

    private static IEnumerable<GraphScope> Ancestry(GraphScope scope)
    {
        for (var s = scope; s is not null; s = s.Parent) yield return s;
    }

    /// <summary>What the rewrites do to one graph: nodes replaced by their pairs, and the factors' new initializers.</summary>
    private sealed class GraphEdits
    {
        public Dictionary<NodeProto, IReadOnlyList<NodeProto>> Replacements { get; } = new(ReferenceEqualityComparer.Instance);

        public List<TensorProto> Initializers { get; } = [];
    }

    private static long DefaultOpset(ModelProto model)
    {
        var versions = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).ToList();
        return versions.Count > 0
            ? versions.Max()
            : throw new UnsupportedModelException("The model imports no version of the default ONNX operator set.", advice: "Add an opset_import for domain \"\".");
    }
}
