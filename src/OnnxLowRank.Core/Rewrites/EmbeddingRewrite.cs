// Before:                                   After (E ~ A B, A = P (V x r), B = Q (r x H)):
//
//   E (V x H)   ids                           A (V x r)   ids
//        \      /                                  \      /
//         Gather                                    Gather          rows (..., r)
//           |                                         |   B (r x H)
//           X (..., H)                                 \  /
//                                                      MatMul
//   h (..., H)   E                                       |
//        |       |                                       X (..., H)
//        |   Transpose
//         \     /  E^T (H x V)                  h (..., H)   Transpose(B) (H x r)
//          MatMul                                    \      /
//            |                                        MatMul          hidden (..., r)
//          logits (..., V)                              |   Transpose(A) (r x V)
//                                                        \  /
//   (or Gemm(h, E, [C], transB = 1))                     MatMul  (or Gemm(hidden, A, [C], transB = 1))
//                                                          |
//                                                        logits (..., V)
//
// The lookup reads rows of A, so A is stored V x r, and B as r x H for the product after it: the path every model
// with an embedding runs is the one without a Transpose. The tied head reads the same two initializers through
// Transpose nodes (a Gemm head reads A as it is, with transB = 1), which ONNX Runtime folds when it loads the
// model: the file holds each factor once, as it held E once.

using OnnxLowRank.Core.Layers;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>Replaces an embedding Gather by Gather-then-MatMul over the factors of its table, and its tied head, if any, by two products over the same factors.</summary>
internal static class EmbeddingRewrite
{
    public static IReadOnlyDictionary<NodeProto, IReadOnlyList<NodeProto>> Rewrite(RewriteScope scope)
    {
        var gather = scope.Layer.Node;
        var factors = scope.Factors[0, 0];
        var r = scope.Factors.Rank;
        if (scope.Factors.OutputShift is not null)
            throw new InvalidOperationException($"Embedding '{scope.Layer.NodeName}' cannot take an output shift: a lookup has no bias to correct.");
        var a = scope.AddInitializer("A", [factors.P.Rows, r], factors.P.Values);
        var b = scope.AddInitializer("B", [r, factors.Q.Columns], factors.Q.Values);

        var rows = scope.Name("rows");
        var lookup = scope.Node("Gather", "gather", [a, gather.Input[1]], rows);
        lookup.Attribute.AddRange(gather.Attribute.Select(attribute => attribute.Clone()));
        var replacements = new Dictionary<NodeProto, IReadOnlyList<NodeProto>>(ReferenceEqualityComparer.Instance)
        {
            [gather] = [lookup, scope.Node("MatMul", "expand", [rows, b], gather.Output[0])],
        };
        if (scope.Layer.Head is { } head) replacements[head.Node] = Head(scope, head, a, b);
        return replacements;
    }

    /// <summary>h E^T ~ (h B^T) A^T: the head's two products, reading the factors the lookup reads.</summary>
    private static IReadOnlyList<NodeProto> Head(RewriteScope scope, TiedHead head, string a, string b)
    {
        var node = head.Node;
        var bt = scope.Name("BT");
        var hidden = scope.Name("head_hidden");
        var nodes = new List<NodeProto>(4)
        {
            scope.Node("Transpose", "transpose_B", [b], bt, RewriteScope.Ints("perm", [1, 0])),
            scope.Node("MatMul", "head_first", [node.Input[0], bt], hidden),
        };
        if (head.Transpose is null)
        {
            // Gemm(h, E, [C], transB = 1): the second Gemm reads A (V x r) with transB = 1, so A needs no Transpose;
            // alpha, beta and C carry over.
            var second = scope.Node("Gemm", "head_second", [hidden, a, .. node.Input.Skip(2)], node.Output[0]);
            second.Attribute.AddRange(node.Attribute.Select(attribute => attribute.Clone()));
            nodes.Add(second);
            return nodes;
        }
        var at = scope.Name("AT");
        nodes.Add(scope.Node("Transpose", "transpose_A", [a], at, RewriteScope.Ints("perm", [1, 0])));
        nodes.Add(scope.Node("MatMul", "head_second", [hidden, at], node.Output[0]));
        return nodes;
    }
}
