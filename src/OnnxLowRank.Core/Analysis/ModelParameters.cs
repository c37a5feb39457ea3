using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Analysis;

/// <summary>Counts the parameters a model stores: every initializer and Constant-node tensor of its main graph.</summary>
public static class ModelParameters
{
    public static long Count(ModelProto model)
    {
        var graph = model.Graph;
        var total = graph.Initializer.Sum(TensorCodec.ElementCount);
        foreach (var node in graph.Node.Where(n => n.OpType == "Constant" && n.Domain is "" or "ai.onnx"))
            total += node.FindAttribute("value")?.T is { } value ? TensorCodec.ElementCount(value) : 0;
        return total;
    }
}
