using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Planning;

/// <summary>A plan file that cannot be read, or that does not fit the model it is applied to (a usage error, exit 2).</summary>
public sealed class InvalidPlanException(string message, string? planPath, string? layer = null, string? advice = null, Exception? inner = null)
    : OnnxLowRankException(message, planPath, layer, advice, inner);
