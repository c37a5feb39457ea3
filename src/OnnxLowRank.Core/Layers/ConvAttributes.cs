namespace OnnxLowRank.Core.Layers;

/// <summary>
/// A Conv node's window attributes as written: strides, dilations and pads are null when absent (ONNX defaults
/// them to 1, 1 and 0), auto_pad is "NOTSET" when absent.
/// </summary>
public sealed record ConvAttributes(long[]? Strides, long[]? Dilations, long[]? Pads, string AutoPad)
{
    public static ConvAttributes Of(CompressibleLayer layer)
    {
        long[]? Ints(string name) => layer.Node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.Ints.ToArray() : null;
        var autoPad = layer.Node.Attribute.FirstOrDefault(a => a.Name == "auto_pad") is { } pad ? pad.S.ToStringUtf8() : "NOTSET";
        return new ConvAttributes(Ints("strides"), Ints("dilations"), Ints("pads"), autoPad);
    }
}
