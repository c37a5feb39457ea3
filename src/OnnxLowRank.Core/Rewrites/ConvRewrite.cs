// Before:                                   After (g groups, k slices per group, rank j):
//
//   x (c channels)  W (f, c/g, k1..kd)  [B]    x   Q_stack (g*k*j, c/(g*k), k1..kd)
//        \          |                  /        \  |
//         Conv(group=g, strides, pads, ...)      Conv(group=g*k, strides, pads, dilations, auto_pad)
//          |                                      |  h: g*k*j channels
//          y (f channels)                         |   P_cat (f, k*j, 1..1)   [B]
//                                                  \  |                     /
//                                                   Conv(group=g, kernel 1x..x1)
//                                                    |
//                                                    y (f channels)
//
// Channel order is group-major, then slice, then rank: first-conv group t = g_i * k + i reads
// input channels [g_i * c/g + i * c/(g*k), ...) and writes h[t*j .. t*j + j); its filters are
// the rows of Q_{g_i,i}. Second-conv group g_i reads h[g_i*k*j .. (g_i+1)*k*j) and
// P_cat[g_i * f/g + o, i*j + r] = P_{g_i,i}[o, r], so y_o = sum_i P_{g_i,i} Q_{g_i,i} applied to slice i.
// With an output shift (data-aware bias correction) the second Conv reads a corrected B (BiasCorrection).

using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>Replaces a Conv with a constant weight by a grouped Conv (the Q factors) and a 1x1 Conv (the P factors and bias).</summary>
internal static class ConvRewrite
{
    public static IReadOnlyList<NodeProto> Rewrite(RewriteScope scope)
    {
        if (scope.Factors.Order == FactorOrder.InputFirst) return RewriteInputFirst(scope);
        var node = scope.Layer.Node;
        var geometry = scope.Factors.Geometry;
        int g = geometry.Groups, k = scope.Factors.SliceCount, j = scope.Factors.Rank;
        int fg = geometry.OutputsPerGroup, sliceColumns = geometry.SliceColumns(k);
        var kernel = geometry.KernelShape.Select(d => (long)d).ToArray();

        var stack = new double[(long)g * k * j * sliceColumns];
        var cat = new double[(long)geometry.OutputChannels * k * j];
        for (var group = 0; group < g; group++)
            for (var slice = 0; slice < k; slice++)
            {
                var f = scope.Factors[group, slice];
                Array.Copy(f.Q.Values, 0, stack, (long)(group * k + slice) * j * sliceColumns, (long)j * sliceColumns);
                for (var o = 0; o < fg; o++)
                    Array.Copy(f.P.Values, o * j, cat, (long)(group * fg + o) * k * j + slice * j, j);
            }

        var q = scope.AddInitializer("Q", [(long)g * k * j, geometry.InputsPerGroup / k, .. kernel], stack);
        var p = scope.AddInitializer("P", [geometry.OutputChannels, (long)k * j, .. kernel.Select(_ => 1L)], cat);
        var hidden = scope.Name("hidden");

        var first = scope.Node("Conv", "first", [node.Input[0], q], hidden);
        // Kernel, strides, pads, dilations and auto_pad stay with the spatial conv.
        first.Attribute.AddRange(node.Attribute.Where(a => a.Name != "group").Select(a => a.Clone()));
        first.Attribute.Add(RewriteScope.Int("group", (long)g * k));

        var bias = BiasCorrection.ConvBias(scope, node);
        var second = scope.Node("Conv", "second", bias is not null ? [hidden, p, bias] : [hidden, p], node.Output[0],
            RewriteScope.Ints("kernel_shape", kernel.Select(_ => 1L)), RewriteScope.Int("group", g));
        return [first, second];
    }

    /// <summary>
    /// x -> Conv 1x1 by Q (j, c, 1..1), no bias -> Conv by P folded to (f, j, kernel) with the layer's attributes and
    /// bias -> y (<see cref="InputFirstConv"/>). P's row o K + t, column r is the folded weight's [o, r, t].
    /// </summary>
    private static IReadOnlyList<NodeProto> RewriteInputFirst(RewriteScope scope)
    {
        var node = scope.Layer.Node;
        var geometry = scope.Factors.Geometry;
        var factors = scope.Factors[0, 0];
        int j = scope.Factors.Rank, f = geometry.OutputChannels, size = geometry.KernelSize;
        var kernel = geometry.KernelShape.Select(d => (long)d).ToArray();
        var folded = new double[(long)f * j * size];
        for (var o = 0; o < f; o++)
            for (var r = 0; r < j; r++)
                for (var t = 0; t < size; t++)
                    folded[((long)o * j + r) * size + t] = factors.P[o * size + t, r];

        var q = scope.AddInitializer("Q", [j, geometry.InputChannels, .. kernel.Select(_ => 1L)], factors.Q.Values);
        var p = scope.AddInitializer("P", [f, j, .. kernel], folded);
        var hidden = scope.Name("hidden");
        var first = scope.Node("Conv", "first", [node.Input[0], q], hidden, RewriteScope.Ints("kernel_shape", kernel.Select(_ => 1L)));
        var bias = BiasCorrection.ConvBias(scope, node);
        var second = scope.Node("Conv", "second", bias is not null ? [hidden, p, bias] : [hidden, p], node.Output[0]);
        // Kernel, pads (or auto_pad), strides and dilations stay with the spatial conv, which is the second here.
        second.Attribute.AddRange(node.Attribute.Select(a => a.Clone()));
        return [first, second];
    }
}
