// Before:                                   After (opset >= 11):
//
//   A   B (N x K, or K x N)  [C]              A   Q (j x K)
//    \  |                  /                   \  |
//     Gemm(transA, transB, alpha, beta)         Gemm(transA, transB=1)         H = A' Q^T
//      |                                         |   P (N x j)   [C]
//      Y                                          \  |          /
//                                                  Gemm(transB=1, alpha, beta)  Y = alpha H P^T + beta C
//                                                   |
//                                                   Y
//
// Below opset 11 Gemm requires C, so the first factor is a MatMul with Q^T (K x j), behind a
// Transpose of A when transA = 1:   A -> [Transpose] -> MatMul(., Q^T) -> H -> Gemm(H, P, C, ...).
// W (N x K) = B when transB = 1 and B^T otherwise; any B behind a folded Transpose is removed too.
// With an output shift (data-aware bias correction) the second Gemm reads a corrected C (BiasCorrection).

using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>Replaces a Gemm with a constant B by two Gemms (or a MatMul and a Gemm below opset 11).</summary>
internal static class GemmRewrite
{
    /// <summary>The first opset whose Gemm accepts a missing C.</summary>
    private const long OptionalBiasOpset = 11;

    public static IReadOnlyList<NodeProto> Rewrite(RewriteScope scope)
    {
        var node = scope.Layer.Node;
        var factors = scope.Factors[0, 0];
        var n = factors.P.Rows;
        var k = factors.Q.Columns;
        var j = scope.Factors.Rank;
        var transA = node.IntAttribute("transA", 0);
        var hidden = scope.Name("hidden");
        var nodes = new List<NodeProto>(3);

        if (scope.Opset >= OptionalBiasOpset)
        {
            var q = scope.AddInitializer("Q", [j, k], factors.Q.Values);
            var first = scope.Node("Gemm", "first", [node.Input[0], q], hidden, RewriteScope.Int("transB", 1));
            if (transA != 0) first.Attribute.Insert(0, RewriteScope.Int("transA", transA));
            nodes.Add(first);
        }
        else
        {
            var a = node.Input[0];
            if (transA != 0)
            {
                var transposed = scope.Name("transposed_A");
                nodes.Add(scope.Node("Transpose", "transpose_A", [a], transposed, RewriteScope.Ints("perm", [1, 0])));
                a = transposed;
            }
            var qt = scope.AddInitializer("QT", [k, j], factors.Q.Transpose().Values);
            nodes.Add(scope.Node("MatMul", "first", [a, qt], hidden));
        }

        var p = scope.AddInitializer("P", [n, j], factors.P.Values);
        var c = BiasCorrection.GemmBias(scope, node);
        var second = scope.Node("Gemm", "second", c is not null ? [hidden, p, c] : [hidden, p], node.Output[0]);
        // alpha, beta (and opset 6's broadcast) carry over; the pair's B is always transposed.
        second.Attribute.AddRange(node.Attribute.Where(a => a.Name is not ("transA" or "transB")).Select(a => a.Clone()));
        second.Attribute.Add(RewriteScope.Int("transB", 1));
        nodes.Add(second);
        return nodes;
    }
}
