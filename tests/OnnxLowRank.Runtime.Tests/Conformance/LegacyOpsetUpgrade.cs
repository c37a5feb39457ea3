using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Runtime.Tests.Conformance;

/// <summary>
/// ONNX Runtime runs ai.onnx opset 7 and later, but many of ONNX's PyTorch-converted test models declare
/// opset 6 (a few node tests, opset 1). This moves such a model to opset 7 only when that cannot change
/// what it computes; otherwise it names the operator that stands in the way.
/// </summary>
internal static class LegacyOpsetUpgrade
{
    public const long TargetOpset = 7;

    /// <summary>
    /// Each operator's latest revision at or below opset 6 (ONNX's Changelog), for the operators these test
    /// models use and whose opset-7 meaning is the same. Between its revision and opset 7 an operator is
    /// unchanged, except those in <see cref="RevisedAt7"/>.
    /// </summary>
    private static readonly Dictionary<string, int> RevisionBefore7 = new()
    {
        ["Abs"] = 6, ["Add"] = 6, ["AveragePool"] = 1, ["BatchNormalization"] = 6, ["Clip"] = 6, ["Concat"] = 4,
        ["Constant"] = 1, ["Conv"] = 1, ["ConvTranspose"] = 1, ["Div"] = 6, ["Elu"] = 6, ["Exp"] = 6, ["Flatten"] = 1,
        ["Gather"] = 1, ["Gemm"] = 6, ["GlobalAveragePool"] = 1, ["GlobalMaxPool"] = 1, ["HardSigmoid"] = 6,
        ["InstanceNormalization"] = 6, ["LeakyRelu"] = 6, ["LogSoftmax"] = 1, ["MatMul"] = 1, ["Max"] = 6,
        ["MaxPool"] = 1, ["Min"] = 6, ["Mul"] = 6, ["Neg"] = 6, ["Not"] = 1, ["Pad"] = 2, ["Pow"] = 1,
        ["ReduceLogSum"] = 1, ["ReduceMean"] = 1, ["ReduceSum"] = 1, ["Relu"] = 6, ["Reshape"] = 5, ["Selu"] = 6,
        ["Sigmoid"] = 6, ["Slice"] = 1, ["Softmax"] = 1, ["Softplus"] = 1, ["Softsign"] = 1, ["Split"] = 2,
        ["Sqrt"] = 6, ["Squeeze"] = 1, ["Sub"] = 6, ["Sum"] = 6, ["Tanh"] = 6, ["Tile"] = 6, ["Transpose"] = 1,
        ["Unsqueeze"] = 1,
    };

    /// <summary>
    /// Revised at opset 7, yet computing the same after the attribute edits in <see cref="Rewrite"/>:
    /// Add, Sub, Mul, Div, Pow and Gemm traded the legacy `broadcast` attribute for numpy broadcasting, which
    /// aligns trailing dimensions exactly as legacy broadcasting did when no `axis` is given; AveragePool gained
    /// count_include_pad, whose default 0 is the old behaviour; BatchNormalization lost is_test, which makes no
    /// difference in inference (one output). PRelu, Dropout, Upsample, RNN, GRU, LSTM and the comparison and
    /// logical operators changed meaning at 7 and are left out of both tables, so models using them stay unsupported.
    /// </summary>
    private static readonly HashSet<string> RevisedAt7 = ["Add", "Sub", "Mul", "Div", "Pow", "Gemm", "AveragePool", "BatchNormalization"];

    /// <summary>The model's ai.onnx opset, or null when it declares none.</summary>
    public static long? DeclaredOpset(ModelProto model) =>
        model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => (long?)o.Version).FirstOrDefault();

    /// <summary>Upgrades <paramref name="model"/> in place and returns null, or returns why it cannot be upgraded (leaving it untouched).</summary>
    public static string? TryUpgrade(ModelProto model)
    {
        var declared = DeclaredOpset(model) ?? 0;
        foreach (var node in model.Graph.Node)
        {
            if (!RevisionBefore7.TryGetValue(node.OpType, out var revision) || revision > declared)
                return $"{node.OpType} at opset {declared} has no known equivalent at opset {TargetOpset}";
            if (node.Attribute.Any(a => a.Name == "axis") && node.OpType is "Add" or "Sub" or "Mul" or "Div" or "Pow")
                return $"{node.OpType} uses legacy broadcasting along an axis";
            if (node.OpType == "BatchNormalization" && node.Output.Count > 1)
                return "BatchNormalization in training mode";
        }
        foreach (var node in model.Graph.Node.Where(n => RevisedAt7.Contains(n.OpType))) Rewrite(node);
        foreach (var opset in model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx")) opset.Version = TargetOpset;
        return null;
    }

    private static void Rewrite(NodeProto node)
    {
        var removed = node.OpType == "BatchNormalization" ? "is_test" : "broadcast";
        var attribute = node.Attribute.FirstOrDefault(a => a.Name == removed);
        if (attribute is not null) node.Attribute.Remove(attribute);
    }
}
