// Before:                          After:
//
//   X (..., K)   B (K x N)           X (..., K)   Q^T (K x j)
//        \      /                         \      /
//         MatMul                           MatMul          H (..., j)
//           |                                |   P^T (j x N)
//           Y (..., N)                        \  /
//                                             MatMul
//                                               |
//                                               Y (..., N)
//
// W = B^T (N x K) ~ P Q, so X B = X W^T ~ (X Q^T) P^T; X may have any rank >= 1.
// With an output shift d (data-aware bias correction) an Add of d (N) follows the second MatMul.

using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>Replaces a MatMul with a constant 2-D right operand by two MatMuls.</summary>
internal static class MatMulRewrite
{
    public static IReadOnlyList<NodeProto> Rewrite(RewriteScope scope)
    {
        var node = scope.Layer.Node;
        var factors = scope.Factors[0, 0];
        var j = scope.Factors.Rank;
        var qt = scope.AddInitializer("QT", [factors.Q.Columns, j], factors.Q.Transpose().Values);
        var pt = scope.AddInitializer("PT", [j, factors.P.Rows], factors.P.Transpose().Values);
        var hidden = scope.Name("hidden");
        var first = scope.Node("MatMul", "first", [node.Input[0], qt], hidden);
        if (scope.Factors.OutputShift is not { } shift)
            return [first, scope.Node("MatMul", "second", [hidden, pt], node.Output[0])];
        var product = scope.Name("product");
        var d = scope.AddInitializer("shift", [shift.Length], shift);
        return [first, scope.Node("MatMul", "second", [hidden, pt], product), scope.Node("Add", "shift", [product, d], node.Output[0])];
    }
}
