using System.Globalization;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Rewrites;

/// <summary>
/// What a rewrite of one layer works with: the graph's opset, fresh names derived from the layer's
/// node, the new initializers it creates, and the doc string every new node carries.
/// </summary>
internal sealed class RewriteScope
{
    private readonly UniqueNames _names;
    private readonly string _stem;

    public RewriteScope(
        CompressibleLayer layer, LayerFactorization factors, string method, double relativeError, long opset, UniqueNames names,
        List<TensorProto> initializers, GraphIndex graph, ISet<string> released)
    {
        Graph = graph;
        Released = released;
        Layer = layer;
        Factors = factors;
        Opset = opset;
        _names = names;
        Initializers = initializers;
        var node = layer.Node;
        _stem = node.Name.Length > 0 ? node.Name : node.Output[0];
        DocString = string.Create(CultureInfo.InvariantCulture,
            $"onnx-lowrank: {method} k={factors.SliceCount} rank={factors.Rank} rel_error={relativeError:0.0000}");
    }

    public CompressibleLayer Layer { get; }

    public LayerFactorization Factors { get; }

    /// <summary>The default-domain opset the graph imports.</summary>
    public long Opset { get; }

    public string DocString { get; }

    /// <summary>The graph as it was before any rewrite, to read constants (a bias to correct).</summary>
    public GraphIndex Graph { get; }

    /// <summary>Values a rewrite stops reading; each is removed once nothing reads it.</summary>
    public ISet<string> Released { get; }

    /// <summary>Where new initializers are collected.</summary>
    public List<TensorProto> Initializers { get; }

    /// <summary>A fresh name: the original node's name (or output) with a suffix.</summary>
    public string Name(string suffix) => _names.Claim($"{_stem}_lowrank_{suffix}");

    /// <summary>Adds an initializer of the weight's element type and returns its name.</summary>
    public string AddInitializer(string suffix, long[] dims, double[] values)
    {
        var tensor = TensorCodec.FromDoubles(Name(suffix), dims, values, Layer.ElementType);
        Initializers.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A new default-domain node named after the layer, carrying the doc string.</summary>
    public NodeProto Node(string opType, string suffix, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Name(suffix), DocString = DocString };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}
