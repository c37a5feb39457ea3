namespace OnnxLowRank.Onnx.Tests.Hostile;

/// <summary>Hand-made protobuf wire bytes, for shapes no well-behaved writer produces (or takes too long to build as objects).</summary>
internal static class WireBytes
{
    /// <summary>A length-delimited field: tag (field number, wire type 2), length varint, then the payload.</summary>
    public static byte[] Field(int number, byte[] payload) => [.. Varint((ulong)(number << 3 | 2)), .. Varint((ulong)payload.Length), .. payload];

    /// <summary>Only the tag and a declared length, with no payload behind it.</summary>
    public static byte[] Header(int number, ulong declaredLength) => [.. Varint((ulong)(number << 3 | 2)), .. Varint(declaredLength)];

    /// <summary><paramref name="count"/> copies of one empty length-delimited field.</summary>
    public static byte[] RepeatedEmpty(int number, int count)
    {
        var one = Field(number, []);
        var bytes = new byte[one.Length * count];
        for (var i = 0; i < count; i++) one.CopyTo(bytes, i * one.Length);
        return bytes;
    }

    /// <summary>
    /// Messages nested along <paramref name="fields"/> (field numbers, outermost first) around an empty
    /// innermost message; lengths are computed inside out so the bytes are written once, outside in.
    /// </summary>
    public static byte[] Nested(IReadOnlyList<int> fields)
    {
        // inner[i]: the payload size of the message that field i (from the outside) holds.
        var inner = new ulong[fields.Count];
        for (var i = fields.Count - 2; i >= 0; i--)
            inner[i] = (ulong)Varint((ulong)(fields[i + 1] << 3 | 2)).Length + (ulong)Varint(inner[i + 1]).Length + inner[i + 1];
        using var stream = new MemoryStream();
        for (var i = 0; i < fields.Count; i++)
        {
            stream.Write(Varint((ulong)(fields[i] << 3 | 2)));
            stream.Write(Varint(inner[i]));
        }
        return stream.ToArray();
    }

    public static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>(10);
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }
}
