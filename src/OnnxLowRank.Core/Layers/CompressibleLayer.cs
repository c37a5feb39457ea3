using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// A Gemm, MatMul or Conv node whose constant weight can be replaced by a factorized pair.
/// The weight is read from <see cref="Weight"/>; when it reaches the node through a Transpose
/// (exporters write Transpose(W) -> MatMul), that Transpose is folded and <see cref="FoldedTranspose"/> is set.
/// An <see cref="LayerKind.Embedding"/> is a Gather over a constant table E [V, H], seen as the matrix W = E
/// (V rows, H columns, as the tied head's map h -> h E^T has it), with its tied head in <see cref="Head"/>.
/// </summary>
public sealed class CompressibleLayer
{
    public CompressibleLayer(
        string nodeName, LayerKind kind, NodeProto node, string weightInput, string constantName,
        TensorProto weight, bool storedTransposed, bool foldedTranspose, WeightGeometry geometry)
    {
        NodeName = nodeName;
        Kind = kind;
        Node = node;
        WeightInput = weightInput;
        ConstantName = constantName;
        Weight = weight;
        StoredTransposed = storedTransposed;
        FoldedTranspose = foldedTranspose;
        Geometry = geometry;
    }

    /// <summary>The layer's name (see <see cref="LayerNames"/>); plans refer to layers by it.</summary>
    public string NodeName { get; }

    public LayerKind Kind { get; }

    /// <summary>The node in the model that discovery read.</summary>
    public NodeProto Node { get; }

    /// <summary>The node input that carries the weight (input 1 of Gemm, MatMul and Conv, input 0 of a Gather).</summary>
    public string WeightInput { get; }

    /// <summary>The constant's own name: <see cref="WeightInput"/>, or the Transpose's input when one was folded.</summary>
    public string ConstantName { get; }

    /// <summary>The constant tensor as stored (an initializer or a Constant node's value).</summary>
    public TensorProto Weight { get; }

    public TensorProto.Types.DataType ElementType => (TensorProto.Types.DataType)Weight.DataType;

    /// <summary>True when the stored 2-D tensor is W^T (K x N) rather than W (N x K).</summary>
    public bool StoredTransposed { get; }

    /// <summary>True when the weight reaches the node through a Transpose that the rewrite removes.</summary>
    public bool FoldedTranspose { get; }

    public WeightGeometry Geometry { get; }

    /// <summary>For an embedding, the output head that reads the same table (one set of factors serves both); else null.</summary>
    public TiedHead? Head { get; init; }

    /// <summary>The graph the node lives in: the main graph, or an If branch or Loop or Scan body (then the weight may be an outer constant).</summary>
    public required GraphScope Scope { get; init; }

    /// <summary>True when the layer lives inside a subgraph, whose values the engine cannot expose as model outputs.</summary>
    public bool InSubgraph => !Scope.IsMain;

    /// <summary>
    /// The slice counts k a rewrite supports: the divisors of c_g for Conv (capped by
    /// <paramref name="cap"/>), only 1 for Gemm, MatMul and Embedding, whose pair has no grouped form.
    /// </summary>
    public IReadOnlyList<int> SliceCounts(int cap = int.MaxValue)
    {
        if (Kind != LayerKind.Conv) return [1];
        return Enumerable.Range(1, Math.Min(cap, Geometry.InputsPerGroup)).Where(Geometry.CanSlice).ToList();
    }

    /// <summary>The step between the ranks this layer may take: the Conv rank multiple for a Conv, 1 for the others.</summary>
    public int RankStep(int convRankMultiple) => Kind == LayerKind.Conv ? convRankMultiple : 1;

    /// <summary>
    /// Whether k slices keep the factor convolutions on channel blocks of <paramref name="rankStep"/>: k = 1
    /// reads the layer's own input, and k &gt; 1 only when each slice holds a multiple of the step of input channels.
    /// </summary>
    public bool SlicesKeepBlocks(int sliceCount, int rankStep) =>
        sliceCount == 1 || Geometry.InputsPerGroup / sliceCount % rankStep == 0;

    public override string ToString() => $"{Kind} {NodeName}";
}
