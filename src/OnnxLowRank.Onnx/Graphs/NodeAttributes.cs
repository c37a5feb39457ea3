using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// Reads a node's attributes by name, with the default the operator's schema gives an absent one. Every reader
/// takes the first attribute of that name and the field its reader names, as ONNX Runtime does.
/// </summary>
public static class NodeAttributes
{
    /// <summary>The attribute called <paramref name="name"/>, or null when the node has none.</summary>
    public static AttributeProto? FindAttribute(this NodeProto node, string name)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Attribute.FirstOrDefault(a => a.Name == name);
    }

    public static long IntAttribute(this NodeProto node, string name, long fallback) =>
        node.FindAttribute(name) is { } a ? a.I : fallback;

    public static float FloatAttribute(this NodeProto node, string name, float fallback) =>
        node.FindAttribute(name) is { } a ? a.F : fallback;

    /// <summary>The integers of an ints attribute, or null when it is absent (its default often depends on the input's rank).</summary>
    public static long[]? IntsAttribute(this NodeProto node, string name) =>
        node.FindAttribute(name) is { } a ? a.Ints.ToArray() : null;

    /// <summary>The graphs an attribute holds: its graph, then its list of graphs (If's branches, Loop's and Scan's bodies).</summary>
    public static IEnumerable<GraphProto> Subgraphs(this AttributeProto attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        return attribute.Graphs.Prepend(attribute.G).OfType<GraphProto>();
    }

    /// <summary>The graphs held by the node's attributes, attribute by attribute.</summary>
    public static IEnumerable<GraphProto> Subgraphs(this NodeProto node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Attribute.SelectMany(Subgraphs);
    }

    /// <summary>A string attribute decoded as UTF-8.</summary>
    public static string StringAttribute(this NodeProto node, string name, string fallback) =>
        node.FindAttribute(name) is { } a ? a.S.ToStringUtf8() : fallback;
}
