using OnnxLowRank.Onnx;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// A Conv node's window attributes as written: strides, dilations and pads are null when absent (ONNX defaults
/// them to 1, 1 and 0), auto_pad is "NOTSET" when absent.
/// </summary>
public sealed record ConvAttributes(long[]? Strides, long[]? Dilations, long[]? Pads, string AutoPad)
{
    public static ConvAttributes Of(CompressibleLayer layer)
    {
        var node = layer.Node;
        return new ConvAttributes(
            node.IntsAttribute("strides"), node.IntsAttribute("dilations"), node.IntsAttribute("pads"), node.StringAttribute("auto_pad", "NOTSET"));
    }
}
