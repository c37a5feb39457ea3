using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>
/// ONNX Runtime may refuse the opset 6 of the pytorch-converted test models. Conv, Gemm, MatMul and
/// Add compute the same from opset 9 on, where Gemm and Add lost only their "broadcast" flag
/// (broadcasting became the rule), so those models are lifted to opset 9.
/// </summary>
internal static class LegacyOpset
{
    public const long Minimum = 9;

    public static void Raise(ModelProto model)
    {
        var import = model.OpsetImport.Single(o => o.Domain is "" or "ai.onnx");
        if (import.Version >= Minimum) return;
        import.Version = Minimum;
        foreach (var node in model.Graph.Node)
        {
            var broadcast = node.Attribute.FirstOrDefault(a => a.Name == "broadcast");
            if (broadcast is not null) node.Attribute.Remove(broadcast);
        }
    }
}
