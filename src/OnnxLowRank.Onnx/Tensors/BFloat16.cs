namespace OnnxLowRank.Onnx;

/// <summary>
/// bfloat16 bit patterns: the top 16 bits of an IEEE float, rounded to nearest-even.
/// </summary>
public static class BFloat16
{
    /// <summary>The float whose top 16 bits are <paramref name="bits"/> (exact).</summary>
    public static float ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Nearest bfloat16 (ties to even); NaN stays NaN (quieted, sign and top payload bits kept).</summary>
    public static ushort FromSingle(float value)
    {
        var bits = (uint)BitConverter.SingleToInt32Bits(value);
        if (float.IsNaN(value))
        {
            // Truncation alone could clear every payload bit and turn a NaN into infinity.
            return (ushort)((bits >> 16) | 0x0040);
        }
        var tieToEven = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + tieToEven) >> 16);
    }

    /// <summary>
    /// Nearest bfloat16 to a double, rounded once: the double is first narrowed to float with
    /// round-to-odd (truncate, then mark inexactness in the last bit), which makes the second
    /// rounding to bfloat16 give the same result as rounding the double directly.
    /// </summary>
    public static ushort FromDouble(double value)
    {
        var narrowed = (float)value;
        if (float.IsNaN(narrowed) || float.IsInfinity(narrowed) || narrowed == value)
        {
            return FromSingle(narrowed);
        }
        var bits = BitConverter.SingleToInt32Bits(narrowed);
        if (Math.Abs((double)narrowed) > Math.Abs(value))
        {
            bits -= 1; // one step toward zero in sign-magnitude encoding
        }
        return FromSingle(BitConverter.Int32BitsToSingle(bits | 1));
    }
}
